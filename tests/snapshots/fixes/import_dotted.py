# detlint check --diff: `import temporalio.workflow` is written out in full
import time

import temporalio.workflow


@temporalio.workflow.defn
class Clock:
    @temporalio.workflow.run
    async def run(self) -> float:
        return time.time()
