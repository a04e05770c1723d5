"""`Positions` gives every node the range LibCST's `PositionProvider` gives it."""

from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from detlint.analysis.positions import Positions
from detlint.model import Position, Range

ROOT = Path(__file__).resolve().parents[1]

# Shapes whose ranges are recorded specially (decorated definitions, parenthesised and
# multi-line expressions, semicolons, comments, CRLF and CR line ends, no trailing newline).
EDGE_CASES = {
    "shapes": b'''
@decorator(  # comment
    arg,
)
async def f[T](self, a, /, b: int = 1, *args, c, **kwargs) -> T:
    x = (  (a)  +  b )  ;  y = [1,
        2]
    return (yield from g()) if a else lambda: \\
        x
class C(Base, metaclass=M): pass
match p:
    case {"k": v, **rest} if v:
        print(f"{v!r:>{w}}", *a, **k)
''',
    "crlf": b"def f():\r\n    return (\r\n        1)\r\n",
    "cr": b"x = 1\ry = (2,\r     3)\r",
    "no-trailing-newline": b"if x:\n    y = 1",
    "empty": b"",
    "only-comment": b"# nothing\n",
}


def _sources() -> list[tuple[str, bytes]]:
    files = [
        f
        for folder in (ROOT / "fixtures", ROOT / "detlint" / "templates")
        for f in sorted(folder.rglob("*.py"))
        if "DET001" not in f.parts  # unparseable on purpose
    ]
    return [*EDGE_CASES.items(), *((str(f.relative_to(ROOT)), f.read_bytes()) for f in files)]


@pytest.mark.parametrize(("name", "source"), _sources(), ids=lambda value: value if isinstance(value, str) else "")
def test_every_node_has_the_range_position_provider_gives_it(name: str, source: bytes) -> None:
    module = cst.parse_module(source)
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    positions = Positions(module)
    checked = 0
    stack: list[cst.CSTNode] = [module]
    while stack:
        node = stack.pop()
        stack.extend(node.children)
        want = expected[node]
        assert positions.range(node) == Range(
            Position(want.start.line, want.start.column + 1), Position(want.end.line, want.end.column + 1)
        ), f"{type(node).__name__} at {want}"
        checked += 1
    assert checked == len(expected)


# Top-level lines whose text LibCST prints differently from the file: a form feed it drops, a
# last line whose line end it does not count as one.
LINE_EDGE_CASES = {
    "form-feed": b"\x0cimport os\nx = 1\n\x0c\n \x0cimport sys\n",
    "last-line-ends-with-cr": b"import os\r\nimport sys\nimport re\r",
    "no-trailing-newline": b"import os\nimport sys  # comment",
    "byte-order-mark": b"\xef\xbb\xbfimport os\nimport sys\n",
    "continued": b"import os; x = 1\nfrom a import (b,\r\n  c)  # x\r\nimport d, \\\n  e\n",
    "latin-1": "# -*- coding: latin-1 -*-\nimport os  # \xe9\n".encode("latin-1"),
}


@pytest.mark.parametrize(
    ("name", "source"),
    [*LINE_EDGE_CASES.items(), *_sources()],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_top_level_code_is_what_libcst_prints_for_the_line(name: str, source: bytes) -> None:
    module = cst.parse_module(source)
    positions = Positions(module)
    for line in module.body:
        if isinstance(line, cst.SimpleStatementLine):
            assert positions.top_level_code(line) == module.code_for_node(line.with_changes(leading_lines=()))
