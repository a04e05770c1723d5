from typing import Iterable

from detlint.analysis.commands import catalog
from detlint.analysis.facts import Effect
from detlint.analysis.index import Node, ProjectIndex
from detlint.model import Severity
from detlint.rules.base import ProjectRule


class ActivityCalledDirectly(ProjectRule):
    """
    ## What it does
    Flags a call of an activity (a function or method decorated with `@activity.defn`) from
    workflow code as if it were a plain function: `await charge(order)`,
    `await MyActivities().charge(order)`. The activity is found across modules, through
    imports and aliases.

    ## Why is this bad?
    Called directly, the activity's body runs inside the workflow, in the workflow task: its
    I/O runs in the sandbox (or, outside it, breaks determinism on replay), it has no
    timeout, no retries, no heartbeat, and nothing about it is recorded in history. A test
    that mocks the activity never notices. Only `workflow.execute_activity` (or
    `execute_activity_method`, `execute_local_activity`, ...) schedules it as an activity.

    ## What Temporal does
    - **Sandbox:** The activity's body runs inside the workflow: its I/O raises
      `RestrictedWorkflowAccessError`, and `activity.info()` or `activity.heartbeat()` raise
      `RuntimeError: Not in activity context`.
    - **On replay:** No command was issued and no result recorded: the body runs again on every
      replay; switching to `execute_activity` later adds a command that running executions do
      not have.
    - **What you would see:** `RestrictedWorkflowAccessError` or `RuntimeError` in the worker
      log; without the sandbox, I/O repeated on every replay.

    ## Example
    ```python
    from temporalio import activity, workflow


    @activity.defn
    async def charge(order: str) -> str:
        return f"charged {order}"


    @workflow.defn
    class Checkout:
        @workflow.run
        async def run(self, order: str) -> str:
            return await charge(order)
    ```

    ## Use instead
    ```python
    from datetime import timedelta

    from temporalio import activity, workflow


    @activity.defn
    async def charge(order: str) -> str:
        return f"charged {order}"


    @workflow.defn
    class Checkout:
        @workflow.run
        async def run(self, order: str) -> str:
            return await workflow.execute_activity(
                charge, order, start_to_close_timeout=timedelta(seconds=30)
            )
    ```

    ## Fix safety
    No fix is offered: the call needs a timeout chosen for the activity.
    """

    code = "DET204"
    name = "activity-called-directly"
    severity = Severity.ERROR
    summary = "Activity function called directly from workflow code"

    def effects(self, index: ProjectIndex, node: Node) -> Iterable[Effect]:
        activities = catalog(index).activities
        if not activities:
            return
        for ref in node.function.references:
            if not ref.called:
                continue
            target = index.callee(ref.name, node.module)
            if target is None or target is node or target not in activities:
                continue
            function = target.function
            shown = function.display if function.class_qualname is None else function.qualname.removeprefix(target.module.module + ".")
            runner = "workflow.execute_activity" if function.class_qualname is None else "workflow.execute_activity_method"
            yield Effect(
                code=self.code,
                what=(
                    f"the activity `{shown}()` is called as a plain function: its body runs inside the workflow, "
                    "with no timeout, no retries and nothing recorded in history"
                ),
                advice=f"schedule it with `await {runner}({shown}, ..., start_to_close_timeout=...)`",
                range=ref.range,
                leaf=f"{shown}()",
            )
