import ast
from typing import Iterable

from detlint.analysis.commands import CommandCall, is_unset_timeout, literal
from detlint.frameworks import temporal
from detlint.model import Severity
from detlint.rules._activity_calls import ActivityCallRule


class RejectedActivityOptions(ActivityCallRule):
    """
    ## What it does
    Flags activity calls in workflow code with options the SDK rejects when the call runs:

    * both a single argument (`arg`, the second positional argument) and a non-empty `args=`;
    * `heartbeat_timeout` or `task_queue` given to a local activity
      (`execute_local_activity`, `start_local_activity` and their `_method`/`_class` forms),
      which does not take them;
    * `start_to_close_timeout` and `schedule_to_close_timeout` where every one that is given
      is `None` or zero (`timedelta(0)`), so the activity has no timeout after all.

    Options spread in from a dict or `workflow.ActivityConfig(...)` that detlint can read are
    checked like keywords.

    ## Why is this bad?
    Each of these raises in the workflow when the call runs (`ValueError("Cannot have arg and
    args")`, a `TypeError` for the unknown keyword, `ValueError("Activity must have
    start_to_close_timeout or schedule_to_close_timeout")`). An exception that is not a
    Temporal failure fails the workflow task, which is retried until a fixed worker is
    deployed: the workflow is stuck, not failed.

    ## What Temporal does
    - **Sandbox:** Not involved: the SDK checks the options when the workflow calls it.
    - **On replay:** The same check fails again on every attempt of the workflow task.
    - **What you would see:** `ValueError` or `TypeError` in the worker log, and the workflow
      stuck on a failing task (not failed).

    ## Example
    ```python
    from datetime import timedelta

    from temporalio import workflow


    @workflow.defn
    class Lookup:
        @workflow.run
        async def run(self, key: str) -> str:
            return await workflow.execute_local_activity(
                "lookup",
                key,
                start_to_close_timeout=timedelta(seconds=5),
                heartbeat_timeout=timedelta(seconds=1),
            )
    ```

    ## Use instead
    ```python
    from datetime import timedelta

    from temporalio import workflow


    @workflow.defn
    class Lookup:
        @workflow.run
        async def run(self, key: str) -> str:
            return await workflow.execute_local_activity(
                "lookup", key, start_to_close_timeout=timedelta(seconds=5)
            )
    ```
    A local activity runs on the workflow's own worker and cannot heartbeat; run a long task
    as a regular activity (`workflow.execute_activity`) with a `heartbeat_timeout`.

    ## Fix safety
    No fix is offered.
    """

    code = "DET210"
    name = "rejected-activity-options"
    severity = Severity.ERROR
    summary = "Activity options the SDK rejects at run time"
    needs_known_options = False  # `arg`/`args` and local-only options are visible anyway

    def problem(self, call: CommandCall) -> tuple[str, str] | None:
        problems = list(_problems(call))
        if not problems:
            return None
        return (
            f"`{call.display}` is given options the SDK rejects when it runs: " + "; ".join(p for p, _ in problems),
            "; ".join(a for _, a in problems),
        )


def _problems(call: CommandCall) -> Iterable[tuple[str, str]]:
    positional = call.arguments.positional
    has_arg = len(positional) >= 2 or call.option("arg") is not None
    args = literal(call.option("args"))
    if has_arg and isinstance(args, (ast.List, ast.Tuple)) and args.elts:
        yield (
            "both `arg` and `args=` (`ValueError: Cannot have arg and args`)",
            "pass one argument positionally or all of them in `args=[...]`",
        )
    if call.local:
        for option in temporal.NOT_FOR_LOCAL_ACTIVITIES:
            if call.option(option) is not None:
                yield (
                    f"`{option}`, which a local activity does not take (`TypeError`)",
                    f"remove `{option}` (a local activity runs on the workflow's worker and does not heartbeat)",
                )
    if call.options_known:
        given = [call.option(t) for t in temporal.CLOSE_TIMEOUTS if call.option(t) is not None]
        if given and all(is_unset_timeout(g) for g in given):
            names = " and ".join(f"`{a.keyword}={a.source}`" for a in given)
            verb = "leave" if len(given) > 1 else "leaves"
            yield (
                f"{names} {verb} the activity without a timeout (`ValueError`)",
                "set `start_to_close_timeout=` to a positive duration",
            )
