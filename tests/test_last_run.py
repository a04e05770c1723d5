"""A check that nothing could have changed prints its last output again (detlint/last_run.py):
without loading the engine, and never when anything it read or ran has changed."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from detlint import last_run
from detlint.last_run import Outcome, Recording
from tests.conftest import python_path

# `main` runs in a fresh interpreter, which then says whether the engine was loaded.
PROBE = (
    "import sys\n"
    "sys.path.pop(0)\n"  # not the project folder: as `python -m detlint`
    "from detlint.cli import main\n"
    "code = main(sys.argv[1:])\n"
    "sys.stderr.write(f'ENGINE={\"detlint.engine\" in sys.modules}')\n"
    "sys.exit(code)\n"
)

WORKFLOW = textwrap.dedent(
    """\
    import time

    from temporalio import workflow

    from helpers import stamp


    @workflow.defn
    class Clock:
        @workflow.run
        async def run(self) -> float:
            started = time.time()
            stamp.mark()
            return started
    """
)


def detlint(project: Path, *args: str, **environment: str) -> tuple[int, str, str, bool]:
    """Exit code, stdout, stderr, and whether the engine ran."""
    env = {**os.environ, "PYTHONPATH": python_path(), "XDG_CACHE_HOME": str(project.parent.parent / "user-cache"), **environment}
    result = subprocess.run(
        [sys.executable, "-c", PROBE, "check", *args], cwd=project, env=env, capture_output=True, text=True, timeout=120
    )
    stderr, _, engine = result.stderr.rpartition("ENGINE=")
    assert engine in ("True", "False"), result.stderr
    return result.returncode, result.stdout, stderr, engine == "True"


def records(project: Path) -> list[Path]:
    folder = project.parent.parent / "user-cache" / "detlint" / "runs"
    return sorted(folder.iterdir()) if folder.is_dir() else []


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "user-cache").mkdir()
    root = tmp_path / "outer" / "project"
    (root / "helpers").mkdir(parents=True)
    (root / "helpers" / "__init__.py").write_text("")
    (root / "helpers" / "stamp.py").write_text("def mark() -> None:\n    pass\n")
    (root / "wf.py").write_text(WORKFLOW)
    (root / "broken.py").write_text("from temporalio import workflow\ndef (:\n")
    (root / ".gitignore").write_text("# nothing yet\n")
    return root


def test_an_unchanged_check_prints_its_last_output_without_the_engine(project):
    arguments = (".", "missing.py", "--format", "json")
    first = detlint(project, *arguments)
    assert first[3] and first[0] == 2  # a path that does not exist: exit 2, said on stderr
    assert "missing.py" in first[2] and "DET101" in first[1] and "DET001" in first[1]
    again = detlint(project, *arguments)
    assert again == (*first[:3], False)
    assert detlint(project, *arguments, "--no-cache")[:3] == first[:3]
    assert len(records(project)) == 1


def _same_size_same_time_edit(project: Path) -> dict[str, str]:
    # Neither the size nor the modification time changes: the change time still does.
    path = project / "wf.py"
    before = path.stat()
    path.write_text(WORKFLOW.replace("time.time()", "float(1.00)"))
    assert path.stat().st_size == before.st_size
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    return {}


def _helper_module_changes(project: Path) -> dict[str, str]:
    (project / "helpers" / "stamp.py").write_text("import random\n\ndef mark() -> float:\n    return random.random()\n")
    return {}


def _new_module_appears(project: Path) -> dict[str, str]:
    (project / "helpers" / "stamp.py").unlink()
    (project / "helpers" / "stamp").mkdir()
    (project / "helpers" / "stamp" / "__init__.py").write_text("import uuid\n\ndef mark():\n    return uuid.uuid4()\n")
    return {}


def _config_appears_above(project: Path) -> dict[str, str]:
    (project.parent / "detlint.toml").write_text('ignore = ["DET101"]\n')
    return {}


def _git_ignores_a_file(project: Path) -> dict[str, str]:
    (project / ".gitignore").write_text("wf.py\n")  # in place: its folder does not change
    return {}


def _file_deleted(project: Path) -> dict[str, str]:
    (project / "broken.py").unlink()
    return {}


def _docs_mirror(project: Path) -> dict[str, str]:
    return {"DETLINT_DOCS_URL": "https://docs.example.com/detlint/"}


@pytest.mark.parametrize(
    "change",
    [
        _same_size_same_time_edit,
        _helper_module_changes,
        _new_module_appears,
        _config_appears_above,
        _git_ignores_a_file,
        _file_deleted,
        _docs_mirror,
    ],
)
def test_any_change_is_seen(project, change):
    if shutil.which("git") is None:
        pytest.skip("needs git")  # pragma: no cover - git is installed wherever CI runs
    subprocess.run(["git", "init", "-q"], cwd=project, check=True)
    detlint(project, "--format", "json")
    before = detlint(project, "--format", "json")
    assert detlint(project, "--format", "json")[3] is False  # the record is there
    environment = change(project)
    after = detlint(project, "--format", "json", **environment)
    assert after[3], "a changed input must run the engine again"
    assert after[:3] != before[:3]
    assert after[:3] == detlint(project, "--format", "json", "--no-cache", **environment)[:3]


@pytest.mark.parametrize(
    "args", [["--no-cache"], ["--fix"], ["--diff"], ["--output-file", "report.txt"], ["--base", "HEAD"]]
)
def test_checks_that_write_files_or_read_git_history_keep_no_record(project, args):
    subprocess.run(["git", "init", "-q"], cwd=project, check=True)
    for _ in range(3):
        assert detlint(project, *args)[3]
    assert records(project) == []


def in_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A project folder, with the user's cache outside it (where it always is)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    (tmp_path / "user-cache").mkdir()
    (tmp_path / "project").mkdir()
    monkeypatch.chdir(tmp_path / "project")


def test_a_file_edited_during_the_run_leaves_no_record(tmp_path, monkeypatch):
    in_project(tmp_path, monkeypatch)
    source = tmp_path / "project" / "wf.py"
    source.write_text("x = 1\n")
    argv = ["check", "wf.py"]
    for edited in (True, False):
        with Recording(argv) as recording:
            source.read_text()
        if edited:
            source.write_text("x = 2\n")
        recording.save(Outcome(1, [(False, "wf.py: a finding\n")]))
        assert (last_run.replay(argv) is None) is edited


def test_a_command_run_without_declaring_it_leaves_no_record(tmp_path, monkeypatch):
    in_project(tmp_path, monkeypatch)
    with Recording(["check"]) as recording:
        subprocess.run([sys.executable, "-c", "pass"], check=True)
    recording.save(Outcome())
    assert last_run.replay(["check"]) is None
    with Recording(["check"]) as recording:
        last_run.run_command([sys.executable, "-c", "print('answer')"], tmp_path)
    recording.save(Outcome())
    assert last_run.replay(["check"]) == 0


def test_only_the_newest_records_are_kept(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    monkeypatch.setattr(last_run, "KEPT_RECORDS", 3)
    monkeypatch.chdir(tmp_path)
    for number in range(5):
        with Recording(["check", str(number)]) as recording:
            pass
        recording.save(Outcome())
        os.utime(recording.target, ns=(number, number))
    kept = [number for number in range(5) if last_run.replay(["check", str(number)]) is not None]
    assert len(list((tmp_path / "user-cache" / "detlint" / "runs").iterdir())) == 3
    assert kept[-1] == 4


def test_a_record_that_is_not_detlints_is_ignored(project):
    detlint(project)
    first = detlint(project)
    [record] = records(project)
    malformed = {"code": 0, "printed": [], "files": [["wf.py"]], "kinds": [], "commands": []}
    for junk in ("not json", json.dumps({"files": "x"}), json.dumps([1, 2]), json.dumps(malformed)):
        record.write_text(junk)
        assert detlint(project)[:3] == first[:3]


# Where detlint asks about a path without reading it, outside a check's record, on purpose.
NOT_PART_OF_A_CHECK = {
    "last_run.py",  # the questions' one door
    "identity.py",  # detlint's own files: the code fingerprint
    "cache.py",  # the facts cache: its entries are keyed by what they were made from
    "scaffold.py",  # `detlint new`
    "versioning/write.py",  # `detlint lock`
    "output/rule_docs.py",  # documentation generators
    "output/config_docs.py",
}
# Not `is_symlink`: a file's stamp is taken through its links, so a file that becomes or stops
# being a link changes it.
PATH_QUESTIONS = {"is_file", "is_dir", "exists", "lexists", "isfile", "isdir", "stat", "lstat", "access"}


def test_every_question_a_check_asks_about_a_path_is_recorded():
    """Audit hooks see files opened and folders listed, not `stat`: a check must ask whether
    a path exists through last_run.kind_of, or an identical later check could replay a result
    that the path's appearing or going has changed."""
    import ast

    package = Path(last_run.__file__).parent
    asked = []
    for source in sorted(package.rglob("*.py")):
        name = source.relative_to(package).as_posix()
        if name in NOT_PART_OF_A_CHECK or name.startswith(("integrations/", "templates/", "rules/det")):
            continue
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in PATH_QUESTIONS:
                receiver = ast.unparse(node.func.value)
                if receiver != "last_run" and not receiver.endswith("entry"):  # scandir entries: their folder was listed
                    asked.append(f"{name}:{node.lineno}: {ast.unparse(node)}")
    assert asked == []


def test_a_user_without_a_home_folder_is_checked_without_records(tmp_path, monkeypatch, capsys):
    """A container user with no home folder and no XDG_CACHE_HOME: nothing to keep records
    (or the cache's key) in, and the check runs all the same."""
    from detlint.cli import main

    (tmp_path / "wf.py").write_text(WORKFLOW)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("XDG_CACHE_HOME")

    def no_home() -> Path:
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.setattr(Path, "home", staticmethod(no_home))
    for _ in range(2):
        assert main(["check", "--format", "json", "."]) == 1
        assert "DET101" in capsys.readouterr().out
