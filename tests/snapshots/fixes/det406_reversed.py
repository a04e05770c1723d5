# detlint check --diff --unsafe-fixes: saga compensations run forward get `reversed(...)`,
# an unsafe fix (it changes the order of commands)
from datetime import timedelta

from temporalio import workflow


@workflow.defn
class Booking:
    @workflow.run
    async def run(self) -> None:
        compensations: list[str] = []
        try:
            compensations.append("cancel_hotel")
            await workflow.execute_activity("book_hotel", start_to_close_timeout=timedelta(seconds=5))
            compensations.append("cancel_flight")
            await workflow.execute_activity("book_flight", start_to_close_timeout=timedelta(seconds=5))
        except Exception:
            for compensation in compensations:
                await workflow.execute_activity(compensation, start_to_close_timeout=timedelta(seconds=5))
            raise
