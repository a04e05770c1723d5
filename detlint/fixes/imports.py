"""Rewrite one top-level import line (its text, as `ImportStatement.source` holds it) with
LibCST: add a name to a `from X import ...`, or remove names. The line keeps its formatting,
its parentheses and its trailing comment."""

from __future__ import annotations

import functools
from bisect import bisect
from typing import Sequence

from detlint.lazy import cst


@functools.lru_cache(maxsize=512)
def with_name(source: str, name: str) -> str | None:
    """`from temporalio import activity` + `workflow` -> `from temporalio import activity,
    workflow`; at its sorted place when the names are sorted, else last. None when the line
    is not one such statement."""
    module = cst.parse_module(source)
    line = module.body[0] if module.body else None
    if not isinstance(line, cst.SimpleStatementLine) or len(line.body) != 1:
        return None
    statement = line.body[0]
    if not isinstance(statement, cst.ImportFrom) or isinstance(statement.names, cst.ImportStar):
        return None
    aliases = list(statement.names)
    names = [_bound(alias) for alias in aliases]
    if name in names:
        return None
    index = bisect(names, name) if names == sorted(names) else len(names)
    aliases.insert(index, cst.ImportAlias(name=cst.Name(name)))
    updated = statement.with_changes(names=_commas(aliases, statement.names))
    return module.with_changes(body=[line.with_changes(body=[updated])]).code


@functools.lru_cache(maxsize=512)
def without_names(source: str, names: tuple[str, ...]) -> str:
    """The line without the aliases that bind `names`; "" when nothing is left of it."""
    module = cst.parse_module(source)
    line = module.body[0]
    assert isinstance(line, cst.SimpleStatementLine)
    kept: list[cst.BaseSmallStatement] = []
    for statement in line.body:
        if isinstance(statement, (cst.Import, cst.ImportFrom)) and not isinstance(statement.names, cst.ImportStar):
            aliases = [alias for alias in statement.names if _bound(alias) not in names]
            if not aliases:
                continue
            if len(aliases) != len(statement.names):
                statement = statement.with_changes(names=_commas(aliases, statement.names))
        kept.append(statement)
    if not kept:
        return ""
    kept[-1] = kept[-1].with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
    return module.with_changes(body=[line.with_changes(body=kept)]).code


def _bound(alias: cst.ImportAlias) -> str:
    """The name an alias binds: `b` for `a as b`, `a` for `a.c`."""
    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
        return alias.asname.name.value
    node = alias.name
    while isinstance(node, cst.Attribute):
        node = node.value
    return node.value if isinstance(node, cst.Name) else ""


def _commas(aliases: list[cst.ImportAlias], original: Sequence[cst.ImportAlias]) -> list[cst.ImportAlias]:
    """Separators as the original line writes them between names, and its trailing comma."""
    separators = [alias.comma for alias in original[:-1] if isinstance(alias.comma, cst.Comma)]
    separator = separators[0] if separators else cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    trailing = original[-1].comma
    return [
        alias.with_changes(comma=separator if i < len(aliases) - 1 else trailing) for i, alias in enumerate(aliases)
    ]
