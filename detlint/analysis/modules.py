"""Module names of files, and the project's modules by name (found without parsing)."""

from __future__ import annotations

import os
from collections import defaultdict
from pathlib import Path

from detlint import last_run


def module_name(
    path: Path, source_roots: tuple[Path, ...] = (), packages: dict[Path, tuple[str, ...]] | None = None
) -> str:
    """The name Python imports `path` by.

    Inside one of the configured `source_roots` (ruff's `src`), the path relative to the
    deepest root containing it (namespace packages need no `__init__.py`). Elsewhere, the
    package folders around the file: `pkg/sub/mod.py` -> `pkg.sub.mod` while the folders hold
    an `__init__.py`; `pkg/__init__.py` -> `pkg`; a script outside packages -> its stem.
    `packages` remembers each folder's package name between calls (within one run: a folder
    may become a package between runs).
    """
    path = Path(os.path.abspath(path))
    containing = [root for root in source_roots if path.is_relative_to(root)]
    if containing:
        relative = path.relative_to(max(containing, key=lambda root: len(root.parts))).with_suffix("")
        parts = list(relative.parts)
        if parts and parts[-1] == "__init__":
            parts.pop()
        if parts:
            return ".".join(parts)
    parts = [*_package(path.parent, {} if packages is None else packages)]
    if path.stem != "__init__":
        parts.append(path.stem)
    return ".".join(parts) or path.stem


def _package(folder: Path, known: dict[Path, tuple[str, ...]]) -> tuple[str, ...]:
    """The package a folder is (its dotted parts), or () when it holds no `__init__.py`."""
    found = known.get(folder)
    if found is None:
        if not (last_run.is_file(folder / "__init__.py") or last_run.is_file(folder / "__init__.pyi")):
            found = ()
        elif folder.parent == folder:
            found = (folder.name,)
        else:
            found = (*_package(folder.parent, known), folder.name)
        known[folder] = found
    return found


class ModuleMap:
    """Which files define a module name (usually one; scripts in different folders may share)."""

    def __init__(self) -> None:
        self._files: dict[str, list[Path]] = defaultdict(list)

    def add(self, name: str, path: Path) -> None:
        if path not in self._files[name]:
            self._files[name].append(path)

    def files(self, name: str) -> list[Path]:
        return self._files.get(name, [])
