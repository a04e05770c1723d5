"""An order saga: reserve inventory, charge the payment, fulfil the order.

Each step's compensation is registered *before* the step runs (a step that fails half-way, or
times out after the service acted, is undone too), and on failure the compensations run in
reverse order, each one guarded so that one failing does not stop the others.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
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

TASK_QUEUE = "order-saga"

STEP_TIMEOUT = timedelta(seconds=30)
STEP_RETRIES = RetryPolicy(maximum_attempts=5, non_retryable_error_types=["OrderRejected"])
# A compensation must not give up easily: it is the only thing that undoes the step.
COMPENSATION_RETRIES = RetryPolicy(maximum_attempts=20, maximum_interval=timedelta(minutes=1))

Compensation = Callable[[Order], Awaitable[None]]


@workflow.defn
class OrderSaga:
    @workflow.run
    async def run(self, order: Order) -> Confirmation:
        compensations: list[Compensation] = []
        try:
            compensations.append(release_inventory)
            reservation = await workflow.execute_activity(
                reserve_inventory, order, start_to_close_timeout=STEP_TIMEOUT, retry_policy=STEP_RETRIES
            )
            compensations.append(refund_payment)
            payment = await workflow.execute_activity(
                charge_payment, order, start_to_close_timeout=STEP_TIMEOUT, retry_policy=STEP_RETRIES
            )
            compensations.append(cancel_fulfilment)
            shipment = await workflow.execute_activity(
                fulfil_order, order, start_to_close_timeout=STEP_TIMEOUT, retry_policy=STEP_RETRIES
            )
        except (ActivityError, asyncio.CancelledError) as failure:
            failed = await self._compensate(compensations, order)
            if failed:
                raise ApplicationError(
                    f"order {order.order_id} failed and could not be fully rolled back",
                    failed,
                    type="CompensationFailed",
                    non_retryable=True,
                ) from failure
            raise
        return Confirmation(order.order_id, reservation, payment, shipment)

    async def _compensate(self, compensations: list[Compensation], order: Order) -> list[str]:
        """Runs the compensations last-in first-out; returns the names of those that failed."""
        failed: list[str] = []
        for compensation in reversed(compensations):
            try:
                await workflow.execute_activity(
                    compensation, order, start_to_close_timeout=STEP_TIMEOUT, retry_policy=COMPENSATION_RETRIES
                )
            except ActivityError as error:
                name = compensation.__name__
                workflow.logger.error("compensation %s failed: %s", name, error)
                failed.append(name)
        return failed
