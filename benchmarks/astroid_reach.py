"""Does astroid's inference find project calls that detlint's LibCST resolution misses, and at
what cost? The measurement behind docs/design/astroid.md.

    pip install astroid && python benchmarks/astroid_reach.py PATH

For every call inside workflow code (the methods of workflow classes) in the files detlint
parses under PATH, counts the calls detlint resolves to a project function, and the calls
astroid infers to a function or method defined under PATH; then, for the calls only astroid
resolves, how many reach a function with a DET1 effect (a finding detlint would gain). Also
times astroid's build and inference.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import astroid
from astroid import nodes

from detlint.analysis.index import ProjectIndex
from detlint.config import SettingsResolver
from detlint.engine import RuleSet, _Run, _decorators
from detlint.rules.base import all_rules


def main(root: Path) -> None:
    resolver = SettingsResolver(all_rules(), cwd=root)
    run = _Run(resolver, root, {})
    start = time.perf_counter()
    run.check([root])
    detlint_seconds = time.perf_counter() - start
    index = ProjectIndex(
        run.modules.values(),
        effects_of=lambda f, m: RuleSet.for_settings(run.settings_of[m.path]).effects_of(f),
        decorators_for=lambda m: _decorators(run.settings_of[m.path]),
    )
    roots = {(str(root / n.module.path), n.function.range.start.line) for n in index.roots.workflow}
    ours: set[tuple[str, int]] = set()
    for node in index.roots.workflow:
        for ref in node.function.references:
            if ref.called and index.callee(ref.name, node.module) is not None:
                ours.add((str(root / node.module.path), ref.range.start.line))
    effectful = {
        (str(root / n.module.path), n.function.range.start.line)
        for n in index.nodes
        if any(e.code.startswith("DET1") for e in index.effects[n])
    }

    start = time.perf_counter()
    theirs: set[tuple[str, int]] = set()
    gained = 0
    for path in sorted(run.modules):
        location = str(root / path)
        try:
            module = astroid.MANAGER.ast_from_file(location)
        except Exception:
            continue
        for call in module.nodes_of_class(nodes.Call):
            frame = call.frame()
            if not isinstance(frame, nodes.FunctionDef) or (location, frame.lineno) not in roots:
                continue
            try:
                inferred = next(call.func.infer(), None)
            except Exception:
                continue
            target = inferred
            while not isinstance(target, nodes.FunctionDef) and hasattr(target, "_proxied"):
                target = target._proxied  # bound -> unbound method -> its FunctionDef
            if isinstance(target, nodes.FunctionDef) and str(target.root().file or "").startswith(str(root)):
                theirs.add((location, call.lineno))
                if (location, call.lineno) not in ours and (target.root().file, target.lineno) in effectful:
                    gained += 1
    astroid_seconds = time.perf_counter() - start
    print(f"files parsed by detlint:                      {len(run.modules)}")
    print(f"calls detlint resolves to project functions:  {len(ours)}")
    print(f"calls astroid resolves to project functions:  {len(theirs)}")
    print(f"  of which detlint does not:                  {len(theirs - ours)}")
    print(f"  ...leading to a function with a DET1 effect: {gained}")
    print(f"detlint check: {detlint_seconds:.1f} s; astroid build + infer: {astroid_seconds:.1f} s")


if __name__ == "__main__":
    main(Path(sys.argv[1]).resolve())
