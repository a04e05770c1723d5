"""The run: files -> facts -> project index -> findings -> filters.

Every front end (CLI, and later flake8, LSP, --fix) calls `check` and formats its `Report`.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import os
import pickle
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Iterator, Mapping, Sequence

from detlint import last_run
from detlint.analysis.facts import MODULE_SCOPE, Effect, FunctionFacts, ModuleFacts
from detlint.analysis.index import ProjectIndex, chain_text
from detlint.analysis.modules import ModuleMap, module_name
from detlint.analysis.syntax import python_accepts
from detlint.cache import CacheKey, FactsCache
from detlint.config import Settings, SettingsResolver, display_path
from detlint.discover import discover
from detlint.filters import is_reported
from detlint.fixes import complete, is_read_only_handler
from detlint.frameworks import temporal
from detlint.model import Diagnostic, Fix, Position, Range
from detlint.rules.base import (
    ProjectRule,
    ReferenceMatcher,
    ReferenceRule,
    Role,
    TreeRule,
    all_rules,
)
from detlint.versioning.baseline import Baseline, LockBaseline

# What a file that defines workflow or activity code contains, beside `temporalio`: `defn`
# (`@workflow.defn`, `@activity.defn`, `workflow.defn(Cls)`, an import of `defn`), a
# `@workflow.run`-style decorator (DET407 reports handlers on a class that is not a workflow),
# or an import of the decorators by name.
_DEFINES = re.compile(rb"defn|@\s*[\w.]*run\b|temporalio\.workflow\s+import")

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

PARSE_ERROR = "DET001"


@dataclass
class Report:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # one line each: unreadable files, internal errors
    files: int = 0  # files requested (found under the given paths)
    parsed: int = 0  # files analysed: Temporal code, and the project modules it imports
    paths: list[Path] = field(default_factory=list)  # the files requested and reported on
    index: ProjectIndex | None = None  # the joined facts (for `detlint lock`)


@dataclass(frozen=True)
class RuleSet:
    """The rules as one configuration sets them up."""

    reference: ReferenceMatcher
    tree: tuple[TreeRule, ...]

    @staticmethod
    @functools.cache
    def for_settings(settings: Settings) -> RuleSet:
        instances = [rule(settings) for rule in all_rules().values()]
        return RuleSet(
            reference=ReferenceMatcher([r for r in instances if isinstance(r, ReferenceRule)]),
            tree=tuple(r for r in instances if isinstance(r, TreeRule)),
        )

    def effects_of(self, function: FunctionFacts) -> list[Effect]:
        return [*function.effects, *self.reference.effects(function.references)]


def check(
    paths: Sequence[Path],
    resolver: SettingsResolver,
    *,
    cwd: Path,
    sources: Mapping[Path, bytes] | None = None,
    context: Sequence[Path] = (),
    noqa: bool = True,
    facts_cache: FactsCache | None = None,
    baseline: Baseline | None = None,
    jobs: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> Report:
    """Analyse `paths` and report their findings.

    Demand-driven: a requested file is parsed when its text can define Temporal code (or it
    was named explicitly); then every project module that parsed code imports, transitively,
    is parsed too (from anywhere in the project, so checking one file still follows its
    helpers). Nothing else is ever parsed. Findings are reported for requested files only.

    `sources` gives the text of files that editors and flake8 hold in memory (unsaved
    buffers, stdin): it replaces what is on disk, and the file is analysed even when it does
    not exist there.

    `context` names more files or folders that are read as if requested, for their facts only:
    their findings are not reported. `noqa=False` keeps findings that `# noqa` comments silence
    (flake8 applies noqa itself). `facts_cache` keeps the facts of unchanged files between
    calls.

    `baseline` is what the versioning rules (DET5xx) compare workflows with; by default the
    `detlint.lock` file governing each file, when there is one.

    `jobs` > 1 parses files in that many processes when there are enough of them to repay
    starting the processes; the report is the same as with one. As with any code that starts
    processes, a script that asks for them calls this under `if __name__ == "__main__":` (the
    processes start afresh and import the script's main module). `progress(parsed, total)` is
    called as files are parsed."""
    baseline = baseline if baseline is not None else LockBaseline(resolver, cwd)
    run = _Run(resolver, cwd, sources or {}, noqa=noqa, facts_cache=facts_cache, baseline=baseline)
    with _collector_paused(), _Parser(jobs, progress) as parser:
        report = run.check(paths, context, parser)
    if facts_cache is not None:
        facts_cache.save()
    return report


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector off during a run. A run builds hundreds of thousands of objects
    (facts, the index, findings) that live until it ends and form no reference cycles, and
    each pass of the collector would scan them all again. At the end they join the collector's
    oldest generation unscanned (`_promote`). Parsing turns the collector back on
    (`_collecting`): LibCST's trees are full of cycles."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        _promote()
        gc.enable()


def _promote() -> None:
    """Every object the collector tracks joins its oldest generation without being scanned
    (unless the host application keeps objects frozen itself)."""
    if gc.get_freeze_count() == 0:
        gc.freeze()
        gc.unfreeze()


@contextlib.contextmanager
def _collecting() -> Iterator[None]:
    """The cycle collector on for a while, then as it was."""
    paused = not gc.isenabled()
    gc.enable()
    try:
        yield
    finally:
        if paused:
            gc.disable()


class _Run:
    def __init__(
        self,
        resolver: SettingsResolver,
        cwd: Path,
        sources: Mapping[Path, bytes],
        *,
        noqa: bool = True,
        facts_cache: FactsCache | None = None,
        baseline: Baseline | None = None,
    ) -> None:
        self.resolver = resolver
        self.baseline = baseline
        self.noqa = noqa
        self.facts_cache = facts_cache
        self.cwd = cwd
        self.in_memory = {display_path(path, cwd): text for path, text in sources.items()}
        self.report = Report()
        self.modules: dict[Path, ModuleFacts] = {}
        self.settings_of: dict[Path, Settings] = {}
        self.module_map = ModuleMap()
        self._located: dict[tuple[tuple[str, ...], str], Path | None] = {}  # (folders, module) -> file
        self._search: dict[Path, tuple[str, ...]] = {}  # importer -> the folders its imports are found in
        self._listings: dict[str, frozenset[str]] = {}  # folder -> the names in it
        self._packages: dict[Path, tuple[str, ...]] = {}  # folder -> its package name, for module_name
        self._module_names: dict[Path, str] = {}  # file -> the name it is imported by
        self._parsing = False  # whether a file has been parsed yet
        self._read: dict[Path, bytes] = {}  # files read to decide where analysis starts, not yet parsed

    def check(self, paths: Sequence[Path], context: Sequence[Path], parser: _Parser) -> Report:
        discovery = discover(paths, self.resolver, cwd=self.cwd)
        missing = [path for path in discovery.missing if path not in self.in_memory]
        self.report.errors.extend(f"{path}: No such file or directory" for path in missing)
        requested = [*discovery.files, *(p for p in self.in_memory if p not in discovery.files)]
        explicit = {display_path(self.cwd / p, self.cwd) for p in paths if last_run.is_file(self.cwd / p)}
        self.report.files = len(requested)
        self.report.paths = list(requested)
        extra = discover(context, self.resolver, cwd=self.cwd).files if context and requested else []
        facts_only = [p for p in extra if p not in set(requested)]
        for path in (*requested, *facts_only):
            self._map(path)
        # Breadth first, a level at a time, so that a level's files can be parsed in parallel.
        level = []
        for path in requested:
            if path in explicit or path in self.in_memory or self._starts_analysis(path):
                level.append(path)
                if len(level) == parser.POOL_THRESHOLD and (self.facts_cache is None or self.facts_cache.empty):
                    parser.expect_pool()
        level.extend(p for p in facts_only if self._starts_analysis(p, reported=False))
        while level:
            level = [p for p in dict.fromkeys(level) if p not in self.modules]
            found = self._parse(level, parser)
            level = [p for facts in found for name in facts.imports for p in self._project_files(name, facts)]
        self.report.parsed = len(self.modules)
        self.report.diagnostics = self._diagnostics(set(requested))
        return self.report

    # -- the project's modules ----------------------------------------------------------------

    def _map(self, path: Path) -> None:
        self.module_map.add(self._module_name(path, self.resolver.for_path(path)), path)

    def _module_name(self, path: Path, settings: Settings) -> str:
        name = self._module_names.get(path)
        if name is None:
            name = module_name(self.cwd / path, _source_roots(settings), self._packages)
            self._module_names[path] = name
        return name

    def _project_files(self, module: str, importer: ModuleFacts) -> list[Path]:
        """The project's files for a module that `importer` imports, found as Python would find
        them: beside the importer's top package, under its project root, or its `src` folders."""
        folders = self._search.get(importer.path)
        if folders is None:
            settings = self.settings_of[importer.path]
            folders = (_import_root(self.cwd / importer.path, importer.module), settings.root, *_source_roots(settings))
            folders = self._search[importer.path] = tuple(dict.fromkeys(map(str, folders)))
        found = self._located.get((folders, module), False)
        if found is False:
            found = self._locate(folders, module)
            self._located[(folders, module)] = found
        if found is not None:
            return [] if found in self.modules else [found]
        return [p for p in self.module_map.files(module) if p not in self.modules]

    def _locate(self, folders: tuple[str, ...], module: str) -> Path | None:
        """`module.py`, `module/__init__.py` or `module.pyi` in the first folder that has one."""
        *packages, last = module.split(".")
        for folder in folders:
            base = os.path.join(folder, *packages)
            entries = self._entries(base)
            if last not in entries and f"{last}.py" not in entries and f"{last}.pyi" not in entries:
                continue  # most imports name installed packages: a listing rules them out
            for location in (f"{base}/{last}.py", f"{base}/{last}/__init__.py", f"{base}/{last}.pyi"):
                if last_run.is_file(location):
                    return display_path(Path(location), self.cwd)
        return None

    def _entries(self, folder: str) -> frozenset[str]:
        entries = self._listings.get(folder)
        if entries is None:
            try:
                entries = frozenset(os.listdir(folder))
            except OSError:
                entries = frozenset()
            self._listings[folder] = entries
        return entries

    def _starts_analysis(self, path: Path, *, reported: bool = True) -> bool:
        """The cheap pre-filter for where analysis starts: a file that may define workflow or
        activity code (it names a configured decorator, or `temporalio` and a definition: see
        `_DEFINES`). A `reported` file that names `temporalio` and that Python refuses starts
        it too, so that its DET001 is reported. Other files are parsed only when such code
        imports them: scripts and tests that start workflows hold no workflow or activity code
        to report on."""
        try:
            text = self.in_memory.get(path) or (self.cwd / path).read_bytes()
        except OSError:
            return True  # let parsing report it
        if self._may_define(text, self.resolver.for_path(path)) or (reported and self._refused(text)):
            self._read[path] = text  # for `_job`: each file is read once
            return True
        return False

    @staticmethod
    def _may_define(text: bytes, settings: Settings) -> bool:
        if any(d.rpartition(".")[2].encode() in text for d in _custom_decorators(settings)):
            return True
        return b"temporalio" in text and _DEFINES.search(text) is not None

    def _refused(self, text: bytes) -> bool:
        """Whether Python refuses a text that names `temporalio` (other texts are not asked)."""
        if b"temporalio" not in text:
            return False
        cache = self.facts_cache
        return not (cache.python_accepts(text) if cache is not None else python_accepts(text))

    def _parse(self, paths: Sequence[Path], parser: _Parser) -> list[ModuleFacts]:
        """The facts of `paths` (in their order), from the cache or parsed."""
        settings = [self.resolver.for_path(path) for path in paths]
        found: list[ModuleFacts | None] = []
        pending: dict[int, _Job] = {}  # position in `paths` -> what to parse
        for path, path_settings in zip(paths, settings):
            job = self._job(path, path_settings)
            cached = None if job is None or self.facts_cache is None else self.facts_cache.get(path, job.key)
            if job is not None and cached is None:
                pending[len(found)] = job
            found.append(cached)
        if pending and not self._parsing:
            # What the run built so far, without a cycle, is not for the collector that parsing
            # turns on to scan.
            _promote()
            self._parsing = True
        results = parser.parse(list(pending.values()), len(paths))
        for (position, job), (facts, error, pickled) in zip(pending.items(), results):
            if error is not None:
                self.report.errors.append(error)
            if facts is not None and self.facts_cache is not None:
                self.facts_cache.put(job.path, job.key, facts, pickled)
            found[position] = facts
        for path, path_settings, facts in zip(paths, settings, found):
            if facts is not None:
                self.modules[path] = facts
                self.settings_of[path] = path_settings
        return [facts for facts in found if facts is not None]

    def _job(self, path: Path, settings: Settings) -> _Job | None:
        """What parsing `path` needs; None when it cannot be read (reported)."""
        source = self.in_memory.get(path)
        if source is None:
            source = self._read.pop(path, None)
        if source is None:
            try:
                source = (self.cwd / path).read_bytes()
            except OSError as error:
                self.report.errors.append(f"{path}: cannot read: {error.strerror or error}")
                return None
        return _Job(path, self._module_name(path, settings), settings, source)

    # -- findings ---------------------------------------------------------------------------

    def _diagnostics(self, requested: set[Path]) -> list[Diagnostic]:
        settings_of = self.settings_of
        index = ProjectIndex(
            self.modules.values(),
            effects_of=lambda function, module: RuleSet.for_settings(settings_of[module.path]).effects_of(function),
            decorators_for=lambda module: _decorators(settings_of[module.path]),
        )
        index.baseline = self.baseline
        self.report.index = index
        rules = all_rules()
        project_rules = [rule(self.resolver.for_path(self.cwd)) for rule in rules.values() if issubclass(rule, ProjectRule)]
        _join(index, project_rules)
        candidates = [
            *_parse_failures(self.modules.values()),
            *_findings(index),
            *(d for rule in project_rules for d in rule.check(index, lambda module: settings_of[module.path])),
        ]
        return sorted(
            (
                d
                for d in candidates
                if d.path in requested
                and is_reported(d, rules[d.code], settings_of[d.path], self.modules[d.path] if self.noqa else None)
            ),
            key=lambda d: d.sort_key,
        )


@dataclass(frozen=True)
class _Job:
    path: Path  # as the user sees it
    module: str
    settings: Settings
    source: bytes

    @property
    def key(self) -> CacheKey:
        return (self.module, self.settings, self.source)


def _extract_job(job: _Job) -> tuple[ModuleFacts | None, str | None]:
    """Parse one file: its facts, or the one-line error that stopped it. Runs in worker
    processes too, so it returns the error rather than reporting it."""
    from detlint.analysis.extract import extract  # LibCST, only when something is parsed

    try:
        with _collecting():
            return extract(job.path, job.source, job.module, RuleSet.for_settings(job.settings).tree), None
    except RecursionError:
        return None, f"{job.path}: internal error: the file is nested too deeply to analyse"
    except Exception as error:  # one file's bug must not stop the others
        return None, f"{job.path}: internal error: {type(error).__name__}: {error}"


def _extract_pickled(job: _Job) -> tuple[bytes | None, str | None]:
    """`_extract_job` in a worker process: the facts come back pickled once, as the cache keeps
    them, so the main process only writes them."""
    facts, error = _extract_job(job)
    return (pickle.dumps(facts, protocol=pickle.HIGHEST_PROTOCOL) if facts is not None else None), error


# A file's facts (None if it could not be parsed), the error that stopped it, and the facts
# pickled when another process parsed them.
_Parsed = tuple[ModuleFacts | None, str | None, bytes | None]


class _Parser:
    """Parses files in this process, or in a pool of `jobs` processes once a run has enough
    files to repay starting it (the pool then lives until the run ends, and parses every later
    batch, however small)."""

    POOL_THRESHOLD = 24  # files in one batch; below this, starting processes costs more than it saves

    def __init__(self, jobs: int, progress: Callable[[int, int], None] | None) -> None:
        self.jobs = max(1, jobs)
        self.progress = progress
        self.done = self.total = 0  # files parsed or read from the cache, of those found so far
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> _Parser:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)

    def expect_pool(self) -> None:
        """The run will parse enough files to start the pool: start the process its workers
        will fork from now, so that it imports LibCST while this process reads files."""
        if self.jobs > 1 and self._pool is None:
            _start_method().ensure_server()

    def parse(self, jobs: Sequence[_Job], batch: int) -> Iterator[_Parsed]:
        """The results of `jobs`, in their order; the rest of the `batch` files came from the cache."""
        self.total += batch
        self._advance(batch - len(jobs))
        # Once started, the pool parses every batch: this process has not imported LibCST.
        if self.jobs > 1 and jobs and (self._pool is not None or len(jobs) >= self.POOL_THRESHOLD):
            if self._pool is None:
                self._pool = _pool(self.jobs)
            chunk = max(1, min(16, len(jobs) // (self.jobs * 4)))
            for pickled, error in self._pool.map(_extract_pickled, jobs, chunksize=chunk):
                self._advance(1)
                yield (pickle.loads(pickled) if pickled is not None else None), error, pickled
        else:
            for facts, error in map(_extract_job, jobs):
                self._advance(1)
                yield facts, error, None

    def _advance(self, count: int) -> None:
        self.done += count
        if self.progress is not None and count:
            self.progress(self.done, self.total)


def _pool(jobs: int) -> ProcessPoolExecutor:
    # Imported here: most runs parse too little to start processes.
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(jobs, mp_context=_start_method().context)


class _StartMethod:
    """How workers start. Where Python can, they fork from a server process that imported the
    parser once ("forkserver"): they start at once, with LibCST imported, and without this
    process's audit hook (`last_run`), which Python would call for every `id()` of the
    positions' bookkeeping (5-8% of the workers' time on samples-python). Elsewhere they start
    afresh ("spawn")."""

    PRELOADED = ["detlint.engine", "detlint.analysis.extract"]

    def __init__(self) -> None:
        import multiprocessing  # here: most runs parse too little to start processes

        self.forks = "forkserver" in multiprocessing.get_all_start_methods()
        self.context = multiprocessing.get_context("forkserver" if self.forks else "spawn")
        if self.forks:
            self.context.set_forkserver_preload(self.PRELOADED)

    def ensure_server(self) -> None:
        if self.forks:
            from multiprocessing import forkserver

            forkserver.ensure_running()


@functools.cache
def _start_method() -> _StartMethod:
    return _StartMethod()


def _import_root(location: Path, module: str) -> Path:
    """The folder a module's top package sits in: where its sibling imports resolve from."""
    folder = location.parent
    for _ in range(module.count(".") + (location.stem == "__init__")):
        folder = folder.parent
    return folder


def _source_roots(settings: Settings) -> tuple[Path, ...]:
    return tuple(settings.root / folder for folder in settings.src)


def _custom_decorators(settings: Settings) -> tuple[str, ...]:
    return (*settings.workflow_decorators, *settings.activity_decorators)


def _join(index: ProjectIndex, project_rules: Sequence[ProjectRule]) -> None:
    """Effects that need the whole project: project rules add the ones they find by joining
    facts, and withdraw the ones their tree hooks found that the project shows to be void.
    Afterwards they are reported like every other effect."""
    for rule in project_rules:
        if type(rule).effects is ProjectRule.effects and type(rule).withdraws is ProjectRule.withdraws:
            continue  # it reports through `check` alone
        for node in index.nodes:
            found = index.effects[node]
            kept = [e for e in found if e.code != rule.code or not rule.withdraws(e, index, node)]
            kept.extend(rule.effects(index, node))
            index.effects[node] = kept


def _decorators(settings: Settings) -> tuple[frozenset[str], frozenset[str]]:
    return (
        frozenset({temporal.WORKFLOW_DEFN, *settings.workflow_decorators}),
        frozenset({temporal.ACTIVITY_DEFN, *settings.activity_decorators}),
    )


def _parse_failures(modules: Iterable[ModuleFacts]) -> Iterable[Diagnostic]:
    rule = all_rules()[PARSE_ERROR]
    for module in modules:
        failure = module.parse_failure
        if failure is not None:
            at = Position(failure.line, failure.column)
            yield Diagnostic(PARSE_ERROR, failure.message, module.path, Range(at, at), rule.severity)


def _findings(index: ProjectIndex) -> Iterable[Diagnostic]:
    """Effects in workflow (activity) code where they are; effects reached through helpers at
    the call site in the root, once per call site, code and leaf. Effects of rules that apply
    to any code are reported where they are, in every function."""
    rules = all_rules()
    roots = {*index.roots.workflow, *index.roots.activity}
    for node in index.nodes:
        if node not in roots:
            for effect in index.effects[node]:
                rule = rules[effect.code]
                if rule.role is Role.ANY:
                    yield Diagnostic(
                        effect.code,
                        effect.message(),
                        node.module.path,
                        effect.range,
                        rule.severity,
                        fix=_fix(effect, node.function, node.module),
                    )
    for role, roots in ((Role.WORKFLOW, index.roots.workflow), (Role.ACTIVITY, index.roots.activity)):
        for root in roots:
            path = root.module.path
            for effect in index.effects[root]:
                rule = rules[effect.code]
                if rule.role in (role, Role.ANY):
                    yield Diagnostic(
                        effect.code,
                        effect.message(),
                        path,
                        effect.range,
                        rule.severity,
                        fix=_fix(effect, root.function, root.module),
                    )
            seen: set[tuple[Range, str, str]] = set()
            for site, callee in index.calls(root):
                for reached in index.reached(callee):
                    effect = reached.effect
                    rule = rules[effect.code]
                    key = (site, effect.code, effect.leaf)
                    if rule.role is not role or key in seen:  # ANY effects stay where they are
                        continue
                    seen.add(key)
                    yield Diagnostic(
                        effect.code,
                        effect.message(chain_text(reached, root.module)),
                        path,
                        site,
                        rule.severity,
                        related=index.chain_locations(reached),
                    )


def _fix(effect: Effect, function: FunctionFacts, module: ModuleFacts) -> Fix | None:
    """The fix of an effect reported where it is (one reached through helpers has none)."""
    if effect.fix is None:
        return None
    return complete(
        effect.fix,
        module.fix_context,
        at_import_time=function.qualname.endswith(MODULE_SCOPE),
        read_only=is_read_only_handler(function),
    )
