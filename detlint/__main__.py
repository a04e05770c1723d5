import os
import sys

# `python -m detlint` puts the current folder first on sys.path, so a project's own
# `dataclasses.py` or `json.py` would be imported, and run, in place of the standard library's
# when detlint imports it. detlint itself is already found by now; analysed code never runs.
if not sys.flags.safe_path and sys.path and sys.path[0] in ("", os.getcwd()):
    del sys.path[0]

from detlint.cli import main  # noqa: E402

raise SystemExit(main())
