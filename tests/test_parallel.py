"""Speed features users can see: `--jobs`, the progress line, `--quiet`, and warm runs that never load LibCST."""

from __future__ import annotations

import io
import json
import os
import pty
import shutil
import subprocess
import sys

from detlint.output.progress import ProgressLine, progress_for
from tests.conftest import FIXTURES, REPO


def _detlint(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "detlint", "check", *args], cwd=REPO, capture_output=True, text=True, timeout=600
    )


def test_a_process_pool_reports_exactly_what_one_process_does():
    # The fixtures are a few hundred files: enough to start the pool (more than its threshold).
    assert len(list(FIXTURES.rglob("*.py"))) > 100
    serial = _detlint("fixtures", "--select", "ALL", "--no-cache", "--jobs", "1", "--format", "json")
    parallel = _detlint("fixtures", "--select", "ALL", "--no-cache", "--jobs", "2", "--format", "json")
    assert serial.returncode == parallel.returncode == 1
    assert json.loads(serial.stdout)  # findings, not an empty report
    assert parallel.stdout == serial.stdout
    assert parallel.stderr == serial.stderr


def test_jobs_must_be_a_positive_number():
    for value in ("0", "-1", "many"):
        result = _detlint("examples", "--jobs", value)
        assert result.returncode == 2
        assert "--jobs" in result.stderr and "Traceback" not in result.stderr


def test_quiet_prints_findings_only():
    loud, quiet = _detlint("examples/orders"), _detlint("examples/orders", "--quiet")
    assert loud.returncode == quiet.returncode == 1
    assert quiet.stdout and loud.stdout.startswith(quiet.stdout)
    assert "Found" in loud.stdout and "Found" not in quiet.stdout


def test_no_progress_line_when_stderr_is_not_a_terminal():
    assert progress_for(io.StringIO(), quiet=False) is None
    assert "detlint:" not in _detlint("fixtures", "--no-cache", "--exit-zero").stderr


def test_progress_line_on_a_terminal():
    controller, terminal = pty.openpty()
    try:
        with os.fdopen(terminal, "w") as stream:
            assert progress_for(stream, quiet=True) is None
            assert isinstance(progress_for(stream, quiet=False), ProgressLine)
    finally:
        os.close(controller)


def test_progress_line_waits_then_counts_and_is_erased():
    stream = io.StringIO()
    line = ProgressLine(stream)
    line(1, 10)  # the run has only just started: nothing shown
    assert stream.getvalue() == ""
    line.start -= ProgressLine.DELAY
    line(2, 10)
    line(3, 10)  # too soon after the last redraw
    line.close()
    assert stream.getvalue() == "\rdetlint: 2/10 files\r\033[K"


WORKFLOW_WITHOUT_TIMEOUT = """\
from temporalio import activity, workflow


@activity.defn
async def charge(order: str) -> None: ...


@workflow.defn
class Orders:
    @workflow.run
    async def run(self, order: str) -> None:
        await workflow.execute_activity(charge, order)
"""


def test_a_warm_run_never_imports_libcst_starts_processes_or_writes_to_the_cache(tmp_path):
    # examples/orders has findings with fixes that add and remove imports: writing those edits
    # needs no syntax tree either. Nor does a warm run import what parallel parsing needs.
    shutil.copytree(REPO / "examples" / "orders", tmp_path / "orders")
    first = subprocess.run(
        [sys.executable, "-m", "detlint", "check", ".", "--jobs", "1"], cwd=tmp_path, capture_output=True, text=True
    )
    assert first.returncode == 1 and "DET102" in first.stdout  # and the cache is filled
    # A new time on every file: the last run's record no longer holds, the cached facts still do.
    for module in tmp_path.rglob("*.py"):
        os.utime(module, ns=(module.stat().st_atime_ns, module.stat().st_mtime_ns + 1_000_000_000))
    probe = (
        "import sys\n"
        "from detlint.cli import main\n"
        "code = main(['check', '.', '--format', 'json'])\n"
        "unused = {'libcst._nodes.base', 'concurrent.futures', 'multiprocessing'}\n"
        "print(code, sorted(unused & set(sys.modules)))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    *report, verdict = result.stdout.splitlines()
    assert verdict == "1 []", result.stdout + result.stderr
    assert any(finding["fix"] for finding in json.loads("\n".join(report)))


# Runs `detlint check . --jobs 2` and prints what it did, in order: "server" when it starts the
# process its workers fork from ahead of the pool, "parse N" for each batch of N files parsed;
# then whether that process was started at all.
SERVER_PROBE = """\
import sys
from multiprocessing import forkserver
import detlint.engine as engine
events = []
ensure_server, parse = engine._StartMethod.ensure_server, engine._Parser.parse
engine._StartMethod.ensure_server = lambda self: (events.append("server"), ensure_server(self))[1]
def logged_parse(self, jobs, batch):
    events.append(f"parse {len(jobs)}")
    return parse(self, jobs, batch)
engine._Parser.parse = logged_parse
from detlint.cli import main
main(["check", ".", "--jobs", "2", "--quiet"])
print(events, forkserver._forkserver._forkserver_pid is not None)
"""


def test_a_cold_run_starts_its_workers_server_before_parsing_and_a_run_after_an_edit_starts_none(tmp_path):
    # 30 workflow modules: more than the pool's threshold.
    for number in range(30):
        (tmp_path / f"orders_{number}.py").write_text(WORKFLOW_WITHOUT_TIMEOUT)
    probe = lambda: subprocess.run(  # noqa: E731
        [sys.executable, "-c", SERVER_PROBE], cwd=tmp_path, capture_output=True, text=True, timeout=300
    ).stdout.splitlines()[-1]
    # The server is started once the 24th file to analyse is found, while the others are read.
    assert probe() == "['server', 'parse 30'] True"
    (tmp_path / "orders_7.py").write_text(WORKFLOW_WITHOUT_TIMEOUT + "\n# edited\n")
    assert probe() == "['parse 1'] False"


def test_cache_dir_setting_and_flag(tmp_path):
    (tmp_path / "orders.py").write_text(WORKFLOW_WITHOUT_TIMEOUT)
    (tmp_path / "pyproject.toml").write_text('[tool.detlint]\ncache-dir = "build/detlint-cache"\n')
    run = lambda *args: subprocess.run(  # noqa: E731
        [sys.executable, "-m", "detlint", "check", ".", *args], cwd=tmp_path, capture_output=True, text=True
    )
    assert run().returncode == 1
    assert (tmp_path / "build" / "detlint-cache" / ".gitignore").read_text().endswith("*\n")
    assert not (tmp_path / ".detlint_cache").exists()
    assert run("--cache-dir", "elsewhere").returncode == 1
    assert (tmp_path / "elsewhere" / "CACHEDIR.TAG").exists()
    (tmp_path / "pyproject.toml").write_text("[tool.detlint]\ncache-dir = 3\n")
    broken = run()
    assert broken.returncode == 2 and "cache-dir" in broken.stderr and "Traceback" not in broken.stderr
