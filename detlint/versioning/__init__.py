"""Versioning (DET5xx): compare each workflow's command skeleton with a baseline.

* `resolve`: skeletons from extraction, with activity and child workflow type names.
* `compare`: old skeleton vs new skeleton -> differences (pure functions).
* `lock`: the detlint.lock file.
* `baseline`: where old skeletons come from (lock files, a git revision).
"""
