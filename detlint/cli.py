"""The command line: `detlint check`, `detlint lock`, `detlint rules`, `detlint rule CODE`, `detlint lsp`,
`detlint new TEMPLATE`.

Exit codes as ruff: 0 no findings (or --exit-zero), 1 findings, 2 usage, configuration or
internal error.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
from pathlib import Path
from typing import Sequence

from detlint import __version__
from detlint.cache import FactsCache
from detlint.config import ConfigError, SettingsResolver
from detlint.discover import is_excluded
from detlint.engine import check
from detlint.output import FORMATTERS
from detlint.output.progress import progress_for
from detlint.output.rule_docs import render
from detlint.output.text import format_fixed, format_statistics, format_text
from detlint.rules.base import all_rules
from detlint.versioning.baseline import GitBaseline
from detlint.versioning.write import write_locks

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse exits 2 too; keep its message one line
        self.exit(EXIT_ERROR, f"detlint: error: {message}\n")


def _codes(value: str) -> list[str]:
    return [code.strip().upper() for code in value.split(",") if code.strip()]


def _positive(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, not {value!r}")
    return int(value)


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="detlint", description="Keeps Temporal workflows deterministic.")
    parser.add_argument("--version", action="version", version=f"detlint {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    check_parser = commands.add_parser("check", help="analyse files and report findings")
    check_parser.add_argument("paths", nargs="*", type=Path, default=[Path(".")], metavar="PATH")
    check_parser.add_argument("--select", type=_codes, help="rule codes or prefixes to enable (replaces the config)")
    check_parser.add_argument("--extend-select", type=_codes, default=[], help="codes or prefixes to enable as well")
    check_parser.add_argument("--ignore", type=_codes, default=[], help="codes or prefixes to disable")
    check_parser.add_argument("--format", choices=sorted(FORMATTERS), default="text", help="output format")
    check_parser.add_argument("--output-file", "-o", type=Path, help="write the report to this file")
    check_parser.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    check_parser.add_argument("--statistics", action="store_true", help="count findings per rule")
    check_parser.add_argument("--fix", action="store_true", help="apply the safe fixes, then report what remains")
    check_parser.add_argument(
        "--unsafe-fixes", action="store_true", help="also apply (or count as fixable) fixes that may change behaviour"
    )
    check_parser.add_argument(
        "--diff", action="store_true", help="print the fixes as a unified diff and write nothing (exit 1 if any)"
    )
    check_parser.add_argument("--show-fixes", action="store_true", help="list the fixes applied, per file and rule")
    check_parser.add_argument("--config", type=Path, help="use this configuration file for every path")
    check_parser.add_argument(
        "--force-exclude", action="store_true", help="skip paths given explicitly when the configuration excludes them"
    )
    check_parser.add_argument(
        "--context",
        type=Path,
        action="append",
        default=[],
        metavar="PATH",
        help="also read PATH for cross-module facts (the helpers a workflow calls), without reporting on it",
    )
    check_parser.add_argument(
        "--base",
        metavar="REV",
        help="compare workflows with their code at this git revision (DET5xx) instead of detlint.lock",
    )

    lock_parser = commands.add_parser("lock", help="write detlint.lock: the command skeleton of every workflow")
    lock_parser.add_argument("paths", nargs="*", type=Path, default=[Path(".")], metavar="PATH")
    lock_parser.add_argument("--config", type=Path, help="use this configuration file for every path")

    check_parser.add_argument("--no-cache", action="store_true", help="parse every file again; read and write no cache")
    check_parser.add_argument(
        "--jobs", "-j", type=_positive, default=_cores(), metavar="N", help="processes that parse files (default: the cores)"
    )
    check_parser.add_argument(
        "--quiet", "-q", action="store_true", help="print findings only: no progress line and no summary"
    )
    check_parser.add_argument(
        "--cache-dir", type=Path, help="where to keep parsed facts (default: the `cache-dir` setting, .detlint_cache)"
    )

    lsp_parser = commands.add_parser("lsp", help="run the language server on stdin/stdout")
    lsp_parser.add_argument("--debounce", type=float, default=0.3, metavar="SECONDS", help="wait after a change")

    new_parser = commands.add_parser("new", help="write a reference pattern template: workflow, activities, worker, test")
    new_parser.add_argument("template", nargs="?", metavar="TEMPLATE", help="the template's name (see --list)")
    new_parser.add_argument("dest", nargs="?", type=Path, default=Path("."), metavar="DEST", help="default: .")
    new_parser.add_argument("--list", action="store_true", help="list the templates")
    new_parser.add_argument("--force", action="store_true", help="overwrite files that exist")

    commands.add_parser("rules", help="list every rule")
    rule_parser = commands.add_parser("rule", help="explain one rule")
    rule_parser.add_argument("code", type=str.upper)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "rules":
        return _list_rules()
    if args.command == "rule":
        return _explain_rule(args.code)
    if args.command == "lsp":
        return _serve(args)
    if args.command == "lock":
        return _lock(args)
    if args.command == "new":
        from detlint.scaffold import new_command

        return new_command(args)
    return _check(args)


def _check(args: argparse.Namespace) -> int:
    # A run builds millions of small objects (trees, facts) and almost no reference cycles:
    # the default collector thresholds spend a tenth of a warm run scanning them.
    gc.set_threshold(100_000, 50, 100)
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
        cache = None if args.no_cache else FactsCache(_cache_folder(args.cache_dir, resolver, cwd))
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
        print(f"detlint: error: {error}", file=sys.stderr)
        return EXIT_ERROR
    if args.diff and fixed is not None:
        return _diff(fixed, report, args.unsafe_fixes)
    if fixed is not None:
        if not _write(fixed.fixed, cwd):
            return EXIT_ERROR
        report = fixed.report
    for message in report.errors:
        print(f"detlint: error: {message}", file=sys.stderr)

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
            print(f"detlint: error: cannot write {args.output_file}: {error.strerror}", file=sys.stderr)
            return EXIT_ERROR
    else:
        sys.stdout.write(output)

    if report.errors:
        return EXIT_ERROR
    return EXIT_FINDINGS if diagnostics and not args.exit_zero else EXIT_CLEAN


def _cache_folder(given: Path | None, resolver: SettingsResolver, cwd: Path) -> Path:
    if given is not None:
        return cwd / given
    settings = resolver.for_path(cwd / "-")  # the configuration governing the folder detlint runs in
    return settings.root / settings.cache_dir


def _lock(args: argparse.Namespace) -> int:
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


def _diff(fixed, report, unsafe: bool) -> int:
    """`--diff`: the changes the fixes would make, nothing written; exit 1 when there are any."""
    for message in fixed.report.errors or report.errors:
        print(f"detlint: error: {message}", file=sys.stderr)
    sys.stdout.write(fixed.diff())
    if fixed.count:
        print(f"Would fix {fixed.count} error{'s' if fixed.count != 1 else ''}.", file=sys.stderr)
    else:
        hidden = 0 if unsafe else sum(1 for d in report.diagnostics if d.fix is not None and not d.fix.applies(False))
        extra = f" ({hidden} fix{'es' if hidden != 1 else ''} available with `--unsafe-fixes`)" if hidden else ""
        print(f"No errors would be fixed{extra}.", file=sys.stderr)
    if fixed.report.errors or report.errors:
        return EXIT_ERROR
    return EXIT_FINDINGS if fixed.fixed else EXIT_CLEAN


def _write(files: dict[Path, bytes], cwd: Path) -> bool:
    for path, text in files.items():
        try:
            (cwd / path).write_bytes(text)
        except OSError as error:
            print(f"detlint: error: cannot write {path}: {error.strerror}", file=sys.stderr)
            return False
    return True


def _before_summary(output: str, shown: str, findings: int) -> str:
    """The list of fixes goes between the findings and the summary, as ruff prints it."""
    lines = output.splitlines(keepends=True)
    return "".join(lines[:findings]) + shown + "".join(lines[findings:])


def _list_rules() -> int:
    rules = all_rules().values()
    width = max(len(rule.name) for rule in rules)
    for rule in rules:
        default = "" if rule.default_enabled else "  (off by default)"
        print(f"{rule.code}  {rule.name:<{width}}  {rule.severity.value:<7}  {rule.summary}{default}")
    return EXIT_CLEAN


def _explain_rule(code: str) -> int:
    rule = all_rules().get(code)
    if rule is None:
        print(f"detlint: error: unknown rule code {code!r} (see `detlint rules`)", file=sys.stderr)
        return EXIT_ERROR
    sys.stdout.write(render(rule))
    return EXIT_CLEAN


def _serve(args: argparse.Namespace) -> int:
    try:
        from detlint.integrations.lsp import serve
    except ImportError as error:
        print(f"detlint: error: the language server needs pygls: pip install 'detlint[lsp]' ({error})", file=sys.stderr)
        return EXIT_ERROR
    serve(debounce=args.debounce)
    return EXIT_CLEAN
