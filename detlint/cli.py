"""The command line: `detlint check`, `detlint lock`, `detlint rules`, `detlint rule CODE`, `detlint lsp`,
`detlint new TEMPLATE`.

Exit codes as ruff: 0 no findings (or --exit-zero), 1 findings, 2 usage, configuration or
internal error.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Sequence

from detlint import __version__, last_run
from detlint.last_run import EXIT_CLEAN, EXIT_ERROR

# Imported only once a command needs them: a check that replays its last run (last_run.py)
# loads neither the engine nor the rules.
OUTPUT_FORMATS = ("github", "json", "sarif", "text")


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
    check_parser.add_argument("--format", choices=OUTPUT_FORMATS, default="text", help="output format")
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

    check_parser.add_argument("--no-cache", action="store_true", help="parse every file again; read and write no cache (nor the record of the last run)")
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
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    if args.command == "lsp":
        return _serve(args)
    if args.command == "new":
        from detlint.scaffold import new_command

        return new_command(args)
    if args.command == "check":
        return _check(args, argv)

    from detlint import commands

    if args.command == "rules":
        return commands.list_rules()
    if args.command == "rule":
        return commands.explain_rule(args.code)
    return commands.lock(args)


def _check(args: argparse.Namespace, argv: list[str]) -> int:
    # Fixes write files, a git revision and an output file are inputs or effects a record does not hold.
    recordable = not (args.no_cache or args.fix or args.diff or args.base or args.output_file)
    if recordable:
        code = last_run.replay(argv)
        if code is not None:
            return code

    from detlint import commands

    if not recordable:
        return commands.run_check(args, None).print()
    with last_run.Recording(argv) as recording:
        outcome = commands.run_check(args, recording)
    recording.save(outcome)
    return outcome.print()


def _serve(args: argparse.Namespace) -> int:
    try:
        from detlint.integrations.lsp import serve
    except ImportError as error:
        print(f"detlint: error: the language server needs pygls: pip install 'detlint[lsp]' ({error})", file=sys.stderr)
        return EXIT_ERROR
    serve(debounce=args.debounce)
    return EXIT_CLEAN
