"""The project index: joins every module's facts, marks roles and follows calls.

Works on facts only (no trees). A call reaches a project function when its resolved name is
that function (`pkg.mod.helper`), a method of a project class reached through the class or an
instance (`pkg.mod.Repo.save`, `pkg.mod.Repo().save`, including inherited methods), or a
constructor (`pkg.mod.Repo` -> `pkg.mod.Repo.__init__`). Two files may carry the same module
name (scripts in different folders, sub-projects of a monorepo): a name then resolves within
the calling file's module, and is otherwise left unresolved rather than guessed.
"""

from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import dataclass
from typing import Callable, Iterable, TypeVar

from detlint.analysis.facts import ClassFacts, Effect, FunctionFacts, ModuleFacts
from detlint.model import Location, Range

T = TypeVar("T")
MAX_ALIAS_HOPS = 16  # re-exports of re-exports; a cycle of aliases stops here


@dataclass(frozen=True, eq=False)
class Node:
    """A function of the project (or a module's top level), hashed by identity."""

    function: FunctionFacts
    module: ModuleFacts


@dataclass(frozen=True)
class Hop:
    """One call on the way from a root to an effect: `node` was called at `call_site`."""

    node: Node
    call_site: Range


@dataclass(frozen=True)
class ReachedEffect:
    effect: Effect
    hops: tuple[Hop, ...]  # the callee chain, first callee first; the effect is in the last


@dataclass(frozen=True)
class Roots:
    """The functions where findings are reported, by role."""

    workflow: tuple[Node, ...]
    activity: tuple[Node, ...]


class ProjectIndex:
    # What the versioning rules (DET5xx) compare with: a detlint.versioning.baseline.Baseline,
    # set by the engine; None: nothing to compare with.
    baseline: object | None = None

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
        self.nodes = [Node(f, m) for m in self.modules for f in m.functions.values()]
        self._functions: dict[str, list[Node]] = defaultdict(list)
        for node in self.nodes:
            self._functions[node.function.qualname].append(node)
        self._classes: dict[str, list[tuple[ClassFacts, ModuleFacts]]] = defaultdict(list)
        self._modules: dict[str, list[ModuleFacts]] = defaultdict(list)
        for module in self.modules:
            self._modules[module.module].append(module)
            for cls in module.classes.values():
                self._classes[cls.qualname].append((cls, module))
        self.effects = {node: effects_of(node.function, node.module) for node in self.nodes}
        self.roots = self._find_roots(decorators_for)
        self._root_nodes = {*self.roots.workflow, *self.roots.activity}
        self._reached: dict[Node, list[ReachedEffect]] = {}
        # (name, id(caller)) -> (caller, callee): rules ask for the same calls again and again
        self._callees: dict[tuple[str, int], tuple[ModuleFacts, Node | None]] = {}

    # -- roles ------------------------------------------------------------------------------

    def _find_roots(self, decorators_for: Callable) -> Roots:
        workflow: list[Node] = []
        activity: list[Node] = []
        by_function = {id(node.function): node for node in self.nodes}
        for module in self.modules:
            workflow_decorators, activity_decorators = decorators_for(module)
            workflow_classes = [c for c in module.classes.values() if workflow_decorators.intersection(c.decorators)]
            if workflow_classes:
                # The sandbox re-imports the module: its top-level statements are workflow code.
                workflow.append(by_function[id(module.functions[module.module_scope])])
            for cls in workflow_classes:
                workflow.extend(by_function[id(module.functions[q])] for q in cls.methods)
            activity.extend(
                by_function[id(f)] for f in module.functions.values() if activity_decorators.intersection(f.decorators)
            )
        return Roots(tuple(workflow), tuple(activity))

    # -- calls ------------------------------------------------------------------------------

    def canonical(self, name: str, caller: ModuleFacts) -> str:
        """The name a project definition has where it is defined: `pkg.helper` becomes
        `pkg.impl.helper` when `pkg/__init__.py` re-exports it, `mod.repo.save` becomes
        `store.Repo().save` when `mod` has `repo = Repo()` from `store`."""
        for _ in range(MAX_ALIAS_HOPS):
            if name in self._functions or name in self._classes:
                break
            rewritten = self._through_exports(name, caller)
            if rewritten is None or rewritten == name:
                break
            name = rewritten
        return name

    def _through_exports(self, name: str, caller: ModuleFacts) -> str | None:
        parts = name.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            module = _pick(self._modules.get(".".join(parts[:cut]), []), caller, lambda m: m)
            if module is not None:
                segment = parts[cut]
                target = module.exports.get(segment.removesuffix("()"))
                if target is None:
                    return None
                called = "()" if segment.endswith("()") else ""
                return ".".join([target + called, *parts[cut + 1 :]])
        return None

    def callee(self, name: str, caller: ModuleFacts) -> Node | None:
        """The project function a called name reaches from `caller`'s module, or None."""
        known = self._callees.get((name, id(caller)))
        if known is not None and known[0] is caller:
            return known[1]
        found = self._callee(name, caller)
        self._callees[(name, id(caller))] = (caller, found)
        return found

    def _callee(self, name: str, caller: ModuleFacts) -> Node | None:
        name = self.canonical(name, caller)
        if name in self._functions:
            return _pick(self._functions[name], caller, lambda node: node.module)
        if name in self._classes:
            return self._method(name, "__init__", caller)
        owner, _, method = name.rpartition(".")
        return self._method(owner.removesuffix("()"), method, caller) if owner else None

    def defining_module(self, name: str, caller: ModuleFacts) -> ModuleFacts | None:
        """The module that defines the project function, method or class `name`, as seen from
        `caller`'s module (the nearest of several files with the same module name)."""
        name = self.canonical(name, caller)
        if name in self._functions:
            node = _pick(self._functions[name], caller, lambda n: n.module)
            return node.module if node is not None else None
        if name in self._classes:
            entry = _pick(self._classes[name], caller, lambda e: e[1])
            return entry[1] if entry is not None else None
        return None

    def _method(self, class_name: str, method: str, caller: ModuleFacts, seen: frozenset[str] = frozenset()) -> Node | None:
        class_name = self.canonical(class_name, caller)
        found = _pick(self._classes.get(class_name, []), caller, lambda entry: entry[1])
        if found is None or class_name in seen:
            return None
        cls, module = found
        candidate = f"{class_name}.{method}"
        if candidate in cls.methods:
            return _pick(self._functions[candidate], module, lambda node: node.module)
        for base in cls.bases:
            inherited = self._method(base, method, module, seen | {class_name})
            if inherited:
                return inherited
        return None

    def calls(self, node: Node) -> Iterable[tuple[Range, Node]]:
        """(call site, callee) for each call from `node` into helpers, not into another root
        (a root's findings are reported where they are)."""
        for ref in node.function.references:
            if ref.called:
                target = self.callee(ref.name, node.module)
                if target is not None and target is not node and target not in self._root_nodes:
                    yield ref.range, target

    def reached(self, node: Node) -> list[ReachedEffect]:
        """Every effect reachable by calling `node`, each by its shortest chain. Computed once
        per function; cycles are cut by the breadth-first walk."""
        if node not in self._reached:
            self._reached[node] = list(self._walk(node))
        return self._reached[node]

    def _walk(self, start: Node) -> Iterable[ReachedEffect]:
        queue: deque[tuple[Node, tuple[Hop, ...]]] = deque([(start, (Hop(start, start.function.range),))])
        seen = {start}
        while queue:
            node, hops = queue.popleft()
            for effect in self.effects[node]:
                yield ReachedEffect(effect, hops)
            for site, target in self.calls(node):
                if target not in seen:
                    seen.add(target)
                    queue.append((target, (*hops, Hop(target, site))))

    def chain_locations(self, reached: ReachedEffect) -> tuple[Location, ...]:
        """Each helper's call to the next, then the effect itself."""
        hops = reached.hops
        locations = [
            Location(hop.node.module.path, nxt.call_site, f"calls {_display(nxt, hop.node.module)}")
            for hop, nxt in zip(hops, hops[1:])
        ]
        last = hops[-1].node
        locations.append(Location(last.module.path, reached.effect.range, reached.effect.leaf))
        return tuple(locations)


def chain_text(reached: ReachedEffect, from_module: ModuleFacts) -> str:
    """`_stamp() -> time.time()`; functions of other modules carry their module's last name."""
    return " -> ".join([*(_display(hop, from_module) for hop in reached.hops), reached.effect.leaf])


def _display(hop: Hop, from_module: ModuleFacts) -> str:
    name = hop.node.function.display
    if hop.node.module.module != from_module.module:
        name = f"{hop.node.module.module.rpartition('.')[2]}.{name}"
    return f"{name}()"


def _pick(candidates: list[T], caller: ModuleFacts, module_of: Callable[[T], ModuleFacts]) -> T | None:
    """The only candidate, or the one nearest the caller's file (its own file, else the one
    sharing the most folders with it); None when two are equally near: never a guess."""
    if len(candidates) <= 1:
        return candidates[0] if candidates else None
    nearness = [_shared_folders(module_of(c), caller) for c in candidates]
    best = max(nearness)
    return candidates[nearness.index(best)] if nearness.count(best) == 1 else None


def _shared_folders(module: ModuleFacts, caller: ModuleFacts) -> int:
    if module is caller:
        return 1 << 16
    shared = 0
    for mine, theirs in zip(module.path.parent.parts, caller.path.parent.parts):
        if mine != theirs:
            break
        shared += 1
    return shared
