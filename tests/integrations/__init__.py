"""Tests of the integrations, each through the real tool: flake8, pre-commit, an LSP client."""

# A helper module that workflow code in these tests calls: its fresh id is found only when the
# project around the checked file is read (the helper is never named or opened).
HELPERS = '''\
import uuid


def reference() -> str:
    return str(uuid.uuid4())
'''
