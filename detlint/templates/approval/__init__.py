"""Approval: wait for a human decision (a signal) with a timeout, escalate, then expire.

Files: `activities.py` (the notifications), `workflows.py` (the approval), `worker.py` (run a
worker: `python -m approval.worker`), `test_approval.py` (`pytest approval`).
"""
