from __future__ import annotations

from detlint.lazy import cst
from detlint.model import Severity
from detlint.rules._saga import SagaRule


class LateCompensation(SagaRule):
    """
    ## What it does
    Flags a saga that registers each compensation after the step it undoes has run: in a block
    that starts with a step (an activity or child workflow) and ends with a registration
    (`compensations.append(undo)`, `saga.add_compensation(undo)`), each registration that
    directly follows a step. A compensation container is a list whose elements an
    `except` block runs, or one named for it (`compensations`, `undo`, `rollback`).

    ## Why is this bad?
    A step can fail half-way: the activity charged the card, then timed out, or its worker
    died before it reported back. The `await` then raises, the registration after it never
    runs, and the saga's `except` block undoes every step but the one that half-happened.
    Registering the compensation first (with an idempotent undo that tolerates "nothing to
    undo") covers that case.

    A block that registers first and then runs the step is not flagged, nor one whose first
    step needs no compensation (a read or a quote) before the register-then-run pairs. When a
    block's order is ambiguous (it starts with a step and ends with one too), nothing is
    flagged.

    ## What Temporal does
    - **Sandbox:** Not involved.
    - **On replay:** Not involved: the order of registration is plain Python state.
    - **What you would see:** No error from Temporal: the half-done step is never undone.

    ## Example
    ```python
    from datetime import timedelta

    from temporalio import activity, workflow


    @activity.defn
    async def charge(order_id: str) -> None: ...


    @activity.defn
    async def refund(order_id: str) -> None: ...


    @activity.defn
    async def ship(order_id: str) -> None: ...


    @activity.defn
    async def recall(order_id: str) -> None: ...


    @workflow.defn
    class Order:
        @workflow.run
        async def run(self, order_id: str) -> None:
            timeout = timedelta(minutes=5)
            compensations = []
            try:
                await workflow.execute_activity(charge, order_id, schedule_to_close_timeout=timeout)
                compensations.append(refund)
                await workflow.execute_activity(ship, order_id, schedule_to_close_timeout=timeout)
                compensations.append(recall)
            except Exception:
                for undo in reversed(compensations):
                    await workflow.execute_activity(undo, order_id, schedule_to_close_timeout=timeout)
                raise
    ```

    ## Use instead
    ```python
    from datetime import timedelta

    from temporalio import activity, workflow


    @activity.defn
    async def charge(order_id: str) -> None: ...


    @activity.defn
    async def refund(order_id: str) -> None: ...


    @activity.defn
    async def ship(order_id: str) -> None: ...


    @activity.defn
    async def recall(order_id: str) -> None: ...


    @workflow.defn
    class Order:
        @workflow.run
        async def run(self, order_id: str) -> None:
            timeout = timedelta(minutes=5)
            compensations = []
            try:
                compensations.append(refund)
                await workflow.execute_activity(charge, order_id, schedule_to_close_timeout=timeout)
                compensations.append(recall)
                await workflow.execute_activity(ship, order_id, schedule_to_close_timeout=timeout)
            except Exception:
                for undo in reversed(compensations):
                    await workflow.execute_activity(undo, order_id, schedule_to_close_timeout=timeout)
                raise
    ```

    ## Fix safety
    No fix is offered.
    """

    code = "DET405"
    name = "late-compensation"
    severity = Severity.WARNING
    summary = "Saga compensation registered after the step it undoes"

    def visit_Call(self, node: cst.Call, ctx) -> None:
        if id(node) in self._found.late:
            ctx.report(
                self,
                node,
                "the compensation is registered after its step has run, so a step that fails half-way is never undone",
                "register the compensation before running the step (and make it tolerate nothing to undo)",
                "late compensation",
            )
