"""A worker for the long import: `python -m long_running.worker` (from the folder that holds `long_running/`).

It connects to the Temporal server at $TEMPORAL_ADDRESS (default localhost:7233). Start an import:

    temporal workflow start --task-queue long-import --type ImportWorkflow --workflow-id import-1 \
        --input '{"source": "customers.csv", "total_rows": 5000}'
"""

from __future__ import annotations

import asyncio
import os

from temporalio.client import Client
from temporalio.worker import Worker

from .activities import ImportActivities, LoggingSink
from .workflows import TASK_QUEUE, ImportWorkflow


async def main() -> None:
    client = await Client.connect(os.environ.get("TEMPORAL_ADDRESS", "localhost:7233"))
    activities = ImportActivities(LoggingSink())
    worker = Worker(client, task_queue=TASK_QUEUE, workflows=[ImportWorkflow], activities=[activities.import_rows])
    await worker.run()


if __name__ == "__main__":
    asyncio.run(main())
