"""Version pairs: detlint compares v2 of a workflow with v1 and reports exactly the markers.

Each folder of fixtures/versioning/ holds `v1.py` (what is deployed) and `v2.py` (the change),
defining the same workflow type; `# error: DET5xx` marks each line of v2 where a finding is
expected. Both baselines are exercised: `detlint lock` on v1 and then `detlint check` on v2 in
the same place, and `detlint check --base HEAD` in a git repository whose HEAD holds v1.
tests/integration/test_replay_oracle.py replays v1's history against v2 on a real server.
"""

from __future__ import annotations

import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from detlint.config import SettingsResolver
from detlint.engine import check
from detlint.rules.base import all_rules
from detlint.versioning import lock
from detlint.versioning.baseline import GitBaseline
from detlint.versioning.write import write_locks
from tests.conftest import FIXTURES, REPO, expected_findings

VERSIONING = FIXTURES / "versioning"
# fixtures/DET501 ... DET506: `*.py.base` are the deployed versions of the `*.py` files beside
# them, and `detlint.lock` is what `detlint lock` writes for the base files.
DET5_FOLDERS = sorted(p for p in FIXTURES.glob("DET5*") if p.is_dir())
CASES = sorted(p for p in VERSIONING.iterdir() if (p / "v1.py").is_file())
DET5 = [f"DET50{n}" for n in range(1, 7)]


def markers(case: Path) -> Counter[tuple[int, str]]:
    return Counter({(line, code): n for (_, line, code), n in expected_findings([case / "v2.py"], case).items()})


def resolver(cwd: Path, **overrides: object) -> SettingsResolver:
    return SettingsResolver(all_rules(), cwd=cwd, overrides=overrides or None)


def found(report) -> Counter[tuple[int, str]]:
    return Counter((d.range.start.line, d.code) for d in report.diagnostics)


def lock_then_check(project: Path, v1: str, v2: str, name: str = "workflows.py"):
    (project / name).write_text(v1)
    written = write_locks([Path(".")], resolver(project), project)
    assert written.errors == []
    (project / name).write_text(v2)
    return check([Path(".")], resolver(project, select=DET5), cwd=project)


def git(folder: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", "-c", "user.name=detlint", "-c", "user.email=detlint@example.invalid", *args],
        cwd=folder,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def test_there_are_at_least_twenty_pairs():
    assert len(CASES) >= 20
    assert sum(1 for case in CASES if markers(case)) >= 10
    assert sum(1 for case in CASES if not markers(case)) >= 10


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_lock_then_check_reports_exactly_the_markers(case, tmp_path):
    report = lock_then_check(tmp_path, (case / "v1.py").read_text(), (case / "v2.py").read_text())
    assert report.errors == []
    assert found(report) == markers(case), "\n".join(d.message for d in report.diagnostics)


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_base_head_reports_exactly_the_markers(case, tmp_path):
    git(tmp_path, "init", "-q")
    shutil.copy(case / "v1.py", tmp_path / "workflows.py")
    git(tmp_path, "add", "workflows.py")
    git(tmp_path, "commit", "-q", "-m", "v1")
    shutil.copy(case / "v2.py", tmp_path / "workflows.py")
    report = check([Path(".")], resolver(tmp_path, select=DET5), cwd=tmp_path, baseline=GitBaseline("HEAD", tmp_path))
    assert report.errors == []
    assert found(report) == markers(case), "\n".join(d.message for d in report.diagnostics)


def lock_of_base_files(folder: Path, work: Path) -> str:
    """What `detlint lock` writes for a fixture folder's `*.py.base` files."""
    work.mkdir()
    for base in folder.glob("*.py.base"):
        shutil.copy(base, work / base.name.removesuffix(".base"))
    written = write_locks([Path(".")], resolver(work), work)
    assert written.errors == [] and written.warnings == []
    return (work / lock.LOCK_FILE).read_text()


@pytest.mark.parametrize("folder", DET5_FOLDERS, ids=lambda p: p.name)
def test_fixture_lock_is_the_lock_of_its_base_files(folder, tmp_path):
    assert (folder / lock.LOCK_FILE).read_text() == lock_of_base_files(folder, tmp_path / "work"), (
        f"{folder.name}/detlint.lock is stale: run `python -m tests.test_versioning`"
    )


if __name__ == "__main__":  # regenerate the fixture lock files
    import tempfile

    for folder in DET5_FOLDERS:
        with tempfile.TemporaryDirectory() as scratch:
            (folder / lock.LOCK_FILE).write_text(lock_of_base_files(folder, Path(scratch) / "work"))
        print(f"wrote {(folder / lock.LOCK_FILE).relative_to(REPO)}")
