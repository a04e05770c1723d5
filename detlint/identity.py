"""Which detlint is running, and where it keeps its own state.

The fingerprint is part of every key that keeps a result across runs (parsed facts, whole
runs): an upgrade, or an edit of an editable install, never meets results of other code.
"""

from __future__ import annotations

import functools
import hashlib
import os
import sys
from pathlib import Path

import detlint


@functools.cache
def code_fingerprint() -> str:
    """detlint's version, the size and time of each of its source files, and the Python that
    runs it (whose own parser measures files: its grammar changes between versions)."""
    package = Path(detlint.__file__).parent
    parts = [detlint.__version__, sys.version]
    for source in sorted(package.rglob("*.py")):
        status = source.stat()
        parts.append(f"{source.relative_to(package)}:{status.st_size}:{status.st_mtime_ns}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def user_cache_folder() -> Path:
    """detlint's folder in the user's cache ($XDG_CACHE_HOME, else ~/.cache): outside every
    project. OSError when there is neither (a container user without a home folder)."""
    configured = os.environ.get("XDG_CACHE_HOME")
    if configured:
        return Path(configured) / "detlint"
    try:
        return Path.home() / ".cache" / "detlint"
    except RuntimeError as error:
        raise OSError(str(error)) from None


def write_state(target: Path, data: bytes) -> None:
    """Write one of detlint's own files whole, creating its folders: each process writes a
    temporary file of its own and swaps it in, so that concurrent runs never read half a file.
    Raises OSError."""
    temporary = target.with_name(f".{target.name}.{os.getpid()}")
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    try:
        descriptor = os.open(temporary, flags, 0o600)
    except FileNotFoundError:
        target.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(temporary, flags, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
    os.replace(temporary, target)
