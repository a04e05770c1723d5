"""A long fuzzing run: grammar-generated modules (hypothesmith) and mutated fixtures through the
whole engine, asserting it never raises, never reports an internal error, and ends. The test
suite runs the same fuzzers with small, fixed example counts (tests/robustness/test_fuzz.py).

    python benchmarks/fuzz.py --examples 2000 --mutants 20000 --seed 7

Run from the repository root with the test extras installed. Prints the counts, the slowest
text and the runtime; exits 1 with the failing source on the first failure (hypothesis shrinks
the generated ones).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hypothesis import HealthCheck, given, settings  # noqa: E402
import hypothesmith  # noqa: E402

from tests.robustness.fuzzing import WORKFLOW_HEADER, Failure, analyse, mutants  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=1000, help="hypothesmith examples per strategy")
    parser.add_argument("--mutants", type=int, default=10000, help="mutated fixture files")
    parser.add_argument("--seed", type=int, default=1, help="seed of the mutations")
    args = parser.parse_args()
    start = time.perf_counter()
    slowest = [0.0, b""]

    def run(source: bytes, name: str = "fuzzed/workflows.py") -> None:
        seconds = analyse(source, name)
        if seconds > slowest[0]:
            slowest[:] = [seconds, source]

    try:
        for number, (path, mutant) in enumerate(mutants(args.mutants, args.seed), start=1):
            run(mutant, f"fixtures/{path.parent.name}/mutant_{path.name}")
            if number % 1000 == 0:
                print(f"{number} mutants, {time.perf_counter() - start:.0f} s", flush=True)
        profile = settings(max_examples=args.examples, deadline=None, suppress_health_check=list(HealthCheck))
        given(hypothesmith.from_grammar())(profile(lambda source: run((WORKFLOW_HEADER + source).encode("utf-8", "surrogatepass"))))()
        given(hypothesmith.from_node())(profile(lambda source: run((WORKFLOW_HEADER + source).encode("utf-8", "surrogatepass"))))()
    except Failure as failure:
        print(f"FAILED: {failure}")
        return 1
    print(f"{args.mutants} mutants and {2 * args.examples} generated modules in {time.perf_counter() - start:.0f} s; "
          f"slowest {slowest[0]:.2f} s; no exception, no internal error")
    return 0


if __name__ == "__main__":
    sys.exit(main())
