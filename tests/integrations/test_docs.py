"""The integration pages exist, the README points at them, and their snippets work."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from tests.conftest import REPO

PAGES = ("pre-commit", "flake8", "github-code-scanning", "editors", "ruff")
DOCS = REPO / "docs" / "integrations"


def blocks(page: str, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", (DOCS / f"{page}.md").read_text(), re.DOTALL)


def test_every_page_exists_and_the_readme_links_it():
    readme = (REPO / "README.md").read_text()
    for page in PAGES:
        assert (DOCS / f"{page}.md").is_file()
        assert f"(docs/integrations/{page}.md)" in readme


@pytest.mark.parametrize(("page", "index"), [("pre-commit", 0), ("pre-commit", 1), ("pre-commit", 2), ("ruff", 0)])
def test_pre_commit_configurations_are_valid(tmp_path, page, index):
    config = tmp_path / ".pre-commit-config.yaml"
    config.write_text(blocks(page, "yaml")[index])
    result = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-config", str(config)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_local_hook_runs_what_the_shipped_hook_runs():
    yaml = pytest.importorskip("yaml")
    shipped = {hook["id"]: hook for hook in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}["detlint"]
    (local,) = yaml.safe_load(blocks("pre-commit", "yaml")[1])["repos"][0]["hooks"]
    for key in ("id", "entry", "types_or", "require_serial"):
        assert local[key] == shipped[key]


def test_the_code_scanning_job_uploads_what_detlint_writes(tmp_path):
    yaml = pytest.importorskip("yaml")
    (workflow,) = blocks("github-code-scanning", "yaml")[:1]
    steps = yaml.safe_load(workflow)["jobs"]["detlint"]["steps"]
    (command,) = [s["run"] for s in steps if s.get("run", "").startswith("detlint ")]
    (upload,) = [s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif")]
    from tests.integrations.test_flake8 import WORKFLOW

    (tmp_path / "wf.py").write_text(WORKFLOW.replace("from helpers import reference\n", "").replace(" {reference()}", ""))
    result = subprocess.run(
        [sys.executable, "-m", "detlint", *command.split()[1:]], cwd=tmp_path, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert '"ruleId": "DET101"' in (tmp_path / upload["with"]["sarif_file"]).read_text()


def test_the_flake8_configuration_enables_the_plugin(tmp_path):
    from tests.integrations.test_flake8 import HELPERS, WORKFLOW, findings, flake8

    (ini,) = blocks("flake8", "ini")
    (tmp_path / "wf.py").write_text(WORKFLOW)
    (tmp_path / "helpers.py").write_text(HELPERS)
    (tmp_path / "setup.cfg").write_text(ini + "select = E,F,W\n")  # an explicit select, as many projects have
    # flake8 reads setup.cfg from the working directory; the helper's --config would replace it.
    result = flake8("--append-config", str(tmp_path / "setup.cfg"), "wf.py", cwd=tmp_path)
    detlint_findings = {f for f in findings(result.stdout) if f[2].startswith("DET")}
    assert detlint_findings == {("wf.py", 12, "DET101"), ("wf.py", 13, "DET102")}


def test_the_fix_hook_is_the_check_hook_with_fix():
    yaml = pytest.importorskip("yaml")
    hooks = {hook["id"]: hook for hook in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
    check, fix = hooks["detlint"], hooks["detlint-fix"]
    assert fix["entry"] == "detlint check --fix --force-exclude"
    assert fix["entry"].replace(" --fix", "") == check["entry"]
    assert {k: v for k, v in fix.items() if k not in ("id", "name", "description", "entry")} == {
        k: v for k, v in check.items() if k not in ("id", "name", "description", "entry")
    }
    (documented,) = yaml.safe_load(blocks("pre-commit", "yaml")[2])["repos"][0]["hooks"]
    assert documented["id"] == "detlint-fix"
