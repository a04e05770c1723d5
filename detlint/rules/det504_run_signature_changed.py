from detlint.model import Severity
from detlint.rules._versioning import VersioningRule


class RunSignatureChanged(VersioningRule):
    """
    ## What it does
    Flags, against the baseline, a workflow run method whose parameters changed
    incompatibly: a parameter removed, parameters reordered, or a parameter added without a
    default. It is reported on the run method's `def` line. Renaming a parameter, changing its
    annotation, and adding a parameter with a default are not flagged. Runs only when there
    is a baseline.

    ## Why is this bad?
    Workflow arguments are passed by position. Clients, schedules, parent workflows and
    `continue_as_new` keep sending the old arguments: a new parameter without a default makes
    the run fail with a `TypeError` (the workflow task retries until the code is fixed), and a
    removed or reordered parameter silently gives the workflow the wrong values.

    ## What Temporal does
    - **Sandbox:** Not involved.
    - **On replay:** The recorded input is decoded into the new parameters, by position.
    - **What you would see:** `TypeError` for a missing argument (the task retries until the
      code is fixed), or no error and the wrong values.

    ## Example
    ```python
    from temporalio import workflow


    @workflow.defn
    class Invoice:
        @workflow.run
        async def run(self, customer: str) -> str:
            return customer
    ```

    The deployed version above; the change below adds a required parameter:

    ```python
    from temporalio import workflow


    @workflow.defn
    class Invoice:
        @workflow.run
        async def run(self, customer: str, currency: str) -> str:
            return f"{customer} {currency}"
    ```

    ## Use instead
    ```python
    from temporalio import workflow


    @workflow.defn
    class Invoice:
        @workflow.run
        async def run(self, customer: str, currency: str = "EUR") -> str:
            return f"{customer} {currency}"
    ```

    Better still, take one dataclass argument and add fields with defaults to it.

    ## Fix safety
    No fix is offered.
    """

    code = "DET504"
    name = "run-signature-changed"
    severity = Severity.WARNING
    summary = "A workflow's run signature changed incompatibly against the baseline"
