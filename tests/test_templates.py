"""The reference pattern templates (detlint/templates) and `detlint new`.

Every template passes every rule, in place and as `detlint new` writes it into a project; the
repository's configuration does not exclude them from `detlint check`; `detlint new` lists,
writes, refuses to overwrite and overwrites with `--force`; and a non-editable install ships
them. (Their behaviour on a real Temporal server: tests/integration/test_templates.py.)
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from detlint import scaffold
from detlint.cli import main
from detlint.config import SettingsResolver
from detlint.discover import discover, is_excluded
from detlint.rules.base import all_rules
from tests.conftest import REPO, run_check

TEMPLATES = REPO / "detlint" / "templates"
NAMES = ["approval", "entity", "fan-out", "idempotent-activity", "long-running", "saga", "versioned"]


def template_files() -> list[Path]:
    return sorted(path for path in TEMPLATES.rglob("*.py") if "__pycache__" not in path.parts)


def test_the_seven_templates_are_listed():
    assert [template.name for template in scaffold.templates()] == NAMES
    for template in scaffold.templates():
        assert template.summary and template.summary.endswith(".")
        files = scaffold.files_of(template)
        pkg = template.package
        assert {f"{pkg}/__init__.py", f"{pkg}/activities.py", f"{pkg}/workflows.py", f"{pkg}/worker.py"} <= set(files)
        assert f"{pkg}/test_{pkg}.py" in files


def test_templates_pass_every_rule():
    """As the before-stop hook runs it: `detlint check detlint/templates --select ALL`."""
    proc = subprocess.run(
        [sys.executable, "-m", "detlint", "check", "detlint/templates", "--select", "ALL"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_repositorys_configuration_does_not_exclude_them():
    resolver = SettingsResolver(all_rules(), cwd=REPO)
    walked = discover([Path(".")], resolver, cwd=REPO).files
    assert {REPO / path for path in walked} >= set(template_files())
    assert not any(is_excluded(path.relative_to(REPO), resolver, cwd=REPO) for path in template_files())


@pytest.mark.parametrize("name", NAMES)
def test_written_templates_pass_every_rule(name, tmp_path, capsys):
    assert main(["new", name, str(tmp_path)]) == 0
    template = scaffold.find(name)
    for relative, text in scaffold.files_of(template).items():
        assert (tmp_path / relative).read_text(encoding="utf-8") == text
    report = run_check(tmp_path, cwd=tmp_path, select=["ALL"])
    assert [finding.code for finding in report.diagnostics] == [], report.diagnostics
    assert report.errors == []
    assert report.files == len(scaffold.files_of(template))


def test_new_list(capsys):
    assert main(["new", "--list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == NAMES
    assert all(len(line.split(maxsplit=1)) == 2 for line in lines)


def test_new_writes_into_the_current_folder_by_default(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["new", "saga"]) == 0
    assert (tmp_path / "saga" / "workflows.py").is_file()
    assert "pytest saga" in capsys.readouterr().out


def test_new_refuses_to_overwrite_without_force(tmp_path, capsys):
    assert main(["new", "approval", str(tmp_path)]) == 0
    workflows = tmp_path / "approval" / "workflows.py"
    workflows.write_text("# mine\n")
    (tmp_path / "approval" / "worker.py").unlink()
    assert main(["new", "approval", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "would overwrite" in err and "workflows.py" in err and "--force" in err
    assert workflows.read_text() == "# mine\n"
    assert not (tmp_path / "approval" / "worker.py").exists(), "nothing is written when anything would be overwritten"
    assert main(["new", "approval", str(tmp_path), "--force"]) == 0
    assert workflows.read_text() == (TEMPLATES / "approval" / "workflows.py").read_text()
    assert (tmp_path / "approval" / "worker.py").is_file()


def test_new_unknown_template_exits_2(tmp_path, capsys):
    assert main(["new", "sagas", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "no template named 'sagas'" in err and "saga" in err
    assert list(tmp_path.iterdir()) == []


def test_new_accepts_the_package_name(tmp_path):
    assert main(["new", "fan_out", str(tmp_path)]) == 0
    assert (tmp_path / "fan_out" / "workflows.py").is_file()


def test_a_built_wheel_ships_the_templates(tmp_path):
    """A non-editable install ships every template file: build the wheel from a copy of the
    sources (so no build/ or *.egg-info appears in the repository) and list it."""
    source = tmp_path / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    shutil.copytree(REPO / "detlint", source / "detlint", ignore=shutil.ignore_patterns("__pycache__"))
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(tmp_path / "dist"), str(source)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"},
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    [wheel] = (tmp_path / "dist").glob("detlint-*.whl")
    shipped = set(zipfile.ZipFile(wheel).namelist())
    expected = {path.relative_to(REPO).as_posix() for path in template_files()}
    assert expected <= shipped, sorted(expected - shipped)


def test_the_versioned_change_is_what_det501_asks_for(tmp_path):
    """With v1 locked (`detlint lock`), the patched v2 passes and the same change without its
    `workflow.patched` guard is DET501."""
    assert main(["new", "versioned", str(tmp_path)]) == 0
    package = tmp_path / "versioned"
    current = (package / "workflows.py").read_text()
    v1 = (package / "workflows_v1.py").read_text().replace("class ShipOrderV1", "class ShipOrder")
    (package / "workflows_v1.py").unlink()
    (package / "test_versioned.py").unlink()
    (package / "workflows.py").write_text(v1)

    def detlint(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "detlint", *args], cwd=tmp_path, capture_output=True, text=True, timeout=120
        )

    assert detlint("lock", "versioned").returncode == 0
    (package / "workflows.py").write_text(current)
    patched = detlint("check", "--select", "ALL", "versioned")
    assert patched.returncode == 0, patched.stdout
    guard = '        if workflow.patched("fraud-check"):\n            await'
    assert guard in current
    (package / "workflows.py").write_text(current.replace(guard, "        await"))
    unpatched = detlint("check", "--select", "ALL", "--format", "json", "versioned")
    assert unpatched.returncode == 1
    assert [finding["code"] for finding in json.loads(unpatched.stdout)] == ["DET501"]


def test_the_readme_lists_the_templates_as_detlint_new_does(capsys):
    assert main(["new", "--list"]) == 0
    listing = capsys.readouterr().out
    readme = (REPO / "README.md").read_text()
    section = readme.split("## Templates", 1)[1].split("\n## ", 1)[0]
    assert f"$ detlint new --list\n{listing}" in section


def test_every_template_has_a_pattern_page():
    index = (REPO / "docs" / "patterns" / "README.md").read_text()
    for name in NAMES:
        page = REPO / "docs" / "patterns" / f"{name}.md"
        assert page.is_file() and f"detlint new {name}" in page.read_text()
        assert f"]({name}.md)" in index
