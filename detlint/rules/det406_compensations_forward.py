from __future__ import annotations

from detlint.analysis.facts import FixPlan
from detlint.fixes import UNSAFE
from detlint.lazy import cst
from detlint.model import Edit, Range, Severity
from detlint.rules._saga import SagaRule


class CompensationsForward(SagaRule):
    """
    ## What it does
    Flags a loop that runs a saga's compensations in the order they were registered: a `for`
    over a compensation container (a list whose elements an `except` block runs, or
    one named for it: `compensations`, `undo`, `rollback`) that is filled with `.append()`,
    when the loop walks it forward instead of over `reversed(...)`.

    ## Why is this bad?
    Later steps depend on earlier ones: the shipment uses the reservation, the reservation the
    payment. Undoing them first-in first-out refunds the payment while the reservation still
    holds it, or cancels a reservation a shipment still refers to, and those compensations
    fail or leave the systems inconsistent. A saga undoes its steps last-in first-out.

    A loop over `reversed(compensations)` or `compensations[::-1]`, and one over a list
    filled at the front (`insert(0, ...)`, `appendleft`), are not flagged.

    ## What Temporal does
    - **Sandbox:** Not involved.
    - **On replay:** Not involved, but reversing the compensations of a running workflow changes
      the order of its activities (see DET501).
    - **What you would see:** No error from Temporal: compensations that fail, or systems left
      inconsistent.

    ## Example
    ```python
    from datetime import timedelta

    from temporalio import activity, workflow


    @activity.defn
    async def reserve(trip: str) -> None: ...


    @activity.defn
    async def release(trip: str) -> None: ...


    @activity.defn
    async def pay(trip: str) -> None: ...


    @activity.defn
    async def refund(trip: str) -> None: ...


    @workflow.defn
    class Trip:
        @workflow.run
        async def run(self, trip: str) -> None:
            timeout = timedelta(minutes=5)
            compensations = []
            try:
                compensations.append(release)
                await workflow.execute_activity(reserve, trip, schedule_to_close_timeout=timeout)
                compensations.append(refund)
                await workflow.execute_activity(pay, trip, schedule_to_close_timeout=timeout)
            except Exception:
                for undo in compensations:
                    await workflow.execute_activity(undo, trip, schedule_to_close_timeout=timeout)
                raise
    ```

    ## Use instead
    ```python
    from datetime import timedelta

    from temporalio import activity, workflow


    @activity.defn
    async def reserve(trip: str) -> None: ...


    @activity.defn
    async def release(trip: str) -> None: ...


    @activity.defn
    async def pay(trip: str) -> None: ...


    @activity.defn
    async def refund(trip: str) -> None: ...


    @workflow.defn
    class Trip:
        @workflow.run
        async def run(self, trip: str) -> None:
            timeout = timedelta(minutes=5)
            compensations = []
            try:
                compensations.append(release)
                await workflow.execute_activity(reserve, trip, schedule_to_close_timeout=timeout)
                compensations.append(refund)
                await workflow.execute_activity(pay, trip, schedule_to_close_timeout=timeout)
            except Exception:
                for undo in reversed(compensations):
                    await workflow.execute_activity(undo, trip, schedule_to_close_timeout=timeout)
                raise
    ```

    ## Fix safety
    The fix iterates `reversed(...)` of the container. It is unsafe: it changes the order in
    which compensations run, which is the point, but an execution that is compensating while
    the fix is deployed replays its recorded order and fails; guard the change with
    `workflow.patched()` when such executions exist.
    """

    code = "DET406"
    name = "compensations-forward"
    severity = Severity.WARNING
    summary = "Saga compensations run in registration order instead of reverse"

    def visit_For(self, node: cst.For, ctx) -> None:
        container = self._found.forward.get(id(node))
        if container is not None:
            ctx.report(
                self,
                node,
                "this loop runs the compensations first-in first-out, "
                "undoing earlier steps before the later steps that depend on them",
                f"iterate `reversed({container})`",
                "compensations in order",
                fix=FixPlan(
                    UNSAFE,
                    f"Iterate `reversed({container})`",
                    (
                        Edit(Range(ctx.range(node.iter).start, ctx.range(node.iter).start), "reversed("),
                        Edit(Range(ctx.range(node.iter).end, ctx.range(node.iter).end), ")"),
                    ),
                ),
            )
