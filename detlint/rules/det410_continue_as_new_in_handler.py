from __future__ import annotations

from detlint.analysis.nodes import descendants
from detlint.frameworks import temporal
from detlint.lazy import cst
from detlint.model import Severity
from detlint.rules._workflow import SIGNAL, UPDATE, WorkflowClass, resolves_to
from detlint.rules.base import TreeRule


class ContinueAsNewInHandler(TreeRule):
    """
    ## What it does
    Flags `workflow.continue_as_new()` called in a signal or update handler of a workflow
    class (including functions nested in the handler).

    ## Why is this bad?
    `continue_as_new` ends the current run by raising `ContinueAsNewError`. Raised in an update
    handler, the SDK fails the workflow task (the update cannot complete and return a result to
    its caller). Raised in a signal handler, it abandons the run method wherever it was waiting,
    mid-way through its work, and the new run starts from whatever state the handler passed.
    The run method is the one place that knows when its work is at a safe point.

    ## What Temporal does
    - **Sandbox:** Not involved.
    - **On replay:** Not involved; the new run starts from what the handler passed.
    - **What you would see:** A failed workflow task for an update handler; for a signal
      handler, a run method cut off wherever it was waiting.

    ## Example
    ```python
    from datetime import timedelta

    from temporalio import workflow


    @workflow.defn
    class Session:
        def __init__(self) -> None:
            self.events = 0

        @workflow.run
        async def run(self, events: int) -> None:
            self.events = events
            await workflow.wait_condition(lambda: self.events > 1000, timeout=timedelta(days=1))

        @workflow.signal
        def record(self) -> None:
            self.events += 1
            if self.events > 1000:
                workflow.continue_as_new(0)
    ```

    ## Use instead
    Set a flag in the handler; continue as new from the run method:
    ```python
    from datetime import timedelta

    from temporalio import workflow


    @workflow.defn
    class Session:
        def __init__(self) -> None:
            self.events = 0

        @workflow.run
        async def run(self, events: int) -> None:
            self.events = events
            await workflow.wait_condition(lambda: self.events > 1000, timeout=timedelta(days=1))
            await workflow.wait_condition(workflow.all_handlers_finished)
            workflow.continue_as_new(0)

        @workflow.signal
        def record(self) -> None:
            self.events += 1
    ```

    ## Fix safety
    No fix is offered.
    """

    code = "DET410"
    name = "continue-as-new-in-handler"
    severity = Severity.ERROR
    summary = "continue_as_new called from a signal or update handler"

    def visit_ClassDef(self, node: cst.ClassDef, ctx) -> None:
        view = WorkflowClass.of(node, ctx, self.settings)
        if view is None:
            return
        for handler in view.of_kind(SIGNAL, UPDATE):
            for call in descendants(handler.node.body):
                if resolves_to(call, {temporal.CONTINUE_AS_NEW}, ctx):
                    ctx.report(
                        self,
                        call,
                        f"`workflow.continue_as_new()` in the {handler.kind} handler `{handler.name}` "
                        "ends the run from outside the run method",
                        "set a flag here and call `workflow.continue_as_new()` from the run method",
                        "continue_as_new()",
                    )
