"""Record a payment in a database, exactly once however often Temporal retries the activity.

Temporal retries an activity whose attempt failed, and an attempt can fail *after* its write
committed (the connection drops before the answer arrives, the worker dies). So the write is
keyed by an idempotency key that is the same on every attempt: the workflow id and the
activity id, from `activity.info()` (never a fresh `uuid4()` or the clock, which differ per
attempt), and the `INSERT` does nothing when a row with that key exists. The activity then
returns the row that is there, the one the first attempt wrote.

Input that can never succeed is rejected with a non-retryable `ApplicationError`, so it fails
the workflow's call at once instead of being retried until the timeout.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from temporalio import activity
from temporalio.exceptions import ApplicationError

CURRENCIES = frozenset({"EUR", "GBP", "USD"})

SCHEMA = """
CREATE TABLE IF NOT EXISTS payments (
    idempotency_key TEXT PRIMARY KEY,
    account TEXT NOT NULL,
    amount_cents INTEGER NOT NULL,
    currency TEXT NOT NULL
)
"""


@dataclass
class Payment:
    account: str
    amount_cents: int
    currency: str


class PaymentActivities:
    def __init__(self, db_path: str) -> None:
        self.db_path = db_path
        with sqlite3.connect(db_path) as db:
            db.execute(SCHEMA)

    @activity.defn
    def record_payment(self, payment: Payment) -> str:
        """Records `payment`; returns its idempotency key. A blocking (sync) activity: the worker
        runs it in its `activity_executor` thread pool."""
        if payment.amount_cents <= 0:
            raise ApplicationError(f"amount must be positive, not {payment.amount_cents}", type="InvalidPayment", non_retryable=True)
        if payment.currency not in CURRENCIES:
            raise ApplicationError(f"unsupported currency {payment.currency!r}", type="InvalidPayment", non_retryable=True)
        info = activity.info()
        key = f"{info.workflow_id}/{info.activity_id}"
        db = sqlite3.connect(self.db_path)
        try:
            with db:  # one transaction, committed on success
                db.execute(
                    "INSERT INTO payments (idempotency_key, account, amount_cents, currency) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT (idempotency_key) DO NOTHING",
                    (key, payment.account, payment.amount_cents, payment.currency),
                )
        finally:
            db.close()
        return key
