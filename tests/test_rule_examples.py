"""Every rule's documented example produces exactly that rule's code; its fix produces nothing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from detlint.config import SettingsResolver
from detlint.rules.base import all_rules
from detlint.versioning.write import write_locks
from tests.conftest import run_check

BLOCK = re.compile(r"```python\n(.*?)```", re.DOTALL)
# Rules whose examples need configuration to mean anything.
CONFIG = {"DET115": 'banned-calls = { "acme.clock.now" = "use workflow.now()" }\n'}
# Rules that compare with a baseline (DET5xx): their Example shows the deployed version first
# and the change second; the change and `Use instead` are checked against a lock file written
# from the deployed version.
BASELINE = "DET5"


def _section(doc: str, heading: str) -> str:
    start = doc.index(heading) + len(heading)
    following = doc.find("\n## ", start)
    return doc[start : following if following >= 0 else None]


def _codes_for(code: str, source: str, folder: Path, deployed: str | None = None) -> list[str]:
    folder.mkdir()
    if code in CONFIG:
        (folder / "detlint.toml").write_text(CONFIG[code])
    if deployed is not None:
        (folder / "example.py").write_text(deployed)
        written = write_locks([Path("example.py")], SettingsResolver(all_rules(), cwd=folder), folder)
        assert written.errors == [] and written.files
    (folder / "example.py").write_text(source)
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
    if code.startswith(BASELINE):
        assert len(examples) == 2, f"{code}: the Example shows the deployed version, then the change"
        assert _codes_for(code, examples[1], tmp_path / "bad", deployed=examples[0]) == [code]
        return
    assert _codes_for(code, examples[0], tmp_path / "bad") == [code]


@pytest.mark.parametrize("code", sorted(all_rules()))
def test_use_instead_is_clean(code, tmp_path):
    doc = all_rules()[code].documentation()
    fixed = BLOCK.findall(_section(doc, "## Use instead"))
    assert fixed, f"{code} has no fixed example"
    deployed = BLOCK.findall(_section(doc, "## Example"))[0] if code.startswith(BASELINE) else None
    assert _codes_for(code, fixed[0], tmp_path / "good", deployed=deployed) == []
