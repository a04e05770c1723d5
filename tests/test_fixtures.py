"""`detlint check fixtures/` reports every expected finding and no other.

Expectations are written in the fixtures themselves: a trailing `# error: DET101` on the line
where the finding is reported. A line without one must produce nothing.
"""

from __future__ import annotations

from collections import Counter

import pytest

from detlint.rules.base import all_rules
from tests.conftest import FIXTURES, REPO, expected_findings

# One folder per rule code, and `reach/`: packages whose workflows reach effects through
# helpers in other modules (chains, aliases, re-exports, inheritance, cycles, src layouts).
FIXTURE_FOLDERS = sorted(p for p in FIXTURES.iterdir() if p.is_dir() and (p.name.startswith("DET") or p.name == "reach"))


def _actual(report, folder) -> Counter[tuple[str, int, str]]:
    """Findings in `folder`. A rule that is off by default (DET206) is opt-in: the fixtures
    run with ALL, but its findings count only in its own folder."""
    rules = all_rules()
    return Counter(
        (d.path.as_posix(), d.range.start.line, d.code)
        for d in report.diagnostics
        if (REPO / d.path).is_relative_to(folder) and (rules[d.code].default_enabled or d.code == folder.name)
    )


@pytest.mark.parametrize("folder", FIXTURE_FOLDERS, ids=lambda p: p.name)
def test_fixture_folder_reports_exactly_its_markers(fixtures_report, folder):
    expected = expected_findings(sorted(folder.rglob("*.py")), REPO)
    actual = _actual(fixtures_report, folder)
    missing = expected - actual
    unexpected = actual - expected
    assert not missing and not unexpected, f"missing: {sorted(missing)}\nunexpected: {sorted(unexpected)}"


def test_every_fixture_folder_has_findings_and_lookalikes():
    for folder in FIXTURE_FOLDERS:
        files = sorted(folder.rglob("*.py"))
        marked = [f for f in files if expected_findings([f], REPO)]
        clean = [f for f in files if f.name != "__init__.py" and not expected_findings([f], REPO)]
        assert marked, f"{folder.name} has no file that must be flagged"
        if folder.name != "DET001":
            assert clean, f"{folder.name} has no look-alikes that must not be flagged"


def test_fixture_run_has_no_internal_errors(fixtures_report):
    assert fixtures_report.errors == []
