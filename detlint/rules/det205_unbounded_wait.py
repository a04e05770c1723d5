from __future__ import annotations

import re
from typing import Iterable, Iterator

from detlint.analysis.nodes import child_nodes, walk_below
from detlint.frameworks import temporal
from detlint.lazy import cst
from detlint.model import Range, Severity
from detlint.rules.base import TreeRule

_HANDLERS = frozenset({temporal.WORKFLOW_SIGNAL, temporal.WORKFLOW_UPDATE})
# Flags that tell a long-lived workflow to end (`self.exit`, `self._done`, `self.is_complete`):
# waiting for one of those is the workflow's lifetime, not a wait for an answer.
_LIFECYCLE_WORDS = frozenset(
    {
        "exit", "done", "complete", "completed", "finish", "finished", "close", "closed", "shutdown",
        "stop", "stopped", "end", "ended", "terminate", "terminated", "quit", "cancel", "cancelled", "canceled",
    }
)  # fmt: skip
# Methods that change a container in place (`self.replies.append(...)`).
_MUTATORS = frozenset(
    {
        "append", "extend", "insert", "remove", "pop", "popitem", "clear", "update", "setdefault",
        "add", "discard", "appendleft", "extendleft", "popleft", "put", "put_nowait", "set",
    }
)  # fmt: skip


class UnboundedWait(TreeRule):
    """
    ## What it does
    Flags `await workflow.wait_condition(...)` without a `timeout=` (or with `timeout=None`)
    when it waits for someone outside the workflow: its condition reads state that a signal
    or update handler of the workflow sets (an approval, a callback, a reply). The wait is
    left alone when it has an escalation path detlint can see or when waiting forever is the
    workflow's nature:

    * a wait inside a loop (an entity or message-processing workflow waiting for its next
      message);
    * `wait_condition(workflow.all_handlers_finished)`;
    * a wait that is not awaited directly (passed to `asyncio.wait_for`, raced in
      `workflow.wait`, or started as a task), whose caller can bound it;
    * a condition on state no handler sets (a join of the workflow's own tasks, a handler
      waiting for the run method), counting only handlers other than the one that waits;
    * a condition that also ends the run when history grows
      (`workflow.info().is_continue_as_new_suggested()`);
    * a flag that tells a long-lived workflow to end (`self.exit`, `self._done`,
      `self.is_complete`, `self.closed`, ...): waiting for it is the workflow's lifetime.

    ## Why is this bad?
    A human-in-the-loop or callback wait without a timeout waits forever when the approver
    is on holiday, the callback was lost or the other system was retired. The workflow stays
    open, silently, and nobody is told: there is no escalation, no reminder, no failure to
    alert on. With a timeout, `wait_condition` raises `asyncio.TimeoutError` and the workflow
    can remind, escalate, or fail visibly. The timer is durable: it survives worker restarts
    and costs nothing while it waits.

    ## What Temporal does
    - **Sandbox:** Not involved.
    - **On replay:** A `wait_condition` without a timeout starts no timer; adding a timeout
      later adds a timer command, which running executions do not have (see DET505).
    - **What you would see:** No error: a workflow that stays open forever, silently.

    ## Example
    ```python
    from temporalio import workflow


    @workflow.defn
    class Expense:
        def __init__(self) -> None:
            self.approved: bool | None = None

        @workflow.run
        async def run(self) -> bool:
            await workflow.wait_condition(lambda: self.approved is not None)
            return bool(self.approved)

        @workflow.signal
        def decide(self, approved: bool) -> None:
            self.approved = approved
    ```

    ## Use instead
    ```python
    import asyncio
    from datetime import timedelta

    from temporalio import workflow
    from temporalio.exceptions import ApplicationError


    @workflow.defn
    class Expense:
        def __init__(self) -> None:
            self.approved: bool | None = None

        @workflow.run
        async def run(self) -> bool:
            try:
                await workflow.wait_condition(
                    lambda: self.approved is not None, timeout=timedelta(days=3)
                )
            except asyncio.TimeoutError:
                raise ApplicationError("no decision within 3 days", non_retryable=True)
            return bool(self.approved)

        @workflow.signal
        def decide(self, approved: bool) -> None:
            self.approved = approved
    ```
    Escalating (notify a manager, then wait again with a longer timeout) works the same way.

    ## Fix safety
    No fix is offered: the timeout and what to do when it expires are decisions.
    """

    code = "DET205"
    name = "unbounded-wait"
    severity = Severity.WARNING
    summary = "Wait for a signal or update with no timeout or escalation path"

    def __init__(self, settings) -> None:
        super().__init__(settings)
        self._reset()

    def _reset(self) -> None:
        # workflow class -> handler method -> the attribute paths it sets (`approved`, `state.done`)
        self._handler_writes: dict[str, dict[str, set[str]]] = {}
        self._methods: dict[str, dict[str, tuple[cst.FunctionDef, str]]] = {}  # class -> method -> (def, receiver)
        self._loops: dict[str, list[Range]] = {}  # function qualname -> its loops

    def visit_Module(self, node: cst.Module, ctx) -> None:
        self._reset()

    def visit_ClassDef(self, node: cst.ClassDef, ctx) -> None:
        workflow_decorators = {temporal.WORKFLOW_DEFN, *self.settings.workflow_decorators}
        if not any(_decorator_name(d, ctx) in workflow_decorators for d in node.decorators):
            return
        qualname = f"{ctx.module}.{node.name.value}"
        writes: dict[str, set[str]] = {}
        methods: dict[str, tuple[cst.FunctionDef, str]] = {}
        for method in node.body.body:
            if not isinstance(method, cst.FunctionDef) or not method.params.params:
                continue
            receiver = method.params.params[0].name.value
            methods[method.name.value] = (method, receiver)
            if any(_decorator_name(d, ctx) in _HANDLERS for d in method.decorators):
                writes[method.name.value] = set(_paths_written(method.body, receiver))
        self._handler_writes[qualname] = writes
        self._methods[qualname] = methods

    def visit_While(self, node: cst.While, ctx) -> None:
        self._loops.setdefault(ctx.function.qualname, []).append(ctx.range(node))

    def visit_For(self, node: cst.For, ctx) -> None:
        self._loops.setdefault(ctx.function.qualname, []).append(ctx.range(node))

    def visit_Expr(self, node: cst.Expr, ctx) -> None:
        self._check(node.value, ctx)

    def visit_Assign(self, node: cst.Assign, ctx) -> None:
        self._check(node.value, ctx)

    def visit_AnnAssign(self, node: cst.AnnAssign, ctx) -> None:
        self._check(node.value, ctx)

    def visit_Return(self, node: cst.Return, ctx) -> None:
        self._check(node.value, ctx)

    def _check(self, value: cst.BaseExpression | None, ctx) -> None:
        """`await workflow.wait_condition(...)` awaited right where it stands."""
        if not isinstance(value, cst.Await) or not isinstance(value.expression, cst.Call):
            return
        call = value.expression
        if ctx.resolve(call.func) != temporal.WAIT_CONDITION or not _unbounded(call):
            return
        cls = ctx.function.class_qualname
        if cls not in self._handler_writes or not call.args or call.args[0].keyword is not None:
            return
        condition = call.args[0].value
        if _asks_for_continue_as_new(condition, ctx):
            return  # a long-lived workflow that ends its run when the history grows
        # Set by a handler other than the one waiting (which may set it itself, then wait for
        # the run method to answer).
        waiting_in = ctx.function.qualname.rpartition(".")[2]
        written = {path for handler, paths in self._handler_writes[cls].items() if handler != waiting_in for path in paths}
        waited_on = sorted(r for r in self._condition_reads(condition, cls, ctx) if any(_overlap(r, w) for w in written))
        if not waited_on or all(_is_lifecycle_flag(path) for path in waited_on):
            return
        where = ctx.range(call)
        if any(_contains(loop, where) for loop in self._loops.get(ctx.function.qualname, ())):
            return
        shown = ", ".join(f"`self.{path}`" for path in waited_on)
        ctx.report(
            self,
            call,
            f"`workflow.wait_condition()` waits for {shown}, set by a signal or update handler, with no timeout: "
            "if the answer never comes the workflow waits forever and nobody is told",
            "pass `timeout=` and escalate on `asyncio.TimeoutError` (remind, fail, or hand over)",
            "workflow.wait_condition()",
        )

    def _condition_reads(self, condition: cst.BaseExpression, cls: str, ctx) -> set[str]:
        """The workflow attribute paths a condition reads; empty when it cannot be told."""
        if isinstance(condition, cst.Lambda):
            return {path for path, root in _attribute_paths(condition.body) if ctx.resolve(root) == f"{cls}()"}
        if isinstance(condition, cst.Attribute) and ctx.resolve(condition.value) == f"{cls}()":
            method = self._methods.get(cls, {}).get(condition.attr.value)
            return _paths_read(method[0].body, method[1]) if method else set()
        return set()


def _unbounded(call: cst.Call) -> bool:
    if any(arg.star for arg in call.args):
        return False  # **options may carry a timeout
    timeout = next((arg for arg in call.args if arg.keyword is not None and arg.keyword.value == "timeout"), None)
    return timeout is None or (isinstance(timeout.value, cst.Name) and timeout.value.value == "None")


def _is_lifecycle_flag(path: str) -> bool:
    name = path.rpartition(".")[2]
    words = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).lower().split("_")
    return bool(_LIFECYCLE_WORDS.intersection(words))


def _asks_for_continue_as_new(condition: cst.BaseExpression, ctx) -> bool:
    return any(
        isinstance(n, cst.Attribute) and n.attr.value == "is_continue_as_new_suggested" for n in walk_below(condition)
    )


def _decorator_name(decorator: cst.Decorator, ctx) -> str | None:
    expression = decorator.decorator
    return ctx.resolve(expression.func if isinstance(expression, cst.Call) else expression)


def _contains(outer: Range, inner: Range) -> bool:
    return outer.start <= inner.start and inner.end <= outer.end


def _overlap(read: str, written: str) -> bool:
    """`state` written covers `state.done` read, and `state.done` written changes `state` read."""
    return read == written or read.startswith(written + ".") or written.startswith(read + ".")



def _path(node: cst.BaseExpression) -> tuple[str, cst.BaseExpression] | None:
    """(`state.done`, the `self` name node) for `self.state.done`; a subscript ends the path
    (`self.items[k].x` is `items`)."""
    names: list[str] = []
    while True:
        if isinstance(node, cst.Attribute):
            names.append(node.attr.value)
            node = node.value
        elif isinstance(node, cst.Subscript):
            names.clear()
            node = node.value
        elif isinstance(node, cst.Name) and names:
            return ".".join(reversed(names)), node
        else:
            return None


def _attribute_paths(node: cst.CSTNode) -> Iterator[tuple[str, cst.Name]]:
    """The longest attribute paths read in `node` (not their prefixes)."""
    if isinstance(node, cst.Attribute):
        found = _path(node)
        if found is not None:
            yield found  # type: ignore[misc]
            # Subscripts inside the path (`self.items[self.k]`) hold reads of their own.
            for part in walk_below(node):
                if isinstance(part, cst.SubscriptElement):
                    yield from _attribute_paths(part)
            return
    for child in child_nodes(node):
        yield from _attribute_paths(child)


def _paths_read(body: cst.CSTNode, receiver: str) -> set[str]:
    return {path for path, root in _attribute_paths(body) if root.value == receiver}


def _paths_written(body: cst.CSTNode, receiver: str) -> Iterable[str]:
    """Attribute paths a handler assigns (`self.x = ...`, `self.x[k] = ...`, `self.s.done +=
    ...`) or changes in place (`self.x.append(...)`)."""
    for n in walk_below(body):
        targets: list[cst.BaseExpression] = []
        if isinstance(n, cst.Assign):
            targets = [t.target for t in n.targets]
        elif isinstance(n, (cst.AugAssign, cst.AnnAssign)):
            targets = [n.target]
        elif isinstance(n, cst.Call) and isinstance(n.func, cst.Attribute) and n.func.attr.value in _MUTATORS:
            targets = [n.func.value]
        for target in targets:
            elements = [e.value for e in target.elements] if isinstance(target, (cst.Tuple, cst.List)) else [target]
            for element in elements:
                found = _path(element)
                if found is not None and found[1].value == receiver:
                    yield found[0]
