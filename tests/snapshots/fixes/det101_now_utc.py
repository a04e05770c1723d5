# detlint check --diff: an aware UTC now() is a safe fix
import datetime as dt
from datetime import UTC, datetime, timezone

from temporalio import workflow


@workflow.defn
class Clock:
    @workflow.run
    async def run(self) -> str:
        a = datetime.now(timezone.utc)
        b = datetime.now(tz=timezone.utc)
        c = dt.datetime.now(dt.timezone.utc)
        d = datetime.now(UTC)
        e = datetime.now(dt.timezone(dt.timedelta(hours=2)))  # another zone: no fix
        return f"{a} {b} {c} {d} {e}"
