"""What extraction records for fixes: import lines, names and their uses, and per call the
callee's range, its first name and whether `await` can go before it."""

from __future__ import annotations

import textwrap
from pathlib import Path

import libcst as cst

from detlint.analysis.extract import extract
from detlint.model import Position, Range
from detlint.rules.base import TreeRule

SOURCE = textwrap.dedent(
    '''\
    """Doc."""

    import time

    import os, random as rnd  # a comment
    from datetime import datetime, timezone
    from temporalio import workflow as wf

    __all__ = ["timezone"]


    @wf.defn
    class Clock:
        @wf.run
        async def run(self) -> None:
            self.t = time.time()
            time.sleep(1)
            wf.logger.info("x")

            def inner() -> None:
                time.sleep(2)

            callback = lambda: time.sleep(3)


    if __name__ == "__main__":
        print(os.getcwd(), rnd.random())
    '''
)


class _AsyncProbe(TreeRule):
    """Not registered (no code): records what `in_async_function` says at each call."""

    def __init__(self) -> None:
        self.seen: dict[str, bool] = {}

    def visit_Call(self, node: cst.Call, ctx) -> None:
        if isinstance(node.func, cst.Attribute) and node.func.attr.value == "sleep":
            self.seen[cst.Module([]).code_for_node(node)] = ctx.in_async_function


def test_import_lines_names_and_uses():
    probe = _AsyncProbe()
    facts = extract(Path("clock.py"), SOURCE.encode(), "clock", [probe])
    context = facts.fix_context
    lines = {statement.names: statement for statement in context.imports}
    assert set(lines) == {("time",), ("os", "rnd"), ("datetime", "timezone"), ("wf",)}
    time_line = lines[("time",)]
    assert time_line.range == Range(Position(3, 1), Position(4, 1))
    assert time_line.source == "import time\n" and time_line.alone
    assert lines[("os", "rnd")].source == "import os, random as rnd  # a comment\n"
    assert not lines[("os", "rnd")].alone  # no blank line after it
    assert lines[("datetime", "timezone")].module == "datetime"
    assert lines[("wf",)].imported == ("temporalio.workflow",)

    assert context.aliases["wf"] == "temporalio.workflow"
    assert {"Clock", "callback", "inner", "wf"} <= context.bound
    # `time` four times (attribute names such as `.sleep`, `.time` are not uses), `os` and
    # `rnd` in the `__main__` block that extraction skips, `timezone` through `__all__`.
    assert context.uses == {"time": 4, "os": 1, "rnd": 1, "datetime": 0, "timezone": 1, "wf": 3}

    assert probe.seen == {"time.sleep(1)": True, "time.sleep(2)": False, "time.sleep(3)": False}


def test_references_carry_the_callee_and_whether_await_fits():
    facts = extract(Path("clock.py"), SOURCE.encode(), "clock", [])
    run = facts.functions["clock.Clock.run"]
    calls = {(r.name, r.range.start.line): r for r in run.references if r.called}
    clock = calls[("time.time", 16)]
    assert clock.func == Range(Position(16, 18), Position(16, 27)) and clock.head == "time"
    assert not clock.awaitable  # part of an assignment
    assert calls[("time.sleep", 17)].awaitable
    assert not calls[("time.sleep", 21)].awaitable  # in a plain def
    assert not calls[("time.sleep", 23)].awaitable  # in a lambda
    logger = calls[("temporalio.workflow.logger.info", 18)]
    assert logger.head == "wf" and logger.arguments.items[0].range == Range(Position(18, 24), Position(18, 27))
