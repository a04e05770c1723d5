from detlint.fixes import SAFE, UNSAFE, WORKFLOW, replace_call
from detlint.frameworks import temporal
from detlint.model import Severity
from detlint.rules.base import Pattern, ReferenceRule

_NO_ARGUMENT_CLOCK_READS = frozenset({"time.localtime", "time.gmtime", "time.ctime", "time.asctime"})
# Reads with a workflow equivalent that returns the same kind of value.
_EPOCH_CLOCKS = {"time.time": "time", "time.time_ns": "time_ns"}
# Reads of a naive local (or naive UTC) time, for which `workflow.now()` is aware UTC.
_NAIVE_NOW = frozenset({"datetime.datetime.now", "datetime.datetime.utcnow", "datetime.datetime.today"})
_UTC = frozenset({"datetime.timezone.utc", "datetime.UTC"})


class WallClockRead(ReferenceRule):
    """
    ## What it does
    Flags reads of the wall clock in workflow code: `datetime.now()`, `datetime.utcnow()`,
    `datetime.today()`, `date.today()`, `time.time()`, `time.time_ns()`, the monotonic,
    performance and process clocks, `time.localtime()`/`gmtime()`/`ctime()`/`asctime()` without an
    argument, `time.strftime(fmt)` without a time tuple, and `pendulum.now()`, `arrow.now()`,
    `arrow.utcnow()`, `pandas.Timestamp.now()`.

    ## Why is this bad?
    Temporal replays workflow code against its recorded history after every crash, deploy and
    worker move. A replay runs later than the original execution, so the clock returns another
    value and any decision taken on it (a branch, a timer, an activity argument) can differ
    from the recorded one: the replay fails with a non-determinism error (TMPRL1100), or worse,
    silently takes another path. The Python sandbox rejects most of these calls at run time
    (`RestrictedWorkflowAccessError`), but only on the paths that happen to execute, and it lets
    through the argument-less `time.gmtime()`, `time.ctime()` and `time.asctime()`.

    ## What Temporal does
    - **Sandbox:** Calling `datetime.now()`, `utcnow()`, `today()`, `date.today()` or the `time`
      clocks while the workflow runs raises `RestrictedWorkflowAccessError`; the workflow task
      fails and is retried until a fixed worker is deployed. The argument-less `time.gmtime()`,
      `time.ctime()` and `time.asctime()` pass, and nothing is checked on paths that do not run.
    - **On replay:** The server compares the commands the code issues (activity and child types
      and ids, timers, patches) with history, not the values behind them. A time that decides a
      branch, a timer or an id changes the commands; a time that only reaches an activity's
      arguments replays without error but with another value than the one recorded.
    - **What you would see:** `RestrictedWorkflowAccessError` in the worker log; without the
      sandbox, a `[TMPRL1100]` non-determinism error on replay.

    ## Example
    ```python
    from datetime import datetime

    from temporalio import workflow


    @workflow.defn
    class Invoice:
        @workflow.run
        async def run(self) -> str:
            return datetime.now().isoformat()
    ```

    ## Use instead
    ```python
    from temporalio import workflow


    @workflow.defn
    class Invoice:
        @workflow.run
        async def run(self) -> str:
            return workflow.now().isoformat()
    ```
    `workflow.now()` is the time of the current workflow task, recorded in history, so a replay
    sees the same value. `workflow.time()` and `workflow.time_ns()` replace `time.time()` and
    `time.time_ns()`. Formatting a given time (`time.strftime(fmt, t)`, `datetime.timedelta`)
    is deterministic and not flagged.

    ## Fix safety
    `time.time()` becomes `workflow.time()` and `time.time_ns()` becomes `workflow.time_ns()`:
    safe, the same kind of number (seconds or nanoseconds since the epoch), read from the
    workflow's clock. `datetime.now(timezone.utc)` and `datetime.now(tz=timezone.utc)` (or
    `datetime.UTC`) become `workflow.now()`: safe, both are timezone-aware UTC datetimes.

    A naive `datetime.now()`, `datetime.today()` or `datetime.utcnow()` also becomes
    `workflow.now()`, but that fix is unsafe: `workflow.now()` is timezone-aware (UTC) where
    those return a naive datetime (local time, or UTC without a zone), so comparing the result
    with a naive datetime raises `TypeError`, and local-time arithmetic shifts by the host's
    offset. Apply it with `--unsafe-fixes` and check how the value is used.

    The fix adds `from temporalio import workflow` when the file does not import it, and removes
    an import it leaves unused. No fix is offered for the other clocks (monotonic, performance
    and process counters measure durations, not workflow time), for a time zone other than UTC,
    or at a module's top level, which runs at import time where `workflow.now()` raises.
    """

    code = "DET101"
    name = "wall-clock-read"
    severity = Severity.ERROR
    summary = "Wall-clock time read in workflow code"
    what = "{name} reads the wall clock, which differs on replay"
    advice = f"use `{temporal.NOW}`"
    patterns = (
        Pattern.call("datetime.datetime.now"),
        Pattern.call("datetime.datetime.utcnow"),
        Pattern.call("datetime.datetime.today"),
        Pattern.call("datetime.date.today"),
        Pattern.call("time.time", advice=f"use `{temporal.TIME}`"),
        Pattern.call("time.time_ns", advice=f"use `{temporal.TIME_NS}`"),
        *(
            Pattern.call(f"time.{name}", advice=f"use `{temporal.TIME}`")
            for name in (
                "monotonic",
                "monotonic_ns",
                "perf_counter",
                "perf_counter_ns",
                "process_time",
                "process_time_ns",
                "thread_time",
                "thread_time_ns",
            )
        ),
        *(Pattern.call(name, advice=f"pass `{temporal.NOW}` explicitly") for name in sorted(_NO_ARGUMENT_CLOCK_READS)),
        Pattern.call("time.strftime", advice=f"pass `{temporal.NOW}.timetuple()` as the time"),
        Pattern.call("pendulum.now"),
        Pattern.call("arrow.now"),
        Pattern.call("arrow.utcnow"),
        Pattern.call("pandas.Timestamp.now"),
        Pattern.call("pandas.Timestamp.utcnow"),
    )

    def applies(self, ref):
        if ref.arguments.starred:
            return ref.name not in _NO_ARGUMENT_CLOCK_READS and ref.name != "time.strftime"
        if ref.name in _NO_ARGUMENT_CLOCK_READS:
            return ref.arguments.count == 0
        if ref.name == "time.strftime":
            return ref.arguments.count == 1
        return True

    def fix(self, ref):
        if ref.arguments.starred:
            return None
        arguments = ref.arguments.items
        if ref.name in _EPOCH_CLOCKS and not arguments:
            replacement = f"{WORKFLOW}.{_EPOCH_CLOCKS[ref.name]}()"
            return replace_call(ref, replacement, SAFE, f"Replace with `{replacement}`")
        now = f"{WORKFLOW}.now()"
        if ref.name in _NAIVE_NOW and not arguments:
            return replace_call(ref, now, UNSAFE, f"Replace with `{now}` (timezone-aware UTC)")
        if ref.name == "datetime.datetime.now" and len(arguments) == 1:
            (zone,) = arguments
            if zone.keyword in (None, "tz") and zone.value in _UTC:
                return replace_call(ref, now, SAFE, f"Replace with `{now}`")
        return None
