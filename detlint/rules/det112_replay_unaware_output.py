from detlint.frameworks import temporal
from detlint.model import Severity
from detlint.rules.base import Pattern, ReferenceRule

_LOG_METHODS = ("debug", "info", "warning", "warn", "error", "exception", "critical", "fatal", "log")


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

    ## Example
    ```python
    import logging

    from temporalio import workflow

    log = logging.getLogger(__name__)


    @workflow.defn
    class Shipment:
        @workflow.run
        async def run(self) -> None:
            log.info("shipping")
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
    No fix is offered yet. Output would move from standard output (or a named logger) to the
    workflow logger and stop during replays, a visible change.
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
