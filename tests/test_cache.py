"""The facts cache's record of which scripts Python parses (the facts themselves are covered
where runs use them: tests/test_parallel.py, tests/test_last_run.py)."""

from __future__ import annotations

import hashlib
import json

from detlint import cache
from detlint.cache import FactsCache


def _texts(count: int, start: int = 0) -> list[bytes]:
    return [f"from temporalio.client import Client\nX = {n}\n".encode() for n in range(start, start + count)]


def _verdict_file(folder):
    (found,) = folder.glob(f"*/{cache._VERDICTS}")
    return found


def test_verdicts_are_read_back_and_a_run_that_learns_nothing_writes_nothing(tmp_path):
    first = FactsCache(tmp_path)
    assert [first.python_accepts(t) for t in (b"x = 1\n", b"def f(:\n")] == [True, False]
    first.save()
    written = _verdict_file(tmp_path)
    before = written.stat().st_mtime_ns, written.read_bytes()
    again = FactsCache(tmp_path)
    assert [again.python_accepts(t) for t in (b"x = 1\n", b"def f(:\n")] == [True, False]
    again.save()
    assert (written.stat().st_mtime_ns, written.read_bytes()) == before


def test_a_tampered_verdict_is_not_believed(tmp_path):
    first = FactsCache(tmp_path)
    first.python_accepts(b"def f(:\n")
    first.save()
    written = _verdict_file(tmp_path)
    signature, payload = written.read_bytes()[:32], written.read_bytes()[32:]
    written.write_bytes(signature + payload.replace(b"false", b"true"))
    assert FactsCache(tmp_path).python_accepts(b"def f(:\n") is False


def test_the_file_keeps_this_runs_verdicts_and_the_newest_others(tmp_path, monkeypatch):
    monkeypatch.setattr(cache, "VERDICTS_KEPT", 3)
    older, newer, current = _texts(4), _texts(3, start=4), _texts(2, start=7)
    for texts in (older, newer, current):
        run = FactsCache(tmp_path)
        for text in texts:
            run.python_accepts(text)
        run.save()
    kept = json.loads(_verdict_file(tmp_path).read_bytes()[32:])
    # The last run's two, and the newest three before them (the second run's).
    assert set(kept) == {hashlib.sha256(text).hexdigest() for text in newer + current}
