"""detlint as a flake8 plugin: `flake8 --extend-select DET`.

flake8 asks a plugin about one file at a time, but a finding may come from a helper in another
module. So the plugin analyses what flake8 was asked to check (its path arguments) once per
process, as `detlint check` would, and answers each file from that run. A file named on its
own (pre-commit passes changed files one by one) is analysed with its project around it, and a
text that differs from the file on disk (stdin) is analysed from flake8's lines.

The project's detlint configuration applies (select, ignore, per-file-ignores, banned calls,
and exclude: a file below a folder flake8 walks that `detlint check` would skip gets no
findings); `# noqa` is left to flake8. The plugin never raises: flake8 would abort the whole run, so any
problem becomes a DET001 finding that says what went wrong.
"""

from __future__ import annotations

import argparse
import tokenize
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Iterator, Sequence

from detlint import __version__
from detlint.cache import FactsCache
from detlint.config import ConfigError, SettingsResolver, display_path
from detlint.engine import PARSE_ERROR, Report, check
from detlint.integrations import encode_source, project_root
from detlint.model import Diagnostic
from detlint.rules.base import all_rules

Result = tuple[int, int, str, type]


@dataclass
class _Run:
    report: Report
    checked: frozenset[Path]


class Plugin:
    name = "detlint"
    version = __version__

    # Per flake8 process: the options, one run per set of paths, the facts of files read.
    _options: ClassVar[argparse.Namespace | None] = None
    _runs: ClassVar[dict[tuple, _Run]] = {}
    _facts: ClassVar[FactsCache] = FactsCache()

    def __init__(self, tree: object, lines: Sequence[str], filename: str) -> None:
        self.lines = lines
        self.filename = filename

    @classmethod
    def add_options(cls, manager: Any) -> None:
        manager.add_option(
            "--detlint-select",
            parse_from_config=True,
            comma_separated_list=True,
            default=None,
            help="detlint rule codes or prefixes to enable, replacing the project's `select` (e.g. ALL)",
        )
        manager.add_option(
            "--detlint-extend-select",
            parse_from_config=True,
            comma_separated_list=True,
            default=[],
            help="detlint rule codes or prefixes to enable as well (rules that are off by default)",
        )

    @classmethod
    def parse_options(cls, options: argparse.Namespace) -> None:
        cls._options = options
        cls._runs.clear()

    def run(self) -> Iterator[Result]:
        try:
            yield from self._results()
        except Exception as error:  # flake8 aborts everything when a plugin raises
            yield 1, 0, f"{PARSE_ERROR} detlint internal error: {type(error).__name__}: {error}", type(self)

    def _results(self) -> Iterator[Result]:
        cwd = Path.cwd()
        options = self._options
        arguments = [Path(a) for a in (getattr(options, "filenames", None) or ["."]) if a != "-"]
        overrides = {
            "select": _codes(getattr(options, "detlint_select", None)),
            "extend_select": _codes(getattr(options, "detlint_extend_select", None)) or [],
        }
        try:
            resolver = SettingsResolver(all_rules(), cwd=cwd, overrides=overrides)
            path = display_path(Path(self.filename), cwd)
            paths = [a for a in arguments if (cwd / a).exists()]
            inside = any(_contains(cwd / a, cwd / path) for a in paths)
            if not inside:
                paths.append(project_root(path, resolver, cwd=cwd))
            key = (tuple(sorted(map(str, paths))), repr(overrides))
            run = self._runs.get(key)
            if run is None:
                report = check(paths, resolver, cwd=cwd, noqa=False, facts_cache=self._facts)
                run = self._runs[key] = _Run(report, frozenset(report.paths))
            source = _on_disk(cwd / path, self.lines)
            if source is not None and path in run.checked:
                report = run.report
            elif source is not None and inside:
                return  # excluded (or git-ignored) below a folder flake8 walks: `detlint check` skips it
            else:
                text = source if source is not None else encode_source("".join(self.lines))
                report = check(
                    [], resolver, cwd=cwd, sources={path: text}, context=paths, noqa=False, facts_cache=self._facts
                )
        except ConfigError as error:
            yield 1, 0, f"{PARSE_ERROR} detlint cannot run: {error}", type(self)
            return
        for diagnostic in report.diagnostics:
            if diagnostic.path == path:
                yield _result(diagnostic, type(self))
        for message in report.errors:
            if message.startswith(f"{path}: "):
                yield 1, 0, f"{PARSE_ERROR} detlint {message.removeprefix(f'{path}: ')}", type(self)


def _result(diagnostic: Diagnostic, plugin: type) -> Result:
    start = diagnostic.range.start
    return start.line, max(start.column - 1, 0), f"{diagnostic.code} {diagnostic.message}", plugin


def _codes(values: Sequence[str] | None) -> list[str] | None:
    if values is None:
        return None
    return [v.strip().upper() for v in values if v.strip()]


def _contains(folder: Path, path: Path) -> bool:
    return folder.is_dir() and path.resolve().is_relative_to(folder.resolve())


def _on_disk(location: Path, lines: Sequence[str]) -> bytes | None:
    """The file's bytes when flake8's lines are its text as flake8 reads it (the declared
    encoding, else latin-1); None for stdin or a text that differs from the file."""
    try:
        raw = location.read_bytes()
    except OSError:
        return None
    try:
        with tokenize.open(location) as handle:
            text = handle.read()
    except (SyntaxError, UnicodeError, OSError):
        with open(location, encoding="latin-1") as handle:
            text = handle.read()
    return raw if text == "".join(lines) else None

