"""The flake8 plugin, run by real flake8 in a subprocess."""

from __future__ import annotations

import importlib.metadata
import json
import os
import re
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest

from tests.conftest import REPO, python_path
from tests.integrations import HELPERS

pytest.importorskip("flake8")

PLUGIN = "detlint.integrations.flake8_plugin:Plugin"
LINE = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): (?P<code>[A-Z]+\d+) (?P<message>.*)$")


def _installed() -> bool:
    """Whether flake8 finds the plugin through the package's entry point (an install of
    detlint, as CI's `pip install -e .`); otherwise the tests register it as a local plugin."""
    return any(e.name == "DET" and e.value == PLUGIN for e in importlib.metadata.entry_points(group="flake8.extension"))


def flake8(*args: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    local = "" if _installed() else f"[flake8:local-plugins]\nextension =\n    DET = {PLUGIN}\n"
    env = {**os.environ, "PYTHONPATH": python_path()}
    with tempfile.TemporaryDirectory() as folder:
        config = Path(folder) / "flake8.cfg"
        config.write_text(local)
        return subprocess.run(
            [sys.executable, "-m", "flake8", "--config", str(config), *args],
            cwd=cwd, env=env, input=stdin, capture_output=True, text=True, timeout=300,
        )  # fmt: skip


def findings(output: str) -> set[tuple[str, int, str]]:
    found = set()
    for line in output.splitlines():
        match = LINE.match(line)
        assert match, f"not a flake8 finding: {line!r}"
        found.add((Path(match["path"]).as_posix(), int(match["line"]), match["code"]))
    return found


def test_the_entry_point_is_declared():
    import tomllib

    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert project["entry-points"]["flake8.extension"] == {"DET": PLUGIN}


def test_flake8_on_the_fixtures_finds_what_detlint_check_finds(tmp_path):
    cli = subprocess.run(
        [sys.executable, "-m", "detlint", "check", "fixtures", "--select", "ALL", "--format", "json", "--exit-zero"],
        cwd=REPO, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert cli.returncode == 0, cli.stderr
    rows = json.loads(cli.stdout)
    expected = {(Path(r["filename"]).as_posix(), r["location"]["row"], r["code"]) for r in rows}
    # flake8 reports a file Python cannot parse itself (E999) and runs no plugin on it.
    unparsable = {path for path, _, code in expected if code == "DET001" and "SyntaxError" in _message(rows, path)}
    assert unparsable == {"fixtures/DET001/syntax_error.py"}

    result = flake8("--select", "DET,E999", "--detlint-select", "ALL", "fixtures", cwd=REPO)
    assert result.returncode == 1, result.stderr
    assert result.stderr == ""
    actual = findings(result.stdout)
    assert {path for path, _, code in actual if code == "E999"} == unparsable
    actual_det = {f for f in actual if f[2].startswith("DET")}
    assert actual_det == {f for f in expected if f[0] not in unparsable}
    assert len(actual_det) > 200  # every fixture folder, cross-module findings included
    assert any(path.endswith("DET102/flagged.py") and code == "DET102" for path, _, code in actual_det)


def _message(rows: list[dict], path: str) -> str:
    return " ".join(r["message"] for r in rows if Path(r["filename"]).as_posix() == path)


WORKFLOW = textwrap.dedent(
    """\
    import time

    from temporalio import workflow

    from helpers import reference


    @workflow.defn
    class Clock:
        @workflow.run
        async def run(self) -> str:
            started = time.time()
            return f"{started} {reference()}"
    """
)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "wf.py").write_text(WORKFLOW)
    (tmp_path / "helpers.py").write_text(HELPERS)
    return tmp_path


def test_a_file_named_alone_is_analysed_with_its_project(project):
    """As pre-commit's flake8 hook runs it: the helper is not named, its effect still found."""
    result = flake8("--select", "DET", "wf.py", cwd=project)
    assert findings(result.stdout) == {("wf.py", 12, "DET101"), ("wf.py", 13, "DET102")}
    assert "wf.py:12:19: DET101 `time.time()` reads the wall clock" in result.stdout


def test_stdin_is_analysed_from_flake8s_lines(project):
    edited = "# a new first line\n" + WORKFLOW.replace("time.time()", "workflow.time()")
    result = flake8("--select", "DET", "--stdin-display-name", "wf.py", "-", cwd=project, stdin=edited)
    assert findings(result.stdout) == {("wf.py", 14, "DET102")}


def test_noqa_is_flake8s(project):
    (project / "wf.py").write_text(WORKFLOW.replace("time.time()", "time.time()  # noqa: DET101"))
    assert findings(flake8("--select", "DET", "wf.py", cwd=project).stdout) == {("wf.py", 13, "DET102")}
    shown = flake8("--select", "DET", "--disable-noqa", "wf.py", cwd=project).stdout
    assert findings(shown) == {("wf.py", 12, "DET101"), ("wf.py", 13, "DET102")}


def test_the_projects_configuration_applies(project):
    (project / "pyproject.toml").write_text('[tool.detlint]\nignore = ["DET102"]\n')
    assert findings(flake8("--select", "DET", "wf.py", cwd=project).stdout) == {("wf.py", 12, "DET101")}


def test_an_explicit_select_hides_det_until_extend_select(project):
    assert flake8("--select", "E,F", "wf.py", cwd=project).stdout == ""
    shown = flake8("--select", "E,F", "--extend-select", "DET", "wf.py", cwd=project).stdout
    assert findings(shown) == {("wf.py", 12, "DET101"), ("wf.py", 13, "DET102")}


def test_a_broken_configuration_is_a_finding_not_a_crash(project):
    (project / "pyproject.toml").write_text('[tool.detlint]\nselet = ["DET1"]\n')
    result = flake8("--select", "DET", "wf.py", cwd=project)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    (line,) = result.stdout.splitlines()
    assert line.startswith("wf.py:1:1: DET001 detlint cannot run: pyproject.toml:2: [tool.detlint] unknown key 'selet'")


def test_excluded_files_are_skipped_below_a_walked_folder_and_checked_when_named(project):
    (project / "pyproject.toml").write_text('[tool.detlint]\nextend-exclude = ["generated"]\n')
    (project / "generated").mkdir()
    (project / "generated" / "wf.py").write_text(WORKFLOW.replace("from helpers import reference\n", "")
                                                 .replace(" {reference()}", ""))
    walked = findings(flake8("--select", "DET", ".", cwd=project).stdout)
    assert walked == {("wf.py", 12, "DET101"), ("wf.py", 13, "DET102")}
    named = findings(flake8("--select", "DET", "generated/wf.py", cwd=project).stdout)
    assert named == {("generated/wf.py", 11, "DET101")}
