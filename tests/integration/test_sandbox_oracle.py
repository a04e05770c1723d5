"""The Temporal runtime sandbox as the oracle for DET101-DET108.

Every workflow class in the oracle files of ``fixtures/DET101`` ... ``fixtures/DET108``
(``flagged*.py`` and ``lookalikes*.py``; one case per class, a no-argument ``run``) is run
on a real dev server by one worker with the SDK's default ``SandboxedWorkflowRunner``.
detlint is run as a real command over the same folders. For each class:

* detlint reports a DET101-DET108 finding on a line of the class (a call inside it, or the
  call site of a helper that reaches the effect) -> the sandbox must reject the run with
  ``RestrictedWorkflowAccessError``;
* detlint reports nothing in the class -> the run must complete.

Where detlint deliberately differs from the sandbox, the case is listed in
``DIVERGENCES`` and the *opposite* sandbox outcome is asserted, so the table has to be
edited (not just silently go stale) when the SDK changes its restrictions.

Other files of a fixture folder (``handlers.py``: effects off the run path;
``module_level.py``: import-time effects, which the sandbox's runtime-only restrictions do
not see; ``thirdparty.py``: needs packages that are not installed; ``helpers.py``) are not
run here; detlint's own fixture test checks their ``# error:`` markers.

Set ``DETLINT_ORACLE_EXPECT=markers`` to take the expectation from the fixtures'
``# error: DETxxx`` markers instead of detlint's output (to debug the harness itself).
"""

from __future__ import annotations

import ast
import asyncio
import concurrent.futures
import dataclasses
import gc
import importlib
import inspect
import json
import os
import re
import subprocess
import sys
import tokenize
import uuid
import warnings
from collections import defaultdict
from collections.abc import Iterable
from datetime import timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

pytestmark = [
    pytest.mark.integration,
    # See sandbox_outcomes: a rejected __init__ leaves the SDK's run coroutine unawaited.
    pytest.mark.filterwarnings("ignore:coroutine '_WorkflowInstanceImpl:RuntimeWarning"),
]

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:  # conftest.py does this too; the fixtures import by name
    sys.path.insert(0, str(REPO_ROOT))

FIXTURES_DIR = REPO_ROOT / "fixtures"
RULES = tuple(f"DET10{n}" for n in range(1, 9))
ORACLE_FILE_PATTERNS = ("flagged*.py", "lookalikes*.py")

RESTRICTED = "RestrictedWorkflowAccessError"

# Per-workflow bound: the run's execution timeout on the server, plus a client-side margin.
WORKFLOW_TIMEOUT = timedelta(seconds=60)
ALL_WORKFLOWS_TIMEOUT = 300.0
DETLINT_TIMEOUT = 300.0

_PY314 = sys.version_info >= (3, 14)

# Cases where detlint and the sandbox deliberately disagree: case id -> why. The sandbox
# outcome asserted for these is the opposite of what detlint's finding would imply.
DIVERGENCES: dict[str, str] = {
    # detlint flags, the sandbox lets it through.
    "DET101/flagged.py::TimeGmtimeNoArg": (
        "sandbox does not restrict time.gmtime (a TODO in _restrictions.py: only "
        "non-deterministic without an argument); detlint flags the no-argument form"
    ),
    "DET101/flagged.py::TimeCtimeNoArg": (
        "sandbox does not restrict time.ctime; detlint flags the no-argument form, which "
        "reads the clock"
    ),
    "DET101/flagged.py::TimeAsctimeNoArg": (
        "sandbox does not restrict time.asctime; detlint flags the no-argument form, which "
        "reads the clock"
    ),
    "DET101/flagged.py::TimeStrftimeOneArg": (
        "sandbox does not restrict time.strftime; with one argument it formats the current "
        "local time (the C function reads the clock past the sandbox proxies)"
    ),
    "DET102/flagged.py::UnseededRandomInstance": (
        "sandbox allows random.Random() (classes are not restricted); detlint flags it "
        "because without a seed it seeds from OS entropy"
    ),
    "DET102/flagged.py::SystemRandomInstance": (
        "sandbox allows the random.SystemRandom class (only module functions are "
        "restricted); it draws from os.urandom"
    ),
    "DET104/flagged.py::LowLevelThreadModule": (
        "sandbox does not restrict _thread (only threading); detlint flags both"
    ),
    "DET104/flagged.py::AsyncioToThread": (
        "sandbox does not restrict asyncio.to_thread; the workflow event loop refuses "
        "run_in_executor with NotImplementedError instead"
    ),
    "DET104/flagged.py::LoopRunInExecutor": (
        "sandbox does not restrict loop.run_in_executor; the workflow event loop refuses it "
        "with NotImplementedError instead"
    ),
    "DET105/flagged.py::AsyncioCreateSubprocessExec": (
        "sandbox does not restrict asyncio.create_subprocess_exec; the workflow event loop "
        "refuses subprocess_exec with NotImplementedError instead"
    ),
    "DET105/flagged.py::AsyncioCreateSubprocessShell": (
        "sandbox does not restrict asyncio.create_subprocess_shell; the workflow event loop "
        "refuses subprocess_shell with NotImplementedError instead"
    ),
    "DET106/flagged.py::IoOpen": (
        "sandbox does not restrict io.open (commented out in _restrictions.py); it is the "
        "same function as the builtin open, which detlint flags"
    ),
    "DET106/flagged.py::OsStat": (
        "sandbox excludes os.stat from its os restrictions (CPython calls it while "
        "formatting tracebacks); it is a filesystem call, which detlint flags"
    ),
    "DET106/flagged.py::DerivedPathOpen": (
        "sandbox restricts Path methods only on objects made by the proxied Path class; "
        "a path derived with `/` (or with_name, parent, ...) is a plain Path, so its "
        "open() gets through"
    ),
    "DET106/flagged.py::DerivedPathExists": (
        "sandbox restricts Path methods only on objects made by the proxied Path class; "
        "a path derived with with_name() is a plain Path, so its exists() gets through"
    ),
    "DET107/flagged.py::SslDefaultContext": (
        "sandbox does not restrict ssl (it loads CA files from disk and is only useful "
        "with sockets); detlint flags it as network"
    ),
    "DET107/flagged.py::Sqlite3InMemory": (
        "sandbox deliberately allows sqlite3 (in-memory use); detlint flags database "
        "drivers in workflow code"
    ),
    "DET108/flagged.py::OsEnvironMembership": (
        "sandbox proxies do not intercept `in` (__contains__), so `KEY in os.environ` "
        "reads the host environment; os.environ[...] and os.environ.get are rejected"
    ),
    "DET108/flagged.py::SysArgv": (
        "sandbox cannot restrict sys (type(sys) is used as ModuleType); detlint flags "
        "sys.argv as host state"
    ),
    # detlint allows, the sandbox rejects.
    "DET101/lookalikes.py::LocaltimeWithArgument": (
        "sandbox restricts every time.localtime call; rules.md flags only the no-argument "
        "form (note: localtime(secs) still depends on the worker's TZ)"
    ),
}
if _PY314:
    # Python >= 3.14: the sandbox stops restricting os.path (CPython uses it while
    # formatting tracebacks), so the os.path file queries get through.
    for _name in ("OsPathExists", "OsPathIsfile", "OsPathGetsize"):
        DIVERGENCES[f"DET106/flagged.py::{_name}"] = (
            "sandbox leaves os.path unrestricted on Python >= 3.14; detlint flags os.path "
            "calls that touch the filesystem"
        )
else:
    for _name in ("OsPathJoin", "OsPathSplitting"):
        DIVERGENCES[f"DET106/lookalikes.py::{_name}"] = (
            "sandbox restricts all of os.path on Python < 3.14, even pure string functions; "
            "detlint flags only os.path calls that touch the filesystem"
        )

# Divergences where the sandbox lets the call through but the workflow still fails, with
# this exception type, for another reason (the workflow's event loop refuses the call).
FAILS_OUTSIDE_SANDBOX: dict[str, str] = {
    "DET104/flagged.py::AsyncioToThread": "NotImplementedError",
    "DET104/flagged.py::LoopRunInExecutor": "NotImplementedError",
    "DET105/flagged.py::AsyncioCreateSubprocessExec": "NotImplementedError",
    "DET105/flagged.py::AsyncioCreateSubprocessShell": "NotImplementedError",
}


# --------------------------------------------------------------------------- cases


@dataclasses.dataclass(frozen=True)
class Case:
    id: str  # "DET101/flagged.py::DatetimeNow"
    path: Path
    module: str
    cls: type
    workflow_name: str
    first_line: int  # first decorator line
    last_line: int

    def __repr__(self) -> str:
        return f"Case({self.id})"


def _oracle_files() -> list[Path]:
    files: list[Path] = []
    for rule in RULES:
        folder = FIXTURES_DIR / rule
        for pattern in ORACLE_FILE_PATTERNS:
            files.extend(sorted(folder.glob(pattern)))
    return files


def _module_name(path: Path) -> str:
    return ".".join(path.relative_to(REPO_ROOT).with_suffix("").parts)


def _class_spans(path: Path) -> dict[str, tuple[int, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    spans: dict[str, tuple[int, int]] = {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            spans[node.name] = (first, node.end_lineno or node.lineno)
    return spans


def _import_oracle_module(path: Path) -> ModuleType | None:
    module = importlib.import_module(_module_name(path))
    minimum = getattr(module, "ORACLE_MIN_PYTHON", None)
    if minimum is not None and sys.version_info < tuple(minimum):
        return None
    return module


def _discover() -> tuple[list[Case], list[Any]]:
    cases: list[Case] = []
    activities: list[Any] = []
    for path in _oracle_files():
        module = _import_oracle_module(path)
        if module is None:
            continue
        spans = _class_spans(path)
        rel = path.relative_to(FIXTURES_DIR).as_posix()
        for name, obj in vars(module).items():
            if getattr(obj, "__module__", None) != module.__name__:
                continue
            if inspect.isclass(obj):
                defn = getattr(obj, "__temporal_workflow_definition", None)
                if defn is None:
                    continue
                first, last = spans[name]
                cases.append(
                    Case(
                        id=f"{rel}::{name}",
                        path=path.resolve(),
                        module=module.__name__,
                        cls=obj,
                        workflow_name=defn.name,
                        first_line=first,
                        last_line=last,
                    )
                )
            elif callable(obj) and hasattr(obj, "__temporal_activity_definition"):
                activities.append(obj)
    cases.sort(key=lambda c: (c.path, c.first_line))
    return cases, activities


CASES, ACTIVITIES = _discover()
CASES_BY_ID = {case.id: case for case in CASES}


# --------------------------------------------------------------------------- expectations


@dataclasses.dataclass(frozen=True)
class Finding:
    path: Path
    row: int
    code: str
    message: str = ""

    def __str__(self) -> str:
        text = f"{self.path.name}:{self.row}: {self.code}"
        return f"{text} {self.message}" if self.message else text


_MARKER = re.compile(r"#\s*error:\s*(?P<codes>[A-Z]{3}\d{3}(?:\s*,\s*[A-Z]{3}\d{3})*)")


def _marker_findings(paths: Iterable[Path]) -> list[Finding]:
    """The stand-in expectation: the fixtures' own ``# error: DET101, ...`` comments."""
    found: list[Finding] = []
    for path in paths:
        with path.open("rb") as fh:
            for tok in tokenize.tokenize(fh.readline):
                if tok.type != tokenize.COMMENT:
                    continue
                match = _MARKER.search(tok.string)
                if match:
                    for code in re.split(r"\s*,\s*", match.group("codes")):
                        found.append(Finding(path.resolve(), tok.start[0], code))
    return found


def _detlint_findings() -> list[Finding]:
    """Run detlint as a user would and read its ruff-shaped JSON output."""
    folders = [str((FIXTURES_DIR / rule).relative_to(REPO_ROOT)) for rule in RULES]
    cmd = [sys.executable, "-m", "detlint", "check", "--format", "json", "--exit-zero", *folders]
    try:
        proc = subprocess.run(
            cmd,
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=DETLINT_TIMEOUT,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"`{' '.join(cmd[1:])}` did not finish in {DETLINT_TIMEOUT:.0f}s")
    if proc.returncode != 0:
        pytest.fail(
            f"`{' '.join(cmd[1:])}` exited {proc.returncode}\n"
            f"stderr:\n{proc.stderr[-4000:]}\nstdout:\n{proc.stdout[-2000:]}"
        )
    try:
        payload = json.loads(proc.stdout)
    except json.JSONDecodeError as exc:
        pytest.fail(f"detlint --format json printed invalid JSON ({exc}):\n{proc.stdout[:2000]}")
    assert isinstance(payload, list), f"expected a JSON list, got {type(payload).__name__}"
    findings = []
    for item in payload:
        path = Path(item["filename"])
        if not path.is_absolute():
            path = REPO_ROOT / path
        findings.append(
            Finding(path.resolve(), int(item["location"]["row"]), item["code"], item["message"])
        )
    return findings


@pytest.fixture(scope="module")
def findings() -> dict[Path, list[Finding]]:
    """DET101-DET108 findings in the oracle files, by file."""
    source = os.environ.get("DETLINT_ORACLE_EXPECT", "detlint")
    oracle_paths = {case.path for case in CASES}
    if source == "markers":
        raw = _marker_findings(sorted(oracle_paths))
    elif source == "detlint":
        raw = _detlint_findings()
    else:
        pytest.fail(f"DETLINT_ORACLE_EXPECT must be 'detlint' or 'markers', not {source!r}")
    by_path: dict[Path, list[Finding]] = defaultdict(list)
    for finding in raw:
        if finding.code in RULES and finding.path in oracle_paths:
            by_path[finding.path].append(finding)
    return by_path


def _findings_in(case: Case, findings: dict[Path, list[Finding]]) -> list[Finding]:
    return [
        f for f in findings.get(case.path, []) if case.first_line <= f.row <= case.last_line
    ]


# --------------------------------------------------------------------------- sandbox runs


@dataclasses.dataclass(frozen=True)
class Outcome:
    status: str  # "completed", "failed", "timed out", "error"
    failure_type: str | None = None
    message: str = ""

    def __str__(self) -> str:
        if self.status == "failed":
            return f"failed with {self.failure_type}: {self.message}"
        if self.message:
            return f"{self.status}: {self.message}"
        return self.status


def _failure_type(exc: BaseException) -> tuple[str, str]:
    error_type = getattr(exc, "type", None) or type(exc).__name__
    message = getattr(exc, "message", None) or str(exc)
    return error_type, message


async def _run_case(client: Any, case: Case, task_queue: str) -> Outcome:
    from temporalio.client import WorkflowFailureError

    workflow_id = f"oracle-{case.id.replace('/', '-').replace('::', '-')}-{uuid.uuid4().hex[:8]}"
    try:
        handle = await client.start_workflow(
            case.workflow_name,
            id=workflow_id,
            task_queue=task_queue,
            execution_timeout=WORKFLOW_TIMEOUT,
        )
        await asyncio.wait_for(handle.result(), WORKFLOW_TIMEOUT.total_seconds() + 15)
    except WorkflowFailureError as exc:
        cause = exc.cause
        if cause is None:
            return Outcome("failed", "unknown", str(exc))
        if type(cause).__name__ == "TimeoutError":
            return Outcome("timed out", message=str(cause))
        error_type, message = _failure_type(cause)
        return Outcome("failed", error_type, message)
    except asyncio.TimeoutError:
        return Outcome("timed out", message=f"no result within {WORKFLOW_TIMEOUT}")
    except Exception as exc:  # noqa: BLE001 - reported as the case's outcome
        return Outcome("error", message=f"{type(exc).__name__}: {exc}")
    return Outcome("completed")


async def _run_all(client: Any, cases: list[Case], activities: list[Any]) -> dict[str, Outcome]:
    from temporalio.worker import Worker

    task_queue = f"detlint-sandbox-oracle-{uuid.uuid4().hex[:8]}"
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as activity_executor:
        worker = Worker(
            client,
            task_queue=task_queue,
            workflows=[case.cls for case in cases],
            activities=activities,
            activity_executor=activity_executor,
            # workflow_runner: the default SandboxedWorkflowRunner with default restrictions.
            # Any exception fails the workflow (instead of failing the workflow task and
            # retrying it forever), so every case ends quickly with its exception type:
            # RestrictedWorkflowAccessError from the sandbox, or whatever else happened.
            workflow_failure_exception_types=[Exception],
        )
        async with worker:
            outcomes = await asyncio.gather(
                *(_run_case(client, case, task_queue) for case in cases)
            )
    return {case.id: outcome for case, outcome in zip(cases, outcomes)}


@pytest.fixture(scope="module")
def sandbox_outcomes(temporal_server: Any) -> dict[str, Outcome]:
    names = [case.workflow_name for case in CASES]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    assert not duplicates, f"workflow names must be unique across oracle files: {duplicates}"
    outcomes = temporal_server.run(
        _run_all(temporal_server.client, CASES, ACTIVITIES), timeout=ALL_WORKFLOWS_TIMEOUT
    )
    # The SDK creates a workflow's run coroutine before calling __init__; when __init__ is
    # rejected (DET101/flagged.py::ClockReadInInit) that coroutine is never awaited. Collect
    # it now, quietly, instead of letting it warn in some later, unrelated test.
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message="coroutine '_WorkflowInstanceImpl", category=RuntimeWarning
        )
        gc.collect()
    return outcomes


# --------------------------------------------------------------------------- tests


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_sandbox_agrees_with_detlint(
    case: Case,
    findings: dict[Path, list[Finding]],
    sandbox_outcomes: dict[str, Outcome],
) -> None:
    in_class = _findings_in(case, findings)
    flagged = bool(in_class)
    outcome = sandbox_outcomes[case.id]
    reported = "; ".join(map(str, in_class)) or "no DET101-DET108 finding"
    divergence = DIVERGENCES.get(case.id)

    if divergence is None:
        expect_rejection = flagged
    else:
        expect_rejection = not flagged

    if expect_rejection:
        assert outcome.status == "failed" and outcome.failure_type == RESTRICTED, (
            f"detlint: {reported}; the sandbox should reject this run with {RESTRICTED}, "
            f"but it {outcome}"
            + (f"\n(listed divergence: {divergence})" if divergence else "")
        )
    elif case.id in FAILS_OUTSIDE_SANDBOX and divergence is not None:
        expected_type = FAILS_OUTSIDE_SANDBOX[case.id]
        assert outcome.status == "failed" and outcome.failure_type == expected_type, (
            f"detlint: {reported}; listed divergence ({divergence}) expects the sandbox to let "
            f"the call through and the run to fail with {expected_type}, but it {outcome}"
        )
    else:
        assert outcome.status == "completed", (
            f"detlint: {reported}; the sandbox should let this run complete, but it {outcome}"
            + (f"\n(listed divergence: {divergence})" if divergence else "")
        )


def test_divergence_tables_name_real_cases() -> None:
    assert CASES, f"no oracle workflows found under {FIXTURES_DIR}"
    unknown = sorted((set(DIVERGENCES) | set(FAILS_OUTSIDE_SANDBOX)) - set(CASES_BY_ID))
    assert not unknown, f"divergence entries without a workflow class: {unknown}"
    orphans = sorted(set(FAILS_OUTSIDE_SANDBOX) - set(DIVERGENCES))
    assert not orphans, f"FAILS_OUTSIDE_SANDBOX entries must also be DIVERGENCES: {orphans}"


def test_oracle_files_have_findings_only_inside_workflow_classes(
    findings: dict[Path, list[Finding]],
) -> None:
    """The oracle attributes findings to workflow classes; a DET101-DET108 finding
    elsewhere in an oracle file (a helper's body instead of its call site, an activity,
    the ``__main__`` block) would be silently unchecked, so it fails here."""
    stray = [
        str(f)
        for path, items in findings.items()
        for f in items
        if not any(
            c.path == path and c.first_line <= f.row <= c.last_line for c in CASES
        )
    ]
    assert not stray, "findings outside any workflow class of an oracle file:\n" + "\n".join(
        stray
    )
