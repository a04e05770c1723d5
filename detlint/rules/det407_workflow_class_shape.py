from __future__ import annotations

from typing import Callable, Iterable

from detlint.analysis.facts import ClassFacts, FunctionFacts, ModuleFacts
from detlint.frameworks import temporal
from detlint.lazy import cst
from detlint.model import Diagnostic, Severity
from detlint.rules._workflow import RUN, WorkflowClass
from detlint.rules.base import ProjectRule, Role, TreeRule

# Bases that mark a class as meant to be subclassed elsewhere.
_ABSTRACT_BASES = frozenset({"abc.ABC", "typing.Protocol", "typing_extensions.Protocol", "typing.Generic"})


class WorkflowClassShape(TreeRule, ProjectRule):
    """
    ## What it does
    Flags workflow classes the SDK refuses to register, and handlers it never sees:

    * a `@workflow.defn` class with no `@workflow.run` method of its own, or with more than
      one (reported on the `class` line);
    * a `@workflow.run` method that is not `async def` (on its `def` line);
    * handlers (`@workflow.run`, `@workflow.signal`, `@workflow.query`, `@workflow.update`,
      `@workflow.init`) in a class that has a `@workflow.run` method but no decorator at all,
      and that no class of the analysed project inherits from (on each handler's `def`
      line). It is reported even in a module that defines no workflow.

    A base class that a class of the project inherits from, a class made a workflow by a call
    (`workflow.defn(name="x")(Cls)`), an abstract one (`ABC`, `Protocol`, `Generic`), and a
    mixin without a run method are not flagged.

    ## Why is this bad?
    The SDK checks a workflow class when `@workflow.defn` runs, at import: a missing run
    method, two of them, or a run method defined only on a base class fail the import of the
    module with `ValueError`, and `@workflow.run` on a plain `def` raises there too. The
    worker never starts, or, when the module is imported lazily, fails later. Handlers on a
    class that is neither a workflow nor a workflow's base are never registered: signals and
    updates sent to them are rejected or dropped.

    ## What Temporal does
    - **Sandbox:** Not involved: `@workflow.defn` checks the class when the module is imported.
    - **On replay:** Nothing runs.
    - **What you would see:** `ValueError` at import ("Missing @workflow.run method", "Multiple
      @workflow.run methods found", "Workflow run method must be an async function"), so the
      worker does not start; handlers on a class that is not a workflow are never registered.

    ## Example
    ```python
    from temporalio import workflow


    @workflow.defn
    class Greeter:
        @workflow.run
        def run(self, name: str) -> str:
            return f"Hello, {name}"
    ```

    ## Use instead
    ```python
    from temporalio import workflow


    @workflow.defn
    class Greeter:
        @workflow.run
        async def run(self, name: str) -> str:
            return f"Hello, {name}"
    ```

    ## Fix safety
    No fix is offered.
    """

    code = "DET407"
    name = "workflow-class-shape"
    severity = Severity.ERROR
    summary = "Workflow class with no, several or a non-async run method, or handlers outside a workflow"
    role = Role.ANY

    # -- the shape of workflow classes: from the syntax, while the file is parsed -----------

    def visit_ClassDef(self, node: cst.ClassDef, ctx) -> None:
        view = WorkflowClass.of(node, ctx, self.settings)
        if view is None:
            return
        name = node.name.value
        runs = view.of_kind(RUN)
        if not runs and not _conditional_defs(node):
            ctx.report(
                self,
                node.name,
                f"workflow class `{name}` has no `@workflow.run` method of its own, so the SDK refuses it at import",
                "define (or override and re-decorate) one `async def` run method decorated with `@workflow.run`",
                "class",
            )
        elif len(runs) > 1:
            names = ", ".join(f"`{m.name}`" for m in runs)
            ctx.report(
                self,
                node.name,
                f"workflow class `{name}` has {len(runs)} `@workflow.run` methods ({names}), so the SDK refuses it at import",
                "keep exactly one `@workflow.run` method",
                "class",
            )
        for run in runs:
            if not run.is_async:
                ctx.report(
                    self,
                    run.node.name,
                    f"run method `{name}.{run.name}` is not `async`, so `@workflow.run` raises at import",
                    "make it `async def`",
                    "run",
                )

    # -- handlers outside workflows: needs every class of the project -------------------

    def check(self, index, settings_of: Callable[[ModuleFacts], object]) -> Iterable[Diagnostic]:
        inherited = {base for module in index.modules for cls in module.classes.values() for base in cls.bases}
        for module in index.modules:
            defined = _defined_by_call(module, {temporal.WORKFLOW_DEFN, *settings_of(module).workflow_decorators})
            for cls in module.classes.values():
                if cls.decorators or cls.qualname in inherited | defined or _ABSTRACT_BASES.intersection(cls.bases):
                    continue
                methods = [module.functions[q] for q in dict.fromkeys(cls.methods) if q in module.functions]
                if any(temporal.WORKFLOW_RUN in f.decorators for f in methods):
                    yield from self._stray_handlers(module, cls, methods)

    def _stray_handlers(self, module: ModuleFacts, cls: ClassFacts, methods: list[FunctionFacts]) -> Iterable[Diagnostic]:
        name = cls.qualname.rpartition(".")[2]
        for method in methods:
            decorator = next((d for d in method.decorators if d in temporal.HANDLER_DECORATORS), None)
            if decorator is None:
                continue
            short = decorator.rpartition(".")[2]
            message = (
                f"`@workflow.{short}` on `{method.display}`, but `{name}` is not a workflow (no `@workflow.defn`) "
                f"and no class inherits from it, so the handler is never registered; "
                f"decorate `{name}` with `@workflow.defn`, or inherit from it in the workflow class"
            )
            yield Diagnostic(self.code, message, module.path, method.range, self.severity)


def _defined_by_call(module: ModuleFacts, decorators: set[str]) -> set[str]:
    """Classes a module makes workflows by calling the decorator: `workflow.defn(Cls)`,
    `workflow.defn(name="x")(Cls)`."""
    names = decorators | {f"{d}()" for d in decorators}
    return {
        argument.value
        for function in module.functions.values()
        for ref in function.references
        if ref.called and ref.name in names
        for argument in ref.arguments.positional
        if argument.value
    }


def _conditional_defs(node: cst.ClassDef) -> bool:
    """Whether the class body defines methods under `if`/`try` (detlint does not guess which)."""
    body = node.body.body if isinstance(node.body, cst.IndentedBlock) else ()
    return any(isinstance(s, (cst.If, cst.Try, cst.With)) for s in body)
