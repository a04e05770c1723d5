from __future__ import annotations

from detlint.analysis.facts import FixPlan
from detlint.fixes import UNSAFE
from detlint.frameworks import temporal
from detlint.lazy import cst
from detlint.model import Edit, Range, Severity
from detlint.rules.base import TreeRule


class UnawaitedCommand(TreeRule):
    """
    ## What it does
    Flags a command call of workflow code written as a bare statement, without `await`:
    `workflow.execute_activity(...)` (and `execute_activity_method`, `execute_activity_class`,
    `execute_local_activity*`), `workflow.execute_child_workflow(...)`,
    `workflow.start_child_workflow(...)`, `workflow.sleep(...)`, `asyncio.sleep(...)`,
    `workflow.wait_condition(...)`, and `signal(...)`/`cancel(...)` on an external workflow
    handle (and `start_operation`/`execute_operation` on a Nexus client).

    Awaiting later is fine: `asyncio.gather(workflow.execute_activity(...))`,
    `asyncio.create_task(...)` or a handle kept in a variable are not bare statements.
    `workflow.start_activity(...)` schedules the activity by itself and is not flagged.

    ## Why is this bad?
    These functions are coroutines: calling one creates a coroutine object and nothing else.
    Without `await` it is dropped, so the activity is never scheduled, the timer never
    started, the signal never sent, and the workflow goes on as if it had been. Python prints
    "coroutine was never awaited" in the worker log at best. Adding the `await` later changes
    the workflow's command sequence, which breaks the replay of running workflows.

    ## What Temporal does
    - **Sandbox:** Not involved: the call creates a coroutine object and nothing else.
    - **On replay:** No command was issued; adding the `await` later adds a command that running
      executions do not have.
    - **What you would see:** At best `RuntimeWarning: coroutine ... was never awaited` in the
      worker log.

    ## Example
    ```python
    from datetime import timedelta

    from temporalio import workflow


    @workflow.defn
    class Reminder:
        @workflow.run
        async def run(self, user: str) -> None:
            workflow.execute_activity(
                "remind", user, start_to_close_timeout=timedelta(seconds=10)
            )
    ```

    ## Use instead
    ```python
    from datetime import timedelta

    from temporalio import workflow


    @workflow.defn
    class Reminder:
        @workflow.run
        async def run(self, user: str) -> None:
            await workflow.execute_activity(
                "remind", user, start_to_close_timeout=timedelta(seconds=10)
            )
    ```

    ## Fix safety
    In an `async def`, the fix writes `await` before the call. It is unsafe: the command is then
    issued, which adds an event to the workflow's history, so executions that are running and
    recorded the old sequence fail to replay; guard the change with `workflow.patched()` when
    such executions exist. Outside an `async def` no fix is offered.
    """

    code = "DET209"
    name = "unawaited-command"
    severity = Severity.ERROR
    summary = "Command coroutine called without await, so the command is never issued"

    def visit_Expr(self, node: cst.Expr, ctx) -> None:
        call = node.value
        if not isinstance(call, cst.Call):
            return
        name = ctx.resolve(call.func) or ""
        owner, _, method = name.rpartition(".")
        if name in temporal.COROUTINE_COMMANDS:
            shown = name.replace(f"{temporal.WORKFLOW}.", "workflow.")
        elif method in temporal.COROUTINE_HANDLE_METHODS and owner.startswith(temporal.COMMAND_HANDLES):
            shown = f"handle.{method}"
        else:
            return
        fix = None
        if ctx.in_async_function:
            edit = Edit(Range(ctx.range(call).start, ctx.range(call).start), "await ")
            fix = FixPlan(UNSAFE, "Await the call", (edit,))
        ctx.report(
            self,
            call,
            f"`{shown}()` is never awaited: the coroutine is dropped and the command is never issued",
            f"write `await {shown}(...)`, or keep the coroutine and await it later",
            f"{shown}()",
            fix=fix,
        )
