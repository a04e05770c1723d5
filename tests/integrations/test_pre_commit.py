"""The pre-commit hook, run by real pre-commit: the manifest is valid, and `try-repo` installs
this repository's committed HEAD as a hook and runs it in a scratch git repository."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.integrations import HELPERS

CLEAN = textwrap.dedent(
    """\
    from temporalio import workflow


    @workflow.defn
    class Clock:
        @workflow.run
        async def run(self) -> str:
            return workflow.now().isoformat()
    """
)
# The clock read is in the staged file; the fresh id is drawn in a helper that pre-commit
# does not pass (it is committed and unchanged), so only the project's facts find it.
BAD = textwrap.dedent(
    """\
    import time

    from temporalio import workflow

    from helpers import reference


    @workflow.defn
    class Clock:
        @workflow.run
        async def run(self) -> str:
            return f"{time.time()} {reference()}"
    """
)


def pre_commit(*args: str, cwd: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never"}
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )


def git(*args: str, cwd: Path) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}  # fmt: skip
    return subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def head() -> str:
    if shutil.which("git") is None or not (REPO / ".git").exists():
        pytest.skip("needs git and a git checkout of detlint")
    return git("rev-parse", "HEAD", cwd=REPO).strip()


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Shared by the runs below, so the hook's environment is built once."""
    return tmp_path_factory.mktemp("pre-commit-home")


def test_manifest_is_valid(tmp_path):
    result = pre_commit("validate-manifest", str(REPO / ".pre-commit-hooks.yaml"), cwd=tmp_path, home=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_try_repo_fails_on_a_bad_workflow_and_passes_a_clean_one(tmp_path, head, pre_commit_home):
    git("init", "-q", cwd=tmp_path)
    (tmp_path / "helpers.py").write_text(HELPERS)
    git("add", "helpers.py", cwd=tmp_path)
    git("commit", "-qm", "helpers", cwd=tmp_path)

    (tmp_path / "wf.py").write_text(BAD)
    git("add", "wf.py", cwd=tmp_path)
    bad = pre_commit("try-repo", str(REPO), "detlint", "--ref", head, "--verbose", cwd=tmp_path, home=pre_commit_home)
    output = bad.stdout + bad.stderr
    assert bad.returncode == 1, output
    assert "detlint" in output and "Failed" in output
    assert "wf.py:12:19: DET101 `time.time()` reads the wall clock" in output
    assert "wf.py:12:33: DET102 `uuid.uuid4()` draws a value that differs on replay (via helpers.reference()" in output
    assert "helpers.py:" not in output  # the helper itself is read, not reported

    (tmp_path / "wf.py").write_text(CLEAN)
    git("add", "wf.py", cwd=tmp_path)
    clean = pre_commit("try-repo", str(REPO), "detlint", "--ref", head, "--verbose", cwd=tmp_path, home=pre_commit_home)
    output = clean.stdout + clean.stderr
    assert clean.returncode == 0, output
    assert "Passed" in output


def test_try_repo_fix_hook_fixes_the_file_then_passes(tmp_path, head, pre_commit_home):
    """`detlint-fix` writes the safe fixes; pre-commit fails the run because the hook changed a
    file, and the next run, with the fixes staged, passes."""
    git("init", "-q", cwd=tmp_path)
    (tmp_path / "wf.py").write_text(BAD.replace("from helpers import reference\n\n", "").replace(" {reference()}", ""))
    git("add", "wf.py", cwd=tmp_path)
    first = pre_commit("try-repo", str(REPO), "detlint-fix", "--ref", head, "--verbose", cwd=tmp_path, home=pre_commit_home)
    output = first.stdout + first.stderr
    assert first.returncode == 1, output
    assert "files were modified by this hook" in output
    assert "Found 1 error (1 fixed, 0 remaining)." in output
    fixed = (tmp_path / "wf.py").read_text()
    assert "workflow.time()" in fixed and "import time" not in fixed

    git("add", "wf.py", cwd=tmp_path)
    second = pre_commit("try-repo", str(REPO), "detlint-fix", "--ref", head, "--verbose", cwd=tmp_path, home=pre_commit_home)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "Passed" in second.stdout


def test_force_exclude_keeps_excluded_files_out_when_named(tmp_path):
    """What the hook's `--force-exclude` does, through the CLI the hook runs."""
    (tmp_path / "pyproject.toml").write_text('[tool.detlint]\nextend-exclude = ["generated"]\n')
    (tmp_path / "generated").mkdir()
    (tmp_path / "generated" / "wf.py").write_text(BAD.replace("from helpers import reference\n", ""))
    named = [sys.executable, "-m", "detlint", "check", "generated/wf.py"]
    assert subprocess.run(named, cwd=tmp_path, capture_output=True, text=True).returncode == 1
    forced = subprocess.run([*named, "--force-exclude"], cwd=tmp_path, capture_output=True, text=True)
    assert forced.returncode == 0, forced.stdout
    assert forced.stdout.strip() == "All checks passed!"
