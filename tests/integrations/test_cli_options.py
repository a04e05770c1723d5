"""The CLI options the integrations rely on: `--context`, `--force-exclude`, the new formats."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.integrations import HELPERS

WORKFLOW = textwrap.dedent(
    """\
    from temporalio import workflow

    from helpers import reference


    @workflow.defn
    class Order:
        @workflow.run
        async def run(self) -> str:
            return reference()
    """
)


def detlint(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "detlint", *args]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=120)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "wf.py").write_text(WORKFLOW)
    (tmp_path / "lib").mkdir()
    (tmp_path / "helpers.py").write_text(HELPERS)
    (tmp_path / "lib" / "broken.py").write_text("def broken(:\n    pass\n")
    return tmp_path


def test_context_reads_the_helpers_and_reports_only_the_named_files(project):
    result = detlint("check", "wf.py", "--context", ".", cwd=project)
    assert result.returncode == 1, result.stderr
    assert result.stdout.splitlines() == [
        "wf.py:10:16: DET102 `uuid.uuid4()` draws a value that differs on replay "
        "(via helpers.reference() -> uuid.uuid4()); use `workflow.uuid4()`",
        "Found 1 error.",
    ]
    assert result.stderr == ""  # lib/broken.py does not parse: context, so not reported


def test_the_new_formats_are_choices(project):
    result = detlint("check", "--format", "xml", cwd=project)
    assert result.returncode == 2
    assert "'github', 'json', 'sarif', 'text'" in result.stderr
