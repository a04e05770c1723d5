# detlint check --diff --unsafe-fixes: an un-awaited command call in an async def gets
# `await`, an unsafe fix (it adds a command to history)
from datetime import timedelta

from temporalio import workflow


@workflow.defn
class Forgetful:
    @workflow.run
    async def run(self) -> None:
        workflow.execute_activity("ship", start_to_close_timeout=timedelta(seconds=5))
        workflow.sleep(timedelta(seconds=1))
