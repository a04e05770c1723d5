"""Sweep detlint over real code: the installed CPython standard library and every package in
this environment's site-packages (temporalio included). Every file is parsed and analysed
(each is named explicitly, so the demand-driven pre-filter skips none), with all rules on.

    python benchmarks/sweep.py                      # everything (tens of minutes on 2 cores)
    python benchmarks/sweep.py --budget 120         # stop starting new files after 120 s
    python benchmarks/sweep.py --isolated           # each file alone: no imported modules parsed

Prints the files analysed, the DET001 findings (files Python itself cannot parse here: test
data, Python 2 leftovers), the internal errors and the runtime; exits 1 when there is any
internal error, or an exception escaped the engine. Files are taken in a fixed pseudo-random
order (by a hash of their path), so a budgeted run is a spread-out sample, the same one on
every machine, of which a faster machine covers more. tests/test_robustness.py runs it with a
budget in CI.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import sysconfig
import tempfile
import time
import traceback
from pathlib import Path

from detlint.cache import FactsCache
from detlint.config import SettingsResolver
from detlint.engine import Report, check
from detlint.rules.base import all_rules

BATCH = 25


def roots() -> list[Path]:
    paths = sysconfig.get_paths()
    found = []
    for key in ("stdlib", "purelib", "platlib"):
        folder = Path(paths[key]).resolve()
        if folder.is_dir() and folder not in found:
            found.append(folder)
    return found


def files_under(root: Path, others: list[Path]) -> list[Path]:
    """The .py and .pyi files below `root`, not inside another root or a site-packages folder
    (the stdlib holds the base interpreter's) and not in __pycache__."""
    found = []
    for path in root.rglob("*.py*"):
        inner = path.relative_to(root).parts
        if path.suffix not in (".py", ".pyi") or "__pycache__" in inner:
            continue
        if "site-packages" in inner or "dist-packages" in inner:  # the base interpreter's packages
            continue
        if any(other != root and other.is_relative_to(root) and path.is_relative_to(other) for other in others):
            continue
        if path.is_file():
            found.append(path)
    return found


def order(path: Path, root: Path) -> str:
    return hashlib.sha1(f"{root.name}/{path.relative_to(root).as_posix()}".encode()).hexdigest()


def _isolated(root: Path, paths: list[Path], empty: Path, resolver: SettingsResolver) -> Report:
    """Each file alone, its text given as an unsaved buffer would be, in an empty folder."""
    joined = Report()
    for path in paths:
        try:
            source = (root / path).read_bytes()
        except OSError as error:
            joined.errors.append(f"{path}: cannot read: {error}")
            continue
        report = check([], resolver, cwd=empty, sources={path: source}, noqa=False)
        joined.errors.extend(report.errors)
        joined.diagnostics.extend(report.diagnostics)
        joined.parsed += report.parsed
    return joined


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=float, default=None, help="seconds; no new batch starts after it")
    parser.add_argument("--root", type=Path, action="append", help="sweep these folders instead")
    parser.add_argument("--verbose", action="store_true", help="print each batch and its time")
    parser.add_argument(
        "--isolated",
        action="store_true",
        help="analyse each file alone, as an editor buffer in an empty folder: the whole engine on it, without "
        "parsing the modules it imports (much faster; what the test suite runs)",
    )
    parser.add_argument("--batch", type=int, default=BATCH, help="files per engine run (and per budget check)")
    args = parser.parse_args(argv)
    folders = [p.resolve() for p in args.root] if args.root else roots()
    work = sorted(
        ((order(path, root), root, path) for root in folders for path in files_under(root, folders)),
        key=lambda item: item[0],
    )
    resolvers = {root: SettingsResolver(all_rules(), cwd=root, overrides={"select": ["ALL"]}) for root in folders}
    # Imported modules are parsed with the files that import them: kept, they are parsed once.
    cache = FactsCache()
    empty = Path(tempfile.mkdtemp(prefix="detlint-sweep-"))
    isolated = SettingsResolver(all_rules(), cwd=empty, overrides={"select": ["ALL"]})
    slowest: list[tuple[float, str]] = []
    start = time.perf_counter()
    done = parse_failures = findings = 0
    errors: list[str] = []
    for first in range(0, len(work), args.batch):
        if args.budget is not None and time.perf_counter() - start > args.budget:
            break
        batch = work[first : first + args.batch]
        for root in folders:
            paths = [path.relative_to(root) for _, r, path in batch if r == root]
            if not paths:
                continue
            began = time.perf_counter()
            try:
                if args.isolated:
                    report = _isolated(root, paths, empty, isolated)
                else:
                    report = check(paths, resolvers[root], cwd=root, noqa=False, facts_cache=cache)
            except BaseException as error:  # an exception that escaped the engine: a crash
                errors.append(f"{root}: {paths}: engine raised {type(error).__name__}: {error}")
                traceback.print_exc()
                continue
            errors.extend(f"{root}: {m}" for m in report.errors)
            parse_failures += sum(1 for d in report.diagnostics if d.code == "DET001")
            findings += len(report.diagnostics)
            took = time.perf_counter() - began
            slowest = sorted([*slowest, (took, f"{root}: {', '.join(map(str, paths))}")], reverse=True)[:3]
            if args.verbose:
                print(f"{took:6.1f} s  {root}: {len(paths)} files, {report.parsed} parsed", flush=True)
        done += len(batch)
    seconds = time.perf_counter() - start
    print(f"roots: {', '.join(str(f) for f in folders)}")
    print(f"files analysed: {done} of {len(work)} in {seconds:.1f} s")
    if not args.isolated:
        print(f"modules parsed, with the modules they import: {len(cache._entries)}")
    print(f"findings: {findings} (DET001, not parseable by this Python: {parse_failures})")
    for took, what in slowest:
        print(f"slowest batch: {took:.1f} s: {what[:300]}")
    print(f"internal errors: {len(errors)}")
    for message in errors:
        print(f"  {message}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
