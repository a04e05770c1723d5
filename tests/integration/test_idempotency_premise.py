"""The premise of the idempotency rules, shown for real: Temporal retries an activity, and a
write that is not idempotent happens twice.

Each case is an activity module written to a temporary folder. detlint checks it as a user
would (the CLI, JSON output); then a worker on the real Temporal dev server runs it against a
real SQLite database file. The activity inserts its row, commits, and fails on its first
attempt ("the connection dropped after the commit"); Temporal retries it, and the second
attempt succeeds.

* The plain INSERT: detlint reports DET302 on it, and the table ends with two rows.
* The fixed INSERT, keyed on the activity execution (workflow id + activity id from
  `activity.info()`) with `ON CONFLICT DO NOTHING`: detlint reports nothing, and the table
  ends with one row.

The activities run in the worker (they do real I/O: that is the point). The workflow only
schedules the activity; it runs outside the sandbox (`sandboxed=False`) because it is defined
in this test module, which the sandbox would otherwise re-import with pytest and all.
"""

from __future__ import annotations

import concurrent.futures
import importlib.util
import json
import os
import sqlite3
import subprocess
import sys
import uuid
from datetime import timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from temporalio import workflow
from temporalio.common import RetryPolicy

from tests.conftest import python_path

pytestmark = pytest.mark.integration

REPO_ROOT = Path(__file__).resolve().parents[2]
DETLINT_TIMEOUT = 120
RUN_TIMEOUT = 90

SCHEMA = "CREATE TABLE charges (charge_key TEXT UNIQUE, order_ref TEXT NOT NULL, cents INTEGER NOT NULL)"

NOT_IDEMPOTENT = '''
import sqlite3

from temporalio import activity


@activity.defn(name="record_charge")
def record_charge(db_path: str, order: str) -> int:
    db = sqlite3.connect(db_path)
    try:
        with db:  # commits
            db.execute("INSERT INTO charges (order_ref, cents) VALUES (?, ?)", (order, 1250))
    finally:
        db.close()
    attempt = activity.info().attempt
    if attempt == 1:
        raise ConnectionError("the connection dropped after the commit")
    return attempt
'''

IDEMPOTENT = '''
import sqlite3

from temporalio import activity


@activity.defn(name="record_charge")
def record_charge(db_path: str, order: str) -> int:
    info = activity.info()
    key = f"{info.workflow_id}/{info.activity_id}"
    db = sqlite3.connect(db_path)
    try:
        with db:  # commits
            db.execute(
                "INSERT INTO charges (charge_key, order_ref, cents) VALUES (?, ?, ?)"
                " ON CONFLICT (charge_key) DO NOTHING",
                (key, order, 1250),
            )
    finally:
        db.close()
    if info.attempt == 1:
        raise ConnectionError("the connection dropped after the commit")
    return info.attempt
'''


@workflow.defn(name="IdempotencyPremiseCharge", sandboxed=False)
class ChargeWorkflow:
    @workflow.run
    async def run(self, db_path: str, order: str) -> int:
        return await workflow.execute_activity(
            "record_charge",
            args=[db_path, order],
            result_type=int,
            start_to_close_timeout=timedelta(seconds=30),
            retry_policy=RetryPolicy(
                initial_interval=timedelta(milliseconds=200),
                backoff_coefficient=1.0,
                maximum_attempts=3,
            ),
        )


def _detlint(path: Path) -> list[tuple[int, str]]:
    """(row, code) of every finding, from the real command and its JSON output."""
    env = {**os.environ, "PYTHONPATH": python_path()}
    cmd = [sys.executable, "-m", "detlint", "check", "--select", "ALL", "--format", "json", "--exit-zero", path.name]
    proc = subprocess.run(cmd, cwd=path.parent, env=env, capture_output=True, text=True, timeout=DETLINT_TIMEOUT)
    assert proc.returncode == 0, proc.stderr
    return sorted((item["location"]["row"], item["code"]) for item in json.loads(proc.stdout))


def _load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"idempotency_premise_{uuid.uuid4().hex}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


async def _run(client: Any, activity_fn: Any, db_path: Path) -> int:
    from temporalio.worker import Worker

    task_queue = f"idempotency-premise-{uuid.uuid4().hex[:8]}"
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as executor:
        async with Worker(
            client,
            task_queue=task_queue,
            workflows=[ChargeWorkflow],
            activities=[activity_fn],
            activity_executor=executor,
        ):
            return await client.execute_workflow(
                ChargeWorkflow.run,
                args=[str(db_path), "order-17"],
                id=f"charge-order-17-{uuid.uuid4().hex[:8]}",
                task_queue=task_queue,
                execution_timeout=timedelta(seconds=60),
            )


def _run_case(temporal_server: Any, tmp_path: Path, source: str) -> tuple[list[tuple[int, str]], int, list[tuple]]:
    module_path = tmp_path / "charges.py"
    module_path.write_text(source.lstrip())
    findings = _detlint(module_path)
    db_path = tmp_path / "shop.db"
    with sqlite3.connect(db_path) as db:
        db.execute(SCHEMA)
    db.close()
    module = _load(module_path)
    attempts = temporal_server.run(_run(temporal_server.client, module.record_charge, db_path), timeout=RUN_TIMEOUT)
    db = sqlite3.connect(db_path)
    try:
        rows = db.execute("SELECT charge_key, order_ref, cents FROM charges ORDER BY rowid").fetchall()
    finally:
        db.close()
    return findings, attempts, rows


def _line_of(source: str, text: str) -> int:
    return next(n for n, line in enumerate(source.lstrip().splitlines(), start=1) if text in line)


def test_a_retried_insert_without_conflict_handling_leaves_two_rows_and_is_flagged(
    temporal_server: Any, tmp_path: Path
) -> None:
    findings, attempts, rows = _run_case(temporal_server, tmp_path, NOT_IDEMPOTENT)
    assert findings == [(_line_of(NOT_IDEMPOTENT, "db.execute("), "DET302")]
    assert attempts == 2, "the first attempt must fail after its commit and be retried"
    assert rows == [(None, "order-17", 1250), (None, "order-17", 1250)]


def test_an_insert_keyed_on_the_activity_execution_leaves_one_row_and_is_clean(
    temporal_server: Any, tmp_path: Path
) -> None:
    findings, attempts, rows = _run_case(temporal_server, tmp_path, IDEMPOTENT)
    assert findings == []
    assert attempts == 2, "the first attempt must fail after its commit and be retried"
    [(key, order, cents)] = rows
    workflow_id, activity_id = key.split("/")
    assert workflow_id.startswith("charge-order-17-") and activity_id == "1"
    assert (order, cents) == ("order-17", 1250)
