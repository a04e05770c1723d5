from __future__ import annotations

import os
import re
import tempfile
from collections import Counter
from pathlib import Path

import pytest

from detlint.config import SettingsResolver
from detlint.engine import Report, check
from detlint.rules.base import all_rules

# The tests and every detlint they start keep their signing key and the records of last runs
# here, never in the user's own cache.
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="detlint-tests-user-cache-")

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "fixtures"
EXPECTATION = re.compile(r"#\s*error:\s*(?P<codes>DET\d{3}(?:\s*,\s*DET\d{3})*)")


def python_path() -> str:
    """PYTHONPATH for a subprocess: this repository first, then what was set; never an empty
    entry, which would put the subprocess's working folder (a test project) on the path."""
    existing = os.environ.get("PYTHONPATH", "").split(os.pathsep)
    return os.pathsep.join([str(REPO), *(p for p in existing if p)])


def run_check(*paths: Path, cwd: Path = REPO, **overrides: object) -> Report:
    resolver = SettingsResolver(all_rules(), cwd=cwd, overrides=overrides or None)
    return check(list(paths), resolver, cwd=cwd)


def expected_findings(paths: list[Path], root: Path) -> Counter[tuple[str, int, str]]:
    """(path relative to root, line, code) for every `# error: CODE` marker."""
    expected: Counter[tuple[str, int, str]] = Counter()
    for path in paths:
        text = path.read_bytes().decode("utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), start=1):
            match = EXPECTATION.search(line)
            if match:
                for code in re.split(r"\s*,\s*", match.group("codes")):
                    expected[(path.relative_to(root).as_posix(), number, code)] += 1
    return expected


@pytest.fixture(scope="session")
def fixtures_report() -> Report:
    return run_check(FIXTURES, select=["ALL"])
