"""The language server under abuse, spoken to byte by byte (a real client library would refuse
to send most of this): malformed JSON-RPC, unknown methods, bad parameters, documents closed
twice or changed before being opened, edits out of range, a 5 MB document. The server answers
with the errors JSON-RPC and LSP prescribe, and keeps serving: a workflow opened afterwards
still gets its findings, and `shutdown` and `exit` end it cleanly."""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

pytest.importorskip("pygls")

from tests.conftest import python_path  # noqa: E402
from tests.robustness import GOOD, generated_module  # noqa: E402

TIMEOUT = 120


class RawClient:
    def __init__(self, cwd: Path) -> None:
        import os

        self.process = subprocess.Popen(
            [sys.executable, "-m", "detlint", "lsp", "--debounce", "0.05"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd,
            env={**os.environ, "PYTHONPATH": python_path()},
        )  # fmt: skip
        self.inbox: queue.Queue[dict | None] = queue.Queue()
        self.seen: list[dict] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        stream = self.process.stdout
        while True:
            headers = {}
            while True:
                line = stream.readline()
                if not line:
                    self.inbox.put(None)
                    return
                if not line.strip():
                    break
                key, _, value = line.decode().partition(":")
                headers[key.lower()] = value.strip()
            self.inbox.put(json.loads(stream.read(int(headers["content-length"]))))

    def send_bytes(self, body: bytes) -> None:
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def send(self, message: dict) -> None:
        self.send_bytes(json.dumps({"jsonrpc": "2.0", **message}).encode())

    def notify(self, method: str, params: dict) -> None:
        self.send({"method": method, "params": params})

    def wait_for(self, predicate, timeout: float = TIMEOUT) -> dict:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                message = self.inbox.get(timeout=0.5)
            except queue.Empty:
                continue
            assert message is not None, f"the server stopped: {self.process.stderr.read().decode()[-3000:]}"
            self.seen.append(message)
            if predicate(message):
                return message
        raise AssertionError(f"no such message within {timeout} s; seen: {[str(m)[:200] for m in self.seen[-10:]]}")

    def response(self, request_id) -> dict:
        return self.wait_for(lambda m: "method" not in m and m.get("id") == request_id)

    def diagnostics(self, uri: str) -> list[dict]:
        # Published by an analysis (with the document's version), not the clearing on a close.
        message = self.wait_for(
            lambda m: m.get("method") == "textDocument/publishDiagnostics"
            and m["params"]["uri"] == uri
            and m["params"].get("version") is not None
        )
        return message["params"]["diagnostics"]


@pytest.fixture
def client(tmp_path: Path):
    client = RawClient(tmp_path)
    client.send({"id": 1, "method": "initialize", "params": {"processId": None, "rootUri": tmp_path.as_uri(), "capabilities": {}}})
    assert "capabilities" in client.response(1)["result"]
    client.notify("initialized", {})
    yield client
    if client.process.poll() is None:
        client.process.kill()
        client.process.wait()


def _open(client: RawClient, uri: str, text: str, version: int = 1) -> None:
    client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "python", "version": version, "text": text}})


def _still_serving(client: RawClient, folder: Path, name: str) -> None:
    """A request is answered and a workflow opened now gets its finding."""
    uri = (folder / name).as_uri()
    _open(client, uri, GOOD)
    assert [d["code"] for d in client.diagnostics(uri)] == ["DET101"]


def test_malformed_json_rpc_gets_the_errors_json_rpc_prescribes(client: RawClient, tmp_path: Path):
    client.send_bytes(b"{not json")
    parse_error = client.wait_for(lambda m: "error" in m)
    assert (parse_error["id"], parse_error["error"]["code"]) == (None, -32700)
    client.send_bytes(json.dumps({"id": 5, "method": "textDocument/codeAction"}).encode())  # no "jsonrpc"
    invalid = client.wait_for(lambda m: "error" in m)
    assert invalid["error"]["code"] == -32600
    client.send({"id": 6, "method": "detlint/noSuchMethod", "params": {}})
    assert client.response(6)["error"]["code"] == -32601  # MethodNotFound
    client.notify("$/noSuchNotification", {})  # unknown notifications are ignored, as LSP says
    client.send({"id": 7, "method": "textDocument/codeAction", "params": {"garbage": True}})
    assert client.response(7)["error"]["code"] == -32602  # InvalidParams, with the request's id
    client.send({"id": 8, "method": "textDocument/codeAction", "params": None})
    assert "error" in client.response(8)
    client.send_bytes(b"\xff\xfe binary \x00")
    _still_serving(client, tmp_path, "after_garbage.py")


def test_documents_closed_twice_changed_unopened_and_edited_out_of_range(client: RawClient, tmp_path: Path):
    uri = (tmp_path / "wf.py").as_uri()
    client.notify("textDocument/didClose", {"textDocument": {"uri": uri}})  # never opened
    client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": "x"}]})
    _open(client, uri, GOOD)
    assert [d["code"] for d in client.diagnostics(uri)] == ["DET101"]
    for start, end in (((1000, 5000), (2000, 0)), ((3, 500), (1, 0)), ((-1, -1), (0, 0))):
        client.notify(
            "textDocument/didChange",
            {
                "textDocument": {"uri": uri, "version": 3},
                "contentChanges": [
                    {"range": {"start": {"line": start[0], "character": start[1]}, "end": {"line": end[0], "character": end[1]}}, "text": "zz"}
                ],
            },
        )
    client.send({"id": 20, "method": "textDocument/codeAction", "params": {
        "textDocument": {"uri": uri},
        "range": {"start": {"line": 9999, "character": 0}, "end": {"line": 9999, "character": 9}},
        "context": {"diagnostics": [{"range": {"start": {"line": 9999, "character": 0}, "end": {"line": 9999, "character": 1}},
                                     "message": "m", "source": "detlint", "code": "DET101", "data": {"code": "DET101", "line": 10000}}]},
    }})  # fmt: skip
    assert "result" in client.response(20)
    client.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    client.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    _still_serving(client, tmp_path, "other.py")
    client.send({"id": 30, "method": "shutdown"})
    assert client.response(30)["result"] is None
    client.notify("exit", {})
    assert client.process.wait(timeout=TIMEOUT) == 0


def test_a_five_megabyte_document(client: RawClient, tmp_path: Path):
    """A generated module of 5 MB (serialized descriptors) with a finding at its end: analysed,
    and the server answers requests and analyses other documents afterwards."""
    big = (tmp_path / "generated.py").as_uri()
    started = time.monotonic()
    _open(client, big, generated_module(5, GOOD, seed=5))
    client.send({"id": 40, "method": "detlint/noSuchMethod", "params": {}})
    assert client.response(40)["error"]["code"] == -32601
    assert [(d["code"], d["range"]["start"]["line"]) for d in client.diagnostics(big)] == [("DET101", 9)]
    print(f"5 MB document analysed in {time.monotonic() - started:.1f} s")
    _still_serving(client, tmp_path, "small.py")
