"""benchmarks/compare.py runs end to end and reports well-formed results (never timing claims)."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import python_path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "benchmarks" / "compare.py"


def _load():
    spec = importlib.util.spec_from_file_location("bench_compare", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_compare_on_the_smallest_corpus_writes_a_table_and_json(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    env = {**os.environ, "PYTHONPATH": python_path()}
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--sizes", "200", "--repeat", "1", "--tools", "detlint", "--json", str(out)],
        capture_output=True, text=True, env=env, timeout=600,
    )
    assert done.returncode == 0, done.stderr

    table = done.stdout
    assert "### generated-200:" in table
    assert "| tool | median s | min s | max s | CPU s | peak MiB | runs |" in table
    rows = {line.split("|")[1].strip(): line for line in table.splitlines() if line.startswith("| detlint-")}
    assert set(rows) == {"detlint-cold", "detlint-warm", "detlint-touched", "detlint-changed"}
    for row in rows.values():
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert len(cells) == 7
        float(cells[1]), float(cells[4]), int(cells[5])  # numbers, not an error status
        assert cells[6] == "1"
    assert "flake8" not in table and "fixit" not in table  # only the tools asked for

    report = json.loads(out.read_text())
    assert report["repeat"] == 1
    assert report["machine"]["cpus"] >= 1
    assert report["tools"]["detlint-cold"]["command"][:4] == [sys.executable, "-m", "detlint", "check"]
    (corpus,) = report["corpora"]
    assert corpus["name"] == "generated-200"
    assert corpus["files"] > 200 and corpus["lines"] > corpus["files"]
    assert corpus["changed_file"].startswith("app/workflows/")
    assert corpus["counts"]["workflow"] == 10
    assert set(corpus["results"]) == {"detlint-cold", "detlint-warm", "detlint-touched", "detlint-changed"}
    assert set(corpus["change_ratios"]) == {"detlint-changed / detlint-warm", "detlint-changed / detlint-touched"}
    assert all(ratio > 0 for ratio in corpus["change_ratios"].values())
    assert "One file changed, against detlint's warm runs: detlint-changed / detlint-warm = " in table
    for result in corpus["results"].values():
        assert result["status"] == "ok"
        (run,) = result["runs"]
        assert run["exit"] == 1  # the generated corpus has DET101 findings by design
        assert run["wall"] > 0 and run["peak_kib"] >= run["maxrss_kib"] > 0
        assert result["median_wall"] == run["wall"]
    assert corpus["ratios"] == {}  # no peer was run


# A tool whose work is done by a grandchild it does not wait for, as a forkserver's workers are:
# the grandchild spins for 0.4 s of CPU, the tool itself only sleeps.
ORPHANING_TOOL = """\
import os, time
if os.fork() == 0:
    if os.fork() == 0:
        end = time.process_time() + 0.4
        while time.process_time() < end:
            pass
    os._exit(0)
time.sleep(1.0)
"""
MEASURE = """\
import sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
import compare
compare.adopt_orphans()
print(compare.measure([sys.executable, "-c", sys.argv[2]], Path.cwd(), Path(sys.argv[3]), 60).cpu)
"""


def test_cpu_time_includes_the_processes_a_tool_leaves_orphaned(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, str(SCRIPT.parent), ORPHANING_TOOL, str(tmp_path / "log")],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert float(done.stdout) >= 0.35


def test_a_missing_peer_is_reported_not_a_crash(tmp_path: Path) -> None:
    compare = _load()
    assert compare.find_executable("no-such-linter-for-detlint-benchmarks") is None
    corpus = compare.Corpus("c", tmp_path, 1, 1, tmp_path / "flow.py")
    (tmp_path / "flow.py").write_text("")
    selected = {"fixit": compare.Tool("fixit", None)}
    results = compare.run_corpus(corpus, selected, 2, tmp_path, 60, lambda _: None)
    assert results["fixit"].status == "not installed" and results["fixit"].runs == []
    assert "| fixit | not installed |" in compare.table(corpus, results, selected)


def test_the_generated_corpus_is_deterministic_and_shaped_like_a_temporal_project(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from temporal_corpus import generate
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    first = generate(tmp_path / "a", 200)
    second = generate(tmp_path / "b", 200)
    texts = lambda root: {p.relative_to(root): p.read_bytes() for p in root.rglob("*.py")}  # noqa: E731
    assert texts(first.root) == texts(second.root)
    assert first.counts["service"] > 0.7 * 200
    assert len(list((first.root / "app" / "workflows").rglob("flow_*.py"))) == first.counts["workflow"] == 10
    assert len(list((first.root / "app" / "activities").rglob("tasks_*.py"))) == first.counts["activity"]
    for path in first.workflow_modules:
        compile(path.read_text(), str(path), "exec")
