"""GitHub Actions workflow commands: one annotation per finding, shown on the pull request.

`::error file=wf.py,line=10,col=19,endLine=10,endColumn=30,title=DET101::message`, with
`warning` and `notice` for the lower severities. Paths are relative to the repository root,
where GitHub looks for them. GitHub shows a limited number of annotations per step; upload
SARIF (`--format sarif`) to see every finding in code scanning.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from detlint.model import Diagnostic, Severity
from detlint.output.locations import relative_to_root, repository_root

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def format_github(diagnostics: Sequence[Diagnostic], *, cwd: Path | None = None, root: Path | None = None) -> str:
    cwd = Path.cwd() if cwd is None else cwd
    root = repository_root(cwd) if root is None else root
    lines = []
    for d in diagnostics:
        path = relative_to_root(d.path, cwd=cwd, root=root) or d.path
        start, end = d.range.start, d.range.end
        properties = {
            "file": path.as_posix(),
            "line": start.line,
            "col": start.column,
            "endLine": end.line,
            "endColumn": end.column,
            "title": d.code,
        }
        listed = ",".join(f"{key}={_property(str(value))}" for key, value in properties.items())
        lines.append(f"::{COMMANDS[d.severity]} {listed}::{_data(d.message)}")
    return "".join(line + "\n" for line in lines)


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")
