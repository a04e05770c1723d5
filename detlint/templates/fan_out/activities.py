"""The work on one record: an activity, because it touches the world."""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field

from temporalio import activity
from temporalio.exceptions import ApplicationError


@dataclass
class Failure:
    record_id: str
    reason: str


@dataclass
class Report:
    """What the children produced: a value per record that succeeded, and what failed."""

    values: dict[str, int] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.values.values())


@dataclass
class BatchJob:
    record_ids: list[str]
    # How many children run at once.
    batch_size: int = 50
    # How many children one run of the parent starts before it continues as new (with the
    # rest of the records and the report so far): keep it at 1,000 or less, so that a parent's
    # history stays small however many records there are.
    children_per_run: int = 1000
    # Carried across continue-as-new.
    report: Report = field(default_factory=Report)
    started: int = 0


@activity.defn
async def process_record(record_id: str) -> int:
    """Processes one record; here, a checksum of its id. A malformed id fails without retries."""
    if not record_id or not record_id.isalnum():
        raise ApplicationError(f"malformed record id {record_id!r}", type="InvalidRecord", non_retryable=True)
    activity.logger.info("processing %s", record_id)
    return zlib.crc32(record_id.encode()) % 1000
