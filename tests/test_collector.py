"""A run and Python's cycle collector: the collector is paused while a run builds facts, the
index and findings (no reference cycles, many objects), runs while LibCST parses (full of
cycles), and is left as the run found it."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest

from detlint.cache import FactsCache
from detlint.config import SettingsResolver
from detlint.engine import check
from detlint.rules.base import all_rules
from tests.conftest import FIXTURES

WORKFLOW = """\
import time

from temporalio import workflow


@workflow.defn
class Orders{n}:
    @workflow.run
    async def run(self) -> float:
        return time.time()
"""


@pytest.fixture
def collections() -> Iterator[list[int]]:
    """The generation of every collection while the test runs."""
    seen: list[int] = []

    def record(phase: str, info: dict) -> None:
        if phase == "start":
            seen.append(info["generation"])

    gc.callbacks.append(record)
    try:
        yield seen
    finally:
        gc.callbacks.remove(record)


def _check(root: Path, cache: FactsCache | None = None) -> int:
    report = check([root], SettingsResolver(all_rules(), cwd=root), cwd=root, facts_cache=cache, jobs=1)
    return len(report.diagnostics)


def test_parsing_collects_cycles_and_reading_the_cache_collects_nothing(tmp_path, collections):
    for n in range(12):
        (tmp_path / f"wf{n}.py").write_text(WORKFLOW.format(n=n))
    cache = FactsCache(tmp_path / ".detlint_cache")
    threshold = gc.get_threshold()
    gc.set_threshold(100)  # LibCST's cycles fill the youngest generation quickly
    try:
        gc.collect()
        collections.clear()
        assert _check(tmp_path, cache) == 12
        assert collections, "nothing was collected while parsing"
        collections.clear()
        assert _check(tmp_path, FactsCache(tmp_path / ".detlint_cache")) == 12
        assert collections == []
    finally:
        gc.set_threshold(*threshold)
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_a_run_leaves_the_collector_as_it_found_it():
    gc.disable()
    try:
        _check(FIXTURES / "DET101")
        assert not gc.isenabled()
    finally:
        gc.enable()
    frozen = ["a host application's own frozen object"]
    gc.freeze()
    try:
        _check(FIXTURES / "DET101")
        assert gc.isenabled()
        assert not any(o is frozen for o in gc.get_objects()), "the host's frozen objects were thawed"
    finally:
        gc.unfreeze()
