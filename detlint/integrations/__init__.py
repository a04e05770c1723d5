"""Adapters that bring the one engine to other tools: the flake8 plugin and the language server.

They never re-implement a rule: each runs `detlint.engine.check` with the project around the
file it is asked about, so a file gets the same findings whichever way it is checked.
"""

from __future__ import annotations

import os
import tokenize
from pathlib import Path

from detlint.config import SettingsResolver


def project_root(path: Path, resolver: SettingsResolver, *, cwd: Path) -> Path:
    """The folder whose tree is the project of `path`: the folder its configuration governs
    (the nearest detlint.toml or pyproject.toml with [tool.detlint], else the working
    directory), or the file's own folder when that does not contain it."""
    absolute = Path(os.path.normpath(cwd / path))
    root = resolver.for_path(absolute).root
    return root if absolute.is_relative_to(root) else absolute.parent


def encode_source(text: str) -> bytes:
    """An editor's or flake8's text as the bytes a file would hold: in the encoding its
    `# coding:` line declares, else UTF-8 (so columns count the same characters)."""
    head = iter(line.encode("utf-8") for line in text.splitlines(keepends=True)[:2])
    try:
        encoding, _ = tokenize.detect_encoding(lambda: next(head, b""))
        return text.encode(encoding)
    except (SyntaxError, LookupError, UnicodeError):
        return text.encode("utf-8")
