"""LibCST, imported when a file is first parsed rather than when detlint starts.

A warm run (every file's facts in the cache) never parses, and importing LibCST costs more
than the rest of detlint's start-up. Modules write `from detlint.lazy import cst` where they
would write `import libcst as cst`: the first `cst.X` imports LibCST, and each name is then
kept on `cst` itself, so later lookups cost what a module attribute costs. Code that runs at
import time must not touch `cst.X`: such tables name node classes by their names instead.
"""

from __future__ import annotations

import importlib
import types
from typing import TYPE_CHECKING, Any


class _Deferred(types.ModuleType):
    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)  # introspection (copy, pickle, doctest) must not import
        value = getattr(importlib.import_module(self.__name__), name)
        setattr(self, name, value)
        return value


if TYPE_CHECKING:
    from detlint.lazy import cst
else:
    cst = _Deferred("libcst")
