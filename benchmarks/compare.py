"""detlint against the tools users compare it with, side by side in one session.

    python benchmarks/compare.py [--sizes 200,2000] [--checkout PATH] [--repeat 5]
                                 [--tools detlint,flake8,ruff,fixit,temporalint] [--json OUT]

For each corpus (a generated Temporal project per size in --sizes, see temporal_corpus.py, and
a copy of --checkout when given), runs every tool once per round, for --repeat rounds, so that
load from other work on the machine falls on all of them alike:

| tool | command (in the corpus folder) |
|---|---|
| detlint-cold | `python -m detlint check . --cache-dir EMPTY`: a new, empty cache folder each run (the first run a user sees, writing the cache included) |
| detlint-warm | `python -m detlint check . --cache-dir WARM`: the cache filled by untimed runs before the rounds, nothing changed (so it replays the last run's record: detlint/last_run.py) |
| detlint-touched | the same after one workflow module was touched (its modification time moved on, its text unchanged), untimed, just before the run: the last run's record no longer holds, so every file's facts come from the cache and are joined again (the warm run of a check that cannot be replayed) |
| detlint-changed | the same after one workflow module was edited (a new line `BENCHMARK_EDIT = <round>` at its end), untimed, just before the run |
| flake8 | `flake8 .`: default plugins (pycodestyle, pyflakes, mccabe) and default jobs; when detlint's own flake8 plugin is installed in the environment it is left out, or flake8 would run detlint |
| ruff | `ruff check --cache-dir RUFF .`: default rules, its cache warmed by an untimed run (and again after each edit of detlint-changed, so it too has nothing changed) |
| fixit | `fixit lint .`: default rules and processes |
| temporalint | `temporalint .` |

detlint runs as `sys.executable -m detlint`, i.e. the detlint this Python imports (PYTHONPATH
included), so a change to the engine is what gets measured. The peers are taken from the same
environment's bin folder, else from PATH; a tool that is not there is reported as "not
installed". Each run's wall time, CPU time (user + system, all its processes: the benchmark
becomes the reaper of the processes a tool leaves orphaned, such as a forkserver and the workers
it started, and waits for them) and peak memory are measured: `os.wait4` gives the largest
single process's peak RSS; a sampler adds up the RSS of the whole process tree every 20 ms
(process pools), and the larger of the two is reported.
Prints medians and the ratios of each detlint run to each peer; `--json OUT` writes everything.
Asserts nothing about time.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import json
import os
import platform
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))
from temporal_corpus import generate  # noqa: E402

DETLINT = ("detlint-cold", "detlint-warm", "detlint-touched", "detlint-changed")
WARM_CACHE = DETLINT[1:]  # the runs that share the warm cache
PEERS = ("flake8", "ruff", "fixit", "temporalint")
TOOLS = (*DETLINT, *PEERS)
# Exit codes that mean "ran" (findings or not); fixit ORs 1 (findings) and 2 (files it could not lint).
ACCEPTED = {"fixit": {0, 1, 2, 3}}
SAMPLE_SECONDS = 0.02

# flake8 with the plugins it ships with: any other installed plugin (detlint's own among them)
# is left out, so the figure is what users mean by "flake8".
FLAKE8_DEFAULTS = """\
import sys
import flake8.plugins.finder as finder
found = finder._find_importlib_plugins
keep = {"flake8", "pyflakes", "pycodestyle", "mccabe"}
finder._find_importlib_plugins = lambda: (p for p in found() if p.package in keep)
from flake8.main.cli import main
sys.exit(main(sys.argv[1:]))
"""


# -- measuring one run ------------------------------------------------------------------------


@dataclass
class Run:
    wall: float  # seconds
    cpu: float  # user + system seconds of the process and all its waited-for children
    peak_kib: int  # max(largest single process, sampled sum over the process tree)
    maxrss_kib: int  # largest single process (wait4)
    tree_kib: int  # sampled sum over the process tree
    exit: int


def _children(pid: int) -> list[int]:
    found = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                found.extend(int(c) for c in handle.read().split())
        except OSError:
            pass
    return found


def _tree_rss_kib(root: int) -> int:
    total, stack, page = 0, [root], os.sysconf("SC_PAGE_SIZE") // 1024
    while stack:
        pid = stack.pop()
        try:
            with open(f"/proc/{pid}/statm") as handle:
                total += int(handle.read().split()[1]) * page
        except (OSError, IndexError, ValueError):
            continue
        stack.extend(_children(pid))
    return total


def adopt_orphans() -> None:
    """Become the parent of the descendants a tool leaves behind when it exits (a forkserver
    and the workers it forked), so that their CPU time is counted when they are reaped."""
    import ctypes

    PR_SET_CHILD_SUBREAPER = 36
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def _reap_orphans(patience: float = 5.0) -> None:
    deadline = time.monotonic() + patience
    while time.monotonic() < deadline:
        try:
            if os.waitpid(-1, os.WNOHANG) == (0, 0):
                time.sleep(0.01)
        except ChildProcessError:
            return


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(command: list[str], cwd: Path, log: Path, timeout: float) -> Run:
    """Run `command` to completion; its output goes to `log`. Raises TimeoutError."""
    with open(log, "wb") as out:
        cpu_before = _children_cpu()
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        peak = [0]
        done = threading.Event()
        timed_out = threading.Event()

        def sample() -> None:
            while not done.wait(SAMPLE_SECONDS):
                peak[0] = max(peak[0], _tree_rss_kib(process.pid))

        def kill() -> None:
            timed_out.set()
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except OSError:
                pass

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        timer = threading.Timer(timeout, kill)
        timer.start()
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        timer.cancel()
        done.set()
        sampler.join()
        process.returncode = os.waitstatus_to_exitcode(status)
    if timed_out.is_set():
        raise TimeoutError(f"still running after {timeout:.0f} s")
    try:  # the session's leftovers (a pool's stray workers), should any outlive the tool
        os.killpg(process.pid, signal.SIGKILL)
    except OSError:
        pass
    _reap_orphans()
    maxrss = int(usage.ru_maxrss)  # KiB on Linux
    return Run(
        wall=wall,
        cpu=_children_cpu() - cpu_before,
        peak_kib=max(maxrss, peak[0]),
        maxrss_kib=maxrss,
        tree_kib=peak[0],
        exit=process.returncode,
    )


# -- the tools --------------------------------------------------------------------------------


def find_executable(name: str) -> str | None:
    """`name` from this Python's bin folder (the environment the benchmark runs in), else PATH."""
    beside = Path(sys.executable).parent / name
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which(name)


def _version(package: str) -> str | None:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


def _has_detlint_flake8_plugin() -> bool:
    return any(ep.value.startswith("detlint.") for ep in importlib.metadata.entry_points(group="flake8.extension"))


@dataclass
class Tool:
    name: str
    command: list[str] | None  # None: not installed
    version: str | None = None
    note: str = ""


def tools(selected: list[str], work: Path) -> dict[str, Tool]:
    found: dict[str, Tool] = {}
    spec = importlib.util.find_spec("detlint")  # finds it without importing it
    detlint_where = str(Path(spec.origin).parent) if spec and spec.origin else None
    if detlint_where:
        # An installed detlint comes byte-compiled. A work tree in an environment that sets
        # PYTHONDONTWRITEBYTECODE would compile its source again on every run: time a user's.
        subprocess.run([sys.executable, "-m", "compileall", "-q", detlint_where], check=False)
    for name in DETLINT:
        command = [sys.executable, "-m", "detlint", "check", ".", "--cache-dir", "<cache>"] if spec else None
        found[name] = Tool(name, command, _version("detlint"), f"from {detlint_where}" if detlint_where else "")
    if importlib.util.find_spec("flake8"):
        if _has_detlint_flake8_plugin():
            found["flake8"] = Tool("flake8", [sys.executable, "-c", FLAKE8_DEFAULTS, "."], _version("flake8"), "default plugins only (detlint's plugin left out)")
        else:
            found["flake8"] = Tool("flake8", [sys.executable, "-m", "flake8", "."], _version("flake8"))
    else:
        found["flake8"] = Tool("flake8", None)
    ruff = find_executable("ruff")
    found["ruff"] = Tool("ruff", [ruff, "check", "--cache-dir", str(work / "ruff-cache"), "."] if ruff else None, _version("ruff"))
    fixit = find_executable("fixit")
    found["fixit"] = Tool("fixit", [fixit, "lint", "."] if fixit else None, _version("fixit"))
    temporalint = find_executable("temporalint")
    found["temporalint"] = Tool("temporalint", [temporalint, "."] if temporalint else None, _version("temporalint"))
    return {name: found[name] for name in selected}


# -- corpora ----------------------------------------------------------------------------------


@dataclass
class Corpus:
    name: str
    root: Path
    files: int
    lines: int
    changed: Path  # the workflow module detlint-changed edits
    details: dict = field(default_factory=dict)


def _git_init(root: Path) -> None:
    # A project is a git work tree: detlint and ruff honour .gitignore there.
    subprocess.run(["git", "init", "-q", str(root)], check=True)


def _count(root: Path) -> tuple[int, int]:
    files = lines = 0
    for path in root.rglob("*.py"):
        if ".git" not in path.parts:
            files += 1
            lines += path.read_bytes().count(b"\n")
    return files, lines


def generated(modules: int, work: Path) -> Corpus:
    root = work / f"generated-{modules}"
    made = generate(root, modules)
    _git_init(root)
    return Corpus(
        f"generated-{modules}", root, made.files, made.lines, made.workflow_modules[0],
        {"counts": made.counts, "expected": made.expected},
    )


def checkout(source: Path, work: Path) -> Corpus:
    """A copy of a checkout, so the edits and caches never touch it: the files git lists
    (tracked, and untracked but not ignored) when it is a work tree, else every file but
    caches and virtual environments."""
    root = work / source.resolve().name
    listing = subprocess.run(
        ["git", "-C", str(source), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        capture_output=True,
    )
    if listing.returncode == 0:
        for relative in filter(None, listing.stdout.decode().split("\0")):
            origin = source / relative
            if origin.is_file():
                (root / relative).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(origin, root / relative)
    else:
        junk = shutil.ignore_patterns(".git", ".venv", "venv", "__pycache__", ".*_cache", ".tox", ".nox", "node_modules")
        shutil.copytree(source, root, ignore=junk)
    _git_init(root)
    files, lines = _count(root)
    workflows = sorted(p for p in root.rglob("*.py") if b"@workflow.defn" in p.read_bytes())
    if not workflows:
        raise SystemExit(f"{source}: no module defines a workflow (@workflow.defn)")
    return Corpus(root.name, root, files, lines, workflows[0], {"source": str(source)})


# -- one corpus, interleaved ------------------------------------------------------------------


@dataclass
class Result:
    status: str  # ok, not installed, failed: ..., timeout: ...
    runs: list[Run] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status == "ok" and bool(self.runs)

    def median(self, attribute: str = "wall") -> float:
        return statistics.median(getattr(r, attribute) for r in self.runs)


def _tail(log: Path, lines: int = 3) -> str:
    try:
        text = log.read_text(errors="replace").strip().splitlines()
    except OSError:
        return ""
    return " | ".join(text[-lines:])


def run_corpus(corpus: Corpus, selected: dict[str, Tool], repeat: int, work: Path, timeout: float, say: Callable[[str], None]) -> dict[str, Result]:
    results = {name: Result("ok" if tool.command else "not installed") for name, tool in selected.items()}
    logs = work / "logs"
    logs.mkdir(exist_ok=True)
    warm_cache = work / f"{corpus.name}-detlint-warm"
    original = corpus.changed.read_bytes()

    def command(name: str, cache: Path | None = None) -> list[str]:
        return [str(cache) if part == "<cache>" else part for part in selected[name].command]

    def attempt(name: str, cmd: list[str], timed: bool, label: str) -> None:
        log = logs / f"{corpus.name}-{name}-{label}.log"
        try:
            run = measure(cmd, corpus.root, log, timeout)
        except TimeoutError as error:
            results[name].status = f"timeout: {error}"
            return
        accepted = ACCEPTED.get(name, {0, 1})
        if run.exit not in accepted:
            results[name].status = f"failed: exit {run.exit}: {_tail(log)}"
        elif timed:
            results[name].runs.append(run)

    def runnable(name: str) -> bool:
        return name in results and results[name].status == "ok"

    # Untimed warm-ups: the caches that "warm" means.
    warm_runs = [name for name in WARM_CACHE if runnable(name)]
    if warm_runs:
        name = warm_runs[0]
        # Twice: the first run makes the cache folder, which changes a folder it read, so it
        # is the second that leaves the record of a last run that an unchanged run replays.
        for warmup in ("warmup", "warmup-2"):
            attempt(name, command(name, warm_cache), False, warmup)
        if not runnable(name):
            for other in WARM_CACHE:
                if other in results:
                    results[other].status = results[name].status
    if runnable("ruff"):
        attempt("ruff", command("ruff"), False, "warmup")

    order = [name for name in TOOLS if name in results]
    try:
        for round_ in range(repeat):
            # Round-robin, starting one tool later each round so no tool always follows another.
            shift = round_ % len(order)
            for name in order[shift:] + order[:shift]:
                if not runnable(name):
                    continue
                say(f"  {corpus.name}: round {round_ + 1}/{repeat}: {name}")
                if name == "detlint-cold":
                    cache = work / f"{corpus.name}-detlint-cold-{round_}"
                    attempt(name, command(name, cache), True, str(round_))
                    shutil.rmtree(cache, ignore_errors=True)
                elif name == "detlint-warm":
                    attempt(name, command(name, warm_cache), True, str(round_))
                elif name == "detlint-touched":
                    status = corpus.changed.stat()
                    os.utime(corpus.changed, ns=(status.st_atime_ns, status.st_mtime_ns + 1_000_000_000))
                    attempt(name, command(name, warm_cache), True, str(round_))
                elif name == "detlint-changed":
                    corpus.changed.write_bytes(original + f"\n\nBENCHMARK_EDIT = {round_}\n".encode())
                    attempt(name, command(name, warm_cache), True, str(round_))
                    if runnable("ruff"):  # ruff's cache is to be warm with nothing changed too
                        attempt("ruff", command("ruff"), False, f"rewarm-{round_}")
                else:
                    attempt(name, command(name), True, str(round_))
    finally:
        corpus.changed.write_bytes(original)
    return results


# -- reporting --------------------------------------------------------------------------------


def _mib(kib: float) -> str:
    return f"{kib / 1024:.0f}"


def _seconds(value: float) -> str:
    return f"{value:.2f}" if value < 100 else f"{value:.0f}"


def ratios(results: dict[str, Result]) -> dict[str, dict[str, float]]:
    """detlint's median time over each peer's: below 1, detlint is faster."""
    out: dict[str, dict[str, float]] = {}
    for ours in DETLINT:
        if ours in results and results[ours].ok:
            row = {
                peer: results[ours].median() / results[peer].median()
                for peer in PEERS
                if peer in results and results[peer].ok and results[peer].median() > 0
            }
            if row:
                out[ours] = row
    return out


def change_ratios(results: dict[str, Result]) -> dict[str, float]:
    """One changed file's median time over the warm runs': the replayed record, and the cached
    facts joined again."""
    changed = results.get("detlint-changed")
    if changed is None or not changed.ok:
        return {}
    return {
        f"detlint-changed / {warm}": changed.median() / results[warm].median()
        for warm in ("detlint-warm", "detlint-touched")
        if warm in results and results[warm].ok and results[warm].median() > 0
    }


def table(corpus: Corpus, results: dict[str, Result], tools_: dict[str, Tool]) -> str:
    lines = [
        f"### {corpus.name}: {corpus.files:,} Python files, {corpus.lines:,} lines",
        "",
        "| tool | median s | min s | max s | CPU s | peak MiB | runs |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, result in results.items():
        if result.ok:
            walls = [r.wall for r in result.runs]
            lines.append(
                f"| {name} | {_seconds(result.median())} | {_seconds(min(walls))} | {_seconds(max(walls))} "
                f"| {_seconds(result.median('cpu'))} | {_mib(max(r.peak_kib for r in result.runs))} | {len(walls)} |"
            )
        else:
            lines.append(f"| {name} | {result.status} | | | | | {len(result.runs)} |")
    found = ratios(results)
    peers = [p for p in PEERS if any(p in row for row in found.values())]
    if found and peers:
        lines += ["", "detlint's median time / the peer's (below 1: detlint is faster):", ""]
        lines.append("| | " + " | ".join(peers) + " |")
        lines.append("|---" * (len(peers) + 1) + "|")
        for ours, row in found.items():
            cells = [f"{row[p]:.2f}x" if p in row else "" for p in peers]
            lines.append(f"| {ours} | " + " | ".join(cells) + " |")
    changes = change_ratios(results)
    if changes:
        lines += ["", "One file changed, against detlint's warm runs: " + "; ".join(f"{k} = {v:.2f}x" for k, v in changes.items())]
    return "\n".join(lines)


def machine() -> dict:
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_average": list(os.getloadavg()),
    }


# -- main -------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="200,2000", help="generated corpora, in modules, comma-separated (e.g. 200,2000,20000); empty for none")
    parser.add_argument("--checkout", type=Path, action="append", default=[], help="a real checkout to copy and measure too (repeatable)")
    parser.add_argument("--repeat", type=int, default=5, help="rounds (each tool runs once per round)")
    parser.add_argument("--tools", default=",".join(("detlint", *PEERS)), help="comma-separated: detlint (its four runs), detlint-cold, detlint-warm, detlint-touched, detlint-changed, flake8, ruff, fixit, temporalint")
    parser.add_argument("--json", type=Path, help="write the results here")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds one run may take")
    parser.add_argument("--workdir", type=Path, help="where corpora and caches go (default: a temporary folder, removed after)")
    args = parser.parse_args(argv)
    names: list[str] = []
    for part in filter(None, (p.strip() for p in args.tools.split(","))):
        expanded = DETLINT if part == "detlint" else (part,)
        for name in expanded:
            if name not in TOOLS:
                parser.error(f"unknown tool {name!r}; choose from detlint, {', '.join(TOOLS)}")
            if name not in names:
                names.append(name)
    args.tools = [n for n in TOOLS if n in names]
    args.sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    if not args.sizes and not args.checkout:
        parser.error("nothing to measure: give --sizes or --checkout")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    adopt_orphans()
    say = lambda text: print(text, file=sys.stderr, flush=True)  # noqa: E731
    work = args.workdir or Path(tempfile.mkdtemp(prefix="detlint-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    # detlint keeps the records of its last runs in the user's cache folder: here, one of the
    # benchmark's own, made before any run so that making it changes no folder a run read.
    os.environ["XDG_CACHE_HOME"] = str(work / "user-cache")
    (work / "user-cache").mkdir(exist_ok=True)
    selected = tools(args.tools, work)
    report = {
        "machine": machine(),
        "repeat": args.repeat,
        "tools": {name: {"command": t.command, "version": t.version, "note": t.note} for name, t in selected.items()},
        "corpora": [],
    }
    out = [
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}, {args.repeat} rounds, interleaved; "
        f"load average at the start {os.getloadavg()[0]:.1f}",
        "",
        "versions: " + "; ".join(
            f"{family} {t.version or '?'}" + (f" ({t.note})" if t.note else "")
            for family, t in {name.partition("-")[0]: t for name, t in selected.items() if t.command}.items()
        ),
    ]
    print("\n".join(out), flush=True)
    try:
        targets: list[Callable[[], Corpus]] = [lambda m=m: generated(m, work) for m in args.sizes]
        targets += [lambda c=c: checkout(c, work) for c in args.checkout]
        for make in targets:
            started = time.perf_counter()
            corpus = make()
            say(f"{corpus.name}: {corpus.files} files ready in {time.perf_counter() - started:.1f} s")
            results = run_corpus(corpus, selected, args.repeat, work, args.timeout, say)
            print("\n" + table(corpus, results, selected), flush=True)
            report["corpora"].append(
                {
                    "name": corpus.name,
                    "files": corpus.files,
                    "lines": corpus.lines,
                    "changed_file": str(corpus.changed.relative_to(corpus.root)),
                    **corpus.details,
                    "results": {
                        name: {
                            "status": r.status,
                            "median_wall": r.median() if r.ok else None,
                            "median_cpu": r.median("cpu") if r.ok else None,
                            "peak_kib": max(x.peak_kib for x in r.runs) if r.ok else None,
                            "runs": [asdict(x) for x in r.runs],
                        }
                        for name, r in results.items()
                    },
                    "ratios": ratios(results),
                    "change_ratios": change_ratios(results),
                }
            )
            if args.workdir is None:
                shutil.rmtree(corpus.root, ignore_errors=True)
    finally:
        if args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)
    report["machine"]["load_average_end"] = list(os.getloadavg())
    print(f"\nload average at the end {os.getloadavg()[0]:.1f}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
