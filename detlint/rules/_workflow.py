"""What the DET4xx rules share: a view of one workflow class and walks over its methods.

Not a rule module (no rule class lives here). The view is built from the class's syntax in
a `visit_ClassDef` hook, where names resolve through the module's scope: the imports and
top-level definitions that workflow code names (`workflow.query`, `ValueError`,
`ApplicationError`). Findings on the statements of a workflow method are reported from that
hook too; they land in the module's top level, which is workflow code exactly when the
module defines a workflow, so they are reported where they are, as the method's own would be.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Iterator

import libcst as cst

from detlint.frameworks import temporal

# Kinds of workflow methods.
RUN, SIGNAL, QUERY, UPDATE, INIT, VALIDATOR, DYNAMIC_CONFIG, PLAIN = (
    "run", "signal", "query", "update", "init", "validator", "dynamic_config", "plain",
)  # fmt: skip
_KINDS = {**temporal.HANDLER_DECORATORS, temporal.DYNAMIC_CONFIG: DYNAMIC_CONFIG}

# Methods that change the container they are called on.
MUTATORS = frozenset(
    {
        "append", "extend", "insert", "remove", "pop", "popitem", "clear", "update", "setdefault",
        "add", "discard", "appendleft", "extendleft", "popleft", "sort", "reverse",
        "intersection_update", "difference_update", "symmetric_difference_update",
    }
)  # fmt: skip


def decorator_target(decorator: cst.Decorator) -> cst.BaseExpression:
    """`workflow.signal` for both `@workflow.signal` and `@workflow.signal(name="x")`."""
    expression = decorator.decorator
    return expression.func if isinstance(expression, cst.Call) else expression


def keyword_argument(decorator: cst.Decorator, name: str) -> cst.Arg | None:
    expression = decorator.decorator
    if isinstance(expression, cst.Call):
        return next((a for a in expression.args if a.keyword is not None and a.keyword.value == name), None)
    return None


@dataclass
class Method:
    node: cst.FunctionDef
    kind: str
    decorator: cst.Decorator | None  # the decorator that gives it its kind
    receiver: str | None  # `self`, unless a static method or no parameter

    @property
    def name(self) -> str:
        return self.node.name.value

    @property
    def is_async(self) -> bool:
        return self.node.asynchronous is not None


@dataclass
class WorkflowClass:
    node: cst.ClassDef
    defn: cst.Decorator  # the `@workflow.defn` decorator
    methods: dict[str, Method] = field(default_factory=dict)  # by name, the last definition

    @classmethod
    def of(cls, node: cst.ClassDef, ctx, settings) -> WorkflowClass | None:
        """The view of a workflow class defined at module level, or None for any other class."""
        if ctx.in_function_body:
            return None
        decorators = {temporal.WORKFLOW_DEFN, *settings.workflow_decorators}
        defn = next((d for d in node.decorators if ctx.resolve(decorator_target(d)) in decorators), None)
        if defn is None:
            return None
        view = cls(node, defn)
        for statement in class_body_defs(node):
            view.methods[statement.name.value] = view._method(statement, ctx)
        return view

    def _method(self, node: cst.FunctionDef, ctx) -> Method:
        kind, which = PLAIN, None
        for decorator in node.decorators:
            target = decorator_target(decorator)
            resolved = ctx.resolve(target)
            if resolved in _KINDS:
                kind, which = _KINDS[resolved], decorator
                break
            if (
                isinstance(target, cst.Attribute)
                and target.attr.value == temporal.VALIDATOR_ATTRIBUTE
                and isinstance(target.value, cst.Name)
                and target.value.value in self.methods
                and self.methods[target.value.value].kind == UPDATE
            ):
                kind, which = VALIDATOR, decorator
                break
        static = any(ctx.resolve(decorator_target(d)) == "builtins.staticmethod" for d in node.decorators)
        params = [*node.params.posonly_params, *node.params.params]
        receiver = params[0].name.value if params and not static else None
        return Method(node, kind, which, receiver)

    def of_kind(self, *kinds: str) -> list[Method]:
        return [m for m in self.methods.values() if m.kind in kinds]

    def mentions(self, predicate) -> bool:
        """Whether any node of any method satisfies `predicate`."""
        return any(predicate(n) for m in self.methods.values() for n in descendants(m.node.body))

    def self_calls(self, method: Method) -> Iterator[tuple[str, cst.Call]]:
        """(method name, call) for each `self.name(...)` call in `method`."""
        if method.receiver is None:
            return
        for node in descendants(method.node.body):
            if (
                isinstance(node, cst.Call)
                and isinstance(node.func, cst.Attribute)
                and isinstance(node.func.value, cst.Name)
                and node.func.value.value == method.receiver
                and node.func.attr.value in self.methods
            ):
                yield node.func.attr.value, node

    def closure(self, names: Iterable[str], *, calls=None) -> set[str]:
        """The methods reachable from `names` through `self.x()` calls (`calls` filters them)."""
        seen: set[str] = set()
        stack = [n for n in names if n in self.methods]
        while stack:
            name = stack.pop()
            if name in seen:
                continue
            seen.add(name)
            for callee, call in self.self_calls(self.methods[name]):
                if callee not in seen and (calls is None or calls(call)):
                    stack.append(callee)
        return seen


def class_body_defs(node: cst.ClassDef) -> Iterator[cst.FunctionDef]:
    """The methods defined directly in a class body, in order."""
    body = node.body.body if isinstance(node.body, cst.IndentedBlock) else ()
    for statement in body:
        if isinstance(statement, cst.FunctionDef):
            yield statement


def descendants(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """Every node below `node`, nested functions and lambdas included (they run as part of
    the workflow), nested classes excluded."""
    for child in node.children:
        yield child
        if not isinstance(child, cst.ClassDef):
            yield from descendants(child)


def own_descendants(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """Every node below `node` that belongs to the same function: no nested def or class."""
    for child in node.children:
        yield child
        if not isinstance(child, (cst.FunctionDef, cst.ClassDef)):
            yield from own_descendants(child)


def rooted_at(node: cst.BaseExpression, receiver: str) -> bool:
    """`self.x`, `self.x[k]`, `self.x.y`: an attribute or item reached from `receiver`."""
    layers = 0
    while isinstance(node, (cst.Attribute, cst.Subscript)):
        node = node.value
        layers += 1
    return layers > 0 and isinstance(node, cst.Name) and node.value == receiver


def resolves_to(node: cst.CSTNode, names, ctx) -> bool:
    return isinstance(node, cst.Call) and ctx.resolve(node.func) in names


def is_command(node: cst.CSTNode, ctx) -> bool:
    """A call that issues a command (activity, timer, child, wait, signal or cancel ...)."""
    if not isinstance(node, cst.Call):
        return False
    name = ctx.resolve(node.func) or ""
    if name in temporal.COMMAND_CALLS:
        return True
    owner, _, method = name.rpartition(".")
    return method in temporal.COMMAND_METHODS and owner.startswith(temporal.EXTERNAL_HANDLE)


def state_changes(method: Method, ctx) -> Iterator[tuple[cst.CSTNode, str]]:
    """(node, what) for each statement of a handler that changes workflow state: assigning or
    deleting `self.*`, mutating a container reached from `self`, issuing a command or calling
    an API that refuses to run in a read-only context. At most one per line is useful; the
    caller deduplicates."""
    receiver = method.receiver
    for node in descendants(method.node.body):
        if receiver is not None:
            targets: list[cst.BaseExpression] = []
            if isinstance(node, cst.Assign):
                targets = [t.target for t in node.targets]
            elif isinstance(node, cst.AugAssign) or (isinstance(node, cst.AnnAssign) and node.value is not None):
                targets = [node.target]
            elif isinstance(node, cst.Del):
                targets = [node.target]
            for target in _flatten(targets):
                if rooted_at(target, receiver):
                    verb = "deletes" if isinstance(node, cst.Del) else "assigns"
                    yield node, f"{verb} `{source(target)}`"
                    break
            if isinstance(node, cst.Call):
                func = node.func
                if isinstance(func, cst.Attribute) and func.attr.value in MUTATORS and (
                    rooted_at(func.value, receiver)
                ):
                    yield node, f"mutates `{source(func.value)}` with `.{func.attr.value}()`"
                    continue
                if (
                    ctx.resolve(func) in ("builtins.setattr", "builtins.delattr")
                    and node.args
                    and isinstance(node.args[0].value, cst.Name)
                    and node.args[0].value.value == receiver
                ):
                    yield node, f"changes an attribute of `{receiver}` with `{source(func)}()`"
                    continue
        if isinstance(node, cst.Call):
            if is_command(node, ctx):
                yield node, f"issues a command with `{source(node.func)}()`"
            elif ctx.resolve(node.func) in temporal.READ_ONLY_VIOLATIONS:
                yield node, f"calls `{source(node.func)}()`, which changes workflow state"


def _flatten(targets: Iterable[cst.BaseExpression]) -> Iterator[cst.BaseExpression]:
    for target in targets:
        if isinstance(target, (cst.Tuple, cst.List)):
            yield from _flatten(e.value for e in target.elements)
        elif isinstance(target, cst.StarredElement):
            yield from _flatten([target.value])
        else:
            yield target


_CODE = cst.Module(body=[])


def source(node: cst.CSTNode) -> str:
    """The node's source text, shortened for a message."""
    text = _CODE.code_for_node(node)
    return text if len(text) <= 60 else text[:59] + "…"


def first_per_line(findings: Iterable[tuple[cst.CSTNode, str]], ctx) -> Iterator[tuple[cst.CSTNode, str]]:
    """One finding per line, so a line that both mutates and assigns is reported once."""
    seen: set[int] = set()
    for node, what in findings:
        line = ctx.range(node).start.line
        if line not in seen:
            seen.add(line)
            yield node, what


class ReadOnlyHandlerRule:
    """DET401/DET402: handlers of one kind that must only read state. Subclasses (also
    `TreeRule`s) set the kind, how to name a handler, and the advice."""

    handler_kind: str
    handler_label: str  # "query handler"
    async_why: str  # why `async` is wrong for it
    async_advice: str
    advice: str

    def visit_ClassDef(self, node: cst.ClassDef, ctx) -> None:
        view = WorkflowClass.of(node, ctx, self.settings)
        if view is None:
            return
        label = self.handler_label
        for method in view.of_kind(self.handler_kind):
            if method.is_async:
                what = f"{label} `{method.name}` is `async`; {self.async_why}"
                ctx.report(self, method.node.name, what, self.async_advice, f"async {label}")
            for offending, what in first_per_line(state_changes(method, ctx), ctx):
                ctx.report(self, offending, f"{label} `{method.name}` {what}", self.advice, label)
