# detlint check --diff --unsafe-fixes: asyncio.wait() (unsafe: lists, not sets) and
# asyncio.as_completed() become their workflow versions
import asyncio
from asyncio import as_completed

from temporalio import workflow


@workflow.defn
class FanOut:
    @workflow.run
    async def run(self) -> list[int]:
        tasks = [asyncio.ensure_future(workflow.sleep(1)) for _ in range(3)]
        done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        results = []
        for next_done in as_completed(tasks):
            results.append(await next_done)
        return results
