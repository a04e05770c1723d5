from detlint.model import Severity
from detlint.rules._workflow import VALIDATOR, ReadOnlyHandlerRule
from detlint.rules.base import TreeRule

_ADVICE = "a validator must only read state and raise to reject; change state in the update handler"


class ValidatorChangesState(ReadOnlyHandlerRule, TreeRule):
    """
    ## What it does
    Flags an update validator (a method decorated with `@<update>.validator`) that changes
    workflow state: it assigns or deletes an attribute of `self`, mutates a container reached
    from `self`, issues a command or calls an API that changes workflow state
    (`workflow.random()`, `workflow.uuid4()`, ...). An `async def` validator (one that could
    await) is flagged on its `def` line.

    ## Why is this bad?
    A validator runs before the update is accepted, and it is not replayed when the update is
    rejected: a rejected update leaves no trace in history. A change it makes exists only on
    the worker that ran it, so a replay takes other decisions. Commands and state APIs raise
    `ReadOnlyContextError` in a validator, and the SDK refuses an `async` validator when the
    class is defined.

    ## What Temporal does
    - **Sandbox:** A validator runs in a read-only context: commands raise
      `ReadOnlyContextError`; attribute writes pass. `@update.validator` on an `async def`
      raises `ValueError` when the class is defined.
    - **On replay:** A rejected update leaves nothing in history: its change exists only on the
      worker that ran the validator.
    - **What you would see:** `ReadOnlyContextError`, or a `[TMPRL1100]` non-determinism error
      later, on another worker.

    ## Example
    ```python
    from datetime import timedelta

    from temporalio import workflow


    @workflow.defn
    class Counter:
        def __init__(self) -> None:
            self.value = 0
            self.rejected = 0

        @workflow.run
        async def run(self) -> int:
            await workflow.wait_condition(
                lambda: self.value >= 10, timeout=timedelta(days=1)
            )
            return self.value

        @workflow.update
        def add(self, amount: int) -> int:
            self.value += amount
            return self.value

        @add.validator
        def check_add(self, amount: int) -> None:
            if amount <= 0:
                self.rejected += 1
                raise ValueError("amount must be positive")
    ```

    ## Use instead
    ```python
    from datetime import timedelta

    from temporalio import workflow


    @workflow.defn
    class Counter:
        def __init__(self) -> None:
            self.value = 0

        @workflow.run
        async def run(self) -> int:
            await workflow.wait_condition(
                lambda: self.value >= 10, timeout=timedelta(days=1)
            )
            return self.value

        @workflow.update
        def add(self, amount: int) -> int:
            self.value += amount
            return self.value

        @add.validator
        def check_add(self, amount: int) -> None:
            if amount <= 0:
                raise ValueError("amount must be positive")
    ```

    ## Fix safety
    No fix is offered.
    """

    code = "DET402"
    name = "validator-changes-state"
    severity = Severity.ERROR
    summary = "Update validator that changes state or awaits"

    handler_kind = VALIDATOR
    handler_label = "update validator"
    async_why = "the SDK requires a plain `def`"
    async_advice = "make it a plain `def` that only reads state and raises to reject"
    advice = _ADVICE
