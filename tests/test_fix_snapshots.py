"""`detlint check --diff` for each fix, against the diffs stored in tests/snapshots/fixes/.

Each case is a file `NAME.py` whose first line says how it is checked
(`# detlint check --diff --unsafe-fixes: what it shows`); `NAME.diff` holds what
`--diff` prints for it. Run with `DETLINT_UPDATE_SNAPSHOTS=1` to rewrite the stored diffs after
a deliberate change, then review them with `git diff`.
"""

from __future__ import annotations

import os
import re
import shutil

import pytest

from detlint.cli import main
from tests.conftest import REPO

SNAPSHOTS = REPO / "tests" / "snapshots" / "fixes"
CASES = sorted(p.stem for p in SNAPSHOTS.glob("*.py"))
COMMAND = re.compile(r"# detlint check (?P<args>[^:]*):")


@pytest.mark.parametrize("case", CASES)
def test_diff_output_matches_the_snapshot(case, tmp_path, monkeypatch, capsys):
    source = SNAPSHOTS / f"{case}.py"
    command = COMMAND.match(source.read_text(encoding="utf-8"))
    assert command, f"{source.name}: the first line must say `# detlint check --diff ...: what it shows`"
    args = command.group("args").split()
    assert "--diff" in args
    shutil.copy(source, tmp_path / source.name)
    monkeypatch.chdir(tmp_path)

    code = main(["check", *args, source.name])
    output = capsys.readouterr()

    expected_file = SNAPSHOTS / f"{case}.diff"
    if os.environ.get("DETLINT_UPDATE_SNAPSHOTS"):
        expected_file.write_text(output.out, encoding="utf-8")
    assert expected_file.is_file(), f"no snapshot for {case}: run with DETLINT_UPDATE_SNAPSHOTS=1"
    assert output.out == expected_file.read_text(encoding="utf-8")
    assert code == (1 if output.out else 0), output.err
    assert (tmp_path / source.name).read_bytes() == source.read_bytes()  # --diff writes nothing


def test_every_snapshot_has_its_case():
    assert sorted(p.stem for p in SNAPSHOTS.glob("*.diff")) == CASES
