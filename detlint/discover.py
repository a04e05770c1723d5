"""Which files to analyse: the paths given, walked, minus excluded and git-ignored files.

Only reads directory listings (and asks git): nothing in the analysed tree is imported or run.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from detlint import last_run
from detlint.config import display_path

if TYPE_CHECKING:
    from detlint.config import SettingsResolver

__all__ = ["PYTHON_SUFFIXES", "Discovery", "discover", "is_excluded"]

PYTHON_SUFFIXES = (".py", ".pyi")


@dataclass(frozen=True)
class Discovery:
    files: list[Path]  # sorted, unique; relative to cwd when under it, otherwise absolute
    missing: list[Path]  # paths given that do not exist, as given


def discover(paths: Sequence[Path], resolver: SettingsResolver, *, cwd: Path) -> Discovery:
    """Explicit files are always included (as ruff: even excluded or not *.py); folders are
    walked for *.py and *.pyi files, skipping excluded and git-ignored ones."""
    cwd = Path(os.path.abspath(cwd))
    found: set[Path] = set()
    missing: list[Path] = []
    for given in paths:
        path = Path(os.path.normpath(cwd / given))
        if last_run.is_dir(path):
            found.update(_walk(path, resolver))
        elif last_run.kind_of(path) is not None:  # a broken or looping link too: reading it says why
            found.add(path)
        else:
            missing.append(Path(given))
    return Discovery(files=sorted({display_path(f, cwd) for f in found}), missing=missing)


def is_excluded(path: Path, resolver: SettingsResolver, *, cwd: Path) -> bool:
    """Whether the configuration excludes `path` or a folder it is in (`--force-exclude`: a
    path given explicitly is skipped as a walk would skip it). Each folder is judged by the
    configuration that governs it, up to the folder that configuration belongs to."""
    absolute = Path(os.path.normpath(cwd / path))
    for candidate in (absolute, *absolute.parents):
        settings = resolver.for_path(candidate)
        if candidate == settings.root or not candidate.is_relative_to(settings.root):
            break
        if settings.is_excluded(candidate, ancestors=False):
            return True
    return False


def _walk(root: Path, resolver: SettingsResolver) -> list[Path]:
    files: list[Path] = []
    # (folder, what git lets through below the repository folder it was asked about, or None)
    stack: list[tuple[Path, _GitListing | None]] = [(root, _GitListing.ask(root))]
    while stack:
        folder, git = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = list(it)
        except OSError:
            continue  # unreadable or vanished: nothing to analyse there
        for entry in entries:
            path = Path(entry.path)
            try:
                # Directory symlinks are not followed, so a link loop cannot recurse forever.
                is_dir = entry.is_dir(follow_symlinks=False)
                is_file = not is_dir and entry.is_file()
            except OSError:
                continue
            if not (is_dir or (is_file and path.suffix in PYTHON_SUFFIXES)):
                continue
            # Ancestors were checked on the way down, and the root was given explicitly.
            if resolver.for_path(path).is_excluded(path, ancestors=False):
                continue
            if is_file:
                if git is None or git.has_file(path):
                    files.append(path)
            elif git is None or git.has_dir(path):
                # A submodule or nested repository: its own .gitignore rules, so ask git there.
                nested = git is not None and git.is_nested_repo(path)
                stack.append((path, _GitListing.ask(path) if nested else git))
    return files


@dataclass(frozen=True)
class _GitListing:
    """The files git does not ignore below `base` (tracked, or untracked and not ignored by
    .gitignore, .git/info/exclude or the global excludes file)."""

    base: Path
    files: frozenset[str]  # posix paths relative to base (and submodules, listed like files)
    dirs: frozenset[str]  # every folder that holds one of them
    repos: frozenset[str]  # untracked nested repositories

    @classmethod
    def ask(cls, base: Path) -> _GitListing | None:
        """None when git is missing or `base` is not in a work tree: then nothing is git-ignored."""
        # core.fsmonitor names a command in the repository's config: an analysed tree must
        # never make us run something.
        command = ["git", "-c", "core.fsmonitor=false", "-C", str(base),
                   "ls-files", "--cached", "--others", "--exclude-standard", "-z"]  # fmt: skip
        returncode, output = last_run.run_command(command, base)
        if returncode != 0:
            return None
        files: set[str] = set()
        dirs: set[str] = set()
        repos: set[str] = set()
        for raw in output.split(b"\0"):
            if not raw:
                continue
            name = os.fsdecode(raw)
            # An untracked nested repository is listed as "name/"; a submodule as a plain entry,
            # which is_nested_repo tells from a file by its being a folder on disk.
            (repos if name.endswith("/") else files).add(name.rstrip("/"))
            parts = name.rstrip("/").split("/")
            dirs.update("/".join(parts[:end]) for end in range(1, len(parts)))
        return cls(base, frozenset(files), frozenset(dirs), frozenset(repos))

    def _key(self, path: Path) -> str:
        return path.relative_to(self.base).as_posix()

    def has_file(self, path: Path) -> bool:
        return self._key(path) in self.files

    def has_dir(self, path: Path) -> bool:
        return self._key(path) in self.dirs or self.is_nested_repo(path)

    def is_nested_repo(self, path: Path) -> bool:
        key = self._key(path)
        return key in self.repos or key in self.files
