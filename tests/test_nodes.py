"""`child_nodes` is `CSTNode.children` without whitespace and punctuation, in the same order."""

from pathlib import Path

import libcst as cst
import pytest

from detlint.analysis.nodes import child_nodes, descendants, source_of

ROOT = Path(__file__).resolve().parents[1]

# Every node type whose fields are not declared in source order, and the newer syntax.
EVERY_SHAPE = '''
@decorator
class C[T](Base, metaclass=M):
    @property
    def f[U](self, a, /, b: int = 1, *args, c, **kwargs) -> U:
        return x if a else y
try:
    pass
except ValueError as error:
    pass
try:
    pass
except* OSError as group:
    pass
from ..package import name as alias
match point:
    case Point(x=0, y=[*rest]) if rest:
        pass
    case {"k": v, **others}:
        pass
type Alias[K] = dict[K, int]
print(f"{value!r:>{width}}", key=[1, 2], *{3}, **{"a": {4: 5}})
call((name), ( 'text' ), 1_0, (1.5j), b"raw")
'''


def _sources() -> list[tuple[str, bytes]]:
    fixtures = (f for f in sorted((ROOT / "fixtures").rglob("*.py")) if "DET001" not in f.parts)  # unparseable
    files = list(fixtures)
    return [("every-shape", EVERY_SHAPE.encode()), *((str(f.relative_to(ROOT)), f.read_bytes()) for f in files)]


def _meaningful(node: cst.CSTNode) -> bool:
    return isinstance(node, (cst.BaseExpression, cst.BaseStatement, cst.BaseSmallStatement, cst.Name)) or any(
        _meaningful(child) for child in node.children
    )


@pytest.mark.parametrize(("name", "source"), _sources(), ids=lambda value: value if isinstance(value, str) else "")
def test_child_nodes_keep_every_meaningful_child_in_order(name: str, source: bytes) -> None:
    module = cst.parse_module(source)
    stack: list[cst.CSTNode] = [module]
    while stack:
        node = stack.pop()
        fast = list(child_nodes(node))
        kept = {id(child) for child in fast}
        slow = node.children
        assert fast == [child for child in slow if id(child) in kept], type(node).__name__
        assert not any(_meaningful(child) for child in slow if id(child) not in kept), type(node).__name__
        stack.extend(fast)


def test_descendants_do_not_recurse() -> None:
    deep = cst.parse_expression("(" * 1 + "+".join(["x"] * 3000) + ")")
    assert sum(isinstance(n, cst.Name) for n in descendants(deep)) == 3000


@pytest.mark.parametrize(("name", "source"), _sources(), ids=lambda value: value if isinstance(value, str) else "")
def test_source_of_is_what_libcst_prints(name: str, source: bytes) -> None:
    printer = cst.Module(body=[])
    for node in descendants(cst.parse_module(source)):
        if isinstance(node, cst.BaseExpression):
            assert source_of(node) == printer.code_for_node(node)
