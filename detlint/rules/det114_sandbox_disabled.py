from __future__ import annotations

from detlint.analysis.scopes import is_constant
from detlint.frameworks import temporal
from detlint.lazy import cst
from detlint.model import Severity
from detlint.rules.base import TreeRule

_ADVICE = "keep the sandbox on; detlint still checks this code, but nothing guards it at run time"


class SandboxDisabled(TreeRule):
    """
    ## What it does
    Reports where the workflow sandbox is switched off: `@workflow.defn(sandboxed=False)` and
    `with workflow.unsafe.sandbox_unrestricted():`.

    ## Why is this bad?
    The sandbox is the run-time guard: it rejects the clock, randomness and I/O on the paths
    that execute, and isolates module state between runs. Without it, static analysis is the
    only guard left. detlint keeps checking the code; this finding (info level) makes each
    exception visible, so it is justified in review or silenced with `# noqa: DET114`.

    ## What Temporal does
    - **Sandbox:** Off for that workflow (`sandboxed=False`, `UnsandboxedWorkflowRunner`), or
      unrestricted inside the block (`sandbox_unrestricted()`): the clock, randomness and I/O no
      longer raise `RestrictedWorkflowAccessError`.
    - **On replay:** The server compares commands as before: the mistakes the sandbox would have
      stopped at the first run now surface on replay.
    - **What you would see:** A `[TMPRL1100]` non-determinism error days later instead of an
      error at once.

    ## Example
    ```python
    from temporalio import workflow


    @workflow.defn(sandboxed=False)
    class Fast:
        @workflow.run
        async def run(self) -> None:
            ...
    ```

    ## Use instead
    ```python
    from temporalio import workflow


    @workflow.defn
    class Fast:
        @workflow.run
        async def run(self) -> None:
            ...
    ```
    For performance, pass deterministic modules through instead
    (`with workflow.unsafe.imports_passed_through():`).

    ## Fix safety
    No fix is offered.
    """

    code = "DET114"
    name = "sandbox-disabled"
    severity = Severity.INFO
    summary = "The workflow sandbox is switched off"

    def visit_ClassDef(self, node: cst.ClassDef, ctx) -> None:
        workflow_decorators = {temporal.WORKFLOW_DEFN, *self.settings.workflow_decorators}
        for decorator in node.decorators:
            call = decorator.decorator
            if not isinstance(call, cst.Call) or ctx.resolve(call.func) not in workflow_decorators:
                continue
            for arg in call.args:
                if arg.keyword is not None and arg.keyword.value == "sandboxed" and is_constant(arg.value, "False"):
                    ctx.report(self, decorator, "`sandboxed=False` switches the sandbox off for this workflow", _ADVICE, "sandboxed=False")

    def visit_With(self, node: cst.With, ctx) -> None:
        for item in node.items:
            call = item.item
            if isinstance(call, cst.Call) and ctx.resolve(call.func) == temporal.SANDBOX_UNRESTRICTED:
                ctx.report(self, node, "`sandbox_unrestricted()` lifts the sandbox's restrictions here", _ADVICE, "sandbox_unrestricted()")
