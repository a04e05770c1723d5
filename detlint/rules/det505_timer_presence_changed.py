from detlint.model import Severity
from detlint.rules._versioning import VersioningRule


class TimerPresenceChanged(VersioningRule):
    """
    ## What it does
    Flags, against the baseline, a wait or sleep that changed between starting a timer and
    not: `asyncio.sleep(0)` (which starts no timer) against a non-zero `asyncio.sleep` or any
    `workflow.sleep` (which always starts one, `workflow.sleep(0)` included), and
    `workflow.wait_condition` without a timeout (no timer) against one with a timeout. A
    changed duration is not flagged. It is reported on the changed call. Runs only when there
    is a baseline.

    ## Why is this bad?
    The code looks the same, but the command sequence is not: a timer is a command recorded in
    history. Running executions replay a sequence with a timer where the history has none, or
    the other way round, and fail with a `NondeterminismError`.

    ## What Temporal does
    - **Sandbox:** Not involved.
    - **On replay:** A timer is a command: `asyncio.sleep(0)` and `wait_condition` without a
      timeout start none, `workflow.sleep(0)` and a timeout start one.
    - **What you would see:** A `[TMPRL1100]` non-determinism error for every open execution
      that passed that point.

    ## Example
    ```python
    import asyncio

    from temporalio import workflow


    @workflow.defn
    class Poll:
        @workflow.run
        async def run(self) -> None:
            await asyncio.sleep(0)
    ```

    The deployed version above; the change below makes the pause a real timer:

    ```python
    import asyncio

    from temporalio import workflow


    @workflow.defn
    class Poll:
        @workflow.run
        async def run(self) -> None:
            await asyncio.sleep(5)
    ```

    ## Use instead
    ```python
    import asyncio

    from temporalio import workflow


    @workflow.defn
    class Poll:
        @workflow.run
        async def run(self) -> None:
            if workflow.patched("real-pause"):
                await asyncio.sleep(5)
            else:
                await asyncio.sleep(0)
    ```

    ## Fix safety
    No fix is offered.
    """

    code = "DET505"
    name = "timer-presence-changed"
    severity = Severity.ERROR
    summary = "A sleep or wait changed between starting a timer and starting none against the baseline"
