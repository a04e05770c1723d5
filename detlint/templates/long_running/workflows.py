"""Runs the long import as one heartbeating activity.

The call sets `heartbeat_timeout` (a worker that stops heartbeating is noticed within 30
seconds and the import retried elsewhere, from its last progress), a `start_to_close_timeout`
long enough for the whole import, and a retry policy that ends.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from .activities import ImportActivities, ImportJob, ImportResult

TASK_QUEUE = "long-import"


@workflow.defn
class ImportWorkflow:
    @workflow.run
    async def run(self, job: ImportJob) -> ImportResult:
        return await workflow.execute_activity_method(
            ImportActivities.import_rows,
            job,
            start_to_close_timeout=timedelta(hours=2),
            heartbeat_timeout=timedelta(seconds=30),
            retry_policy=RetryPolicy(initial_interval=timedelta(seconds=1), maximum_attempts=10),
        )
