"""A worker for the fan-out: `python -m fan_out.worker` (from the folder that holds `fan_out/`).

It connects to the Temporal server at $TEMPORAL_ADDRESS (default localhost:7233). Start a batch:

    temporal workflow start --task-queue fan-out --type ProcessBatch --workflow-id batch-1 \
        --input '{"record_ids": ["a1", "b2", "c3"], "batch_size": 2}'
"""

from __future__ import annotations

import asyncio
import os

from temporalio.client import Client
from temporalio.worker import Worker

from .activities import process_record
from .workflows import TASK_QUEUE, ProcessBatch, ProcessRecord


async def main() -> None:
    client = await Client.connect(os.environ.get("TEMPORAL_ADDRESS", "localhost:7233"))
    worker = Worker(
        client, task_queue=TASK_QUEUE, workflows=[ProcessBatch, ProcessRecord], activities=[process_record]
    )
    await worker.run()


if __name__ == "__main__":
    asyncio.run(main())
