"""The versioning rules (DET501-DET506) share one comparison per check.

They run only when there is a baseline: a `detlint.lock` governing the analysed files, or
`detlint check --base REV`. The comparison itself lives in detlint/versioning/.
"""

from __future__ import annotations

import weakref
from pathlib import Path
from typing import Callable, Iterable

from detlint.analysis.facts import ModuleFacts
from detlint.analysis.index import ProjectIndex
from detlint.model import Diagnostic, Position, Range
from detlint.rules.base import ProjectRule, Role
from detlint.versioning.baseline import Baseline, differences
from detlint.versioning.compare import Difference

_RESULTS: weakref.WeakKeyDictionary[ProjectIndex, list[tuple[Path, Difference]]] = weakref.WeakKeyDictionary()


class VersioningRule(ProjectRule):
    """Reports the differences of its own code."""

    role = Role.WORKFLOW

    def check(self, index: ProjectIndex, settings_of: Callable[[ModuleFacts], object]) -> Iterable[Diagnostic]:
        baseline = index.baseline
        if not isinstance(baseline, Baseline):
            return
        if index not in _RESULTS:
            _RESULTS[index] = differences(index, settings_of, baseline)
        for path, difference in _RESULTS[index]:
            if difference.code == self.code:
                at = Position(difference.line, difference.column)
                yield Diagnostic(self.code, difference.message, path, Range(at, at), self.severity)
