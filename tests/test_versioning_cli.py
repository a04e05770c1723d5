"""`detlint lock`, detlint.lock and `detlint check --base REV` as users run them: a real
subprocess, real files, a real git repository."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from detlint.config import SettingsResolver
from detlint.engine import check
from detlint.rules.base import all_rules
from detlint.versioning import lock
from detlint.versioning.baseline import LockBaseline
from detlint.versioning.resolve import Resolver, by_type, strip_positions, workflow_decorators

V1 = textwrap.dedent(
    """\
    from datetime import timedelta

    from temporalio import activity, workflow

    TIMEOUT = timedelta(minutes=5)


    @activity.defn
    async def charge(order: str) -> None:
        return None


    @activity.defn
    async def ship(order: str) -> None:
        return None


    @workflow.defn
    class Orders:
        @workflow.run
        async def run(self, order: str) -> None:
            await workflow.execute_activity(charge, order, schedule_to_close_timeout=TIMEOUT)
            await workflow.execute_activity(ship, order, schedule_to_close_timeout=TIMEOUT)
    """
)
# The same workflow with a timer between the activities (line 23).
V2 = V1.replace(
    "        await workflow.execute_activity(ship",
    "        await workflow.sleep(timedelta(hours=1))\n        await workflow.execute_activity(ship",
)
FINDING = (
    "wf.py:23:15: DET501 a timer inserted before 'ship' at position 2; "
    'guard it with workflow.patched("...") or start a new workflow type'
)


def detlint(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "detlint", *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=120, env=env
    )


def git(folder: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=detlint", "-c", "user.email=detlint@example.invalid", *args],
        cwd=folder,
        capture_output=True,
        check=True,
    )


def one_line_error(result: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("detlint: error: "), result.stderr
    for fragment in fragments:
        assert fragment in lines[0]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "wf.py").write_text(V1)
    return tmp_path


# -- detlint lock and detlint.lock ---------------------------------------------------------------


def test_lock_then_check_finds_the_change(project):
    locked = detlint("lock", cwd=project)
    assert locked.returncode == 0, locked.stderr
    assert locked.stdout == "wrote detlint.lock (1 workflow type)\n"
    assert detlint("check", cwd=project).returncode == 0
    (project / "wf.py").write_text(V2)
    result = detlint("check", cwd=project)
    assert result.returncode == 1, result.stderr
    assert result.stdout.splitlines()[0] == FINDING


def test_lock_without_workflows_writes_nothing(tmp_path):
    (tmp_path / "util.py").write_text("def helper() -> int:\n    return 1\n")
    result = detlint("lock", cwd=tmp_path)
    assert result.returncode == 0 and result.stdout == ""
    assert "no workflow found" in result.stderr
    assert not (tmp_path / "detlint.lock").exists()


def test_the_lock_file_round_trips(project):
    assert detlint("lock", cwd=project).returncode == 0
    text = (project / "detlint.lock").read_text()
    document = json.loads(text)
    assert document["version"] == lock.FORMAT_VERSION
    assert list(document["workflows"]) == ["Orders"]
    # What detlint reads back is what the code says today, without positions...
    resolver = SettingsResolver(all_rules(), cwd=project)
    report = check([Path(".")], resolver, cwd=project)
    module = report.index.modules[0]
    decorators = workflow_decorators(resolver.for_path(project / "wf.py"))
    today = strip_positions(by_type(Resolver(report.index).workflows(module, decorators)))
    assert lock.read(project / "detlint.lock") == today
    # ... the text is stable: writing it again, or rendering what was read, changes nothing.
    assert lock.render(lock.read(project / "detlint.lock")) == text
    assert detlint("lock", cwd=project).returncode == 0
    assert (project / "detlint.lock").read_text() == text
    # One command per line, so a change reads as a small diff.
    assert '      "commands": [\n        {"op": "activity", "type": "charge"},\n' in text


def test_the_sample_in_the_guide_is_a_lock_file_as_detlint_writes_it():
    guide = (Path(__file__).resolve().parents[1] / "docs" / "versioning.md").read_text()
    sample = guide.split("```json\n", 1)[1].split("```", 1)[0]
    assert lock.render(lock.parse(json.loads(sample), Path("docs/versioning.md"))) == sample


def test_lock_keeps_the_entries_of_files_it_did_not_read_and_drops_deleted_ones(project):
    (project / "other.py").write_text(V1.replace("class Orders", "class Returns"))
    (project / "gone.py").write_text(V1.replace("class Orders", "class Legacy"))
    assert detlint("lock", cwd=project).returncode == 0
    assert set(json.loads((project / "detlint.lock").read_text())["workflows"]) == {"Orders", "Returns", "Legacy"}
    (project / "gone.py").unlink()
    (project / "wf.py").write_text(V2)
    assert detlint("lock", "wf.py", cwd=project).returncode == 0
    workflows = json.loads((project / "detlint.lock").read_text())["workflows"]
    assert set(workflows) == {"Orders", "Returns"}
    assert {"op": "sleep", "timer": True} in workflows["Orders"]["commands"]


def test_a_sub_project_has_its_own_lock_file(project):
    sub = project / "billing"
    sub.mkdir()
    (sub / "wf.py").write_text(V1)  # the same type name, in another project
    (sub / "detlint.lock").write_text('{"version": 1, "workflows": {}}\n')
    assert detlint("lock", cwd=project).returncode == 0
    assert json.loads((sub / "detlint.lock").read_text())["workflows"]["Orders"]["path"] == "wf.py"
    assert json.loads((project / "detlint.lock").read_text())["workflows"]["Orders"]["path"] == "wf.py"
    (sub / "wf.py").write_text(V2)
    result = detlint("check", cwd=project)
    assert result.returncode == 1
    assert result.stdout.splitlines()[0] == "billing/" + FINDING


def test_the_lock_of_a_linked_file_is_the_one_beside_its_target(tmp_path):
    for folder in ("real", "links", "links/sub"):
        (tmp_path / folder).mkdir()
    (tmp_path / "real" / "wf.py").write_text(V1)
    (tmp_path / "real" / lock.LOCK_FILE).write_text('{"version": 1, "workflows": {}}\n')
    (tmp_path / "links" / "wf.py").symlink_to(tmp_path / "real" / "wf.py")
    (tmp_path / "links" / "sub" / "helper.py").write_text("")
    baseline = LockBaseline(SettingsResolver(all_rules(), cwd=tmp_path), tmp_path)
    assert baseline.lock_for(Path("links/wf.py")) == (tmp_path / "real" / lock.LOCK_FILE).resolve()
    assert baseline.lock_for(Path("links/sub/helper.py")) is None
    (tmp_path / "links" / lock.LOCK_FILE).write_text('{"version": 1, "workflows": {}}\n')
    fresh = LockBaseline(SettingsResolver(all_rules(), cwd=tmp_path), tmp_path)
    assert fresh.lock_for(Path("links/sub/helper.py")) == (tmp_path / "links" / lock.LOCK_FILE).resolve()
    assert fresh.lock_for(Path("links/wf.py")) == (tmp_path / "real" / lock.LOCK_FILE).resolve()


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("{not json", "detlint.lock:1: the lock file is not valid JSON"),
        ('{"version": 9, "workflows": {}}', "format version 9, newer than this detlint reads (1); upgrade detlint"),
        ("[1, 2]", "not a detlint lock file"),
        ('{"version": 1, "workflows": {"Orders": {"path": "wf.py"}}}', "workflow 'Orders': no \"run\" signature"),
        (
            '{"version": 1, "workflows": {"Orders": {"path": "wf.py", "run": {"params": []}, "commands": [{"op": 3}]}}}',
            "malformed commands",
        ),
    ],
    ids=["not-json", "newer-format", "not-a-lock", "no-signature", "bad-command"],
)
def test_a_lock_file_that_cannot_be_trusted_stops_the_run(project, content, fragment):
    (project / "detlint.lock").write_text(content)
    one_line_error(detlint("check", cwd=project), fragment)
    one_line_error(detlint("lock", cwd=project), fragment)


def test_a_file_that_does_not_parse_keeps_its_entries(project):
    assert detlint("lock", cwd=project).returncode == 0
    (project / "wf.py").write_text("from temporalio import workflow\n\nclass Broken(:\n")
    result = detlint("lock", cwd=project)
    assert result.returncode == 0
    assert "wf.py does not parse: its entries in the lock file are kept" in result.stderr
    assert "Orders" in json.loads((project / "detlint.lock").read_text())["workflows"]


# -- check --base REV ------------------------------------------------------------------------------


@pytest.fixture
def repository(project: Path) -> Path:
    git(project, "init", "-q")
    git(project, "add", "wf.py")
    git(project, "commit", "-q", "-m", "v1")
    return project


def test_base_head_compares_with_the_committed_file(repository):
    assert detlint("check", "--base", "HEAD", cwd=repository).returncode == 0
    (repository / "wf.py").write_text(V2)
    result = detlint("check", "--base", "HEAD", cwd=repository)
    assert result.returncode == 1, result.stderr
    assert result.stdout.splitlines()[0] == FINDING
    # Nothing was checked out: the working file is still the new version.
    assert (repository / "wf.py").read_text() == V2


def test_base_wins_over_a_lock_file(repository):
    (repository / "wf.py").write_text(V2)
    assert detlint("lock", cwd=repository).returncode == 0  # the lock already knows the timer
    assert detlint("check", cwd=repository).returncode == 0
    assert detlint("check", "--base", "HEAD", cwd=repository).returncode == 1


def test_base_an_older_revision_from_a_subfolder(repository):
    (repository / "wf.py").write_text(V2)
    git(repository, "commit", "-q", "-am", "v2")
    sub = repository / "docs"
    sub.mkdir()
    result = detlint("check", "--base", "HEAD~1", "..", cwd=sub)
    assert result.returncode == 1, result.stderr
    assert result.stdout.splitlines()[0].endswith("/" + FINDING)


def test_base_an_unknown_revision(repository):
    one_line_error(detlint("check", "--base", "no-such-branch", cwd=repository), "unknown revision 'no-such-branch'")
    one_line_error(detlint("check", "--base=--all", cwd=repository), "unknown revision '--all'")


def test_base_outside_a_repository(project):
    one_line_error(detlint("check", "--base", "HEAD", cwd=project), "is not inside a git repository")


def test_base_without_git(repository, tmp_path_factory):
    empty = tmp_path_factory.mktemp("no-git-here")
    env = {**os.environ, "PATH": str(empty)}
    one_line_error(detlint("check", "--base", "HEAD", cwd=repository, env=env), "--base needs git")
