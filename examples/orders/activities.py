"""Activities may touch the world: none of this is flagged."""

import logging
import uuid

from temporalio import activity

log = logging.getLogger(__name__)


@activity.defn
async def reserve_stock(item: str) -> None:
    log.info("reserving %s (request %s)", item, uuid.uuid4())


@activity.defn
async def charge_card(reference: str) -> None:
    log.info("charging %s", reference)


@activity.defn
async def send_receipt(reference: str) -> None:
    print(f"receipt for {reference}")
