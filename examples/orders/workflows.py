"""An order workflow with the mistakes detlint exists to catch.

Run `detlint check examples/orders` to see them; templates of the correct patterns come with
`detlint new`.
"""

import logging
import random
import uuid
from datetime import datetime, timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from examples.orders.activities import charge_card, reserve_stock, send_receipt

log = logging.getLogger(__name__)
PROCESSED: set[str] = set()


def _order_reference(customer: str) -> str:
    return f"{customer}-{uuid.uuid4()}"


@workflow.defn
class OrderWorkflow:
    def __init__(self) -> None:
        self.items: set[str] = set()
        self.cancelled = False

    @workflow.run
    async def run(self, customer: str, items: list[str]) -> str:
        reference = _order_reference(customer)
        placed_at = datetime.now()
        log.info("order %s placed at %s", reference, placed_at)
        self.items = set(items)
        for item in self.items:
            await workflow.execute_activity(reserve_stock, item, start_to_close_timeout=timedelta(seconds=30))
        if random.random() < 0.1:
            await workflow.sleep(timedelta(minutes=5))
        await workflow.execute_activity(charge_card, reference, start_to_close_timeout=timedelta(seconds=30))
        PROCESSED.add(reference)
        await workflow.execute_activity(send_receipt, reference)
        return reference

    @workflow.signal
    def cancel(self) -> None:
        self.cancelled = True
