"""Name binding in one module, Python's rules cut down to what a linter needs.

A binding maps a name to what it stands for: a qualified name (`random`, `datetime.datetime`,
`pkg.mod.helper`), a value (`temporalio.workflow.random()`, `builtins.set()`), or None when the
name is bound to something detlint cannot know (a parameter, a loop variable, a name assigned
twice with different values). None shadows: a local `random` is never the module.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass, field
from typing import Callable, Iterator, Optional, Sequence

from detlint.analysis.nodes import child_nodes
from detlint.lazy import cst

Binding = Optional[str]
BUILTINS = frozenset(dir(builtins))

# The value a literal or comprehension stands for.
# (Node types by name: this module must not touch LibCST when it is imported, see detlint/lazy.py.)
LITERAL_VALUES: dict[str, str] = {
    "Set": "builtins.set()",
    "SetComp": "builtins.set()",
    "List": "builtins.list()",
    "ListComp": "builtins.list()",
    "Dict": "builtins.dict()",
    "DictComp": "builtins.dict()",
}
SET_VALUES = frozenset({"builtins.set()", "builtins.frozenset()"})
# Set methods and operators whose result is again a set.
SET_RESULT_METHODS = frozenset({"union", "intersection", "difference", "symmetric_difference", "copy"})
SET_OPERATORS = frozenset({"BitOr", "BitAnd", "Subtract", "BitXor"})
# Methods that change a dict or list in place.
IN_PLACE_METHODS = frozenset(
    {"update", "setdefault", "pop", "popitem", "clear", "append", "extend", "insert", "remove"}
)
# `path / "name"` is again a path.
PATH_VALUES = frozenset(f"pathlib.{cls}()" for cls in ("Path", "PosixPath", "WindowsPath", "PurePath"))


@dataclass
class Scope:
    kind: str  # "module", "class", "function", "comprehension"
    bindings: dict[str, Binding] = field(default_factory=dict)
    declared_global: set[str] = field(default_factory=set)
    # The expression a name is bound to, when it is bound exactly once by a plain assignment
    # (`opts = {"start_to_close_timeout": ...}`), for readers of literal values.
    definitions: dict[str, cst.BaseExpression] = field(default_factory=dict)
    # Names whose value is changed in place (`opts["k"] = v`, `opts.update(...)`).
    mutated: set[str] = field(default_factory=set)

    def bind(self, name: str, value: Binding, definition: cst.BaseExpression | None = None) -> None:
        """A second, different binding makes the name unknowable."""
        if definition is not None and name not in self.bindings:
            self.definitions[name] = definition
        else:
            self.definitions.pop(name, None)
        if name in self.bindings and self.bindings[name] != value:
            self.bindings[name] = None
        else:
            self.bindings[name] = value

    def definition(self, name: str) -> cst.BaseExpression | None:
        """The one expression `name` is bound to, unless it is rebound or changed in place."""
        return None if name in self.mutated else self.definitions.get(name)


def is_constant(node: cst.BaseExpression | None, name: str) -> bool:
    """`True`, `False` or `None` written literally."""
    return isinstance(node, cst.Name) and node.value == name


def dotted(node: cst.BaseExpression) -> str | None:
    """`a.b.c` for an attribute chain of plain names."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = dotted(node.value)
        return f"{base}.{node.attr.value}" if base else None
    return None


def absolute_module(module: str, is_package: bool, relative_level: int, target: str | None) -> str | None:
    """The module that `from <dots><target> import ...` names, seen from `module`."""
    if relative_level == 0:
        return target
    parts = module.split(".")
    if not is_package:
        parts = parts[:-1]
    if relative_level - 1 > len(parts):
        return None
    parts = parts[: len(parts) - (relative_level - 1)]
    if target:
        parts.append(target)
    return ".".join(parts) or None


class BindingCollector:
    """Collects the names one scope binds, walking statements only: expressions never bind
    (but for `:=`, which the extractor binds when it meets one), and nested scopes' bodies
    belong to them.

    `resolve` gives the value of an assigned expression, so `now = datetime.now` and
    `rng = workflow.random()` bind to what they stand for.
    """

    def __init__(
        self,
        scope: Scope,
        resolve: Callable[[cst.BaseExpression], Binding],
        qualify: Callable[[str], str],
        import_base: Callable[[cst.ImportFrom], str | None],
    ) -> None:
        self.scope = scope
        self.resolve = resolve
        self.qualify = qualify
        self.import_base = import_base

    def collect(self, statements: Sequence[cst.CSTNode]) -> None:
        # `type(node) is`: these node classes have no subclasses, and a failed `isinstance` on
        # LibCST's abstract-base classes runs Python code; this runs for every statement.
        for node in walk_statements(statements):
            kind = type(node)
            if kind is cst.FunctionDef or kind is cst.ClassDef:
                # A def nested in a function is part of that function, not a project function.
                name = node.name.value
                self.scope.bind(name, self.qualify(name) if self.scope.kind != "function" else None)
            elif kind is cst.For:
                self._bind_target(node.target, None)
            elif kind is cst.With:
                for item in node.items:
                    if item.asname is not None:
                        self._bind_target(item.asname.name, None)
            elif kind is cst.ExceptHandler or kind is cst.ExceptStarHandler:
                if node.name is not None:
                    self._bind_target(node.name.name, None)
            elif kind is cst.MatchCase:
                for name in _pattern_names(node.pattern):
                    self.scope.bind(name, None)
            else:
                self._small(node)

    def _small(self, node: cst.CSTNode) -> None:
        kind = type(node)
        if kind is cst.Assign or kind is cst.AnnAssign or kind is cst.Expr or kind is cst.Return:
            self._note_in_place_change(node.value)
        if kind is cst.Assign:
            single = len(node.targets) == 1
            value = self.resolve(node.value) if single else None
            for target in node.targets:
                self._bind_target(target.target, value, node.value if single else None)
        elif kind is cst.AnnAssign:
            self._bind_target(node.target, self.resolve(node.value) if node.value else None, node.value)
        elif kind is cst.AugAssign or kind is cst.Del:
            self._bind_target(node.target, None)
        elif kind is cst.Import:
            for alias in node.names:
                full = dotted(alias.name)
                if full is None:
                    continue
                if alias.asname is not None:
                    self._bind_target(alias.asname.name, full)
                else:
                    top = full.split(".")[0]
                    self.scope.bind(top, top)
        elif kind is cst.ImportFrom and not isinstance(node.names, cst.ImportStar):
            base = self.import_base(node)
            for alias in node.names:
                name = dotted(alias.name)
                if name is not None:
                    target = alias.asname.name if alias.asname is not None else alias.name
                    self._bind_target(target, f"{base}.{name}" if base else None)
        elif kind is cst.Global:
            self.scope.declared_global.update(item.name.value for item in node.names)
        elif kind is cst.Nonlocal:
            for item in node.names:
                self.scope.bind(item.name.value, None)

    def _note_in_place_change(self, value: cst.BaseExpression | None) -> None:
        """`opts.update(...)` (a statement, or the value assigned or returned)."""
        func = value.func if isinstance(value, cst.Call) else None
        if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.attr.value in IN_PLACE_METHODS:
            self.scope.mutated.add(func.value.value)

    def _bind_target(
        self, target: cst.BaseExpression, value: Binding, definition: cst.BaseExpression | None = None
    ) -> None:
        if isinstance(target, cst.Name):
            if target.value not in self.scope.declared_global:
                self.scope.bind(target.value, value, definition)
        elif isinstance(target, cst.Subscript) and isinstance(target.value, cst.Name):
            self.scope.mutated.add(target.value.value)
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._bind_target(element.value, None)
        elif isinstance(target, cst.StarredElement):
            self._bind_target(target.value, None)


def walk_statements(statements: Sequence[cst.CSTNode]) -> Iterator[cst.CSTNode]:
    """Every statement in `statements`, in order: small statements (`x = 1`, `import a`),
    compound ones and their clauses (`for`, `with`, `except`, `case`), descending into their
    bodies but never into expressions, nor into nested function or class bodies."""
    for statement in statements:
        if isinstance(statement, cst.SimpleStatementLine):
            yield from statement.body
            continue
        yield statement
        if isinstance(statement, (cst.BaseSmallStatement, cst.FunctionDef, cst.ClassDef)):
            continue  # a one-line suite's statements, or a nested scope
        clauses: list[cst.CSTNode] = [statement]
        if isinstance(statement, cst.If):
            clauses.append(statement.orelse) if statement.orelse is not None else None
        elif isinstance(statement, (cst.For, cst.While)):
            clauses.extend(c for c in (statement.orelse,) if c is not None)
        elif isinstance(statement, (cst.Try, cst.TryStar)):
            clauses.extend(statement.handlers)
            clauses.extend(c for c in (statement.orelse, statement.finalbody) if c is not None)
        elif isinstance(statement, cst.Match):
            clauses = list(statement.cases)
        for clause in clauses:
            if clause is not statement and not isinstance(clause, cst.If):
                yield clause
            if isinstance(clause, cst.If) and clause is not statement:
                yield from walk_statements([clause])  # `elif`
                continue
            suite = clause.body  # type: ignore[attr-defined]
            yield from walk_statements(suite.body)


def _pattern_names(pattern: cst.CSTNode) -> list[str]:
    """Names a `case` pattern captures (`case Point(x=px, y=[*rest])`)."""
    names: list[str] = []
    stack = [pattern]
    while stack:
        node = stack.pop()
        if isinstance(node, (cst.MatchAs, cst.MatchStar)) and node.name is not None:
            names.append(node.name.value)
        elif isinstance(node, cst.MatchMapping) and node.rest is not None:
            names.append(node.rest.value)
        stack.extend(child for child in child_nodes(node) if isinstance(child, (cst.MatchPattern, cst.CSTNode)))
    return names


def parameters(params: cst.Parameters) -> list[cst.Param]:
    found = [*params.posonly_params, *params.params, *params.kwonly_params]
    return found + [p for p in (params.star_arg, params.star_kwarg) if isinstance(p, cst.Param)]


def parameter_names(params: cst.Parameters) -> list[str]:
    return [param.name.value for param in parameters(params)]


def comprehension_targets(node: cst.BaseComp) -> list[str]:
    names: list[str] = []
    comp_for: cst.CompFor | None = node.for_in
    while comp_for is not None:
        names.extend(_target_names(comp_for.target))
        comp_for = comp_for.inner_for_in
    return names


def _target_names(target: cst.BaseExpression) -> list[str]:
    if isinstance(target, cst.Name):
        return [target.value]
    if isinstance(target, (cst.Tuple, cst.List)):
        return [n for element in target.elements for n in _target_names(element.value)]
    if isinstance(target, cst.StarredElement):
        return _target_names(target.value)
    return []
