from __future__ import annotations

from detlint.analysis.commands import catalog, is_activity
from detlint.analysis.facts import Effect
from detlint.analysis.index import Node, ProjectIndex
from detlint.lazy import cst
from detlint.model import Severity
from detlint.rules.base import ProjectRule, Role, TreeRule

_SLEEPS = frozenset({"time.sleep", "asyncio.sleep"})
# Methods that page or stream external data.
_PAGING = frozenset(
    {"paginate", "iter_pages", "iter_lines", "iter_content", "iter_bytes", "iter_text", "iter_chunks", "scan_iter", "scroll", "stream"}
)
_LONG_SLEEP_SECONDS = 60


class LongRunningWithoutHeartbeat(TreeRule, ProjectRule):
    """
    ## What it does
    Flags an activity (`@activity.defn`) that looks long-running but never heartbeats: its
    body has a `while True` loop, a loop that sleeps (polling), an `async for` over a stream,
    a `for` over paged or streamed data (`paginate(...)`, `iter_lines()`, `scan_iter()`,
    ...), or a single sleep of a minute or more, and neither it nor any project function it
    calls (a heartbeat task started with `asyncio.create_task(...)` counts) calls
    `activity.heartbeat()`. An activity wrapped in a project decorator that heartbeats, or
    in a decorator from a library (which may), is not flagged. Reported on the activity's
    `def` line.

    ## Why is this bad?
    Without heartbeats the server cannot tell a busy attempt from a dead one: when the worker
    dies, the attempt is only retried after its whole `start_to_close_timeout`, and a
    cancellation requested by the workflow never reaches the activity (cancellation is
    delivered with the heartbeat response). A long activity that heartbeats can also record
    its progress (`activity.heartbeat(page)`) and resume from it on the next attempt
    (`activity.info().heartbeat_details`).

    ## What Temporal does
    - **Sandbox:** Does not apply: activities run outside the workflow sandbox, and nothing
      restricts their I/O.
    - **On replay:** Activities are never replayed: an attempt's result is recorded in history
      once. What repeats is a retry: after a failure, a timeout or a lost worker the server
      starts a new attempt, by default with no limit on attempts. The server only notices a dead
      attempt when a timeout expires, and it delivers a cancellation with the response to a
      heartbeat.
    - **What you would see:** No error: a lost attempt retried hours late, and cancellations
      that never reach the activity.

    ## Example
    ```python
    import asyncio

    from temporalio import activity


    @activity.defn
    async def wait_for_export(job: str) -> None:
        while True:
            await asyncio.sleep(30)
    ```

    ## Use instead
    ```python
    import asyncio

    from temporalio import activity


    @activity.defn
    async def wait_for_export(job: str) -> None:
        while True:
            activity.heartbeat(job)
            await asyncio.sleep(30)
    ```
    and give the call a `heartbeat_timeout` (DET202).

    ## Fix safety
    No fix is offered.
    """

    code = "DET203"
    name = "long-running-without-heartbeat"
    severity = Severity.WARNING
    summary = "Long-running activity that never heartbeats"
    role = Role.ACTIVITY

    # -- while parsing: what makes the activity long-running --------------------------------

    def _in_activity(self, ctx) -> bool:
        return is_activity(ctx.function, self.settings.activity_decorators)

    def _candidate(self, ctx, why: str) -> None:
        function = ctx.function
        if any(e.code == self.code for e in function.effects):
            return
        function.effects.append(
            Effect(
                code=self.code,
                what=f"the activity `{function.display}` runs long ({why}) but never heartbeats, "
                "so a dead worker is noticed only when the attempt times out, and cancellation never reaches it",
                advice="call `activity.heartbeat()` in the loop and give its calls a `heartbeat_timeout`",
                range=function.range,
                leaf=f"{function.display}()",
            )
        )

    def visit_While(self, node: cst.While, ctx) -> None:
        if not self._in_activity(ctx):
            return
        test = node.test
        if (isinstance(test, cst.Name) and test.value == "True") or (isinstance(test, cst.Integer) and test.value != "0"):
            self._candidate(ctx, "a `while True` loop")
        elif self._sleeps(node.body, ctx):
            self._candidate(ctx, "a polling loop that sleeps")

    def visit_For(self, node: cst.For, ctx) -> None:
        if not self._in_activity(ctx):
            return
        if node.asynchronous is not None:
            self._candidate(ctx, "an `async for` over a stream")
        elif isinstance(node.iter, cst.Call) and (ctx.resolve(node.iter.func) or _method_name(node.iter.func)).rpartition(".")[2] in _PAGING:
            self._candidate(ctx, "a loop over paged or streamed data")
        elif self._sleeps(node.body, ctx):
            self._candidate(ctx, "a loop that sleeps")

    def visit_Call(self, node: cst.Call, ctx) -> None:
        if not self._in_activity(ctx) or ctx.resolve(node.func) not in _SLEEPS or not node.args:
            return
        seconds = _literal_seconds(node.args[0].value, ctx)
        if seconds is not None and seconds >= _LONG_SLEEP_SECONDS:
            self._candidate(ctx, "a long sleep")

    def _sleeps(self, body: cst.CSTNode, ctx) -> bool:
        return any(isinstance(n, cst.Call) and ctx.resolve(n.func) in _SLEEPS for n in ctx.walk(body))

    # -- once the project is known: does it heartbeat through a helper? -----------------------

    def withdraws(self, effect: Effect, index: ProjectIndex, node: Node) -> bool:
        return catalog(index).may_heartbeat(node)


def _method_name(func: cst.BaseExpression) -> str:
    return func.attr.value if isinstance(func, cst.Attribute) else ""


def _literal_seconds(node: cst.BaseExpression, ctx) -> float | None:
    if isinstance(node, (cst.Integer, cst.Float)):
        return float(node.evaluated_value)
    if isinstance(node, cst.Call) and (ctx.resolve(node.func) or "").endswith("timedelta"):
        units = ("days", "seconds", "microseconds", "milliseconds", "minutes", "hours", "weeks")
        factors = dict(zip(units, (86400, 1, 1e-6, 1e-3, 60, 3600, 604800)))
        total = 0.0
        for position, arg in enumerate(node.args):
            unit = arg.keyword.value if arg.keyword is not None else units[min(position, len(units) - 1)]
            if arg.star or unit not in factors or not isinstance(arg.value, (cst.Integer, cst.Float)):
                return None
            total += factors[unit] * float(arg.value.evaluated_value)
        return total
    return None
