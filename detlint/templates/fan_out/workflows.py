"""Fan-out/fan-in with child workflows: bounded batches, aggregated results, partial failure.

The parent starts one child workflow per record, `batch_size` at a time, and records for each
either its value or why it failed: a child that fails does not fail the batch. Temporal's
scaling rule of thumb is about a thousand children per parent run (and a thousand runs per
fan-out level): the parent starts at most `children_per_run` children, then continues as new
with the remaining records and the report so far. For millions of records, make each child a
parent of its own batch (a tree) instead of raising the limits.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ChildWorkflowError, FailureError

with workflow.unsafe.imports_passed_through():
    from .activities import BatchJob, Failure, Report, process_record

TASK_QUEUE = "fan-out"


@workflow.defn
class ProcessRecord:
    """One record: a child workflow, so each has its own history, retries and visibility."""

    @workflow.run
    async def run(self, record_id: str) -> int:
        return await workflow.execute_activity(
            process_record,
            record_id,
            start_to_close_timeout=timedelta(minutes=1),
            retry_policy=RetryPolicy(maximum_attempts=5),
        )


@workflow.defn
class ProcessBatch:
    @workflow.run
    async def run(self, job: BatchJob) -> Report:
        report = job.report
        now, later = job.record_ids[: job.children_per_run], job.record_ids[job.children_per_run :]
        for first in range(0, len(now), job.batch_size):
            batch = now[first : first + job.batch_size]
            outcomes = await asyncio.gather(
                *(self._process(record_id, job.started + first + offset) for offset, record_id in enumerate(batch))
            )
            for record_id, outcome in zip(batch, outcomes):
                if isinstance(outcome, Failure):
                    report.failures.append(outcome)
                else:
                    report.values[record_id] = outcome
        if later:
            workflow.continue_as_new(BatchJob(later, job.batch_size, job.children_per_run, report, job.started + len(now)))
        return report

    async def _process(self, record_id: str, number: int) -> int | Failure:
        try:
            return await workflow.execute_child_workflow(
                ProcessRecord.run,
                record_id,
                # A child id derived from the parent's: stable on replay, unique per record.
                id=f"{workflow.info().workflow_id}/record-{number}",
                execution_timeout=timedelta(minutes=10),
            )
        except ChildWorkflowError as error:
            return Failure(record_id, _root_message(error))


def _root_message(error: BaseException) -> str:
    """The message of the innermost Temporal failure: why the record's activity failed."""
    while isinstance(error.__cause__, FailureError):
        error = error.__cause__
    return error.message if isinstance(error, FailureError) else str(error)
