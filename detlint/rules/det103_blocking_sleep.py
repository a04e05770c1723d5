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
    No fix is offered yet: the call must become `await`ed, which needs an `async def`.
    """

    code = "DET103"
    name = "blocking-sleep"
    severity = Severity.ERROR
    summary = "Blocking sleep in workflow code"
    what = "{name} blocks the worker thread and is not a durable timer"
    advice = f"use `{temporal.SLEEP}` or `await asyncio.sleep(...)`"
    patterns = (Pattern.call("time.sleep"),)
