# detlint check --diff: a new `from temporalio import workflow` line, before the other
# temporalio imports
"""Orders."""

import uuid

from temporalio.workflow import defn, run


@defn
class Order:
    @run
    async def run(self) -> str:
        return str(uuid.uuid4())
