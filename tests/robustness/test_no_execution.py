"""detlint never runs the code it analyses: a project whose every module, if imported, would
write a sentinel file (top-level code, a package `__init__`, a `.pth` file, `sitecustomize`, a
decorator with side effects, modules named like the standard library's that detlint itself
imports) is checked by `detlint check`, `--diff`, `detlint lock`, the flake8 plugin and the
language server, each as users start it; no sentinel appears, and the findings do."""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest

from tests.conftest import python_path
from tests.robustness import assert_no_traceback, detlint, rows


def _write(path: Path, name: str) -> str:
    return f"open({str(path / name)!r}, 'w').close()\n"


def make_project(root: Path, sentinels: Path, *, shadow_stdlib: bool = True) -> Path:
    """A project under `root`; importing anything in it writes a file into `sentinels`."""
    sentinels.mkdir(parents=True, exist_ok=True)
    files = {
        "wf.py": _write(sentinels, "wf-top-level")
        + textwrap.dedent(
            """\
            import time

            from temporalio import workflow

            from decorators import register
            from pkg.helpers import fresh_id


            @register
            @workflow.defn
            class Order:
                @workflow.run
                async def run(self) -> str:
                    return f"{time.time()} {fresh_id()}"
            """
        ),
        "decorators.py": _write(sentinels, "decorators-module")
        + f"def register(cls):\n    {_write(sentinels, 'decorator-applied').strip()}\n    return cls\n",
        "pkg/__init__.py": _write(sentinels, "pkg-init"),
        "pkg/helpers.py": _write(sentinels, "helpers-module") + "import uuid\n\n\ndef fresh_id() -> str:\n    return str(uuid.uuid4())\n",
        "zz_detlint_trick.pth": f"import os; {_write(sentinels, 'pth-file').strip()}\n",
        "pkg/site.pth": f"import os; {_write(sentinels, 'pth-in-package').strip()}\n",
        "sitecustomize.py": _write(sentinels, "sitecustomize"),
        "usercustomize.py": _write(sentinels, "usercustomize"),
        "conftest.py": _write(sentinels, "conftest"),
        "setup.py": _write(sentinels, "setup"),
        "__main__.py": _write(sentinels, "main"),
    }
    if shadow_stdlib:  # what detlint imports: found first if the project's folder were on sys.path
        for module in ("dataclasses", "json", "argparse", "hashlib", "pickle", "tomllib", "difflib", "asyncio"):
            files[f"{module}.py"] = _write(sentinels, f"shadowed-{module}")
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


EXPECTED = {("wf.py", 15, "DET101"), ("wf.py", 15, "DET102")}


def test_detlint_check_diff_and_lock_run_nothing(tmp_path: Path):
    sentinels = tmp_path / "sentinels"
    project = make_project(tmp_path / "project", sentinels)
    result = detlint("check", "--select", "ALL", "--format", "json", ".", cwd=project)
    assert_no_traceback(result)
    assert EXPECTED <= rows(result)
    for args in (["check", "--diff", "."], ["lock", "."]):
        other = detlint(*args, cwd=project)
        assert "Traceback" not in other.stderr and other.returncode in (0, 1), other.stderr
    assert sorted(p.name for p in sentinels.iterdir()) == []


def test_the_flake8_plugin_runs_nothing(tmp_path: Path):
    pytest.importorskip("flake8")
    from tests.integrations.test_flake8 import findings, flake8

    sentinels = tmp_path / "sentinels"
    # flake8 itself (`python -m flake8`) would import a project's json.py: not detlint's to fix.
    project = make_project(tmp_path / "project", sentinels, shadow_stdlib=False)
    result = flake8("--select", "DET", "--detlint-select", "ALL", "wf.py", "pkg", cwd=project)
    assert {f for f in findings(result.stdout) if f[0] == "wf.py"} >= EXPECTED
    assert sorted(p.name for p in sentinels.iterdir()) == []


# -- the language server, started by the editor in the project's folder --------------------

pytest_lsp = pytest.importorskip("pytest_lsp")
from lsprotocol import types  # noqa: E402
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities  # noqa: E402

LSP_HOME = Path(tempfile.mkdtemp(prefix="detlint-no-execution-"))


@pytest_lsp.fixture(
    config=ClientServerConfig(
        # As an editor starts it: in the workspace folder, with `python -m` (which puts that
        # folder first on sys.path, where the project's json.py would shadow the stdlib's).
        server_command=["sh", "-c", f'cd "{LSP_HOME / "project"}" && exec "{sys.executable}" -m detlint lsp --debounce 0.05'],
        server_env={**os.environ, "PYTHONPATH": python_path()},
    )
)
async def lsp(lsp_client: LanguageClient):
    project = LSP_HOME / "project"
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"),
            root_uri=project.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=project.as_uri(), name="project")],
        )
    )
    yield
    await lsp_client.shutdown_session()


@pytest.fixture(autouse=True, scope="module")
def lsp_project():
    make_project(LSP_HOME / "project", LSP_HOME / "sentinels")
    yield


@pytest.mark.asyncio
async def test_the_language_server_runs_nothing(lsp: LanguageClient):
    uri = (LSP_HOME / "project" / "wf.py").as_uri()
    text = (LSP_HOME / "project" / "wf.py").read_text()
    lsp.text_document_did_open(
        types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(uri=uri, language_id="python", version=1, text=text))
    )
    await asyncio.wait_for(lsp.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS), 60)
    assert {d.code for d in lsp.diagnostics[uri]} >= {"DET101", "DET102"}
    for diagnostic in lsp.diagnostics[uri]:  # code actions compute fixes: still nothing runs
        await lsp.text_document_code_action_async(
            types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                range=diagnostic.range,
                context=types.CodeActionContext(diagnostics=[diagnostic]),
            )
        )
    assert sorted(p.name for p in (LSP_HOME / "sentinels").iterdir()) == []
