"""LibCST's node checks are off only while its own parser builds a tree (analysis/extract.py)."""

from __future__ import annotations

import ast
import inspect
import textwrap
from pathlib import Path

import libcst as cst
import pytest

from detlint.analysis.extract import extract


def test_libcst_post_init_only_checks_the_node():
    # What turning the checks off skips: if LibCST ever does more in `__post_init__`, this fails
    # and the shortcut must be looked at again.
    (function,) = ast.parse(textwrap.dedent(inspect.getsource(cst.CSTNode.__post_init__))).body
    statements = [s for s in function.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
    assert [ast.unparse(s) for s in statements] == ["self._validate()"]


@pytest.mark.parametrize(("source", "parses"), [(b"import time\n\n\ndef f():\n    return time.time()\n", True), (b"def f(:\n", False)])
def test_checks_are_back_after_a_file_is_analysed(source: bytes, parses: bool):
    facts = extract(Path("m.py"), source, "m", [])
    assert (facts.parse_failure is None) == parses
    with pytest.raises(cst.CSTValidationError):
        cst.Name("not a name")
