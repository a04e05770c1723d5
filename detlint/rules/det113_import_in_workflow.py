from __future__ import annotations

from detlint.analysis.scopes import dotted
from detlint.frameworks import temporal
from detlint.lazy import cst
from detlint.model import Severity
from detlint.rules.base import TreeRule

_PASS_THROUGH = "move it into `with workflow.unsafe.imports_passed_through():`, or into an activity module"


class ImportInWorkflow(TreeRule):
    """
    ## What it does
    Flags `import` statements inside workflow code (functions and methods), and top-level
    imports, in a module that defines a workflow, of third-party modules known to do I/O or to
    be heavy (`requests`, `httpx`, `aiohttp`, `boto3`, `numpy`, `pandas`, database drivers;
    the list is the `heavy-imports` setting) outside
    `with workflow.unsafe.imports_passed_through():`. Standard-library and first-party
    imports at the top level are not flagged.

    ## Why is this bad?
    The sandbox re-imports a workflow's module, and every module it imports that is not passed
    through, for each workflow run: a heavy library is loaded again and again (slow, and some
    break when imported twice), and a library that does I/O at import time does it inside
    the workflow. An import inside a function runs while the workflow runs, and the sandbox
    warns about it (`WARN_ON_DYNAMIC_IMPORT`).

    ## What Temporal does
    - **Sandbox:** Modules that are not passed through are imported again for every workflow
      run; an import inside workflow code, after the module was loaded, triggers the default
      `WARN_ON_DYNAMIC_IMPORT` warning.
    - **On replay:** Nothing is compared; each replay imports again.
    - **What you would see:** Slow workflow tasks; an import that takes over two seconds inside
      workflow code trips the deadlock detector (`[TMPRL1101]`).

    ## Example
    ```python
    import pandas

    from temporalio import workflow


    @workflow.defn
    class Report:
        @workflow.run
        async def run(self) -> None:
            import json
    ```

    ## Use instead
    ```python
    import json

    from temporalio import workflow

    with workflow.unsafe.imports_passed_through():
        import pandas


    @workflow.defn
    class Report:
        @workflow.run
        async def run(self) -> None:
            ...
    ```

    ## Fix safety
    No fix is offered.
    """

    code = "DET113"
    name = "import-in-workflow"
    severity = Severity.WARNING
    summary = "Import inside workflow code, or a heavy import not passed through"

    def visit_Module(self, node, ctx) -> None:
        self._passed_through: set[int] = set()

    def visit_With(self, node: cst.With, ctx) -> None:
        if any(_calls(item.item, temporal.IMPORTS_PASSED_THROUGH, ctx) for item in node.items):
            self._passed_through.update(id(child) for child in ctx.walk(node.body))

    def visit_Import(self, node: cst.Import, ctx) -> None:
        self._check(node, [dotted(alias.name) for alias in node.names], ctx)

    def visit_ImportFrom(self, node: cst.ImportFrom, ctx) -> None:
        module = dotted(node.module) if node.module is not None and not node.relative else None
        self._check(node, [module], ctx)

    def _check(self, node: cst.CSTNode, modules: list[str | None], ctx) -> None:
        if ctx.in_function_body:
            ctx.report(
                self,
                node,
                "this import runs while the workflow runs, and the sandbox re-imports the module for it",
                "import at the top of the module",
                "import",
            )
            return
        heavy = sorted({m for m in modules if m and m.split(".")[0] in self.settings.heavy_imports})
        if heavy and id(node) not in self._passed_through:
            ctx.report(
                self,
                node,
                f"`{heavy[0]}` is re-imported by the sandbox for every workflow run",
                _PASS_THROUGH,
                f"import {heavy[0]}",
            )


def _calls(node: cst.BaseExpression, name: str, ctx) -> bool:
    return isinstance(node, cst.Call) and ctx.resolve(node.func) == name
