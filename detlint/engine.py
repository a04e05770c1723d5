"""The run: files -> facts -> project index -> findings -> filters.

Every front end (CLI, and later flake8, LSP, --fix) calls `check` and formats its `Report`.
"""

from __future__ import annotations

import functools
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping, Sequence

from detlint.analysis.extract import extract
from detlint.analysis.facts import MODULE_SCOPE, Effect, FunctionFacts, ModuleFacts
from detlint.analysis.index import ProjectIndex, chain_text
from detlint.analysis.modules import ModuleMap, module_name
from detlint.cache import FactsCache
from detlint.config import Settings, SettingsResolver, display_path
from detlint.discover import discover
from detlint.filters import is_reported
from detlint.frameworks import temporal
from detlint.fixes import complete, is_read_only_handler
from detlint.model import Diagnostic, Fix, Position, Range
from detlint.rules.base import ProjectRule, ReferenceRule, Role, TreeRule, all_rules
from detlint.versioning.baseline import Baseline, LockBaseline

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

    reference: tuple[ReferenceRule, ...]
    tree: tuple[TreeRule, ...]

    @staticmethod
    @functools.cache
    def for_settings(settings: Settings) -> RuleSet:
        instances = [rule(settings) for rule in all_rules().values()]
        return RuleSet(
            reference=tuple(r for r in instances if isinstance(r, ReferenceRule)),
            tree=tuple(r for r in instances if isinstance(r, TreeRule)),
        )

    def effects_of(self, function: FunctionFacts) -> list[Effect]:
        found = list(function.effects)
        for rule in self.reference:
            found.extend(rule.effects(function.references))
        return found


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
    `detlint.lock` file governing each file, when there is one."""
    baseline = baseline if baseline is not None else LockBaseline(resolver, cwd)
    run = _Run(resolver, cwd, sources or {}, noqa=noqa, facts_cache=facts_cache, baseline=baseline)
    return run.check(paths, context)


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

    def check(self, paths: Sequence[Path], context: Sequence[Path] = ()) -> Report:
        discovery = discover(paths, self.resolver, cwd=self.cwd)
        missing = [path for path in discovery.missing if path not in self.in_memory]
        self.report.errors.extend(f"{path}: No such file or directory" for path in missing)
        requested = [*discovery.files, *(p for p in self.in_memory if p not in discovery.files)]
        explicit = {display_path(self.cwd / p, self.cwd) for p in paths if (self.cwd / p).is_file()}
        self.report.files = len(requested)
        self.report.paths = list(requested)
        extra = discover(context, self.resolver, cwd=self.cwd).files if context and requested else []
        facts_only = [p for p in extra if p not in set(requested)]
        for path in (*requested, *facts_only):
            self._map(path)
        queue = deque(p for p in requested if p in explicit or p in self.in_memory or self._may_define_temporal(p))
        queue.extend(p for p in facts_only if self._may_define_temporal(p))
        while queue:
            facts = self._parse(queue.popleft())
            if facts is not None:
                queue.extend(p for name in facts.imports for p in self._project_files(name, facts))
        self.report.parsed = len(self.modules)
        self.report.diagnostics = self._diagnostics(set(requested))
        return self.report

    # -- the project's modules ----------------------------------------------------------------

    def _map(self, path: Path) -> None:
        settings = self.resolver.for_path(path)
        self.module_map.add(module_name(self.cwd / path, _source_roots(settings)), path)

    def _project_files(self, module: str, importer: ModuleFacts) -> list[Path]:
        """The project's files for a module that `importer` imports, found as Python would find
        them: beside the importer's top package, under its project root, or its `src` folders."""
        settings = self.settings_of[importer.path]
        relative = Path(*module.split("."))
        for folder in (_import_root(self.cwd / importer.path, importer.module), settings.root, *_source_roots(settings)):
            for candidate in (relative.with_suffix(".py"), relative / "__init__.py", relative.with_suffix(".pyi")):
                location = folder / candidate
                if location.is_file():
                    path = display_path(location, self.cwd)
                    return [] if path in self.modules else [path]
        return [p for p in self.module_map.files(module) if p not in self.modules]

    def _may_define_temporal(self, path: Path) -> bool:
        """The cheap pre-filter: Temporal code names `temporalio` or a configured decorator."""
        try:
            text = self.in_memory.get(path) or (self.cwd / path).read_bytes()
        except OSError:
            return True  # let parsing report it
        settings = self.resolver.for_path(path)
        names = [b"temporalio", *(d.rpartition(".")[2].encode() for d in _custom_decorators(settings))]
        return any(name in text for name in names)

    def _parse(self, path: Path) -> ModuleFacts | None:
        if path in self.modules:
            return None
        settings = self.resolver.for_path(path)
        facts = _extract_file(path, self.cwd, self.in_memory.get(path), settings, self.report, self.facts_cache)
        if facts is not None:
            self.modules[path] = facts
            self.settings_of[path] = settings
        return facts

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


def _extract_file(
    path: Path, cwd: Path, source: bytes | None, settings: Settings, report: Report, cache: FactsCache | None = None
) -> ModuleFacts | None:
    """`path` as the user sees it (relative to `cwd`); its text is read unless `source` is given."""
    location = cwd / path
    if source is None:
        try:
            source = location.read_bytes()
        except OSError as error:
            report.errors.append(f"{path}: cannot read: {error.strerror or error}")
            return None
    try:
        module = module_name(location, _source_roots(settings))
        key = (module, settings, source)
        facts = cache.get(path, key) if cache is not None else None
        if facts is None:
            facts = extract(path, source, module, RuleSet.for_settings(settings).tree)
            if cache is not None:
                cache.put(path, key, facts)
        return facts
    except RecursionError:
        report.errors.append(f"{path}: internal error: the file is nested too deeply to analyse")
    except Exception as error:  # one file's bug must not stop the others
        report.errors.append(f"{path}: internal error: {type(error).__name__}: {error}")
    return None


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
