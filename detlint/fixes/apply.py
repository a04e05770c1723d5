"""Applying fixes: to one text, and to files over several passes.

`apply_fixes` applies, earliest first, every fix whose edits do not collide with those already
taken (an edit that another fix already made counts once), as ruff does. The rest wait for
the next pass: `fix_files` checks the fixed text again, applies what is left, and stops when a
pass changes nothing or after `MAX_PASSES`. At the end, imports that the applied fixes left
unused are removed (each fix removes an import whose last use it deletes; when several fixes
each delete one use, only the text after all of them shows that none is left).
"""

from __future__ import annotations

import difflib
import io
import re
import tokenize
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

from detlint.cache import FactsCache
from detlint.config import SettingsResolver
from detlint.engine import Report, check
from detlint.model import Diagnostic, Edit, Fix, Position

MAX_PASSES = 10
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def line_starts(text: str) -> list[int]:
    """The offset of each line's first character (lines end as LibCST ends them)."""
    return [0, *(match.end() for match in _LINE_BREAK.finditer(text))]


def offset(position: Position, starts: Sequence[int], length: int) -> int:
    """A 1-based line and code-point column as an offset in the text (clamped to it)."""
    if position.line > len(starts):
        return length
    return min(starts[position.line - 1] + position.column - 1, length)


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    """Apply edits that do not overlap (as `apply_fixes` takes them)."""
    starts = line_starts(text)
    spans = sorted((offset(e.range.start, starts, len(text)), offset(e.range.end, starts, len(text)), e.content) for e in edits)
    return _splice(text, spans)


def apply_fixes(text: str, fixes: Sequence[Fix]) -> tuple[str, list[Fix]]:
    """`text` with every fix applied that fits, earliest first, and the fixes applied."""
    starts = line_starts(text)
    taken: list[tuple[int, int, str]] = []
    done: set[Edit] = set()
    applied: list[Fix] = []
    for fix in sorted(fixes, key=lambda f: (sorted(e.range for e in f.edits), f.message)):
        new = [edit for edit in fix.edits if edit not in done]
        spans = [(offset(e.range.start, starts, len(text)), offset(e.range.end, starts, len(text)), e.content) for e in new]
        if any(_collide(a, b) for i, a in enumerate(spans) for b in (*spans[i + 1 :], *taken)):
            continue
        taken.extend(spans)
        done.update(new)
        applied.append(fix)
    return _splice(text, sorted(taken, key=lambda s: (s[0], s[1]))), applied


def _collide(a: tuple[int, int, str], b: tuple[int, int, str]) -> bool:
    """Two edits overlap, or insert at the same place (which goes first is unknowable)."""
    if a[0] < b[1] and b[0] < a[1]:
        return True
    return a[0] == a[1] == b[0] == b[1]


def _splice(text: str, spans: Sequence[tuple[int, int, str]]) -> str:
    out, position = [], 0
    for start, end, content in _merge_deletions(spans):
        out.append(text[position:start])
        out.append(content)
        position = end
        if not content and _whole_lines(text, start, end):
            # Deleting a group of lines (imports) between blank lines: one blank line goes too.
            before = "".join(out)
            following = _LINE_BREAK.match(text, end)
            if following is not None and (not before or re.search(r"(\r\n|\r|\n)[ \t]*(\r\n|\r|\n)$", before)):
                position = following.end()
    out.append(text[position:])
    return "".join(out)


def _merge_deletions(spans: Sequence[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    merged: list[tuple[int, int, str]] = []
    for span in spans:
        if merged and not span[2] and not merged[-1][2] and merged[-1][1] == span[0] and span[0] < span[1]:
            merged[-1] = (merged[-1][0], span[1], "")
        else:
            merged.append(span)
    return merged


def _whole_lines(text: str, start: int, end: int) -> bool:
    at_line_start = start == 0 or text[start - 1] in "\r\n"
    return start < end and at_line_start and text[end - 1] in "\r\n"


# -- files ---------------------------------------------------------------------------------------


@dataclass
class FixResult:
    report: Report  # the findings that remain, in the fixed text
    originals: dict[Path, bytes] = field(default_factory=dict)  # every file the fixes changed
    fixed: dict[Path, bytes] = field(default_factory=dict)  # and its new text
    applied: Counter[tuple[Path, str]] = field(default_factory=Counter)  # fixes per file and code

    @property
    def count(self) -> int:
        return sum(self.applied.values())

    def diff(self) -> str:
        """A unified diff of every changed file, as `ruff check --diff` prints it."""
        chunks = []
        for path in sorted(self.fixed, key=str):
            before, _ = decode(self.originals[path])
            after, _ = decode(self.fixed[path])
            name = path.as_posix()
            lines = difflib.unified_diff(
                before.splitlines(keepends=True), after.splitlines(keepends=True), fromfile=name, tofile=name
            )
            chunks.append("".join(_ends_with_newline(line) for line in lines))
        return "\n".join(chunks)


def fix_files(
    paths: Sequence[Path],
    resolver: SettingsResolver,
    *,
    cwd: Path,
    unsafe: bool = False,
    context: Sequence[Path] = (),
    sources: dict[Path, bytes] | None = None,
    report: Report | None = None,
    facts_cache: FactsCache | None = None,
) -> FixResult:
    """Check `paths`, apply the applicable fixes of their findings in memory (nothing is
    written), check again, and repeat while fixes apply. `report` is the first check, when the
    caller has it (made with `facts_cache`, so that unchanged files are not parsed again)."""
    cache = facts_cache if facts_cache is not None else FactsCache()
    texts: dict[Path, bytes] = dict(sources or {})

    def run() -> Report:
        return check(paths, resolver, cwd=cwd, context=context, sources=texts, facts_cache=cache)

    report = report if report is not None else run()
    result = FixResult(report)
    for _ in range(MAX_PASSES):
        by_path: dict[Path, list[Diagnostic]] = {}
        for diagnostic in report.diagnostics:
            if diagnostic.fix is not None and diagnostic.fix.applies(unsafe):
                by_path.setdefault(diagnostic.path, []).append(diagnostic)
        changed = False
        for path, diagnostics in by_path.items():
            original = texts.get(path) if path in texts else _read(cwd / path)
            if original is None:
                continue
            text, encoding = decode(original)
            fixes = {id(d.fix): d for d in diagnostics}
            new, applied = apply_fixes(text, [d.fix for d in diagnostics])  # type: ignore[misc]
            if not applied or new == text:
                continue
            result.originals.setdefault(path, original)
            texts[path] = new.encode(encoding)
            result.applied.update((path, fixes[id(fix)].code) for fix in applied)
            changed = True
        if not changed:
            break
        report = run()
    if _remove_unused_imports(result, texts):
        report = run()
    result.report = report
    result.fixed = {path: texts[path] for path in result.originals if texts[path] != result.originals[path]}
    return result


def _remove_unused_imports(result: FixResult, texts: dict[Path, bytes]) -> bool:
    """Remove the top-level imports that were used before the fixes and are not after them."""
    from detlint.analysis.extract import extract
    from detlint.fixes import removal_edit
    from detlint.fixes.imports import without_names

    changed = False
    for path, original in result.originals.items():
        before = extract(path, original, "module", ()).fix_context
        after_facts = extract(path, texts[path], "module", ())
        if after_facts.parse_failure is not None:
            continue
        after = after_facts.fix_context
        unused = {name for name, uses in after.uses.items() if uses == 0 and before.uses.get(name, 0) > 0}
        bindings = Counter(name for statement in after.imports for name in statement.names)
        edits = []
        for statement in after.imports:
            names = tuple(name for name in statement.names if name in unused and bindings[name] == 1)
            if names:
                edits.append(removal_edit(statement, without_names(statement.source, names)))
        if edits:
            text, encoding = decode(texts[path])
            texts[path] = apply_edits(text, edits).encode(encoding)
            changed = True
    return changed


def decode(source: bytes) -> tuple[str, str]:
    """The text of a Python file and its encoding (a coding cookie or a BOM, else UTF-8)."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(source).readline)
    except SyntaxError:
        encoding = "utf-8"
    return source.decode(encoding), encoding


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _ends_with_newline(line: str) -> str:
    return line if line.endswith(("\n", "\r")) else line + "\n\\ No newline at end of file\n"
