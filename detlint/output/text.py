"""`path:line:col: CODE message`, one finding a line, as ruff's concise output, and the
summary under it: how many findings, how many were fixed, and how many `--fix` could fix."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Mapping, Sequence

from detlint.model import Diagnostic
from detlint.rules.base import all_rules


def format_text(
    diagnostics: Sequence[Diagnostic], *, fixed: int = 0, unsafe_fixes: bool = False, summary: bool = True
) -> str:
    lines = [
        f"{d.path}:{d.range.start.line}:{d.range.start.column}: {d.code} {d.message}" for d in diagnostics
    ]
    if summary:
        lines.extend(closing_lines(diagnostics, fixed=fixed, unsafe_fixes=unsafe_fixes))
    return "".join(f"{line}\n" for line in lines)


def format_statistics(diagnostics: Sequence[Diagnostic], *, fixed: int = 0, unsafe_fixes: bool = False) -> str:
    """Counts per rule, most frequent first, as `ruff --statistics`."""
    rules = all_rules()
    counts = Counter(d.code for d in diagnostics)
    rows = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    width = max((len(str(n)) for n in counts.values()), default=1)
    lines = [f"{n:>{width}}\t{code}\t[{rules[code].name}] {rules[code].summary}" for code, n in rows]
    found = closing_lines(diagnostics, fixed=fixed, unsafe_fixes=unsafe_fixes)
    if found[0] == "All checks passed!":
        found[0] = "Found 0 errors."
    lines.extend(found)
    return "\n".join(lines) + "\n"


def closing_lines(diagnostics: Sequence[Diagnostic], *, fixed: int = 0, unsafe_fixes: bool = False) -> list[str]:
    """ruff's closing lines: `Found 3 errors (2 fixed, 1 remaining).` and what `--fix` (and
    `--unsafe-fixes`) would fix of what remains."""
    remaining = len(diagnostics)
    if fixed:
        lines = [f"Found {_errors(fixed + remaining)} ({fixed} fixed, {remaining} remaining)."]
    elif remaining:
        lines = [f"Found {_errors(remaining)}."]
    else:
        return ["All checks passed!"]
    fixable = sum(1 for d in diagnostics if d.fix is not None and d.fix.applies(unsafe_fixes))
    hidden = sum(1 for d in diagnostics if d.fix is not None and not d.fix.applies(unsafe_fixes))
    hint = f"{hidden} hidden fix{'es' if hidden != 1 else ''} can be enabled with the `--unsafe-fixes` option"
    if fixable:
        lines.append(f"[*] {fixable} fixable with the `--fix` option" + (f" ({hint})." if hidden else "."))
    elif hidden:
        lines.append(f"No fixes available ({hint}).")
    return lines


def format_fixed(applied: Mapping[tuple[Path, str], int]) -> str:
    """`--show-fixes`: the fixes applied, per file and rule, as ruff lists them."""
    if not applied:
        return ""
    rules = all_rules()
    total = sum(applied.values())
    lines = [f"Fixed {_errors(total)}:"]
    for path in sorted({path for path, _ in applied}, key=str):
        lines.append(f"- {path.as_posix()}:")
        for (where, code), count in sorted(applied.items(), key=lambda item: item[0][1]):
            if where == path:
                lines.append(f"    {count} × {code} ({rules[code].name})")
    return "\n".join(lines) + "\n\n"


def _errors(count: int) -> str:
    return f"{count} error{'s' if count != 1 else ''}"
