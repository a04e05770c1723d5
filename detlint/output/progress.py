"""A progress line on stderr for long runs: `detlint: 312/622 files`.

Only on a terminal, only once the run has taken a couple of seconds (short runs stay silent),
redrawn at most a few times a second, and erased when the run ends.
"""

from __future__ import annotations

import time
from typing import TextIO


class ProgressLine:
    DELAY = 2.0  # seconds of work before the line appears
    INTERVAL = 0.2  # seconds between redraws

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.start = time.monotonic()
        self.drawn_at: float | None = None

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.start < self.DELAY or (self.drawn_at is not None and now - self.drawn_at < self.INTERVAL):
            return
        self.drawn_at = now
        self.stream.write(f"\rdetlint: {done}/{total} files")
        self.stream.flush()

    def close(self) -> None:
        if self.drawn_at is not None:
            self.stream.write("\r\033[K")
            self.stream.flush()


def progress_for(stream: TextIO, quiet: bool) -> ProgressLine | None:
    """A progress line for `stream`, or None when it is not a terminal or `--quiet` was given."""
    return None if quiet or not stream.isatty() else ProgressLine(stream)
