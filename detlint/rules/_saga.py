"""Saga analysis shared by DET405 (late compensation) and DET406 (compensations run forward).

A compensation container is a list (or deque) of undo actions: a name or `self.` attribute
that a loop walks calling each element (or running it as an activity) inside an `except`
block, or whose name says so (`compensations`, `undo_stack`, `rollbacks`). Registrations are `.append(...)` and friends
on it (or a `saga.add_compensation(...)`-style method); steps are the activities and child
workflows the saga runs.

The analysis of a function needs its whole body, and of `self.` containers the whole class,
so it runs in the `visit_ClassDef`/`visit_FunctionDef` hooks and remembers what to report.
The report itself is made when the extraction pass reaches the offending node, so that it
belongs to the function it is in: a saga helper class called from a workflow is reported at
the workflow's call site, like any other effect of a helper.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterator

from detlint.analysis.nodes import child_nodes, descendants, walk_below
from detlint.analysis.scopes import dotted
from detlint.frameworks import temporal
from detlint.lazy import cst
from detlint.rules._workflow import class_body_defs
from detlint.rules.base import TreeRule

COMPENSATION_NAME = re.compile(r"compensat|undo|rollback|revert", re.IGNORECASE)
_APPENDS = frozenset({"append", "extend"})
_PREPENDS = frozenset({"appendleft", "extendleft"})
_REGISTER_METHOD = re.compile(r"^(add|register|push|append)_?\w*compensation", re.IGNORECASE)


@dataclass
class Fills:
    """How containers are filled, by key (`compensations`, `self.undo`)."""

    appended: set[str] = field(default_factory=set)
    prepended: set[str] = field(default_factory=set)

    def add(self, nodes) -> None:
        for node in nodes:
            if isinstance(node, cst.AugAssign) and isinstance(node.operator, cst.AddAssign):
                self.appended.add(key(node.target))
            elif isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
                method, owner = node.func.attr.value, key(node.func.value)
                if method in _APPENDS:
                    self.appended.add(owner)
                elif method in _PREPENDS or (method == "insert" and node.args and _is_zero(node.args[0].value)):
                    self.prepended.add(owner)
                elif method == "insert":
                    self.appended.add(owner)  # somewhere in the middle: treat as ordered
        self.appended.discard("")
        self.prepended.discard("")


@dataclass(frozen=True)
class Loop:
    node: cst.For
    key: str  # the container walked
    forward: bool  # not `reversed(x)` nor `x[::-1]`
    in_handler: bool  # inside an `except` block


@dataclass
class Findings:
    late: list[cst.Call] = field(default_factory=list)  # DET405
    forward: list[Loop] = field(default_factory=list)  # DET406


def key(node: cst.BaseExpression) -> str:
    """`compensations`, `self.compensations`; "" for anything else."""
    return dotted(node) or ""


def _is_zero(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Integer) and node.evaluated_value == 0


def _target_name(target: cst.BaseExpression) -> str | None:
    """The loop variable that holds the action: `c` in `for c in ...` or `for c, args in ...`."""
    if isinstance(target, cst.Name):
        return target.value
    if isinstance(target, (cst.Tuple, cst.List)) and target.elements:
        first = target.elements[0].value
        return first.value if isinstance(first, cst.Name) else None
    return None


def _walked(iterable: cst.BaseExpression, ctx) -> tuple[str, bool]:
    """(container key, forward?) for a loop's iterable."""
    if isinstance(iterable, cst.Call) and ctx.resolve(iterable.func) == "builtins.reversed" and iterable.args:
        return key(iterable.args[0].value), False
    if isinstance(iterable, cst.Subscript) and len(iterable.slice) == 1:
        index = iterable.slice[0].slice
        if isinstance(index, cst.Slice) and index.step is not None:
            return key(iterable.value), False
    return key(iterable), True


def _invokes(body: cst.CSTNode, name: str, ctx) -> bool:
    """Whether the loop body runs the action `name`: calls it, or hands it to an activity or
    child workflow call. (Calling a method of it, `handle.cancel()`, or awaiting it, is what
    one does with tasks and handles, not with compensations.)"""
    for node in descendants(body):
        if not isinstance(node, cst.Call):
            continue
        if isinstance(node.func, cst.Name) and node.func.value == name:
            return True
        if (
            ctx.resolve(node.func) in temporal.STEP_CALLS
            and node.args
            and isinstance(node.args[0].value, cst.Name)
            and node.args[0].value.value == name
        ):
            return True
    return False


def _loop(node: cst.For, ctx, in_handler: bool) -> Loop | None:
    """The loop, if it runs each element of a container."""
    if node.asynchronous is not None:
        return None
    name = _target_name(node.target)
    container, forward = _walked(node.iter, ctx)
    if name and container and _invokes(node.body, name, ctx):
        return Loop(node, container, forward, in_handler)
    return None


@dataclass
class Survey:
    """What one walk over a function's body finds, nested functions included and nested
    classes not: how it fills containers, the loops that run a container's elements, its
    blocks of statements, and the nested definitions (analysed as part of it)."""

    fills: Fills = field(default_factory=Fills)
    loops: list[Loop] = field(default_factory=list)
    blocks: list[cst.IndentedBlock] = field(default_factory=list)
    definitions: list[cst.CSTNode] = field(default_factory=list)


def survey(function: cst.FunctionDef, ctx) -> Survey:
    found = Survey()
    fillers: list[cst.CSTNode] = []
    if isinstance(function.body, cst.IndentedBlock):
        found.blocks.append(function.body)
    # (node, inside an `except` block), in source order
    stack = [(child, False) for child in reversed([*child_nodes(function.body)])]
    while stack:
        node, in_handler = stack.pop()
        kind = type(node)
        if kind is cst.ClassDef:
            found.definitions.append(node)
            continue
        if kind is cst.FunctionDef:
            found.definitions.append(node)
        elif kind is cst.Call or kind is cst.AugAssign:
            fillers.append(node)
        elif kind is cst.IndentedBlock:
            found.blocks.append(node)
        elif kind is cst.For:
            loop = _loop(node, ctx, in_handler)
            if loop is not None:
                found.loops.append(loop)
        elif kind is cst.ExceptHandler or kind is cst.ExceptStarHandler:
            in_handler = True
        stack.extend([(child, in_handler) for child in reversed([*child_nodes(node)])])
    found.fills.add(fillers)
    return found


def _registration(statement: cst.CSTNode, containers: set[str]) -> cst.Call | None:
    """The call of a statement that registers a compensation (`compensations.append(undo)`)."""
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return None
    expression = statement.body[0]
    if not isinstance(expression, cst.Expr):
        return None
    call = expression.value
    if not isinstance(call, cst.Call) or not isinstance(call.func, cst.Attribute):
        return None
    method = call.func.attr.value
    if _REGISTER_METHOD.match(method):
        return call
    registers = method in _APPENDS or method in _PREPENDS or method == "insert"
    return call if registers and key(call.func.value) in containers else None


def _is_step(statement: cst.CSTNode, ctx) -> bool:
    """Whether the statement runs an activity or child workflow (not one it only defines in a
    lambda or nested def)."""
    return any(
        isinstance(n, cst.Call) and ctx.resolve(n.func) in temporal.STEP_CALLS for n in _running(statement)
    )


def _running(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    return walk_below(node, (cst.Lambda, cst.FunctionDef, cst.ClassDef))


def _late_registrations(block: cst.BaseSuite, containers: set[str], ctx) -> Iterator[cst.Call]:
    """Registrations that follow their step, in one block of statements. A block written
    "register, then run" starts with a registration or ends with a step; a block written
    "run, then register" starts with a step and ends with a registration. Only the second is
    reported, and in it each registration that directly follows a step."""
    if not isinstance(block, cst.IndentedBlock):
        return
    items: list[tuple[str, cst.Call | None]] = []
    for statement in block.body:
        call = _registration(statement, containers)
        if call is not None:
            items.append(("R", call))
        elif _is_step(statement, ctx):
            items.append(("S", None))
    if len(items) < 2 or items[0][0] != "S" or items[-1][0] != "R":
        return
    for (before, _), (kind, call) in zip(items, items[1:]):
        if kind == "R" and before == "S" and call is not None:
            yield call


def analyse(found: Survey, ctx, class_fills: Fills, class_containers: set[str]) -> Findings:
    containers = {
        loop.key for loop in found.loops if loop.in_handler or COMPENSATION_NAME.search(loop.key.rpartition(".")[2])
    }
    fills = found.fills
    containers |= {k for k in fills.appended | fills.prepended if COMPENSATION_NAME.search(k.rpartition(".")[2])}
    containers |= class_containers
    findings = Findings()
    if not containers:  # most functions: no compensations, nothing to order
        return findings
    for loop in found.loops:
        if not loop.forward or loop.key not in containers:
            continue
        source = class_fills if loop.key.startswith("self.") else fills
        if loop.key in source.appended and loop.key not in source.prepended:
            findings.forward.append(loop)
    for block in found.blocks:
        findings.late.extend(_late_registrations(block, containers, ctx))
    return findings


class SagaFindings:
    """What DET405 and DET406 report in one file; both rules share it (`Context.shared`), so
    each function is analysed once."""

    def __init__(self) -> None:
        self.analysed: set[int] = set()
        self.late: set[int] = set()  # registration calls
        self.forward: dict[int, str] = {}  # loop id -> the container it walks


class SagaRule(TreeRule):
    """Runs the saga analysis once per function and reports in `visit_Call` / `visit_For`."""

    # A container is walked in an `except` block or named for compensations (see `analyse`).
    requires = re.compile(rb"except|" + COMPENSATION_NAME.pattern.encode(), re.IGNORECASE)

    def visit_Module(self, node, ctx) -> None:
        self._found = ctx.shared(SagaFindings)

    def visit_ClassDef(self, node: cst.ClassDef, ctx) -> None:
        if id(node) in self._found.analysed:
            return
        methods = [(method, survey(method, ctx)) for method in class_body_defs(node)]
        fills = Fills()
        for _, found in methods:
            fills.appended |= found.fills.appended
            fills.prepended |= found.fills.prepended
        containers = {
            loop.key
            for _, found in methods
            for loop in found.loops
            if loop.key.startswith("self.") and (loop.in_handler or COMPENSATION_NAME.search(loop.key))
        }
        containers |= {k for k in fills.appended | fills.prepended if k.startswith("self.") and COMPENSATION_NAME.search(k)}
        for method, found in methods:
            self._remember(method, found, ctx, fills, containers)

    def visit_FunctionDef(self, node: cst.FunctionDef, ctx) -> None:
        if id(node) not in self._found.analysed:
            self._remember(node, survey(node, ctx), ctx, Fills(), set())

    def _remember(
        self, function: cst.FunctionDef, found: Survey, ctx, class_fills: Fills, class_containers: set[str]
    ) -> None:
        self._found.analysed.add(id(function))
        self._found.analysed.update(id(n) for n in found.definitions)
        findings = analyse(found, ctx, class_fills, class_containers)
        self._found.late.update(id(call) for call in findings.late)
        self._found.forward.update((id(loop.node), loop.key) for loop in findings.forward)
