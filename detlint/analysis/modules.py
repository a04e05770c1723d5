"""Module names of files, and the project's modules by name (found without parsing)."""

from __future__ import annotations

import os
from collections import defaultdict
from pathlib import Path


def module_name(path: Path, source_roots: tuple[Path, ...] = ()) -> str:
    """The name Python imports `path` by.

    Inside one of the configured `source_roots` (ruff's `src`), the path relative to the
    deepest root containing it (namespace packages need no `__init__.py`). Elsewhere, the
    package folders around the file: `pkg/sub/mod.py` -> `pkg.sub.mod` while the folders hold
    an `__init__.py`; `pkg/__init__.py` -> `pkg`; a script outside packages -> its stem.
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
    parts = [] if path.stem == "__init__" else [path.stem]
    folder = path.parent
    while (folder / "__init__.py").is_file() or (folder / "__init__.pyi").is_file():
        parts.insert(0, folder.name)
        if folder.parent == folder:
            break
        folder = folder.parent
    return ".".join(parts) or path.stem


class ModuleMap:
    """Which files define a module name (usually one; scripts in different folders may share)."""

    def __init__(self) -> None:
        self._files: dict[str, list[Path]] = defaultdict(list)

    def add(self, name: str, path: Path) -> None:
        if path not in self._files[name]:
            self._files[name].append(path)

    def files(self, name: str) -> list[Path]:
        return self._files.get(name, [])
