"""Fan-out/fan-in: a parent runs bounded batches of child workflows and aggregates their results.

Files: `activities.py` (the work on one record), `workflows.py` (the parent and the child),
`worker.py` (run a worker: `python -m fan_out.worker`), `test_fan_out.py` (`pytest fan_out`).
"""
