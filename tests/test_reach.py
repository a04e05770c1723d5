"""Whole-project reach: chains across modules, their JSON shape, and demand-driven parsing."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from tests.conftest import FIXTURES, REPO, run_check


def test_chain_text_and_related_locations_in_json():
    result = subprocess.run(
        [sys.executable, "-m", "detlint", "check", "--format", "json", "fixtures/reach/two_hop"],
        cwd=REPO, capture_output=True, text=True, timeout=120,
    )
    [row] = json.loads(result.stdout)
    assert row["code"] == "DET102"
    assert "(via billing.next_invoice_id() -> ids.fresh() -> uuid.uuid4())" in row["message"]
    related = [(r["filename"], r["location"]["row"], r["message"]) for r in row["related"]]
    assert related == [
        ("fixtures/reach/two_hop/billing.py", 5, "calls ids.fresh()"),
        ("fixtures/reach/two_hop/ids.py", 5, "uuid.uuid4()"),
    ]


def test_one_file_still_follows_its_imports(tmp_path):
    report = run_check(FIXTURES / "reach" / "two_hop" / "workflows.py")
    assert [(d.code, d.range.start.line) for d in report.diagnostics] == [("DET102", 10)]
    assert report.files == 1 and report.parsed == 4  # the workflow, the package, billing, ids


def test_findings_are_reported_only_for_requested_files():
    report = run_check(FIXTURES / "reach" / "two_hop" / "ids.py")
    assert report.diagnostics == []


def test_noqa_at_the_call_site_silences_a_reached_finding(tmp_path):
    (tmp_path / "helpers.py").write_text("import time\n\n\ndef stamp():\n    return time.time()\n")
    (tmp_path / "wf.py").write_text(
        textwrap.dedent(
            """\
            from temporalio import workflow

            import helpers


            @workflow.defn
            class W:
                @workflow.run
                async def run(self) -> float:
                    return helpers.stamp()  # noqa: DET101
            """
        )
    )
    assert run_check(tmp_path, cwd=tmp_path).diagnostics == []


def test_files_that_cannot_reach_temporal_code_are_never_parsed(tmp_path):
    (tmp_path / "wf.py").write_text(
        "from temporalio import workflow\nimport used\n\n\n@workflow.defn\nclass W:\n"
        "    @workflow.run\n    async def run(self) -> None:\n        pass\n"
    )
    (tmp_path / "used.py").write_text("import time\n")
    for n in range(20):
        (tmp_path / f"unrelated_{n}.py").write_text("def broken(:\n")  # never read as Python
    # Scripts that start workflows define none: nothing in them is workflow or activity code.
    (tmp_path / "starter.py").write_text(
        "import asyncio\nimport time\n\nfrom temporalio.client import Client\n\nimport wf\n\n\n"
        "async def main():\n    client = await Client.connect('localhost:7233')\n"
        "    await client.execute_workflow(wf.W.run, id=str(time.time()), task_queue='q')\n"
    )
    report = run_check(tmp_path, cwd=tmp_path)
    assert report.files == 23 and report.parsed == 2
    assert report.diagnostics == [] and report.errors == []


@pytest.mark.parametrize(
    "definition",
    [
        "@workflow.defn\nclass W:\n    @workflow.run\n    async def run(self) -> float:\n        return clock()",
        "@activity.defn\nasync def act() -> float:\n    return clock()",
        "class NotYet:\n    @workflow.run\n    async def run(self) -> float:\n        return clock()",
        "W = workflow.defn(type('W', (), {}))\nclock()",
    ],
    ids=["workflow", "activity", "handler-without-defn", "defn-called"],
)
def test_a_file_that_defines_temporal_code_starts_the_analysis(tmp_path, definition):
    (tmp_path / "clock.py").write_text("import time\n\n\ndef clock() -> float:\n    return time.time()\n")
    (tmp_path / "defines.py").write_text(
        f"from temporalio import activity, workflow\n\nfrom clock import clock\n\n\n{definition}\n"
    )
    assert run_check(tmp_path, cwd=tmp_path).parsed == 2


def test_a_script_naming_temporalio_that_python_refuses_is_a_det001(tmp_path):
    (tmp_path / "starter.py").write_text("from temporalio.client import Client\n\nasync def main(:\n")
    report = run_check(tmp_path, cwd=tmp_path)
    assert [(d.path.name, d.code, d.range.start.line) for d in report.diagnostics] == [("starter.py", "DET001", 3)]


def test_same_module_name_in_two_folders_does_not_mix_them(tmp_path):
    for folder, effect in (("a", "time.time()"), ("b", "1.0")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "helpers.py").write_text(f"import time\n\n\ndef stamp():\n    return {effect}\n")
        (tmp_path / folder / "wf.py").write_text(
            "from temporalio import workflow\nfrom helpers import stamp\n\n\n@workflow.defn\nclass W:\n"
            "    @workflow.run\n    async def run(self) -> float:\n        return stamp()\n"
        )
    report = run_check(tmp_path, cwd=tmp_path)
    assert [(d.path.as_posix(), d.code) for d in report.diagnostics] == [("a/wf.py", "DET101")]


def test_a_scripts_syntax_verdict_is_kept_with_the_cache_and_never_stale(tmp_path):
    (tmp_path / "wf.py").write_text(
        "from temporalio import workflow\n\n\n@workflow.defn\nclass W:\n"
        "    @workflow.run\n    async def run(self) -> None:\n        pass\n"
    )
    good = "from temporalio.client import Client\n\n\nasync def main():\n    await Client.connect('x')\n"
    starter = tmp_path / "starter.py"
    # Python's parser raises a `compile` audit event with the text it parses: count those of
    # the script, in a fresh process each time (the cache on disk is what carries over).
    probe = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from detlint.cli import main\n"
        "text = Path('starter.py').read_bytes()\n"
        "parsed = []\n"
        "sys.addaudithook(lambda event, args: parsed.append(1) if event == 'compile' and args[0] == text else None)\n"
        "main(['check', '.', '--format', 'json', '--output-file', 'report.json'])\n"
        "print(len(parsed), sorted({(f['code'], f['location']['row']) for f in json.loads(Path('report.json').read_text())}))\n"
    )

    def run() -> str:
        result = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    starter.write_text(good)
    assert run() == "1 []"  # measured once
    starter.write_text(good + "\n")  # the last run's record no longer holds
    assert run() == "1 []"  # another text: measured again
    starter.write_text(good)
    assert run() == "0 []"  # a text already measured
    starter.write_text(good.replace("main()", "main(:"))
    measured, findings = run().split(" ", 1)
    assert int(measured) > 0 and findings == "[('DET001', 4)]"  # refused: analysed, its DET001 says where
