"""Walking LibCST trees quickly.

`CSTNode.children` runs LibCST's whole visitor machinery (validation, every whitespace and
punctuation node) to list a node's children; walks that look for names, calls and statements
need none of that. `child_nodes` reads the dataclass fields instead, in source order, without
whitespace and punctuation: the same nodes in the same order, many times cheaper.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from typing import Iterator

from detlint.lazy import cst

# Fields that hold only whitespace, punctuation or operators: never an expression or statement.
_SYNTAX_FIELDS = re.compile(
    r"whitespace|lpar|rpar|lbrace|rbrace|lbracket|rbracket|comma|semicolon|colon|equal|leading_lines"
    r"|lines_after|header|footer|newline|operator|^dot$|arrow|asynchronous|^star$|^walrus$"
)

# Node types whose dataclass fields are not declared in source order. (By name: this module
# must not touch LibCST when it is imported, see detlint/lazy.py.)
_SOURCE_ORDER: dict[str, tuple[str, ...]] = {
    "Arg": ("keyword", "value"),
    "ClassDef": ("decorators", "name", "type_parameters", "bases", "keywords", "body"),
    "FunctionDef": ("decorators", "name", "type_parameters", "params", "returns", "body"),
    "ExceptHandler": ("type", "name", "body"),
    "ExceptStarHandler": ("type", "name", "body"),
    "IfExp": ("body", "test", "orelse"),
    "ImportFrom": ("relative", "module", "names"),
    "MatchCase": ("pattern", "guard", "body"),
    "Parameters": ("posonly_params", "posonly_ind", "params", "star_arg", "kwonly_params", "star_kwarg"),
    "TypeAlias": ("name", "type_parameters", "value"),
    "FormattedStringExpression": ("expression", "format_spec"),
}

_FIELDS: dict[type, tuple[str, ...]] = {}
_IS_NODE: dict[type, bool] = {}  # `isinstance` on LibCST's abstract classes is slow on hot paths


def node_fields(kind: type[cst.CSTNode]) -> tuple[str, ...]:
    """The fields of a node type that can hold expressions or statements, in source order."""
    fields = _FIELDS.get(kind)
    if fields is None:
        fields = _SOURCE_ORDER.get(kind.__name__) or tuple(
            f.name for f in dataclasses.fields(kind) if not _SYNTAX_FIELDS.search(f.name)
        )
        _FIELDS[kind] = fields
    return fields


def child_nodes(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """The children of `node` that are expressions, statements or their parts, in source order."""
    for name in node_fields(type(node)):
        value = getattr(node, name)
        if isinstance(value, (tuple, list)):
            for item in value:
                if is_node(type(item)):
                    yield item
        elif is_node(type(value)):
            yield value


def is_node(kind: type) -> bool:
    known = _IS_NODE.get(kind)
    if known is None:
        known = _IS_NODE[kind] = issubclass(kind, cst.CSTNode)
    return known


def descendants(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """Every node below `node` in source order, nested functions and lambdas included (they
    run as part of the workflow), nested classes excluded."""
    return walk_below(node, (cst.ClassDef,))


def own_descendants(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """Every node below `node` that belongs to the same function: no nested def or class."""
    return walk_below(node, (cst.FunctionDef, cst.ClassDef))


def walk_below(node: cst.CSTNode, closed: tuple[type[cst.CSTNode], ...] = ()) -> Iterator[cst.CSTNode]:
    """The nodes below `node` in source order, not entering `closed` ones (concrete node
    classes); a stack, not recursion, so that deeply nested code cannot exhaust Python's
    recursion limit."""
    stack = [*child_nodes(node)][::-1]
    while stack:
        child = stack.pop()
        yield child
        if type(child) not in closed:  # concrete classes: no subclasses to miss
            stack.extend([*child_nodes(child)][::-1])


def source_of(node: cst.CSTNode) -> str:
    """The node's source text (as LibCST prints it, with the module's default formatting)."""
    if type(node).__name__ in _SINGLE_TOKENS and not node.lpar:  # most arguments: printed as their value
        return node.value
    return _printer().code_for_node(node)


# Expressions whose code is their `value` within their parentheses.
_SINGLE_TOKENS = frozenset({"Name", "SimpleString", "Integer", "Float", "Imaginary"})


@functools.cache
def _printer() -> cst.Module:
    return cst.Module(body=[])
