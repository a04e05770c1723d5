# detlint check --diff: no fix when the name `workflow` means something else in the file
import uuid

from temporalio.workflow import defn, run


def describe(workflow: str) -> str:
    return workflow.upper()


@defn
class Order:
    @run
    async def run(self) -> str:
        return describe(str(uuid.uuid4()))
