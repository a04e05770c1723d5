"""A shopping cart as an entity workflow: one long-lived workflow per customer's cart.

Clients change it with the `add_item` update (validated, and answered with the new item
count) and the `remove_item` and `checkout` signals, and read it with the `lines` and
`total_cents` queries. To keep its history bounded it continues as new, carrying its state,
when the server suggests it (`is_continue_as_new_suggested()`) or after a fixed number of
operations, and only once every running handler has finished.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from .activities import AddItem, CartState, Line, Receipt, price_of

TASK_QUEUE = "shopping-cart"

# A cart nobody touches for this long is abandoned.
ABANDON_AFTER = timedelta(days=30)


@workflow.defn
class ShoppingCart:
    @workflow.init
    def __init__(self, state: CartState) -> None:
        self.state = state
        self.checked_out = False
        self.operations = 0  # handled in this run
        self.lock = asyncio.Lock()  # one update changes the lines at a time

    @workflow.run
    async def run(self, state: CartState) -> Receipt:
        abandoned = False
        try:
            await workflow.wait_condition(
                lambda: self.checked_out or self._should_continue_as_new(), timeout=ABANDON_AFTER
            )
        except asyncio.TimeoutError:
            workflow.logger.info("cart of %s abandoned", self.state.customer_id)
            abandoned = True
        # Let running update handlers finish (and answer their callers) before ending this run.
        await workflow.wait_condition(workflow.all_handlers_finished)
        if self.checked_out or abandoned:
            return Receipt(self.state.customer_id, self.state.lines, self.total_cents(), abandoned)
        workflow.continue_as_new(self.state)

    def _should_continue_as_new(self) -> bool:
        if self.operations >= self.state.max_operations_per_run:
            return True
        return workflow.info().is_continue_as_new_suggested()

    @workflow.update
    async def add_item(self, item: AddItem) -> int:
        async with self.lock:
            unit_cents = await workflow.execute_activity(
                price_of,
                item.sku,
                start_to_close_timeout=timedelta(seconds=10),
                retry_policy=RetryPolicy(maximum_attempts=3),
            )
            line = self.state.lines.get(item.sku)
            quantity = item.quantity + (line.quantity if line else 0)
            self.state.lines[item.sku] = Line(quantity, unit_cents)
            self.operations += 1
            return sum(line.quantity for line in self.state.lines.values())

    @add_item.validator
    def validate_add_item(self, item: AddItem) -> None:
        if self.checked_out:
            raise ValueError("the cart is checked out")
        if item.quantity <= 0:
            raise ValueError(f"quantity must be positive, not {item.quantity}")

    @workflow.signal
    def remove_item(self, sku: str) -> None:
        self.state.lines.pop(sku, None)
        self.operations += 1

    @workflow.signal
    def checkout(self) -> None:
        self.checked_out = True

    @workflow.query
    def lines(self) -> dict[str, Line]:
        return self.state.lines

    @workflow.query
    def total_cents(self) -> int:
        return sum(line.quantity * line.unit_cents for line in self.state.lines.values())
