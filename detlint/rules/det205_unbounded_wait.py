from typing import Iterable, Iterator

import libcst as cst

from detlint.frameworks import temporal
from detlint.model import Range, Severity
from detlint.rules.base import TreeRule

_HANDLERS = frozenset({temporal.SIGNAL_DECORATOR, temporal.UPDATE_DECORATOR})


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
    * a condition on state no handler sets (a join of the workflow's own tasks).

    ## Why is this bad?
    A human-in-the-loop or callback wait without a timeout waits forever when the approver
    is on holiday, the callback was lost or the other system was retired. The workflow stays
    open, silently, and nobody is told: there is no escalation, no reminder, no failure to
    alert on. With a timeout, `wait_condition` raises `asyncio.TimeoutError` and the workflow
    can remind, escalate, or fail visibly. The timer is durable: it survives worker restarts
    and costs nothing while it waits.

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
        self._handler_writes: dict[str, set[str]] = {}  # workflow class -> attributes handlers set
        self._method_reads: dict[str, dict[str, set[str]]] = {}  # class -> method -> attributes it reads
        self._loops: dict[str, list[Range]] = {}  # function qualname -> its loops

    def visit_Module(self, node: cst.Module, ctx) -> None:
        self._reset()

    def visit_ClassDef(self, node: cst.ClassDef, ctx) -> None:
        workflow_decorators = {temporal.WORKFLOW_DEFN, *self.settings.workflow_decorators}
        if not any(_decorator_name(d, ctx) in workflow_decorators for d in node.decorators):
            return
        qualname = f"{ctx.module}.{node.name.value}"
        writes: set[str] = set()
        reads: dict[str, set[str]] = {}
        for method in node.body.body:
            if not isinstance(method, cst.FunctionDef) or not method.params.params:
                continue
            receiver = method.params.params[0].name.value
            reads[method.name.value] = set(_attributes_read(method.body, receiver))
            if any(_decorator_name(d, ctx) in _HANDLERS for d in method.decorators):
                writes.update(_attributes_written(method.body, receiver))
        self._handler_writes[qualname] = writes
        self._method_reads[qualname] = reads

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
        waited_on = self._condition_reads(call.args[0].value, cls, ctx)
        if not waited_on or not waited_on & self._handler_writes[cls]:
            return
        where = ctx.range(call)
        if any(_contains(loop, where) for loop in self._loops.get(ctx.function.qualname, ())):
            return
        shown = ", ".join(f"`self.{name}`" for name in sorted(waited_on & self._handler_writes[cls]))
        ctx.report(
            self,
            call,
            f"`workflow.wait_condition()` waits for {shown}, set by a signal or update handler, with no timeout: "
            "if the answer never comes the workflow waits forever and nobody is told",
            "pass `timeout=` and escalate on `asyncio.TimeoutError` (remind, fail, or hand over)",
            "workflow.wait_condition()",
        )

    def _condition_reads(self, condition: cst.BaseExpression, cls: str, ctx) -> set[str]:
        """The workflow attributes a condition reads; empty when it cannot be told."""
        if isinstance(condition, cst.Lambda):
            return {
                n.attr.value
                for n in _descendants(condition.body)
                if isinstance(n, cst.Attribute) and isinstance(n.value, cst.Name) and ctx.resolve(n.value) == f"{cls}()"
            }
        if isinstance(condition, cst.Attribute) and ctx.resolve(condition.value) == f"{cls}()":
            return self._method_reads.get(cls, {}).get(condition.attr.value, set())
        return set()


def _unbounded(call: cst.Call) -> bool:
    if any(arg.star for arg in call.args):
        return False  # **options may carry a timeout
    timeout = next((arg for arg in call.args if arg.keyword is not None and arg.keyword.value == "timeout"), None)
    return timeout is None or (isinstance(timeout.value, cst.Name) and timeout.value.value == "None")


def _decorator_name(decorator: cst.Decorator, ctx) -> str | None:
    expression = decorator.decorator
    return ctx.resolve(expression.func if isinstance(expression, cst.Call) else expression)


def _contains(outer: Range, inner: Range) -> bool:
    return outer.start <= inner.start and inner.end <= outer.end


def _descendants(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    for child in node.children:
        yield child
        yield from _descendants(child)


def _receiver_attribute(node: cst.BaseExpression, receiver: str) -> str | None:
    """`x` for `self.x`, `self.x[k]`, `self.x.y`."""
    while isinstance(node, cst.Subscript) or (isinstance(node, cst.Attribute) and isinstance(node.value, cst.Attribute)):
        node = node.value
    if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name) and node.value.value == receiver:
        return node.attr.value
    return None


def _attributes_read(body: cst.CSTNode, receiver: str) -> Iterable[str]:
    for n in _descendants(body):
        if isinstance(n, cst.Attribute) and isinstance(n.value, cst.Name) and n.value.value == receiver:
            yield n.attr.value


def _attributes_written(body: cst.CSTNode, receiver: str) -> Iterable[str]:
    """Attributes a handler assigns (`self.x = ...`, `self.x[k] = ...`, `self.x += ...`) or
    changes through a method (`self.x.append(...)`)."""
    for n in _descendants(body):
        targets: list[cst.BaseExpression] = []
        if isinstance(n, cst.Assign):
            targets = [t.target for t in n.targets]
        elif isinstance(n, (cst.AugAssign, cst.AnnAssign)):
            targets = [n.target]
        elif isinstance(n, cst.Call) and isinstance(n.func, cst.Attribute):
            targets = [n.func.value]
        for target in targets:
            elements = [e.value for e in target.elements] if isinstance(target, (cst.Tuple, cst.List)) else [target]
            for element in elements:
                name = _receiver_attribute(element, receiver)
                if name:
                    yield name
