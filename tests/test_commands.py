"""Reading activity calls from facts: spread options, decorator arguments, literal values, and
the project catalogue of activities and workflows (detlint/analysis/commands.py)."""

from __future__ import annotations

import gc
import textwrap
import weakref
from pathlib import Path

import pytest

from detlint.analysis.commands import (
    Catalog,
    activity_call,
    catalog as catalog_of,
    is_unset_timeout,
    is_zero_duration,
    retry_policy,
    string_value,
)
from detlint.analysis.extract import extract
from detlint.analysis.facts import Argument, ModuleFacts
from detlint.analysis.index import ProjectIndex
from detlint.frameworks import temporal
from tests.conftest import FIXTURES, run_check


def facts_of(source: str, module: str = "pkg.wf") -> ModuleFacts:
    return extract(Path(f"{module.replace('.', '/')}.py"), textwrap.dedent(source).encode(), module, ())


def calls_in(facts: ModuleFacts, function: str) -> list:
    refs = facts.functions[f"{facts.module}.{function}"].references
    return [call for call in map(activity_call, refs) if call is not None]


HEADER = """
from datetime import timedelta
from temporalio import workflow
from temporalio.common import RetryPolicy
"""


@pytest.mark.parametrize(
    ("setup", "spread", "keys"),
    [
        ("", '**{"start_to_close_timeout": timedelta(seconds=1)}', {"start_to_close_timeout"}),
        ("", "**dict(task_queue='q')", {"task_queue"}),
        ("", "**workflow.ActivityConfig(summary='s')", {"summary"}),
        ('opts = {"task_queue": "q"}', "**opts", {"task_queue"}),
        ('base = {"a": 1}\n    opts = {**base, "b": 2}', "**opts", {"a", "b"}),
        ("opts: workflow.ActivityConfig = {'summary': 's'}", "**opts", {"summary"}),
    ],
)
def test_readable_spreads_become_keywords(setup: str, spread: str, keys: set[str]) -> None:
    facts = facts_of(f"{HEADER}\nasync def run():\n    {setup}\n    await workflow.execute_activity('a', {spread})\n")
    (call,) = calls_in(facts, "run")
    assert call.options_known
    assert {a.keyword for a in call.arguments.items if a.keyword} == keys


@pytest.mark.parametrize(
    ("setup", "spread"),
    [
        ("", "**options"),  # a parameter
        ('opts = {"a": 1}\n    opts["b"] = 2', "**opts"),
        ('opts = {"a": 1}\n    opts.update(other)', "**opts"),
        ('opts = {"a": 1}\n    opts = {"b": 1}', "**opts"),
        ('opts = {"a": 1} if options else {}', "**opts"),
        ("", "**{key: 1}"),
        ("", "**{**options}"),
        ("", "*args"),
    ],
)
def test_unreadable_spreads_make_the_options_unknown(setup: str, spread: str) -> None:
    source = f"{HEADER}\nasync def run(options, other, key, args):\n    {setup}\n    await workflow.execute_activity('a', {spread})\n"
    (call,) = calls_in(facts_of(source), "run")
    assert not call.options_known


def test_module_level_options_are_read_from_a_method() -> None:
    body = """
        DEFAULTS = workflow.ActivityConfig(start_to_close_timeout=timedelta(seconds=5))

        class W:
            async def run(self):
                await workflow.execute_activity("a", **DEFAULTS)
        """
    facts = facts_of(HEADER + textwrap.dedent(body))
    (call,) = calls_in(facts, "W.run")
    timeout = call.option("start_to_close_timeout")
    assert timeout is not None and timeout.value == "datetime.timedelta()"


def test_decorator_call_arguments_are_recorded() -> None:
    facts = facts_of(
        """
        from temporalio import activity, workflow

        @activity.defn(name="charge-card")
        async def charge(): ...

        @activity.defn
        async def plain(): ...

        @workflow.defn(name="Ship", sandboxed=False)
        class ShipWorkflow: ...
        """
    )
    charge = facts.functions["pkg.wf.charge"].decorator_arguments[temporal.ACTIVITY_DEFN]
    assert string_value(charge.keyword("name")) == "charge-card"
    assert facts.functions["pkg.wf.plain"].decorator_arguments == {}
    ship = facts.classes["pkg.wf.ShipWorkflow"].decorator_arguments[temporal.WORKFLOW_DEFN]
    assert string_value(ship.keyword("name")) == "Ship" and ship.keyword("sandboxed").source == "False"


def _arg(source: str, value: str | None = None) -> Argument:
    return Argument("x", source, value)


@pytest.mark.parametrize(
    ("source", "value", "zero"),
    [
        ("0", None, True),
        ("0.0", None, True),
        ("timedelta()", "datetime.timedelta()", True),
        ("timedelta(0)", "datetime.timedelta()", True),
        ("timedelta(seconds=0, minutes=0)", "datetime.timedelta()", True),
        ("timedelta(seconds=1)", "datetime.timedelta()", False),
        ("timedelta(seconds=0.5)", "datetime.timedelta()", False),
        ("zero()", None, False),
        ("ZERO", None, False),
        ("False", None, False),
    ],
)
def test_zero_durations(source: str, value: str | None, zero: bool) -> None:
    assert is_zero_duration(_arg(source, value)) is zero


def test_none_is_an_unset_timeout_and_a_long_source_is_unknown() -> None:
    assert is_unset_timeout(_arg("None"))
    assert not is_unset_timeout(_arg("timedelta(seconds=" + "1" * 200 + "…", "datetime.timedelta()"))


@pytest.mark.parametrize(
    ("source", "attempts", "types"),
    [
        ("RetryPolicy()", 0, frozenset()),
        ("RetryPolicy(maximum_attempts=3)", 3, frozenset()),
        ('RetryPolicy(non_retryable_error_types=["ValueError", "KeyError"])', 0, frozenset({"ValueError", "KeyError"})),
        ("RetryPolicy(maximum_attempts=n)", None, frozenset()),
        ("RetryPolicy(non_retryable_error_types=names)", 0, None),
        ("RetryPolicy(timedelta(seconds=1), 2.0, None, 4)", 4, frozenset()),
    ],
)
def test_retry_policies(source: str, attempts: int | None, types: frozenset[str] | None) -> None:
    policy = retry_policy(_arg(source, f"{temporal.RETRY_POLICY}()"))
    assert policy is not None
    assert (policy.maximum_attempts, policy.non_retryable_error_types) == (attempts, types)


def test_a_retry_policy_held_in_a_variable_is_unknown() -> None:
    assert retry_policy(_arg("RETRY", f"{temporal.RETRY_POLICY}()")) is None


def _index(*modules: ModuleFacts) -> ProjectIndex:
    decorators = (frozenset({temporal.WORKFLOW_DEFN}), frozenset({temporal.ACTIVITY_DEFN}))
    return ProjectIndex(modules, effects_of=lambda f, m: [], decorators_for=lambda m: decorators)


ACTIVITIES = """
from temporalio import activity

@activity.defn
async def charge(): ...

@activity.defn(name="refund-v2")
async def refund(): ...

class Acts:
    @activity.defn
    async def ship(self): ...
"""


def test_catalog_finds_activities_by_function_method_and_name() -> None:
    acts = facts_of(ACTIVITIES, "pkg.acts")
    wf = facts_of(
        """
        from temporalio import workflow
        from pkg.acts import Acts, charge

        async def run():
            await workflow.execute_activity(charge)
            await workflow.execute_activity("refund-v2")
            await workflow.execute_activity_method(Acts.ship)
            await workflow.execute_activity("refund")
        """
    )
    index = _index(acts, wf)  # a catalog refers to its index weakly
    catalog = Catalog(index)
    assert set(catalog.activity_names) == {"charge", "refund-v2", "ship"}
    assert catalog.activity_names_complete and catalog.renamed_activities == {"refund": "refund-v2"}
    targets = [[n.function.qualname for n in catalog.targets(call, wf)] for call in calls_in(wf, "run")]
    assert targets == [["pkg.acts.charge"], ["pkg.acts.refund"], ["pkg.acts.Acts.ship"], []]
    (charge,) = catalog.activity_names["charge"]
    assert [site.caller.function.qualname for site in catalog.call_sites(charge)] == ["pkg.wf.run"]


def test_a_catalog_does_not_keep_its_index_alive() -> None:
    index = _index(facts_of(ACTIVITIES, "pkg.acts"))
    assert catalog_of(index).activity_names
    gone = weakref.ref(index)
    del index
    assert gone() is None


def test_a_run_leaves_nothing_for_the_cycle_collector() -> None:
    # A run's facts and index are freed as soon as its report is: a language server checks
    # again and again, and the command line does not pay for the collector's last pass over
    # them at exit. The fixtures run every project rule, catalogue included.
    collecting = gc.isenabled()
    gc.disable()
    try:
        report = run_check(FIXTURES, select=["ALL"])
        gone = weakref.ref(report.index)
        del report
        assert gone() is None
    finally:
        if collecting:
            gc.enable()


def test_a_dynamic_activity_makes_the_names_incomplete() -> None:
    acts = facts_of(
        """
        from temporalio import activity

        @activity.defn(dynamic=True)
        async def anything(args): ...
        """,
        "pkg.acts",
    )
    assert not Catalog(_index(acts)).activity_names_complete


def test_a_project_rule_can_withdraw_what_a_tree_rule_found(tmp_path: Path) -> None:
    """DET207's `raise ValueError` disappears once the only call site makes it final."""
    (tmp_path / "acts.py").write_text(
        textwrap.dedent(
            """
            from temporalio import activity

            @activity.defn
            async def charge(amount: int) -> None:
                if amount < 0:
                    raise ValueError("negative")
            """
        )
    )
    workflow_source = textwrap.dedent(
        """
        from datetime import timedelta
        from temporalio import workflow
        from temporalio.common import RetryPolicy
        from acts import charge

        @workflow.defn
        class W:
            @workflow.run
            async def run(self) -> None:
                await workflow.execute_activity(
                    charge, 1, start_to_close_timeout=timedelta(seconds=5), retry_policy=POLICY
                )
        """
    )
    for policy, flagged in (('RetryPolicy(non_retryable_error_types=["ValueError"])', False), ("RetryPolicy()", True)):
        (tmp_path / "wf.py").write_text(workflow_source.replace("POLICY", policy))
        report = run_check(tmp_path, cwd=tmp_path)
        assert [d.code for d in report.diagnostics] == (["DET207"] if flagged else []), policy


def test_det206_is_off_until_selected(tmp_path: Path) -> None:
    (tmp_path / "wf.py").write_text(
        textwrap.dedent(
            """
            from datetime import timedelta
            from temporalio import workflow

            @workflow.defn
            class W:
                @workflow.run
                async def run(self) -> None:
                    await workflow.execute_activity("notify", start_to_close_timeout=timedelta(seconds=5))
            """
        )
    )
    assert run_check(tmp_path, cwd=tmp_path).diagnostics == []
    for override in ({"extend_select": ["DET206"]}, {"select": ["DET2"], "extend_select": ["DET206"]}):
        report = run_check(tmp_path, cwd=tmp_path, **override)
        assert [d.code for d in report.diagnostics] == ["DET206"], override
    assert run_check(tmp_path, cwd=tmp_path, select=["DET2"]).diagnostics == []
