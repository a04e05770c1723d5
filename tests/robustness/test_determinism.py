"""detlint's own output is deterministic: the same input gives byte-identical reports whatever
the hash seed, with a cold or a warm cache. Each variant below runs the real command line over
every fixture and the examples (findings in all rules, chains across modules, fixes) and must
print exactly what the baseline printed. A new way of running (say, `--jobs 2`) is one more
line in VARIANTS."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.robustness import detlint

PATHS = ["fixtures", "examples"]
COMMAND = ["check", "--select", "ALL", "--exit-zero"]
BASELINE_ENV = {"PYTHONHASHSEED": "0"}

# (id, extra arguments, environment, runs): every run's output equals the baseline's, byte for
# byte. "{cache}" is a fresh cache folder for the variant, shared by its runs, so a variant of
# two runs compares a cold cache (the first) and a warm one (the second).
VARIANTS = [
    ("hash-seed-1", ["--no-cache"], {"PYTHONHASHSEED": "1"}, 1),
    ("cold-then-warm-cache", ["--cache-dir", "{cache}"], {"PYTHONHASHSEED": "4242"}, 2),
    ("one-process", ["--no-cache", "--jobs", "1"], {"PYTHONHASHSEED": "7"}, 1),
    ("two-processes", ["--no-cache", "--jobs", "2"], {"PYTHONHASHSEED": "8"}, 1),
    ("three-processes-cold-then-warm", ["--cache-dir", "{cache}", "--jobs", "3"], {"PYTHONHASHSEED": "9"}, 2),
]
FORMATS = ["json", "sarif"]


def _run(fmt: str, extra: list[str], env: dict[str, str]) -> str:
    result = detlint(*COMMAND, "--format", fmt, *extra, *PATHS, cwd=REPO, env=env)
    assert result.returncode == 0 and result.stderr == "", result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def baseline() -> dict[str, str]:
    return {fmt: _run(fmt, ["--no-cache"], BASELINE_ENV) for fmt in FORMATS}


def test_the_baseline_has_findings_of_many_rules(baseline):
    import json

    rows = json.loads(baseline["json"])
    assert len({r["code"] for r in rows}) > 40
    assert any(r["related"] for r in rows)  # chains through helpers in other modules
    assert any(r["fix"] for r in rows)


@pytest.mark.parametrize(("name", "extra", "env", "runs"), VARIANTS, ids=[v[0] for v in VARIANTS])
def test_byte_identical_output(baseline, tmp_path: Path, name: str, extra: list[str], env: dict[str, str], runs: int):
    arguments = [a.replace("{cache}", str(tmp_path / "cache")) for a in extra]
    fmt = "json"
    for run in range(runs):
        assert _run(fmt, arguments, env) == baseline[fmt], f"{name}, run {run + 1}"
    if "{cache}" in extra:
        assert any((tmp_path / "cache").rglob("*")), "the cache was not written"


def test_sarif_is_byte_identical_across_hash_seeds(baseline):
    assert _run("sarif", ["--no-cache"], {"PYTHONHASHSEED": "7"}) == baseline["sarif"]
