from __future__ import annotations

from typing import Iterator

from detlint.analysis.nodes import child_nodes, own_descendants
from detlint.frameworks import temporal
from detlint.lazy import cst
from detlint.model import Severity
from detlint.rules._workflow import (
    RUN,
    SIGNAL,
    UPDATE,
    Method,
    WorkflowClass,
    keyword_argument,
)
from detlint.rules.base import TreeRule

_ADVICE = "`await workflow.wait_condition(workflow.all_handlers_finished)` before returning"


class UnfinishedHandlers(TreeRule):
    """
    ## What it does
    Flags a workflow with `async` signal or update handlers that wait for something (they
    contain an `await`) whose run method may return before those handlers finish: a `return`
    not preceded by `await workflow.wait_condition(workflow.all_handlers_finished)` (or by a
    call of a method of the class that waits on it). A run method with no `return` that never
    waits is reported on its `def` line. Handlers declared with
    `unfinished_policy=HandlerUnfinishedPolicy.ABANDON` are not counted.

    ## Why is this bad?
    When the run method returns, the workflow completes and every handler still running is
    abandoned: an update's caller gets an error instead of its result, and a signal handler's
    remaining work (an activity it was awaiting, a state change after it) never happens. The
    SDK only logs a warning (TMPRL1102) when it happens.

    ## What Temporal does
    - **Sandbox:** Not involved.
    - **On replay:** Not compared: the workflow completed while the handlers ran.
    - **What you would see:** The warning `[TMPRL1102] Workflow finished while update handlers
      are still running` (or signal handlers) in the worker log, and an error for the update's
      caller.

    ## Example
    ```python
    from datetime import timedelta

    from temporalio import activity, workflow


    @activity.defn
    async def store(note: str) -> None: ...


    @workflow.defn
    class Notebook:
        def __init__(self) -> None:
            self.closed = False

        @workflow.run
        async def run(self) -> None:
            await workflow.wait_condition(lambda: self.closed, timeout=timedelta(days=7))
            return None

        @workflow.signal
        async def write(self, note: str) -> None:
            await workflow.execute_activity(
                store, note, schedule_to_close_timeout=timedelta(minutes=1)
            )

        @workflow.signal
        def close(self) -> None:
            self.closed = True
    ```

    ## Use instead
    ```python
    from datetime import timedelta

    from temporalio import activity, workflow


    @activity.defn
    async def store(note: str) -> None: ...


    @workflow.defn
    class Notebook:
        def __init__(self) -> None:
            self.closed = False

        @workflow.run
        async def run(self) -> None:
            await workflow.wait_condition(lambda: self.closed, timeout=timedelta(days=7))
            await workflow.wait_condition(workflow.all_handlers_finished)
            return None

        @workflow.signal
        async def write(self, note: str) -> None:
            await workflow.execute_activity(
                store, note, schedule_to_close_timeout=timedelta(minutes=1)
            )

        @workflow.signal
        def close(self) -> None:
            self.closed = True
    ```

    ## Fix safety
    No fix is offered.
    """

    code = "DET408"
    name = "unfinished-handlers"
    severity = Severity.WARNING
    summary = "Workflow may return while async signal or update handlers still run"

    def visit_ClassDef(self, node: cst.ClassDef, ctx) -> None:
        view = WorkflowClass.of(node, ctx, self.settings)
        if view is None:
            return
        handlers = [m for m in view.of_kind(SIGNAL, UPDATE) if _may_be_unfinished(m, ctx)]
        if not handlers:
            return
        direct = {m.name for m in view.methods.values() if any(_is_all_finished(n, ctx) for n in own_descendants(m.node.body))}
        waiting = {m for m in view.methods if view.closure([m]) & direct}
        names = ", ".join(f"`{m.name}`" for m in handlers)
        for run in view.of_kind(RUN):
            body = run.node.body
            early = list(_early_returns(body.body, run, waiting, ctx)) if isinstance(body, cst.IndentedBlock) else []
            for statement in early:
                what = f"the workflow may return here while the async handlers {names} still run"
                ctx.report(self, statement, what, _ADVICE, "return")
            if early or any(_returns(body)) or any(_waits(n, run, waiting, ctx) for n in own_descendants(body)):
                continue
            what = f"the run method may finish while the async handlers {names} still run"
            ctx.report(self, run.node.name, what, _ADVICE, "run")


def _may_be_unfinished(method: Method, ctx) -> bool:
    """An `async` handler that can suspend (so it can still be running), not declared
    abandonable."""
    if not method.is_async or not any(_suspends(n) for n in own_descendants(method.node.body)):
        return False
    policy = keyword_argument(method.decorator, temporal.UNFINISHED_POLICY) if method.decorator else None
    return policy is None or ctx.resolve(policy.value) != temporal.ABANDON_POLICY


def _suspends(node: cst.CSTNode) -> bool:
    return isinstance(node, cst.Await) or (isinstance(node, (cst.For, cst.With)) and node.asynchronous is not None)


def _is_all_finished(node: cst.CSTNode, ctx) -> bool:
    return isinstance(node, (cst.Name, cst.Attribute)) and ctx.resolve(node) == temporal.ALL_HANDLERS_FINISHED


def _waits(node: cst.CSTNode, run: Method, waiting: set[str], ctx) -> bool:
    """`workflow.all_handlers_finished` named here, or `self.m()` for a method that waits on it."""
    if _is_all_finished(node, ctx):
        return True
    return (
        isinstance(node, cst.Call)
        and isinstance(node.func, cst.Attribute)
        and isinstance(node.func.value, cst.Name)
        and node.func.value.value == run.receiver
        and node.func.attr.value in waiting
    )


def _returns(node: cst.CSTNode) -> Iterator[cst.Return]:
    for n in own_descendants(node):
        if isinstance(n, cst.Return):
            yield n


def _early_returns(statements, run: Method, waiting: set[str], ctx) -> Iterator[cst.Return]:
    """Returns that no earlier statement of their block, or of an enclosing block, waits before."""
    for statement in statements:
        contains_wait = any(_waits(n, run, waiting, ctx) for n in [statement, *own_descendants(statement)])
        if not contains_wait:
            yield from ([statement] if isinstance(statement, cst.Return) else _returns(statement))
            continue
        if isinstance(statement, cst.SimpleStatementLine):
            return  # the wait is in this statement: everything after it has waited
        for block in _blocks(statement):
            yield from _early_returns(block, run, waiting, ctx)
        return


def _blocks(statement: cst.CSTNode) -> Iterator[list[cst.CSTNode]]:
    """The statement lists directly inside a compound statement."""
    for child in child_nodes(statement):
        if isinstance(child, cst.IndentedBlock):
            yield list(child.body)
        elif isinstance(child, cst.SimpleStatementSuite):
            yield list(child.body)
        elif isinstance(child, (cst.Else, cst.If, cst.ExceptHandler, cst.ExceptStarHandler, cst.Finally)):
            yield from _blocks(child)
