from detlint.model import Severity
from detlint.rules.base import Pattern, ReferenceRule


class BannedCall(ReferenceRule):
    """
    ## What it does
    Flags calls that your project bans in workflow code, by configuration:

    ```toml
    [tool.detlint]
    banned-calls = { "acme.clock.now" = "use workflow.now()", "acme.http.*" = "call it from an activity" }
    ```

    A name ending in `.*` bans every function of that module. Names are resolved through
    imports and aliases, so `from acme import clock as c; c.now()` is found too.

    ## Why is this bad?
    Every team has helpers that are fine in activities and wrong in workflows (its own clock,
    HTTP client or id generator). detlint cannot know them; this rule lets the team say so
    once, with the message its engineers should read.

    ## What Temporal does
    - **Sandbox:** Knows nothing of your helpers: what they do is restricted or not like any
      other code.
    - **On replay:** The same as for what the banned call does (a clock, an id, I/O).
    - **What you would see:** Whatever the banned call causes; your message says what to use
      instead.

    ## Example
    ```python
    from acme import clock
    from temporalio import workflow


    @workflow.defn
    class Billing:
        @workflow.run
        async def run(self) -> str:
            return clock.now().isoformat()
    ```

    ## Use instead
    ```python
    from temporalio import workflow


    @workflow.defn
    class Billing:
        @workflow.run
        async def run(self) -> str:
            return workflow.now().isoformat()
    ```

    ## Fix safety
    No fix is offered.
    """

    code = "DET115"
    name = "banned-call"
    severity = Severity.ERROR
    summary = "A call the project bans in workflow code"
    what = "{name} is banned in workflow code by the project's configuration"

    def __init__(self, settings) -> None:
        super().__init__(settings)
        self.patterns = tuple(
            Pattern.module(name[:-2], advice=message) if name.endswith(".*") else Pattern.call(name, advice=message)
            for name, message in settings.banned_calls
        )
