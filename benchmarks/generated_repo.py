"""Demand-driven analysis on a generated repository: files that cannot reach Temporal code are
never parsed, and the run costs in proportion to the Temporal code, not to the repository.

    python benchmarks/generated_repo.py [--modules 2000] [--temporal-share 0.05] [--repeat 3]

Generates a Temporal project (temporal_corpus.py: workflow and activity modules, the helpers
and utilities they import, tests, workers, and unrelated services), with --temporal-share of
its modules workflow modules, then times `detlint check` (in process) against parsing and
extracting every file, the cost without the pre-filter. Prints the counts and the medians;
asserts nothing about time (2-core machines vary), only that the unreached files were not
parsed and that the expected findings were reported.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from detlint.analysis.extract import extract
from detlint.config import Settings, SettingsResolver
from detlint.engine import RuleSet, check
from detlint.rules.base import all_rules

sys.path.insert(0, str(Path(__file__).resolve().parent))
from temporal_corpus import generate  # noqa: E402

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
        corpus = generate(root, args.modules, shares={"workflow": args.temporal_share})
        workflows = corpus.counts["workflow"]
        files = sorted(root.rglob("*.py"))
        resolver = SettingsResolver(all_rules(), cwd=root)

        report = check([root], resolver, cwd=root)
        assert report.parsed < report.files, "the pre-filter parsed everything"
        assert sum(d.code == "DET101" for d in report.diagnostics) == corpus.expected["DET101"]

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
