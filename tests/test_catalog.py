"""The rule catalogue agrees with the contract (rules.md) and documents every rule."""

from __future__ import annotations

import re

import pytest

from detlint.rules.base import DOC_SECTIONS, all_rules
from tests.conftest import FIXTURES, REPO

# The contract lives beside the repository (/work/shared next to /work/main); a worktree sits
# one level deeper (/work/wt/NAME), so look upwards for it.
RULES_MD = next(
    (p / "shared" / "spec" / "rules.md" for p in REPO.parents if (p / "shared" / "spec" / "rules.md").is_file()),
    REPO.parent / "shared" / "spec" / "rules.md",
)
IMPLEMENTED_FAMILIES = ("DET0", "DET1", "DET2", "DET3", "DET4", "DET5")


def contract_codes() -> dict[str, str]:
    """code -> severity, from the tables of rules.md."""
    rows = re.findall(r"^\| (DET\d{3}) \| (error|warning|info) \|", RULES_MD.read_text(), re.MULTILINE)
    return dict(rows)


def test_every_contract_code_of_the_implemented_families_is_a_rule():
    contract = {c: s for c, s in contract_codes().items() if c.startswith(IMPLEMENTED_FAMILIES)}
    implemented = {c: r.severity.value for c, r in all_rules().items() if c.startswith(IMPLEMENTED_FAMILIES)}
    assert implemented == contract


def test_no_rule_outside_the_contract():
    assert set(all_rules()) <= set(contract_codes())


@pytest.mark.parametrize("code", sorted(all_rules()))
def test_rule_is_documented_in_ruffs_sections(code):
    rule = all_rules()[code]
    doc = rule.documentation()
    positions = [doc.find(section) for section in DOC_SECTIONS]
    assert all(p >= 0 for p in positions), f"{code} lacks one of {DOC_SECTIONS}"
    assert positions == sorted(positions), f"{code}: sections out of order"
    assert re.fullmatch(r"[a-z]+(-[a-z]+)*", rule.name)
    assert rule.summary and not rule.summary.endswith(".")


@pytest.mark.parametrize("code", sorted(all_rules()))
def test_rule_has_fixtures(code):
    assert (FIXTURES / code).is_dir(), f"fixtures/{code}/ is missing"


def test_codes_are_unique_and_well_formed():
    names = [rule.name for rule in all_rules().values()]
    assert len(names) == len(set(names))


def test_rule_pages_are_up_to_date():
    from detlint.output.rule_docs import pages

    folder = REPO / "docs" / "rules"
    on_disk = {p.name: p.read_text(encoding="utf-8") for p in folder.glob("*.md")}
    assert on_disk == pages(), "run `python -m detlint.output.rule_docs docs/rules`"
