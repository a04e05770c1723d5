"""The sweep of real code, bounded for CI: benchmarks/sweep.py over the installed standard
library and this environment's site-packages (temporalio included), each file through the
whole engine with every rule on, for a fixed time budget (a spread-out sample, the same files
first on every machine). No internal error, no crash; the file count and runtime are printed.
The full sweep, following imports across each tree, is `python benchmarks/sweep.py`."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from tests.conftest import REPO, python_path

BUDGET = int(os.environ.get("DETLINT_SWEEP_SECONDS", "60"))


def test_sweep_of_the_standard_library_and_site_packages(capsys):
    result = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "sweep.py"), "--isolated", "--budget", str(BUDGET), "--batch", "10"],
        cwd=REPO, capture_output=True, text=True, timeout=BUDGET + 600,
        env={**os.environ, "PYTHONPATH": python_path()},
    )  # fmt: skip
    with capsys.disabled():  # the file count, runtime and internal errors, in the test run's output
        print(f"\n{result.stdout}")
    assert result.returncode == 0, result.stdout + result.stderr  # a segfault or an internal error
    assert "internal errors: 0" in result.stdout
    done = re.search(r"files analysed: (\d+) of (\d+) in", result.stdout)
    assert done and int(done[1]) >= 50 and int(done[2]) > 1000, result.stdout
