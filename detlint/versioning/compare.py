"""Old skeleton vs new skeleton: what running executions would trip over on replay.

Pure functions of resolved skeletons (see detlint/analysis/skeleton.py and resolve.py): no
files, no index. `compare(old, new)` returns the differences of one workflow type;
`compare_workflows(old_by_type, new)` pairs workflow types (renames, removals) and compares
each pair.

How a command sequence is compared (what the server compares, temporal-facts.md section 5):

* Blocks are aligned on a fingerprint of each item (activity and child types, timer or not,
  child id or not, compound statements with their content); items that changed in place and
  have the same shape (a loop against a loop, a sleep against a sleep) are compared inside.
* A new `if workflow.patched("id"):` whose id the old code never used is replaced by its else
  branch: that is what executions started before it replay. An old guard that the new code
  dropped is replaced by its patched branch (what executions that recorded the marker ran),
  and is a DET503 unless the new code calls `workflow.deprecate_patch("id")`.
* Only commands count: a removed `wait_condition` without a timeout or an `asyncio.sleep(0)`
  is invisible to the server, an inserted blocking wait is not (the commands after it move to
  a later workflow task). Arguments, timeouts, retry policies, task queues, timer durations,
  comments and formatting are not part of a skeleton at all.
* A difference next to a call detlint cannot see into (a helper in another module) is not
  reported: it may be a refactoring that moved the same commands.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any, Callable, Collection, Iterable, Iterator, Mapping, Sequence

Node = dict[str, Any]
Block = list[Node]

SEQUENCE, NAMES, PATCH, SIGNATURE, TIMER, RANDOM = "DET501", "DET502", "DET503", "DET504", "DET505", "DET506"

COMMANDS = frozenset(
    {
        "activity",
        "local_activity",
        "child",
        "sleep",
        "wait",
        "signal_external",
        "cancel_external",
        "continue_as_new",
        "upsert_search_attributes",
        "upsert_memo",
    }
)
COMPOUND = frozenset({"if", "loop", "try", "match", "patch"})
LEAVES = COMMANDS | {"random", "call"}
PATCH_ADVICE = 'guard it with workflow.patched("...") or start a new workflow type'


@dataclass(frozen=True, order=True)
class Difference:
    line: int
    column: int
    code: str
    message: str


def compare(old: Mapping[str, Any], new: Mapping[str, Any], defined_activities: Collection[str] | None = None) -> list[Difference]:
    """The differences between two skeletons of one workflow type, reported on `new`'s lines.

    `defined_activities`: the activity types the new code defines (when known), to tell an
    activity that was renamed (DET502) from one that is still registered."""
    found: list[Difference] = []
    found.extend(_handler_names(old, new))
    found.extend(_run_signature(old, new))
    run = new.get("run", {})
    found.extend(_Sequence(defined_activities).compare(old.get("commands", []), new.get("commands", []), _end(run)))
    old_handlers = {(h["kind"], h["name"]): h for h in old.get("handlers", [])}
    for handler in new.get("handlers", []):
        before = old_handlers.get((handler["kind"], handler["name"]))
        if before is not None:
            found.extend(
                _Sequence(defined_activities).compare(before.get("commands", []), handler.get("commands", []), _end(handler))
            )
    return sorted(set(found))


def compare_workflows(
    old_by_type: Mapping[str, Mapping[str, Any]],
    new: Sequence[Mapping[str, Any]],
    present_paths: Collection[str] = (),
    defined_activities: Collection[str] | None = None,
) -> list[tuple[str, Difference]]:
    """(path, difference) for every workflow of `new` against the baseline `old_by_type`.

    A type new since the baseline is not compared. A baseline type that no longer exists is a
    rename (DET502, at the new type's name) when its file now holds exactly one type the
    baseline does not know, and otherwise a removal, reported at the top of its file when
    that file is among `present_paths`."""
    found: list[tuple[str, Difference]] = []
    by_type: dict[str, list[Mapping[str, Any]]] = {}
    for skeleton in new:
        by_type.setdefault(skeleton["type"], []).append(skeleton)
    unknown_by_path: dict[str, list[Mapping[str, Any]]] = {}
    for skeleton in new:
        if skeleton["type"] not in old_by_type:
            unknown_by_path.setdefault(skeleton["path"], []).append(skeleton)
    missing_by_path: dict[str, list[str]] = {}
    for type_name, old in sorted(old_by_type.items()):
        candidates = by_type.get(type_name)
        if candidates:
            same_file = [c for c in candidates if c.get("path") == old.get("path")]
            current = (same_file or candidates)[0]
            found.extend((current["path"], d) for d in compare(old, current, defined_activities))
        else:
            missing_by_path.setdefault(old.get("path", ""), []).append(type_name)
    for path, missing in sorted(missing_by_path.items()):
        unknown = unknown_by_path.get(path, [])
        if len(missing) == 1 and len(unknown) == 1:
            renamed = unknown[0]
            message = (
                f"workflow type '{missing[0]}' was renamed to '{renamed['type']}': running executions of "
                f"'{missing[0]}' have no worker and clients still start it; keep the old type name with "
                f'`@workflow.defn(name="{missing[0]}")` or keep the old workflow registered until its executions finish'
            )
            found.append((path, Difference(renamed["type_line"], renamed["type_column"], NAMES, message)))
        elif path in present_paths:
            for type_name in missing:
                message = (
                    f"workflow type '{type_name}' was removed from this file: running executions of it have no "
                    "worker and clients still start it; keep it registered until its executions finish, then "
                    "refresh the baseline (`detlint lock`)"
                )
                found.append((path, Difference(1, 1, NAMES, message)))
    return found


# -- handler names and the run signature (DET502, DET504) ----------------------------------------


def _handler_names(old: Mapping[str, Any], new: Mapping[str, Any]) -> Iterator[Difference]:
    users = {"signal": "senders", "query": "clients", "update": "clients"}
    for kind in ("signal", "query", "update"):
        before = {h["name"]: h for h in old.get("handlers", []) if h["kind"] == kind}
        after = {h["name"]: h for h in new.get("handlers", []) if h["kind"] == kind}
        missing = sorted(set(before) - set(after))
        added = sorted(set(after) - set(before))
        keep = f"keep a handler registered as '{{name}}' (`@workflow.{kind}(name=\"{{name}}\")`)"
        if len(missing) == 1 and len(added) == 1:
            name, handler = missing[0], after[added[0]]
            message = (
                f"{kind} '{name}' was renamed to '{added[0]}': running executions and {users[kind]} still use "
                f"'{name}'; {keep.format(name=name)}"
            )
            yield Difference(handler["line"], handler["column"], NAMES, message)
            continue
        for name in missing:
            message = (
                f"{kind} '{name}' was removed: running executions and {users[kind]} still use it; "
                f"{keep.format(name=name)}"
            )
            yield Difference(new.get("line", 1), new.get("column", 1), NAMES, message)


def _run_signature(old: Mapping[str, Any], new: Mapping[str, Any]) -> Iterator[Difference]:
    before = old.get("run", {}).get("params", [])
    run = new.get("run", {})
    after = run.get("params", [])
    problems: list[str] = []
    old_names = [p["name"] for p in before]
    new_names = [p["name"] for p in after]
    removed = [n for n in old_names if n not in new_names]
    if len(after) < len(before) and not run.get("star"):
        gone = removed or old_names[len(after) :]
        problems.append(f"parameter {_names(gone)} removed")
    elif [n for n in new_names if n in old_names] != [n for n in old_names if n in new_names]:
        problems.append("parameters reordered")
    for param in after[len(before) :]:
        if not param.get("default"):
            problems.append(f"parameter '{param['name']}' added without a default")
    if problems:
        message = (
            f"the run signature changed incompatibly ({'; '.join(problems)}): running executions, schedules and "
            "clients pass the old arguments; add new parameters at the end with a default, keep removed ones "
            "(unused), or start a new workflow type"
        )
        yield Difference(run.get("line", 1), run.get("column", 1), SIGNATURE, message)


def _names(names: Sequence[str]) -> str:
    return ", ".join(f"'{n}'" for n in names)


def _end(scope: Mapping[str, Any]) -> tuple[int, int]:
    return scope.get("end", scope.get("line", 1)), 1


# -- command sequences -----------------------------------------------------------------------------


@dataclass
class _Region:
    olds: Block
    news: Block
    after: tuple[int, int]  # where the code that follows a removal starts
    before: Node | None  # the new item before the region
    following: Node | None  # the new item after the region


@dataclass
class _Sequence:
    defined_activities: Collection[str] | None = None
    found: list[Difference] = field(default_factory=list)
    old_positions: dict[int, int] = field(default_factory=dict)
    new_positions: dict[int, int] = field(default_factory=dict)

    def compare(self, old: Block, new: Block, end: tuple[int, int]) -> list[Difference]:
        old_ids = _patch_ids(old)
        new_ids = _patch_ids(new)
        old_block = self._normalise_old(old, new_ids)
        new_block = self._normalise_new(new, old_ids)
        _number(old_block, self.old_positions)
        _number(new_block, self.new_positions)
        self._align(old_block, new_block, end, SEQUENCE)
        self._random_draws(old_block, new_block)
        return self.found

    # -- patches -----------------------------------------------------------------------------

    def _normalise_old(self, block: Block, new_ids: dict[str, set[str]]) -> Block:
        """What the old code runs for executions the new code must replay: the patched branch
        of a guard the new code dropped (with a marker for DET503 unless it deprecates it)."""

        def dropped(node: Node) -> Block:
            marker = [] if node["id"] in new_ids["deprecated"] else [{"op": "removed_patch", "id": node["id"]}]
            return marker + self._normalise_old(node["blocks"][0], new_ids)

        return self._normalise(block, new_ids, dropped, lambda b: self._normalise_old(b, new_ids))

    def _normalise_new(self, block: Block, old_ids: dict[str, set[str]]) -> Block:
        """What the new code runs for executions recorded by the old code: the else branch of
        a guard the old code did not know."""

        def added(node: Node) -> Block:
            patch_id = node["id"]
            if patch_id not in old_ids["deprecated"]:
                return self._normalise_new(node["blocks"][1], old_ids)
            self._report(
                {"line": node["line"], "column": node["column"], "op": "patch"},
                PATCH,
                f'patch id "{patch_id}" was deprecated in the baseline and is reused here: executions that '
                "recorded its marker take this new branch on replay; use a new patch id",
            )
            return [{"op": "call", "target": f"<patch {patch_id}>", "line": node["line"], "column": node["column"]}]

        return self._normalise(block, old_ids, added, lambda b: self._normalise_new(b, old_ids))

    def _normalise(
        self, block: Block, other_ids: dict[str, set[str]], unmatched: Callable[[Node], Block], inner: Callable[[Block], Block]
    ) -> Block:
        """Copies `block` without deprecations; a patch guard whose id the other side also
        guards stays (the two are compared), one with a computed id is a plain `if`, and
        `unmatched` says what stands for the others."""
        out: Block = []
        for node in block:
            op = node["op"]
            if op == "deprecate_patch":
                continue
            if op == "patch" and node.get("id") is not None and node["id"] not in other_ids["guard"]:
                out.extend(unmatched(node))
            elif "blocks" in node:
                kind = "if" if op == "patch" and node.get("id") is None else op
                out.append({**node, "op": kind, "blocks": [inner(b) for b in node["blocks"]]})
            else:
                out.append(dict(node))
        return out

    # -- alignment -------------------------------------------------------------------------------

    def _align(self, olds: Block, news: Block, end: tuple[int, int], code: str) -> None:
        old_items = [n for n in olds if _relevant(n)]
        new_items = [n for n in news if _relevant(n)]
        matcher = SequenceMatcher(None, [_deep(n) for n in old_items], [_deep(n) for n in new_items], autojunk=False)
        opcodes = matcher.get_opcodes()
        self._removed_patches(olds, old_items, new_items, opcodes, end)
        regions: list[_Region] = []
        for tag, i1, i2, j1, j2 in opcodes:
            if tag == "equal":
                continue
            following = new_items[j2] if j2 < len(new_items) else None
            after = _start(following) if following is not None else end
            if tag == "replace" and i2 - i1 == j2 - j1:
                pairs = list(zip(old_items[i1:i2], new_items[j1:j2]))
                if all(_shallow(o) == _shallow(n) for o, n in pairs):
                    for k, (o, n) in enumerate(pairs):
                        nxt = new_items[j1 + k + 1] if j1 + k + 1 < len(new_items) else None
                        self._pair(o, n, _start(nxt) if nxt is not None else end, code)
                    continue
            before = new_items[j1 - 1] if j1 > 0 else None
            regions.append(_Region(old_items[i1:i2], new_items[j1:j2], after, before, following))
        for region in _merge_moves(regions):
            self._region(region, code)

    def _pair(self, old: Node, new: Node, after: tuple[int, int], code: str) -> None:
        op = old["op"]
        if op in ("sleep", "wait"):
            if old.get("timer") is not None and new.get("timer") is not None and old["timer"] != new["timer"]:
                self._report(new, TIMER, _timer_change(op, new["timer"]))
        elif op in ("activity", "local_activity", "child"):
            self._pair_command(old, new, code)
        elif op == "patch":
            self._align(old["blocks"][0], new["blocks"][0], after, PATCH)
            self._align(old["blocks"][1], new["blocks"][1], after, code)
        elif op in COMPOUND:
            blocks = max(len(old["blocks"]), len(new["blocks"]))
            for k in range(blocks):
                before = old["blocks"][k] if k < len(old["blocks"]) else []
                now = new["blocks"][k] if k < len(new["blocks"]) else []
                self._align(before, now, after, code)

    def _pair_command(self, old: Node, new: Node, code: str) -> None:
        kind = _kind(old)
        position = self.new_positions.get(id(new))
        if old.get("type") and new.get("type") and old["type"] != new["type"]:
            self._report(
                new,
                code,
                _prefix(code) + f"{kind} '{old['type']}' at position {position} became '{new['type']}'; {_advice(code)}",
            )
            defined = self.defined_activities
            if old["op"] != "child" and defined is not None and new["type"] in defined and old["type"] not in defined:
                self._report(
                    new,
                    NAMES,
                    f"activity type '{old['type']}' is no longer defined (this call now runs '{new['type']}'): "
                    f"activities that running executions already scheduled as '{old['type']}' find no worker; "
                    f"keep a definition registered as '{old['type']}' until they finish",
                )
        elif old["op"] == "child" and old.get("id") is not None and new.get("id") is not None and old["id"] != new["id"]:
            now = "now passes an explicit id" if new["id"] else "no longer passes an id (it gets a generated one)"
            self._report(
                new,
                code,
                _prefix(code) + f"{kind} '{new.get('type') or '?'}' at position {position} {now}: the server compares "
                f"child ids on replay; {_advice(code)}",
            )

    def _region(self, region: _Region, code: str) -> None:
        if _opaque(region.olds) or _opaque(region.news):
            return  # a helper detlint cannot see into may issue the same commands
        added = [n for n in _leaves(region.news) if n["op"] in COMMANDS and _counts_when_inserted(n)]
        removed = [n for n in _leaves(region.olds) if n["op"] in COMMANDS and _counts_when_removed(n)]
        if not added and not removed:
            return
        prefix = _prefix(code)
        if added and removed:
            first_old, first_new = removed[0], added[0]
            if sorted(_deep(n) for n in added) == sorted(_deep(n) for n in removed):
                message = (
                    f"{_describe(first_new)} moved to position {self.new_positions.get(id(first_new))} "
                    f"(it was at {self.old_positions.get(id(_same(removed, first_new)))})"
                )
            else:
                message = (
                    f"{_describe(first_old)} at position {self.old_positions.get(id(first_old))} "
                    f"became {_describe(first_new)}"
                )
            self._report(first_new, code, f"{prefix}{message}{_more(added, removed)}; {_advice(code)}")
        elif added:
            first = added[0]
            following = next(iter(_commands_of(region.following)), None)
            preceding = list(_commands_of(region.before))
            if following is not None:
                where = f"before {_name(following)}"
            elif preceding:
                where = f"after {_name(preceding[-1])}"
            else:
                where = "into a sequence that had no commands"
            message = f"{_describe(first)} inserted {where} at position {self.new_positions.get(id(first))}"
            self._report(first, code, f"{prefix}{message}{_more(added, [])}; {_advice(code)}")
        else:
            first = removed[0]
            following = next(iter(_commands_of(region.following)), None)
            where = f"before {_name(following)}" if following is not None else "at the end"
            message = f"{_describe(first)} removed {where} (it was at position {self.old_positions.get(id(first))})"
            line, column = region.after
            self.found.append(Difference(line, column, code, f"{prefix}{message}{_more([], removed)}; {_advice(code)}"))

    def _removed_patches(
        self, olds: Block, old_items: Block, new_items: Block, opcodes: list[tuple[str, int, int, int, int]], end: tuple[int, int]
    ) -> None:
        """DET503 for each old patch guard the new code dropped without deprecating it, at the
        new code that stands where the guard's branch was."""
        relevant_index = {id(n): k for k, n in enumerate(old_items)}
        for position, node in enumerate(olds):
            if node["op"] != "removed_patch":
                continue
            following = next((relevant_index[id(n)] for n in olds[position + 1 :] if id(n) in relevant_index), None)
            at = end
            if following is not None:
                j = _new_index(following, opcodes)
                if j is not None and j < len(new_items):
                    at = _start(new_items[j])
            patch_id = node["id"]
            self.found.append(
                Difference(
                    at[0],
                    at[1],
                    PATCH,
                    f'the `workflow.patched("{patch_id}")` branch was removed without a release that calls '
                    f'`workflow.deprecate_patch("{patch_id}")`: executions that recorded the patch marker fail on '
                    f'replay; ship `workflow.deprecate_patch("{patch_id}")` with the patched code first, and remove it '
                    "once those executions have finished",
                )
            )

    def _random_draws(self, old: Block, new: Block) -> None:
        """DET506: more draws from the workflow's random stream before a child that takes its
        id from that stream."""
        old_counts = _draws_before_children(old)
        new_counts = _draws_before_children(new)
        new_draws = [n for n in _leaves(new) if n["op"] == "random"]
        reported: set[int] = set()
        for (before_old, _), (before_new, child) in zip(old_counts, new_counts):
            if before_new > before_old and before_old < len(new_draws):
                draw = new_draws[before_old]
                if id(draw) in reported:
                    continue
                reported.add(id(draw))
                self._report(
                    draw,
                    RANDOM,
                    f"a new draw from the workflow's random stream comes before child workflow "
                    f"'{child.get('type') or '?'}' (position {self.new_positions.get(id(child))}), which has no explicit "
                    "id: the child's id is drawn from the same stream, so running executions replay a different "
                    "child id; pass `id=` to the child, or draw after it",
                )

    def _report(self, node: Node, code: str, message: str) -> None:
        line, column = _start(node)
        self.found.append(Difference(line, column, code, message))


# -- helpers ---------------------------------------------------------------------------------------


def _patch_ids(block: Block) -> dict[str, set[str]]:
    ids: dict[str, set[str]] = {"guard": set(), "deprecated": set()}
    for node in _walk(block):
        if node["op"] == "patch" and node.get("id") is not None:
            ids["guard"].add(node["id"])
        elif node["op"] == "deprecate_patch" and node.get("id") is not None:
            ids["deprecated"].add(node["id"])
    return ids


def _walk(block: Block) -> Iterator[Node]:
    for node in block:
        yield node
        for inner in node.get("blocks", ()):
            yield from _walk(inner)


def _leaves(block: Iterable[Node]) -> Iterator[Node]:
    for node in block:
        if "blocks" in node:
            for inner in node["blocks"]:
                yield from _leaves(inner)
        elif node["op"] in LEAVES:
            yield node


def _commands_of(node: Node | None) -> Iterator[Node]:
    if node is not None:
        yield from (n for n in _leaves([node]) if n["op"] in COMMANDS)


def _number(block: Block, positions: dict[int, int]) -> None:
    """Each command's 1-based position in document order (for messages)."""
    for index, node in enumerate((n for n in _leaves(block) if n["op"] in COMMANDS), start=1):
        positions[id(node)] = index


def _relevant(node: Node) -> bool:
    if "blocks" in node:
        return any(_relevant(n) for b in node["blocks"] for n in b)
    return node["op"] in LEAVES


def _deep(node: Node) -> tuple:
    op = node["op"]
    if "blocks" in node:
        return (op, node.get("id"), tuple(tuple(_deep(n) for n in b if _relevant(n)) for b in node["blocks"]))
    if op in ("activity", "local_activity"):
        return (op, node.get("type"))
    if op == "child":
        return (op, node.get("type"), node.get("id"))
    if op in ("sleep", "wait"):
        return (op, node.get("timer"))
    if op == "call":
        return (op, node.get("target"))
    return (op,)


def _shallow(node: Node) -> tuple:
    return (node["op"], node.get("id")) if node["op"] == "patch" else (node["op"],)


def _opaque(block: Block) -> bool:
    return any(n["op"] == "call" for n in _leaves(block))


def _counts_when_inserted(node: Node) -> bool:
    """An inserted `asyncio.sleep(0)` issues no command; an inserted wait without a timer
    does not either, but it holds back the commands after it (a NondeterminismError when
    the history has them in the same workflow task)."""
    return not (node["op"] == "sleep" and node.get("timer") is False)


def _counts_when_removed(node: Node) -> bool:
    """A removed wait without a timer (or `asyncio.sleep(0)`) issued no command to miss."""
    return not (node["op"] in ("sleep", "wait") and node.get("timer") is False)


def _start(node: Node) -> tuple[int, int]:
    """Where a node's first command is (a compound statement's own line when it has none)."""
    first = next(iter(_commands_of(node)), None) if "blocks" in node else None
    chosen = first or node
    return chosen.get("line", 1), chosen.get("column", 1)


def _new_index(old_index: int, opcodes: list[tuple[str, int, int, int, int]]) -> int | None:
    for tag, i1, i2, j1, j2 in opcodes:
        if i1 <= old_index < i2:
            return j1 + (old_index - i1) if tag == "equal" or (i2 - i1 == j2 - j1) else j1
    return None


def _merge_moves(regions: list[_Region]) -> list[_Region]:
    """A deletion and an insertion of the same commands in one block: one move."""
    out: list[_Region] = []
    pending = list(regions)
    while pending:
        region = pending.pop(0)
        if region.olds and not region.news or region.news and not region.olds:
            signature = [_deep(n) for n in (region.olds or region.news)]
            twin = next(
                (
                    r
                    for r in pending
                    if (bool(r.olds) != bool(region.olds)) and [_deep(n) for n in (r.olds or r.news)] == signature
                    and not (r.olds and r.news)
                ),
                None,
            )
            if twin is not None:
                pending.remove(twin)
                inserted = region if region.news else twin
                removed = twin if inserted is region else region
                out.append(_Region(removed.olds, inserted.news, inserted.after, inserted.before, inserted.following))
                continue
        out.append(region)
    return out


def _draws_before_children(block: Block) -> list[tuple[int, Node]]:
    """For each child without an explicit id, in order: how many random draws come before it."""
    out: list[tuple[int, Node]] = []
    draws = 0
    for node in _leaves(block):
        if node["op"] == "random":
            draws += 1
        elif node["op"] == "child" and node.get("id") is False:
            out.append((draws, node))
    return out


def _kind(node: Node) -> str:
    return {
        "activity": "activity",
        "local_activity": "local activity",
        "child": "child workflow",
        "sleep": "timer",
        "wait": "`wait_condition`",
        "signal_external": "signal to an external workflow",
        "cancel_external": "cancellation of an external workflow",
        "continue_as_new": "`continue_as_new`",
        "upsert_search_attributes": "search attribute upsert",
        "upsert_memo": "memo upsert",
    }.get(node["op"], node["op"])


def _name(node: Node) -> str:
    """How a neighbouring command is referred to: `'ship'`, `a timer`."""
    if node["op"] in ("activity", "local_activity", "child"):
        return f"'{node.get('type') or '?'}'"
    return _describe(node)


def _describe(node: Node) -> str:
    """`activity 'charge'`, `a timer`, `a wait_condition with a timeout`."""
    op = node["op"]
    if op in ("activity", "local_activity", "child"):
        return f"{_kind(node)} '{node.get('type') or '?'}'"
    if op == "wait":
        return "a `wait_condition` with a timeout" if node.get("timer") else "a `wait_condition`"
    return {"sleep": "a timer", "continue_as_new": "`continue_as_new`"}.get(op, f"a {_kind(node)}")


def _same(nodes: Block, like: Node) -> Node:
    return next((n for n in nodes if _deep(n) == _deep(like)), nodes[0])


def _more(added: Block, removed: Block) -> str:
    extra = max(len(added), len(removed)) - 1
    return f" (and {extra} more command{'s' if extra > 1 else ''})" if extra > 0 else ""


def _prefix(code: str) -> str:
    return "in a patched branch whose patch id the baseline already used: " if code == PATCH else ""


def _advice(code: str) -> str:
    if code == PATCH:
        return "executions that recorded the patch marker replay the new code; use a new patch id for a new change"
    return PATCH_ADVICE


def _timer_change(op: str, timer_now: bool) -> str:
    if op == "sleep":
        change = (
            "`asyncio.sleep(0)`, which starts no timer, became a sleep that starts one"
            if timer_now
            else "a sleep that started a timer became `asyncio.sleep(0)`, which starts none"
        )
    else:
        change = (
            "`wait_condition` without a timeout (no timer) now has one, which starts a timer"
            if timer_now
            else "`wait_condition` lost its timeout, so it no longer starts a timer"
        )
    return f"{change}: running executions replay a different command sequence; {PATCH_ADVICE}"
