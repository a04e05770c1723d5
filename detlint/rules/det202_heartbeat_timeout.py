from typing import Iterable

from detlint.analysis.commands import activity_call, catalog, is_unset_timeout
from detlint.analysis.facts import Effect
from detlint.analysis.index import Node, ProjectIndex
from detlint.model import Severity
from detlint.rules.base import ProjectRule


class MissingHeartbeatTimeout(ProjectRule):
    """
    ## What it does
    Flags a call that runs an activity which heartbeats (calls `activity.heartbeat()`, itself
    or through the functions it calls) but sets no `heartbeat_timeout`. The activity is
    found from the call's first argument: a function, a method (`MyActivities.charge`), or a
    name matched against `@activity.defn(name=...)` and the function names of the analysed
    code. Local activities (which cannot take a heartbeat timeout) and calls whose options
    are spread in from an unknown `**options` are not flagged.

    ## Why is this bad?
    Heartbeats tell the server that the attempt is alive. Without a `heartbeat_timeout` the
    server does not watch for them: when the worker running the activity dies or hangs, the
    attempt is only given up when its `start_to_close_timeout` runs out, which for a
    long-running activity (the kind that heartbeats) can be hours. The heartbeat details
    recorded for resuming are wasted too.

    ## What Temporal does
    - **Sandbox:** Not involved.
    - **On replay:** The heartbeat timeout is not compared: adding it to a running workflow's
      code is safe.
    - **What you would see:** No error: a dead worker's attempt is only retried when its
      `start_to_close_timeout` expires.

    ## Example
    ```python
    from datetime import timedelta

    from temporalio import activity, workflow


    @activity.defn
    async def export(rows: int) -> None:
        for row in range(rows):
            activity.heartbeat(row)


    @workflow.defn
    class Export:
        @workflow.run
        async def run(self, rows: int) -> None:
            await workflow.execute_activity(
                export, rows, start_to_close_timeout=timedelta(hours=2)
            )
    ```

    ## Use instead
    ```python
    from datetime import timedelta

    from temporalio import activity, workflow


    @activity.defn
    async def export(rows: int) -> None:
        for row in range(rows):
            activity.heartbeat(row)


    @workflow.defn
    class Export:
        @workflow.run
        async def run(self, rows: int) -> None:
            await workflow.execute_activity(
                export,
                rows,
                start_to_close_timeout=timedelta(hours=2),
                heartbeat_timeout=timedelta(seconds=30),
            )
    ```

    ## Fix safety
    No fix is offered: the timeout must be longer than the time between two heartbeats.
    """

    code = "DET202"
    name = "missing-heartbeat-timeout"
    severity = Severity.WARNING
    summary = "Heartbeating activity started without a heartbeat timeout"

    def effects(self, index: ProjectIndex, node: Node) -> Iterable[Effect]:
        known = catalog(index)
        for ref in node.function.references:
            call = activity_call(ref)
            if call is None or call.local or not call.options_known:
                continue
            timeout = call.option("heartbeat_timeout")
            if timeout is not None and not is_unset_timeout(timeout):
                continue
            targets = known.targets(call, node.module)
            if not targets or not all(known.heartbeats(target) for target in targets):
                continue
            shown = targets[0].function.qualname.removeprefix(targets[0].module.module + ".")
            yield Effect(
                code=self.code,
                what=(
                    f"the activity `{shown}` heartbeats, but `{call.display}` sets no `heartbeat_timeout`, "
                    "so a worker that dies mid-attempt is noticed only when the whole attempt times out"
                ),
                advice="pass `heartbeat_timeout=` a little longer than the time between two heartbeats",
                range=ref.range,
                leaf=call.display,
            )
