from detlint.model import Severity
from detlint.rules.base import Pattern, ReferenceRule

_OS_PROCESS_CALLS = (
    "system", "popen", "fork", "forkpty", "kill", "killpg", "abort",
    "execl", "execle", "execlp", "execlpe", "execv", "execve", "execvp", "execvpe",
    "spawnl", "spawnle", "spawnlp", "spawnlpe", "spawnv", "spawnve", "spawnvp", "spawnvpe",
    "posix_spawn", "posix_spawnp", "startfile",
)  # fmt: skip


class Subprocess(ReferenceRule):
    """
    ## What it does
    Flags subprocesses and process control in workflow code: the `subprocess` module,
    `os.system()`, `os.popen()`, `os.fork()`, the `os.exec*` and `os.spawn*` families,
    `os.kill()`, and `asyncio.create_subprocess_exec()`/`create_subprocess_shell()`.

    ## Why is this bad?
    A process's output and exit status are not recorded in history: a replay runs it again,
    on another machine, and may get another answer. It also blocks the workflow's thread. The
    sandbox rejects these calls at run time.

    ## What Temporal does
    - **Sandbox:** `subprocess` raises `RestrictedWorkflowAccessError` on any use, and the `os`
      process functions while the workflow runs; the workflow task fails and is retried until a
      fixed worker is deployed.
    - **On replay:** The process's output is not in history: the replay runs it again, on
      another machine, and a different answer issues other commands.
    - **What you would see:** `RestrictedWorkflowAccessError`; without the sandbox,
      `[TMPRL1101]` (potential deadlock) while the process runs, and a `[TMPRL1100]`
      non-determinism error when its answer changes.

    ## Example
    ```python
    import subprocess

    from temporalio import workflow


    @workflow.defn
    class Build:
        @workflow.run
        async def run(self) -> str:
            return subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True).stdout.decode()
    ```

    ## Use instead
    Run the process in an activity and pass its result to the workflow:
    ```python
    from datetime import timedelta

    from temporalio import activity, workflow


    @activity.defn
    async def current_revision() -> str:
        ...


    @workflow.defn
    class Build:
        @workflow.run
        async def run(self) -> str:
            return await workflow.execute_activity(
                current_revision, start_to_close_timeout=timedelta(minutes=1)
            )
    ```

    ## Fix safety
    No fix is offered.
    """

    code = "DET105"
    name = "subprocess-call"
    severity = Severity.ERROR
    summary = "Subprocess or process control in workflow code"
    what = "{name} runs or controls a process, which a replay does not reproduce"
    advice = "run it in an activity"
    patterns = (
        Pattern.module("subprocess"),
        *(Pattern.call(f"os.{name}") for name in _OS_PROCESS_CALLS),
        Pattern.call("asyncio.create_subprocess_exec"),
        Pattern.call("asyncio.create_subprocess_shell"),
        Pattern.call("pty.spawn"),
    )
