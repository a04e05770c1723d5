"""`--fix`, `--unsafe-fixes`, `--diff`, `--show-fixes` and the summaries, as users run them,
and how fixes are applied: earliest first, edits that collide wait for the next pass."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from detlint.config import SettingsResolver
from detlint.fixes import apply as fix_apply
from detlint.fixes.apply import apply_fixes, fix_files
from detlint.model import Applicability, Edit, Fix, Position, Range
from detlint.rules.base import all_rules

WORKFLOW = textwrap.dedent(
    """\
    import time
    from datetime import datetime

    from temporalio import workflow


    @workflow.defn
    class Clock:
        @workflow.run
        async def run(self) -> str:
            started = time.time()
            print(started)
            return datetime.now().isoformat()
    """
)


def detlint(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "detlint", *args], cwd=cwd, capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "wf.py").write_text(WORKFLOW)
    return tmp_path


def test_check_says_what_fix_would_fix(project):
    result = detlint("check", cwd=project)
    assert result.stdout.splitlines()[-2:] == [
        "Found 3 errors.",
        "[*] 1 fixable with the `--fix` option (2 hidden fixes can be enabled with the `--unsafe-fixes` option).",
    ]
    unsafe = detlint("check", "--unsafe-fixes", cwd=project)
    assert unsafe.stdout.splitlines()[-1] == "[*] 3 fixable with the `--fix` option."
    assert (project / "wf.py").read_text() == WORKFLOW  # nothing written without --fix


def test_fix_applies_the_safe_fixes_and_reports_what_remains(project):
    result = detlint("check", "--fix", cwd=project)
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert [line.split(" ")[1] for line in lines[:-2]] == ["DET112", "DET101"]
    assert lines[-2:] == [
        "Found 3 errors (1 fixed, 2 remaining).",
        "No fixes available (2 hidden fixes can be enabled with the `--unsafe-fixes` option).",
    ]
    text = (project / "wf.py").read_text()
    assert "started = workflow.time()" in text and "import time" not in text
    assert "datetime.now()" in text and "print(started)" in text  # unsafe: left alone


def test_unsafe_fixes_fix_everything_and_exit_0(project):
    result = detlint("check", "--fix", "--unsafe-fixes", "--show-fixes", cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == textwrap.dedent(
        """\
        Fixed 3 errors:
        - wf.py:
            2 × DET101 (wall-clock-read)
            1 × DET112 (replay-unaware-output)

        Found 3 errors (3 fixed, 0 remaining).
        """
    )
    assert (project / "wf.py").read_text() == textwrap.dedent(
        """\
        from temporalio import workflow


        @workflow.defn
        class Clock:
            @workflow.run
            async def run(self) -> str:
                started = workflow.time()
                workflow.logger.info(started)
                return workflow.now().isoformat()
        """
    )
    again = detlint("check", "--fix", "--unsafe-fixes", cwd=project)
    assert again.returncode == 0 and again.stdout == "All checks passed!\n"


def test_diff_prints_writes_nothing_and_exits_1_when_there_are_changes(project):
    result = detlint("check", "--diff", cwd=project)
    assert result.returncode == 1
    assert result.stdout.startswith("--- wf.py\n+++ wf.py\n@@ ")
    assert "-        started = time.time()\n+        started = workflow.time()\n" in result.stdout
    assert result.stderr == "Would fix 1 error.\n"
    assert (project / "wf.py").read_text() == WORKFLOW

    (project / "wf.py").write_text(WORKFLOW.replace("started = time.time()", "started = workflow.time()"))
    nothing = detlint("check", "--diff", cwd=project)
    assert nothing.returncode == 0 and nothing.stdout == ""
    assert nothing.stderr == "No errors would be fixed (2 fixes available with `--unsafe-fixes`).\n"


def test_fix_with_json_and_statistics_reports_what_remains(project):
    rows = json.loads(detlint("check", "--fix", "--format", "json", cwd=project).stdout)
    assert [(r["code"], r["fix"]["applicability"]) for r in rows] == [("DET112", "unsafe"), ("DET101", "unsafe")]

    (project / "wf.py").write_text(WORKFLOW)
    stats = detlint("check", "--fix", "--statistics", cwd=project)
    assert stats.stdout.splitlines()[-2] == "Found 3 errors (1 fixed, 2 remaining)."
    assert "1\tDET101\t[wall-clock-read]" in stats.stdout and "1\tDET112\t" in stats.stdout


def test_noqa_and_ignored_findings_are_not_fixed(project):
    (project / "wf.py").write_text(WORKFLOW.replace("started = time.time()", "started = time.time()  # noqa: DET101"))
    result = detlint("check", "--fix", "--unsafe-fixes", "--ignore", "DET112", cwd=project)
    assert result.returncode == 0
    text = (project / "wf.py").read_text()
    assert "time.time()  # noqa: DET101" in text and "print(started)" in text
    assert "workflow.now().isoformat()" in text and "from datetime" not in text


def test_a_file_that_does_not_parse_is_left_alone(project):
    (project / "broken.py").write_text("from temporalio import workflow\ndef broken(:\n")
    result = detlint("check", "--fix", cwd=project)
    assert result.returncode == 1
    assert "broken.py:2:" in result.stdout
    assert (project / "broken.py").read_text() == "from temporalio import workflow\ndef broken(:\n"


# -- applying ----------------------------------------------------------------------------------


def _fix(*edits: tuple[int, int, int, int, str]) -> Fix:
    return Fix(
        Applicability.SAFE,
        "test",
        tuple(Edit(Range(Position(a, b), Position(c, d)), text) for a, b, c, d, text in edits),
    )


def test_fixes_that_collide_wait_and_shared_edits_count_once():
    text = "aaa\nbbb\nccc\n"
    first = _fix((1, 1, 1, 1, "# top\n"), (2, 1, 2, 4, "BBB"))
    shares_the_insertion = _fix((1, 1, 1, 1, "# top\n"), (3, 1, 3, 4, "CCC"))
    overlaps_first = _fix((2, 2, 3, 2, "x"))
    inserts_elsewhere_at_the_same_place = _fix((1, 1, 1, 1, "# other\n"), (3, 2, 3, 3, "z"))
    new, applied = apply_fixes(text, [overlaps_first, shares_the_insertion, first, inserts_elsewhere_at_the_same_place])
    assert new == "# top\naaa\nBBB\nCCC\n"
    assert applied == [first, shares_the_insertion]


def test_insertion_next_to_a_replacement_is_not_a_collision():
    text = "print(a, b)\n"
    fix = _fix((1, 1, 1, 6, "log"), (1, 7, 1, 7, '"%s %s", '))
    assert apply_fixes(text, [fix]) == ('log("%s %s", a, b)\n', [fix])


COLLIDING = textwrap.dedent(
    """\
    from random import sample, shuffle

    from temporalio import workflow


    @workflow.defn
    class Lottery:
        @workflow.run
        async def run(self, tickets: list[str]) -> list[str]:
            shuffle(tickets)
            return sample(tickets, 2)
    """
)


def test_edits_that_collide_are_applied_over_passes_and_the_passes_are_bounded(tmp_path, monkeypatch):
    """Each fix removes its own name from the shared import line: the two edits of that line
    collide, so the second fix is applied in a second pass; with one pass allowed, it remains."""
    (tmp_path / "wf.py").write_text(COLLIDING)
    resolver = SettingsResolver(all_rules(), cwd=tmp_path)

    result = fix_files([Path("wf.py")], resolver, cwd=tmp_path)
    assert result.count == 2 and result.report.diagnostics == []
    fixed = result.fixed[Path("wf.py")].decode()
    assert fixed.startswith("from temporalio import workflow\n")
    assert "workflow.random().shuffle(tickets)" in fixed and "workflow.random().sample(tickets, 2)" in fixed

    monkeypatch.setattr(fix_apply, "MAX_PASSES", 1)
    bounded = fix_files([Path("wf.py")], resolver, cwd=tmp_path)
    assert bounded.count == 1
    (left,) = bounded.report.diagnostics
    assert left.code == "DET102" and left.fix is not None
    assert bounded.fixed[Path("wf.py")].decode().startswith("from random import ")
