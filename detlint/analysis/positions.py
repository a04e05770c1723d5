"""Where each node of a LibCST tree is: the ranges of LibCST's `PositionProvider`, for less.

`PositionProvider` prints the module with LibCST's own code generation and notes, around each
node, the line and column reached. Its bookkeeping costs several times the printing itself: a
regular-expression split of every token, two `CodePosition` dataclasses per node, a
generator-based context manager for each node that records a "syntactic" range, and a
Python-level `__hash__` per lookup. `Positions` runs the same code generation with the same
rules (so the ranges are the same; tests/test_positions.py compares them on every fixture)
and cheap bookkeeping: a newline search per token, a tuple per node, a slotted context
manager, ranges keyed by `id(node)`.

This module imports LibCST (its code generation state, which LibCST does not export): import
it only where a file is parsed.
"""

from __future__ import annotations

import re
from typing import Any

from libcst import CSTNode, Module, SimpleStatementLine
from libcst._nodes.internal import CodegenState

from detlint.model import Position, Range

_NEWLINE = re.compile(r"\r\n?|\n")  # LibCST's `NEWLINE_RE`: what starts a new line
_LINE = re.compile(r"[^\r\n]*(?:\r\n?|\n)|[^\r\n]+\Z")  # a line with its line end, as LibCST counts lines


class Positions:
    """The range of every node of one module's tree. Ranges are keyed by the nodes' ids, so
    ask only while the tree is alive."""

    def __init__(self, module: Module) -> None:
        state = _PositionState(module.default_indent, module.default_newline)
        module._codegen(state)
        self._spans = state.spans
        self._tokens = state.tokens
        self._newline = module.default_newline
        self._lines: list[str] | None = None

    def range(self, node: CSTNode) -> Range:
        """As `PositionProvider`'s `CodeRange`, with 1-based columns."""
        line, column, end_line, end_column = self._spans[id(node)]
        return Range(Position(line, column + 1), Position(end_line, end_column + 1))

    def top_level_code(self, line: SimpleStatementLine) -> str:
        """What `module.code_for_node(line.with_changes(leading_lines=()))` prints for one of
        the module's top-level lines, read from the code already generated: from the line's
        start to the end of its last line (a top-level line has no indentation to differ)."""
        if self._lines is None:
            self._lines = _LINE.findall("".join(self._tokens))
        start, column, end, _ = self._spans[id(line)]
        code = "".join(self._lines[start - 1 : end])[column:]
        if code.endswith(("\n", "\r")):
            return code
        # The module's last line, printed without its line end (the file has none, as LibCST
        # reads it); printed alone, it has one.
        return code + (line.trailing_whitespace.newline.value or self._newline)


# A node's range as LibCST counts: start line, start column, end line, end column (lines
# 1-based, columns 0-based code points).
_Span = tuple[int, int, int, int]


class _PositionState(CodegenState):
    """LibCST's `PositionProvidingCodegenState`, cheaper: tracks the line and column as tokens
    are added, and records each node's range after its code is generated unless the node
    recorded a syntactic range (without some of its whitespace) while it was generated."""

    __slots__ = ("line", "column", "starts", "spans")

    def __init__(self, default_indent: str, default_newline: str) -> None:
        super().__init__(default_indent, default_newline)
        self.line = 1
        self.column = 0
        self.starts: list[tuple[int, int]] = []
        self.spans: dict[int, _Span] = {}

    def add_indent_tokens(self) -> None:
        for token in self.indent_tokens:
            self.add_token(token)

    def add_token(self, value: str) -> None:
        self.tokens.append(value)  # `Module` asks whether any token was added
        if "\n" in value or "\r" in value:
            lines = _NEWLINE.split(value)
            self.line += len(lines) - 1
            self.column = len(lines[-1])
        else:
            self.column += len(value)

    def before_codegen(self, node: CSTNode) -> None:
        self.starts.append((self.line, self.column))

    def after_codegen(self, node: CSTNode) -> None:
        line, column = self.starts.pop()
        self.spans.setdefault(id(node), (line, column, self.line, self.column))

    def record_syntactic_position(
        self, node: CSTNode, *, start_node: CSTNode | None = None, end_node: CSTNode | None = None
    ) -> _Syntactic:
        return _Syntactic(self, node, start_node, end_node)


class _Syntactic:
    """The context manager of `record_syntactic_position`: the node's range is the code
    generated inside the `with`, or starts where `start_node` starts / ends where `end_node`
    ends when they are given."""

    __slots__ = ("state", "node", "start_node", "end_node", "line", "column")

    def __init__(self, state: _PositionState, node: Any, start_node: Any, end_node: Any) -> None:
        self.state, self.node, self.start_node, self.end_node = state, node, start_node, end_node

    def __enter__(self) -> None:
        self.line, self.column = self.state.line, self.state.column

    def __exit__(self, *exc: object) -> None:
        state = self.state
        spans = state.spans
        start = spans[id(self.start_node)][:2] if self.start_node is not None else (self.line, self.column)
        end = spans[id(self.end_node)][2:] if self.end_node is not None else (state.line, state.column)
        spans[id(self.node)] = (*start, *end)
