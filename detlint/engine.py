"""The run: files -> facts -> project index -> findings -> filters.

Every front end (CLI, and later flake8, LSP, --fix) calls `check` and formats its `Report`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping, Sequence

from detlint.analysis.extract import extract
from detlint.analysis.facts import Effect, FunctionFacts, ModuleFacts
from detlint.analysis.index import ProjectIndex, chain_text
from detlint.analysis.modules import module_name
from detlint.config import Settings, SettingsResolver, display_path
from detlint.discover import discover
from detlint.filters import is_reported
from detlint.frameworks import temporal
from detlint.model import Diagnostic, Position, Range
from detlint.rules.base import ProjectRule, ReferenceRule, Role, TreeRule, all_rules

PARSE_ERROR = "DET001"


class FactsCache:
    """The facts of files already read, for callers that check again and again in one process
    (the language server, the flake8 plugin). One version per file: the facts are reused while
    the file's text, module name and settings are the same."""

    def __init__(self) -> None:
        self._entries: dict[Path, tuple[tuple[str, Settings, bytes], ModuleFacts]] = {}

    def get(self, path: Path, key: tuple[str, Settings, bytes]) -> ModuleFacts | None:
        entry = self._entries.get(path)
        return entry[1] if entry is not None and entry[0] == key else None

    def put(self, path: Path, key: tuple[str, Settings, bytes], facts: ModuleFacts) -> None:
        self._entries[path] = (key, facts)


@dataclass
class Report:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # one line each: unreadable files, internal errors
    files: int = 0
    paths: list[Path] = field(default_factory=list)  # the files analysed and reported on


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
) -> Report:
    """Analyse `paths`. `sources` gives the text of files that editors and flake8 hold in
    memory (unsaved buffers, stdin): it replaces what is on disk, and the file is analysed even
    when it does not exist there.

    `context` names more files or folders that are read for their facts only (the helpers a
    workflow calls): their findings and the problems reading them are not reported. `noqa=False`
    keeps findings that `# noqa` comments silence (flake8 applies noqa itself). `facts_cache`
    keeps the facts of unchanged files between calls."""
    report = Report()
    in_memory = {display_path(path, cwd): text for path, text in (sources or {}).items()}
    discovery = discover(paths, resolver, cwd=cwd)
    report.errors.extend(f"{path}: No such file or directory" for path in discovery.missing if path not in in_memory)
    files = [*discovery.files, *(path for path in in_memory if path not in discovery.files)]
    targets = set(files)
    if context and files:
        files.extend(path for path in discover(context, resolver, cwd=cwd).files if path not in targets)
    modules: list[ModuleFacts] = []
    settings_of: dict[Path, Settings] = {}
    for path in files:
        settings = resolver.for_path(path)
        problems = report if path in targets else Report()
        facts = _extract_file(path, cwd / path, in_memory.get(path), settings, problems, facts_cache)
        if facts is not None:
            settings_of[path] = settings
            modules.append(facts)
    report.paths = [m.path for m in modules if m.path in targets]
    report.files = len(report.paths)

    index = ProjectIndex(
        modules,
        effects_of=lambda function, module: RuleSet.for_settings(settings_of[module.path]).effects_of(function),
        decorators_for=lambda module: _decorators(settings_of[module.path]),
    )
    rules = all_rules()
    project_rules = [rule(resolver.for_path(cwd)) for rule in rules.values() if issubclass(rule, ProjectRule)]
    candidates = [
        *_parse_failures(modules),
        *_findings(index),
        *(d for rule in project_rules for d in rule.check(index, lambda module: settings_of[module.path])),
    ]
    by_path = {m.path: m for m in modules}
    report.diagnostics = sorted(
        (
            d
            for d in candidates
            if d.path in targets
            and is_reported(d, rules[d.code], settings_of[d.path], by_path[d.path] if noqa else None)
        ),
        key=lambda d: d.sort_key,
    )
    return report


def _extract_file(
    path: Path,
    location: Path,
    source: bytes | None,
    settings: Settings,
    report: Report,
    cache: FactsCache | None = None,
) -> ModuleFacts | None:
    """`path` as the user sees it (relative to the working directory), `location` to open
    unless its `source` is given."""
    if source is None:
        try:
            source = location.read_bytes()
        except OSError as error:
            report.errors.append(f"{path}: cannot read: {error.strerror or error}")
            return None
    try:
        module = module_name(location)
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
                    yield Diagnostic(effect.code, effect.message(), node.module.path, effect.range, rule.severity)
    for role, roots in ((Role.WORKFLOW, index.roots.workflow), (Role.ACTIVITY, index.roots.activity)):
        for root in roots:
            path = root.module.path
            for effect in index.effects[root]:
                rule = rules[effect.code]
                if rule.role in (role, Role.ANY):
                    yield Diagnostic(effect.code, effect.message(), path, effect.range, rule.severity)
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
