"""Demand-driven analysis on a generated repository: files that cannot reach Temporal code are
never parsed, and the run costs in proportion to the Temporal code, not to the repository.

    python benchmarks/generated_repo.py [--modules 2000] [--temporal-share 0.05] [--repeat 3]

Generates a repository of plain modules (each importing a few others) in which a share are
workflow modules calling helpers in other modules, then times `detlint check` (in process)
against parsing and extracting every file, the cost without the pre-filter. Prints the counts
and the medians; asserts nothing about time (2-core machines vary), only that the unreached
files were not parsed.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

from detlint.analysis.extract import extract
from detlint.config import Settings, SettingsResolver
from detlint.engine import RuleSet, check
from detlint.rules.base import all_rules

PLAIN = '''\
"""Module {n}: ordinary application code, no Temporal."""
from app.pkg{other_pkg} import mod{other} as neighbour


def compute_{n}(values: list[int]) -> int:
    total = 0
    for value in values:
        total += value * {n}
    return total + len(neighbour.__name__)


class Service{n}:
    def __init__(self) -> None:
        self.cache: dict[str, int] = {{}}

    def lookup(self, key: str) -> int:
        return self.cache.get(key, {n})
'''

HELPER = '''\
import time


def stamp_{n}() -> float:
    return time.time()
'''

WORKFLOW = '''\
from temporalio import workflow

from app.helpers import helper{n}


@workflow.defn
class Flow{n}:
    @workflow.run
    async def run(self) -> float:
        return helper{n}.stamp_{n}()
'''


def generate(root: Path, modules: int, temporal_share: float, seed: int = 7) -> int:
    rng = random.Random(seed)
    packages = max(1, modules // 100)
    app = root / "app"
    (app / "helpers").mkdir(parents=True)
    (app / "__init__.py").write_text("")
    (app / "helpers" / "__init__.py").write_text("")
    workflows = int(modules * temporal_share)
    for p in range(packages):
        (app / f"pkg{p}").mkdir()
        (app / f"pkg{p}" / "__init__.py").write_text("")
    for n in range(modules - 2 * workflows):
        other = rng.randrange(modules - 2 * workflows)
        text = PLAIN.format(n=n, other=other, other_pkg=other % packages)
        (app / f"pkg{n % packages}" / f"mod{n}.py").write_text(text)
    for n in range(workflows):
        (app / "helpers" / f"helper{n}.py").write_text(HELPER.format(n=n))
        (app / f"pkg{n % packages}" / f"flow{n}.py").write_text(WORKFLOW.format(n=n))
    return workflows


def median_seconds(action, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--modules", type=int, default=2000)
    parser.add_argument("--temporal-share", type=float, default=0.05)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        workflows = generate(root, args.modules, args.temporal_share)
        files = sorted(root.rglob("*.py"))
        resolver = SettingsResolver(all_rules(), cwd=root)

        report = check([root], resolver, cwd=root)
        assert report.parsed < report.files, "the pre-filter parsed everything"
        assert sum(d.code == "DET101" for d in report.diagnostics) == workflows

        tree_rules = RuleSet.for_settings(Settings(root=root, config_file=None)).tree

        def parse_everything() -> None:
            for path in files:
                extract(path, path.read_bytes(), path.stem, tree_rules)

        demand = median_seconds(lambda: check([root], resolver, cwd=root), args.repeat)
        everything = median_seconds(parse_everything, args.repeat)
        print(f"files in the repository:  {report.files}")
        print(f"workflow modules:         {workflows}")
        print(f"files parsed:             {report.parsed}")
        print(f"files never parsed:       {report.files - report.parsed}")
        print(f"findings:                 {len(report.diagnostics)}")
        print(f"detlint check (median):   {demand:.2f} s")
        print(f"parse + extract all:      {everything:.2f} s")
        print(f"ratio:                    {everything / demand:.1f}x")


if __name__ == "__main__":
    main()
