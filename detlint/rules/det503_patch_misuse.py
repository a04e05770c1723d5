from detlint.model import Severity
from detlint.rules._versioning import VersioningRule


class PatchMisuse(VersioningRule):
    """
    ## What it does
    Flags, against the baseline, `workflow.patched()` used in a way that replay rejects: a
    `patched("id")` branch removed in a release that does not call
    `workflow.deprecate_patch("id")`, a patch id whose guarded change was altered (the id
    reused for a different change), and an id the baseline already deprecated used again for
    a new `patched` branch. It is reported on the new code where the guard was, or on the
    first changed line of the branch. Runs only when there is a baseline.

    ## Why is this bad?
    `patched("id")` records a marker in the history of executions that take the new branch.
    On replay the marker must meet a `patched("id")` (or `deprecate_patch("id")`) call at
    the same point, and the branch must issue the same commands as when the marker was
    recorded. Removing the guard outright, or changing what it guards, makes those executions
    fail with a `NondeterminismError`. Temporal's sequence is patch, then deprecate, then
    remove: each step a release of its own.

    ## What Temporal does
    - **Sandbox:** Not involved.
    - **On replay:** Each recorded patch marker must meet a `patched()` or `deprecate_patch()`
      call with the same id at the same point.
    - **What you would see:** A `[TMPRL1100]` non-determinism error ("Non-deprecated patch
      marker encountered ... but there is no corresponding change command").

    ## Example
    ```python
    from datetime import timedelta

    from temporalio import activity, workflow


    @activity.defn
    async def notify_v1(order: str) -> None: ...


    @activity.defn
    async def notify_v2(order: str) -> None: ...


    @workflow.defn
    class Orders:
        @workflow.run
        async def run(self, order: str) -> None:
            if workflow.patched("new-notify"):
                await workflow.execute_activity(notify_v2, order, schedule_to_close_timeout=timedelta(minutes=5))
            else:
                await workflow.execute_activity(notify_v1, order, schedule_to_close_timeout=timedelta(minutes=5))
    ```

    The deployed version above; the change below drops the guard in one step:

    ```python
    from datetime import timedelta

    from temporalio import activity, workflow


    @activity.defn
    async def notify_v2(order: str) -> None: ...


    @workflow.defn
    class Orders:
        @workflow.run
        async def run(self, order: str) -> None:
            await workflow.execute_activity(notify_v2, order, schedule_to_close_timeout=timedelta(minutes=5))
    ```

    ## Use instead
    ```python
    from datetime import timedelta

    from temporalio import activity, workflow


    @activity.defn
    async def notify_v2(order: str) -> None: ...


    @workflow.defn
    class Orders:
        @workflow.run
        async def run(self, order: str) -> None:
            workflow.deprecate_patch("new-notify")
            await workflow.execute_activity(notify_v2, order, schedule_to_close_timeout=timedelta(minutes=5))
    ```

    Ship the deprecation once no execution that predates the patch is open; remove the
    `deprecate_patch` call in a later release. Use a fresh patch id for every new change.

    ## Fix safety
    No fix is offered: each step has to wait until the executions of the previous one finish.
    """

    code = "DET503"
    name = "patch-misuse"
    severity = Severity.ERROR
    summary = "A `workflow.patched()` guard was removed without `deprecate_patch()`, or its id reused for another change"
