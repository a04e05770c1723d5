"""A generated Temporal project: the corpus the benchmarks run on.

    python benchmarks/temporal_corpus.py OUT [--modules 2000] [--seed 7]

The layout is that of a Temporal application grown inside a larger code base:

| share | kind | what it is |
|---|---|---|
| 5% | workflow modules | `app/workflows/<domain>/flow_<n>.py`: a `@workflow.defn` class with a run method that calls a shared helper and executes an activity (with a timeout and a retry policy), a signal, a query and an update |
| 6% | activity modules | `app/activities/<domain>/tasks_<n>.py`: `@activity.defn` functions doing I/O (files, clocks, randomness, sleeps, heartbeats), which activities may |
| 5% | helpers | `app/shared/rules_<n>.py`: pure functions and dataclasses the workflows import; one in four calls `time.time()`, which is the finding a workflow reaches through the helper (DET101, at the workflow's call site) |
| 5% | common utilities | `app/common/util_<n>.py`: leaf-ish utilities the helpers and services import (imports only go to lower numbers) |
| 2% | tests | `tests/test_flow_<n>.py`: a `WorkflowEnvironment` test of one workflow |
| one per domain | workers | `app/workers/<domain>.py`: a `Worker` registering the domain's workflows and activities |
| the rest (~77%) | unrelated code | `app/services/<package>/mod_<n>.py`: classes and functions of various sizes importing utilities and other services, some calling `time.time()` and `random` (correct outside workflows) |

Only the standard library and `temporalio` are imported, so every tool can read it without
installing anything; the code is deterministic for a given seed. No detlint import: the
benchmark harness uses this module without loading the tool it measures.
"""

from __future__ import annotations

import argparse
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

DOMAINS = ("orders", "billing", "shipping", "accounts", "inventory", "notifications", "reports", "payments")

SHARES = {"workflow": 0.05, "activity": 0.06, "helper": 0.05, "common": 0.05, "test": 0.02}


@dataclass
class Corpus:
    root: Path
    files: int = 0
    lines: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    workflow_modules: list[Path] = field(default_factory=list)
    # Findings a correct run reports (detlint's default rules): DET101 at each workflow call
    # site of a helper that reads the clock.
    expected: dict[str, int] = field(default_factory=dict)


# -- templates --------------------------------------------------------------------------------

COMMON = '''\
"""Utility {n}: small building blocks shared by the application."""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
{imports}

MAX_ITEMS_{n} = {limit}


def checksum_{n}(payload: dict[str, object]) -> str:
    text = json.dumps(payload, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:{digits}]


def chunk_{n}(items: Iterable[int], size: int = MAX_ITEMS_{n}) -> list[list[int]]:
    out: list[list[int]] = []
    current: list[int] = []
    for item in items:
        current.append(item)
        if len(current) == size:
            out.append(current)
            current = []
    if current:
        out.append(current)
    return out
{uses}'''

HELPER = '''\
"""Business rules {n}: pure functions the workflows call."""
from __future__ import annotations

from dataclasses import dataclass
{imports}

RATE_{n} = {rate}


@dataclass(frozen=True)
class Quote{n}:
    amount: int
    currency: str = "EUR"

    def with_tax(self) -> int:
        return self.amount + self.amount * RATE_{n} // 100


def price_{n}(amount: int) -> int:
    quote = Quote{n}(amount)
    if amount > {threshold}:
        return quote.with_tax() - {discount}
    return quote.with_tax()


def label_{n}(order_id: str, attempt: int) -> str:
    parts = [order_id.upper(), str(attempt)]
    return "-".join(parts)
{uses}{clock}'''

HELPER_CLOCK = '''

def stamp_{n}() -> float:
    return time.time()
'''

ACTIVITY = '''\
"""Activities {n}: the {domain} side effects."""
from __future__ import annotations

import json
import random
import time
from datetime import UTC, datetime
from pathlib import Path

from temporalio import activity

OUTBOX_{n} = Path("/tmp/outbox-{n}")


@activity.defn
def {name}(order_id: str) -> str:
    activity.logger.info("working on %s", order_id)
    time.sleep(random.random() / 1000)
    stamp = datetime.now(UTC).isoformat()
    return json.dumps({{"order": order_id, "at": stamp}})


@activity.defn
async def {name}_report(order_id: str, items: int) -> int:
    total = 0
    for index in range(items):
        activity.heartbeat(index)
        total += index * {n}
    OUTBOX_{n}.mkdir(parents=True, exist_ok=True)
    (OUTBOX_{n} / f"{{order_id}}.txt").write_text(str(total))
    return total
'''

WORKFLOW = '''\
"""Workflow {n}: the {domain} process for one order."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from app.activities.{adomain} import tasks_{a}
    from app.shared import rules_{h}


@dataclass
class Flow{n}Input:
    order_id: str
    amount: int


@workflow.defn
class Flow{n}Workflow:
    def __init__(self) -> None:
        self._approved = False
        self._events: list[str] = []

    @workflow.run
    async def run(self, params: Flow{n}Input) -> str:
        total = rules_{h}.price_{h}(params.amount){stamp}
        result = await workflow.execute_activity(
            tasks_{a}.{activity},
            params.order_id,
            start_to_close_timeout=timedelta(seconds={timeout}),
            retry_policy=RetryPolicy(maximum_attempts=3),
        )
        self._events.append(result)
        await workflow.wait_condition(
            lambda: self._approved, timeout=timedelta(hours=1)
        )
        return rules_{h}.label_{h}(params.order_id, total)

    @workflow.signal
    def approve(self) -> None:
        self._approved = True

    @workflow.query
    def events(self) -> list[str]:
        return list(self._events)

    @workflow.update
    async def add_note(self, note: str) -> int:
        self._events.append(note)
        return len(self._events)
'''

TEST = '''\
"""Test of workflow {n}."""
import uuid

from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from app.activities.{adomain} import tasks_{a}
from app.workflows.{domain}.flow_{n} import Flow{n}Input, Flow{n}Workflow


async def test_flow_{n}() -> None:
    async with await WorkflowEnvironment.start_time_skipping() as env:
        async with Worker(
            env.client,
            task_queue="test-{n}",
            workflows=[Flow{n}Workflow],
            activities=[tasks_{a}.{activity}],
        ):
            handle = await env.client.start_workflow(
                Flow{n}Workflow.run,
                Flow{n}Input(order_id="o-{n}", amount={amount}),
                id=str(uuid.uuid4()),
                task_queue="test-{n}",
            )
            await handle.signal(Flow{n}Workflow.approve)
            assert (await handle.result()).startswith("O-{n}")
'''

WORKER = '''\
"""Worker for the {domain} task queue."""
import asyncio

from temporalio.client import Client
from temporalio.worker import Worker

{imports}


async def main() -> None:
    client = await Client.connect("localhost:7233")
    worker = Worker(
        client,
        task_queue="{domain}",
        workflows=[
{workflows}
        ],
        activities=[
{activities}
        ],
    )
    await worker.run()


if __name__ == "__main__":
    asyncio.run(main())
'''

SERVICE_HEAD = '''\
"""Service module {n}: ordinary application code, no Temporal."""
from __future__ import annotations
{imports}
'''

# (text, the standard-library imports it needs); `log` stands for a module-level logger.
SERVICE_BLOCKS = (
    ({"logging"}, '''

def compute_{n}_{b}(values: list[int]) -> int:
    total = 0
    for value in values:
        if value % {k} == 0:
            continue
        total += value * {k}
    log.debug("computed %s", total)
    return total
'''),
    ({"time", "random", "dataclasses"}, '''

@dataclass
class Record{n}_{b}:
    key: str
    score: float = 0.0
    tags: list[str] = field(default_factory=list)

    def touch(self) -> float:
        self.score = time.time() + random.random()
        return self.score

    def tagged(self, tag: str) -> bool:
        return tag in self.tags
'''),
    ({"logging", "time"}, '''

class Service{n}_{b}:
    def __init__(self, retries: int = {k}) -> None:
        self.retries = retries
        self.cache: dict[str, int] = {{}}

    def lookup(self, key: str) -> int:
        if key not in self.cache:
            self.cache[key] = len(key) * {k}
        return self.cache[key]

    def refresh(self) -> None:
        for attempt in range(self.retries):
            log.info("refresh attempt %d", attempt)
            time.sleep(0)
        self.cache.clear()
'''),
    (set(), '''

def parse_{n}_{b}(line: str) -> dict[str, str]:
    result: dict[str, str] = {{}}
    for part in line.split(";"):
        if "=" not in part:
            continue
        key, _, value = part.partition("=")
        result[key.strip()] = value.strip()
    return result
'''),
)

STDLIB = {
    "dataclasses": "from dataclasses import dataclass, field",
    "logging": "import logging",
    "random": "import random",
    "time": "import time",
}


# -- generation -------------------------------------------------------------------------------


def generate(root: Path, modules: int = 2000, seed: int = 7, shares: dict[str, float] | None = None) -> Corpus:
    """Write a project of about `modules` Python modules below `root` (plus `__init__.py`
    files); the same arguments always give the same files."""
    rng = random.Random(seed)
    shares = {**SHARES, **(shares or {})}
    count = {kind: max(1, round(modules * share)) for kind, share in shares.items()}
    count["test"] = min(count["test"], count["workflow"])
    domains = DOMAINS[: max(1, min(len(DOMAINS), modules // 250))]
    packages = max(1, modules // 100)
    count["service"] = max(1, modules - sum(count.values()) - len(domains))
    corpus = Corpus(root=root, counts={**count, "worker": len(domains)})

    def write(relative: str, text: str) -> None:
        location = root / relative
        location.parent.mkdir(parents=True, exist_ok=True)
        location.write_text(text)
        corpus.files += 1
        corpus.lines += text.count("\n")

    folders = ["app", "app/common", "app/shared", "app/services", "app/workers", "app/activities", "app/workflows", "tests"]
    folders += [f"app/services/pkg{p}" for p in range(packages)]
    folders += [f"app/activities/{d}" for d in domains] + [f"app/workflows/{d}" for d in domains]
    for folder in folders:
        write(f"{folder}/__init__.py", "")
    write(".gitignore", ".detlint_cache/\n.ruff_cache/\n__pycache__/\n")
    corpus.files -= 1

    for n in range(count["common"]):
        below = sorted({rng.randrange(n) for _ in range(rng.randint(0, 2))}) if n else []
        imports = "".join(f"\nfrom app.common import util_{m}" for m in below)
        uses = "".join(f"\n\ndef via_{m}(items: list[int]) -> int:\n    return len(util_{m}.chunk_{m}(items))\n" for m in below)
        write(
            f"app/common/util_{n}.py",
            COMMON.format(n=n, imports=imports, uses=uses, limit=rng.randint(8, 64), digits=rng.randint(8, 16)),
        )

    clock_helpers = set()
    for n in range(count["helper"]):
        used = sorted({rng.randrange(count["common"]) for _ in range(rng.randint(0, 2))})
        clock = n % 4 == 3
        imports = ("\nimport time\n" if clock else "") + "".join(f"\nfrom app.common import util_{m}" for m in used)
        uses = "".join(f"\n\ndef digest_{m}(payload: dict[str, object]) -> str:\n    return util_{m}.checksum_{m}(payload)\n" for m in used)
        if clock:
            clock_helpers.add(n)
        write(
            f"app/shared/rules_{n}.py",
            HELPER.format(
                n=n, imports=imports, uses=uses, clock=HELPER_CLOCK.format(n=n) if clock else "",
                rate=rng.randint(5, 25), threshold=rng.randint(100, 1000), discount=rng.randint(1, 50),
            ),
        )

    activities = []  # (domain, module number, function name)
    for n in range(count["activity"]):
        domain = domains[n % len(domains)]
        name = f"{rng.choice(('charge', 'reserve', 'notify', 'sync', 'export', 'audit'))}_{n}"
        activities.append((domain, n, name))
        write(f"app/activities/{domain}/tasks_{n}.py", ACTIVITY.format(n=n, domain=domain, name=name))

    workflows = []  # (domain, number, activity)
    det101 = 0
    for n in range(count["workflow"]):
        domain = domains[n % len(domains)]
        adomain, a, activity = activities[rng.randrange(len(activities))]
        h = rng.randrange(count["helper"])
        stamp = ""
        if h in clock_helpers:
            stamp = f"\n        self._events.append(str(rules_{h}.stamp_{h}()))"
            det101 += 1
        workflows.append((domain, n, adomain, a, activity))
        write(
            f"app/workflows/{domain}/flow_{n}.py",
            WORKFLOW.format(
                n=n, domain=domain, adomain=adomain, a=a, activity=activity, h=h, stamp=stamp,
                timeout=rng.choice((10, 30, 60, 300)),
            ),
        )
        corpus.workflow_modules.append(root / f"app/workflows/{domain}/flow_{n}.py")
    corpus.expected = {"DET101": det101}

    for n in range(count["test"]):
        domain, w, adomain, a, activity = workflows[n]
        write(
            f"tests/test_flow_{w}.py",
            TEST.format(n=w, domain=domain, adomain=adomain, a=a, activity=activity, amount=rng.randint(1, 2000)),
        )

    for domain in domains:
        mine = [w for w in workflows if w[0] == domain]
        acts = [x for x in activities if x[0] == domain]
        imports = "\n".join(
            [f"from app.activities.{domain} import tasks_{a}" for _, a, _ in acts]
            + [f"from app.workflows.{domain}.flow_{w} import Flow{w}Workflow" for _, w, *_ in mine]
        )
        write(
            f"app/workers/{domain}.py",
            WORKER.format(
                domain=domain,
                imports=imports,
                workflows="\n".join(f"            Flow{w}Workflow," for _, w, *_ in mine),
                activities="\n".join(f"            tasks_{a}.{name}," for _, a, name in acts),
            ),
        )

    for n in range(count["service"]):
        package = n % packages
        blocks = [rng.choice(SERVICE_BLOCKS) for _ in range(rng.choice((1, 2, 2, 3, 3, 4, 6)))]
        needs = set().union(*(needed for needed, _ in blocks))
        lines = [STDLIB[name] for name in sorted(needs)]
        utils = sorted({rng.randrange(count["common"]) for _ in range(rng.randint(0, 2))})
        others = sorted({rng.randrange(count["service"]) for _ in range(rng.randint(0, 3))} - {n})
        if lines and (utils or others):
            lines.append("")
        lines += [f"from app.common import util_{m}" for m in utils]
        lines += [f"from app.services.pkg{m % packages} import mod_{m}" for m in others]
        text = SERVICE_HEAD.format(n=n, imports="\n" + "\n".join(lines) if lines else "")
        if "logging" in needs:
            text += "\nlog = logging.getLogger(__name__)\n"
        for b, (_, block) in enumerate(blocks):
            text += block.format(n=n, b=b, k=rng.randint(2, 9))
        for m in utils:
            text += f"\n\ndef batches_{m}(items: list[int]) -> int:\n    return len(util_{m}.chunk_{m}(items))\n"
        for m in others:
            text += f"\n\ndef neighbour_{m}() -> str:\n    return mod_{m}.__name__\n"
        write(f"app/services/pkg{package}/mod_{n}.py", re.sub("\n{4,}", "\n\n\n", text))
    return corpus


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--modules", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    corpus = generate(args.out, args.modules, args.seed)
    print(f"{corpus.files} files, {corpus.lines} lines in {args.out}: {corpus.counts}; expected {corpus.expected}")


if __name__ == "__main__":
    main()
