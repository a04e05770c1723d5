"""A worker for the payment workflow: `python -m idempotent_activity.worker` (from the folder that holds `idempotent_activity/`).

It writes to the SQLite file $PAYMENTS_DB (default payments.sqlite) and connects to the
Temporal server at $TEMPORAL_ADDRESS (default localhost:7233). Record a payment:

    temporal workflow start --task-queue payments --type RecordPayment --workflow-id payment-1 \
        --input '{"account": "ada", "amount_cents": 1250, "currency": "EUR"}'
"""

from __future__ import annotations

import asyncio
import os
from concurrent.futures import ThreadPoolExecutor

from temporalio.client import Client
from temporalio.worker import Worker

from .activities import PaymentActivities
from .workflows import TASK_QUEUE, RecordPayment


async def main() -> None:
    client = await Client.connect(os.environ.get("TEMPORAL_ADDRESS", "localhost:7233"))
    activities = PaymentActivities(os.environ.get("PAYMENTS_DB", "payments.sqlite"))
    with ThreadPoolExecutor(max_workers=8) as executor:
        worker = Worker(
            client,
            task_queue=TASK_QUEUE,
            workflows=[RecordPayment],
            activities=[activities.record_payment],
            activity_executor=executor,
        )
        await worker.run()


if __name__ == "__main__":
    asyncio.run(main())
