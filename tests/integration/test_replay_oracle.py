"""`temporalio.worker.Replayer` as the oracle for the versioning rules.

For each version pair of ``fixtures/versioning/<case>/`` (``v1.py`` deployed, ``v2.py`` the
change; both define the same workflow type), v1's first workflow class runs to completion on
a real dev server (its other workflow classes are registered as children, its activities run
for real), and its history is replayed against v2's workflow classes with the SDK's
``Replayer``. detlint runs as a real command: ``detlint lock`` over the v1 files (each case in
its own folder with its own ``detlint.lock``), then ``detlint check --select DET5`` over the
v2 files. For each pair:

* detlint reports one of DET501, DET503, DET505, DET506 -> the replay must fail with a
  ``NondeterminismError``;
* otherwise the replay must not fail with one. It must succeed, except for the cases in
  ``OTHER_FAILURES``, whose replay fails for another reason that detlint reports under a
  different code (DET502 and DET504 concern clients and new starts, not the command sequence).

``DIVERGENCES`` lists where detlint knowingly differs from the server (the opposite outcome is
asserted, so the table must be edited when either side changes).

A v1 module may define ``ARGS`` (the workflow's arguments; default ``["order-1"]``) and
``SIGNALS`` (signal names sent once the first workflow task has completed, so the workflow
is waiting when they arrive).
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import json
import os
import shutil
import subprocess
import sys
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.integration

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:  # conftest.py does this too; the fixtures import by name
    sys.path.insert(0, str(REPO_ROOT))

VERSIONING = REPO_ROOT / "fixtures" / "versioning"
CASES = sorted(p.name for p in VERSIONING.iterdir() if (p / "v1.py").is_file())
REPLAY_BREAKING = {"DET501", "DET503", "DET505", "DET506"}
DEFAULT_ARGS = ["order-1"]
RUN_TIMEOUT = timedelta(seconds=60)
DETLINT_TIMEOUT = 300.0

# Replays that fail for another reason than non-determinism, and what they fail with.
OTHER_FAILURES = {
    "workflow_type_renamed": "is not registered on this worker",  # DET502
    "run_parameter_added_without_default": "missing 1 required positional argument",  # DET504
}

# Where detlint and the server deliberately disagree: case -> why.
DIVERGENCES = {
    "wait_timeout_added_no_command_while_waiting": (
        "v2 starts a timer where v1's wait had none, but nothing else is issued until the signal "
        "ends the wait, and the server's core drops a timer that is started and cancelled before any "
        "other command; detlint flags the change because any command issued while waiting (as in "
        "wait_timeout_added, where the signal handler runs an activity) breaks the replay"
    ),
    "loop_count_changed": (
        "the loop runs twice in v1 and three times in v2: how often a loop runs is data, which a "
        "static skeleton does not know; detlint compares the loop body, which did not change"
    ),
}


@dataclass(frozen=True)
class Outcome:
    kind: str  # "ok", "nondeterminism", "other"
    message: str = ""


def _import(case: str, version: str) -> Any:
    return importlib.import_module(f"fixtures.versioning.{case}.{version}")


def _workflows(module: Any) -> list[type]:
    """The module's workflow classes, the one to start first (in source order)."""
    found = [
        obj
        for obj in vars(module).values()
        if inspect.isclass(obj)
        and obj.__module__ == module.__name__
        and getattr(obj, "__temporal_workflow_definition", None) is not None
    ]
    return sorted(found, key=lambda cls: inspect.getsourcelines(cls)[1])


def _activities(module: Any) -> list[Any]:
    return [
        obj
        for obj in vars(module).values()
        if callable(obj) and getattr(obj, "__module__", None) == module.__name__ and hasattr(obj, "__temporal_activity_definition")
    ]


# --------------------------------------------------------------------------- detlint


def _detlint(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    # This checkout's detlint, whichever is installed.
    environment = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    command = [sys.executable, "-m", "detlint", *args]
    proc = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=DETLINT_TIMEOUT, env=environment)
    if proc.returncode not in (0, 1):
        pytest.fail(f"`detlint {' '.join(args)}` exited {proc.returncode}\n{proc.stderr[-4000:]}")
    return proc


@pytest.fixture(scope="module")
def detlint_codes(tmp_path_factory) -> dict[str, set[str]]:
    """case -> the DET5xx codes detlint reports for v2 against a lock written from v1."""
    root = tmp_path_factory.mktemp("oracle")
    for case in CASES:
        folder = root / case
        folder.mkdir()
        shutil.copy(VERSIONING / case / "v1.py", folder / "workflows.py")
        (folder / "detlint.lock").write_text('{"version": 1, "workflows": {}}\n')
    _detlint("lock", ".", cwd=root)
    for case in CASES:
        entries = json.loads((root / case / "detlint.lock").read_text())["workflows"]
        assert entries, f"detlint lock recorded no workflow for {case}"
        shutil.copy(VERSIONING / case / "v2.py", root / case / "workflows.py")
    proc = _detlint("check", "--select", "DET5", "--format", "json", "--exit-zero", ".", cwd=root)
    codes: dict[str, set[str]] = defaultdict(set)
    for item in json.loads(proc.stdout):
        codes[(root / item["filename"]).resolve().relative_to(root.resolve()).parts[0]].add(item["code"])
    return {case: codes.get(case, set()) for case in CASES}


# --------------------------------------------------------------------------- the server


async def _wait_for_first_task(handle: Any) -> None:
    from temporalio.api.enums.v1 import EventType

    for _ in range(400):
        async for event in handle.fetch_history_events():
            if event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
                return
        await asyncio.sleep(0.05)
    raise AssertionError("the first workflow task never completed")


async def _record_and_replay(client: Any, case: str) -> Outcome:
    from temporalio.worker import Replayer, Worker
    from temporalio.workflow import NondeterminismError

    v1, v2 = _import(case, "v1"), _import(case, "v2")
    workflows = _workflows(v1)
    task_queue = f"replay-oracle-{case}-{uuid.uuid4().hex[:8]}"
    async with Worker(client, task_queue=task_queue, workflows=workflows, activities=_activities(v1)):
        handle = await client.start_workflow(
            workflows[0].__temporal_workflow_definition.name,
            args=getattr(v1, "ARGS", DEFAULT_ARGS),
            id=f"{task_queue}-wf",
            task_queue=task_queue,
            execution_timeout=RUN_TIMEOUT,
        )
        signals = getattr(v1, "SIGNALS", [])
        if signals:
            await _wait_for_first_task(handle)
            for signal in signals:
                await handle.signal(signal)
        await handle.result()
        history = await handle.fetch_history()
    try:
        await Replayer(workflows=_workflows(v2)).replay_workflow(history)
    except NondeterminismError as error:
        return Outcome("nondeterminism", str(error)[:500])
    except Exception as error:  # the replay failed for another reason
        return Outcome("other", f"{type(error).__name__}: {str(error)[:500]}")
    return Outcome("ok")


@pytest.fixture(scope="module")
def replay_outcomes(temporal_server) -> dict[str, Outcome]:
    return {case: temporal_server.run(_record_and_replay(temporal_server.client, case), timeout=120) for case in CASES}


# --------------------------------------------------------------------------- the oracle


def test_every_pair_is_covered():
    assert len(CASES) >= 20
    assert set(OTHER_FAILURES) <= set(CASES) and set(DIVERGENCES) <= set(CASES)


@pytest.mark.parametrize("case", CASES)
def test_replay_fails_with_nondeterminism_exactly_when_detlint_says_so(case, detlint_codes, replay_outcomes):
    codes = detlint_codes[case]
    outcome = replay_outcomes[case]
    flagged = bool(codes & REPLAY_BREAKING)
    nondeterministic = outcome.kind == "nondeterminism"
    detail = f"detlint: {sorted(codes) or 'nothing'}; replay: {outcome.kind} {outcome.message}"
    if case in DIVERGENCES:
        assert nondeterministic != flagged, f"documented divergence no longer holds ({DIVERGENCES[case]}); {detail}"
        return
    assert nondeterministic == flagged, detail
    if case in OTHER_FAILURES:
        assert outcome.kind == "other" and OTHER_FAILURES[case] in outcome.message, detail
    elif not flagged:
        assert outcome.kind == "ok", detail
