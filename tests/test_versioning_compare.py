"""The comparison on its own: two skeletons in, differences out (no files, no parsing)."""

from __future__ import annotations

from typing import Any

from detlint.versioning.compare import Difference, compare, compare_workflows

_line = iter(range(100, 100000))


def act(name: str | None, local: bool = False) -> dict[str, Any]:
    return {"op": "local_activity" if local else "activity", "type": name, "line": next(_line), "column": 9}


def child(name: str, has_id: bool | None = False) -> dict[str, Any]:
    return {"op": "child", "type": name, "id": has_id, "line": next(_line), "column": 9}


def node(op: str, **fields: Any) -> dict[str, Any]:
    return {"op": op, **fields, "line": next(_line), "column": 9}


def patch(patch_id: str, then: list, orelse: list | None = None) -> dict[str, Any]:
    return node("patch", id=patch_id, blocks=[then, orelse or []])


def skeleton(commands: list, *, params: list | None = None, handlers: list | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "type": "Orders",
        "class": "Orders",
        "path": "wf.py",
        "line": 10,
        "column": 7,
        "type_line": 10,
        "type_column": 7,
        "run": {"params": params or [], "star": False, "line": 12, "column": 15, "end": 99},
        "handlers": handlers or [],
        "commands": commands,
        **extra,
    }


def codes(found: list[Difference]) -> list[tuple[int, str]]:
    return [(d.line, d.code) for d in found]


def test_identical_skeletons_differ_in_nothing():
    commands = [act("charge"), node("sleep", timer=True), child("Ship", True)]
    assert compare(skeleton(commands), skeleton([dict(c) for c in commands])) == []


def test_an_inserted_activity_is_reported_where_it_is_inserted():
    new_charge = act("charge")
    found = compare(skeleton([act("ship")]), skeleton([new_charge, act("ship")]))
    assert codes(found) == [(new_charge["line"], "DET501")]
    assert "activity 'charge' inserted before 'ship' at position 1" in found[0].message
    assert 'workflow.patched("...")' in found[0].message


def test_a_removed_activity_is_reported_on_the_command_that_now_follows():
    charge = act("charge")
    found = compare(skeleton([act("check"), act("charge"), act("ship")]), skeleton([charge, act("ship")]))
    assert codes(found) == [(charge["line"], "DET501")]
    assert "activity 'check' removed before 'charge' (it was at position 1)" in found[0].message


def test_a_command_removed_at_the_end_is_reported_at_the_end_of_run():
    found = compare(skeleton([act("charge"), act("ship")]), skeleton([act("charge")]))
    assert codes(found) == [(99, "DET501")]
    assert "removed at the end" in found[0].message


def test_a_swap_is_one_move():
    ship = act("ship")
    found = compare(skeleton([act("charge"), act("ship")]), skeleton([ship, act("charge")]))
    assert len(found) == 1 and found[0].code == "DET501" and "moved" in found[0].message


def test_an_activity_of_another_type_at_the_same_place():
    renamed = act("charge_card")
    found = compare(skeleton([act("charge")]), skeleton([renamed]), defined_activities={"charge_card"})
    assert codes(found) == [(renamed["line"], "DET501"), (renamed["line"], "DET502")]
    # Still registered somewhere: only the sequence changed.
    found = compare(skeleton([act("charge")]), skeleton([act("charge_card")]), defined_activities={"charge", "charge_card"})
    assert [d.code for d in found] == ["DET501"]


def test_an_unknown_activity_type_is_not_a_change():
    assert compare(skeleton([act("charge")]), skeleton([act(None)])) == []


def test_local_and_regular_activities_differ():
    found = compare(skeleton([act("charge", local=True)]), skeleton([act("charge")]))
    assert [d.code for d in found] == ["DET501"]


def test_a_new_patch_guard_keeps_the_old_path_in_its_else_branch():
    old = skeleton([act("charge"), act("ship")])
    safe = skeleton([patch("fraud", [act("check")]), act("charge"), act("ship")])
    assert compare(old, safe) == []
    wrong_else = skeleton([patch("fraud", [act("check")], [act("audit")]), act("charge"), act("ship")])
    assert [d.code for d in compare(old, wrong_else)] == ["DET501"]


def test_a_patch_removed_without_deprecation():
    old = skeleton([patch("express", [act("ship")], [act("charge")])])
    ship = act("ship")
    found = compare(old, skeleton([ship]))
    assert codes(found) == [(ship["line"], "DET503")]
    assert 'deprecate_patch("express")' in found[0].message


def test_the_patch_deprecate_remove_sequence_is_safe():
    patched = skeleton([patch("express", [act("ship")], [act("charge")])])
    deprecated = skeleton([node("deprecate_patch", id="express"), act("ship")])
    removed = skeleton([act("ship")])
    assert compare(patched, deprecated) == []
    assert compare(deprecated, removed) == []


def test_a_patch_id_reused_for_another_change():
    old = skeleton([patch("fraud", [act("check")]), act("charge")])
    extra = act("ship")
    found = compare(old, skeleton([patch("fraud", [act("check"), extra]), act("charge")]))
    assert codes(found) == [(extra["line"], "DET503")]
    guard = patch("v2", [act("ship")])
    found = compare(skeleton([node("deprecate_patch", id="v2"), act("charge")]), skeleton([guard, act("charge")]))
    assert codes(found) == [(guard["line"], "DET503")]


def test_a_sleep_or_wait_that_starts_a_timer_or_not():
    sleep = node("sleep", timer=True)
    assert codes(compare(skeleton([node("sleep", timer=False)]), skeleton([sleep]))) == [(sleep["line"], "DET505")]
    wait = node("wait", timer=False)
    assert codes(compare(skeleton([node("wait", timer=True)]), skeleton([wait]))) == [(wait["line"], "DET505")]
    # Unknown (a timeout hidden in **options): nothing is claimed.
    assert compare(skeleton([node("wait", timer=True)]), skeleton([node("wait", timer=None)])) == []


def test_what_issues_no_command_is_free_to_remove_but_not_a_blocking_wait_to_insert():
    assert compare(skeleton([node("wait", timer=False), act("charge")]), skeleton([act("charge")])) == []
    assert compare(skeleton([node("sleep", timer=False), act("charge")]), skeleton([act("charge")])) == []
    assert compare(skeleton([act("charge")]), skeleton([node("sleep", timer=False), act("charge")])) == []
    wait = node("wait", timer=False)
    assert codes(compare(skeleton([act("charge")]), skeleton([wait, act("charge")]))) == [(wait["line"], "DET501")]


def test_a_change_next_to_a_call_detlint_cannot_see_into_is_not_reported():
    old = skeleton([act("charge"), act("ship")])
    new = skeleton([node("call", target="billing.charge_all"), act("ship")])
    assert compare(old, new) == []


def test_compound_statements_are_compared_inside():
    loop_then = node("loop", blocks=[[act("ship")], []])
    extra = act("check")
    loop_now = node("loop", blocks=[[extra, act("ship")], []])
    assert codes(compare(skeleton([loop_then]), skeleton([loop_now]))) == [(extra["line"], "DET501")]
    branch_then = node("if", blocks=[[act("ship")], [act("charge")]])
    branch_now = node("if", blocks=[[act("ship")], [act("charge")]])
    assert compare(skeleton([branch_then]), skeleton([branch_now])) == []


def test_a_new_random_draw_before_a_child_without_id():
    draw = node("random")
    found = compare(skeleton([child("Ship")]), skeleton([draw, child("Ship")]))
    assert codes(found) == [(draw["line"], "DET506")]
    assert compare(skeleton([child("Ship", True)]), skeleton([node("random"), child("Ship", True)])) == []
    assert compare(skeleton([child("Ship")]), skeleton([child("Ship"), node("random")])) == []
    assert compare(skeleton([child("Ship", None)]), skeleton([node("random"), child("Ship", None)])) == []


def test_a_child_that_gains_or_loses_its_explicit_id():
    now = child("Ship", True)
    assert codes(compare(skeleton([child("Ship", False)]), skeleton([now]))) == [(now["line"], "DET501")]


def handler(kind: str, name: str, line: int, commands: list | None = None) -> dict[str, Any]:
    return {"kind": kind, "name": name, "line": line, "column": 5, "end": line + 2, "commands": commands or []}


def test_renamed_and_removed_handlers():
    old = skeleton([], handlers=[handler("signal", "approve", 20), handler("query", "status", 30)])
    new = skeleton([], handlers=[handler("signal", "grant", 21)])
    found = compare(old, new)
    assert codes(found) == [(10, "DET502"), (21, "DET502")]
    assert "signal 'approve' was renamed to 'grant'" in found[1].message
    assert "query 'status' was removed" in found[0].message


def test_handler_commands_are_compared_by_handler_name():
    extra = act("check")
    old = skeleton([], handlers=[handler("update", "pay", 20, [act("charge")])])
    new = skeleton([], handlers=[handler("update", "pay", 20, [extra, act("charge")])])
    assert codes(compare(old, new)) == [(extra["line"], "DET501")]


def params(*names: str, defaults: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    return [{"name": n, "default": n in defaults} for n in names]


def test_run_signatures():
    def problems(old: list, new: list) -> list[str]:
        return [d.message for d in compare(skeleton([], params=old), skeleton([], params=new))]

    assert problems(params("a", "b"), params("a", "b")) == []
    assert problems(params("a"), params("a", "b", defaults=("b",))) == []
    assert problems(params("a"), params("renamed")) == []
    assert "parameter 'b' removed" in problems(params("a", "b"), params("a"))[0]
    assert "reordered" in problems(params("a", "b"), params("b", "a"))[0]
    assert "'b' added without a default" in problems(params("a"), params("a", "b"))[0]


def test_workflow_types_are_paired_by_name_then_renames_by_file():
    old = {"Orders": skeleton([act("charge")]), "Billing": {**skeleton([]), "type": "Billing", "path": "billing.py"}}
    renamed = {**skeleton([act("charge")]), "type": "Purchases", "type_line": 3, "type_column": 2}
    found = compare_workflows(old, [renamed], present_paths={"wf.py"})
    assert [(p, d.line, d.code) for p, d in found] == [("wf.py", 3, "DET502")]
    assert "'Orders' was renamed to 'Purchases'" in found[0][1].message
    # Removed from a file that is still analysed: reported at its top; a file not analysed: silent.
    found = compare_workflows(old, [], present_paths={"billing.py"})
    assert [(p, d.line, d.code) for p, d in found] == [("billing.py", 1, "DET502")]
    # A workflow new since the baseline is not compared.
    new_type = {**skeleton([act("anything")]), "type": "Fresh", "path": "fresh.py"}
    assert compare_workflows(old, [skeleton([act("charge")]), new_type], present_paths={"wf.py", "fresh.py"}) == []
