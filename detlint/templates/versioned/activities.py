"""The shipping steps: activities, because they touch the world."""

from __future__ import annotations

from dataclasses import dataclass

from temporalio import activity
from temporalio.exceptions import ApplicationError


@dataclass
class Shipment:
    order_id: str
    address: str
    amount_cents: int


@activity.defn
async def pack_order(shipment: Shipment) -> str:
    activity.logger.info("packing %s", shipment.order_id)
    return f"parcel-{shipment.order_id}"


@activity.defn
async def check_fraud(shipment: Shipment) -> None:
    """Added in v2. A suspicious order fails without retries."""
    if shipment.amount_cents > 1_000_000:
        raise ApplicationError(f"order {shipment.order_id} needs a manual review", type="Fraud", non_retryable=True)


@activity.defn
async def ship_order(parcel: str) -> str:
    activity.logger.info("shipping %s", parcel)
    return f"tracking-{parcel}"
