"""Hostile files: each is checked by the real command line next to a good workflow file. Each
gives a clear DET001 (or is analysed as usual), never a traceback, and the good file's finding
is still reported, with the exit code docs/robustness.md documents."""

from __future__ import annotations

import json
import os
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from detlint import cli, engine
from detlint.analysis.extract import MAX_DEPTH
from tests.robustness import GOOD, GOOD_FINDING, assert_no_traceback, detlint, generated_module, messages, rows

HEADER = "import time\n\nfrom temporalio import workflow\n"


def workflow(body: str, *, before: str = "") -> str:
    """A workflow module whose run method has `body` (indented by 8 spaces)."""
    return HEADER + before + "\n\n@workflow.defn\nclass W:\n    @workflow.run\n    async def run(self):\n" + textwrap.indent(body, " " * 8)


def line_of(text: str | bytes, needle: str) -> int:
    text = text.decode("latin-1") if isinstance(text, bytes) else text
    return text[: text.index(needle)].replace("\r\n", "\n").replace("\r", "\n").count("\n") + 1


@dataclass(frozen=True)
class Hostile:
    name: str  # file name
    content: bytes
    expected: set[tuple[int, str]]  # (line, code) findings in this file
    message: str = ""  # a part of the DET001 message


def _deep_blocks(levels: int) -> str:
    lines = [" " * (8 + 4 * i) + "if self:" for i in range(levels)]
    return HEADER + "\n\n@workflow.defn\nclass W:\n    @workflow.run\n    async def run(self):\n" + "\n".join(lines) + "\n" + " " * (8 + 4 * levels) + "return time.time()\n"


def _ten_megabytes() -> str:
    """A generated module of 10 MB (serialized descriptors, as protobuf writes them)."""
    tail = "\n\n@workflow.defn\nclass W:\n    @workflow.run\n    async def run(self):\n        return time.time()\n"
    return generated_module(10, HEADER, tail)


def _cases() -> list[Hostile]:
    cases = []

    def add(name: str, content: str | bytes, expected: set[tuple[int, str]], message: str = "") -> None:
        data = content.encode("utf-8") if isinstance(content, str) else content
        cases.append(Hostile(name, data, expected, message))

    clock = workflow("return time.time()\n")
    clock_line = line_of(clock, "time.time()")
    # Deep nesting: what Python refuses, or deeper than detlint analyses, is a DET001 at once
    # (LibCST would overflow the C stack); what real code does is analysed.
    add("deep_parens.py", HEADER + "x = " + "(" * 5000 + "1" + ")" * 5000 + "\n", {(4, "DET001")}, "too many nested parentheses")
    add("deep_brackets.py", HEADER + "x = " + "[{" * 2500 + "}]" * 2500 + "\n", {(4, "DET001")}, "too many nested parentheses")
    add("deep_calls.py", HEADER + "x = f" + "()" * 5000 + "\n", {(1, "DET001")}, "nested too deeply for Python's own parser")
    add("deep_attributes.py", HEADER + "x = a" + ".b" * 20000 + "\n", {(1, "DET001")}, "nested too deeply")
    # (Python accepts these two, so they are DET001s only in a module with workflow code; a
    # script that only names temporalio is not analysed.)
    deep_sum = workflow("return 1\n", before="x = " + " + ".join(["1"] * (MAX_DEPTH + 500)) + "\n")
    add("deep_sum.py", deep_sum, {(4, "DET001")}, "more than detlint analyses")
    add("deep_lambdas.py", HEADER + "x = " + "lambda: " * 5000 + "1\n", {(1, "DET001")}, "nested too deeply")
    deep_real = workflow("return time.time() + " + " + ".join(["1"] * 800) + "\n")
    add("deep_but_analysed.py", deep_real, {(line_of(deep_real, "time.time()"), "DET101")})
    nested_lists = workflow("table = " + "[" * 190 + "]" * 190 + "\nreturn time.time()\n")
    add("nested_lists.py", nested_lists, {(line_of(nested_lists, "time.time()"), "DET101")})
    blocks = _deep_blocks(90)
    add("deep_blocks.py", blocks, {(line_of(blocks, "time.time()"), "DET101")})
    add("too_deep_blocks.py", _deep_blocks(120), {(0, "DET001")}, "too many levels of indentation")
    # Size
    big = _ten_megabytes()
    add("generated_10mb.py", big, {(line_of(big, "time.time()"), "DET101")})
    # Bytes that are no Python text
    add("binary.py", b"temporalio\n" + bytes(range(256)) * 64, {(0, "DET001")}, "not valid utf-8")
    bad = workflow('label = "caf\udce9"\nreturn time.time()\n').encode("utf-8", "surrogateescape")
    add("invalid_utf8.py", bad, {(line_of(bad, "caf"), "DET001")}, "not valid utf-8")
    add("nul_byte.py", HEADER.encode() + b"x = 1\0\n", {(1, "DET001")}, "null bytes")
    add("unknown_cookie.py", b"# -*- coding: no-such-codec -*-\n" + HEADER.encode(), {(1, "DET001")}, "unknown encoding")
    add("empty.py", b"", set())
    add("only_comments.py", "# temporalio\n# nothing but comments\n\f\n", set())
    # Encodings and line endings: analysed, findings on the right line
    add("bom.py", b"\xef\xbb\xbf" + clock.encode(), {(clock_line, "DET101")})
    add("crlf.py", clock.replace("\n", "\r\n"), {(clock_line, "DET101")})
    add("cr.py", clock.replace("\n", "\r"), {(clock_line, "DET101")})
    tabs = clock.replace("    ", "\t").replace("@workflow.defn", "\f@workflow.defn").replace("\tasync", "\t\f\n\tasync")
    add("tabs_and_form_feeds.py", tabs, {(line_of(tabs, "time.time()"), "DET101")})
    latin = ("# -*- coding: latin-1 -*-\n" + workflow('label = "café"; started = time.time()\nreturn started\n')).encode("latin-1")
    add("latin1_cookie.py", latin, {(line_of(latin, "time.time()"), "DET101")})
    # Newer syntax than the Python running detlint may know: analysed, findings inside it found
    modern = workflow(
        textwrap.dedent(
            """\
            match self:
                case {"when": [first, *rest]} if first:
                    return time.time()
                case _:
                    pass
            try:
                pass
            except* ValueError:
                started = time.monotonic()
            return f"{'nested' + f"{1}"}"
            """
        ),
        before="\ntype Pair[T] = tuple[T, T]\n\n\ndef first[T: int, *Ts, **P](pair: Pair[T]) -> T:\n    return pair[0]\n\n\nclass Box[T]:\n    pass\n",
    )
    add("python_3_12_syntax.py", modern, {(line_of(modern, "time.time()"), "DET101"), (line_of(modern, "time.monotonic()"), "DET101")})
    # Python accepts it; LibCST does not: a DET001 that says so, not a traceback
    libcst_limit = workflow("return 1\n", before="x = " + " ".join(['"a"'] * 5000) + "\n")
    add("libcst_limit.py", libcst_limit, {(0, "DET001")}, "detlint's parser")
    return cases


CASES = _cases()


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_a_hostile_file_is_reported_clearly_and_the_others_still_analysed(tmp_path: Path, case: Hostile):
    (tmp_path / "good.py").write_text(GOOD)
    (tmp_path / case.name).write_bytes(case.content)
    result = detlint("check", "--no-cache", "--format", "json", ".", cwd=tmp_path)
    assert_no_traceback(result)
    assert result.returncode == 1, result.stderr  # the good file's finding (and any DET001)
    found = rows(result)
    assert GOOD_FINDING in found
    mine = {(line, code) for path, line, code in found if path == case.name}
    expected = {(line, code) for line, code in case.expected if line}
    assert {code for _, code in mine} == {code for _, code in case.expected}
    assert expected <= mine, (mine, messages(result).get((case.name, "DET001")))
    if case.message:
        message = messages(result)[(case.name, "DET001")]
        assert case.message in message
        assert "\n" not in message


def test_a_binary_file_named_explicitly_is_a_det001(tmp_path: Path):
    (tmp_path / "blob.py").write_bytes(bytes(range(256)) * 16)  # never names temporalio
    (tmp_path / "good.py").write_text(GOOD)
    assert GOOD_FINDING not in rows(detlint("check", "--format", "json", "blob.py", cwd=tmp_path))
    result = detlint("check", "--format", "json", "blob.py", "good.py", cwd=tmp_path)
    assert_no_traceback(result)
    assert rows(result) == {("blob.py", 2, "DET001"), GOOD_FINDING}  # the first byte after b"\n"


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks")
def test_symlink_loops(tmp_path: Path):
    (tmp_path / "good.py").write_text(GOOD)
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "up").symlink_to(tmp_path)  # a folder loop: the walk does not follow it
    (tmp_path / "loop.py").symlink_to(tmp_path / "loop.py")  # a file that links to itself
    walked = detlint("check", "--format", "json", ".", cwd=tmp_path)
    assert_no_traceback(walked)
    assert (walked.returncode, rows(walked)) == (1, {GOOD_FINDING})
    named = detlint("check", "--format", "json", "loop.py", "good.py", cwd=tmp_path)
    assert_no_traceback(named)
    assert named.returncode == 2  # a path given that cannot be read
    assert rows(named) == {GOOD_FINDING}
    assert "loop.py: cannot read: Too many levels of symbolic links" in named.stderr


def test_a_path_with_spaces_and_non_ascii_characters(tmp_path: Path):
    folder = tmp_path / "my workflows ✓"
    folder.mkdir()
    (folder / "cafés déjà vu.py").write_text(GOOD, encoding="utf-8")
    result = detlint("check", "--format", "json", ".", cwd=tmp_path)
    assert_no_traceback(result)
    assert rows(result) == {("my workflows ✓/cafés déjà vu.py", 10, "DET101")}
    text = detlint("check", "my workflows ✓", cwd=tmp_path)
    assert "my workflows ✓/cafés déjà vu.py:10:16: DET101" in text.stdout


def test_files_deleted_or_made_unreadable_during_the_run(tmp_path: Path, monkeypatch, capsys):
    """Between finding the files and reading them, one is deleted and one becomes a symlink to
    itself (unreadable even for root): one line each, exit 2, the others analysed."""
    for name in ("gone.py", "locked.py", "good.py"):
        (tmp_path / name).write_text(GOOD)
    real_discover = engine.discover

    def discover_then_change(*args, **kwargs):
        found = real_discover(*args, **kwargs)
        (tmp_path / "gone.py").unlink()
        (tmp_path / "locked.py").unlink()
        (tmp_path / "locked.py").symlink_to(tmp_path / "locked.py")
        return found

    monkeypatch.setattr(engine, "discover", discover_then_change)
    monkeypatch.chdir(tmp_path)
    code = cli.main(["check", "--no-cache", "--format", "json", "."])
    out, err = capsys.readouterr()
    assert code == 2
    assert {(r["filename"], r["location"]["row"], r["code"]) for r in json.loads(out)} == {GOOD_FINDING}
    assert sorted(err.splitlines()) == [
        "detlint: error: gone.py: cannot read: No such file or directory",
        "detlint: error: locked.py: cannot read: Too many levels of symbolic links",
    ]
