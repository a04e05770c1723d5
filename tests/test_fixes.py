"""Fixes, checked over every fixable finding of the fixtures.

For each finding that has a fix (safe or unsafe), the fix alone is applied to the file's text,
in memory, and the file is checked again with the rest of the fixtures around it:

* the fixed file still parses;
* the finding is gone from its place, and applying fixes again changes nothing there;
* every other finding of the file is still there, moved with the edits, and none appears.

Then every fix at once, as `detlint check --fix --unsafe-fixes` applies them to a copy of the
fixtures on disk: each applied fix removes exactly its finding, and a second run fixes nothing.
"""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from detlint.config import SettingsResolver
from detlint.engine import FactsCache, check
from detlint.fixes.apply import apply_fixes, decode, line_starts, offset
from detlint.model import Diagnostic, Edit, Position
from detlint.rules.base import all_rules
from tests.conftest import FIXTURES, REPO
from tests.test_fixtures import FIXTURE_FOLDERS

FIXABLE_CODES = {"DET101", "DET102", "DET103", "DET109", "DET112", "DET209", "DET406"}


@pytest.fixture(scope="module")
def relint():
    """Check one fixtures file with the given text, the other fixtures read from disk."""
    resolver = SettingsResolver(all_rules(), cwd=REPO, overrides={"select": ["ALL"]})
    cache = FactsCache()

    def run(path: Path, text: bytes) -> list[Diagnostic]:
        report = check([path], resolver, cwd=REPO, sources={path: text}, facts_cache=cache)
        assert report.errors == []
        return [d for d in report.diagnostics if d.path == path]

    return run


def _moved(position: Position, edits: list[Edit], old: str, new: str, *, edited: bool = False) -> Position | None:
    """Where a position of the old text is in the new one: None when an edit replaced the
    text there, unless `edited` (then: where the replacement starts). Text inserted exactly at
    the position pushes it right (`await ` before a call moves the call)."""
    old_starts, new_starts = line_starts(old), line_starts(new)
    at = offset(position, old_starts, len(old))
    shift = 0
    for edit in edits:
        start, end = offset(edit.range.start, old_starts, len(old)), offset(edit.range.end, old_starts, len(old))
        if start < at < end or (start == at and start < end):
            if edited:
                continue
            return None
        if end <= at:
            shift += len(edit.content) - (end - start)
    moved = at + shift
    line = max(i for i, s in enumerate(new_starts) if s <= moved)
    return Position(line + 1, moved - new_starts[line] + 1)


@pytest.mark.parametrize("folder", FIXTURE_FOLDERS, ids=lambda p: p.name)
def test_each_fix_alone_removes_its_finding_and_nothing_else(fixtures_report, relint, folder):
    fixable = [d for d in fixtures_report.diagnostics if d.fix is not None and (REPO / d.path).is_relative_to(folder)]
    for diagnostic in fixable:
        where = f"{diagnostic.path}:{diagnostic.range.start.line} {diagnostic.code}"
        assert diagnostic.fix is not None and not diagnostic.related, f"{where}: a fix through helpers"
        original, encoding = decode((REPO / diagnostic.path).read_bytes())
        fixed, applied = apply_fixes(original, [diagnostic.fix])
        assert applied == [diagnostic.fix], f"{where}: its own edits collide"
        ast.parse(fixed)  # parsing only: never compiled to run

        before = [d for d in fixtures_report.diagnostics if d.path == diagnostic.path and d != diagnostic]
        edits = sorted(diagnostic.fix.edits)
        expected = Counter((d.code, _moved(d.range.start, edits, original, fixed)) for d in before)
        after = relint(diagnostic.path, fixed.encode(encoding))
        actual = Counter((d.code, d.range.start) for d in after)
        assert not actual - expected, f"{where}: new findings {sorted(actual - expected)}"
        assert not expected - actual, f"{where}: findings lost {sorted(expected - actual)}"

        site = _moved(diagnostic.range.start, edits, original, fixed, edited=True)
        again = [d for d in after if d.code == diagnostic.code and d.fix is not None and d.range.start == site]
        assert not again, f"{where}: fixing again would change {again}"


def test_the_fixtures_exercise_every_fix(fixtures_report):
    fixes = Counter((d.code, d.fix.applicability.value) for d in fixtures_report.diagnostics if d.fix is not None)
    assert {code for code, _ in fixes} == FIXABLE_CODES
    assert {(c, a) for c, a in fixes} >= {
        ("DET101", "safe"),
        ("DET101", "unsafe"),
        ("DET102", "safe"),
        ("DET103", "unsafe"),
        ("DET109", "safe"),
        ("DET109", "unsafe"),
        ("DET112", "unsafe"),
        ("DET209", "unsafe"),
        ("DET406", "unsafe"),
    }
    messages = {d.fix.message for d in fixtures_report.diagnostics if d.fix is not None}
    for replacement in ("time()", "time_ns()", "uuid4()", "now()", "random().choice()", "logger.info()", "wait()"):
        assert f"Replace with `workflow.{replacement}`" in messages or any(replacement in m for m in messages)


def test_no_fix_where_the_edit_would_be_in_another_file_or_at_import_time(fixtures_report):
    for diagnostic in fixtures_report.diagnostics:
        if diagnostic.related or diagnostic.path.name == "module_level.py":
            assert diagnostic.fix is None, diagnostic


def test_no_randomness_fix_in_queries_and_validators(fixtures_report):
    """`workflow.random()` changes the workflow's state, which a query or a validator must
    not: the draws there keep their finding and get no fix; the others do."""
    path = Path("fixtures/DET102/handlers.py")
    lines = (REPO / path).read_text().splitlines()
    fixes = {
        lines[d.range.start.line - 1].strip(): d.fix is not None
        for d in fixtures_report.diagnostics
        if d.path == path and d.code == "DET102"
    }
    assert fixes == {
        "self.tickets.append(str(uuid.uuid4()))  # error: DET102": True,  # signal
        "return random.choice(self.tickets)  # error: DET102": False,  # query
        "return random.randint(0, len(self.tickets))  # error: DET102": True,  # update
        "if random.random() < 0.0:  # error: DET102": False,  # validator
    }


def detlint(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "detlint", *args], cwd=cwd, capture_output=True, text=True, timeout=600
    )


def test_fix_every_fixture_on_a_copy_then_again(tmp_path, fixtures_report):
    shutil.copytree(FIXTURES, tmp_path / "fixtures")
    originals = {p: p.read_bytes() for p in (tmp_path / "fixtures").rglob("*.py")}
    fixable = [d for d in fixtures_report.diagnostics if d.fix is not None]

    first = detlint("check", "fixtures", "--select", "ALL", "--fix", "--unsafe-fixes", "--statistics", cwd=tmp_path)
    assert first.returncode == 1, first.stderr  # findings without fixes remain
    total = len(fixtures_report.diagnostics)
    remaining = total - len(fixable)
    assert f"Found {total} errors ({len(fixable)} fixed, {remaining} remaining)." in first.stdout
    assert "fixable with the `--fix` option" not in first.stdout and "hidden fix" not in first.stdout

    changed = {p for p, text in originals.items() if p.read_bytes() != text}
    assert {p.relative_to(tmp_path).as_posix() for p in changed} == {d.path.as_posix() for d in fixable}
    for path in changed:
        ast.parse(path.read_bytes())

    # Every finding that remains was there before (the same code and message, lines moved).
    after = detlint("check", "fixtures", "--select", "ALL", "--format", "json", cwd=tmp_path)
    rows = json.loads(after.stdout)
    assert not any(row["fix"] for row in rows)
    before = Counter((d.path.as_posix(), d.code, d.message) for d in fixtures_report.diagnostics if d.fix is None)
    assert Counter((r["filename"], r["code"], r["message"]) for r in rows) == before

    snapshot = {p: p.read_bytes() for p in changed}
    second = detlint("check", "fixtures", "--select", "ALL", "--fix", "--unsafe-fixes", "--diff", cwd=tmp_path)
    assert second.returncode == 0 and second.stdout == "", second.stdout
    assert {p: p.read_bytes() for p in changed} == snapshot
