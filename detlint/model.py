"""The few types every stage speaks: positions, diagnostics and severities."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from pathlib import Path


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, order=True)
class Position:
    """1-based line, 1-based column (code points), as ruff and SARIF count them."""

    line: int
    column: int


@dataclass(frozen=True, order=True)
class Range:
    start: Position
    end: Position


@dataclass(frozen=True)
class Location:
    path: Path
    range: Range
    message: str = ""


@dataclass(frozen=True)
class Diagnostic:
    code: str
    message: str
    path: Path
    range: Range
    severity: Severity
    # The chain of a finding reached through helpers: each hop's location, call site first.
    related: tuple[Location, ...] = field(default=())

    @property
    def sort_key(self) -> tuple:
        return (str(self.path), self.range.start, self.code, self.message)
