"""What the cart needs from the outside world: prices, from the catalog service."""

from __future__ import annotations

from dataclasses import dataclass, field

from temporalio import activity
from temporalio.exceptions import ApplicationError

# Stands in for your catalog service.
CATALOG = {"tea": 450, "cups": 1200, "kettle": 3900, "honey": 700}


@dataclass
class Line:
    quantity: int
    unit_cents: int


@dataclass
class CartState:
    """Everything the cart must remember; it is the input of each run after continue-as-new."""

    customer_id: str
    lines: dict[str, Line] = field(default_factory=dict)
    # Continue as new after this many operations, even if the server does not suggest it yet.
    max_operations_per_run: int = 1000


@dataclass
class AddItem:
    sku: str
    quantity: int = 1


@dataclass
class Receipt:
    customer_id: str
    lines: dict[str, Line]
    total_cents: int
    abandoned: bool = False


@activity.defn
async def price_of(sku: str) -> int:
    """The unit price of `sku` in cents, from the catalog."""
    if sku not in CATALOG:
        raise ApplicationError(f"no product {sku!r} in the catalog", type="UnknownProduct", non_retryable=True)
    return CATALOG[sku]
