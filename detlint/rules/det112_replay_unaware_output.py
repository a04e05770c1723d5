from detlint.fixes import UNSAFE, WORKFLOW, insert_before, replace_callee
from detlint.frameworks import temporal
from detlint.model import Severity
from detlint.rules.base import Pattern, ReferenceRule

_LOG_METHODS = ("debug", "info", "warning", "warn", "error", "exception", "critical", "fatal", "log")
# The logger adapter's name for each method (it has no `fatal`; `warn` is deprecated).
_ADAPTER_METHODS = {**{m: m for m in _LOG_METHODS}, "fatal": "critical", "warn": "warning"}


class ReplayUnawareOutput(ReferenceRule):
    """
    ## What it does
    Flags output that ignores replay in workflow code: `print()`, `sys.stdout.write()`,
    `sys.stderr.write()`, the `logging` module's functions and the methods of a logger from
    `logging.getLogger()`.

    ## Why is this bad?
    Workflow code runs again on every replay, so each line is printed or logged again: after a
    worker restart, a long workflow repeats its whole log. `workflow.logger` knows when the
    code is replaying and stays quiet then; it also adds the workflow's id and type to every
    record. The sandbox lets `print` and `logging` through.

    ## What Temporal does
    - **Sandbox:** `print()` and `logging` pass.
    - **On replay:** The code runs again, so each line is written again; `workflow.logger` skips
      records while replaying.
    - **What you would see:** No error: duplicated log lines after every worker restart or cache
      eviction.

    ## Example
    ```python
    import logging

    from temporalio import workflow


    @workflow.defn
    class Shipment:
        @workflow.run
        async def run(self) -> None:
            logging.info("shipping")
    ```

    ## Use instead
    ```python
    from temporalio import workflow


    @workflow.defn
    class Shipment:
        @workflow.run
        async def run(self) -> None:
            workflow.logger.info("shipping")
    ```

    ## Fix safety
    A `logging` call (`logging.info(...)`, `log.warning(...)` on a logger from
    `logging.getLogger()`) becomes the same call on `workflow.logger`, with the same arguments
    (`fatal` becomes `critical`). `print(a, b)` becomes `workflow.logger.info("%s %s", a, b)`.
    Both fixes are unsafe: the output moves from standard output or a named logger to the
    `temporalio.workflow` logger, with its level, handlers and format, and stops during
    replays. That is the point, but whoever reads the old output has to know.

    The fix adds `from temporalio import workflow` when the file does not import it, and removes
    an import it leaves unused. No fix is offered for `print()` with keyword arguments (`sep`,
    `end`, `file`) or without arguments, or for `sys.stdout.write()`.
    """

    code = "DET112"
    name = "replay-unaware-output"
    severity = Severity.WARNING
    summary = "print or logging that repeats on every replay"
    what = "{name} writes again on every replay"
    advice = f"use `{temporal.LOGGER}`, which is quiet during replay"
    patterns = (
        Pattern.call("builtins.print"),
        Pattern.call("sys.stdout.write"),
        Pattern.call("sys.stderr.write"),
        *(Pattern.call(f"logging.{method}") for method in _LOG_METHODS),
        Pattern.method("logging.getLogger()", *_LOG_METHODS),
        Pattern.method("logging.Logger()", *_LOG_METHODS),
    )

    def fix(self, ref):
        if ref.name == "builtins.print":
            arguments = ref.arguments
            if arguments.starred or not arguments.items or len(arguments.positional) != arguments.count:
                return None
            first = arguments.items[0].range
            if first is None:
                return None
            # print(a, b) writes `str(a) + " " + str(b)`: so does "%s %s" with the two.
            more = () if arguments.count == 1 else (insert_before(first, f'"{" ".join(["%s"] * arguments.count)}", '),)
            return replace_callee(ref, f"{WORKFLOW}.logger.info", UNSAFE, f"Replace with `{WORKFLOW}.logger.info()`", *more)
        method = ref.name.rpartition(".")[2]
        if method in _ADAPTER_METHODS and not ref.name.startswith("sys."):
            replacement = f"{WORKFLOW}.logger.{_ADAPTER_METHODS[method]}"
            return replace_callee(ref, replacement, UNSAFE, f"Replace with `{replacement}()`")
        return None
