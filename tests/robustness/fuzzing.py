"""The fuzzers' shared parts: run detlint's engine on one text, and mutate fixture files.

Used by tests/robustness/test_fuzz.py (bounded example counts) and benchmarks/fuzz.py (a
longer run). Nothing generated here is ever executed: detlint only parses it.
"""

from __future__ import annotations

import random
import re
import time
from pathlib import Path

from detlint.config import SettingsResolver
from detlint.engine import check
from detlint.rules.base import all_rules
from tests.conftest import FIXTURES, REPO

# Module-level statements of a module that defines a workflow are workflow code: generated code
# placed after this header is analysed by the workflow rules too.
WORKFLOW_HEADER = (
    "import asyncio, random, time\nfrom datetime import timedelta\nfrom temporalio import activity, workflow\n\n"
    "@workflow.defn\nclass Fuzzed:\n    @workflow.run\n    async def run(self) -> None:\n"
    "        await workflow.execute_activity(act, start_to_close_timeout=timedelta(seconds=1))\n\n"
    "@activity.defn\nasync def act() -> None:\n    pass\n\n"
)
RESOLVER = SettingsResolver(all_rules(), cwd=REPO, overrides={"select": ["ALL"]})
_TOKEN = re.compile(r"\w+|[^\w\s]|\s+")


class Failure(AssertionError):
    pass


def analyse(source: bytes, name: str = "fuzzed/workflows.py") -> float:
    """Run the whole engine (extraction, the project index, every rule, fixes) on `source` as an
    editor's unsaved buffer at `name` under the repository. Raises Failure when an exception
    escapes the engine or it reports an internal error; gives the seconds it took."""
    start = time.perf_counter()
    try:
        report = check([], RESOLVER, cwd=REPO, sources={Path(name): source})
    except BaseException as error:  # noqa: BLE001 - this is what a fuzzer looks for
        raise Failure(f"the engine raised {type(error).__name__}: {error}\n--- source ---\n{source[:3000]!r}") from error
    if report.errors:
        raise Failure(f"internal error: {report.errors}\n--- source ---\n{source[:3000]!r}")
    return time.perf_counter() - start


def fixture_files() -> list[Path]:
    return sorted(p for p in FIXTURES.rglob("*.py") if p.stat().st_size > 0)


def mutate(text: str, rng: random.Random, rounds: int = 3) -> str:
    """`text` with a few random edits: lines deleted, duplicated or swapped; tokens deleted,
    duplicated or swapped; brackets or quotes inserted; the text cut short."""
    for _ in range(rng.randint(1, rounds)):
        lines = text.splitlines(keepends=True)
        tokens = _TOKEN.findall(text)
        operation = rng.randrange(9)
        if operation <= 2 and len(lines) > 1:
            i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
            if operation == 0:
                del lines[i]
            elif operation == 1:
                lines.insert(i, lines[i])
            else:
                lines[i], lines[j] = lines[j], lines[i]
            text = "".join(lines)
        elif operation <= 5 and len(tokens) > 1:
            i, j = rng.randrange(len(tokens)), rng.randrange(len(tokens))
            if operation == 3:
                del tokens[i]
            elif operation == 4:
                tokens.insert(i, tokens[i])
            else:
                tokens[i], tokens[j] = tokens[j], tokens[i]
            text = "".join(tokens)
        elif operation == 6:
            i = rng.randrange(len(text) + 1)
            text = text[:i] + rng.choice(["(", ")", "[", "]", "{", "}", '"', "'", '"""', ":", "\\", "\t", "\r", "\x00", "é"]) + text[i:]
        elif operation == 7 and text:
            text = text[: rng.randrange(len(text))]
        else:
            i = rng.randrange(len(lines) + 1) if lines else 0
            lines.insert(i, rng.choice(lines) if lines else "pass\n")
            text = "".join(lines)
    return text


def mutants(count: int, seed: int = 11):
    """`count` (fixture path, mutated bytes) pairs, the same ones for the same seed."""
    rng = random.Random(seed)
    files = fixture_files()
    for _ in range(count):
        path = rng.choice(files)
        text = path.read_text(encoding="utf-8", errors="surrogateescape")
        yield path, mutate(text, rng).encode("utf-8", errors="surrogateescape")
