import libcst as cst

from detlint.frameworks import temporal
from detlint.model import Severity
from detlint.rules.base import TreeRule

# Builtins whose result depends on the order they consume their argument in.
_ORDER_SENSITIVE_CALLS = frozenset(
    f"builtins.{name}" for name in ("list", "tuple", "enumerate", "iter", "zip", "map", "filter")
)
# Consumers for which the order does not matter: a generator over a set passed to them is fine.
_ORDER_INSENSITIVE_CALLS = frozenset(
    f"builtins.{name}" for name in ("sorted", "sum", "any", "all", "min", "max", "len", "set", "frozenset")
)
_PROCESS_IDENTITY = {"builtins.hash": "hash()", "builtins.id": "id()"}
_SET_ORDERED_WAITS = {"asyncio.wait": temporal.WAIT, "asyncio.as_completed": temporal.AS_COMPLETED}


class UnorderedIteration(TreeRule):
    """
    ## What it does
    Flags order and identity that vary from one process to the next, in workflow code:
    iterating a `set` or `frozenset` (a `for` loop, a list, dict or generator comprehension,
    `list()`, `tuple()`, `enumerate()`, `iter()`, `zip()`, `map()`, `filter()`, `str.join()`,
    unpacking, `set.pop()`), `hash()` and `id()`, and `asyncio.wait()` and
    `asyncio.as_completed()`, which order their results through a set.

    A set counts as a set when detlint can see it: a literal, a set comprehension, `set(...)`,
    `frozenset(...)`, set operations, or a local or `self` attribute assigned one of those.

    ## Why is this bad?
    The order of a set of strings depends on the process's hash seed (`PYTHONHASHSEED`), so
    the worker that replays a workflow may walk the same set in another order and schedule
    activities in another sequence than history recorded. `id()` is a memory address. The SDK
    warns about `asyncio.wait()` and `asyncio.as_completed()` and ships deterministic versions.

    ## Example
    ```python
    from datetime import timedelta

    from temporalio import workflow


    @workflow.defn
    class Notify:
        @workflow.run
        async def run(self, emails: list[str]) -> None:
            for email in set(emails):
                await workflow.execute_activity(
                    "send", email, start_to_close_timeout=timedelta(seconds=10)
                )
    ```

    ## Use instead
    ```python
    from datetime import timedelta

    from temporalio import workflow


    @workflow.defn
    class Notify:
        @workflow.run
        async def run(self, emails: list[str]) -> None:
            for email in sorted(set(emails)):
                await workflow.execute_activity(
                    "send", email, start_to_close_timeout=timedelta(seconds=10)
                )
    ```
    A generator over a set consumed by an order-blind function (`sorted`, `sum`, `any`,
    `all`, `min`, `max`, `len`, `set`) and a set comprehension are not flagged.

    ## Fix safety
    No fix is offered yet.
    """

    code = "DET109"
    name = "unordered-iteration"
    severity = Severity.WARNING
    summary = "Set iteration order, hash() or id() in workflow code"

    def visit_Module(self, node, ctx) -> None:
        self._order_blind: set[int] = set()

    def _report_set(self, node: cst.CSTNode, ctx, how: str) -> None:
        ctx.report(
            self,
            node,
            f"{how} walks a set, whose order can differ on the worker that replays",
            "iterate `sorted(...)` or keep the items in a list or dict",
            "set iteration",
        )

    def visit_For(self, node: cst.For, ctx) -> None:
        if ctx.is_set(node.iter):
            self._report_set(node, ctx, "this loop")

    def _visit_comprehension(self, node: cst.BaseComp, ctx) -> None:
        if id(node) in self._order_blind or isinstance(node, cst.SetComp):
            return
        comp_for = node.for_in
        while comp_for is not None:
            if ctx.is_set(comp_for.iter):
                self._report_set(node, ctx, "this comprehension")
                return
            comp_for = comp_for.inner_for_in

    visit_ListComp = visit_DictComp = visit_GeneratorExp = _visit_comprehension

    def visit_Call(self, node: cst.Call, ctx) -> None:
        name = ctx.resolve(node.func)
        if name in _ORDER_INSENSITIVE_CALLS:
            self._order_blind.update(id(arg.value) for arg in node.args)
        elif name in _ORDER_SENSITIVE_CALLS and any(ctx.is_set(arg.value) for arg in node.args):
            self._report_set(node, ctx, f"`{name.removeprefix('builtins.')}()`")
        elif name in _PROCESS_IDENTITY:
            ctx.report(
                self,
                node,
                f"`{_PROCESS_IDENTITY[name]}` differs between processes (hash seed, memory addresses)",
                "derive a stable key from the value itself",
                _PROCESS_IDENTITY[name],
            )
        elif name in _SET_ORDERED_WAITS:
            ctx.report(
                self,
                node,
                f"`{name}()` orders its results through a set",
                f"use `{_SET_ORDERED_WAITS[name]}`",
                f"{name}()",
            )
        elif isinstance(node.func, cst.Attribute):
            method = node.func.attr.value
            if method == "join" and node.args and ctx.is_set(node.args[0].value):
                self._report_set(node, ctx, "`str.join()`")
            elif method == "pop" and not node.args and ctx.is_set(node.func.value):
                self._report_set(node, ctx, "`set.pop()`")
        if any(arg.star == "*" and ctx.is_set(arg.value) for arg in node.args):
            self._report_set(node, ctx, "unpacking a set into arguments")

    def visit_Assign(self, node: cst.Assign, ctx) -> None:
        unpacks = any(isinstance(t.target, (cst.Tuple, cst.List)) for t in node.targets)
        if unpacks and ctx.is_set(node.value):
            self._report_set(node, ctx, "unpacking")

    def visit_StarredElement(self, node: cst.StarredElement, ctx) -> None:
        if ctx.is_set(node.value):
            self._report_set(node, ctx, "unpacking")
