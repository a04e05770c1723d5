"""The "disable for this line" edit: where a `# noqa` can go, and how it joins what is there."""

from __future__ import annotations

import pytest

from detlint.integrations.noqa import Edit, noqa_edit
from detlint.model import Position, Range


def apply(source: str, edit: Edit) -> str:
    lines = source.splitlines(keepends=True)

    def offset(at: Position) -> int:
        return sum(map(len, lines[: at.line - 1])) + at.column - 1

    return source[: offset(edit.range.start)] + edit.text + source[offset(edit.range.end) :]


@pytest.mark.parametrize(
    ("line", "silenced"),
    [
        ("x = time.time()", "x = time.time()  # noqa: DET101"),
        ("x = time.time()   ", "x = time.time()  # noqa: DET101"),
        ("x = time.time()  # noqa: E501", "x = time.time()  # noqa: E501, DET101"),
        ("x = time.time()  # NOQA:E501,W291", "x = time.time()  # NOQA:E501,W291, DET101"),
        ("x = time.time()  # type: ignore", "x = time.time()  # type: ignore  # noqa: DET101"),
        ('x = "🙂 #"; y = time.time()', 'x = "🙂 #"; y = time.time()  # noqa: DET101'),
    ],
)
def test_silenced_line(line, silenced):
    source = f"import time\n{line}\nprint(x)\n"
    edit = noqa_edit(source, 2, "DET101")
    assert edit is not None
    assert apply(source, edit) == f"import time\n{silenced}\nprint(x)\n"


@pytest.mark.parametrize(
    "source",
    [
        "x = time.time()  # noqa\n",  # a blanket noqa already silences it
        "x = time.time()  # noqa: DET101\n",
        "x = time.time()  # noqa: DET1\n",  # a prefix that covers the code
        'x = (time.time(), """\nstill a string\n""")\n',  # the line ends inside a string
        "x = time.time() + \\\n    1\n",  # a comment cannot follow a continuation
        "def broken(:\n",
    ],
)
def test_no_edit(source):
    assert noqa_edit(source, 1, "DET101") is None


def test_the_silenced_line_is_silenced_for_detlint(tmp_path):
    from tests.conftest import run_check
    from tests.integrations.test_sarif import WORKFLOW

    source = WORKFLOW.replace("first = time.time()", "first = time.time()  # noqa: E501")
    (tmp_path / "wf.py").write_text(source)
    first, second = run_check(tmp_path / "wf.py", cwd=tmp_path).diagnostics
    edit = noqa_edit(source, first.range.start.line, first.code)
    assert edit == Edit(Range(Position(10, 42), Position(10, 42)), ", DET101")
    (tmp_path / "wf.py").write_text(apply(source, edit))
    assert run_check(tmp_path / "wf.py", cwd=tmp_path).diagnostics == [second]
