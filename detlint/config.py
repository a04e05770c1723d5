"""Configuration: find the nearest config file, read it, validate it, answer selection questions.

Follows ruff: `[tool.detlint]` in pyproject.toml or top-level keys in detlint.toml, the nearest
config governs its folder's tree and nothing merges between files, CLI flags override every file.
"""

from __future__ import annotations

import difflib
import itertools
import os
import re
import sys
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import Any

from detlint import last_run

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

__all__ = [
    "CONFIG_FILE",
    "CONFIG_KEYS",
    "DEFAULT_EXCLUDE",
    "DEFAULT_HEAVY_IMPORTS",
    "DEFAULT_IDEMPOTENCY_HEADERS",
    "DEFAULT_IDEMPOTENCY_REQUIRED_CALLS",
    "ConfigError",
    "ConfigKey",
    "Settings",
    "SettingsResolver",
    "display_path",
    "find_config_file",
    "load_settings",
]

CONFIG_FILE = "detlint.toml"
PYPROJECT = "pyproject.toml"
TABLE = "tool.detlint"

DEFAULT_EXCLUDE: tuple[str, ...] = (
    ".git", ".hg", ".svn", ".venv", "venv", ".tox", ".nox", ".mypy_cache", ".ruff_cache",
    ".pytest_cache", ".detlint_cache", "__pycache__", "build", "dist", "node_modules", "site-packages", ".eggs",
    "*.egg-info",
)  # fmt: skip

# grpc is deliberately absent: the Temporal SDK passes it through the sandbox itself; so is
# openai, which Temporal's OpenAI Agents plugin passes through.
DEFAULT_HEAVY_IMPORTS: tuple[str, ...] = (
    "requests", "httpx", "aiohttp", "boto3", "botocore", "numpy", "pandas", "sqlalchemy",
    "psycopg", "psycopg2", "asyncpg", "pymongo", "redis", "urllib3", "kafka", "confluent_kafka",
)  # fmt: skip

# DET301/DET303: request headers that carry an idempotency key (compared case-insensitively).
DEFAULT_IDEMPOTENCY_HEADERS: tuple[str, ...] = ("Idempotency-Key", "X-Idempotency-Key")

# DET306: calls that must carry an idempotency key. A `*` segment stands for any one segment
# (`stripe.*.create` is `stripe.Charge.create`), a segment ending in `()` for an instance
# (`stripe.StripeClient().*.create` is `StripeClient(key).customers.create`).
DEFAULT_IDEMPOTENCY_REQUIRED_CALLS: tuple[str, ...] = (
    "stripe.*.create", "stripe.*.create_async",
    "stripe.*.capture", "stripe.*.capture_async",
    "stripe.*.confirm", "stripe.*.confirm_async",
    "stripe.*.pay", "stripe.*.pay_async",
    "stripe.*.*.create", "stripe.*.*.create_async",
    "stripe.*.*.capture", "stripe.*.*.capture_async",
    "stripe.*.*.confirm", "stripe.*.*.confirm_async",
    "stripe.StripeClient().v1.*.create", "stripe.StripeClient().v1.*.create_async",
    "resend.Emails.send", "resend.Batch.send",
)  # fmt: skip

_SELECTOR = re.compile(r"DET[0-9]{0,3}")
_QUALIFIED_NAME = re.compile(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*")
_CALL_PATTERN = re.compile(r"[A-Za-z_]\w*(\(\))?(\.([A-Za-z_]\w*(\(\))?|\*))*")
_HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")  # an HTTP token (RFC 9110)


class ConfigError(Exception):
    """A broken configuration: message already names file, key and line
    (e.g. "pyproject.toml:12: [tool.detlint] unknown key 'selet'")."""


# --------------------------------------------------------------------------- settings


@dataclass(frozen=True)
class Settings:
    root: Path  # the folder this config governs; patterns and per-file-ignores are relative to it
    config_file: Path | None
    select: tuple[str, ...] | None = None  # None = the default set
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    extend_exclude: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    banned_calls: tuple[tuple[str, str], ...] = ()
    workflow_decorators: tuple[str, ...] = ()
    activity_decorators: tuple[str, ...] = ()
    heavy_imports: tuple[str, ...] = DEFAULT_HEAVY_IMPORTS
    # First-party source folders, relative to root, for module names of namespace packages
    # (as ruff's `src`); empty: names come from the `__init__.py` files around each file.
    src: tuple[str, ...] = ()
    idempotency_headers: tuple[str, ...] = DEFAULT_IDEMPOTENCY_HEADERS
    idempotency_required_calls: tuple[str, ...] = DEFAULT_IDEMPOTENCY_REQUIRED_CALLS
    cache_dir: str = ".detlint_cache"
    # What relative paths given to is_excluded / is_ignored_for are relative to. Callers such as
    # the engine run with an explicit cwd that need not be the process's; None = the process's.
    cwd: Path | None = None

    def is_enabled(self, code: str, default_enabled: bool) -> bool:
        if self.select is None:
            selected = default_enabled
        else:
            selected = any(_selects(s, code, default_enabled) for s in self.select)
        selected = selected or any(_selects(s, code, default_enabled) for s in self.extend_select)
        return selected and not any(_matches(s, code) for s in self.ignore)

    def is_ignored_for(self, path: Path, code: str) -> bool:
        candidates = list(self._candidates(path, ancestors=True))
        return any(
            any(_matches(s, code) for s in codes) and any(rx.fullmatch(c) for c in candidates)
            for rx, codes in self._per_file_ignores
        )

    def is_excluded(self, path: Path, *, ancestors: bool = True) -> bool:
        """Whether an exclude/extend-exclude pattern matches `path` (basename or path relative
        to root), or, with `ancestors`, one of its folders below root. A directory walk passes
        ancestors=False: it checked the folders on its way down, and a folder given explicitly
        must be walked even when it is excluded (`detlint check fixtures`)."""
        rx = self._exclude
        return rx is not None and any(
            rx.fullmatch(c) for c in self._candidates(path, ancestors=ancestors)
        )

    def with_overrides(
        self,
        *,
        select: Iterable[str] | None = None,
        extend_select: Iterable[str] = (),
        ignore: Iterable[str] = (),
    ) -> Settings:
        """CLI flags: --select replaces select; --extend-select and --ignore add."""
        return replace(
            self,
            select=self.select if select is None else tuple(select),
            extend_select=self.extend_select + tuple(extend_select),
            ignore=self.ignore + tuple(ignore),
        )

    # Compiled once per Settings: a walk asks these questions for every file and folder.
    @cached_property
    def _exclude(self) -> re.Pattern[str] | None:
        return _compile_globs((*self.exclude, *self.extend_exclude))

    @cached_property
    def _per_file_ignores(self) -> list[tuple[re.Pattern[str], tuple[str, ...]]]:
        compiled = [(_compile_globs([glob]), codes) for glob, codes in self.per_file_ignores]
        return [(rx, codes) for rx, codes in compiled if rx is not None]

    def _candidates(self, path: Path, *, ancestors: bool) -> Iterator[str]:
        """The strings a glob is matched against: the basename, the root-relative posix path and
        the absolute posix path of `path` and, with `ancestors`, of each of its folders below
        root. Outside root only `path` itself counts."""
        absolute = _absolute(path, self.cwd)
        try:
            parts = absolute.relative_to(_absolute(self.root, self.cwd)).parts
        except ValueError:
            yield from (absolute.name, absolute.as_posix())
            return
        for level in range(len(parts) if ancestors else min(len(parts), 1)):
            yield parts[-1 - level]
            yield "/".join(parts[: len(parts) - level])
            yield (absolute.parents[level - 1] if level else absolute).as_posix()


def _selects(selector: str, code: str, default_enabled: bool) -> bool:
    # A rule that is off by default is opt-in: only its own code or ALL turns it on.
    if selector in ("ALL", code):
        return True
    return default_enabled and code.startswith(selector)


def _matches(selector: str, code: str) -> bool:
    return selector == "ALL" or code.startswith(selector)


def _selector_problem(selector: object, known_codes: Collection[str]) -> str | None:
    if not isinstance(selector, str):
        return f"rule selectors must be strings, not {_kind(selector)}"
    if selector == "ALL":
        return None
    if not _SELECTOR.fullmatch(selector):
        return (
            f"{selector!r} is not a rule selector "
            "(expected 'ALL', a code such as 'DET101' or a prefix such as 'DET1')"
        )
    if any(code.startswith(selector) for code in known_codes):
        return None
    if len(selector) == len("DET000"):
        return f"unknown rule code {selector!r}"
    return f"{selector!r} matches no rule"


# --------------------------------------------------------------------------- globs and paths


def _absolute(path: Path, cwd: Path | None) -> Path:
    text = os.fspath(path)
    if not os.path.isabs(text):
        text = os.path.join(cwd if cwd is not None else os.getcwd(), text)
    # Lexical only: resolving symlinks would move paths out from under root.
    normal = os.path.normpath(text)
    return path if isinstance(path, Path) and str(path) == normal else Path(normal)


def display_path(path: Path, cwd: Path) -> Path:
    """`path` as a user sees it: relative to cwd when under it, otherwise absolute."""
    cwd = _absolute(cwd, None)
    absolute = _absolute(path, cwd)
    try:
        return absolute.relative_to(cwd)
    except ValueError:
        return absolute


def _glob_regex(glob: str) -> str:
    """A glob as ruff (globset) reads it: `*` and `?` also cross `/`, `**/` is any number of
    folders (including none), `[...]` is a class."""
    out: list[str] = []
    i = 0
    while i < len(glob):
        if glob.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif glob[i] == "*":
            while i < len(glob) and glob[i] == "*":
                i += 1
            out.append(".*")
        elif glob[i] == "?":
            out.append(".")
            i += 1
        elif glob[i] == "[" and (end := glob.find("]", i + 2)) != -1:
            body = glob[i + 1 : end]
            negate = body.startswith("!")
            body = body[1:] if negate else body
            out.append("[" + ("^" if negate else "") + body.replace("\\", "\\\\") + "]")
            i = end + 1
        else:
            out.append(re.escape(glob[i]))
            i += 1
    return "".join(out)


def _compile_globs(globs: Iterable[str]) -> re.Pattern[str] | None:
    alternatives = []
    for glob in globs:
        glob = glob if glob == "/" else glob.removeprefix("./").rstrip("/")
        if glob.startswith("/"):
            alternatives.append(_glob_regex(glob))
        elif glob:
            # A relative pattern must not match the absolute candidate ("*/gen" would).
            alternatives.append("(?!/)" + _glob_regex(glob))
    if not alternatives:
        return None
    return re.compile("|".join(f"(?:{a})" for a in alternatives), re.DOTALL)


# --------------------------------------------------------------------------- reading files


_HEADER = re.compile(r"^\s*\[\[?([^\]]*)\]")


class _Source:
    """Raw text of a config file, to put a line number on an error (tomllib gives none)."""

    def __init__(self, shown: Path, text: str, table: str) -> None:
        self.shown = shown
        self.lines = text.splitlines()
        self.table = table  # "tool.detlint" in pyproject.toml, "" in detlint.toml

    def error(
        self, message: str, key: str | None = None, inner: str | None = None,
        value: str | None = None,
    ) -> ConfigError:  # fmt: skip
        line = self._line(key, inner, value)
        scope = f"[{self.table}] " if self.table else ""
        return ConfigError(f"{self.shown}:{line}: {scope}{message}")

    def _line(self, key: str | None, inner: str | None, value: str | None) -> int:
        table_line = self._table_line()
        if key is None:
            return table_line
        index = self._key_index(key)
        if index is None:
            return table_line
        if inner is not None:
            found = self._find(index, _key_pattern(inner, anchored=False))
            index = index if found is None else found
        if value is not None:
            found = self._value_index(index, value)
            index = index if found is None else found
        return index + 1

    def _table_line(self) -> int:
        if self.table:
            for i, line in enumerate(self.lines):
                m = _HEADER.match(line)
                if m and _norm(m.group(1)) == self.table:
                    return i + 1
        return 1

    def _key_index(self, key: str) -> int | None:
        # `key = ...` inside the table, or a `[table.key]` sub-table header.
        wanted_header = f"{self.table}.{key}" if self.table else key
        pattern = _key_pattern(key, anchored=True)
        current = ""
        for i, line in enumerate(self.lines):
            m = _HEADER.match(line)
            if m:
                current = _norm(m.group(1))
                if current == wanted_header:
                    return i
            elif current == self.table and pattern.match(line):
                return i
        return None

    def _find(self, start: int, pattern: re.Pattern[str]) -> int | None:
        lines = range(start, len(self.lines))
        return next((i for i in lines if pattern.search(self.lines[i])), None)

    def _value_index(self, start: int, value: str) -> int | None:
        """The line of a string in the value that starts at `start` (a multi-line array)."""
        quoted = re.compile(rf"""(["']){re.escape(value)}\1""")
        next_key = re.compile(r"""^\s*(\[|["']?[\w.-]+["']?\s*=)""")
        for i in range(start, len(self.lines)):
            if i > start and next_key.match(self.lines[i]):
                return None
            if quoted.search(self.lines[i]):
                return i
        return None


def _key_pattern(key: str, *, anchored: bool) -> re.Pattern[str]:
    lead = r"^\s*" if anchored else r"(?:^|[\s{,])"
    return re.compile(rf"""{lead}(["']?){re.escape(key)}\1\s*[=.]""")


def _norm(header: str) -> str:
    return re.sub(r"""["'\s]""", "", header)


def _kind(value: object) -> str:
    kinds = {str: "a string", bool: "a boolean", int: "an integer", float: "a float",
             list: "an array", dict: "a table"}  # fmt: skip
    return kinds.get(type(value), "a date/time")


def _parse_toml(text: str, shown: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        if m := re.search(r"\s*\(at line (\d+), column (\d+)\)", message):
            where = f"{m[1]}:{m[2]}"
        elif m := re.search(r"\s*\(at end of document\)", message):
            lines = text.splitlines() or [""]
            where = f"{len(lines)}:{len(lines[-1]) + 1}"
        else:
            raise ConfigError(f"{shown}: invalid TOML: {message}") from None
        message = message[: m.start()] + message[m.end() :]
        raise ConfigError(f"{shown}:{where}: invalid TOML: {message}") from None


def _read(path: Path, shown: Path) -> str:
    if last_run.is_dir(path):
        raise ConfigError(f"{shown}: is a directory, not a configuration file")
    try:
        return path.read_bytes().decode("utf-8")
    except OSError as exc:
        raise ConfigError(f"{shown}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{shown}: cannot read: not UTF-8 ({exc.reason})") from None


def _has_detlint_table(pyproject: Path, cwd: Path) -> bool:
    try:
        data = pyproject.read_bytes()
    except OSError:
        return False
    # Cheap text test first: an unrelated pyproject.toml is not parsed, so its errors are not ours.
    if b"detlint" not in data:
        return False
    text = _read(pyproject, display_path(pyproject, cwd))  # not UTF-8: an error naming the file
    tool = _parse_toml(text, display_path(pyproject, cwd)).get("tool")
    return isinstance(tool, dict) and "detlint" in tool


def _config_in(directory: Path, cwd: Path) -> Path | None:
    candidate = directory / CONFIG_FILE
    if last_run.is_file(candidate):
        return candidate
    candidate = directory / PYPROJECT
    if last_run.is_file(candidate) and _has_detlint_table(candidate, cwd):
        return candidate
    return None


def find_config_file(directory: Path) -> Path | None:
    """The nearest config walking up from `directory`: in each folder detlint.toml wins over a
    pyproject.toml with a [tool.detlint] table; a pyproject.toml without it is skipped.
    Raises ConfigError for a pyproject.toml that mentions detlint but is not valid TOML."""
    directory = _absolute(directory, None)
    for folder in (directory, *directory.parents):
        found = _config_in(folder, Path.cwd())
        if found is not None:
            return found
    return None


def load_settings(config_file: Path | None, known_codes: Collection[str], *, cwd: Path) -> Settings:
    cwd = _absolute(cwd, None)
    if config_file is None:
        return Settings(root=cwd, config_file=None, cwd=cwd)
    path = _absolute(config_file, cwd)
    shown = display_path(path, cwd)
    text = _read(path, shown)
    data = _parse_toml(text, shown)
    if path.name == PYPROJECT:
        source = _Source(shown, text, TABLE)
        tool = data.get("tool")
        table = tool.get("detlint", {}) if isinstance(tool, dict) else {}
        if not isinstance(table, dict):
            raise source.error(f"must be a table, not {_kind(table)}")
    else:
        source = _Source(shown, text, "")
        table = data
    values = _validate(table, source, known_codes)
    _check_contradictions(values, source)
    return Settings(root=path.parent, config_file=path, cwd=cwd, **values)


def _check_contradictions(values: dict[str, Any], source: _Source) -> None:
    """The same selector turned on and off in one table: one of the two is a mistake."""
    ignored = {item.upper() for item in values.get("ignore") or ()}
    for key in ("select", "extend_select"):
        for item in values.get(key) or ():
            if item.upper() in ignored:
                name = key.replace("_", "-")
                raise source.error(f"'ignore': {item!r} is also in {name!r}; keep it in one of them", "ignore", None, item)


def _validate(table: dict[str, Any], source: _Source, known: Collection[str]) -> dict[str, Any]:
    """The Settings fields a config table sets; ConfigError for the first problem."""
    for key in table:
        if key not in _KEYS:
            kebab = key.replace("_", "-")
            close = [kebab] if kebab in _KEYS else difflib.get_close_matches(key, _KEYS, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise source.error(f"unknown key {key!r}{hint}", key)
    check = _Checker(table, source, known)
    fields = {key.field: key.parse(check, key.name) for key in CONFIG_KEYS}
    return {field: value for field, value in fields.items() if value is not None}


class _Checker:
    """Type and value checks of one config table; each returns None for an absent key."""

    def __init__(self, table: dict[str, Any], source: _Source, known: Collection[str]) -> None:
        self.table = table
        self.error = source.error
        self.known = known

    def strings(self, key: str, what: str) -> tuple[str, ...] | None:
        if key not in self.table:
            return None
        value = self.table[key]
        if not isinstance(value, list):
            raise self.error(f"{key!r} must be an array of {what}, not {_kind(value)}", key)
        for item in value:
            if not isinstance(item, str):
                raise self.error(f"{key!r} must be an array of {what}, but has {_kind(item)}", key)
        return tuple(value)

    def string(self, key: str, what: str) -> str | None:
        if key not in self.table:
            return None
        value = self.table[key]
        if not isinstance(value, str):
            raise self.error(f"{key!r} must be {what}, not {_kind(value)}", key)
        return value

    def selectors(self, key: str) -> tuple[str, ...] | None:
        items = self.strings(key, "rule codes")
        self._check_selectors(items or (), key)
        return items

    def names(
        self, key: str, what: str = "qualified names", pattern: re.Pattern[str] = _QUALIFIED_NAME,
        problem: str = "is not a dotted Python name",
    ) -> tuple[str, ...] | None:  # fmt: skip
        items = self.strings(key, what)
        for item in items or ():
            if not pattern.fullmatch(item):
                raise self.error(f"{key!r}: {item!r} {problem}", key, None, item)
        return items

    def per_file_ignores(
        self, key: str = "per-file-ignores"
    ) -> tuple[tuple[str, tuple[str, ...]], ...] | None:
        table = self._table(key, 'globs to arrays of rule codes ("tests/**" = ["DET1"])')
        for glob, codes in (table or {}).items():
            if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
                raise self.error(f"{key!r}: {glob!r} must be an array of rule codes", key, glob)
            self._check_selectors(codes, key, glob)
        return None if table is None else tuple((g, tuple(c)) for g, c in table.items())

    def banned_calls(self, key: str = "banned-calls") -> tuple[tuple[str, str], ...] | None:
        table = self._table(key, 'qualified names to messages ("acme.now" = "use workflow.now()")')
        for name, message in (table or {}).items():
            if not _QUALIFIED_NAME.fullmatch(name.removesuffix(".*")):
                problem = "is not a dotted Python name (or a module followed by .*)"
                raise self.error(f"{key!r}: {name!r} {problem}", key, name)
            if not isinstance(message, str):
                problem = f"must map to a message string, not {_kind(message)}"
                raise self.error(f"{key!r}: {name!r} {problem}", key, name)
        return None if table is None else tuple(table.items())

    def _table(self, key: str, what: str) -> dict[str, Any] | None:
        value = self.table.get(key)
        if value is not None and not isinstance(value, dict):
            raise self.error(f"{key!r} must be a table of {what}, not {_kind(value)}", key)
        return value

    def _check_selectors(self, items: Iterable[str], key: str, inner: str | None = None) -> None:
        for item in items:
            if problem := _selector_problem(item, self.known):
                where = f"{key!r}" if inner is None else f"{key!r}: {inner!r}"
                raise self.error(f"{where}: {problem}", key, inner, item)


# --------------------------------------------------------------------------- the schema


@dataclass(frozen=True)
class ConfigKey:
    """One configuration key. The parser checks a table with these, and
    docs/configuration.md's reference is generated from them
    (`python -m detlint.output.config_docs docs/configuration.md`), so adding a key is adding
    an entry here (and its field to Settings, which holds its default)."""

    name: str  # kebab-case, as written in the file; the Settings field is its snake_case form
    type: str  # as the reference shows it: "list of selectors"
    description: str  # one sentence or more, Markdown, no `|`
    # (checker, key) -> the value for Settings, or None when the key is absent; ConfigError
    # for a bad value. The _Checker methods do the usual cases.
    parse: Callable[[_Checker, str], Any]
    default_doc: str | None = None  # the default in words, when the value itself says too little

    @property
    def field(self) -> str:
        return self.name.replace("-", "_")

    @property
    def default(self) -> Any:
        """The value a file without this key gets (the Settings field's default)."""
        return Settings.__dataclass_fields__[self.field].default


def _names_of(what: str = "qualified names") -> Callable[[_Checker, str], Any]:
    return lambda check, key: check.names(key, what)


CONFIG_KEYS: tuple[ConfigKey, ...] = (
    ConfigKey(
        "select", "list of selectors", "The rules to run.",
        _Checker.selectors, default_doc="every rule that is on by default",
    ),
    ConfigKey(
        "extend-select", "list of selectors", "More rules to run, on top of `select`.",
        _Checker.selectors,
    ),
    ConfigKey(
        "ignore", "list of selectors",
        "Rules not to run; wins over `select` and `extend-select`.", _Checker.selectors,
    ),
    ConfigKey(
        "exclude", "list of globs",
        "Paths never analysed when walking folders; replaces the default list.",
        lambda check, key: check.strings(key, "glob patterns"),
    ),
    ConfigKey(
        "extend-exclude", "list of globs", "More paths to exclude, on top of `exclude`.",
        lambda check, key: check.strings(key, "glob patterns"),
    ),
    ConfigKey(
        "per-file-ignores", "table: glob -> list of selectors",
        "Rules not to run on the files a glob matches.", _Checker.per_file_ignores,
    ),
    ConfigKey(
        "banned-calls", "table: qualified name -> message",
        "DET115: calls banned in workflow code, with the message to show; `module.*` bans a "
        "whole module.",
        _Checker.banned_calls,
    ),
    ConfigKey(
        "workflow-decorators", "list of qualified names",
        "Your own decorators that define a workflow class (wrappers of `workflow.defn`).",
        _names_of(),
    ),
    ConfigKey(
        "activity-decorators", "list of qualified names",
        "Your own decorators that define an activity (wrappers of `activity.defn`).",
        _names_of(),
    ),
    ConfigKey(
        "src", "list of folders",
        "First-party source folders (as ruff's `src`), relative to the config's folder: module "
        "names of files under them are their paths from the deepest such folder, so namespace "
        "packages (no `__init__.py`) resolve; without it, names come from the `__init__.py` "
        "files around each file.",
        lambda check, key: check.strings(key, "folder paths"),
    ),
    ConfigKey(
        "heavy-imports", "list of module names",
        "DET113: third-party modules that must be passed through the sandbox when a workflow "
        "module imports them; replaces the default list.",
        _names_of(),
    ),
    ConfigKey(
        "idempotency-headers", "list of HTTP header names",
        "DET301, DET303: request headers that carry an idempotency key; compared "
        "case-insensitively; replaces the default list.",
        lambda check, key: check.names(
            key, "HTTP header names", _HEADER_NAME, "is not an HTTP header name"
        ),
    ),
    ConfigKey(
        "idempotency-required-calls", "list of call patterns",
        "DET306: calls that must carry an idempotency key (`idempotency_key=`, an options dict "
        'with `"idempotency_key"`, or an idempotency header); replaces the default list.',
        lambda check, key: check.names(
            key, pattern=_CALL_PATTERN,
            problem="is not a dotted Python name (segments may be '*', or end in '()')",
        ),
    ),
    ConfigKey(
        "cache-dir", "path",
        "Where `detlint check` keeps the facts of the files it parsed, relative to the folder of "
        "this file (as ruff's `cache-dir`). Read from the configuration of the folder detlint "
        "runs in; `--cache-dir` wins, `--no-cache` turns the cache off.",
        lambda check, key: check.string(key, "a path"),
    ),
)  # fmt: skip

_KEYS = tuple(key.name for key in CONFIG_KEYS)


# --------------------------------------------------------------------------- per-file settings


_OVERRIDE_FLAGS = {"select": "--select", "extend_select": "--extend-select", "ignore": "--ignore"}


class SettingsResolver:
    """Settings for each analysed file: the nearest config governs its folder's tree
    (hierarchical, as ruff: nothing merges between files). Caches per directory. With an
    explicit --config file, that file governs every path, and (as ruff) its relative paths and
    patterns are relative to cwd, since the file may live anywhere (`--config ci/detlint.toml`).

    `overrides` are CLI flags, keyword arguments of Settings.with_overrides; they are validated
    here, so a bad `--select` is a ConfigError (exit code 2) like a bad config file."""

    def __init__(
        self,
        known_codes: Collection[str],
        *,
        cwd: Path,
        config_file: Path | None = None,
        overrides: dict[str, Any] | None = None,
    ) -> None:
        self._known = frozenset(known_codes)
        self._cwd = _absolute(cwd, None)
        self._overrides = {k: v for k, v in (overrides or {}).items() if v is not None}
        for key, values in self._overrides.items():
            if key not in _OVERRIDE_FLAGS:
                raise TypeError(f"unknown override {key!r}")
            for value in values:
                if problem := _selector_problem(value, self._known):
                    raise ConfigError(f"{_OVERRIDE_FLAGS[key]}: {problem}")
        self._by_dir: dict[Path, Settings] = {}
        self._by_file: dict[Path, Settings] = {}  # config file -> its settings
        self._by_path: dict[Path, Settings] = {}  # as asked for
        self._default: Settings | None = None
        self._fixed: Settings | None = None
        if config_file is not None:
            loaded = load_settings(config_file, self._known, cwd=self._cwd)
            self._fixed = replace(loaded, root=self._cwd).with_overrides(**self._overrides)

    def for_path(self, path: Path) -> Settings:
        """The settings that govern `path` (a file or a folder): those of the nearest config in
        the folder that contains it, or above. For a folder this is its parent's config, which
        decides whether the folder is entered at all (as ruff)."""
        if self._fixed is not None:
            return self._fixed
        known = self._by_path.get(path)
        if known is None:
            known = self._by_path[path] = self._nearest(path)
        return known

    def _nearest(self, path: Path) -> Settings:
        start = _absolute(path, self._cwd).parent
        visited: list[Path] = []
        settings: Settings | None = None
        for folder in itertools.chain([start], start.parents):  # lazily: the first is usually known
            if folder in self._by_dir:
                settings = self._by_dir[folder]
                break
            visited.append(folder)
            config = _config_in(folder, self._cwd)
            if config is not None:
                settings = self._load(config)
                break
        if settings is None:
            if self._default is None:
                self._default = load_settings(None, self._known, cwd=self._cwd).with_overrides(
                    **self._overrides
                )
            settings = self._default
        for folder in visited:
            self._by_dir[folder] = settings
        return settings

    def _load(self, config: Path) -> Settings:
        if config not in self._by_file:
            loaded = load_settings(config, self._known, cwd=self._cwd)
            self._by_file[config] = loaded.with_overrides(**self._overrides)
        return self._by_file[config]
