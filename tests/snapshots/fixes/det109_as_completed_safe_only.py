# detlint check --diff: only the safe fix, as_completed() in a plain for loop
import asyncio

from temporalio import workflow


@workflow.defn
class FanOut:
    @workflow.run
    async def run(self) -> list[int]:
        tasks = [asyncio.ensure_future(workflow.sleep(1)) for _ in range(3)]
        await asyncio.wait(tasks)
        return [await t for t in asyncio.as_completed(tasks, timeout=10)]
