"""Skeletons with type names: activity and child workflow references resolved over the project.

Extraction (detlint/analysis/skeleton.py) knows one file: `workflow.execute_activity(charge)`
records the qualified name `app.acts.charge`. The type the server compares is the name the
definition registers under: `@activity.defn(name="charge-card")`, else the function's own name;
a child workflow's type is its class's `@workflow.defn(name=...)`, else the class name. A string
(`execute_activity("charge")`) is the type as written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Iterable

from detlint.analysis.facts import ModuleFacts
from detlint.analysis.index import ProjectIndex
from detlint.analysis.skeleton import Block, Node
from detlint.frameworks import temporal

# Keys that locate a skeleton in today's files: kept for reporting, left out of the lock file.
POSITION_KEYS = frozenset({"line", "column", "end", "type_line", "type_column", "qualname", "awaited"})


def workflow_decorators(settings: Any) -> frozenset[str]:
    return frozenset({temporal.WORKFLOW_DEFN, *settings.workflow_decorators})


def activity_decorators(settings: Any) -> frozenset[str]:
    return frozenset({temporal.ACTIVITY_DEFN, *settings.activity_decorators})


class Resolver:
    """Type names for the references in a project's skeletons. A name resolves in the module
    that defines it, as the index finds it from the referring module. `fallback` answers for
    definitions the project no longer has (an old revision resolved with today's index)."""

    def __init__(self, index: ProjectIndex, fallback: Resolver | None = None) -> None:
        self.index = index
        self.fallback = fallback

    def workflows(self, module: ModuleFacts, decorators: frozenset[str]) -> list[Node]:
        """The resolved skeletons of `module`'s workflow classes (those `decorators` recognise),
        with their `path`."""
        out: list[Node] = []
        for raw in module.workflow_skeletons:
            cls = module.classes.get(raw["qualname"])
            if cls is None or not decorators.intersection(cls.decorators):
                continue
            skeleton = {**raw, "path": module.path.as_posix()}
            skeleton["commands"] = self._block(raw["commands"], module)
            skeleton["handlers"] = [{**h, "commands": self._block(h["commands"], module)} for h in raw["handlers"]]
            out.append(skeleton)
        return out

    def _block(self, block: Block, module: ModuleFacts) -> Block:
        out: Block = []
        for node in block:
            if "blocks" in node:
                out.append({**node, "blocks": [self._block(b, module) for b in node["blocks"]]})
            elif node["op"] in ("activity", "local_activity", "child"):
                resolved = {k: v for k, v in node.items() if k not in ("ref", "name")}
                if node["op"] == "child":
                    resolved["type"] = node["name"] or self.child_type(node["ref"], module)
                else:
                    resolved["type"] = node["name"] or self.activity_type(node["ref"], module)
                out.append(resolved)
            else:
                out.append(dict(node))
        return out

    def activity_type(self, ref: str | None, module: ModuleFacts) -> str | None:
        if ref is None:
            return None
        name = self._canonical(ref, module)
        return self._explicit(name, ref, module) or name.rpartition(".")[2]

    def child_type(self, ref: str | None, module: ModuleFacts) -> str | None:
        if ref is None:
            return None
        name = self._canonical(ref, module)
        owner = name.rpartition(".")[0]
        for candidate in (name, owner):
            found = self._workflow_type(candidate, module) or self._explicit(candidate, candidate, module)
            if found is not None:
                return found
        last = name.rpartition(".")[2]
        # `Ship.run` names the run method of class `Ship`, whose name is the default type.
        if owner and last[:1].islower():
            return owner.rpartition(".")[2]
        return last

    def _explicit(self, name: str, ref: str, module: ModuleFacts) -> str | None:
        for resolver in (self, self.fallback):
            if resolver is not None:
                defining = resolver.index.defining_module(ref, module) or resolver.index.defining_module(name, module)
                if defining is not None and name in defining.explicit_names:
                    return defining.explicit_names[name]
        return None

    def _workflow_type(self, name: str, module: ModuleFacts) -> str | None:
        for resolver in (self, self.fallback):
            if resolver is not None:
                defining = resolver.index.defining_module(name, module)
                for skeleton in defining.workflow_skeletons if defining is not None else ():
                    if skeleton["qualname"] == name:
                        return skeleton["type"]
        return None

    def _canonical(self, ref: str, module: ModuleFacts) -> str:
        return self.index.canonical(ref, module).replace("()", "")


def defined_activities(index: ProjectIndex, resolver: Resolver | None = None) -> set[str]:
    """The activity types the project's activity definitions register."""
    return {
        node.module.explicit_names.get(node.function.qualname) or node.function.qualname.rpartition(".")[2]
        for node in index.roots.activity
    }


def current_workflows(index: ProjectIndex, settings_of: Callable[[ModuleFacts], Any]) -> list[Node]:
    resolver = Resolver(index)
    return [s for m in index.modules for s in resolver.workflows(m, workflow_decorators(settings_of(m)))]


def strip_positions(value: Any) -> Any:
    """A skeleton as the lock file keeps it: no lines, columns or qualified names."""
    if isinstance(value, dict):
        return {k: strip_positions(v) for k, v in value.items() if k not in POSITION_KEYS}
    if isinstance(value, list):
        return [strip_positions(v) for v in value]
    return value


def by_type(skeletons: Iterable[Node]) -> dict[str, Node]:
    """One skeleton per workflow type (the first, in path order, when a type is defined twice)."""
    out: dict[str, Node] = {}
    for skeleton in sorted(skeletons, key=lambda s: (s.get("path", ""), s.get("line", 0))):
        out.setdefault(skeleton["type"], skeleton)
    return out


def relative_path(path: Path, folder: Path) -> str:
    return path.resolve().relative_to(folder.resolve()).as_posix()
