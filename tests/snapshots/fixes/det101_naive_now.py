# detlint check --diff --unsafe-fixes: naive now() becomes aware workflow.now(), an unsafe fix
from datetime import datetime

from temporalio import workflow


@workflow.defn
class Clock:
    @workflow.run
    async def run(self) -> str:
        local = datetime.now()
        utc = datetime.utcnow()
        today = datetime.today()
        return f"{local} {utc} {today}"
