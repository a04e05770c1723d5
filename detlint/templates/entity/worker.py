"""A worker for the shopping cart: `python -m entity.worker` (from the folder that holds `entity/`).

It connects to the Temporal server at $TEMPORAL_ADDRESS (default localhost:7233). Open a cart,
add to it and check out with:

    temporal workflow start --task-queue shopping-cart --type ShoppingCart --workflow-id cart-ada \
        --input '{"customer_id": "ada"}'
    temporal workflow update execute --workflow-id cart-ada --name add_item --input '{"sku": "tea"}'
    temporal workflow signal --workflow-id cart-ada --name checkout
"""

from __future__ import annotations

import asyncio
import os

from temporalio.client import Client
from temporalio.worker import Worker

from .activities import price_of
from .workflows import TASK_QUEUE, ShoppingCart


async def main() -> None:
    client = await Client.connect(os.environ.get("TEMPORAL_ADDRESS", "localhost:7233"))
    worker = Worker(client, task_queue=TASK_QUEUE, workflows=[ShoppingCart], activities=[price_of])
    await worker.run()


if __name__ == "__main__":
    asyncio.run(main())
