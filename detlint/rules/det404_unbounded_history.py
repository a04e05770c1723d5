from __future__ import annotations

from typing import Iterator

from detlint.analysis.nodes import child_nodes, descendants
from detlint.analysis.scopes import dotted
from detlint.frameworks import temporal
from detlint.lazy import cst
from detlint.model import Severity
from detlint.rules._workflow import WorkflowClass, is_command, resolves_to
from detlint.rules.base import TreeRule

# Iterators that never end.
_ENDLESS = frozenset({"itertools.count", "itertools.cycle"})
# Operators by LibCST class name.
_COUNTERS = frozenset({"AddAssign", "SubtractAssign"})
_ORDERINGS = frozenset({"LessThan", "LessThanEqual", "GreaterThan", "GreaterThanEqual"})


class UnboundedHistory(TreeRule):
    """
    ## What it does
    Flags a loop without a bound in a workflow class (`while True:`, `while not self.done:`,
    `for _ in itertools.count():`) whose body starts activities or child workflows, sleeps or
    waits, in a workflow that never continues as new: no method of the class calls
    `workflow.continue_as_new()` or checks `workflow.info().is_continue_as_new_suggested()`
    (or the history length or size).

    A loop with a bound is not flagged: `for` over a collection or a `range`, a `while` whose
    condition compares a counter the body increments (`while attempt < 5: ... attempt += 1`),
    the length of a list the body appends to, or `workflow.now()` against a deadline.

    ## Why is this bad?
    Every activity, timer and wait adds events to the workflow's history, and a history has
    hard limits (51,200 events or 50 MB): the server terminates a workflow that reaches them.
    Long before that, a long history makes every replay slower. An entity workflow that loops
    for as long as it receives signals must start a fresh run now and then with
    `workflow.continue_as_new()`, carrying its state as the new run's input.

    ## What Temporal does
    - **Sandbox:** Not involved.
    - **On replay:** Every replay reads the whole history, so each one is slower than the last.
      The server warns at 10,240 events or 10 MB and terminates the execution at 51,200 events
      or 50 MB; `workflow.info().is_continue_as_new_suggested()` says when to start afresh.
    - **What you would see:** Slow workflow tasks, then an execution terminated for exceeding
      the history limit.

    ## Example
    ```python
    from datetime import timedelta

    from temporalio import activity, workflow


    @activity.defn
    async def poll_inbox() -> int:
        return 0


    @workflow.defn
    class InboxWatcher:
        @workflow.run
        async def run(self) -> None:
            while True:
                await workflow.execute_activity(
                    poll_inbox, schedule_to_close_timeout=timedelta(minutes=1)
                )
                await workflow.sleep(timedelta(minutes=5))
    ```

    ## Use instead
    ```python
    from datetime import timedelta

    from temporalio import activity, workflow


    @activity.defn
    async def poll_inbox() -> int:
        return 0


    @workflow.defn
    class InboxWatcher:
        @workflow.run
        async def run(self) -> None:
            while not workflow.info().is_continue_as_new_suggested():
                await workflow.execute_activity(
                    poll_inbox, schedule_to_close_timeout=timedelta(minutes=1)
                )
                await workflow.sleep(timedelta(minutes=5))
            workflow.continue_as_new()
    ```

    ## Fix safety
    No fix is offered.
    """

    code = "DET404"
    name = "unbounded-history"
    severity = Severity.WARNING
    summary = "Unbounded loop that grows history without continue-as-new"

    def visit_ClassDef(self, node: cst.ClassDef, ctx) -> None:
        view = WorkflowClass.of(node, ctx, self.settings)
        if view is None or view.mentions(lambda n: _continues_as_new(n, ctx)):
            return
        for method in view.methods.values():
            for loop in _unbounded_loops(method.node.body, ctx):
                ctx.report(
                    self,
                    loop,
                    "this loop has no bound and adds events to history on every pass, "
                    "and the workflow never continues as new",
                    "continue as new when `workflow.info().is_continue_as_new_suggested()`",
                    "unbounded loop",
                )


def _continues_as_new(node: cst.CSTNode, ctx) -> bool:
    if isinstance(node, cst.Attribute) and node.attr.value in temporal.HISTORY_CHECKS:
        return True
    return resolves_to(node, {temporal.CONTINUE_AS_NEW}, ctx)


def _unbounded_loops(node: cst.CSTNode, ctx) -> Iterator[cst.CSTNode]:
    """The outermost unbounded loops below `node` that grow history."""
    for child in child_nodes(node):
        kind = type(child)  # not `isinstance`, which is slow on LibCST's classes; none has subclasses
        if kind is cst.ClassDef:
            continue
        if (kind is cst.While or kind is cst.For) and not _bounded(child, ctx) and _grows_history(child, ctx):
            yield child
            continue
        yield from _unbounded_loops(child, ctx)


def _grows_history(loop: cst.While | cst.For, ctx) -> bool:
    return any(_grows(n, ctx) for n in descendants(loop.body))


def _grows(node: cst.CSTNode, ctx) -> bool:
    """An activity, child workflow, timer, wait, or external signal or cancel."""
    if not isinstance(node, cst.Call):
        return False
    name = ctx.resolve(node.func) or ""
    if name in temporal.HISTORY_GROWING_CALLS:
        return True
    return is_command(node, ctx) and name not in temporal.COMMAND_CALLS


def _bounded(loop: cst.While | cst.For, ctx) -> bool:
    if isinstance(loop, cst.For):
        iterable = loop.iter
        if isinstance(iterable, cst.Call):
            name = ctx.resolve(iterable.func)
            if name in _ENDLESS:
                return False
            if name == "itertools.repeat" and len(iterable.args) == 1:
                return False
            if name == "builtins.iter" and len(iterable.args) == 2:
                return False
        return True
    return _bounding(loop.test, loop, ctx)


def _bounding(test: cst.BaseExpression, loop: cst.While, ctx) -> bool:
    """Whether a `while` condition puts a bound on the loop."""
    if isinstance(test, cst.BooleanOperation):
        left, right = _bounding(test.left, loop, ctx), _bounding(test.right, loop, ctx)
        return (left or right) if isinstance(test.operator, cst.And) else (left and right)
    if not isinstance(test, cst.Comparison) or not all(type(c.operator).__name__ in _ORDERINGS for c in test.comparisons):
        return False
    sides = [test.left, *(c.comparator for c in test.comparisons)]
    counters = _counters(loop)
    for side in sides:
        for n in [side, *descendants(side)]:
            if isinstance(n, (cst.Name, cst.Attribute)) and _key(n) in counters:
                return True
            if isinstance(n, cst.Call) and ctx.resolve(n.func) in temporal.WORKFLOW_CLOCKS:
                return True
            if isinstance(n, cst.Call) and ctx.resolve(n.func) == "builtins.len" and n.args:
                if f"len:{_key(n.args[0].value)}" in counters:
                    return True
    return False


def _counters(loop: cst.While) -> set[str]:
    """Names the loop body counts with (`n += 1`) and lists it appends to (`len:results`)."""
    found: set[str] = set()
    for n in descendants(loop.body):
        if isinstance(n, cst.AugAssign) and type(n.operator).__name__ in _COUNTERS:
            found.add(_key(n.target))
        elif (
            isinstance(n, cst.Call)
            and isinstance(n.func, cst.Attribute)
            and n.func.attr.value in ("append", "extend", "add", "insert", "appendleft")
        ):
            found.add(f"len:{_key(n.func.value)}")
    found.discard("")
    found.discard("len:")
    return found


def _key(node: cst.BaseExpression) -> str:
    return dotted(node) or ""
