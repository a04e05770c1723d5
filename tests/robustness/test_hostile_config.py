"""Hostile configuration: the real command line exits 2 with one line naming the file, the line
and the key; never a traceback, never a run with settings the user did not mean."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.robustness import GOOD, detlint

PYPROJECT = "pyproject.toml"
CASES = [
    # (id, file, its text, the one line expected on stderr, as a regular expression)
    ("invalid-toml", PYPROJECT, '[tool.detlint]\nselect = ["DET1"\n', r"pyproject\.toml:2:\d+: invalid TOML: "),
    ("duplicate-key", PYPROJECT, '[tool.detlint]\nselect = []\nselect = []\n', r"pyproject\.toml:3:\d+: invalid TOML: "),
    ("string-not-array", PYPROJECT, '[tool.detlint]\n\nselect = "DET101"\n', r"pyproject\.toml:3: \[tool\.detlint\] 'select' must be an array of rule codes, not a string"),
    ("integers-in-array", PYPROJECT, '[tool.detlint]\nignore = [1, 2]\n', r"pyproject\.toml:2: \[tool\.detlint\] 'ignore' must be an array of rule codes, but has an integer"),
    ("unknown-key", PYPROJECT, '[tool.detlint]\nselect = ["DET1"]\nselct = ["DET1"]\n', r"pyproject\.toml:3: \[tool\.detlint\] unknown key 'selct' \(did you mean 'select'\?\)"),
    ("unknown-code", PYPROJECT, '[tool.detlint]\nextend-select = [\n  "DET101",\n  "DET999",\n]\n', r"pyproject\.toml:4: \[tool\.detlint\] 'extend-select': unknown rule code 'DET999'"),
    ("select-and-ignore-conflict", PYPROJECT, '[tool.detlint]\nselect = ["DET101"]\nignore = ["DET101"]\n', r"pyproject\.toml:3: \[tool\.detlint\] 'ignore': 'DET101' is also in 'select'"),
    ("per-file-ignores-type", PYPROJECT, '[tool.detlint]\nper-file-ignores = { "x.py" = "DET101" }\n', r"pyproject\.toml:2: \[tool\.detlint\] 'per-file-ignores': 'x\.py' must be an array of rule codes"),
    ("banned-calls-type", PYPROJECT, '[tool.detlint]\nbanned-calls = 3\n', r"pyproject\.toml:2: \[tool\.detlint\] 'banned-calls' must be a table"),
    ("table-not-a-table", PYPROJECT, '[tool]\ndetlint = 3\n', r"pyproject\.toml:\d+: \[tool\.detlint\] must be a table, not an integer"),
    ("detlint-toml", "detlint.toml", '# top-level keys here\nselect = ["DET101"]\nwokflow-decorators = []\n', r"detlint\.toml:3: unknown key 'wokflow-decorators' \(did you mean 'workflow-decorators'\?\)"),
    ("not-utf8", PYPROJECT, b'[tool.detlint]\nselect = ["\xff"]\n', r"pyproject\.toml: cannot read: not UTF-8"),
    ("bad-name", PYPROJECT, '[tool.detlint]\nworkflow-decorators = ["acme.defn", "not a name!"]\n', r"pyproject\.toml:2: \[tool\.detlint\] 'workflow-decorators': 'not a name!' is not a dotted Python name"),
]


def _check_error(result, pattern: str) -> None:
    assert "Traceback" not in result.stderr + result.stdout, result.stderr
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert re.fullmatch(r"detlint: error: " + pattern + r".*", lines[0]), lines[0]
    assert result.stdout == ""  # no findings from settings the user did not mean


@pytest.mark.parametrize(("name", "text", "pattern"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_a_broken_configuration_exits_2_naming_file_line_and_key(tmp_path: Path, name: str, text, pattern: str):
    (tmp_path / "good.py").write_text(GOOD)
    target = tmp_path / name
    target.write_bytes(text if isinstance(text, bytes) else text.encode())
    _check_error(detlint("check", ".", cwd=tmp_path), pattern)


def test_a_broken_configuration_in_a_sub_project(tmp_path: Path):
    (tmp_path / "good.py").write_text(GOOD)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "wf.py").write_text(GOOD)
    (tmp_path / "sub" / "detlint.toml").write_text('ignore = "DET101"\n')
    _check_error(detlint("check", ".", cwd=tmp_path), r"sub/detlint\.toml:1: 'ignore' must be an array")


def test_a_config_file_that_is_a_directory(tmp_path: Path):
    (tmp_path / "good.py").write_text(GOOD)
    (tmp_path / "conf").mkdir()
    _check_error(detlint("check", "--config", "conf", ".", cwd=tmp_path), r"conf: is a directory, not a configuration file")


def test_a_config_file_that_is_missing_or_a_link_to_itself(tmp_path: Path):
    (tmp_path / "good.py").write_text(GOOD)
    _check_error(detlint("check", "--config", "nope.toml", ".", cwd=tmp_path), r"nope\.toml: cannot read: No such file")
    (tmp_path / "loop.toml").symlink_to(tmp_path / "loop.toml")
    _check_error(detlint("check", "--config", "loop.toml", ".", cwd=tmp_path), r"loop\.toml: cannot read: Too many levels")


@pytest.mark.parametrize(
    ("flags", "pattern"),
    [
        (["--select", "DET999"], r"--select: unknown rule code 'DET999'"),
        (["--ignore", "XYZ"], r"--ignore: "),
        (["--format", "xml"], r"argument --format: invalid choice"),
    ],
)
def test_a_broken_command_line_exits_2(tmp_path: Path, flags: list[str], pattern: str):
    (tmp_path / "good.py").write_text(GOOD)
    _check_error(detlint("check", *flags, ".", cwd=tmp_path), pattern)


def test_a_command_line_ignore_may_override_the_configuration(tmp_path: Path):
    """Only one table contradicting itself is an error: flags override files, as documented."""
    (tmp_path / "good.py").write_text(GOOD)
    (tmp_path / PYPROJECT).write_text('[tool.detlint]\nselect = ["DET101"]\n')
    result = detlint("check", "--ignore", "DET101", ".", cwd=tmp_path)
    assert (result.returncode, result.stderr) == (0, "")
