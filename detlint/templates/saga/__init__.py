"""Saga: reserve, charge, fulfil; on failure undo the steps done, in reverse.

Files: `activities.py` (the steps and their compensations), `workflows.py` (the saga),
`worker.py` (run a worker: `python -m saga.worker`), `test_saga.py` (`pytest saga`).
"""
