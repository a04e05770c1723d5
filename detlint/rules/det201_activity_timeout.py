from detlint.analysis.commands import CommandCall
from detlint.frameworks import temporal
from detlint.model import Severity
from detlint.rules._activity_calls import ActivityCallRule


class MissingActivityTimeout(ActivityCallRule):
    """
    ## What it does
    Flags the activity calls of workflow code that set neither `start_to_close_timeout` nor
    `schedule_to_close_timeout`: all twelve of `workflow.execute_activity`,
    `start_activity`, `execute_activity_method`, `start_activity_method`,
    `execute_activity_class`, `start_activity_class` and their `_local_` twins. Options
    spread in from a dict or `workflow.ActivityConfig(...)` that detlint can read count as
    keywords; options spread in from anything else (`**options` received as a parameter) are
    unknown, and the call is not flagged.

    ## Why is this bad?
    Temporal needs a bound on an activity attempt. The SDK checks it when the workflow
    schedules the activity and raises `ValueError("Activity must have start_to_close_timeout
    or schedule_to_close_timeout")`. That error is not a workflow failure: the workflow task
    fails and is retried, again and again, until a fixed worker is deployed. No test that
    skips this code path notices. `schedule_to_start_timeout` alone does not count. A timeout
    of `None` or zero counts as missing too; DET210 reports that case.

    ## What Temporal does
    - **Sandbox:** Not involved: the SDK checks the options when the workflow schedules the
      activity.
    - **On replay:** The same check fails again on every attempt of the workflow task.
    - **What you would see:** `ValueError: Activity must have start_to_close_timeout or
      schedule_to_close_timeout` in the worker log, and the workflow stuck on a failing task
      (not failed).

    ## Example
    ```python
    from temporalio import workflow


    @workflow.defn
    class Checkout:
        @workflow.run
        async def run(self, order: str) -> str:
            return await workflow.execute_activity("charge", order)
    ```

    ## Use instead
    ```python
    from datetime import timedelta

    from temporalio import workflow


    @workflow.defn
    class Checkout:
        @workflow.run
        async def run(self, order: str) -> str:
            return await workflow.execute_activity(
                "charge", order, start_to_close_timeout=timedelta(seconds=30)
            )
    ```
    `start_to_close_timeout` bounds one attempt (the usual choice);
    `schedule_to_close_timeout` bounds the activity with all its retries.

    ## Fix safety
    No fix is offered: the right timeout depends on the activity.
    """

    code = "DET201"
    name = "activity-without-timeout"
    severity = Severity.ERROR
    summary = "Activity started without a start-to-close or schedule-to-close timeout"

    def problem(self, call: CommandCall) -> tuple[str, str] | None:
        if any(call.option(timeout) is not None for timeout in temporal.CLOSE_TIMEOUTS):
            return None
        return (
            f"`{call.display}` sets neither `start_to_close_timeout` nor `schedule_to_close_timeout`, "
            "so the SDK raises when the workflow reaches it and the workflow task fails until a fix is deployed",
            "set `start_to_close_timeout=` to the longest one attempt may take",
        )
