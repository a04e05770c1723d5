"""The project index: joins every module's facts, marks roles and follows calls.

Works on facts only (no trees). A call reaches a project function when its resolved name is
that function (`pkg.mod.helper`), a method of a project class reached through the class or an
instance (`pkg.mod.Repo.save`, `pkg.mod.Repo().save`, including inherited methods), or a
constructor (`pkg.mod.Repo` -> `pkg.mod.Repo.__init__`).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Callable, Iterable

from detlint.analysis.facts import ClassFacts, Effect, FunctionFacts, ModuleFacts
from detlint.model import Location, Range


@dataclass(frozen=True)
class Hop:
    """One call on the way from workflow code to an effect."""

    function: FunctionFacts
    module: ModuleFacts
    call_site: Range  # where this hop's function was called from the previous one


@dataclass(frozen=True)
class ReachedEffect:
    effect: Effect
    hops: tuple[Hop, ...]  # the callee chain, first callee first; the effect is in the last


@dataclass(frozen=True)
class Roots:
    """The functions where findings are reported, by role."""

    workflow: tuple[FunctionFacts, ...]
    activity: tuple[FunctionFacts, ...]


class ProjectIndex:
    def __init__(
        self,
        modules: Iterable[ModuleFacts],
        effects_of: Callable[[FunctionFacts, ModuleFacts], list[Effect]],
        decorators_for: Callable[[ModuleFacts], tuple[frozenset[str], frozenset[str]]],
    ) -> None:
        """`effects_of` classifies a function's facts into effects (rules decide);
        `decorators_for` gives the workflow and activity decorator names a module's
        configuration recognises."""
        self.modules = [m for m in modules if m.parse_failure is None]
        self.functions: dict[str, tuple[FunctionFacts, ModuleFacts]] = {}
        self.classes: dict[str, ClassFacts] = {}
        for module in self.modules:
            for function in module.functions.values():
                self.functions[function.qualname] = (function, module)
            self.classes.update(module.classes)
        self.effects = {q: effects_of(f, m) for q, (f, m) in self.functions.items()}
        self.roots = self._find_roots(decorators_for)
        self._root_names = {f.qualname for f in self.roots.workflow} | {f.qualname for f in self.roots.activity}
        self._reached: dict[str, list[ReachedEffect]] = {}

    # -- roles ------------------------------------------------------------------------------

    def _find_roots(self, decorators_for: Callable) -> Roots:
        workflow: list[FunctionFacts] = []
        activity: list[FunctionFacts] = []
        for module in self.modules:
            workflow_decorators, activity_decorators = decorators_for(module)
            workflow_classes = [
                c for c in module.classes.values() if workflow_decorators.intersection(c.decorators)
            ]
            if workflow_classes:
                # The sandbox re-imports the module: its top-level statements are workflow code.
                workflow.append(module.functions[module.module_scope])
            for cls in workflow_classes:
                workflow.extend(module.functions[q] for q in cls.methods)
            activity.extend(
                f for f in module.functions.values() if activity_decorators.intersection(f.decorators)
            )
        return Roots(tuple(workflow), tuple(activity))

    # -- calls ------------------------------------------------------------------------------

    def callee(self, name: str) -> str | None:
        """The project function a called name reaches, or None."""
        if name in self.functions:
            return name
        if name in self.classes:
            return self._method(name, "__init__")
        owner, _, method = name.rpartition(".")
        return self._method(owner.removesuffix("()"), method) if owner else None

    def _method(self, class_qualname: str, method: str, seen: frozenset[str] = frozenset()) -> str | None:
        cls = self.classes.get(class_qualname)
        if cls is None or class_qualname in seen:
            return None
        candidate = f"{class_qualname}.{method}"
        if candidate in self.functions:
            return candidate
        for base in cls.bases:
            found = self._method(base, method, seen | {class_qualname})
            if found:
                return found
        return None

    def calls(self, function: FunctionFacts) -> Iterable[tuple[Range, str]]:
        """(call site, callee) for each call from `function` into helpers, not into another
        root (a root's findings are reported where they are) nor into an activity (calling an
        activity as a function is a finding of its own)."""
        for ref in function.references:
            if not ref.called:
                continue
            target = self.callee(ref.name)
            if target and target != function.qualname and target not in self._root_names:
                yield ref.range, target

    def reached(self, qualname: str) -> list[ReachedEffect]:
        """Every effect reachable by calling `qualname`, each by its shortest chain. Computed
        once per function; cycles are cut by the breadth-first walk."""
        if qualname not in self._reached:
            self._reached[qualname] = list(self._walk(qualname))
        return self._reached[qualname]

    def _walk(self, start: str) -> Iterable[ReachedEffect]:
        queue: deque[tuple[str, tuple[Hop, ...]]] = deque([(start, ())])
        seen = {start}
        while queue:
            qualname, hops = queue.popleft()
            function, module = self.functions[qualname]
            hops_here = hops or (Hop(function, module, function.range),)
            for effect in self.effects[qualname]:
                yield ReachedEffect(effect, hops_here)
            for site, target in self.calls(function):
                if target not in seen:
                    seen.add(target)
                    callee, callee_module = self.functions[target]
                    queue.append((target, (*hops_here, Hop(callee, callee_module, site))))

    def chain_locations(self, reached: ReachedEffect) -> tuple[Location, ...]:
        """Each helper's call to the next, then the effect itself."""
        hops = reached.hops
        locations = [
            Location(hop.module.path, nxt.call_site, f"calls {_display(nxt, hop.module)}")
            for hop, nxt in zip(hops, hops[1:])
        ]
        last = hops[-1]
        locations.append(Location(last.module.path, reached.effect.range, reached.effect.leaf))
        return tuple(locations)


def chain_text(reached: ReachedEffect, from_module: ModuleFacts) -> str:
    """`_stamp() -> time.time()`; functions of other modules carry their module's last name."""
    return " -> ".join([*(_display(hop, from_module) for hop in reached.hops), reached.effect.leaf])


def _display(hop: Hop, from_module: ModuleFacts) -> str:
    name = hop.function.display
    if hop.module.module != from_module.module:
        name = f"{hop.module.module.rpartition('.')[2]}.{name}"
    return f"{name}()"

