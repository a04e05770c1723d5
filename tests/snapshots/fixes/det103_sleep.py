# detlint check --diff --unsafe-fixes: time.sleep() in an async def becomes
# await workflow.sleep(), an unsafe fix; none in a plain def
import time
from time import sleep

from temporalio import workflow


@workflow.defn
class Reminder:
    @workflow.run
    async def run(self) -> None:
        time.sleep(60)
        sleep(1.5)

    @workflow.signal
    def snooze(self) -> None:
        time.sleep(5)
