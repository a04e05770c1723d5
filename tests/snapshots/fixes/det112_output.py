# detlint check --diff --unsafe-fixes: print() and logging become workflow.logger, an unsafe fix
import logging
from logging import info

from temporalio import workflow

log = logging.getLogger(__name__)


@workflow.defn
class Shipment:
    @workflow.run
    async def run(self, order: str, items: int) -> None:
        print("shipping")
        print("shipping", order, items)
        print(order, end="")  # keyword arguments: no fix
        logging.info("started %s", order)
        info("again")
        log.warning("careful")
        log.fatal("lost %s", order)
        logging.getLogger("audit").debug("direct")
