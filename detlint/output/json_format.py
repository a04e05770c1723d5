"""ruff's JSON shape: a list of findings with 1-based rows and columns."""

from __future__ import annotations

import json
from typing import Sequence

from detlint import rule_url
from detlint.model import Diagnostic, Fix, Location, Position
from detlint.rules.base import all_rules


def format_json(diagnostics: Sequence[Diagnostic]) -> str:
    rules = all_rules()
    rows = [
        {
            "code": d.code,
            "name": rules[d.code].name,
            "message": d.message,
            "severity": d.severity.value,
            "filename": str(d.path),
            "location": _position(d.range.start),
            "end_location": _position(d.range.end),
            "fix": _fix(d.fix),
            "url": rule_url(d.code),
            "noqa_row": d.range.start.line,
            "related": [_location(r) for r in d.related],
        }
        for d in diagnostics
    ]
    return json.dumps(rows, indent=2) + "\n"


def _position(position: Position) -> dict[str, int]:
    return {"row": position.line, "column": position.column}


def _fix(fix: Fix | None) -> dict[str, object] | None:
    """ruff's shape: the applicability, what the fix does, and its edits."""
    if fix is None:
        return None
    return {
        "applicability": fix.applicability.value,
        "message": fix.message,
        "edits": [
            {"content": e.content, "location": _position(e.range.start), "end_location": _position(e.range.end)}
            for e in fix.edits
        ],
    }


def _location(location: Location) -> dict[str, object]:
    return {
        "filename": str(location.path),
        "location": _position(location.range.start),
        "end_location": _position(location.range.end),
        "message": location.message,
    }
