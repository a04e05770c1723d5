"""The edit that silences one finding with a `# noqa` comment on its line.

`x = time.time()` becomes `x = time.time()  # noqa: DET101`; an existing `# noqa: E501` becomes
`# noqa: E501, DET101`; a comment without noqa keeps its text and gets the noqa after it. No
edit is offered where a comment cannot go (the line ends inside a multi-line string or with a
backslash continuation) or where it is not needed (a blanket `# noqa`, or the code is listed).
"""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass

from detlint.analysis.extract import NOQA
from detlint.model import Position, Range

_LAYOUT = (tokenize.NEWLINE, tokenize.NL, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER)


@dataclass(frozen=True)
class Edit:
    """Replace `range` (1-based lines and code-point columns, end exclusive) with `text`."""

    range: Range
    text: str


def noqa_edit(source: str, line: int, code: str) -> Edit | None:
    lines = source.splitlines()
    if not 1 <= line <= len(lines):
        return None
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError):
        return None  # not Python: no finding but DET001 there, and it has no noqa
    comment = None
    for token in tokens:
        if token.type in _LAYOUT:
            continue
        if token.start[0] <= line < token.end[0]:
            return None  # a string runs on past the end of this line
        if token.type == tokenize.COMMENT and token.start[0] == line:
            comment = token
    text = lines[line - 1]
    if comment is not None:
        match = NOQA.search(comment.string)
        if match is None:
            return _insert(line, len(text.rstrip()), f"  # noqa: {code}")
        listed = match.group("codes")
        if listed is None or any(code.startswith(c) for c in re.split(r"[\s,]+", listed.upper().strip())):
            return None
        return _insert(line, comment.start[1] + match.end("codes"), f", {code}")
    code_end = len(text.rstrip())
    if text[:code_end].endswith("\\"):
        return None
    return Edit(Range(Position(line, code_end + 1), Position(line, len(text) + 1)), f"  # noqa: {code}")


def _insert(line: int, column: int, text: str) -> Edit:
    at = Position(line, column + 1)
    return Edit(Range(at, at), text)
