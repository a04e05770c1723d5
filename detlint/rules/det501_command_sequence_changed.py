from detlint.model import Severity
from detlint.rules._versioning import VersioningRule


class CommandSequenceChanged(VersioningRule):
    """
    ## What it does
    Compares each workflow's command sequence with the baseline (the `detlint.lock` file, or
    the code at `--base REV`) and flags a change that running executions would replay
    differently: an activity, local activity, child workflow, timer, blocking
    `wait_condition`, external signal or cancel, search attribute or memo upsert, or
    `continue_as_new` inserted, removed, reordered, or of another type (a renamed activity),
    outside a new `if workflow.patched("id"):` branch. It is reported on the first line of the
    new code that differs; for a removal, on the command that now follows where it was.

    Changes the server does not compare are not flagged: arguments, timeouts, retry policies,
    task queues, timer durations, activity bodies, comments, formatting and logging. Neither is
    code inside a new `if workflow.patched("id"):` branch whose else branch keeps the old
    path. Runs only when there is a baseline.

    ## Why is this bad?
    Temporal replays a workflow's code against its recorded history whenever a worker picks up
    an execution that was started by an earlier deploy. The server checks that the code issues
    the same commands, in the same order, of the same types. A deploy that changes the
    sequence makes every open execution fail with a `NondeterminismError` when it next
    replays, sometimes days later, and it stays stuck until the code is reverted.

    ## What Temporal does
    - **Sandbox:** Not involved: the sandbox sees one run, not the difference between deploys.
    - **On replay:** The server matches each command the new code issues with the next event in
      history, comparing its kind and the activity or child type and id.
    - **What you would see:** A `[TMPRL1100]` non-determinism error for every open execution,
      when it next replays.

    ## Example
    ```python
    from datetime import timedelta

    from temporalio import activity, workflow


    @activity.defn
    async def charge(order: str) -> None: ...


    @activity.defn
    async def ship(order: str) -> None: ...


    @workflow.defn
    class Orders:
        @workflow.run
        async def run(self, order: str) -> None:
            await workflow.execute_activity(charge, order, schedule_to_close_timeout=timedelta(minutes=5))
            await workflow.execute_activity(ship, order, schedule_to_close_timeout=timedelta(minutes=5))
    ```

    The deployed version above; the change below inserts a fraud check before the charge:

    ```python
    from datetime import timedelta

    from temporalio import activity, workflow


    @activity.defn
    async def check_fraud(order: str) -> None: ...


    @activity.defn
    async def charge(order: str) -> None: ...


    @activity.defn
    async def ship(order: str) -> None: ...


    @workflow.defn
    class Orders:
        @workflow.run
        async def run(self, order: str) -> None:
            await workflow.execute_activity(check_fraud, order, schedule_to_close_timeout=timedelta(minutes=5))
            await workflow.execute_activity(charge, order, schedule_to_close_timeout=timedelta(minutes=5))
            await workflow.execute_activity(ship, order, schedule_to_close_timeout=timedelta(minutes=5))
    ```

    ## Use instead
    ```python
    from datetime import timedelta

    from temporalio import activity, workflow


    @activity.defn
    async def check_fraud(order: str) -> None: ...


    @activity.defn
    async def charge(order: str) -> None: ...


    @activity.defn
    async def ship(order: str) -> None: ...


    @workflow.defn
    class Orders:
        @workflow.run
        async def run(self, order: str) -> None:
            if workflow.patched("fraud-check"):
                await workflow.execute_activity(check_fraud, order, schedule_to_close_timeout=timedelta(minutes=5))
            await workflow.execute_activity(charge, order, schedule_to_close_timeout=timedelta(minutes=5))
            await workflow.execute_activity(ship, order, schedule_to_close_timeout=timedelta(minutes=5))
    ```

    Executions started before the deploy have no `fraud-check` marker in their history, so
    `patched` returns False when they replay and they keep the old sequence. Once they have
    all finished, replace the guard with `workflow.deprecate_patch("fraud-check")`, and
    remove that in a later release. Alternatively, start a new workflow type (or use Worker
    Versioning) and let the old one drain. Refresh the baseline with `detlint lock` once the
    change is deployed.

    ## Fix safety
    No fix is offered: where to put the guard, and whether a new workflow type is better, is a
    deployment decision.
    """

    code = "DET501"
    name = "command-sequence-changed"
    severity = Severity.ERROR
    summary = "The command sequence of a workflow changed against the baseline without a `workflow.patched()` guard"
