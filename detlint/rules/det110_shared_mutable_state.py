from __future__ import annotations

from detlint.lazy import cst
from detlint.model import Severity
from detlint.rules.base import TreeRule

_MUTABLE_VALUES = frozenset(
    {
        "builtins.list()",
        "builtins.dict()",
        "builtins.set()",
        "builtins.bytearray()",
        "collections.defaultdict()",
        "collections.deque()",
        "collections.OrderedDict()",
        "collections.Counter()",
    }
)
_MUTATORS = frozenset(
    {
        "append", "extend", "insert", "remove", "pop", "popitem", "clear", "update", "setdefault",
        "add", "discard", "appendleft", "extendleft", "popleft", "sort", "reverse",
        "intersection_update", "difference_update", "symmetric_difference_update",
    }
)  # fmt: skip
_ADVICE = "keep state on the workflow instance (`self.x`, set in `__init__`)"


class SharedMutableState(TreeRule):
    """
    ## What it does
    Flags writes to state shared beyond one workflow execution, from workflow code: assigning
    a name declared `global`, mutating a module-level list, dict or set (`CACHE.append(x)`,
    `CACHE[k] = v`), and writing class-level attributes or mutating class-level containers
    (`cls.count += 1`, `self.seen.add(x)` where `seen` is a class attribute no method
    replaces per instance).

    ## Why is this bad?
    Such state outlives the execution: it is shared with every other workflow on the worker,
    and it is empty on the worker that replays. A decision taken on it differs on replay. The
    sandbox re-imports workflow modules for each run, but not passed-through modules, and it
    cannot isolate everything.

    A `nonlocal` write in a closure inside a workflow method changes that execution's own
    state and is deterministic: it is not flagged. Module-level statements that fill a
    registry at import time are not flagged either.

    ## What Temporal does
    - **Sandbox:** It re-imports the workflow's modules for each run, which isolates their
      globals, but not passed-through modules, and not when the sandbox is off.
    - **On replay:** The worker that replays (or the same worker after a restart) holds other
      contents: decisions taken on them issue other commands.
    - **What you would see:** A `[TMPRL1100]` non-determinism error, or silently wrong data
      shared between workflows.

    ## Example
    ```python
    from temporalio import workflow

    SEEN: set[str] = set()


    @workflow.defn
    class Dedup:
        @workflow.run
        async def run(self, key: str) -> bool:
            SEEN.add(key)
            return len(SEEN) > 1
    ```

    ## Use instead
    ```python
    from temporalio import workflow


    @workflow.defn
    class Dedup:
        def __init__(self) -> None:
            self.seen: set[str] = set()

        @workflow.run
        async def run(self, key: str) -> bool:
            self.seen.add(key)
            return len(self.seen) > 1
    ```

    ## Fix safety
    No fix is offered.
    """

    code = "DET110"
    name = "shared-mutable-state"
    severity = Severity.ERROR
    summary = "Global or class-level state written from workflow code"

    def _report(self, node: cst.CSTNode, ctx, what: str) -> None:
        ctx.report(self, node, f"{what}, state shared by every execution on this worker", _ADVICE, "shared state write")

    def _shared_container(self, node: cst.BaseExpression, ctx) -> str | None:
        """How to name the module-level or class-level mutable container `node` stands for."""
        if isinstance(node, cst.Name):
            found = ctx.lookup(node.value)
            if found is not None and found[0] == "module" and found[1] in _MUTABLE_VALUES:
                return f"the module-level `{node.value}`"
        elif isinstance(node, cst.Attribute):
            owner = ctx.resolve(node.value)
            if owner:
                is_class_level, value = ctx.class_attribute(owner.removesuffix("()"), node.attr.value)
                if is_class_level and value in _MUTABLE_VALUES:
                    return f"the class attribute `{node.attr.value}`"
        return None

    def _check_target(self, target: cst.BaseExpression, node: cst.CSTNode, ctx) -> None:
        if not ctx.in_function_body:
            return
        if isinstance(target, cst.Name):
            found = ctx.lookup(target.value)
            if found is not None and found[0] == "module":
                self._report(node, ctx, f"assigning the global `{target.value}`")
        elif isinstance(target, cst.Subscript):
            shared = self._shared_container(target.value, ctx)
            if shared:
                self._report(node, ctx, f"writing into {shared}")
        elif isinstance(target, cst.Attribute):
            owner = ctx.resolve(target.value)
            if owner and not owner.endswith("()") and ctx.class_attribute(owner, target.attr.value)[0]:
                self._report(node, ctx, f"assigning the class attribute `{target.attr.value}`")
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._check_target(element.value, node, ctx)

    def visit_Assign(self, node: cst.Assign, ctx) -> None:
        for target in node.targets:
            self._check_target(target.target, node, ctx)

    def visit_AugAssign(self, node: cst.AugAssign, ctx) -> None:
        self._check_target(node.target, node, ctx)

    def visit_AnnAssign(self, node: cst.AnnAssign, ctx) -> None:
        if node.value is not None:
            self._check_target(node.target, node, ctx)

    def visit_Del(self, node: cst.Del, ctx) -> None:
        if isinstance(node.target, cst.Subscript):
            self._check_target(node.target, node, ctx)

    def visit_Call(self, node: cst.Call, ctx) -> None:
        func = node.func
        if ctx.in_function_body and isinstance(func, cst.Attribute) and func.attr.value in _MUTATORS:
            shared = self._shared_container(func.value, ctx)
            if shared:
                self._report(node, ctx, f"`.{func.attr.value}()` mutates {shared}")
