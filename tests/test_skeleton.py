"""What skeleton extraction records for a workflow class (before type names are resolved)."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

from detlint.analysis.extract import extract
from detlint.versioning.resolve import strip_positions

HEADER = """\
import asyncio
from datetime import timedelta

from temporalio import activity, workflow
from temporalio import workflow as wf

T = timedelta(seconds=5)


@activity.defn(name="charge-card")
async def charge(order: str) -> None: ...


class Acts:
    @activity.defn
    async def ship(self, order: str) -> None: ...


"""


def skeletons(body: str) -> list[dict[str, Any]]:
    source = HEADER + textwrap.dedent(body)
    return extract(Path("wf.py"), source.encode(), "wf", []).workflow_skeletons


def commands(run_body: str, *, extra: str = "") -> list[dict[str, Any]]:
    body = "@workflow.defn\nclass W:\n    @workflow.run\n    async def run(self, order: str) -> None:\n"
    body += textwrap.indent(textwrap.dedent(run_body), " " * 8) + "\n" + textwrap.indent(textwrap.dedent(extra), " " * 4)
    (found,) = skeletons(body)
    return strip_positions(found["commands"])


def act(ref: str | None = None, name: str | None = None, op: str = "activity") -> dict[str, Any]:
    return {"op": op, "ref": ref, "name": name}


def test_activities_by_reference_method_and_string_through_aliases():
    assert commands(
        """
        await workflow.execute_activity(charge, order, start_to_close_timeout=T)
        await wf.execute_activity_method(Acts.ship, order, start_to_close_timeout=T)
        await workflow.execute_local_activity("audit", order, start_to_close_timeout=T)
        await workflow.execute_activity(activity=charge, arg=order, start_to_close_timeout=T)
        """
    ) == [act("wf.charge"), act("wf.Acts.ship"), act(name="audit", op="local_activity"), act("wf.charge")]


def test_timers_and_waits():
    assert commands(
        """
        await asyncio.sleep(0)
        await asyncio.sleep(0.0)
        await asyncio.sleep(1)
        await workflow.sleep(0)
        await workflow.wait_condition(lambda: True)
        await workflow.wait_condition(lambda: True, timeout=None)
        await workflow.wait_condition(lambda: True, timeout=T)
        await workflow.wait_condition(lambda: True, **options)
        """
    ) == [
        {"op": "sleep", "timer": False},
        {"op": "sleep", "timer": False},
        {"op": "sleep", "timer": True},
        {"op": "sleep", "timer": True},
        {"op": "wait", "timer": False},
        {"op": "wait", "timer": False},
        {"op": "wait", "timer": True},
        {"op": "wait", "timer": None},
    ]


def test_children_randomness_and_other_commands():
    assert commands(
        """
        await workflow.execute_child_workflow(W.run, order)
        await workflow.start_child_workflow("Ship", order, id=f"ship-{order}")
        await workflow.execute_child_workflow(W.run, order, **options)
        n = workflow.random().randint(1, 3)
        ref = workflow.uuid4()
        await workflow.get_external_workflow_handle("other").signal("poke")
        handle = workflow.get_external_workflow_handle("other")
        await handle.cancel()
        workflow.upsert_memo({"n": n})
        workflow.upsert_search_attributes({})
        workflow.continue_as_new(order)
        """
    ) == [
        {"op": "child", "ref": "wf.W.run", "name": None, "id": False},
        {"op": "child", "ref": None, "name": "Ship", "id": True},
        {"op": "child", "ref": "wf.W.run", "name": None, "id": None},
        {"op": "random"},
        {"op": "random"},
        {"op": "signal_external"},
        {"op": "cancel_external"},
        {"op": "upsert_memo"},
        {"op": "upsert_search_attributes"},
        {"op": "continue_as_new"},
    ]


def test_control_flow_and_patches():
    charge = act("wf.charge")
    assert commands(
        """
        if workflow.patched("a"):
            await workflow.execute_activity(charge, order, start_to_close_timeout=T)
        if not workflow.patched("b"):
            await workflow.sleep(1)
        else:
            await workflow.execute_activity(charge, order, start_to_close_timeout=T)
        if workflow.patched("c") and order:
            await workflow.sleep(1)
        workflow.deprecate_patch("d")
        for _ in range(2):
            await workflow.execute_activity(charge, order, start_to_close_timeout=T)
        try:
            await workflow.sleep(1)
        except asyncio.CancelledError:
            await workflow.execute_activity(charge, order, start_to_close_timeout=T)
            raise
        finally:
            workflow.upsert_memo({})
        if order:
            workflow.logger.info("no command in here")
        """
    ) == [
        {"op": "patch", "id": "a", "blocks": [[charge], []]},
        {"op": "patch", "id": "b", "blocks": [[charge], [{"op": "sleep", "timer": True}]]},
        {"op": "patch", "id": "c", "blocks": [[{"op": "sleep", "timer": True}], []]},
        {"op": "deprecate_patch", "id": "d"},
        {"op": "loop", "blocks": [[charge], []]},
        {"op": "try", "blocks": [[{"op": "sleep", "timer": True}], [charge], [], [{"op": "upsert_memo"}]]},
    ]


def test_gather_keeps_argument_order_and_comprehensions_are_loops():
    assert commands(
        """
        await asyncio.gather(
            workflow.execute_activity(charge, order, start_to_close_timeout=T),
            workflow.execute_activity_method(Acts.ship, order, start_to_close_timeout=T),
        )
        await asyncio.gather(*[workflow.execute_activity(charge, o, start_to_close_timeout=T) for o in order])
        """
    ) == [act("wf.charge"), act("wf.Acts.ship"), {"op": "loop", "blocks": [[act("wf.charge")]]}]


def test_helpers_of_the_class_and_module_are_inlined_unknown_awaited_calls_are_opaque():
    found = commands(
        """
        await self._bill(order)
        await finish(order)
        await elsewhere.helper(order)
        await self._loop()
        """,
        extra="""
        async def _bill(self, order: str) -> None:
            await workflow.execute_activity(charge, order, start_to_close_timeout=T)

        async def _loop(self) -> None:
            await self._loop()
        """,
    )
    # `finish` and `elsewhere` are not defined here: unknown; a recursion is not followed.
    assert found == [
        act("wf.charge"),
        {"op": "call", "target": "?"},
        {"op": "call", "target": "?"},
        {"op": "call", "target": "wf.W._loop"},
    ]
    module_function = "\n\nasync def finish(order: str) -> None:\n    await workflow.sleep(1)\n"
    source = HEADER + "@workflow.defn\nclass V:\n    @workflow.run\n    async def run(self) -> None:\n        await finish('x')\n" + module_function
    (skeleton,) = extract(Path("wf.py"), source.encode(), "wf", []).workflow_skeletons
    assert strip_positions(skeleton["commands"]) == [{"op": "sleep", "timer": True}]


def test_names_handlers_and_the_run_signature():
    (skeleton,) = skeletons(
        """
        @workflow.defn(name="Orders")
        class OrderWorkflow:
            @workflow.signal(name="approve")
            def approve_it(self) -> None:
                workflow.upsert_memo({})

            @workflow.query
            def status(self) -> str:
                return ""

            @workflow.update(dynamic=True)
            async def anything(self, name: str, args: list) -> None: ...

            @workflow.run
            async def run(self, order: str, rush: bool = False, *rest: str) -> None: ...
        """
    )
    assert skeleton["type"] == "Orders" and skeleton["class"] == "OrderWorkflow"
    assert strip_positions(skeleton["run"]) == {
        "params": [{"name": "order", "default": False}, {"name": "rush", "default": True}],
        "star": True,
    }
    assert strip_positions(skeleton["handlers"]) == [
        {"kind": "signal", "name": "approve", "commands": [{"op": "upsert_memo"}]},
        {"kind": "query", "name": "status", "commands": []},
    ]


def test_dynamic_workflows_computed_names_and_classes_without_run_have_no_skeleton():
    assert skeletons(
        """
        NAME = "x"

        @workflow.defn(dynamic=True)
        class Dynamic:
            @workflow.run
            async def run(self, args: list) -> None: ...

        @workflow.defn(name=NAME)
        class Computed:
            @workflow.run
            async def run(self) -> None: ...

        class NotAWorkflow:
            async def run(self) -> None:
                await workflow.sleep(1)
        """
    ) == []


def test_explicit_names_of_definitions():
    facts = extract(Path("wf.py"), (HEADER + "@workflow.defn(name='Orders')\nclass O:\n    @workflow.run\n    async def run(self) -> None: ...\n").encode(), "wf", [])
    assert facts.explicit_names == {"wf.charge": "charge-card", "wf.O": "Orders"}
