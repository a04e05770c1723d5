"""Versioned change: a step added to a running workflow behind `workflow.patched`, with its v1.

Files: `activities.py`, `workflows_v1.py` (the workflow as it was), `workflows.py` (as it is now),
`worker.py` (run a worker: `python -m versioned.worker`), `test_versioned.py` (`pytest versioned`).
"""
