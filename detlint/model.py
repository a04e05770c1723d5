"""The few types every stage speaks: positions, diagnostics, fixes and severities."""

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


class Applicability(str, enum.Enum):
    """As ruff: a safe fix keeps what the code means and is applied by `--fix`; an unsafe fix
    may change behaviour (a naive time becomes aware, output moves to another stream) and is
    applied only with `--unsafe-fixes`."""

    SAFE = "safe"
    UNSAFE = "unsafe"


@dataclass(frozen=True, order=True)
class Edit:
    """Replace the text in `range` (end exclusive) by `content`; an empty range inserts."""

    range: Range
    content: str


@dataclass(frozen=True)
class Fix:
    """The edits that resolve one finding, all in the finding's file, applied together or not
    at all."""

    applicability: Applicability
    message: str  # what the fix does: "Replace with `workflow.time()`"
    edits: tuple[Edit, ...]

    def applies(self, unsafe: bool) -> bool:
        return self.applicability is Applicability.SAFE or unsafe


@dataclass(frozen=True)
class Diagnostic:
    code: str
    message: str
    path: Path
    range: Range
    severity: Severity
    # The chain of a finding reached through helpers: each hop's location, call site first.
    related: tuple[Location, ...] = field(default=())
    # The fix, for a finding in the file itself (a finding reached through helpers has none:
    # the edit would be in another file).
    fix: Fix | None = None

    @property
    def sort_key(self) -> tuple:
        return (str(self.path), self.range.start, self.code, self.message)
