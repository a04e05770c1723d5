"""The shipping workflow now (v2): a fraud check was added between packing and shipping.

Executions started by v1 are still running, and a worker replays their histories with this
code. Their histories have no `check_fraud` activity between the two steps, so the new step
runs only where `workflow.patched("fraud-check")` is true: in executions started by this code
(which records a marker), never when replaying one started by v1. Once no v1 execution is left,
replace `patched` with `workflow.deprecate_patch("fraud-check")` and drop the `if`; after the
executions that saw the marker are gone too, remove the `deprecate_patch` call.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from .activities import Shipment, check_fraud, pack_order, ship_order

TASK_QUEUE = "shipping"

STEP_TIMEOUT = timedelta(minutes=5)
RETRIES = RetryPolicy(maximum_attempts=5)


@workflow.defn(name="ShipOrder")
class ShipOrder:
    @workflow.run
    async def run(self, shipment: Shipment) -> str:
        parcel = await workflow.execute_activity(
            pack_order, shipment, start_to_close_timeout=STEP_TIMEOUT, retry_policy=RETRIES
        )
        if workflow.patched("fraud-check"):
            await workflow.execute_activity(check_fraud, shipment, start_to_close_timeout=STEP_TIMEOUT, retry_policy=RETRIES)
        return await workflow.execute_activity(ship_order, parcel, start_to_close_timeout=STEP_TIMEOUT, retry_policy=RETRIES)
