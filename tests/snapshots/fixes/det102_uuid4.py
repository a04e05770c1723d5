# detlint check --diff: uuid4() becomes workflow.uuid4(), a safe fix
import uuid
from uuid import uuid4

from temporalio import workflow


@workflow.defn
class Order:
    @workflow.run
    async def run(self) -> str:
        order = uuid.uuid4()
        line = uuid4()
        stable = uuid.uuid5(uuid.NAMESPACE_URL, "https://example.com")
        return f"{order} {line} {stable}"
