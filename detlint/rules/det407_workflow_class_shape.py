from __future__ import annotations

from typing import Callable, Iterable

from detlint.analysis.facts import ClassFacts, FunctionFacts, ModuleFacts
from detlint.frameworks import temporal
from detlint.model import Diagnostic, Range, Severity
from detlint.rules.base import ProjectRule, Role

# Bases that mark a class as meant to be subclassed elsewhere.
_ABSTRACT_BASES = frozenset({"abc.ABC", "typing.Protocol", "typing_extensions.Protocol", "typing.Generic"})


class WorkflowClassShape(ProjectRule):
    """
    ## What it does
    Flags workflow classes the SDK refuses to register, and handlers it never sees:

    * a `@workflow.defn` class with no `@workflow.run` method of its own, or with more than
      one (reported on the `class` line);
    * a `@workflow.run` method that is not `async def` (on its `def` line);
    * `@workflow.run`, `@workflow.signal`, `@workflow.query`, `@workflow.update` or
      `@workflow.init` methods in a class that has no decorator at all and that no class of the
      analysed project inherits from (on each handler's `def` line). It is reported even in a
      module that defines no workflow.

    A base class that a workflow class inherits from, and an abstract one (`ABC`, `Protocol`,
    `Generic`), are not flagged.

    ## Why is this bad?
    The SDK checks a workflow class when `@workflow.defn` runs, at import: a missing run
    method, two of them, or a run method defined only on a base class fail the import of the
    module with `ValueError`, and `@workflow.run` on a plain `def` raises there too. The
    worker never starts, or, when the module is imported lazily, fails later. Handlers on a
    class that is neither a workflow nor a workflow's base are never registered: signals and
    updates sent to them are rejected or dropped.

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

    def check(self, index, settings_of: Callable[[ModuleFacts], object]) -> Iterable[Diagnostic]:
        inherited = {base for module in index.modules for cls in module.classes.values() for base in cls.bases}
        for module in index.modules:
            settings = settings_of(module)
            workflow_decorators = {temporal.WORKFLOW_DEFN, *settings.workflow_decorators}
            for cls in module.classes.values():
                methods = [module.functions[q] for q in dict.fromkeys(cls.methods) if q in module.functions]
                if workflow_decorators.intersection(cls.decorators):
                    yield from self._workflow(module, cls, methods)
                elif not cls.decorators and cls.qualname not in inherited and not _ABSTRACT_BASES.intersection(cls.bases):
                    yield from self._stray_handlers(module, cls, methods)

    def _workflow(self, module: ModuleFacts, cls: ClassFacts, methods: list[FunctionFacts]) -> Iterable[Diagnostic]:
        name = cls.qualname.rpartition(".")[2]
        runs = [f for f in methods if temporal.WORKFLOW_RUN in f.decorators]
        if not runs:
            yield self._diagnostic(
                module,
                cls.range,
                f"workflow class `{name}` has no `@workflow.run` method of its own, so the SDK refuses it at import",
                "define (or override and re-decorate) one `async def` run method decorated with `@workflow.run`",
            )
        elif len(runs) > 1:
            names = ", ".join(f"`{f.display.rpartition('.')[2]}`" for f in runs)
            yield self._diagnostic(
                module,
                cls.range,
                f"workflow class `{name}` has {len(runs)} `@workflow.run` methods ({names}), so the SDK refuses it at import",
                "keep exactly one `@workflow.run` method",
            )
        for run in runs:
            if not run.is_async:
                yield self._diagnostic(
                    module,
                    run.range,
                    f"run method `{run.display}` is not `async`, so `@workflow.run` raises at import",
                    "make it `async def`",
                )

    def _stray_handlers(self, module: ModuleFacts, cls: ClassFacts, methods: list[FunctionFacts]) -> Iterable[Diagnostic]:
        name = cls.qualname.rpartition(".")[2]
        for method in methods:
            decorator = next((d for d in method.decorators if d in temporal.HANDLER_DECORATORS), None)
            if decorator is None:
                continue
            short = decorator.rpartition(".")[2]
            yield self._diagnostic(
                module,
                method.range,
                f"`@workflow.{short}` on `{method.display}`, but `{name}` is not a workflow (no `@workflow.defn`) and no workflow inherits from it, so the handler is never registered",
                f"decorate `{name}` with `@workflow.defn`, or inherit from it in the workflow class",
            )

    def _diagnostic(self, module: ModuleFacts, at: Range, what: str, advice: str) -> Diagnostic:
        return Diagnostic(self.code, f"{what}; {advice}", module.path, at, self.severity)
