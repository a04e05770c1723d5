"""Runtime oracles for the DET4xx rules whose premise is how the server treats a workflow.

The workflows live in ``fixtures/DET409/oracle.py`` and ``fixtures/DET403/oracle.py``
(also checked, through their ``# error:`` markers, by the fixture test). Each one runs on the
real dev server (``temporal_server``) with a worker that keeps the SDK's defaults: the
sandbox on, and no ``workflow_failure_exception_types`` (unlike the sandbox oracle's worker,
whose ``[Exception]`` would turn every exception into a workflow failure). detlint runs as a
command over the same file, and each test asserts both sides:

* DET409: an exception that is no Temporal failure (``ValueError``, ``assert``) keeps the
  workflow running with a failing workflow task, and detlint reports DET409 on its line;
  ``ApplicationError``, a type listed in ``failure_exception_types`` and
  ``asyncio.TimeoutError`` fail the workflow, and detlint reports nothing.
* DET403: a handler that swallows ``CancelledError`` (``except asyncio.CancelledError``, a
  bare ``except:``) keeps a cancelled workflow running, and detlint reports DET403 on the
  ``except`` line; a handler that re-raises, or ``except Exception``, lets the workflow end
  as cancelled, and detlint reports nothing.
"""

from __future__ import annotations

import ast
import asyncio
import json
import subprocess
import sys
import uuid
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, Awaitable, Callable

import pytest

from fixtures.DET403 import oracle as cancellation
from fixtures.DET409 import oracle as exceptions

pytestmark = pytest.mark.integration

REPO_ROOT = Path(__file__).resolve().parents[2]
EXCEPTIONS_FILE = REPO_ROOT / "fixtures" / "DET409" / "oracle.py"
CANCELLATION_FILE = REPO_ROOT / "fixtures" / "DET403" / "oracle.py"

REASON = "detlint oracle: bad input"
EXECUTION_TIMEOUT = timedelta(seconds=90)
# How long to watch a workflow that should stay running before concluding it does.
SETTLE = 3.0
CASE_TIMEOUT = 120.0


# --------------------------------------------------------------------------- detlint side


@dataclass(frozen=True)
class Finding:
    row: int
    code: str
    message: str


def _detlint(path: Path) -> list[Finding]:
    """detlint as a user runs it, on the same file the worker runs, every rule selected."""
    cmd = [sys.executable, "-m", "detlint", "check", "--select", "ALL", "--format", "json", "--exit-zero"]
    proc = subprocess.run(
        [*cmd, str(path.relative_to(REPO_ROOT))], cwd=REPO_ROOT, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr
    return [Finding(item["location"]["row"], item["code"], item["message"]) for item in json.loads(proc.stdout)]


def _lines(path: Path, class_name: str) -> range:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    node = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == class_name)
    first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
    return range(first, (node.end_lineno or node.lineno) + 1)


def _line_of(path: Path, class_name: str, text: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    found = [n for n in _lines(path, class_name) if text in lines[n - 1]]
    assert len(found) == 1, f"{class_name}: expected one line with {text!r}, found {found}"
    return found[0]


@pytest.fixture(scope="module")
def exception_findings() -> list[Finding]:
    return _detlint(EXCEPTIONS_FILE)


@pytest.fixture(scope="module")
def cancellation_findings() -> list[Finding]:
    return _detlint(CANCELLATION_FILE)


def _in_class(findings: list[Finding], path: Path, class_name: str) -> list[Finding]:
    lines = _lines(path, class_name)
    return [f for f in findings if f.row in lines]


# --------------------------------------------------------------------------- server side


def _plain(client: Any) -> Any:
    """The environment's client without its test interceptors. `WorkflowEnvironment` adds an
    interceptor that turns `AssertionError` into a non-retryable `ApplicationError` (for
    tests' convenience); a production worker has no such thing."""
    from temporalio.client import Client

    return Client(client.service_client, namespace=client.namespace)


def _worker(client: Any, workflows: list[type]) -> tuple[Any, str]:
    """A worker with the SDK's defaults (sandboxed runner, no
    workflow_failure_exception_types, no interceptors) on a fresh task queue."""
    from temporalio.worker import Worker

    task_queue = f"detlint-pattern-oracle-{uuid.uuid4().hex[:8]}"
    return Worker(_plain(client), task_queue=task_queue, workflows=workflows), task_queue


async def _start(client: Any, workflow_class: type, task_queue: str, *args: Any) -> Any:
    return await client.start_workflow(
        workflow_class.run,
        *args,
        id=f"oracle-{workflow_class.__name__}-{uuid.uuid4().hex[:8]}",
        task_queue=task_queue,
        execution_timeout=EXECUTION_TIMEOUT,
    )


async def _status(handle: Any) -> str:
    description = await handle.describe()
    return description.status.name


async def _events(handle: Any, event_type: str) -> list[Any]:
    from temporalio.api.enums.v1 import EventType

    wanted = EventType.Value(f"EVENT_TYPE_{event_type}")
    history = await handle.fetch_history()
    return [event for event in history.events if event.event_type == wanted]


async def _task_failures(handle: Any) -> list[str]:
    return [
        event.workflow_task_failed_event_attributes.failure.message
        for event in await _events(handle, "WORKFLOW_TASK_FAILED")
    ]


async def _poll(predicate: Callable[[], Awaitable[Any]], what: str, timeout: float = 60.0) -> Any:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = await predicate()
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.2)


@dataclass
class ExceptionOutcome:
    status: str  # the execution status: RUNNING, FAILED, ...
    task_failures: list[str]  # messages of the failed workflow tasks in its history
    failure: str | None = None  # "ApplicationError: ..." when the workflow failed


async def _run_raising(client: Any, workflow_class: type) -> ExceptionOutcome:
    """Start a workflow that raises at once. Wait until it fails, or until a workflow task
    has failed; then watch it a little longer (the retried task must not end it either) and
    terminate it."""
    from temporalio.client import WorkflowFailureError

    worker, task_queue = _worker(client, [workflow_class])
    async with worker:
        handle = await _start(client, workflow_class, task_queue, REASON)

        async def settled() -> bool:
            return await _status(handle) != "RUNNING" or bool(await _task_failures(handle))

        await _poll(settled, f"{workflow_class.__name__} to fail, or to fail a workflow task")
        if await _status(handle) == "RUNNING":
            await asyncio.sleep(SETTLE)
            outcome = ExceptionOutcome(await _status(handle), await _task_failures(handle))
            await handle.terminate("detlint oracle: observed")
            return outcome
        try:
            await handle.result()
        except WorkflowFailureError as error:
            cause = error.cause
            kind = getattr(cause, "type", None) or type(cause).__name__
            failure = f"{kind}: {getattr(cause, 'message', cause)}"
            return ExceptionOutcome(await _status(handle), await _task_failures(handle), failure)
        return ExceptionOutcome(await _status(handle), await _task_failures(handle))


@dataclass
class CancellationOutcome:
    status: str
    phase: str  # what the workflow's `phase` query said after the cancellation
    cancel_requested: bool  # the history records the cancellation request


async def _run_cancelled(client: Any, workflow_class: type) -> CancellationOutcome:
    """Start a workflow, wait until it sleeps, cancel it; then wait until it ends or its
    handler has run, and watch it a little longer."""
    worker, task_queue = _worker(client, [workflow_class])
    async with worker:
        handle = await _start(client, workflow_class, task_queue)

        async def phase() -> str:
            return await handle.query(workflow_class.phase)

        async def sleeping() -> bool:
            return await phase() == "sleeping" and bool(await _events(handle, "TIMER_STARTED"))

        await _poll(sleeping, f"{workflow_class.__name__} to start sleeping")
        await handle.cancel()

        async def handled() -> bool:
            return await _status(handle) != "RUNNING" or await phase() != "sleeping"

        await _poll(handled, f"{workflow_class.__name__} to react to the cancellation")
        await asyncio.sleep(SETTLE)
        status = await _status(handle)
        outcome = CancellationOutcome(
            status,
            await phase(),
            bool(await _events(handle, "WORKFLOW_EXECUTION_CANCEL_REQUESTED")),
        )
        if status == "RUNNING":
            await handle.terminate("detlint oracle: observed")
        return outcome


# --------------------------------------------------------------------------- DET409


@pytest.mark.parametrize(
    ("class_name", "statement"), [("OracleRaisesValueError", "raise ValueError"), ("OracleAsserts", "assert ")]
)
def test_non_failure_exception_keeps_the_workflow_running_with_failing_tasks(
    temporal_server, exception_findings, class_name, statement
):
    cls = getattr(exceptions, class_name)
    line = _line_of(EXCEPTIONS_FILE, class_name, statement)
    assert [(f.row, f.code) for f in _in_class(exception_findings, EXCEPTIONS_FILE, class_name)] == [
        (line, "DET409")
    ]
    outcome = temporal_server.run(_run_raising(temporal_server.client, cls), timeout=CASE_TIMEOUT)
    assert outcome.status == "RUNNING", outcome
    assert any(REASON in message for message in outcome.task_failures), outcome


@pytest.mark.parametrize(
    ("class_name", "failure_type"),
    [
        ("OracleRaisesApplicationError", "ApplicationError"),
        ("OracleListsValueError", "ValueError"),
        ("OracleRaisesTimeoutError", "TimeoutError"),
    ],
)
def test_temporal_failures_fail_the_workflow(temporal_server, exception_findings, class_name, failure_type):
    cls = getattr(exceptions, class_name)
    assert _in_class(exception_findings, EXCEPTIONS_FILE, class_name) == []
    outcome = temporal_server.run(_run_raising(temporal_server.client, cls), timeout=CASE_TIMEOUT)
    assert outcome.status == "FAILED", outcome
    assert outcome.task_failures == [], outcome
    assert outcome.failure == f"{failure_type}: {REASON}", outcome


# --------------------------------------------------------------------------- DET403


@pytest.mark.parametrize("class_name", ["OracleSwallowsCancellation", "OracleBareExcept"])
def test_swallowed_cancellation_keeps_the_workflow_alive(temporal_server, cancellation_findings, class_name):
    cls = getattr(cancellation, class_name)
    except_line = _line_of(CANCELLATION_FILE, class_name, "except")
    assert [(f.row, f.code) for f in _in_class(cancellation_findings, CANCELLATION_FILE, class_name)] == [
        (except_line, "DET403")
    ]
    outcome = temporal_server.run(_run_cancelled(temporal_server.client, cls), timeout=CASE_TIMEOUT)
    assert outcome.cancel_requested, outcome
    assert outcome.phase == "swallowed", outcome
    assert outcome.status == "RUNNING", outcome


@pytest.mark.parametrize(
    ("class_name", "phase"), [("OracleReRaises", "cleaned up"), ("OracleCatchesException", "sleeping")]
)
def test_propagated_cancellation_cancels_the_workflow(temporal_server, cancellation_findings, class_name, phase):
    cls = getattr(cancellation, class_name)
    assert _in_class(cancellation_findings, CANCELLATION_FILE, class_name) == []
    outcome = temporal_server.run(_run_cancelled(temporal_server.client, cls), timeout=CASE_TIMEOUT)
    assert outcome.cancel_requested, outcome
    assert outcome.status == "CANCELED", outcome
    assert outcome.phase == phase, outcome


def test_oracle_files_report_nothing_outside_their_cases(exception_findings, cancellation_findings):
    """Every finding in an oracle file is one the tests above assert on."""
    for path, findings, module in (
        (EXCEPTIONS_FILE, exception_findings, exceptions),
        (CANCELLATION_FILE, cancellation_findings, cancellation),
    ):
        cases = [name for name in vars(module) if name.startswith("Oracle")]
        covered = {row for name in cases for row in _lines(path, name)}
        assert [f for f in findings if f.row not in covered] == [], path.name
