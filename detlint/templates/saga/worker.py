"""A worker for the order saga: `python -m saga.worker` (from the folder that holds `saga/`).

It connects to the Temporal server at $TEMPORAL_ADDRESS (default localhost:7233, where
`temporal server start-dev` listens). Start an order with:

    temporal workflow start --task-queue order-saga --type OrderSaga --workflow-id order-1 \
        --input '{"order_id": "order-1", "sku": "tea", "quantity": 2, "amount_cents": 1200}'
"""

from __future__ import annotations

import asyncio
import os

from temporalio.client import Client
from temporalio.worker import Worker

from .activities import (
    cancel_fulfilment,
    charge_payment,
    fulfil_order,
    refund_payment,
    release_inventory,
    reserve_inventory,
)
from .workflows import TASK_QUEUE, OrderSaga

ACTIVITIES = [
    reserve_inventory,
    release_inventory,
    charge_payment,
    refund_payment,
    fulfil_order,
    cancel_fulfilment,
]


async def main() -> None:
    client = await Client.connect(os.environ.get("TEMPORAL_ADDRESS", "localhost:7233"))
    worker = Worker(client, task_queue=TASK_QUEUE, workflows=[OrderSaga], activities=ACTIVITIES)
    await worker.run()


if __name__ == "__main__":
    asyncio.run(main())
