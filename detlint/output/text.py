"""`path:line:col: CODE message`, one finding a line, as ruff's concise output."""

from __future__ import annotations

from collections import Counter
from typing import Sequence

from detlint.model import Diagnostic
from detlint.rules.base import all_rules


def format_text(diagnostics: Sequence[Diagnostic]) -> str:
    lines = [
        f"{d.path}:{d.range.start.line}:{d.range.start.column}: {d.code} {d.message}" for d in diagnostics
    ]
    count = len(diagnostics)
    lines.append(f"Found {count} error{'s' if count != 1 else ''}." if count else "All checks passed!")
    return "\n".join(lines) + "\n"


def format_statistics(diagnostics: Sequence[Diagnostic]) -> str:
    """Counts per rule, most frequent first, as `ruff --statistics`."""
    rules = all_rules()
    counts = Counter(d.code for d in diagnostics)
    rows = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    width = max((len(str(n)) for n in counts.values()), default=1)
    lines = [f"{n:>{width}}\t{code}\t[{rules[code].name}] {rules[code].summary}" for code, n in rows]
    lines.append(f"Found {len(diagnostics)} error{'s' if len(diagnostics) != 1 else ''}.")
    return "\n".join(lines) + "\n"
