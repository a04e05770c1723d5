"""A worker for the approval: `python -m approval.worker` (from the folder that holds `approval/`).

It connects to the Temporal server at $TEMPORAL_ADDRESS (default localhost:7233). Ask for and
give an approval with:

    temporal workflow start --task-queue approval --type Approval --workflow-id expense-7 \
        --input '{"request_id": "expense-7", "description": "a new laptop", "approver": "bob", "escalate_to": "carol"}'
    temporal workflow signal --workflow-id expense-7 --name decide --input '{"approved": true, "decided_by": "bob"}'
"""

from __future__ import annotations

import asyncio
import os

from temporalio.client import Client
from temporalio.worker import Worker

from .activities import notify
from .workflows import TASK_QUEUE, Approval


async def main() -> None:
    client = await Client.connect(os.environ.get("TEMPORAL_ADDRESS", "localhost:7233"))
    worker = Worker(client, task_queue=TASK_QUEUE, workflows=[Approval], activities=[notify])
    await worker.run()


if __name__ == "__main__":
    asyncio.run(main())
