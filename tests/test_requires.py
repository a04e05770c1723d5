"""`TreeRule.requires`: a rule's hooks run only in files whose text can hold what it reports
(that it still finds what it must is shown by every rule's example and the fixtures)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from detlint.analysis.extract import extract
from detlint.config import Settings
from detlint.rules.base import TreeRule


class _Visits(TreeRule):
    """Counts the modules it is shown (no `code`: not a registered rule)."""

    requires = re.compile(rb"except")

    def visit_Module(self, node, ctx) -> None:
        self.modules = getattr(self, "modules", 0) + 1


@pytest.mark.parametrize(("source", "visited"), [(b"x = 1\n", 0), (b"try:\n    pass\nexcept ValueError:\n    pass\n", 1)])
def test_hooks_run_only_where_the_text_matches(source: bytes, visited: int) -> None:
    rule = _Visits(Settings(root=Path("."), config_file=None))
    extract(Path("m.py"), source, "m", [rule])
    assert getattr(rule, "modules", 0) == visited
