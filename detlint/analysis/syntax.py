"""Python's own parser, as detlint uses it: to measure a file before LibCST reads it, and to
learn whether Python accepts a file at all. Parsing only: the code is never compiled to run."""

from __future__ import annotations

import ast
import warnings

# What `ast.parse` raises for a file it refuses: bad syntax, null bytes, undecodable text or an
# unknown encoding, nesting deeper than its own limits.
REFUSALS = (SyntaxError, ValueError, LookupError, RecursionError, MemoryError)


def python_tree(source: bytes) -> ast.Module:
    """`ast.parse`, quietly (warnings about the code, such as invalid escapes, are not
    detlint's to print). Raises what `ast.parse` raises."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ast.parse(source)


def python_accepts(source: bytes) -> bool:
    try:
        python_tree(source)
    except REFUSALS:
        return False
    return True
