from __future__ import annotations

from typing import Iterable

from detlint.frameworks import temporal
from detlint.lazy import cst
from detlint.model import Severity
from detlint.rules._workflow import is_command
from detlint.rules.base import TreeRule

_EXITS = frozenset({"Return", "Raise", "Continue", "Break"})  # statements, by LibCST class name


class ReplayStateBranch(TreeRule):
    """
    ## What it does
    Flags `workflow.unsafe.is_replaying()` (or `is_replaying_history_events()`) deciding whether
    a command is issued: an `if` on it whose branches start an activity, a timer, a child
    workflow, a wait, a signal or a cancel, or that returns early before such a command.

    ## Why is this bad?
    A replay must issue exactly the commands that history recorded, in the same order. Code
    that issues a command only when not replaying (or only when replaying) produces another
    sequence on replay, and the workflow fails with a non-determinism error (TMPRL1100).

    ## What Temporal does
    - **Sandbox:** `workflow.unsafe.is_replaying()` is allowed: it is meant for logging and
      metrics.
    - **On replay:** The server matches every command the code issues with the next event in
      history; a command issued only on the first run (or only on replay) leaves an event
      without a command, or a command without an event.
    - **What you would see:** A `[TMPRL1100]` non-determinism error on the first replay of every
      execution.

    ## Example
    ```python
    from datetime import timedelta

    from temporalio import workflow


    @workflow.defn
    class Audit:
        @workflow.run
        async def run(self) -> None:
            if not workflow.unsafe.is_replaying():
                await workflow.execute_activity(
                    "audit", start_to_close_timeout=timedelta(seconds=10)
                )
    ```

    ## Use instead
    Issue commands unconditionally; use the replay state only to silence side output:
    ```python
    from datetime import timedelta

    from temporalio import workflow


    @workflow.defn
    class Audit:
        @workflow.run
        async def run(self) -> None:
            await workflow.execute_activity(
                "audit", start_to_close_timeout=timedelta(seconds=10)
            )
            if not workflow.unsafe.is_replaying():
                workflow.logger.info("audited")
    ```

    ## Fix safety
    No fix is offered.
    """

    code = "DET116"
    name = "replay-state-branch"
    severity = Severity.ERROR
    summary = "Replay state decides whether a command is issued"

    def visit_If(self, node: cst.If, ctx) -> None:
        if self._replay_test(node.test, ctx) and _issues_command(node, ctx):
            self._report(node, ctx)

    def visit_IndentedBlock(self, node: cst.IndentedBlock, ctx) -> None:
        """`if is_replaying(): return` followed by a command decides it too."""
        statements = list(node.body)
        for position, statement in enumerate(statements):
            if (
                isinstance(statement, cst.If)
                and self._replay_test(statement.test, ctx)
                and _exits(statement.body)
                and not _issues_command(statement, ctx)
                and any(_issues_command(later, ctx) for later in statements[position + 1 :])
            ):
                self._report(statement, ctx)

    def _replay_test(self, test: cst.BaseExpression, ctx) -> bool:
        nodes = [test, *ctx.walk(test)]
        return any(isinstance(n, cst.Call) and ctx.resolve(n.func) in temporal.REPLAY_STATE_QUERIES for n in nodes)

    def _report(self, node: cst.If, ctx) -> None:
        ctx.report(
            self,
            node,
            "replay state decides whether a command is issued, so a replay issues another sequence",
            "issue commands unconditionally; use `is_replaying()` only around logging",
            "is_replaying()",
        )


def _issues_command(node: cst.CSTNode, ctx) -> bool:
    return any(is_command(n, ctx) for n in ctx.walk(node))


def _exits(block: cst.BaseSuite) -> bool:
    statements: Iterable[cst.CSTNode] = block.body
    if isinstance(block, cst.IndentedBlock):
        statements = [s for line in block.body if isinstance(line, cst.SimpleStatementLine) for s in line.body]
    return any(type(s).__name__ in _EXITS for s in statements)
