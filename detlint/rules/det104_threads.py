from detlint.model import Severity
from detlint.rules._python import ASYNCIO_LOOPS
from detlint.rules.base import Pattern, ReferenceRule


class ThreadOrProcessPool(ReferenceRule):
    """
    ## What it does
    Flags threads, processes and executors in workflow code: `threading`, `_thread`,
    `multiprocessing`, `concurrent.futures`, `asyncio.to_thread()`,
    `asyncio.run_coroutine_threadsafe()` and `loop.run_in_executor()`.

    ## Why is this bad?
    A workflow runs on Temporal's own deterministic event loop, one task at a time. Work on
    another thread or process finishes at a moment history does not record, so its result
    arrives in another order on replay; the SDK's loop does not implement `run_in_executor`,
    and the sandbox rejects these modules at run time.

    ## What Temporal does
    - **Sandbox:** `threading`, `concurrent.futures` and `multiprocessing` raise
      `RestrictedWorkflowAccessError` when used while the workflow runs; the workflow's event
      loop does not implement `run_in_executor()` or `asyncio.to_thread()`
      (`NotImplementedError`).
    - **On replay:** Work on another thread finishes at a moment history does not record;
      commands issued after it come in another order, which the server's comparison rejects.
    - **What you would see:** `RestrictedWorkflowAccessError` or `NotImplementedError`; waiting
      on a thread blocks the loop (`[TMPRL1101]`, potential deadlock); without the sandbox, a
      `[TMPRL1100]` non-determinism error.

    ## Example
    ```python
    import threading

    from temporalio import workflow


    @workflow.defn
    class Report:
        @workflow.run
        async def run(self) -> None:
            threading.Thread(target=print).start()
    ```

    ## Use instead
    Run the work in an activity (or a child workflow), or as an asyncio task inside the workflow:
    ```python
    import asyncio
    from datetime import timedelta

    from temporalio import workflow


    @workflow.defn
    class Report:
        @workflow.run
        async def run(self) -> None:
            task = asyncio.create_task(workflow.sleep(timedelta(seconds=1)))
            await task
    ```

    ## Fix safety
    No fix is offered.
    """

    code = "DET104"
    name = "thread-or-process-pool"
    severity = Severity.ERROR
    summary = "Threads, processes or executors in workflow code"
    what = "{name} runs work outside the workflow's deterministic event loop"
    advice = "use an activity or a child workflow, or an asyncio task inside the workflow"
    patterns = (
        Pattern.module("threading"),
        Pattern.module("_thread"),
        Pattern.module("multiprocessing"),
        Pattern.module("concurrent.futures"),
        Pattern.call("asyncio.to_thread"),
        Pattern.call("asyncio.run_coroutine_threadsafe"),
        *(Pattern.method(loop, "run_in_executor") for loop in ASYNCIO_LOOPS),
    )
