from __future__ import annotations

from detlint.analysis.facts import FixPlan
from detlint.analysis.fix_context import callee_head
from detlint.fixes import SAFE, UNSAFE, WORKFLOW
from detlint.frameworks import temporal
from detlint.lazy import cst
from detlint.model import Edit, Severity
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
# The keywords the workflow versions take (they have no `loop`).
_WAIT_KEYWORDS = {"asyncio.wait": {"timeout", "return_when"}, "asyncio.as_completed": {"timeout"}}


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

    ## What Temporal does
    - **Sandbox:** Set iteration, `hash()` and `id()` are not restricted. `asyncio.wait()` and
      `asyncio.as_completed()` only emit a `UserWarning`.
    - **On replay:** The server compares the activity and child types and ids in the order they
      are issued; a worker with another hash seed issues them in another order.
    - **What you would see:** A `[TMPRL1100]` non-determinism error, only on some workers and
      only some of the time.

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
    `asyncio.as_completed(...)` iterated by a plain `for` loop (or comprehension) becomes
    `workflow.as_completed(...)`: safe, it takes the same arguments and yields the same
    awaitables, in the order they complete rather than through a set. Anywhere else (an
    `async for`, which Python 3.13's `asyncio.as_completed` supports and the workflow version
    does not, or a stored iterator) the same fix is unsafe.

    `asyncio.wait(...)` becomes `workflow.wait(...)`. That fix is unsafe: `workflow.wait`
    returns the done and pending futures as lists where `asyncio.wait` returns sets, so code
    that uses set operations on them (`done | other`, `pending.discard(task)`) breaks.

    The fix adds `from temporalio import workflow` when the file does not import it, and removes
    an import it leaves unused. Set iteration, `hash()` and `id()` have no fix: which order or
    key is right depends on the code.
    """

    code = "DET109"
    name = "unordered-iteration"
    severity = Severity.WARNING
    summary = "Set iteration order, hash() or id() in workflow code"

    def visit_Module(self, node, ctx) -> None:
        self._order_blind: set[int] = set()
        self._loop_iterables: set[int] = set()  # what plain `for` loops iterate

    def _report_set(self, node: cst.CSTNode, ctx, how: str) -> None:
        ctx.report(
            self,
            node,
            f"{how} walks a set, whose order can differ on the worker that replays",
            "iterate `sorted(...)` or keep the items in a list or dict",
            "set iteration",
        )

    def visit_For(self, node: cst.For, ctx) -> None:
        if node.asynchronous is None:
            self._loop_iterables.add(id(node.iter))
        if ctx.is_set(node.iter):
            self._report_set(node, ctx, "this loop")

    def visit_CompFor(self, node: cst.CompFor, ctx) -> None:
        if node.asynchronous is None:
            self._loop_iterables.add(id(node.iter))

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
                self._wait_fix(node, name, ctx),
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

    def _wait_fix(self, node: cst.Call, name: str, ctx) -> FixPlan | None:
        positional = [arg for arg in node.args if arg.keyword is None]
        keywords = {arg.keyword.value for arg in node.args if arg.keyword is not None}
        if len(positional) != 1 or positional[0].star or not keywords <= _WAIT_KEYWORDS[name]:
            return None
        replacement = f"{WORKFLOW}.{name.rpartition('.')[2]}"
        safe = name == "asyncio.as_completed" and id(node) in self._loop_iterables
        head = callee_head(node.func)
        return FixPlan(
            SAFE if safe else UNSAFE,
            f"Replace with `{replacement}()`",
            (Edit(ctx.range(node.func), replacement),),
            (head,) if head else (),
        )
