"""A worker for the shipping workflow: `python -m versioned.worker` (from the folder that holds `versioned/`).

It registers the current workflow only (v1 is kept for the replay test). It connects to the
Temporal server at $TEMPORAL_ADDRESS (default localhost:7233). Ship an order:

    temporal workflow start --task-queue shipping --type ShipOrder --workflow-id ship-1 \
        --input '{"order_id": "1", "address": "1 Main St", "amount_cents": 1200}'
"""

from __future__ import annotations

import asyncio
import os

from temporalio.client import Client
from temporalio.worker import Worker

from .activities import check_fraud, pack_order, ship_order
from .workflows import TASK_QUEUE, ShipOrder


async def main() -> None:
    client = await Client.connect(os.environ.get("TEMPORAL_ADDRESS", "localhost:7233"))
    worker = Worker(client, task_queue=TASK_QUEUE, workflows=[ShipOrder], activities=[pack_order, check_fraud, ship_order])
    await worker.run()


if __name__ == "__main__":
    asyncio.run(main())
