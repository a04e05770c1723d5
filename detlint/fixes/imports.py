"""Rewrite one top-level import line (its text, as `ImportStatement.source` holds it): add a
name to a `from X import ...`, or remove names. Everything else in the line (its formatting,
parentheses, separators and trailing comment) is kept byte for byte: the edits are cuts and
insertions at the positions Python's own parser gives each statement and name."""

from __future__ import annotations

import ast
import functools
from bisect import bisect


@functools.lru_cache(maxsize=512)
def with_name(source: str, name: str) -> str | None:
    """`from temporalio import activity` + `workflow` -> `from temporalio import activity,
    workflow`; at its sorted place when the names are sorted, else last. None when the line
    is not one such statement."""
    line = _Line.parse(source)
    if line is None or len(line.statements) != 1:
        return None
    statement = line.statements[0]
    if not isinstance(statement, ast.ImportFrom) or statement.names[0].name == "*":
        return None
    names = [_bound(alias) for alias in statement.names]
    if name in names:
        return None
    spans = [line.span(alias) for alias in statement.names]
    separator = line.text[spans[0][1] : spans[1][0]] if len(spans) > 1 else b", "
    index = bisect(names, name) if names == sorted(names) else len(names)
    if index < len(spans):
        return line.edit(spans[index][0], spans[index][0], name.encode() + separator)
    return line.edit(spans[-1][1], spans[-1][1], separator + name.encode())


@functools.lru_cache(maxsize=512)
def without_names(source: str, names: tuple[str, ...]) -> str:
    """The line without the aliases that bind `names`; "" when nothing is left of it."""
    while True:
        line = _Line.parse(source)
        assert line is not None
        cut = line.first_cut(names)
        if cut is None:
            return source
        source = line.edit(*cut, b"")
        if not source.strip() or _Line.parse(source) is None:
            return ""


def _bound(alias: ast.alias) -> str:
    """The name an alias binds: `b` for `a as b`, `a` for `a.c`."""
    return alias.asname or alias.name.split(".")[0]


class _Line:
    def __init__(self, text: bytes, statements: list[ast.stmt]) -> None:
        self.text = text
        self.statements = statements
        self.starts = [0]
        for piece in text.splitlines(keepends=True):
            self.starts.append(self.starts[-1] + len(piece))

    @classmethod
    def parse(cls, source: str) -> _Line | None:
        text = source.encode()
        try:
            module = ast.parse(text)
        except SyntaxError:
            return None
        statements = module.body
        if not statements or not all(isinstance(s, (ast.Import, ast.ImportFrom)) for s in statements):
            return None
        return cls(text, statements)

    def span(self, node: ast.stmt | ast.alias) -> tuple[int, int]:
        """Byte offsets (ast columns count UTF-8 bytes)."""
        return self.starts[node.lineno - 1] + node.col_offset, self.starts[node.end_lineno - 1] + node.end_col_offset

    def first_cut(self, names: tuple[str, ...]) -> tuple[int, int] | None:
        """The bytes to cut for the first alias that binds one of `names`: with the separator
        after it, or before it when it is the last; the whole statement (with its `;`) when
        it is the statement's only alias."""
        for position, statement in enumerate(self.statements):
            aliases = statement.names
            if aliases[0].name == "*":
                continue
            for index, alias in enumerate(aliases):
                if _bound(alias) not in names:
                    continue
                if len(aliases) == 1:
                    return self._cut(self.statements, position)
                return self._cut(aliases, index)
        return None

    def _cut(self, nodes: list, index: int) -> tuple[int, int]:
        start, end = self.span(nodes[index])
        if index + 1 < len(nodes):
            return start, self.span(nodes[index + 1])[0]
        if index > 0:
            return self.span(nodes[index - 1])[1], end
        return start, end

    def edit(self, start: int, end: int, insert: bytes) -> str:
        return (self.text[:start] + insert + self.text[end:]).decode()
