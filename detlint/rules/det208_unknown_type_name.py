import difflib
from typing import Iterable

from detlint.analysis.commands import catalog, command_call, string_value
from detlint.analysis.facts import Effect
from detlint.analysis.index import Node, ProjectIndex
from detlint.model import Severity
from detlint.rules.base import ProjectRule


class UnknownTypeName(ProjectRule):
    """
    ## What it does
    Flags an activity or child workflow named by a string (`workflow.execute_activity("charge_crad",
    ...)`, `workflow.execute_child_workflow("ShipOrder", ...)`) that no definition in the
    analysed code has, when a definition with a close name exists: a typo. Activity names are
    the `name=` of `@activity.defn(name=...)`, or the function's name; workflow names the
    `name=` of `@workflow.defn(name=...)`, or the class's name.

    To stay quiet about activities and workflows that live in another service or language,
    a name is reported only when it is close to a defined one, the call sets no `task_queue`,
    and every definition's name can be read (no dynamic activity or workflow takes any name,
    no project decorator may rename one).

    ## Why is this bad?
    Nothing checks a string name until the workflow runs: the activity is scheduled, no
    worker has it, and the attempt fails with "Activity function ... is not registered on
    this worker" after its timeout, then retries, forever by default. A child workflow with
    an unknown type fails to start. Passing the function or class (`charge_card`,
    `ShipOrder.run`) lets tools and type checkers see the reference.

    ## What Temporal does
    - **Sandbox:** Not involved.
    - **On replay:** The activity type is compared with history: correcting the name in a
      running workflow's code changes a recorded command.
    - **What you would see:** An attempt failing with `NotFoundError: Activity function ... is
      not registered on this worker`, retried until its policy gives up (by default never).

    ## Example
    ```python
    from datetime import timedelta

    from temporalio import activity, workflow


    @activity.defn
    async def charge_card(order: str) -> str:
        return order


    @workflow.defn
    class Checkout:
        @workflow.run
        async def run(self, order: str) -> str:
            return await workflow.execute_activity(
                "charge_crad", order, start_to_close_timeout=timedelta(seconds=30)
            )
    ```

    ## Use instead
    ```python
    from datetime import timedelta

    from temporalio import activity, workflow


    @activity.defn
    async def charge_card(order: str) -> str:
        return order


    @workflow.defn
    class Checkout:
        @workflow.run
        async def run(self, order: str) -> str:
            return await workflow.execute_activity(
                charge_card, order, start_to_close_timeout=timedelta(seconds=30)
            )
    ```

    ## Fix safety
    No fix is offered.
    """

    code = "DET208"
    name = "unknown-type-name"
    severity = Severity.WARNING
    summary = "Activity or child workflow named by a string that no definition has"

    def effects(self, index: ProjectIndex, node: Node) -> Iterable[Effect]:
        known = catalog(index)
        for ref in node.function.references:
            call = command_call(ref)
            if call is None or call.kind != "function" or not call.options_known or call.option("task_queue"):
                continue
            name = string_value(call.target)
            if name is None:
                continue
            if call.is_child:
                names, complete, what = known.workflow_names, known.workflow_names_complete, "workflow"
                renamed = known.renamed_workflows
            else:
                names, complete, what = known.activity_names, known.activity_names_complete, "activity"
                renamed = known.renamed_activities
            if not complete or name in names:
                continue
            close = renamed.get(name) or _close_name(name, sorted(names))
            if close is None:
                continue
            yield Effect(
                code=self.code,
                what=f'no {what} in the analysed code is named "{name}", so the call fails when it runs',
                advice=f'did you mean "{close}"? (pass the {"class" if call.is_child else "function"} itself to let tools check it)',
                range=ref.range,
                leaf=call.display,
            )


def _normal(name: str) -> str:
    return "".join(c for c in name.lower() if c.isalnum())


def _close_name(name: str, known: list[str]) -> str | None:
    same = [k for k in known if _normal(k) == _normal(name)]
    if same:
        return same[0]
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.8)
    return close[0] if close else None
