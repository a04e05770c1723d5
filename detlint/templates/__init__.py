"""Reference pattern templates: complete, idiomatic Temporal modules that detlint passes.

Each subpackage is one template (`detlint new --list`): a workflow module, its activities, a
worker entry point and a test. They are real Python packages, linted, type-checked and tested
like the rest of detlint, and `detlint new TEMPLATE DEST` copies one into your project. The
first line of each subpackage's docstring is its one-line description.
"""
