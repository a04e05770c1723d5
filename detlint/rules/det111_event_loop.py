from detlint.model import Severity
from detlint.rules._python import ASYNCIO_LOOPS
from detlint.rules.base import Pattern, ReferenceRule


class EventLoopControl(ReferenceRule):
    """
    ## What it does
    Flags code that drives an event loop from workflow code: `asyncio.run()`,
    `asyncio.new_event_loop()`, `asyncio.set_event_loop()`, and `run_until_complete()` or
    `run_forever()` on a loop.

    ## Why is this bad?
    A workflow already runs on Temporal's deterministic event loop, which orders every task
    and timer by history. A second loop runs outside it: its timing is the host's, not
    history's, and the SDK's loop refuses to be nested or replaced.

    ## What Temporal does
    - **Sandbox:** The workflow already runs on the SDK's event loop: `asyncio.run()` raises
      `RuntimeError` inside it, and the loop does not implement `run_until_complete()`,
      `run_forever()`, `stop()` or `close()`; the workflow task fails and is retried until a
      fixed worker is deployed.
    - **On replay:** A second loop's timing is the host's, not history's.
    - **What you would see:** `RuntimeError` or `NotImplementedError` in the worker log, the
      workflow stuck on its failing task.

    ## Example
    ```python
    import asyncio

    from temporalio import workflow


    async def compute() -> int:
        return 1


    @workflow.defn
    class Totals:
        @workflow.run
        async def run(self) -> int:
            return asyncio.run(compute())
    ```

    ## Use instead
    ```python
    from temporalio import workflow


    async def compute() -> int:
        return 1


    @workflow.defn
    class Totals:
        @workflow.run
        async def run(self) -> int:
            return await compute()
    ```

    ## Fix safety
    No fix is offered.
    """

    code = "DET111"
    name = "event-loop-control"
    severity = Severity.ERROR
    summary = "Event loop driven from workflow code"
    what = "{name} drives an event loop other than the workflow's deterministic one"
    advice = "`await` the coroutine instead"
    patterns = (
        Pattern.call("asyncio.run"),
        Pattern.call("asyncio.new_event_loop"),
        Pattern.call("asyncio.set_event_loop"),
        Pattern.call("asyncio.Runner"),
        *(Pattern.method(loop, "run_until_complete", "run_forever") for loop in ASYNCIO_LOOPS),
    )
