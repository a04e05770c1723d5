"""detlint.lock: the deployed command skeleton of each workflow type, committed beside the code.

JSON with a format version, keys in a stable order (a command's `op` first), one entry per
workflow type, and each command on one line, so that a change to a workflow reads as a small
diff (docs/versioning.md shows one; a test keeps that sample in this exact format).

Paths are relative to the folder of the lock file, with forward slashes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Mapping

from detlint.config import ConfigError

LOCK_FILE = "detlint.lock"
FORMAT_VERSION = 1


class BaselineError(ConfigError):
    """The baseline cannot be read: a corrupt or newer lock file, an unknown revision, no git.
    A ConfigError, so every front end stops with exit code 2 and this one line."""


def render(workflows: Mapping[str, Mapping[str, Any]]) -> str:
    document = {"version": FORMAT_VERSION, "workflows": {k: workflows[k] for k in sorted(workflows)}}
    return _render(document, 0) + "\n"


def _render(value: Any, depth: int) -> str:
    """JSON, one command per line; keys sorted, but a command's `op` first."""
    if isinstance(value, dict):
        value = {k: value[k] for k in sorted(value, key=lambda k: (k != "op", k))}
    if not _nested(value):
        return json.dumps(value, ensure_ascii=False)
    pad, inner = "  " * depth, "  " * (depth + 1)
    if isinstance(value, dict):
        items = [f"{inner}{json.dumps(k, ensure_ascii=False)}: {_render(v, depth + 1)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + f"\n{pad}}}"
    return "[\n" + ",\n".join(f"{inner}{_render(v, depth + 1)}" for v in value) + f"\n{pad}]"


def _nested(value: Any) -> bool:
    """A dict or list that holds a non-empty dict or list: written over several lines."""
    children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    return any(isinstance(c, (dict, list)) and c for c in children)


def write(path: Path, workflows: Mapping[str, Mapping[str, Any]]) -> None:
    path.write_text(render(workflows), encoding="utf-8")


def read(path: Path, shown: Path | None = None) -> dict[str, dict[str, Any]]:
    """The entries of a lock file by workflow type; BaselineError when it cannot be trusted."""
    shown = shown or path
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise BaselineError(f"{shown}: cannot read the lock file: {getattr(error, 'strerror', None) or error}") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise BaselineError(
            f"{shown}:{error.lineno}: the lock file is not valid JSON ({error.msg}); restore it or run `detlint lock`"
        ) from None
    return parse(document, shown)


def parse(document: Any, shown: Path) -> dict[str, dict[str, Any]]:
    if not isinstance(document, dict) or not isinstance(document.get("version"), int) or isinstance(document.get("version"), bool):
        raise BaselineError(f"{shown}: not a detlint lock file (no format version); restore it or run `detlint lock`")
    version = document["version"]
    if version > FORMAT_VERSION:
        raise BaselineError(
            f"{shown}: the lock file has format version {version}, newer than this detlint reads "
            f"({FORMAT_VERSION}); upgrade detlint"
        )
    if version < 1:
        raise BaselineError(f"{shown}: unknown lock file format version {version}; restore it or run `detlint lock`")
    workflows = document.get("workflows")
    if not isinstance(workflows, dict):
        raise BaselineError(f"{shown}: the lock file has no \"workflows\" table; restore it or run `detlint lock`")
    for type_name, entry in workflows.items():
        problem = _entry_problem(entry)
        if problem is not None:
            raise BaselineError(f"{shown}: workflow '{type_name}': {problem}; restore the lock file or run `detlint lock`")
        entry.setdefault("type", type_name)
    return workflows


def _entry_problem(entry: Any) -> str | None:
    if not isinstance(entry, dict):
        return "not a table"
    if not isinstance(entry.get("path"), str):
        return 'no "path"'
    run = entry.get("run")
    if not isinstance(run, dict) or not isinstance(run.get("params"), list):
        return 'no "run" signature'
    if not all(isinstance(p, dict) and isinstance(p.get("name"), str) for p in run["params"]):
        return "a malformed run parameter"
    handlers = entry.get("handlers", [])
    if not isinstance(handlers, list) or not all(
        isinstance(h, dict) and isinstance(h.get("kind"), str) and isinstance(h.get("name"), str) for h in handlers
    ):
        return "malformed handlers"
    blocks = [entry.get("commands")] + [h.get("commands", []) for h in handlers]
    if not all(_block_ok(b) for b in blocks):
        return "malformed commands"
    return None


def _block_ok(block: Any) -> bool:
    if not isinstance(block, list):
        return False
    for node in block:
        if not isinstance(node, dict) or not isinstance(node.get("op"), str):
            return False
        if "blocks" in node and not (isinstance(node["blocks"], list) and all(_block_ok(b) for b in node["blocks"])):
            return False
        if node["op"] == "patch" and len(node.get("blocks", ())) != 2:
            return False
    return True
