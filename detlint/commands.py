"""What `detlint check`, `detlint lock`, `detlint rules` and `detlint rule` do, once the command
line is parsed (detlint/cli.py). A check returns its output rather than printing it, so that
the output can be recorded for an identical later check (detlint/last_run.py)."""

from __future__ import annotations

import argparse
import gc
import sys
from pathlib import Path

from detlint.cache import FactsCache
from detlint.config import ConfigError, SettingsResolver
from detlint.discover import is_excluded
from detlint.engine import check
from detlint.last_run import EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, Outcome, Recording
from detlint.output import FORMATTERS
from detlint.output.progress import progress_for
from detlint.output.rule_docs import render
from detlint.output.text import format_fixed, format_statistics, format_text
from detlint.rules.base import all_rules
from detlint.versioning.baseline import GitBaseline
from detlint.versioning.write import write_locks

def run_check(args: argparse.Namespace, recording: Recording | None) -> Outcome:
    # A run builds millions of small objects (trees, facts) and almost no reference cycles:
    # the default collector thresholds spend a tenth of a warm run scanning them.
    gc.set_threshold(100_000, 50, 100)
    outcome = Outcome()
    cwd = Path.cwd()
    try:
        resolver = SettingsResolver(
            all_rules(),
            cwd=cwd,
            config_file=args.config,
            overrides={"select": args.select, "extend_select": args.extend_select, "ignore": args.ignore},
        )
        paths = args.paths
        if args.force_exclude:
            paths = [path for path in paths if not is_excluded(path, resolver, cwd=cwd)]
        cache = None
        if not args.no_cache:
            folder = _cache_folder(args.cache_dir, resolver, cwd)
            if recording is not None:
                recording.ignore(folder)
            cache = FactsCache(folder)
        baseline = GitBaseline(args.base, cwd) if args.base is not None else None
        progress = progress_for(sys.stderr, args.quiet)
        try:
            report = check(
                paths,
                resolver,
                cwd=cwd,
                context=args.context,
                facts_cache=cache,
                baseline=baseline,
                jobs=args.jobs,
                progress=progress,
            )
        finally:
            if progress is not None:
                progress.close()
        fixed = None
        if args.fix or args.diff:
            from detlint.fixes.apply import fix_files

            fixed = fix_files(
                paths, resolver, cwd=cwd, unsafe=args.unsafe_fixes, context=args.context, report=report, facts_cache=cache
            )
    except ConfigError as error:
        outcome.error(str(error))
        outcome.code = EXIT_ERROR
        return outcome
    if args.diff and fixed is not None:
        return _diff(fixed, report, args.unsafe_fixes, outcome)
    if fixed is not None:
        if not _write(fixed.fixed, cwd, outcome):
            outcome.code = EXIT_ERROR
            return outcome
        report = fixed.report
    for message in report.errors:
        outcome.error(message)

    diagnostics = report.diagnostics
    count = fixed.count if fixed is not None else 0
    shown = format_fixed(fixed.applied) if fixed is not None and args.show_fixes else ""
    if args.statistics:
        output = shown + format_statistics(diagnostics, fixed=count, unsafe_fixes=args.unsafe_fixes)
    elif args.format == "text":
        output = format_text(diagnostics, fixed=count, unsafe_fixes=args.unsafe_fixes, summary=not args.quiet)
        output = output if not shown else _before_summary(output, shown, len(diagnostics))
    else:
        output = FORMATTERS[args.format](diagnostics)
    if args.output_file is not None:
        try:
            args.output_file.write_text(output, encoding="utf-8")
        except OSError as error:
            outcome.error(f"cannot write {args.output_file}: {error.strerror}")
            outcome.code = EXIT_ERROR
            return outcome
    else:
        outcome.out(output)

    if report.errors:
        outcome.code = EXIT_ERROR
    elif diagnostics and not args.exit_zero:
        outcome.code = EXIT_FINDINGS
    return outcome


def _cache_folder(given: Path | None, resolver: SettingsResolver, cwd: Path) -> Path:
    if given is not None:
        return cwd / given
    settings = resolver.for_path(cwd / "-")  # the configuration governing the folder detlint runs in
    return settings.root / settings.cache_dir


def _diff(fixed, report, unsafe: bool, outcome: Outcome) -> Outcome:
    """`--diff`: the changes the fixes would make, nothing written; exit 1 when there are any."""
    for message in fixed.report.errors or report.errors:
        outcome.error(message)
    outcome.out(fixed.diff())
    if fixed.count:
        outcome.err(f"Would fix {fixed.count} error{'s' if fixed.count != 1 else ''}.\n")
    else:
        hidden = 0 if unsafe else sum(1 for d in report.diagnostics if d.fix is not None and not d.fix.applies(False))
        extra = f" ({hidden} fix{'es' if hidden != 1 else ''} available with `--unsafe-fixes`)" if hidden else ""
        outcome.err(f"No errors would be fixed{extra}.\n")
    if fixed.report.errors or report.errors:
        outcome.code = EXIT_ERROR
    elif fixed.fixed:
        outcome.code = EXIT_FINDINGS
    return outcome


def _write(files: dict[Path, bytes], cwd: Path, outcome: Outcome) -> bool:
    for path, text in files.items():
        try:
            (cwd / path).write_bytes(text)
        except OSError as error:
            outcome.error(f"cannot write {path}: {error.strerror}")
            return False
    return True


def _before_summary(output: str, shown: str, findings: int) -> str:
    """The list of fixes goes between the findings and the summary, as ruff prints it."""
    lines = output.splitlines(keepends=True)
    return "".join(lines[:findings]) + shown + "".join(lines[findings:])


def lock(args: argparse.Namespace) -> int:
    cwd = Path.cwd()
    try:
        resolver = SettingsResolver(all_rules(), cwd=cwd, config_file=args.config)
        written = write_locks(args.paths, resolver, cwd)
    except ConfigError as error:
        print(f"detlint: error: {error}", file=sys.stderr)
        return EXIT_ERROR
    for message in written.warnings:
        print(f"detlint: warning: {message}", file=sys.stderr)
    for message in written.errors:
        print(f"detlint: error: {message}", file=sys.stderr)
    for lock_file, count in written.files.items():
        print(f"wrote {lock_file} ({count} workflow type{'' if count == 1 else 's'})")
    if not written.files and not written.errors:
        print("detlint: no workflow found and no lock file to update; nothing written", file=sys.stderr)
    return EXIT_ERROR if written.errors else EXIT_CLEAN


def list_rules() -> int:
    rules = all_rules().values()
    width = max(len(rule.name) for rule in rules)
    for rule in rules:
        default = "" if rule.default_enabled else "  (off by default)"
        print(f"{rule.code}  {rule.name:<{width}}  {rule.severity.value:<7}  {rule.summary}{default}")
    return EXIT_CLEAN


def explain_rule(code: str) -> int:
    rule = all_rules().get(code)
    if rule is None:
        print(f"detlint: error: unknown rule code {code!r} (see `detlint rules`)", file=sys.stderr)
        return EXIT_ERROR
    sys.stdout.write(render(rule))
    return EXIT_CLEAN
