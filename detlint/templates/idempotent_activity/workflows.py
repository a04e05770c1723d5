"""Runs the payment write as an activity with a bounded retry policy."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from .activities import Payment, PaymentActivities

TASK_QUEUE = "payments"


@workflow.defn
class RecordPayment:
    @workflow.run
    async def run(self, payment: Payment) -> str:
        return await workflow.execute_activity_method(
            PaymentActivities.record_payment,
            payment,
            start_to_close_timeout=timedelta(seconds=30),
            retry_policy=RetryPolicy(initial_interval=timedelta(seconds=1), maximum_attempts=10),
        )
