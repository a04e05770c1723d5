"""Paths as code-scanning services want them: relative to the repository's root."""

from __future__ import annotations

import os
from pathlib import Path

from detlint import last_run


def repository_root(cwd: Path) -> Path:
    """The root of the git work tree around `cwd`, else `cwd` itself."""
    # core.fsmonitor names a command in the repository's config: never run it.
    command = ["git", "-c", "core.fsmonitor=false", "-C", str(cwd), "rev-parse", "--show-toplevel"]
    returncode, output = last_run.run_command(command, cwd)
    top = os.fsdecode(output).strip()
    return Path(top) if returncode == 0 and top else Path(os.path.abspath(cwd))


def relative_to_root(path: Path, *, cwd: Path, root: Path) -> Path | None:
    """`path` (as reported: relative to cwd, or absolute) relative to `root`, or None when it
    lies outside. Lexical, as the rest of detlint: symlinks are not resolved."""
    absolute = Path(os.path.normpath(Path(cwd) / path))
    for inside, top in ((absolute, Path(os.path.normpath(root))), (absolute.resolve(), Path(root).resolve())):
        if inside.is_relative_to(top):
            return inside.relative_to(top)
    return None  # git names the root with symlinks resolved; the second try allows for that
