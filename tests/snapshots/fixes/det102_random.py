# detlint check --diff: random draws become draws from workflow.random(), a safe fix; two
# fixes that each empty one name from the same import line are applied over two passes
import random
import random as rnd
from random import sample, shuffle

from temporalio import workflow


@workflow.defn
class Lottery:
    @workflow.run
    async def run(self, tickets: list[str]) -> list[str]:
        random.seed(7)  # no fix: it would reseed the workflow's generator
        winner = random.randint(0, len(tickets) - 1)
        backup = rnd.choice(tickets)
        shuffle(tickets)
        return [tickets[winner], backup, *sample(tickets, 2)]
