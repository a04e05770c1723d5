"""The rule catalogue: one module per rule, found by walking this package."""

from __future__ import annotations

import functools
import importlib
import pkgutil


@functools.cache
def load_all() -> None:
    for info in pkgutil.iter_modules(__path__):
        if info.name != "base":
            importlib.import_module(f"{__name__}.{info.name}")
