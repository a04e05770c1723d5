from detlint.model import Severity
from detlint.rules._versioning import VersioningRule


class RandomDrawBeforeChild(VersioningRule):
    """
    ## What it does
    Flags, against the baseline, a new `workflow.random()`, `workflow.uuid4()` or
    `workflow.uuid7()` call placed before an existing child workflow start that passes no
    `id=`. It is reported on the new call. Runs only when there is a baseline.

    ## Why is this bad?
    A child workflow started without an `id` gets one from `workflow.uuid4()`, which draws
    from the workflow's deterministic random stream. A new draw earlier in the code shifts the
    stream: on replay the child gets a different id than the one recorded, and the execution
    fails with a `NondeterminismError` ("Child workflow id of scheduled event ... does not
    match").

    ## What Temporal does
    - **Sandbox:** Not involved: `workflow.uuid4()` is deterministic for a given history.
    - **On replay:** The child's workflow id is compared with the recorded one; a new draw
      before it shifts the stream.
    - **What you would see:** A `[TMPRL1100]` non-determinism error ("Child workflow id of
      scheduled event ... does not match child workflow id of command").

    ## Example
    ```python
    from temporalio import workflow


    @workflow.defn
    class Ship:
        @workflow.run
        async def run(self) -> None:
            return None


    @workflow.defn
    class Orders:
        @workflow.run
        async def run(self) -> None:
            await workflow.execute_child_workflow(Ship.run)
    ```

    The deployed version above; the change below draws a number before the child starts:

    ```python
    from temporalio import workflow


    @workflow.defn
    class Ship:
        @workflow.run
        async def run(self) -> None:
            return None


    @workflow.defn
    class Orders:
        @workflow.run
        async def run(self) -> int:
            priority = workflow.random().randint(1, 5)
            await workflow.execute_child_workflow(Ship.run)
            return priority
    ```

    ## Use instead
    ```python
    from temporalio import workflow


    @workflow.defn
    class Ship:
        @workflow.run
        async def run(self) -> None:
            return None


    @workflow.defn
    class Orders:
        @workflow.run
        async def run(self) -> int:
            await workflow.execute_child_workflow(Ship.run)
            return workflow.random().randint(1, 5)
    ```

    Draw after the child starts, or give the child an explicit `id=` derived from the
    workflow's own id.

    ## Fix safety
    No fix is offered.
    """

    code = "DET506"
    name = "random-draw-before-child"
    severity = Severity.WARNING
    summary = "A new `workflow.random()`/`uuid4()` draw before a child workflow started without an explicit id"
