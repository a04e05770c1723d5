from detlint.model import Severity
from detlint.rules._versioning import VersioningRule


class TypeNameChanged(VersioningRule):
    """
    ## What it does
    Flags, against the baseline, a workflow type, signal, query or update name that was
    renamed or removed, and an activity type that a workflow used and that no activity
    definition registers any more. A class renamed while `@workflow.defn(name=...)` keeps the
    type name is not flagged. It is reported on the renamed decorator or `def` (on the
    `class` line for a removed handler, and at the top of the file for a removed workflow
    type). Runs only when there is a baseline.

    ## Why is this bad?
    Names are the contract with everything outside the code. Running executions were started
    under the old workflow type and need a worker that registers it; clients, schedules and
    other workflows still start it, signal it and query it by the old names; activities that
    executions already scheduled wait for a worker that registers the old activity type.
    After the rename they fail, or wait forever.

    ## What Temporal does
    - **Sandbox:** Not involved.
    - **On replay:** The activity type is compared with history; a workflow type nobody
      registers is not replayed at all.
    - **What you would see:** `Workflow class ... is not registered on this worker` (the task
      retries), `NotFoundError` for activities, or a `[TMPRL1100]` non-determinism error.

    ## Example
    ```python
    from temporalio import workflow


    @workflow.defn
    class Approval:
        def __init__(self) -> None:
            self.approved = False

        @workflow.signal
        def approve(self) -> None:
            self.approved = True

        @workflow.run
        async def run(self) -> bool:
            return self.approved
    ```

    The deployed version above; the change below renames the signal:

    ```python
    from temporalio import workflow


    @workflow.defn
    class Approval:
        def __init__(self) -> None:
            self.approved = False

        @workflow.signal
        def grant(self) -> None:
            self.approved = True

        @workflow.run
        async def run(self) -> bool:
            return self.approved
    ```

    ## Use instead
    ```python
    from temporalio import workflow


    @workflow.defn
    class Approval:
        def __init__(self) -> None:
            self.approved = False

        @workflow.signal(name="approve")
        def grant(self) -> None:
            self.approved = True

        @workflow.run
        async def run(self) -> bool:
            return self.approved
    ```

    Rename the method, keep the registered name. To retire a name, keep it registered until
    no execution or client uses it, then remove it and refresh the baseline with
    `detlint lock`.

    ## Fix safety
    No fix is offered: keeping the old name or migrating clients is a decision for the team.
    """

    code = "DET502"
    name = "type-name-changed"
    severity = Severity.ERROR
    summary = "A workflow, activity, signal, query or update type name was renamed or removed against the baseline"
