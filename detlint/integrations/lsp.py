"""The language server: `detlint lsp` (pygls 2, `pip install 'detlint[lsp]'`).

Diagnostics are pushed when a document opens, is saved, and a moment after it changes (the
delay is `--debounce`). Every run analyses all open documents from the editor's text (unsaved
edits included) with their projects around them, through the one engine, so a change to a
helper updates the findings in the workflow that calls it. Facts of unchanged files are kept
between runs. Positions are converted to the encoding the client negotiated (UTF-16 unless it
asked otherwise), since the engine counts code points.

Code actions come from `CODE_ACTIONS`, one function per kind of action, each given the
document and one of detlint's diagnostics: the finding's fix (the same edits as `detlint check
--fix`, carried in the diagnostic's `data` in the client's units, offered while the document
is at the version they were computed for; unsafe fixes are offered too, marked as such), and
"Disable DETxxx for this line".

Nothing here may stop the server: a file that does not parse is a DET001 finding, a broken
configuration is reported on the open documents, and any other error is logged.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import threading
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Sequence

from lsprotocol import types
from pygls.exceptions import FeatureRequestError, JsonRpcException
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.uris import from_fs_path, to_fs_path
from pygls.workspace import TextDocument

from detlint import __version__, rule_url
from detlint.cache import FactsCache
from detlint.config import ConfigError, SettingsResolver, display_path
from detlint.discover import is_excluded
from detlint.engine import PARSE_ERROR, check
from detlint.integrations import encode_source, project_root
from detlint.integrations.noqa import noqa_edit
from detlint.model import Applicability, Diagnostic, Fix, Position, Range, Severity
from detlint.rules.base import all_rules

SOURCE = "detlint"
SEVERITIES = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFO: types.DiagnosticSeverity.Information,
}

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Snapshot:
    """An open document as it was when a run started."""

    uri: str
    version: int | None
    path: Path  # as the engine sees it: relative to the workspace root when under it
    text: str


class _Protocol(LanguageServerProtocol):
    """pygls's protocol, answering what JSON-RPC says must be answered: a request whose
    parameters do not fit its method gets InvalidParams with its id (pygls would only log it,
    and the client would wait forever), and a message that is no JSON-RPC gets InvalidRequest."""

    def structure_message(self, data: dict) -> object:
        try:
            return super().structure_message(data)
        except JsonRpcException as error:
            if isinstance(data.get("id"), (int, str)) and isinstance(data.get("method"), str):
                self.send_error(data["id"], error.code, f"{data['method']}: {error.message}")
                raise _Answered(error) from None
            raise

    def handle_message(self, message: object) -> None:
        if isinstance(message, dict):  # parsed, but no "jsonrpc": not a JSON-RPC message
            request_id = message.get("id")
            self.send_error(request_id if isinstance(request_id, (int, str)) else None, -32600, "Invalid Request: not a JSON-RPC 2.0 message")  # fmt: skip
            return
        super().handle_message(message)

    def send_error(self, request_id: int | str | None, code: int, message: str) -> None:
        """An error response; with `"id": null` when the request's id could not be read."""
        self._send_data({"jsonrpc": "2.0", "id": request_id, "error": {"code": code, "message": message}})


class _Answered(Exception):
    """A malformed request already answered with an error: only to be logged."""


class DetlintServer(LanguageServer):
    def __init__(self, debounce: float = 0.3) -> None:
        super().__init__("detlint", __version__, protocol_cls=_Protocol)
        self.debounce = debounce
        self.facts = FactsCache()
        self._timer: asyncio.TimerHandle | None = None
        self._lock = asyncio.Lock()

    @property
    def root(self) -> Path:
        root = self.workspace.root_path
        return Path(root) if root else Path.cwd()

    def schedule(self, delay: float) -> None:
        """Run the analysis after `delay` seconds, unless another change comes first."""
        if self._timer is not None:
            self._timer.cancel()
        loop = asyncio.get_running_loop()
        self._timer = loop.call_later(delay, lambda: loop.create_task(self.lint()))

    async def lint(self) -> None:
        async with self._lock:
            snapshots = self._snapshots()
            try:
                results, problems = await _in_daemon_thread(self._analyse, snapshots)
            except Exception:
                self._log(types.MessageType.Error, f"detlint failed:\n{traceback.format_exc()}")
                return
            for message in problems:
                self._log(types.MessageType.Error, f"detlint: {message}")
            open_now = self.workspace.text_documents
            for snapshot in snapshots:
                document = open_now.get(snapshot.uri)
                if document is None or document.version != snapshot.version:
                    continue  # closed, or edited meanwhile: the run scheduled by that edit publishes
                self.text_document_publish_diagnostics(
                    types.PublishDiagnosticsParams(
                        uri=snapshot.uri, version=snapshot.version, diagnostics=results.get(snapshot.uri, [])
                    )
                )

    def _snapshots(self) -> list[_Snapshot]:
        found = []
        for uri, document in list(self.workspace.text_documents.items()):
            fs_path = to_fs_path(uri) if uri.startswith("file:") else None
            if fs_path is None or not fs_path.endswith((".py", ".pyi")):
                continue  # untitled buffers and other languages: nothing to analyse
            path = display_path(Path(fs_path), self.root)
            found.append(_Snapshot(uri, document.version, path, document.source))
        return found

    def _analyse(self, snapshots: Sequence[_Snapshot]) -> tuple[dict[str, list[types.Diagnostic]], list[str]]:
        """Runs in a worker thread: the engine over every open document. Gives the diagnostics
        of each document and the problems to log."""
        root = self.root
        try:
            resolver = SettingsResolver(all_rules(), cwd=root)
            targets = [s for s in snapshots if not is_excluded(s.path, resolver, cwd=root)]
            context = sorted({project_root(s.path, resolver, cwd=root) for s in targets})
            report = check(
                [],
                resolver,
                cwd=root,
                sources={s.path: encode_source(s.text) for s in targets},
                context=context,
                facts_cache=self.facts,
            )
        except ConfigError as error:
            return {s.uri: [_problem(f"detlint configuration error: {error}")] for s in snapshots}, [str(error)]
        by_path = {s.path: s for s in snapshots}
        results: dict[str, list[types.Diagnostic]] = {s.uri: [] for s in snapshots}
        for diagnostic in report.diagnostics:
            snapshot = by_path.get(diagnostic.path)
            if snapshot is not None:
                results[snapshot.uri].append(self._to_lsp(diagnostic, snapshot, by_path))
        for snapshot in targets:
            problems = [m for m in report.errors if m.startswith(f"{snapshot.path}: ")]
            results[snapshot.uri].extend(_problem(f"detlint {m.removeprefix(f'{snapshot.path}: ')}") for m in problems)
        return results, report.errors

    def _to_lsp(
        self, diagnostic: Diagnostic, snapshot: _Snapshot, open_files: dict[Path, _Snapshot]
    ) -> types.Diagnostic:
        lines = snapshot.text.splitlines(keepends=True)
        related = []
        for hop in diagnostic.related:
            hop_lines = _lines_of(hop.path, self.root, open_files)
            related.append(
                types.DiagnosticRelatedInformation(
                    location=types.Location(
                        uri=from_fs_path(os.path.normpath(self.root / hop.path)) or "",
                        range=self._lsp_range(hop.range, hop_lines),
                    ),
                    message=hop.message or "here",
                )
            )
        return types.Diagnostic(
            range=self._lsp_range(diagnostic.range, lines),
            severity=SEVERITIES[diagnostic.severity],
            code=diagnostic.code,
            code_description=types.CodeDescription(href=rule_url(diagnostic.code)),
            source=SOURCE,
            message=diagnostic.message,
            related_information=related or None,
            data=self._data(diagnostic, snapshot, lines),
        )

    def _data(self, diagnostic: Diagnostic, snapshot: _Snapshot, lines: Sequence[str]) -> dict[str, object]:
        data: dict[str, object] = {"code": diagnostic.code, "line": diagnostic.range.start.line}
        if diagnostic.fix is not None:
            data["version"] = snapshot.version
            data["fix"] = self._fix_data(diagnostic.code, diagnostic.fix, lines)
        return data

    def _fix_data(self, code: str, fix: Fix, lines: Sequence[str]) -> dict[str, object]:
        unsafe = fix.applicability is Applicability.UNSAFE
        edits = []
        for edit in fix.edits:
            span = self._lsp_range(edit.range, lines)
            edits.append(
                {
                    "range": {
                        "start": {"line": span.start.line, "character": span.start.character},
                        "end": {"line": span.end.line, "character": span.end.character},
                    },
                    "newText": edit.content,
                }
            )
        title = f"detlint ({code}): {fix.message}" + (" (unsafe fix)" if unsafe else "")
        return {"title": title, "applicability": fix.applicability.value, "edits": edits}

    def _lsp_range(self, span: Range, lines: Sequence[str]) -> types.Range:
        return types.Range(start=self._lsp_position(span.start, lines), end=self._lsp_position(span.end, lines))

    def _lsp_position(self, position: Position, lines: Sequence[str]) -> types.Position:
        """1-based line and code-point column -> 0-based line and the client's units."""
        line = max(position.line - 1, 0)
        if line >= len(lines):
            return types.Position(line=line, character=0)
        text = lines[line].rstrip("\r\n")
        characters = min(max(position.column - 1, 0), len(text))
        return types.Position(line=line, character=self.workspace.position_codec.client_num_units(text[:characters]))

    def report_server_error(self, error: Exception, source: object) -> None:
        """Errors outside a request: JSON that does not parse gets JSON-RPC's Parse error
        (id null); the rest (a change to a document never opened, a malformed notification)
        is the client's to see in its log, not a pop-up. The server keeps serving."""
        if source is FeatureRequestError or isinstance(error, _Answered):
            return  # the request was answered with the error
        if isinstance(error, json.JSONDecodeError) and isinstance(self.protocol, _Protocol):
            self.protocol.send_error(None, -32700, f"Parse error: {error}")
        self._log(types.MessageType.Error, f"detlint: ignored a message it could not handle: {type(error).__name__}: {error}")

    def _log(self, kind: types.MessageType, message: str) -> None:
        log.error(message)
        try:
            self.window_log_message(types.LogMessageParams(type=kind, message=message))
        except Exception:  # the client may be gone; the log above still has it
            pass


# -- code actions --------------------------------------------------------------------------

CodeActionProvider = Callable[[DetlintServer, TextDocument, types.Diagnostic], Iterable[types.CodeAction]]


def apply_fix(server: DetlintServer, document: TextDocument, diagnostic: types.Diagnostic) -> Iterable[types.CodeAction]:
    """The finding's fix, while the document is at the version the fix was computed for."""
    data = diagnostic.data if isinstance(diagnostic.data, dict) else {}
    fix = data.get("fix")
    if not isinstance(fix, dict) or data.get("version") != document.version:
        return
    edits = [
        types.TextEdit(
            range=types.Range(
                start=types.Position(**edit["range"]["start"]), end=types.Position(**edit["range"]["end"])
            ),
            new_text=edit["newText"],
        )
        for edit in fix["edits"]
    ]
    yield types.CodeAction(
        title=fix["title"],
        kind=types.CodeActionKind.QuickFix,
        diagnostics=[diagnostic],
        edit=types.WorkspaceEdit(changes={document.uri: edits}),
        is_preferred=fix["applicability"] == Applicability.SAFE.value,
    )


def disable_for_line(
    server: DetlintServer, document: TextDocument, diagnostic: types.Diagnostic
) -> Iterable[types.CodeAction]:
    """`# noqa: DETxxx` on the finding's line (detlint and flake8 read it there)."""
    data = diagnostic.data if isinstance(diagnostic.data, dict) else {}  # some clients drop it
    code = data.get("code", diagnostic.code)
    line = data.get("line", diagnostic.range.start.line + 1)
    if not isinstance(code, str) or not isinstance(line, int) or code == PARSE_ERROR:
        return
    edit = noqa_edit(document.source, line, code)
    if edit is None:
        return
    lines = document.lines
    yield types.CodeAction(
        title=f"Disable {code} for this line",
        kind=types.CodeActionKind.QuickFix,
        diagnostics=[diagnostic],
        edit=types.WorkspaceEdit(
            changes={document.uri: [types.TextEdit(range=server._lsp_range(edit.range, lines), new_text=edit.text)]}
        ),
    )


# Each provider offers its actions for one diagnostic, in this order.
CODE_ACTIONS: tuple[CodeActionProvider, ...] = (apply_fix, disable_for_line)


def create_server(debounce: float = 0.3) -> DetlintServer:
    server = DetlintServer(debounce)

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    async def did_open(ls: DetlintServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.schedule(0)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    async def did_change(ls: DetlintServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.schedule(ls.debounce)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    async def did_save(ls: DetlintServer, params: types.DidSaveTextDocumentParams) -> None:
        ls.schedule(0)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    async def did_close(ls: DetlintServer, params: types.DidCloseTextDocumentParams) -> None:
        cleared = types.PublishDiagnosticsParams(uri=params.text_document.uri, diagnostics=[])
        ls.text_document_publish_diagnostics(cleared)
        ls.schedule(ls.debounce)  # the others now see the file as it is on disk

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]),
    )
    def code_action(ls: DetlintServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        document = ls.workspace.get_text_document(params.text_document.uri)
        actions: list[types.CodeAction] = []
        for diagnostic in params.context.diagnostics:
            if diagnostic.source != SOURCE:
                continue
            for provider in CODE_ACTIONS:
                try:
                    actions.extend(provider(ls, document, diagnostic))
                except Exception:
                    ls._log(types.MessageType.Error, f"detlint code action failed:\n{traceback.format_exc()}")
        return actions

    return server


async def _in_daemon_thread(work: Callable, *args: object):
    """`work(*args)` on a daemon thread: an analysis still running (a huge document) never
    delays the process's exit when the client says `exit`."""
    loop = asyncio.get_running_loop()
    future = loop.create_future()

    def settle(method: Callable, value: object) -> None:
        if not future.done():
            method(value)

    def run() -> None:
        try:
            outcome, value = future.set_result, work(*args)
        except BaseException as error:  # handed to the awaiting coroutine
            outcome, value = future.set_exception, error
        try:
            loop.call_soon_threadsafe(settle, outcome, value)
        except RuntimeError:  # the loop is closed: the server is gone
            pass

    threading.Thread(target=run, name="detlint-analysis", daemon=True).start()
    return await future


def _problem(message: str) -> types.Diagnostic:
    start = types.Position(line=0, character=0)
    return types.Diagnostic(
        range=types.Range(start=start, end=start),
        severity=types.DiagnosticSeverity.Error,
        source=SOURCE,
        message=message,
    )


def _lines_of(path: Path, root: Path, open_files: dict[Path, _Snapshot]) -> list[str]:
    if path in open_files:
        return open_files[path].text.splitlines(keepends=True)
    try:
        return (root / path).read_bytes().decode("utf-8", errors="replace").splitlines(keepends=True)
    except OSError:
        return []


def serve(debounce: float = 0.3) -> None:
    create_server(debounce).start_io()


__all__ = ["CODE_ACTIONS", "DetlintServer", "apply_fix", "create_server", "disable_for_line", "serve"]
