"""Entity: a long-lived shopping cart driven by updates and signals, continuing as new with its state.

Files: `activities.py` (the price lookup), `workflows.py` (the cart), `worker.py` (run a worker:
`python -m entity.worker`), `test_entity.py` (`pytest entity`).
"""
