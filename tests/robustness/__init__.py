"""Never crash, never run user code, never lose a finding (issue 11, docs/robustness.md)."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.conftest import python_path

# A workflow with one finding on a known line: in every project, so a test can show that the
# other files are still analysed whatever the hostile file does.
GOOD = textwrap.dedent(
    """\
    import time

    from temporalio import workflow


    @workflow.defn
    class Good:
        @workflow.run
        async def run(self) -> float:
            return time.time()
    """
)
GOOD_FINDING = ("good.py", 10, "DET101")


def detlint(*args: str | Path, cwd: Path, timeout: float = 300, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, **(env or {})}
    environment["PYTHONPATH"] = python_path()
    return subprocess.run(
        [sys.executable, "-m", "detlint", *map(str, args)],
        cwd=cwd, env=environment, capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip


def rows(result: subprocess.CompletedProcess[str]) -> set[tuple[str, int, str]]:
    return {(Path(r["filename"]).as_posix(), r["location"]["row"], r["code"]) for r in json.loads(result.stdout)}


def messages(result: subprocess.CompletedProcess[str]) -> dict[tuple[str, str], str]:
    return {(Path(r["filename"]).as_posix(), r["code"]): r["message"] for r in json.loads(result.stdout)}


def assert_no_traceback(result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stderr, result.stderr
    assert "Traceback" not in result.stdout
    for line in result.stderr.splitlines():  # every problem is one line that says what it is
        assert line.startswith("detlint: "), result.stderr


def generated_module(megabytes: float, head: str, tail: str = "", seed: int = 11) -> str:
    """A generated module of about `megabytes` MB, as protobuf writes them: `head`, then lines
    of serialized descriptors (bytes literals), then `tail`."""
    rng = random.Random(seed)
    parts = [head]
    size = len(head)
    index = 0
    while size < megabytes * 1024 * 1024:
        blob = "".join(f"\\x{b:02x}" for b in rng.randbytes(250))
        line = f'_DESCRIPTOR_{index} = b"{blob}"\n'
        parts.append(line)
        size += len(line)
        index += 1
    return "".join(parts) + tail
