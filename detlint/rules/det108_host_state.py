from detlint.model import Severity
from detlint.rules.base import Pattern, ReferenceRule

_OS_HOST_CALLS = (
    "getenv", "getenvb", "putenv", "unsetenv", "getpid", "getppid", "getcwd", "getcwdb", "cpu_count",
    "process_cpu_count", "getuid", "geteuid", "getgid", "getlogin", "uname", "getloadavg",
)  # fmt: skip


class HostState(ReferenceRule):
    """
    ## What it does
    Flags reads of the host and its environment in workflow code: `os.environ`, `os.getenv()`,
    `os.getpid()`, `os.getppid()`, `os.getcwd()`, `os.cpu_count()`, the `platform` module,
    `socket.gethostname()`, `getpass.getuser()` and `sys.argv`.

    ## Why is this bad?
    A workflow may be replayed on any worker, with another environment, host name, process id
    or command line. A decision taken on such a value takes another path on replay. The
    sandbox rejects most of these at run time, but not `sys.argv`.

    ## What Temporal does
    - **Sandbox:** `os` (including `os.environ`), `platform` and `socket.gethostname()` raise
      `RestrictedWorkflowAccessError` while the workflow runs; `sys.argv` and `sys.platform`
      pass.
    - **On replay:** The replaying worker has its own environment, host and process: a decision
      taken on them issues other commands there.
    - **What you would see:** `RestrictedWorkflowAccessError`; for what passes, a `[TMPRL1100]`
      non-determinism error on the worker that differs.

    ## Example
    ```python
    import os

    from temporalio import workflow


    @workflow.defn
    class Notify:
        @workflow.run
        async def run(self) -> str:
            return os.environ["REGION"]
    ```

    ## Use instead
    Pass the value as workflow input (or read it in an activity):
    ```python
    from temporalio import workflow


    @workflow.defn
    class Notify:
        @workflow.run
        async def run(self, region: str) -> str:
            return region
    ```

    ## Fix safety
    No fix is offered.
    """

    code = "DET108"
    name = "host-state-read"
    severity = Severity.ERROR
    summary = "Host or environment state read in workflow code"
    what = "{name} reads the host's state, which can differ on the worker that replays"
    advice = "pass it as workflow input, or read it in an activity"
    patterns = (
        Pattern.access("os.environ"),
        Pattern.access("os.environb"),
        *(Pattern.call(f"os.{name}") for name in _OS_HOST_CALLS),
        Pattern.module("platform"),
        Pattern.call("socket.gethostname"),
        Pattern.call("socket.getfqdn"),
        Pattern.call("getpass.getuser"),
        Pattern.access("sys.argv"),
        Pattern.access("sys.orig_argv"),
    )
