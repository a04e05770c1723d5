"""The shipping workflow as it was first deployed (v1): pack, then ship.

Kept only so that the test can record a v1 history and replay it against the current
workflow (workflows.py); workers register the current workflow only. Delete it once no
execution started by v1 is running or will be replayed.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from .activities import Shipment, pack_order, ship_order

STEP_TIMEOUT = timedelta(minutes=5)
RETRIES = RetryPolicy(maximum_attempts=5)


@workflow.defn(name="ShipOrder")
class ShipOrderV1:
    @workflow.run
    async def run(self, shipment: Shipment) -> str:
        parcel = await workflow.execute_activity(
            pack_order, shipment, start_to_close_timeout=STEP_TIMEOUT, retry_policy=RETRIES
        )
        return await workflow.execute_activity(ship_order, parcel, start_to_close_timeout=STEP_TIMEOUT, retry_policy=RETRIES)
