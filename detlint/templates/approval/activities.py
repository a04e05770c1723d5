"""Notifications to the people involved: activities, because they touch the world.

Replace the bodies with your mail or chat client. Each passes the request id (and the
recipient) as the message's idempotency key, so a retried notification is not sent twice.
"""

from __future__ import annotations

from dataclasses import dataclass

from temporalio import activity


@dataclass
class ApprovalRequest:
    request_id: str
    description: str
    approver: str
    escalate_to: str
    # How long the approver has, then how long the person escalated to has (seconds).
    decide_within_seconds: int = 2 * 24 * 3600
    escalation_within_seconds: int = 24 * 3600


@dataclass
class Decision:
    approved: bool
    decided_by: str
    comment: str = ""


@dataclass
class Outcome:
    status: str  # "approved", "rejected" or "expired"
    decided_by: str | None
    escalated: bool


@dataclass
class Notice:
    request_id: str
    recipient: str
    text: str


@activity.defn
async def notify(notice: Notice) -> None:
    activity.logger.info("to %s about %s: %s", notice.recipient, notice.request_id, notice.text)
