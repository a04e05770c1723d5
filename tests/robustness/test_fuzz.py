"""Fuzzing: grammar-generated Python (hypothesmith) and mutated fixtures never make detlint
raise or report an internal error, and every run ends. Example counts are bounded here; set
DETLINT_FUZZ_EXAMPLES for more, or run `python benchmarks/fuzz.py` for a long run."""

from __future__ import annotations

import os

import pytest

hypothesis = pytest.importorskip("hypothesis")
hypothesmith = pytest.importorskip("hypothesmith")
from hypothesis import HealthCheck, given, settings  # noqa: E402

from tests.robustness.fuzzing import WORKFLOW_HEADER, analyse, mutants  # noqa: E402

EXAMPLES = int(os.environ.get("DETLINT_FUZZ_EXAMPLES", "40"))
MUTANTS = int(os.environ.get("DETLINT_FUZZ_MUTANTS", "400"))
# Generous: a run that takes longer than this on one small text does not "always terminate"
# in any useful sense (each takes well under a second).
SECONDS_PER_TEXT = 60

FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,  # the same examples on every CI run; the long run explores
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)


@pytest.mark.filterwarnings("ignore::SyntaxWarning")  # hypothesmith compiles what it generates
@FUZZ
@given(hypothesmith.from_grammar())
def test_grammar_generated_modules(source: str):
    assert analyse(source.encode("utf-8", "surrogatepass")) < SECONDS_PER_TEXT
    assert analyse((WORKFLOW_HEADER + source).encode("utf-8", "surrogatepass")) < SECONDS_PER_TEXT


@pytest.mark.filterwarnings("ignore::SyntaxWarning")
@FUZZ
@given(hypothesmith.from_node())
def test_libcst_generated_modules(source: str):
    assert analyse((WORKFLOW_HEADER + source).encode("utf-8", "surrogatepass")) < SECONDS_PER_TEXT


def test_mutated_fixtures():
    """Lines and tokens of the fixtures deleted, duplicated and swapped: the code detlint is
    made for, broken in the ways an editor buffer is broken while someone types."""
    slowest = 0.0
    count = 0
    for path, mutant in mutants(MUTANTS):
        seconds = analyse(mutant, name=f"fixtures/{path.parent.name}/mutant_{path.name}")
        assert seconds < SECONDS_PER_TEXT, path
        slowest = max(slowest, seconds)
        count += 1
    assert count == MUTANTS
    print(f"{count} mutants of the fixtures, slowest {slowest:.2f} s")
