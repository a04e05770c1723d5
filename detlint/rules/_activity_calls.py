"""The shared shape of the rules that judge one activity call by its own arguments
(DET201, DET206, DET210)."""

from __future__ import annotations

from typing import ClassVar

from detlint.analysis.commands import CommandCall, activity_call
from detlint.analysis.facts import Effect, Reference
from detlint.frameworks import temporal
from detlint.rules.base import Pattern, ReferenceRule


class ActivityCallRule(ReferenceRule):
    """Calls of the twelve activity functions; `problem` says what is wrong with one, if
    anything, as (what, advice)."""

    patterns = tuple(Pattern.call(name) for name in temporal.ACTIVITY_FUNCTIONS)
    what = "{name}"
    # Skip calls whose options are spread in from an unknown `**options`.
    needs_known_options: ClassVar[bool] = True

    def problem(self, call: CommandCall) -> tuple[str, str] | None:
        raise NotImplementedError

    def effect(self, ref: Reference, pattern: Pattern) -> Effect | None:
        call = activity_call(ref)
        if call is None or (self.needs_known_options and not call.options_known):
            return None
        found = self.problem(call)
        if found is None:
            return None
        what, advice = found
        return Effect(code=self.code, what=what, advice=advice, range=ref.range, leaf=call.display)
