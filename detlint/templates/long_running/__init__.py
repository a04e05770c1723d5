"""Long-running activity: heartbeat progress, and resume from the last heartbeat after a retry.

Files: `activities.py` (the import, in chunks), `workflows.py` (the workflow that runs it),
`worker.py` (run a worker: `python -m long_running.worker`), `test_long_running.py`
(`pytest long_running`).
"""
