"""Where the deployed skeletons come from: detlint.lock files, or a git revision.

* `LockBaseline` (the default): each analysed file is governed by the nearest `detlint.lock` in
  its folder or above, up to its project root (the folder of its configuration, or the
  repository's top). Files under no lock file are not compared.
* `GitBaseline` (`detlint check --base REV`): the files of this run as they were at REV, read
  with `git show REV:path` (no checkout, no shell) and analysed by the same extractor.

`differences(index, settings_of, baseline)` compares today's workflows with the baseline.
"""

from __future__ import annotations

import subprocess
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

from detlint import last_run
from detlint.analysis.facts import ModuleFacts
from detlint.analysis.index import ProjectIndex
from detlint.analysis.skeleton import Node
from detlint.config import SettingsResolver, display_path
from detlint.versioning import lock
from detlint.versioning.compare import Difference, compare_workflows
from detlint.versioning.lock import LOCK_FILE, BaselineError
from detlint.versioning.resolve import (
    Resolver,
    activity_decorators,
    by_type,
    defined_activities,
    workflow_decorators,
)

SettingsOf = Callable[[ModuleFacts], Any]
GIT_TIMEOUT = 60.0


@dataclass
class Group:
    """Workflows compared against one baseline: the old skeletons by type (paths relative to
    the working folder), today's skeletons, and the files analysed today."""

    old: dict[str, Node]
    new: list[Node]
    present_paths: set[str]


class Baseline:
    def groups(self, index: ProjectIndex, settings_of: SettingsOf, current: Callable[[], list[Node]]) -> list[Group]:
        """The groups to compare; `current()` gives today's resolved skeletons."""
        return []


NO_BASELINE = Baseline()


def differences(index: ProjectIndex, settings_of: SettingsOf, baseline: Baseline) -> list[tuple[Path, Difference]]:
    """Every DET5xx difference between today's workflows and the baseline, by file."""
    resolver = Resolver(index)
    today: list[list[Node]] = []

    def current() -> list[Node]:
        if not today:
            today.append([s for m in index.modules for s in resolver.workflows(m, workflow_decorators(settings_of(m)))])
        return today[0]

    paths = {m.path.as_posix(): m.path for m in index.modules}
    defined = defined_activities(index, resolver)
    found: list[tuple[Path, Difference]] = []
    for group in baseline.groups(index, settings_of, current):
        for path, difference in compare_workflows(group.old, group.new, group.present_paths, defined):
            found.append((paths.get(path, Path(path)), difference))
    return found


class LockBaseline(Baseline):
    def __init__(self, resolver: SettingsResolver, cwd: Path) -> None:
        self.resolver = resolver
        self.cwd = cwd.resolve()
        self._by_folder: dict[Path, Path | None] = {}
        self._entries: dict[Path, dict[str, dict[str, Any]]] = {}
        self._resolved: dict[Path, Path] = {}  # folder -> its real location

    def lock_for(self, path: Path) -> Path | None:
        """The lock file governing `path` (relative to the working folder, or absolute)."""
        location = self.cwd / path
        folder = location.resolve().parent if location.is_symlink() else self._resolve(location.parent)
        root = self._resolve(self.resolver.for_path(location).root)
        visited: list[Path] = []
        found: Path | None = None
        for candidate in (folder, *folder.parents):
            if candidate in self._by_folder:
                found = self._by_folder[candidate]
                break
            visited.append(candidate)
            if last_run.is_file(candidate / LOCK_FILE):
                found = candidate / LOCK_FILE
                break
            if candidate == root or last_run.kind_of(candidate / ".git") is not None:
                break
        for candidate in visited:
            self._by_folder[candidate] = found
        return found

    def _resolve(self, folder: Path) -> Path:
        """`folder.resolve()`, once per folder: resolving asks the system about each part."""
        resolved = self._resolved.get(folder)
        if resolved is None:
            resolved = self._resolved[folder] = folder.resolve()
        return resolved

    def entries(self, lock_file: Path) -> dict[str, dict[str, Any]]:
        """The lock's entries, with paths relative to the working folder."""
        if lock_file not in self._entries:
            shown = display_path(lock_file, self.cwd)
            entries = lock.read(lock_file, shown)
            for entry in entries.values():
                entry["path"] = display_path(lock_file.parent / entry["path"], self.cwd).as_posix()
            self._entries[lock_file] = entries
        return self._entries[lock_file]

    def groups(self, index: ProjectIndex, settings_of: SettingsOf, current: Callable[[], list[Node]]) -> list[Group]:
        governed: dict[Path, set[str]] = defaultdict(set)
        for module in index.modules:
            lock_file = self.lock_for(module.path)
            if lock_file is not None:
                governed[lock_file].add(module.path.as_posix())
        return [
            Group(self.entries(lock_file), [s for s in current() if s["path"] in paths], paths)
            for lock_file, paths in sorted(governed.items())
        ]


class GitBaseline(Baseline):
    """The analysed files as they were at a git revision. The revision is checked when this
    is created, so a typo stops the run before anything is analysed."""

    def __init__(self, revision: str, cwd: Path) -> None:
        self.revision = revision
        self.cwd = cwd.resolve()
        top = self._git("rev-parse", "--show-toplevel")
        if top.returncode != 0:
            raise BaselineError(f"--base {revision}: {self.cwd} is not inside a git repository")
        self.top = Path(top.stdout.decode().strip()).resolve()
        commit = self._git("rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}") if not revision.startswith("-") else None
        if commit is None or commit.returncode != 0:
            raise BaselineError(f"--base: unknown revision '{revision}'")
        self.commit = commit.stdout.decode().strip()

    def _git(self, *args: str) -> subprocess.CompletedProcess[bytes]:
        try:
            return subprocess.run(["git", *args], cwd=self.cwd, capture_output=True, timeout=GIT_TIMEOUT, check=False)
        except FileNotFoundError:
            raise BaselineError("--base needs git, which is not installed or not on PATH") from None
        except subprocess.TimeoutExpired:
            raise BaselineError(f"--base {self.revision}: git did not answer within {GIT_TIMEOUT:.0f} s") from None

    def old_text(self, path: Path) -> bytes | None:
        """The file at the revision, or None when it did not exist there."""
        try:
            relative = (self.cwd / path).resolve().relative_to(self.top)
        except ValueError:
            return None  # outside the repository
        shown = self._git("show", f"{self.commit}:{relative.as_posix()}")
        return shown.stdout if shown.returncode == 0 else None

    def groups(self, index: ProjectIndex, settings_of: SettingsOf, current: Callable[[], list[Node]]) -> list[Group]:
        old_modules: list[ModuleFacts] = []
        settings_by_path: dict[Path, Any] = {}
        for module in index.modules:
            text = self.old_text(module.path)
            if text is None:
                continue
            from detlint.analysis.extract import extract  # LibCST, only when something is parsed

            old = extract(module.path, text, module.module, ())
            old_modules.append(old)
            settings_by_path[module.path] = settings_of(module)
        old_index = ProjectIndex(
            old_modules,
            effects_of=lambda function, module: [],
            decorators_for=lambda module: (
                workflow_decorators(settings_by_path[module.path]),
                activity_decorators(settings_by_path[module.path]),
            ),
        )
        resolver = Resolver(old_index, fallback=Resolver(index))
        old = [s for m in old_index.modules for s in resolver.workflows(m, workflow_decorators(settings_by_path[m.path]))]
        return [Group(by_type(old), current(), {m.path.as_posix() for m in index.modules})]


def lock_targets(resolver: SettingsResolver, cwd: Path, paths: Sequence[Path]) -> dict[Path, list[Path]]:
    """For `detlint lock`: the lock file each file belongs to (the one governing it, else a new
    one in its project root), with its files."""
    baseline = LockBaseline(resolver, cwd)
    targets: dict[Path, list[Path]] = defaultdict(list)
    for path in paths:
        found = baseline.lock_for(path)
        if found is None:
            found = resolver.for_path(cwd / path).root.resolve() / LOCK_FILE
        targets[found].append(path)
    return dict(targets)
