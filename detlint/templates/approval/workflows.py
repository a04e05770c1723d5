"""Human in the loop: ask for approval, wait for the decision with a timeout, escalate once, expire.

The decision arrives as the `decide` signal (from a web app, a chat bot, the CLI); the
`status` query tells a UI where the request stands. Nothing waits forever: the approver has
`decide_within_seconds`, then the request is escalated and the person escalated to has
`escalation_within_seconds`, then the request expires (and is not approved).
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from .activities import ApprovalRequest, Decision, Notice, Outcome, notify

TASK_QUEUE = "approval"

NOTIFY_TIMEOUT = timedelta(seconds=30)
NOTIFY_RETRIES = RetryPolicy(maximum_attempts=10)


@workflow.defn
class Approval:
    def __init__(self) -> None:
        self.decision: Decision | None = None
        self.allowed: set[str] = set()
        self.escalated = False

    @workflow.run
    async def run(self, request: ApprovalRequest) -> Outcome:
        self.allowed = {request.approver}
        await self._notify(request, request.approver, f"please approve: {request.description}")
        decision = await self._decision_within(request.decide_within_seconds)
        if decision is None:
            self.escalated = True
            self.allowed.add(request.escalate_to)
            await self._notify(
                request, request.escalate_to, f"escalated, {request.approver} did not decide: {request.description}"
            )
            decision = await self._decision_within(request.escalation_within_seconds)
        if decision is None:
            await self._notify(request, request.approver, "expired without a decision")
            return Outcome("expired", None, escalated=True)
        return Outcome("approved" if decision.approved else "rejected", decision.decided_by, self.escalated)

    async def _decision_within(self, seconds: int) -> Decision | None:
        """The decision, once it arrives; None if none arrived within `seconds`."""
        try:
            await workflow.wait_condition(lambda: self.decision is not None, timeout=timedelta(seconds=seconds))
        except asyncio.TimeoutError:
            return None
        return self.decision

    async def _notify(self, request: ApprovalRequest, recipient: str, text: str) -> None:
        await workflow.execute_activity(
            notify,
            Notice(request.request_id, recipient, text),
            start_to_close_timeout=NOTIFY_TIMEOUT,
            retry_policy=NOTIFY_RETRIES,
        )

    @workflow.signal
    def decide(self, decision: Decision) -> None:
        if self.decision is not None:
            workflow.logger.info("ignoring a second decision by %s", decision.decided_by)
        elif decision.decided_by not in self.allowed:
            workflow.logger.warning("ignoring a decision by %s, who may not decide", decision.decided_by)
        else:
            self.decision = decision

    @workflow.query
    def status(self) -> str:
        if self.decision is not None:
            return "approved" if self.decision.approved else "rejected"
        return "escalated" if self.escalated else "waiting"
