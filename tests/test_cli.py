"""The command line as users run it: a real subprocess, real files, exit codes as ruff."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

WORKFLOW = textwrap.dedent(
    """\
    import time

    from temporalio import workflow


    @workflow.defn
    class Clock:
        @workflow.run
        async def run(self) -> float:
            started = time.time()
            print(started)
            return started
    """
)


def detlint(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "detlint", *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "wf.py").write_text(WORKFLOW)
    return tmp_path


def test_text_output_and_exit_code_1(project):
    result = detlint("check", cwd=project)
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "wf.py:10:19: DET101 `time.time()` reads the wall clock, which differs on replay; use `workflow.time()`"
    assert lines[1].startswith("wf.py:11:9: DET112 `print()`")
    assert lines[-2:] == [
        "Found 2 errors.",
        "[*] 1 fixable with the `--fix` option (1 hidden fix can be enabled with the `--unsafe-fixes` option).",
    ]


def test_clean_project_exits_0(tmp_path):
    (tmp_path / "ok.py").write_text("from temporalio import workflow\n")
    result = detlint("check", ".", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout.strip() == "All checks passed!"


def test_json_output_has_ruffs_shape(project):
    result = detlint("check", "--format", "json", cwd=project)
    rows = json.loads(result.stdout)
    assert [r["code"] for r in rows] == ["DET101", "DET112"]
    row = rows[0]
    assert row["filename"] == "wf.py"
    assert row["location"] == {"row": 10, "column": 19}
    assert row["end_location"] == {"row": 10, "column": 30}
    assert row["noqa_row"] == 10
    # The clock read has a safe fix: the call replaced, and `import time` (its only use) removed
    # with the blank line after it.
    assert row["fix"] == {
        "applicability": "safe",
        "message": "Replace with `workflow.time()`",
        "edits": [
            {"content": "", "location": {"row": 1, "column": 1}, "end_location": {"row": 3, "column": 1}},
            {"content": "workflow.time()", "location": {"row": 10, "column": 19}, "end_location": {"row": 10, "column": 30}},
        ],
    }
    assert rows[1]["fix"]["applicability"] == "unsafe"
    assert row["name"] == "wall-clock-read"
    assert row["url"].endswith("DET101/")
    assert set(row) >= {"code", "message", "filename", "location", "end_location", "fix", "url", "noqa_row"}


def test_select_ignore_and_extend_select(project):
    only_clock = json.loads(detlint("check", "--format", "json", "--select", "DET101", cwd=project).stdout)
    assert [r["code"] for r in only_clock] == ["DET101"]
    no_output = json.loads(detlint("check", "--format", "json", "--ignore", "DET11", cwd=project).stdout)
    assert [r["code"] for r in no_output] == ["DET101"]
    family = json.loads(detlint("check", "--format", "json", "--select", "DET1", "--ignore", "DET101", cwd=project).stdout)
    assert [r["code"] for r in family] == ["DET112"]


def test_exit_zero_and_output_file(project):
    result = detlint("check", "--exit-zero", "--format", "json", "--output-file", "report.json", cwd=project)
    assert result.returncode == 0
    assert result.stdout == ""
    assert len(json.loads((project / "report.json").read_text())) == 2


def test_statistics(project):
    result = detlint("check", "--statistics", cwd=project)
    assert result.returncode == 1
    assert "1\tDET101\t[wall-clock-read]" in result.stdout
    assert "1\tDET112\t[replay-unaware-output]" in result.stdout


def test_noqa_blanket_codes_and_prefixes(tmp_path):
    source = WORKFLOW.replace("started = time.time()", "started = time.time()  # noqa: DET1")
    source = source.replace("print(started)", "print(started)  # NOQA")
    (tmp_path / "wf.py").write_text(source)
    assert detlint("check", cwd=tmp_path).returncode == 0
    other = WORKFLOW.replace("started = time.time()", "started = time.time()  # noqa: DET102")
    (tmp_path / "wf.py").write_text(other)
    assert "DET101" in detlint("check", cwd=tmp_path).stdout


def test_noqa_belongs_on_the_first_line_of_a_multiline_call(tmp_path):
    source = WORKFLOW.replace("print(started)", "print(  # noqa: DET112\n            started,\n        )")
    (tmp_path / "wf.py").write_text(source)
    result = detlint("check", "--select", "DET112", cwd=tmp_path)
    assert result.returncode == 0, result.stdout


def test_syntax_error_is_det001_and_other_files_are_still_checked(project):
    (project / "broken.py").write_text("from temporalio import workflow\ndef broken(:\n    pass\n")
    result = detlint("check", "--format", "json", cwd=project)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    rows = json.loads(result.stdout)
    broken = [r for r in rows if r["filename"] == "broken.py"]
    assert [(r["code"], r["location"]["row"]) for r in broken] == [("DET001", 2)]
    assert any(r["filename"] == "wf.py" for r in rows)


def test_a_file_named_explicitly_is_always_parsed(tmp_path):
    (tmp_path / "script.py").write_text("def broken(:\n")
    assert detlint("check", ".", cwd=tmp_path).returncode == 0  # no Temporal code: not parsed
    result = detlint("check", "script.py", cwd=tmp_path)
    assert result.returncode == 1 and "script.py:1:" in result.stdout and "DET001" in result.stdout


def test_broken_config_exits_2_naming_file_key_and_line(project):
    (project / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.detlint]\nselect = ["DET101"]\nselet = ["DET1"]\n')
    result = detlint("check", cwd=project)
    assert result.returncode == 2
    assert "pyproject.toml:6" in result.stderr and "selet" in result.stderr
    assert "Traceback" not in result.stderr


def test_invalid_toml_exits_2(project):
    (project / "detlint.toml").write_text("select = [\n")
    result = detlint("check", cwd=project)
    assert result.returncode == 2
    assert "detlint.toml" in result.stderr and "Traceback" not in result.stderr


def test_unknown_code_on_the_command_line_exits_2(project):
    result = detlint("check", "--select", "DET999", cwd=project)
    assert result.returncode == 2
    assert "DET999" in result.stderr


def test_missing_path_exits_2_but_reports_the_others(project):
    result = detlint("check", "wf.py", "nowhere.py", cwd=project)
    assert result.returncode == 2
    assert "nowhere.py" in result.stderr
    assert "wf.py:10:19: DET101" in result.stdout


def test_config_file_selects_rules_hierarchically(project):
    (project / "pyproject.toml").write_text("[tool.detlint]\nignore = [\"DET112\"]\n")
    sub = project / "sub"
    sub.mkdir()
    (sub / "wf.py").write_text(WORKFLOW)
    (sub / "detlint.toml").write_text('select = ["DET112"]\n')
    rows = json.loads(detlint("check", "--format", "json", cwd=project).stdout)
    assert sorted((r["filename"], r["code"]) for r in rows) == [("sub/wf.py", "DET112"), ("wf.py", "DET101")]


def test_per_file_ignores(project):
    (project / "pyproject.toml").write_text('[tool.detlint.per-file-ignores]\n"wf.py" = ["DET101"]\n')
    rows = json.loads(detlint("check", "--format", "json", cwd=project).stdout)
    assert [r["code"] for r in rows] == ["DET112"]


def test_explicit_config_flag(project):
    (project / "ci.toml").write_text('select = ["DET112"]\n')
    rows = json.loads(detlint("check", "--format", "json", "--config", "ci.toml", cwd=project).stdout)
    assert [r["code"] for r in rows] == ["DET112"]


def test_rules_lists_every_rule(tmp_path):
    result = detlint("rules", cwd=tmp_path)
    assert result.returncode == 0
    assert "DET101  wall-clock-read" in result.stdout
    assert len(result.stdout.splitlines()) >= 17


def test_rule_explains_one_rule(tmp_path):
    result = detlint("rule", "det101", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout.startswith("# wall-clock-read (DET101)")
    assert "## Why is this bad?" in result.stdout and "workflow.now()" in result.stdout
    assert detlint("rule", "DET999", cwd=tmp_path).returncode == 2


def test_usage_error_exits_2(tmp_path):
    assert detlint("check", "--format", "xml", cwd=tmp_path).returncode == 2


def test_never_imports_the_analysed_code(tmp_path):
    marker = tmp_path / "executed"
    (tmp_path / "evil.py").write_text(
        f"open({str(marker)!r}, 'w').write('ran')\nfrom temporalio import workflow\n"
        "@workflow.defn\nclass W:\n    @workflow.run\n    async def run(self) -> None: ...\n"
    )
    result = detlint("check", cwd=tmp_path)
    assert not marker.exists()
    assert "DET106" in result.stdout  # module-level I/O in a workflow module is still reported


def test_a_warm_run_reuses_the_cache_and_rereads_a_changed_file(project):
    cold = detlint("check", "--format", "json", cwd=project)
    cache = project / ".detlint_cache"
    assert (cache / ".gitignore").read_text().strip().endswith("*")
    entries = [p for p in cache.rglob("*") if p.is_file() and len(p.name) == 64]
    assert len(entries) == 1
    warm = detlint("check", "--format", "json", cwd=project)
    assert warm.stdout == cold.stdout
    (project / "wf.py").write_text(WORKFLOW.replace("print(started)", "pass"))
    changed = json.loads(detlint("check", "--format", "json", cwd=project).stdout)
    assert [r["code"] for r in changed] == ["DET101"]
    assert json.loads(detlint("check", "--format", "json", "--no-cache", cwd=project).stdout) == changed


def test_a_cache_entry_that_detlint_did_not_sign_is_ignored(project):
    detlint("check", cwd=project)
    [entry] = [p for p in (project / ".detlint_cache").rglob("*") if p.is_file() and len(p.name) == 64]
    entry.write_bytes(b"\0" * 32 + b"not a pickle that detlint wrote")
    (project / "wf.py").touch()  # so that the cached facts are read, not the last run's output
    result = detlint("check", "--format", "json", cwd=project)
    assert [r["code"] for r in json.loads(result.stdout)] == ["DET101", "DET112"]


def test_the_format_choices_are_the_formatters():
    from detlint.cli import OUTPUT_FORMATS
    from detlint.output import FORMATTERS

    assert sorted(OUTPUT_FORMATS) == sorted(FORMATTERS)
