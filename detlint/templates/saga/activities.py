"""The steps of the order saga and their compensations: activities, because they touch the world.

Temporal retries a failed activity, so every one of these must be idempotent: each passes the
order id as the idempotency key of the service it calls, and a compensation for something that
never happened (the step failed before doing anything) is a no-op. Replace the bodies with calls
to your inventory, payment and shipping services.
"""

from __future__ import annotations

from dataclasses import dataclass

from temporalio import activity


@dataclass
class Order:
    order_id: str
    sku: str
    quantity: int
    amount_cents: int


@dataclass
class Confirmation:
    order_id: str
    reservation: str
    payment: str
    shipment: str


@activity.defn
async def reserve_inventory(order: Order) -> str:
    activity.logger.info("reserving %d x %s (key %s)", order.quantity, order.sku, order.order_id)
    return f"reservation-{order.order_id}"


@activity.defn
async def release_inventory(order: Order) -> None:
    activity.logger.info("releasing the reservation of %s, if any", order.order_id)


@activity.defn
async def charge_payment(order: Order) -> str:
    activity.logger.info("charging %d cents (idempotency key %s)", order.amount_cents, order.order_id)
    return f"payment-{order.order_id}"


@activity.defn
async def refund_payment(order: Order) -> None:
    activity.logger.info("refunding the charge of %s, if any", order.order_id)


@activity.defn
async def fulfil_order(order: Order) -> str:
    activity.logger.info("asking the warehouse to ship %s", order.order_id)
    return f"shipment-{order.order_id}"


@activity.defn
async def cancel_fulfilment(order: Order) -> None:
    activity.logger.info("cancelling the shipment of %s, if any", order.order_id)
