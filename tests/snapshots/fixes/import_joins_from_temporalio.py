# detlint check --diff: `workflow` joins the file's `from temporalio import ...`
import uuid

from temporalio import activity
from temporalio.workflow import defn, run


@activity.defn
async def charge() -> None: ...


@defn
class Order:
    @run
    async def run(self) -> str:
        return str(uuid.uuid4())
