"""Which findings the user asked to see: selection, per-file ignores, `# noqa`."""

from __future__ import annotations

from detlint.analysis.facts import ModuleFacts
from detlint.config import Settings
from detlint.model import Diagnostic
from detlint.rules.base import Rule


def is_reported(diagnostic: Diagnostic, rule: type[Rule], settings: Settings, module: ModuleFacts | None) -> bool:
    if not settings.is_enabled(diagnostic.code, rule.default_enabled):
        return False
    if settings.is_ignored_for(diagnostic.path, diagnostic.code):
        return False
    return module is None or not is_suppressed(diagnostic, module)


def is_suppressed(diagnostic: Diagnostic, module: ModuleFacts) -> bool:
    """`# noqa` silences everything on its line; `# noqa: DET101, DET1` the codes or prefixes named."""
    codes = module.noqa.get(diagnostic.range.start.line)
    if codes is None:
        return False
    return not codes or any(diagnostic.code.startswith(code) for code in codes)
