"""The fixes make working, deterministic workflows: shown on a real Temporal dev server.

A workflow module with one class per fix is written to a temporary folder. detlint fixes a
copy of it as a user would (`detlint check --fix --unsafe-fixes`). Then, with the SDK's
default sandbox:

* the original classes that read the clock, draw random numbers or sleep are rejected
  (`RestrictedWorkflowAccessError`): the findings were real;
* every fixed class runs to completion, returning values of the types the original code
  produced (a float, an int, an aware datetime, a UUID, ...);
* each fixed run's history replays without a non-determinism error (`Replayer`), so the
  replacements are the deterministic ones.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
import textwrap
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

pytestmark = [
    pytest.mark.integration,
    # The SDK warns about the original code's asyncio.wait and asyncio.as_completed.
    pytest.mark.filterwarnings(r"ignore:asyncio\.(wait|as_completed)\(\) is non-deterministic:UserWarning"),
]

REPO_ROOT = Path(__file__).resolve().parents[2]
RUN_TIMEOUT = 120

SOURCE = textwrap.dedent(
    '''\
    import asyncio
    import logging
    import random
    import time
    import uuid
    from datetime import datetime, timezone
    from random import shuffle

    from temporalio import workflow

    log = logging.getLogger(__name__)


    @workflow.defn(name="Clock-{variant}")
    class Clock:
        @workflow.run
        async def run(self) -> list[str]:
            seconds = time.time()
            nanoseconds = time.time_ns()
            aware = datetime.now(timezone.utc)
            naive = datetime.now()
            return [type(seconds).__name__, type(nanoseconds).__name__, str(aware.tzinfo), str(naive.tzinfo)]


    @workflow.defn(name="Draws-{variant}")
    class Draws:
        @workflow.run
        async def run(self) -> list[str]:
            cards = ["a", "b", "c", "d"]
            shuffle(cards)
            roll = random.randint(1, 6)
            pick = random.choice(cards)
            ticket = uuid.uuid4()
            return [type(roll).__name__, pick, str(ticket.version), ",".join(sorted(cards))]


    @workflow.defn(name="Pause-{variant}")
    class Pause:
        @workflow.run
        async def run(self) -> str:
            time.sleep(0.01)
            return "slept"


    @workflow.defn(name="Output-{variant}")
    class Output:
        @workflow.run
        async def run(self) -> str:
            print("starting", 3)
            logging.info("started %s", "now")
            log.warning("careful")
            return "logged"


    @workflow.defn(name="Waits-{variant}")
    class Waits:
        @workflow.run
        async def run(self) -> int:
            tasks = [asyncio.ensure_future(workflow.sleep(0.01)) for _ in range(3)]
            done, pending = await asyncio.wait(tasks)
            finished = 0
            for next_done in asyncio.as_completed(tasks):
                await next_done
                finished += 1
            return finished + len(done) + len(pending)
    '''
)
CLASSES = ("Clock", "Draws", "Pause", "Output", "Waits")
REJECTED_BEFORE = {"Clock", "Draws", "Pause"}  # the sandbox restricts these calls
EXPECTED = {
    "Clock": ["float", "int", "UTC", "UTC"],
    "Draws": ["int", None, "4", "a,b,c,d"],
    "Pause": "slept",
    "Output": "logged",
    "Waits": 6,
}


@pytest.fixture(scope="module")
def modules(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("fixed_workflows")
    package = f"fixsubjects_{uuid.uuid4().hex[:8]}"
    (folder / package).mkdir()
    (folder / package / "__init__.py").write_text("")
    (folder / package / "original.py").write_text(SOURCE.replace("{variant}", "original"))
    (folder / package / "fixed.py").write_text(SOURCE.replace("{variant}", "fixed"))

    def detlint(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "detlint", "check", *args]
        return subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=120)

    findings = json.loads(detlint(f"{package}/original.py", "--format", "json").stdout)
    assert {f["code"] for f in findings} == {"DET101", "DET102", "DET103", "DET109", "DET112"}
    assert all(f["fix"] is not None for f in findings)
    result = detlint("--fix", "--unsafe-fixes", f"{package}/fixed.py")
    assert result.returncode == 0, result.stdout + result.stderr  # everything fixed
    assert f"({len(findings)} fixed, 0 remaining)" in result.stdout, result.stdout
    fixed_text = (folder / package / "fixed.py").read_text()
    for gone in ("time.", "random.", "uuid.", "print(", "logging.info", "asyncio.wait", "asyncio.as_completed"):
        assert gone not in fixed_text, fixed_text

    sys.path.insert(0, str(folder))  # the sandbox re-imports workflow modules by name
    return {variant: importlib.import_module(f"{package}.{variant}") for variant in ("original", "fixed")}


async def _run_all(client: Any, module: Any) -> dict[str, tuple[str, Any, Any]]:
    """Each class's outcome ("completed" or the failure's type), result and history."""
    from temporalio.client import WorkflowFailureError
    from temporalio.worker import Worker

    task_queue = f"detlint-fixes-{uuid.uuid4().hex[:8]}"
    outcomes: dict[str, tuple[str, Any, Any]] = {}
    async with Worker(
        client,
        task_queue=task_queue,
        workflows=[getattr(module, name) for name in CLASSES],
        workflow_failure_exception_types=[Exception],
    ):
        for name in CLASSES:
            definition = getattr(module, name).__temporal_workflow_definition
            handle = await client.start_workflow(
                definition.name,
                id=f"{definition.name}-{uuid.uuid4().hex[:8]}",
                task_queue=task_queue,
                execution_timeout=timedelta(seconds=60),
            )
            try:
                result = await handle.result()
                outcomes[name] = ("completed", result, await handle.fetch_history())
            except WorkflowFailureError as error:
                cause = error.cause
                outcomes[name] = (getattr(cause, "type", None) or type(cause).__name__, None, None)
    return outcomes


@pytest.fixture(scope="module")
def outcomes(temporal_server: Any, modules: dict[str, Any]) -> dict[str, dict[str, tuple[str, Any, Any]]]:
    return {
        variant: temporal_server.run(_run_all(temporal_server.client, module), timeout=RUN_TIMEOUT)
        for variant, module in modules.items()
    }


def test_the_sandbox_rejects_the_original_code(outcomes):
    for name in REJECTED_BEFORE:
        assert outcomes["original"][name][0] == "RestrictedWorkflowAccessError", outcomes["original"][name]


@pytest.mark.parametrize("name", CLASSES)
def test_the_fixed_code_runs_and_returns_the_same_kinds_of_values(outcomes, name):
    status, result, _ = outcomes["fixed"][name]
    assert status == "completed", status
    expected = EXPECTED[name]
    if isinstance(expected, list):
        assert [e if e is None else r for r, e in zip(result, expected)] == expected
    else:
        assert result == expected


def test_the_fixed_runs_replay_deterministically(temporal_server, modules, outcomes):
    from temporalio.worker import Replayer

    replayer = Replayer(workflows=[getattr(modules["fixed"], name) for name in CLASSES])
    histories = [outcomes["fixed"][name][2] for name in CLASSES]

    async def replay() -> list[Any]:
        return [await replayer.replay_workflow(history, raise_on_replay_failure=False) for history in histories]

    results = temporal_server.run(replay(), timeout=RUN_TIMEOUT)
    failures = {name: r.replay_failure for name, r in zip(CLASSES, results) if r.replay_failure is not None}
    assert not failures
