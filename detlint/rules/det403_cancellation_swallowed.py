from __future__ import annotations

import re

from detlint.analysis.nodes import own_descendants
from detlint.frameworks import temporal
from detlint.lazy import cst
from detlint.model import Severity
from detlint.rules._workflow import resolves_to
from detlint.rules.base import TreeRule

_BASE_EXCEPTION = "builtins.BaseException"


class CancellationSwallowed(TreeRule):
    """
    ## What it does
    Flags an `except` clause in workflow code that catches cancellation and does not raise:
    a bare `except:`, `except BaseException`, or `except asyncio.CancelledError` (alone or in a
    tuple), around code that can receive a cancellation (an `await`, `async for` or
    `async with`) or that continues as new. A handler that raises (re-raises the
    cancellation, or raises another error) is not flagged, nor is `except Exception`, which
    does not catch cancellation.

    ## Why is this bad?
    A workflow is cancelled by raising `asyncio.CancelledError` at the point where it waits,
    and a cancellation request is delivered only once. A handler that catches it and carries on
    denies the cancellation for good: the workflow keeps running (and keeps its resources)
    after a user asked for it to stop, and its final state is not "cancelled".
    `workflow.continue_as_new()` raises a `BaseException` too, which a bare `except:` or
    `except BaseException` swallows.

    ## What Temporal does
    - **Sandbox:** Not involved.
    - **On replay:** A cancellation request is delivered once, as `asyncio.CancelledError` where
      the workflow waits; once swallowed it is gone. `continue_as_new()` raises a
      `BaseException` too.
    - **What you would see:** No error: a workflow that keeps running after it was cancelled, or
      that never continues as new.

    ## Example
    ```python
    import asyncio
    from datetime import timedelta

    from temporalio import workflow


    @workflow.defn
    class Reminder:
        @workflow.run
        async def run(self) -> str:
            try:
                await workflow.sleep(timedelta(days=1))
            except asyncio.CancelledError:
                return "stopped early"
            return "reminded"
    ```

    ## Use instead
    Clean up, then let the cancellation go on:
    ```python
    import asyncio
    from datetime import timedelta

    from temporalio import workflow


    @workflow.defn
    class Reminder:
        @workflow.run
        async def run(self) -> str:
            try:
                await workflow.sleep(timedelta(days=1))
            except asyncio.CancelledError:
                workflow.logger.info("stopped early")
                raise
            return "reminded"
    ```

    ## Fix safety
    No fix is offered.
    """

    code = "DET403"
    name = "cancellation-swallowed"
    severity = Severity.WARNING
    summary = "Cancellation caught and not re-raised in workflow code"
    requires = re.compile(rb"except")

    def visit_Module(self, node, ctx) -> None:
        # Ids of `try` statements whose cancellation is not the workflow's: inside a handler
        # that re-raises it, in a nested function (run as a task), or awaiting a task the
        # code cancels itself.
        self._exempt: set[int] = set()

    def visit_FunctionDef(self, node: cst.FunctionDef, ctx) -> None:
        trys: list[cst.Try | cst.TryStar] = []
        cancelled: set[str] = set()  # `task.cancel()`: the names of tasks the code cancels itself
        for n in own_descendants(node.body):
            if type(n) is cst.Try or type(n) is cst.TryStar:
                trys.append(n)
            elif (
                type(n) is cst.Call
                and isinstance(n.func, cst.Attribute)
                and n.func.attr.value == "cancel"
                and isinstance(n.func.value, cst.Name)
            ):
                cancelled.add(n.func.value.value)
        if ctx.in_function_body:
            self._exempt.update(map(id, trys))
            return
        for statement in trys:
            awaited = [n.expression for n in own_descendants(statement.body) if isinstance(n, cst.Await)]
            if awaited and all(isinstance(a, cst.Name) and a.value in cancelled for a in awaited):
                self._exempt.add(id(statement))

    def visit_Try(self, node: cst.Try, ctx) -> None:
        self._check(node, ctx)

    def visit_TryStar(self, node: cst.TryStar, ctx) -> None:
        self._check(node, ctx)

    def _check(self, node: cst.Try | cst.TryStar, ctx) -> None:
        for handler in node.handlers:
            caught = self._catches_cancellation(handler, ctx)
            if caught is not None and any(isinstance(n, cst.Raise) and n.exc is None for n in ctx.walk(handler.body)):
                # Cleanup inside a handler that re-raises the cancellation may swallow its own.
                self._exempt.update(id(n) for n in ctx.walk(handler.body) if isinstance(n, (cst.Try, cst.TryStar)))
        if id(node) in self._exempt or not any(self._may_be_cancelled(n, ctx) for n in ctx.walk(node.body)):
            return
        for handler in node.handlers:
            caught = self._catches_cancellation(handler, ctx)
            if caught is None or any(self._raises(n, ctx) for n in ctx.walk(handler.body)):
                continue
            ctx.report(
                self,
                handler,
                f"{caught} catches the workflow's cancellation and does not re-raise it, "
                "so a cancelled workflow keeps running",
                "re-raise it after cleaning up (`raise`), or catch `Exception`",
                caught.removeprefix("a ").strip("`"),
            )

    @staticmethod
    def _may_be_cancelled(node: cst.CSTNode, ctx) -> bool:
        if isinstance(node, cst.Await):
            return True
        if isinstance(node, (cst.For, cst.With)) and node.asynchronous is not None:
            return True
        return resolves_to(node, {temporal.CONTINUE_AS_NEW}, ctx)

    @staticmethod
    def _catches_cancellation(handler: cst.ExceptHandler | cst.ExceptStarHandler, ctx) -> str | None:
        if handler.type is None:
            return "a bare `except:`"
        types = handler.type.elements if isinstance(handler.type, cst.Tuple) else None
        for expression in [e.value for e in types] if types is not None else [handler.type]:
            name = ctx.resolve(expression)
            if name == _BASE_EXCEPTION:
                return "`except BaseException`"
            if name in temporal.CANCELLED_ERRORS:
                return "`except asyncio.CancelledError`"
        return None

    @staticmethod
    def _raises(node: cst.CSTNode, ctx) -> bool:
        return isinstance(node, cst.Raise) or resolves_to(node, {temporal.CONTINUE_AS_NEW}, ctx)
