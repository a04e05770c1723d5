# detlint check --diff: without --unsafe-fixes, nothing changes
from datetime import datetime

from temporalio import workflow


@workflow.defn
class Clock:
    @workflow.run
    async def run(self) -> str:
        return datetime.now().isoformat()
