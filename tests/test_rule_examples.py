"""Every rule's documented example produces exactly that rule's code; its fix produces nothing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from detlint.rules.base import all_rules
from tests.conftest import run_check

BLOCK = re.compile(r"```python\n(.*?)```", re.DOTALL)
# Rules whose examples need configuration to mean anything.
CONFIG = {"DET115": 'banned-calls = { "acme.clock.now" = "use workflow.now()" }\n'}


def _section(doc: str, heading: str) -> str:
    start = doc.index(heading) + len(heading)
    following = doc.find("\n## ", start)
    return doc[start : following if following >= 0 else None]


def _codes_for(code: str, source: str, folder: Path) -> list[str]:
    folder.mkdir()
    (folder / "example.py").write_text(source)
    if code in CONFIG:
        (folder / "detlint.toml").write_text(CONFIG[code])
    report = run_check(folder / "example.py", cwd=folder, select=["ALL"])
    assert report.errors == []
    # Rules that are off by default (DET206) are opt-in: they judge their own examples only.
    rules = all_rules()
    return sorted({d.code for d in report.diagnostics if rules[d.code].default_enabled or d.code == code})


@pytest.mark.parametrize("code", sorted(all_rules()))
def test_example_is_flagged_with_its_code_only(code, tmp_path):
    doc = all_rules()[code].documentation()
    examples = BLOCK.findall(_section(doc, "## Example"))
    assert examples, f"{code} has no Python example"
    assert _codes_for(code, examples[0], tmp_path / "bad") == [code]


@pytest.mark.parametrize("code", sorted(all_rules()))
def test_use_instead_is_clean(code, tmp_path):
    doc = all_rules()[code].documentation()
    fixed = BLOCK.findall(_section(doc, "## Use instead"))
    assert fixed, f"{code} has no fixed example"
    assert _codes_for(code, fixed[0], tmp_path / "good") == []
