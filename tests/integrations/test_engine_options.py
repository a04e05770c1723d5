"""The engine arguments the adapters use: context, noqa=False, facts_cache, sources."""

from __future__ import annotations

from pathlib import Path

from detlint.config import SettingsResolver
from detlint.engine import FactsCache, check
from detlint.rules.base import all_rules
from tests.conftest import run_check
from tests.integrations import HELPERS
from tests.integrations.test_flake8 import WORKFLOW


def _check(project: Path, *paths: str, **options):
    resolver = SettingsResolver(all_rules(), cwd=project)
    return check([Path(p) for p in paths], resolver, cwd=project, **options)


def _project(tmp_path: Path) -> Path:
    (tmp_path / "wf.py").write_text(WORKFLOW.replace("time.time()", "time.time()  # noqa: DET101"))
    (tmp_path / "helpers.py").write_text(HELPERS)
    return tmp_path


def test_context_adds_facts_not_findings(tmp_path):
    project = _project(tmp_path)
    (project / "other.py").write_text(WORKFLOW.replace("from helpers import reference\n", ""))
    with_context = _check(project, "wf.py", context=[Path(".")])
    assert [(d.path, d.code) for d in with_context.diagnostics] == [(Path("wf.py"), "DET102")]
    assert with_context.paths == [Path("wf.py")] and with_context.files == 1


def test_noqa_false_keeps_silenced_findings(tmp_path):
    project = _project(tmp_path)
    kept = _check(project, ".", noqa=False)
    assert sorted(d.code for d in kept.diagnostics) == ["DET101", "DET102"]


def test_facts_cache_reuses_unchanged_files_and_sees_edits(tmp_path):
    project = _project(tmp_path)
    cache = FactsCache()
    first = _check(project, ".", facts_cache=cache)
    assert first.diagnostics == run_check(project, cwd=project).diagnostics
    settings = SettingsResolver(all_rules(), cwd=project).for_path(project / "helpers.py")
    assert cache.get(Path("helpers.py"), ("helpers", settings, HELPERS.encode())) is not None

    edited = {Path("helpers.py"): HELPERS.replace("str(uuid.uuid4())", '"fixed"').encode()}
    second = _check(project, "wf.py", sources=edited, context=[Path(".")], facts_cache=cache)
    assert second.diagnostics == []  # the helper's in-memory text replaced the file's
    third = _check(project, ".", facts_cache=cache)
    assert third.diagnostics == first.diagnostics

