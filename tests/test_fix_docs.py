"""Every rule's "Fix safety" section says what its fixes do: a rule whose findings carry a
fix names how safe each kind is; a rule without one says there is none. And for the rules
whose example has a fix, the fixed example is exactly the documented "Use instead"."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest

from detlint.config import SettingsResolver
from detlint.fixes.apply import fix_files
from detlint.rules.base import all_rules
from tests.test_rule_examples import BLOCK, _section

# Rules whose documented example, fixed with --unsafe-fixes, is exactly their "Use instead".
FIX_IS_THE_USE_INSTEAD = ("DET101", "DET102", "DET103", "DET112")


@pytest.fixture(scope="module")
def applicabilities(fixtures_report) -> dict[str, set[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for diagnostic in fixtures_report.diagnostics:
        if diagnostic.fix is not None:
            found[diagnostic.code].add(diagnostic.fix.applicability.value)
    return found


@pytest.mark.parametrize("code", sorted(all_rules()))
def test_fix_safety_section_matches_the_fixes(code, applicabilities):
    section = " ".join(_section(all_rules()[code].documentation(), "## Fix safety").split())
    kinds = applicabilities.get(code, set())
    if not kinds:
        assert section.startswith("No fix is offered"), f"{code} has no fix: say so"
        return
    assert not section.startswith("No fix is offered"), f"{code} has fixes: document them"
    if "safe" in kinds:
        assert re.search(r"(?<!un)safe\b", section), f"{code}: say which fixes are safe, and why"
    if "unsafe" in kinds:
        assert "unsafe" in section, f"{code}: say which fixes are unsafe, and why"


@pytest.mark.parametrize("code", FIX_IS_THE_USE_INSTEAD)
def test_the_fixed_example_is_the_use_instead(code, tmp_path):
    doc = all_rules()[code].documentation()
    example = BLOCK.findall(_section(doc, "## Example"))[0]
    use_instead = BLOCK.findall(_section(doc, "## Use instead"))[0]
    (tmp_path / "example.py").write_text(example)
    resolver = SettingsResolver(all_rules(), cwd=tmp_path, overrides={"select": ["ALL"]})
    result = fix_files([Path("example.py")], resolver, cwd=tmp_path, unsafe=True)
    assert result.fixed[Path("example.py")].decode() == use_instead
    assert result.report.diagnostics == []
