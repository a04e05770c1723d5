"""Idempotent activity: an external write keyed by the activity execution, validation not retried.

Files: `activities.py` (the write, to SQLite), `workflows.py` (the workflow that runs it),
`worker.py` (run a worker: `python -m idempotent_activity.worker`), `test_idempotent_activity.py`
(`pytest idempotent_activity`).
"""
