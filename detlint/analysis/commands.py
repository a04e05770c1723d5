"""Temporal commands read from facts: which activity or child workflow a call runs and with
which options, and the project's activity and workflow definitions by name.

Works on facts only. Literal option values (`None`, `timedelta(0)`, `RetryPolicy(...)`) are
read from the source text of the argument with `ast.parse`: parsed, never evaluated.
"""

from __future__ import annotations

import ast
import weakref
from collections import defaultdict, deque
from dataclasses import dataclass
from typing import Iterable

from detlint.analysis.facts import Argument, Arguments, FunctionFacts, ModuleFacts, Reference
from detlint.analysis.index import Node, ProjectIndex
from detlint.frameworks import temporal

# Decorators known not to heartbeat for the function they wrap.
_PLAIN_DECORATORS = ("temporalio.", "builtins.", "functools.", "typing.", "abc.", "contextlib.")
_RETRY_POLICY_FIELDS = (
    "initial_interval",
    "backoff_coefficient",
    "maximum_interval",
    "maximum_attempts",
    "non_retryable_error_types",
)


# -- one call ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CommandCall:
    """A call of one of the twelve activity functions, or of a child workflow function."""

    reference: Reference
    function: str  # "execute_activity", "start_local_activity_method", "execute_child_workflow"
    local: bool = False
    kind: str = "function"  # how the activity is named: "function" (or a string), "method", "class"
    is_child: bool = False

    @property
    def arguments(self) -> Arguments:
        return self.reference.arguments

    @property
    def options_known(self) -> bool:
        """False when `*args`/`**options` hide what the call passes."""
        return not self.arguments.starred

    def option(self, name: str) -> Argument | None:
        return self.arguments.keyword(name)

    @property
    def target(self) -> Argument | None:
        """The activity (workflow) argument: a function, a method, a class or a name."""
        positional = self.arguments.positional
        keyword = "workflow" if self.is_child else "activity"
        return positional[0] if positional else self.option(keyword)

    @property
    def display(self) -> str:
        return f"workflow.{self.function}()"


def command_call(ref: Reference) -> CommandCall | None:
    if not ref.called:
        return None
    function = ref.name.rpartition(".")[2]
    if ref.name in temporal.ACTIVITY_FUNCTIONS:
        local, kind, _ = temporal.ACTIVITY_FUNCTIONS[ref.name]
        return CommandCall(ref, function, local=local, kind=kind)
    if ref.name in temporal.CHILD_WORKFLOW_FUNCTIONS:
        return CommandCall(ref, function, is_child=True)
    return None


def is_activity(function: FunctionFacts, activity_decorators: Iterable[str]) -> bool:
    """Whether the function is an activity definition (`@activity.defn` or a configured wrapper)."""
    return any(d == temporal.ACTIVITY_DEFN or d in activity_decorators for d in function.decorators)


def activity_call(ref: Reference) -> CommandCall | None:
    call = command_call(ref)
    return call if call is not None and not call.is_child else None


# -- literal values ------------------------------------------------------------------------------


def literal(argument: Argument | None) -> ast.expr | None:
    """The argument's expression as a syntax tree, when its full source text is known."""
    if argument is None or argument.source.endswith("…"):
        return None
    try:
        return ast.parse(argument.source.strip(), mode="eval").body
    except (SyntaxError, ValueError):
        return None


def string_value(argument: Argument | None) -> str | None:
    node = literal(argument)
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def is_none(argument: Argument | None) -> bool:
    node = literal(argument)
    return isinstance(node, ast.Constant) and node.value is None


def is_false(argument: Argument | None) -> bool:
    node = literal(argument)
    return isinstance(node, ast.Constant) and node.value is False


def is_zero_duration(argument: Argument | None) -> bool:
    """`0`, `0.0`, `timedelta()`, `timedelta(0)`, `timedelta(seconds=0)`: a falsy duration."""
    node = literal(argument)
    if _is_zero(node):
        return True
    if not isinstance(node, ast.Call) or argument is None or not (argument.value or "").endswith("timedelta()"):
        return False
    return all(_is_zero(a) for a in node.args) and all(_is_zero(k.value) for k in node.keywords if k.arg)


def _is_zero(node: ast.expr | None) -> bool:
    return (
        isinstance(node, ast.Constant)
        and isinstance(node.value, (int, float))
        and not isinstance(node.value, bool)
        and node.value == 0
    )


def is_unset_timeout(argument: Argument | None) -> bool:
    """A timeout the SDK treats as absent: `None` or a zero duration."""
    return is_none(argument) or is_zero_duration(argument)


@dataclass(frozen=True)
class RetryPolicyLiteral:
    """What an inline `RetryPolicy(...)` says; None where it cannot be read."""

    maximum_attempts: int | None  # 0 (the default) retries without end
    non_retryable_error_types: frozenset[str] | None


def retry_policy(argument: Argument | None) -> RetryPolicyLiteral | None:
    """An inline `RetryPolicy(...)` with its fields, or None when the policy cannot be read."""
    node = literal(argument)
    if argument is None or argument.value != f"{temporal.RETRY_POLICY}()" or not isinstance(node, ast.Call):
        return None
    if any(isinstance(a, ast.Starred) for a in node.args) or any(k.arg is None for k in node.keywords):
        return None
    fields = {**dict(zip(_RETRY_POLICY_FIELDS, node.args)), **{k.arg: k.value for k in node.keywords}}
    attempts_node = fields.get("maximum_attempts")
    attempts: int | None = 0
    if attempts_node is not None:
        is_int = isinstance(attempts_node, ast.Constant) and type(attempts_node.value) is int
        attempts = attempts_node.value if is_int else None
    types_node = fields.get("non_retryable_error_types")
    types: frozenset[str] | None = frozenset()
    if types_node is not None:
        elements = getattr(types_node, "elts", None) if isinstance(types_node, (ast.List, ast.Tuple)) else None
        strings = [e.value for e in elements or () if isinstance(e, ast.Constant) and isinstance(e.value, str)]
        types = frozenset(strings) if elements is not None and len(strings) == len(elements) else None
        if isinstance(types_node, ast.Constant) and types_node.value is None:
            types = frozenset()
    return RetryPolicyLiteral(attempts, types)


# -- the project's definitions -------------------------------------------------------------------


@dataclass(frozen=True)
class CallSite:
    caller: Node
    call: CommandCall


class Catalog:
    """The project's activities and workflows by name, and the call sites of each activity.
    Built once per index (`catalog(index)`); it refers to the index weakly, so that the index
    is freed with its report, and is used while the index lives."""

    def __init__(self, index: ProjectIndex) -> None:
        self.index = weakref.proxy(index)  # `_CATALOGS` keeps a catalog while its index lives
        self.activities = set(index.roots.activity)
        self.activity_names: dict[str, list[Node]] = defaultdict(list)
        # False when some activity's name cannot be read or a dynamic activity takes any name.
        self.activity_names_complete = True
        # The function (class) name of a definition registered under another name -> that name.
        self.renamed_activities: dict[str, str] = {}
        self.renamed_workflows: dict[str, str] = {}
        for node in index.roots.activity:
            name = self._definition_name(node.function.decorators, node.function.decorator_arguments, temporal.ACTIVITY_DEFN)
            function_name = node.function.qualname.rpartition(".")[2]
            if name is None:
                self.activity_names_complete = False
            else:
                self.activity_names[name or function_name].append(node)
                if name:
                    self.renamed_activities[function_name] = name
        self.workflow_names: dict[str, list[str]] = defaultdict(list)
        self.workflow_names_complete = True
        workflow_functions = {id(node.function) for node in index.roots.workflow}
        for module in index.modules:
            for cls in module.classes.values():
                if not any(id(module.functions[q]) in workflow_functions for q in cls.methods if q in module.functions):
                    continue
                name = self._definition_name(cls.decorators, cls.decorator_arguments, temporal.WORKFLOW_DEFN)
                class_name = cls.qualname.rpartition(".")[2]
                if name is None:
                    self.workflow_names_complete = False
                else:
                    self.workflow_names[name or class_name].append(cls.qualname)
                    if name:
                        self.renamed_workflows[class_name] = name
        self._heartbeats: dict[Node, bool] = {}
        self._sites: dict[Node, list[CallSite]] | None = None

    @staticmethod
    def _definition_name(decorators: tuple[str, ...], arguments: dict[str, Arguments], defn: str) -> str | None:
        """The name given in `@defn(name=...)`, "" for the default name, None when unknown."""
        if defn not in decorators:
            return ""  # a project's own decorator (configured): taken to keep the default name
        given = arguments.get(defn)
        if given is None:
            return ""
        dynamic = given.keyword("dynamic")
        if given.starred or (dynamic is not None and not is_false(dynamic)):
            return None  # a dynamic definition takes any name
        name = given.keyword("name")
        if name is None or is_none(name):
            return ""
        return string_value(name)

    # -- which activity a call runs ---------------------------------------------------------

    def targets(self, call: CommandCall, module: ModuleFacts) -> list[Node]:
        """The activity definitions a call runs (several only for a name defined twice)."""
        target = call.target
        if target is None or call.is_child:
            return []
        name = string_value(target)
        if name is not None:
            return list(self.activity_names.get(name, ())) if call.kind == "function" else []
        if target.value is None:
            return []
        qualified = f"{target.value}.__call__" if call.kind == "class" else target.value
        node = self.index.callee(qualified, module)
        return [node] if node in self.activities else []

    def call_sites(self, activity: Node) -> list[CallSite]:
        """Every call in the project that runs `activity`."""
        if self._sites is None:
            self._sites = defaultdict(list)
            for caller in self.index.nodes:
                for ref in caller.function.references:
                    call = activity_call(ref)
                    if call is not None:
                        for node in self.targets(call, caller.module):
                            self._sites[node].append(CallSite(caller, call))
        return self._sites.get(activity, [])

    # -- what an activity does ---------------------------------------------------------------

    def heartbeats(self, activity: Node) -> bool:
        """Whether the activity calls (or hands out) `activity.heartbeat`, itself, through the
        project functions it calls, or through a project decorator that wraps it (a
        heartbeating wrapper such as `@auto_heartbeater`)."""
        if activity not in self._heartbeats:
            starts = [activity, *filter(None, (self.index.callee(d, activity.module) for d in activity.function.decorators))]
            self._heartbeats[activity] = any(
                ref.name == temporal.ACTIVITY_HEARTBEAT for node in self._reachable(starts) for ref in node.function.references
            )
        return self._heartbeats[activity]

    def may_heartbeat(self, activity: Node) -> bool:
        """`heartbeats`, or it is wrapped by a decorator whose code is not in the project (a
        library's heartbeating wrapper, for all detlint knows)."""
        return self.heartbeats(activity) or any(
            self.index.callee(d, activity.module) is None and not d.startswith(_PLAIN_DECORATORS)
            for d in activity.function.decorators
        )

    def _reachable(self, starts: list[Node]) -> Iterable[Node]:
        queue, seen = deque(starts), set(starts)
        while queue:
            node = queue.popleft()
            yield node
            for _, callee in self.index.calls(node):
                if callee not in seen:
                    seen.add(callee)
                    queue.append(callee)


_CATALOGS: weakref.WeakKeyDictionary[ProjectIndex, Catalog] = weakref.WeakKeyDictionary()


def catalog(index: ProjectIndex) -> Catalog:
    if index not in _CATALOGS:
        _CATALOGS[index] = Catalog(index)
    return _CATALOGS[index]
