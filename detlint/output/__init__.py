"""Formatters: pure functions of the diagnostics (and rule metadata) to text."""

from __future__ import annotations

from typing import Callable, Sequence

from detlint.model import Diagnostic
from detlint.output import github, json_format, sarif, text

Formatter = Callable[[Sequence[Diagnostic]], str]

FORMATTERS: dict[str, Formatter] = {
    "text": text.format_text,
    "json": json_format.format_json,
    "sarif": sarif.format_sarif,
    "github": github.format_github,
}
