from __future__ import annotations

from detlint.analysis.commands import CommandCall, catalog, is_activity, is_none, retry_policy
from detlint.analysis.facts import Effect
from detlint.analysis.index import Node, ProjectIndex
from detlint.lazy import cst
from detlint.model import Range, Severity
from detlint.rules.base import ProjectRule, Role, TreeRule

_VALIDATION_ERRORS = frozenset({"builtins.ValueError", "builtins.TypeError", "builtins.KeyError"})
_CATCH_ALL = frozenset({"*", "builtins.Exception", "builtins.BaseException"})


class RetryableValidationError(TreeRule, ProjectRule):
    """
    ## What it does
    Flags `raise ValueError(...)`, `TypeError`, `KeyError` or a custom `*ValidationError` in
    an activity (`@activity.defn`), unless every call that runs the activity makes it final:
    lists the type in `RetryPolicy(non_retryable_error_types=[...])` or sets
    `maximum_attempts=1`. A raise caught by an enclosing `try` of the activity is not
    flagged. Reported on the `raise` line.

    ## Why is this bad?
    Temporal retries a failed activity, by default forever with exponential backoff, and an
    exception is retryable unless it says otherwise. A validation error fails again with the
    same input on every attempt: the workflow waits, the worker burns attempts, and the error
    only surfaces when someone looks. `ApplicationError(..., non_retryable=True)` fails the
    activity at once, and the workflow can handle the failure.

    ## What Temporal does
    - **Sandbox:** Does not apply: activities run outside the workflow sandbox, and nothing
      restricts their I/O.
    - **On replay:** Activities are never replayed: an attempt's result is recorded in history
      once. What repeats is a retry: after a failure, a timeout or a lost worker the server
      starts a new attempt, by default with no limit on attempts. An exception is retried unless
      it is an `ApplicationError` with `non_retryable=True` or its type is in the policy's
      `non_retryable_error_types`.
    - **What you would see:** No error surfaces in the workflow: the attempt count grows, and
      the workflow waits.

    ## Example
    ```python
    from temporalio import activity


    @activity.defn
    async def charge(amount: int) -> None:
        if amount <= 0:
            raise ValueError(f"invalid amount {amount}")
    ```

    ## Use instead
    ```python
    from temporalio import activity
    from temporalio.exceptions import ApplicationError


    @activity.defn
    async def charge(amount: int) -> None:
        if amount <= 0:
            raise ApplicationError(
                f"invalid amount {amount}", type="InvalidAmount", non_retryable=True
            )
    ```
    Or keep the exception and list its type at every call site:
    `retry_policy=RetryPolicy(non_retryable_error_types=["ValueError"])`.

    ## Fix safety
    No fix is offered.
    """

    code = "DET207"
    name = "retryable-validation-error"
    severity = Severity.WARNING
    summary = "Activity raises a validation error that Temporal will retry"
    role = Role.ACTIVITY

    def __init__(self, settings) -> None:
        super().__init__(settings)
        self._tries: dict[str, list[tuple[Range, frozenset[str]]]] = {}

    def visit_Module(self, node: cst.Module, ctx) -> None:
        self._tries = {}

    def _in_activity(self, ctx) -> bool:
        return is_activity(ctx.function, self.settings.activity_decorators)

    def visit_Try(self, node: cst.Try, ctx) -> None:
        if not self._in_activity(ctx):
            return
        caught: set[str] = set()
        for handler in node.handlers:
            if handler.type is None:
                caught.add("*")
                continue
            types = [e.value for e in handler.type.elements] if isinstance(handler.type, cst.Tuple) else [handler.type]
            caught.update(ctx.resolve(t) or "*" for t in types)  # an unknown type may catch it
        self._tries.setdefault(ctx.function.qualname, []).append((ctx.range(node.body), frozenset(caught)))

    def visit_Raise(self, node: cst.Raise, ctx) -> None:
        if node.exc is None or not self._in_activity(ctx):
            return
        raised = node.exc.func if isinstance(node.exc, cst.Call) else node.exc
        name = ctx.resolve(raised)
        if name is None or "()" in name:
            return
        short = name.rpartition(".")[2]
        if name not in _VALIDATION_ERRORS and not short.endswith("ValidationError"):
            return
        where = ctx.range(node)
        for body, caught in self._tries.get(ctx.function.qualname, ()):
            if body.start <= where.start and where.end <= body.end and (caught & _CATCH_ALL or name in caught):
                return
        ctx.report(
            self,
            node,
            f"the activity raises `{short}`, which Temporal retries (by default forever) though the same input fails again",
            f'raise `ApplicationError(..., non_retryable=True)`, or list "{short}" in the retry policy\'s '
            "`non_retryable_error_types`",
            short,
        )

    def withdraws(self, effect: Effect, index: ProjectIndex, node: Node) -> bool:
        """Void when every call of the activity makes the error final, or when one of them
        passes options detlint cannot read."""
        sites = catalog(index).call_sites(node)
        verdicts = [_final_at(site.call, effect.leaf) for site in sites]
        return bool(verdicts) and (None in verdicts or all(verdicts))


def _final_at(call: CommandCall, error_type: str) -> bool | None:
    """Whether the call's retry policy makes `error_type` final; None when it cannot be read."""
    if not call.options_known:
        return None
    argument = call.option("retry_policy")
    if argument is None or is_none(argument):
        return False
    policy = retry_policy(argument)
    if policy is None or policy.non_retryable_error_types is None or policy.maximum_attempts is None:
        return None
    return error_type in policy.non_retryable_error_types or policy.maximum_attempts == 1
