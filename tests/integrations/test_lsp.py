"""`detlint lsp` end to end: a real LSP client (pytest-lsp) starts the server over stdio."""

from __future__ import annotations

import asyncio
import os
import sys
import textwrap
from pathlib import Path

import pytest

pytest_lsp = pytest.importorskip("pytest_lsp")
from lsprotocol import types  # noqa: E402
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities  # noqa: E402

from tests.conftest import python_path  # noqa: E402
from tests.integrations import HELPERS  # noqa: E402

# An emoji (two UTF-16 code units, one code point) before the finding on its line: the column
# the client gets must count it twice.
WORKFLOW = textwrap.dedent(
    """\
    import time

    from temporalio import workflow

    from helpers import reference


    @workflow.defn
    class Greeting:
        @workflow.run
        async def run(self) -> str:
            label = "\N{SLIGHTLY SMILING FACE} started"; started = time.time()
            return f"{label} {started} {reference()}"
    """
)
TIMEOUT = 60


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "wf.py").write_text(WORKFLOW, encoding="utf-8")
    (tmp_path / "helpers.py").write_text(HELPERS, encoding="utf-8")
    return tmp_path


@pytest_lsp.fixture(
    config=ClientServerConfig(
        server_command=[sys.executable, "-m", "detlint", "lsp", "--debounce", "0.05"],
        server_env={**os.environ, "PYTHONPATH": python_path()},
    )
)
async def client(lsp_client: LanguageClient, project: Path):
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"),
            root_uri=project.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=project.as_uri(), name="project")],
        )
    )
    yield
    await lsp_client.shutdown_session()


async def _next_diagnostics(client: LanguageClient, uri: str) -> list[types.Diagnostic]:
    await asyncio.wait_for(client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS), TIMEOUT)
    return list(client.diagnostics[uri])


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@pytest.mark.asyncio
async def test_diagnostics_code_action_and_utf16_columns(client: LanguageClient, project: Path):
    uri = (project / "wf.py").as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="python", version=1, text=WORKFLOW)
        )
    )
    diagnostics = await _next_diagnostics(client, uri)
    by_code = {d.code: d for d in diagnostics}
    assert sorted(by_code) == ["DET101", "DET102"], diagnostics

    # The clock read, after the emoji: UTF-16 columns, one more than the code-point column.
    clock = by_code["DET101"]
    line = WORKFLOW.splitlines()[11]
    start = line.index("time.time()")
    assert clock.range.start == types.Position(line=11, character=_utf16(line[:start]))
    assert clock.range.end == types.Position(line=11, character=_utf16(line[: start + len("time.time()")]))
    assert clock.range.start.character == start + 1
    assert clock.severity == types.DiagnosticSeverity.Error
    assert clock.source == "detlint"
    assert clock.code_description is not None and clock.code_description.href.endswith("DET101/")

    # The helper in another module, which the client never opened, is found through the project.
    draw = by_code["DET102"]
    assert draw.range.start.line == 12
    assert "via helpers.reference() -> uuid.uuid4()" in draw.message
    assert draw.related_information and draw.related_information[0].location.uri == (project / "helpers.py").as_uri()
    assert draw.related_information[0].location.range.start == types.Position(line=4, character=15)

    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=clock.range,
            context=types.CodeActionContext(diagnostics=[clock]),
        )
    )
    titles = [a.title for a in actions if isinstance(a, types.CodeAction)]
    assert titles == ["detlint (DET101): Replace with `workflow.time()`", "Disable DET101 for this line"]
    action = actions[1]
    (edit,) = action.edit.changes[uri]
    new_text = _apply(WORKFLOW, edit)
    assert new_text.splitlines()[11] == line + "  # noqa: DET101"

    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=new_text)],
        )
    )
    diagnostics = await _next_diagnostics(client, uri)
    assert [d.code for d in diagnostics] == ["DET102"]


def _apply(text: str, edit: types.TextEdit) -> str:
    """Apply an edit as the client would: positions in UTF-16 code units."""
    lines = text.splitlines(keepends=True)

    def offset(position: types.Position) -> int:
        line = lines[position.line]
        units = 0
        for index, char in enumerate(line):
            if units >= position.character:
                return sum(map(len, lines[: position.line])) + index
            units += _utf16(char)
        return sum(map(len, lines[: position.line])) + len(line.rstrip("\n"))

    return text[: offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end) :]


@pytest.mark.asyncio
async def test_broken_file_and_broken_config_never_stop_the_server(client: LanguageClient, project: Path):
    uri = (project / "broken.py").as_uri()
    broken = "from temporalio import workflow\n\n\ndef run(self) -> None\n    pass\n"
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="python", version=1, text=broken)
        )
    )
    (parse_error,) = await _next_diagnostics(client, uri)
    assert parse_error.code == "DET001" and parse_error.range.start.line == 3
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=parse_error.range,
            context=types.CodeActionContext(diagnostics=[parse_error]),
        )
    )
    assert not actions  # a parse error cannot be silenced with noqa

    (project / "pyproject.toml").write_text('[tool.detlint]\nselet = ["DET1"]\n')
    client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri)))
    (problem,) = await _next_diagnostics(client, uri)
    assert "pyproject.toml:2: [tool.detlint] unknown key 'selet'" in problem.message

    (project / "pyproject.toml").unlink()
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=WORKFLOW)],
        )
    )
    diagnostics = await _next_diagnostics(client, uri)
    assert sorted(d.code for d in diagnostics) == ["DET101", "DET102"]

    client.text_document_did_close(
        types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    assert await _next_diagnostics(client, uri) == []


@pytest.mark.asyncio
async def test_excluded_documents_get_no_diagnostics(client: LanguageClient, project: Path):
    (project / "pyproject.toml").write_text('[tool.detlint]\nextend-exclude = ["generated"]\n')
    (project / "generated").mkdir()
    uri = (project / "generated" / "wf.py").as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="python", version=1, text=WORKFLOW)
        )
    )
    assert await _next_diagnostics(client, uri) == []


def _apply_all(text: str, edits: list[types.TextEdit]) -> str:
    """Apply a code action's edits as a client does: all against the original text."""
    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        text = _apply(text, edit)
    return text


async def _code_actions(client: LanguageClient, uri: str, diagnostic: types.Diagnostic) -> list[types.CodeAction]:
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=diagnostic.range,
            context=types.CodeActionContext(diagnostics=[diagnostic]),
        )
    )
    return [a for a in actions or [] if isinstance(a, types.CodeAction)]


@pytest.mark.asyncio
async def test_apply_fix_code_action(client: LanguageClient, project: Path):
    """The fix of the clock read after the emoji: edits in UTF-16 units, the import of `time`
    (its only use) removed; applying it through the client clears the finding, and the fix
    of the finding reached through a helper is not offered (the edit would be in another file)."""
    uri = (project / "wf.py").as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="python", version=1, text=WORKFLOW)
        )
    )
    by_code = {d.code: d for d in await _next_diagnostics(client, uri)}

    (fix, disable) = await _code_actions(client, uri, by_code["DET101"])
    assert fix.title == "detlint (DET101): Replace with `workflow.time()`"
    assert fix.kind == types.CodeActionKind.QuickFix and fix.is_preferred
    assert disable.title == "Disable DET101 for this line"
    fixed = _apply_all(WORKFLOW, fix.edit.changes[uri])
    assert fixed == WORKFLOW.replace("import time\n\n", "").replace("started = time.time()", "started = workflow.time()")
    assert [a.title for a in await _code_actions(client, uri, by_code["DET102"])] == ["Disable DET102 for this line"]

    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=fixed)],
        )
    )
    assert [d.code for d in await _next_diagnostics(client, uri)] == ["DET102"]
    # A diagnostic of the old version no longer offers its fix: the edits were for that text.
    stale = await _code_actions(client, uri, by_code["DET101"])
    assert not [a for a in stale if a.title.startswith("detlint (DET101)")]


@pytest.mark.asyncio
async def test_unsafe_fix_is_offered_marked_and_not_preferred(client: LanguageClient, project: Path):
    uri = (project / "naive.py").as_uri()
    text = WORKFLOW.replace("import time\n", "import time\nfrom datetime import datetime\n").replace(
        "started = time.time()", "started = datetime.now()"
    )
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="python", version=1, text=text)
        )
    )
    (clock,) = [d for d in await _next_diagnostics(client, uri) if d.code == "DET101"]
    fix = (await _code_actions(client, uri, clock))[0]
    assert fix.title == "detlint (DET101): Replace with `workflow.now()` (timezone-aware UTC) (unsafe fix)"
    assert not fix.is_preferred
    fixed = _apply_all(text, fix.edit.changes[uri])
    assert "from datetime import" not in fixed and "started = workflow.now()" in fixed
