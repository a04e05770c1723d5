"""Module names of analysed files, from the package folders around them."""

from __future__ import annotations

from pathlib import Path


def module_name(path: Path) -> str:
    """`pkg/sub/mod.py` -> `pkg.sub.mod` while the folders hold an `__init__.py`;
    `pkg/__init__.py` -> `pkg`."""
    path = path.resolve()
    parts = [] if path.stem == "__init__" else [path.stem]
    folder = path.parent
    while (folder / "__init__.py").is_file() or (folder / "__init__.pyi").is_file():
        parts.insert(0, folder.name)
        if folder.parent == folder:
            break
        folder = folder.parent
    return ".".join(parts) or path.stem
