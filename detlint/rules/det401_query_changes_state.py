from detlint.model import Severity
from detlint.rules._workflow import QUERY, ReadOnlyHandlerRule
from detlint.rules.base import TreeRule

_ADVICE = "a query must only read state; change it in a signal or update handler"


class QueryChangesState(ReadOnlyHandlerRule, TreeRule):
    """
    ## What it does
    Flags a query handler (`@workflow.query`) that changes workflow state: it assigns or
    deletes an attribute of `self`, mutates a container reached from `self`
    (`self.items.append(x)`, `self.totals[k] = v`), issues a command (starts an activity,
    sleeps, signals another workflow) or calls an API that changes workflow state
    (`workflow.random()`, `workflow.uuid4()`, `workflow.set_*_handler`). An `async def`
    query is flagged on its `def` line.

    ## Why is this bad?
    Queries are not recorded in history: they run on whichever worker answers them, as often
    as clients ask, and again after every replay. A change a query makes exists on one worker
    and not on another, so the workflow's later decisions differ on replay. Commands and state
    APIs raise `ReadOnlyContextError` in a query; plain attribute writes are not detected at
    run time at all. An `async` query may be suspended, which a query cannot be (the SDK warns
    that async queries are deprecated).

    Building a local value (a list, a dict) to return is fine.

    ## What Temporal does
    - **Sandbox:** A query runs in a read-only context: commands, patches and
      `workflow.random()` raise `ReadOnlyContextError`; attribute writes pass unnoticed. An
      `async` query triggers a deprecation warning.
    - **On replay:** Queries are not in history and are not replayed: the change exists only on
      the worker that answered, and later decisions differ on the worker that replays.
    - **What you would see:** `ReadOnlyContextError` for a command; for a write, a `[TMPRL1100]`
      non-determinism error or silently different state.

    ## Example
    ```python
    from datetime import timedelta

    from temporalio import workflow


    @workflow.defn
    class Cart:
        def __init__(self) -> None:
            self.items: list[str] = []
            self.reads = 0

        @workflow.run
        async def run(self) -> None:
            await workflow.wait_condition(
                lambda: len(self.items) > 3, timeout=timedelta(days=1)
            )

        @workflow.signal
        def add(self, item: str) -> None:
            self.items.append(item)

        @workflow.query
        def contents(self) -> list[str]:
            self.reads += 1
            return list(self.items)
    ```

    ## Use instead
    ```python
    from datetime import timedelta

    from temporalio import workflow


    @workflow.defn
    class Cart:
        def __init__(self) -> None:
            self.items: list[str] = []

        @workflow.run
        async def run(self) -> None:
            await workflow.wait_condition(
                lambda: len(self.items) > 3, timeout=timedelta(days=1)
            )

        @workflow.signal
        def add(self, item: str) -> None:
            self.items.append(item)

        @workflow.query
        def contents(self) -> list[str]:
            return list(self.items)
    ```

    ## Fix safety
    No fix is offered.
    """

    code = "DET401"
    name = "query-changes-state"
    severity = Severity.ERROR
    summary = "Query handler that changes state, awaits, or is async"

    handler_kind = QUERY
    handler_label = "query handler"
    async_why = "a query runs to completion without waiting"
    async_advice = "make it a plain `def` that only reads state"
    advice = _ADVICE
