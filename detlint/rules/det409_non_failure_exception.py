from __future__ import annotations

import builtins
import re
from dataclasses import dataclass
from typing import Iterator

from detlint.analysis.nodes import child_nodes, walk_below
from detlint.frameworks import temporal
from detlint.lazy import cst
from detlint.model import Severity
from detlint.rules._workflow import (
    DYNAMIC_CONFIG,
    INIT,
    PLAIN,
    RUN,
    SIGNAL,
    UPDATE,
    WorkflowClass,
    keyword_argument,
)
from detlint.rules.base import TreeRule

_WHY = (
    "is not a Temporal failure: raised in workflow code it fails the workflow task, "
    "which is retried forever, instead of the workflow"
)
_ADVICE = "raise `ApplicationError` (or list the type in `@workflow.defn(failure_exception_types=...)`)"
# Where workflow code starts; queries, validators and dynamic_config are not checked.
_ENTRIES = (RUN, SIGNAL, UPDATE, INIT)
# Builtin exceptions that are protocol, not errors.
_PROTOCOL = frozenset({"StopIteration", "StopAsyncIteration", "TimeoutError"})
# What a handler type that detlint cannot resolve is taken to catch: everything.
_ANYTHING = None


@dataclass(frozen=True)
class _Raised:
    """A raised exception type detlint knows to be no Temporal failure."""

    display: str
    names: frozenset[str]  # its qualified name and those of its project bases
    builtin: type[BaseException]  # the builtin it derives from


class NonFailureException(TreeRule):
    """
    ## What it does
    Flags `raise` of an exception that is not a Temporal failure, and `assert`, in a workflow
    class: builtin exceptions (`ValueError`, `RuntimeError`, `KeyError`, `Exception`, ...) and
    exception classes of the same module derived from them. Checked are the run method,
    signal and update handlers, `__init__`, and the class's other methods that these call.

    Not flagged: raising `ApplicationError` (or any `temporalio.exceptions` type), re-raising
    (`raise`, `raise err` in an `except ... as err`), `asyncio.TimeoutError` (the SDK fails the
    workflow on it), a raise caught by an enclosing `try` (or `contextlib.suppress`), raises
    in update validators (raising there rejects the update) and in queries (only that query
    fails), helpers that the class calls only inside a `try`, and types listed in the class's
    `@workflow.defn(failure_exception_types=[...])` and their subclasses. Exception classes
    imported from other modules, and functions outside the class, are not judged.

    ## Why is this bad?
    Only Temporal failures fail a workflow. Any other exception fails the workflow *task*: the
    SDK treats it as a bug in the code, and the server retries the task, forever, until a fixed
    worker is deployed. The workflow neither completes nor fails, the caller waits, and the
    error shows only in worker logs. When the intent is to fail the workflow (bad input, a
    business rule), raise `ApplicationError`, with `non_retryable=True` where retrying cannot
    help.

    ## What Temporal does
    - **Sandbox:** Not involved.
    - **On replay:** The exception is raised again on every attempt of the workflow task: the
      workflow neither completes nor fails.
    - **What you would see:** The exception in the worker log, the workflow stuck on a failing
      task, unless its type is in `failure_exception_types`.

    ## Example
    ```python
    from temporalio import workflow


    @workflow.defn
    class Transfer:
        @workflow.run
        async def run(self, amount: int) -> int:
            if amount <= 0:
                raise ValueError("amount must be positive")
            return amount
    ```

    ## Use instead
    ```python
    from temporalio import workflow
    from temporalio.exceptions import ApplicationError


    @workflow.defn
    class Transfer:
        @workflow.run
        async def run(self, amount: int) -> int:
            if amount <= 0:
                raise ApplicationError("amount must be positive", non_retryable=True)
            return amount
    ```

    ## Fix safety
    No fix is offered.
    """

    code = "DET409"
    name = "non-failure-exception"
    severity = Severity.WARNING
    summary = "Exception that is not a Temporal failure raised in workflow code"
    requires = re.compile(rb"raise|assert")

    def visit_Module(self, node: cst.Module, ctx) -> None:
        self._module = node

    def visit_ClassDef(self, node: cst.ClassDef, ctx) -> None:
        view = WorkflowClass.of(node, ctx, self.settings)
        if view is None or view.of_kind(DYNAMIC_CONFIG):
            return
        allowed = self._failure_types(view, ctx)
        if allowed is None:
            return
        entries = [m.name for m in view.methods.values() if m.kind in _ENTRIES or m.name == "__init__"]
        # Helpers count when an entry point calls them outside any `try` that has handlers.
        guarded = _guarded_calls(view)
        reached = view.closure(entries, calls=lambda call: id(call) not in guarded)
        classes = _ModuleClasses(self._module, ctx)
        for method in view.methods.values():
            if method.name not in reached or method.kind not in (*_ENTRIES, PLAIN):
                continue
            for statement, guards, bound in _raises(method.node.body, (), frozenset(), ctx):
                raised = self._raised(statement, bound, classes, ctx)
                if raised is None or _allowed(raised, allowed) or _caught(raised, guards, classes, ctx):
                    continue
                what = "`assert`" if isinstance(statement, cst.Assert) else f"`{raised.display}`"
                ctx.report(self, statement, f"{what} {_WHY}", _ADVICE, raised.display)

    def _failure_types(self, view: WorkflowClass, ctx) -> frozenset[str] | None:
        """The resolved names listed in `failure_exception_types`; None when they cannot be
        read (then nothing in the class is judged)."""
        arg = keyword_argument(view.defn, temporal.FAILURE_EXCEPTION_TYPES)
        if arg is None:
            return frozenset()
        if not isinstance(arg.value, (cst.List, cst.Tuple, cst.Set)):
            return None
        names = set()
        for element in arg.value.elements:
            name = ctx.resolve(element.value) if not isinstance(element, cst.StarredElement) else None
            if name is None:
                return None
            names.add(name)
        return frozenset(names)

    def _raised(self, statement: cst.CSTNode, bound: frozenset[str], classes: _ModuleClasses, ctx) -> _Raised | None:
        if isinstance(statement, cst.Assert):
            return _Raised("AssertionError", frozenset({"builtins.AssertionError"}), AssertionError)
        exc = statement.exc
        if exc is None:
            return None  # a re-raise
        if isinstance(exc, cst.Name) and exc.value in bound:
            return None  # `raise err` in `except ... as err`
        target = exc.func if isinstance(exc, cst.Call) else exc
        name = ctx.resolve(target)
        return classes.classify(name) if name else None


def _allowed(raised: _Raised, allowed: frozenset[str]) -> bool:
    for name in allowed:
        if name in raised.names:
            return True
        builtin = _builtin(name)
        if builtin is not None and issubclass(raised.builtin, builtin):
            return True
    return False


def _caught(raised: _Raised, guards, classes: _ModuleClasses, ctx) -> bool:
    """Whether an enclosing `try` catches the raised type."""
    for handlers in guards:
        for types in handlers:
            if types is _ANYTHING:
                return True
            for name in types:
                builtin = _builtin(name)
                if name in raised.names or (builtin is not None and issubclass(raised.builtin, builtin)):
                    return True
                if builtin is None and not name.startswith(temporal.FAILURE_MODULE) and name not in classes.known:
                    return True  # a type detlint cannot judge: assume it catches
    return False


def _builtin(name: str) -> type[BaseException] | None:
    if not name.startswith("builtins."):
        return None
    value = getattr(builtins, name.removeprefix("builtins."), None)
    return value if isinstance(value, type) and issubclass(value, BaseException) else None


def _handler_types(handler: cst.ExceptHandler | cst.ExceptStarHandler, ctx) -> frozenset[str] | None:
    if handler.type is None:
        return _ANYTHING
    elements = [e.value for e in handler.type.elements] if isinstance(handler.type, cst.Tuple) else [handler.type]
    names = set()
    for element in elements:
        name = ctx.resolve(element)
        if name is None:
            return _ANYTHING
        names.add(name)
    return frozenset(names)


def _raises(
    node: cst.CSTNode, guards: tuple, bound: frozenset[str], ctx
) -> Iterator[tuple[cst.CSTNode, tuple, frozenset[str]]]:
    """(raise or assert, the handler types of each enclosing `try`, names bound by enclosing
    `except ... as`) below `node`, nested functions included, nested classes not."""
    for child in child_nodes(node):
        kind = type(child)  # not `isinstance`, which is slow on LibCST's classes; none has subclasses
        if kind is cst.ClassDef:
            continue
        if kind is cst.Raise or kind is cst.Assert:
            yield child, guards, bound
            continue
        if kind is cst.Try or kind is cst.TryStar:
            handlers = tuple(_handler_types(h, ctx) for h in child.handlers)
            yield from _raises(child.body, (*guards, handlers), bound, ctx)
            for handler in child.handlers:
                named = bound
                if handler.name is not None and isinstance(handler.name.name, cst.Name):
                    named = bound | {handler.name.name.value}
                yield from _raises(handler.body, guards, named, ctx)
            for tail in (child.orelse, child.finalbody):
                if tail is not None:
                    yield from _raises(tail, guards, bound, ctx)
            continue
        if kind is cst.With:
            suppressed = [_suppressed(item.item, ctx) for item in child.items]
            handlers = tuple(types for types in suppressed if types)
            if handlers:
                yield from _raises(child.body, (*guards, handlers), bound, ctx)
                continue
        yield from _raises(child, guards, bound, ctx)


def _suppressed(item: cst.BaseExpression, ctx) -> frozenset[str] | None:
    """The types `with contextlib.suppress(...)` swallows (None for another context manager)."""
    if not isinstance(item, cst.Call) or ctx.resolve(item.func) != "contextlib.suppress":
        return None
    names = {ctx.resolve(arg.value) for arg in item.args}
    return frozenset(names) if None not in names else frozenset({"builtins.BaseException"})


def _guarded_calls(view: WorkflowClass) -> set[int]:
    """Ids of `self.m()` calls inside the body of a `try` that has handlers."""
    guarded: set[int] = set()
    for method in view.methods.values():
        for node in _try_bodies(method.node.body):
            guarded.update(id(n) for n in [node, *walk_below(node)] if isinstance(n, cst.Call))
    return guarded


def _try_bodies(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    for child in child_nodes(node):
        kind = type(child)  # not `isinstance`, which is slow on LibCST's classes; none has subclasses
        if (kind is cst.Try or kind is cst.TryStar) and child.handlers:
            yield child.body
        if kind is not cst.ClassDef:
            yield from _try_bodies(child)



class _ModuleClasses:
    """The module's own exception classes, judged by their bases."""

    def __init__(self, module: cst.Module, ctx) -> None:
        self.ctx = ctx
        self.defs = {
            f"{ctx.module}.{s.name.value}": s for s in module.body if isinstance(s, cst.ClassDef)
        }
        self.known = frozenset(self.defs)
        self._cache: dict[str, _Raised | None] = {}

    def classify(self, name: str, seen: frozenset[str] = frozenset()) -> _Raised | None:
        """A raised type that is no Temporal failure, or None (a failure, or unknown)."""
        if name in self._cache:
            return self._cache[name]
        result = None
        if name in temporal.TIMEOUT_ERRORS or name.startswith("temporalio."):
            result = None
        elif name.startswith("builtins."):
            builtin = _builtin(name)
            short = name.removeprefix("builtins.")
            if builtin is not None and issubclass(builtin, Exception) and short not in _PROTOCOL:
                result = _Raised(short, frozenset({name}), builtin)
        elif name in self.defs and name not in seen:
            result = self._derived(name, seen | {name})
        self._cache[name] = result
        return result

    def _derived(self, name: str, seen: frozenset[str]) -> _Raised | None:
        bases = [self.ctx.resolve(arg.value) for arg in self.defs[name].bases if arg.keyword is None]
        found: _Raised | None = None
        for base in bases:
            if base is None or base.startswith("temporalio.") or base in temporal.TIMEOUT_ERRORS:
                return None
            judged = self.classify(base, seen)
            if judged is None:
                return None  # a base that is a failure, or unknown
            found = found or judged
        if found is None:
            return None
        return _Raised(name.rpartition(".")[2], found.names | {name}, found.builtin)
