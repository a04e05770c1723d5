from detlint.analysis.commands import CommandCall, is_none, is_unset_timeout, retry_policy
from detlint.model import Severity
from detlint.rules._activity_calls import ActivityCallRule


class UnboundedActivityRetries(ActivityCallRule):
    """
    ## What it does
    Flags activity calls in workflow code whose retries have no end: no
    `schedule_to_close_timeout`, and no `retry_policy` with a positive `maximum_attempts`.
    A retry policy detlint cannot read (a variable, a helper's result) or options spread in
    from an unknown `**options` are given the benefit of the doubt. Off by default: enable it
    with `--extend-select DET206`.

    ## Why is this bad?
    Without a retry policy an activity is retried with the server's default policy: with
    exponential backoff, forever (`maximum_attempts=0` means no limit). A
    `start_to_close_timeout` bounds one attempt, not the retries. An activity that fails for
    good (a bug, a deleted record, a revoked credential) keeps the workflow waiting, silently,
    until someone notices. Many teams want exactly that for transient outages, which is why
    the rule is off by default; turn it on where a stuck workflow is worse than a failed one.

    ## What Temporal does
    - **Sandbox:** Not involved.
    - **On replay:** The retry policy is not compared: adding one to a running workflow's code
      is safe.
    - **What you would see:** No error: an activity whose attempt count grows forever.

    ## Example
    ```python
    from datetime import timedelta

    from temporalio import workflow


    @workflow.defn
    class Notify:
        @workflow.run
        async def run(self, user: str) -> None:
            await workflow.execute_activity(
                "send_email", user, start_to_close_timeout=timedelta(seconds=10)
            )
    ```

    ## Use instead
    ```python
    from datetime import timedelta

    from temporalio import workflow
    from temporalio.common import RetryPolicy


    @workflow.defn
    class Notify:
        @workflow.run
        async def run(self, user: str) -> None:
            await workflow.execute_activity(
                "send_email",
                user,
                start_to_close_timeout=timedelta(seconds=10),
                retry_policy=RetryPolicy(maximum_attempts=5),
            )
    ```
    Or bound the total time with `schedule_to_close_timeout=timedelta(hours=1)`.

    ## Fix safety
    No fix is offered.
    """

    code = "DET206"
    name = "unbounded-activity-retries"
    severity = Severity.INFO
    summary = "Activity retried without end: no maximum attempts and no schedule-to-close timeout"
    default_enabled = False

    def problem(self, call: CommandCall) -> tuple[str, str] | None:
        deadline = call.option("schedule_to_close_timeout")
        if deadline is not None and not is_unset_timeout(deadline):
            return None
        policy_argument = call.option("retry_policy")
        if policy_argument is not None and not is_none(policy_argument):
            policy = retry_policy(policy_argument)
            if policy is None or policy.maximum_attempts is None or policy.maximum_attempts > 0:
                return None
        return (
            f"`{call.display}` has no `schedule_to_close_timeout` and no `maximum_attempts`, "
            "so an activity that keeps failing is retried forever",
            "pass `retry_policy=RetryPolicy(maximum_attempts=...)` or a `schedule_to_close_timeout`",
        )
