"""`detlint lock [PATHS]`: record today's workflows in the lock files that govern them.

The workflows of the analysed files replace their entries; entries of files that were not
analysed stay, and entries of files that no longer exist are dropped. A file that does not
parse keeps its old entries. Nothing is written when a file cannot be read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from detlint.config import SettingsResolver, display_path
from detlint.engine import PARSE_ERROR, check
from detlint.versioning import lock
from detlint.versioning.baseline import NO_BASELINE, lock_targets
from detlint.versioning.resolve import Resolver, relative_path, strip_positions, workflow_decorators


@dataclass
class Written:
    files: dict[Path, int] = field(default_factory=dict)  # lock file (as shown) -> its entries
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def write_locks(paths: Sequence[Path], resolver: SettingsResolver, cwd: Path) -> Written:
    written = Written()
    report = check(list(paths), resolver, cwd=cwd, baseline=NO_BASELINE)
    if report.errors or report.index is None:
        written.errors.extend(report.errors)
        return written
    cwd = cwd.resolve()
    requested = {(cwd / p).resolve() for p in report.paths}
    failed = {(cwd / d.path).resolve() for d in report.diagnostics if d.code == PARSE_ERROR}
    for path in sorted(failed):
        written.warnings.append(f"{display_path(path, cwd)} does not parse: its entries in the lock file are kept")
    index = report.index
    resolver_ = Resolver(index)
    today = [
        skeleton
        for module in index.modules
        if (cwd / module.path).resolve() in requested
        for skeleton in resolver_.workflows(module, workflow_decorators(resolver.for_path(cwd / module.path)))
    ]
    targets = lock_targets(resolver, cwd, sorted({*report.paths, *(Path(s["path"]) for s in today)}))
    target_of = {(cwd / f).resolve(): t for t, files in targets.items() for f in files}
    for target in sorted(targets):
        mine = [s for s in today if target_of[(cwd / s["path"]).resolve()] == target]
        if not mine and not target.is_file():
            continue  # no lock file to update, nothing to record
        folder = target.parent
        entries = lock.read(target, display_path(target, cwd)) if target.is_file() else {}
        kept = {
            name: entry
            for name, entry in entries.items()
            if (folder / entry["path"]).is_file()
            and ((folder / entry["path"]).resolve() not in requested or (folder / entry["path"]).resolve() in failed)
        }
        added: dict[str, str] = {}
        for skeleton in sorted(mine, key=lambda s: (s["path"], s["line"])):
            relative = relative_path(cwd / skeleton["path"], folder)
            name = skeleton["type"]
            if name in added:
                written.warnings.append(
                    f"workflow type '{name}' is defined in {added[name]} and {relative}; {target.name} keeps {added[name]}"
                )
                continue
            added[name] = relative
            kept[name] = {**strip_positions(skeleton), "path": relative}
        lock.write(target, kept)
        written.files[display_path(target, cwd)] = len(kept)
    return written
