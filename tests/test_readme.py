"""The README's quick start stays true: CI runs its test command verbatim."""

from __future__ import annotations

import re

from tests.conftest import REPO


def quick_start_commands() -> list[str]:
    readme = (REPO / "README.md").read_text()
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.*?)\n```", section, re.DOTALL)


def test_quick_start_is_exactly_two_commands():
    commands = quick_start_commands()
    assert len(commands) == 2
    assert all("\n" not in command for command in commands)
    install_and_run, test = commands
    assert "detlint check examples/" in install_and_run
    assert "[test]" in test and "pytest" in test


def test_ci_runs_the_readmes_test_command():
    ci = (REPO / ".ci" / "run").read_text().splitlines()
    assert quick_start_commands()[1] in ci
