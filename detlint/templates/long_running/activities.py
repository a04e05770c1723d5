"""A long import, in chunks: it heartbeats its progress and resumes from it when retried.

`activity.heartbeat(next_row)` tells the server the activity is alive (so a crashed worker is
noticed within the call's `heartbeat_timeout`, not after the whole `start_to_close_timeout`)
and records how far it got. When the attempt fails or its worker dies, the next attempt reads
that progress from `activity.info().heartbeat_details` and starts there, instead of at row 0.
Each chunk must itself be idempotent (a chunk may be imported again if the attempt died after
importing it but before its heartbeat reached the server): key its writes by row number.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Protocol

from temporalio import activity


@dataclass
class ImportJob:
    source: str
    total_rows: int
    chunk_size: int = 100


@dataclass
class ImportResult:
    rows: int
    resumed_from: int  # the row the last attempt started at
    attempts: int


class RowSink(Protocol):
    """Where the rows go: your database, search index, data warehouse."""

    async def import_rows(self, source: str, start: int, stop: int) -> None: ...


class LoggingSink:
    """A stand-in sink that only logs; replace it with yours in worker.py."""

    async def import_rows(self, source: str, start: int, stop: int) -> None:
        activity.logger.info("importing rows %d-%d of %s", start, stop - 1, source)
        await asyncio.sleep(0.01)


class ImportActivities:
    def __init__(self, sink: RowSink) -> None:
        self.sink = sink

    @activity.defn
    async def import_rows(self, job: ImportJob) -> ImportResult:
        info = activity.info()
        start = int(info.heartbeat_details[0]) if info.heartbeat_details else 0
        if start:
            activity.logger.info("attempt %d resumes at row %d", info.attempt, start)
        for first in range(start, job.total_rows, job.chunk_size):
            stop = min(first + job.chunk_size, job.total_rows)
            await self.sink.import_rows(job.source, first, stop)
            activity.heartbeat(stop)  # progress: the next row to import
        return ImportResult(job.total_rows, start, info.attempt)
