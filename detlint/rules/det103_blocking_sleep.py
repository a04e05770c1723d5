from detlint.fixes import UNSAFE, WORKFLOW, replace_callee
from detlint.frameworks import temporal
from detlint.model import Severity
from detlint.rules.base import Pattern, ReferenceRule


class BlockingSleep(ReferenceRule):
    """
    ## What it does
    Flags `time.sleep()` in workflow code.

    ## Why is this bad?
    `time.sleep()` blocks the worker's thread: the workflow's event loop stops, no other
    workflow task on that thread makes progress, and the SDK reports a deadlock
    (TMPRL1101) after two seconds. The pause is not recorded in history, so a replay does not
    wait at all. The sandbox rejects the call at run time.

    ## What Temporal does
    - **Sandbox:** `time.sleep()` raises `RestrictedWorkflowAccessError` while the workflow
      runs; the workflow task fails and is retried until a fixed worker is deployed.
    - **On replay:** The pause is no command: history records no timer, and a replay does not
      wait. `workflow.sleep()` and `asyncio.sleep()` start a durable timer, which is a command.
    - **What you would see:** `RestrictedWorkflowAccessError`; without the sandbox, the thread
      blocks and the SDK reports `[TMPRL1101] Potential deadlock detected: workflow didn't yield
      within 2 second(s)`.

    ## Example
    ```python
    import time

    from temporalio import workflow


    @workflow.defn
    class Reminder:
        @workflow.run
        async def run(self) -> None:
            time.sleep(60)
    ```

    ## Use instead
    ```python
    from temporalio import workflow


    @workflow.defn
    class Reminder:
        @workflow.run
        async def run(self) -> None:
            await workflow.sleep(60)
    ```
    `workflow.sleep()` and `asyncio.sleep()` start a durable timer: the workflow can wait for
    days, survive worker restarts, and replay without waiting.

    ## Fix safety
    `time.sleep(x)` written as a statement of its own in an `async def` becomes
    `await workflow.sleep(x)`. The fix is unsafe: the workflow now yields while it waits, so
    signal and update handlers and other coroutines of the workflow run during the pause and
    may change state the code after it reads, and the pause becomes a durable timer recorded
    in history (a workflow already running with the old code fails to replay at that point).

    The fix adds `from temporalio import workflow` when the file does not import it, and removes
    an import it leaves unused. No fix is offered in a plain `def` (it cannot `await`), where
    the call is part of a larger expression, or in a query handler or update validator (a
    timer is a command, which they must not issue).
    """

    code = "DET103"
    name = "blocking-sleep"
    severity = Severity.ERROR
    summary = "Blocking sleep in workflow code"
    what = "{name} blocks the worker thread and is not a durable timer"
    advice = f"use `{temporal.SLEEP}` or `await asyncio.sleep(...)`"
    patterns = (Pattern.call("time.sleep"),)

    def fix(self, ref):
        if not ref.awaitable or ref.arguments.starred or len(ref.arguments.positional) != 1:
            return None
        return replace_callee(
            ref, f"await {WORKFLOW}.sleep", UNSAFE, f"Replace with `await {WORKFLOW}.sleep(...)`", changes_state=True
        )
