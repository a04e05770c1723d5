# detlint check --diff: time.time() and time.time_ns() are safe fixes
import time
from time import time as now

from temporalio import workflow


@workflow.defn
class Clock:
    @workflow.run
    async def run(self) -> float:
        started = time.time()
        stamp = time.time_ns()
        return now() - started + stamp
