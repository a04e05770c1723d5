from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from detlint.config import SettingsResolver
from detlint.discover import Discovery, discover

KNOWN = {"DET001", "DET101", "DET102", "DET206"}

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def touch(root: Path, *names: str) -> None:
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x = 1\n", encoding="utf-8")


def run(paths: list[str | Path], cwd: Path, **resolver_args: object) -> Discovery:
    resolver = SettingsResolver(KNOWN, cwd=cwd, **resolver_args)  # type: ignore[arg-type]
    return discover([Path(p) for p in paths], resolver, cwd=cwd)


def names(discovery: Discovery) -> list[str]:
    return [p.as_posix() for p in discovery.files]


@pytest.fixture
def git(monkeypatch: pytest.MonkeyPatch):
    """Run git in a folder, isolated from the user's and the system's git configuration."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")

    def git(cwd: Path, *args: str) -> None:
        subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)

    return git


# --------------------------------------------------------------------------- walking


def test_walk_finds_python_files_sorted_and_relative_to_cwd(tmp_path: Path) -> None:
    touch(tmp_path, "b.py", "a/z.py", "a/y.pyi", "a/notes.txt", "a/script", "a/c.pyc", "a/b/x.py")
    assert names(run(["."], tmp_path)) == ["a/b/x.py", "a/y.pyi", "a/z.py", "b.py"]
    assert names(run(["a"], tmp_path)) == ["a/b/x.py", "a/y.pyi", "a/z.py"]


def test_paths_outside_cwd_stay_absolute(tmp_path: Path) -> None:
    touch(tmp_path, "lib/m.py")
    (tmp_path / "work").mkdir()
    found = run([tmp_path / "lib"], tmp_path / "work")
    assert found.files == [tmp_path / "lib" / "m.py"]
    # Relative paths that climb out of cwd are shown absolute too.
    assert run(["../lib/m.py"], tmp_path / "work").files == [tmp_path / "lib" / "m.py"]


def test_files_are_deduplicated(tmp_path: Path) -> None:
    touch(tmp_path, "a/m.py")
    found = run(["a", "a/m.py", tmp_path / "a" / "m.py", "./a/../a/m.py"], tmp_path)
    assert names(found) == ["a/m.py"]


def test_missing_paths_are_reported_as_given(tmp_path: Path) -> None:
    touch(tmp_path, "m.py")
    found = run(["nope.py", "m.py", "gone/"], tmp_path)
    assert names(found) == ["m.py"]
    assert found.missing == [Path("nope.py"), Path("gone")]


def test_default_excludes_are_not_entered(tmp_path: Path) -> None:
    touch(
        tmp_path,
        "ok.py",
        ".venv/lib/site.py",
        "pkg/__pycache__/m.py",
        "build/lib/m.py",
        "pkg/demo.egg-info/m.py",
        "node_modules/x/m.py",
    )
    assert names(run(["."], tmp_path)) == ["ok.py"]


def test_config_exclude_and_hierarchy(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.detlint]\nextend-exclude = ["fixtures", "src/gen", "*_pb2.py"]\n'
    )
    (tmp_path / "sub").mkdir()
    # The sub-project's own config governs its tree: the parent's patterns do not apply there.
    (tmp_path / "sub" / "detlint.toml").write_text('exclude = ["legacy"]\n')
    touch(
        tmp_path,
        "src/app.py",
        "src/gen/m.py",
        "src/api_pb2.py",
        "fixtures/bad.py",
        "tests/fixtures/bad.py",
        "sub/fixtures/kept.py",
        "sub/legacy/old.py",
        "sub/.venv/kept_since_exclude_replaces_defaults.py",
    )
    assert names(run(["."], tmp_path)) == [
        "src/app.py",
        "sub/.venv/kept_since_exclude_replaces_defaults.py",
        "sub/fixtures/kept.py",
    ]


def test_explicit_paths_are_always_included(tmp_path: Path) -> None:
    (tmp_path / "detlint.toml").write_text('extend-exclude = ["fixtures", "*_pb2.py"]\n')
    touch(tmp_path, "fixtures/a/bad.py", "fixtures/b.py", "api_pb2.py", "tool", ".venv/x.py")
    # Excluded, or not *.py: given explicitly, a file is analysed (as ruff).
    assert names(run(["api_pb2.py", "tool", ".venv/x.py"], tmp_path)) == [
        ".venv/x.py",
        "api_pb2.py",
        "tool",
    ]
    # An excluded folder given explicitly is walked: `detlint check fixtures`.
    assert names(run(["fixtures"], tmp_path)) == ["fixtures/a/bad.py", "fixtures/b.py"]
    assert names(run(["."], tmp_path)) == []


def test_explicit_config_excludes_relative_to_cwd(tmp_path: Path) -> None:
    (tmp_path / "ci").mkdir()
    (tmp_path / "ci" / "detlint.toml").write_text('extend-exclude = ["src/gen"]\n')
    touch(tmp_path, "src/app.py", "src/gen/m.py")
    found = run(["."], tmp_path, config_file=Path("ci/detlint.toml"))
    assert names(found) == ["src/app.py"]


# --------------------------------------------------------------------------- git


def test_gitignore_is_respected(tmp_path: Path, git) -> None:
    git(tmp_path, "init", "-q")
    (tmp_path / ".gitignore").write_text("ignored/\ngen_*.py\n")
    (tmp_path / ".git" / "info" / "exclude").write_text("local.py\n")
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / ".gitignore").write_text("scratch.py\n")
    touch(
        tmp_path,
        "app.py",
        "untracked.py",
        "ignored/m.py",
        "gen_a.py",
        "local.py",
        "pkg/m.py",
        "pkg/scratch.py",
        "pkg/gen_forced.py",
    )
    git(tmp_path, "add", "app.py")
    git(tmp_path, "add", "-f", "pkg/gen_forced.py")  # tracked: no longer ignored
    expected = ["app.py", "pkg/gen_forced.py", "pkg/m.py", "untracked.py"]
    assert names(run(["."], tmp_path)) == expected
    # The same when the walk starts below the top of the work tree.
    assert names(run(["pkg"], tmp_path)) == ["pkg/gen_forced.py", "pkg/m.py"]
    # An explicit file is included even when git ignores it.
    assert names(run(["gen_a.py"], tmp_path)) == ["gen_a.py"]


def test_gitignore_and_exclude_combine(tmp_path: Path, git) -> None:
    git(tmp_path, "init", "-q")
    (tmp_path / ".gitignore").write_text("a.py\n")
    (tmp_path / "detlint.toml").write_text('extend-exclude = ["b.py"]\n')
    touch(tmp_path, "a.py", "b.py", "c.py")
    assert names(run(["."], tmp_path)) == ["c.py"]


def test_nested_repository_uses_its_own_gitignore(tmp_path: Path, git) -> None:
    git(tmp_path, "init", "-q")
    (tmp_path / "inner").mkdir()
    git(tmp_path / "inner", "init", "-q")
    (tmp_path / "inner" / ".gitignore").write_text("skip.py\n")
    touch(tmp_path, "top.py", "inner/keep.py", "inner/skip.py")
    assert names(run(["."], tmp_path)) == ["inner/keep.py", "top.py"]


def test_without_git_nothing_is_gitignored(tmp_path: Path, git, monkeypatch) -> None:
    git(tmp_path, "init", "-q")
    (tmp_path / ".gitignore").write_text("ignored.py\n")
    touch(tmp_path, "ignored.py", "kept.py")
    monkeypatch.setenv("PATH", str(tmp_path / "no-bin"))
    assert names(run(["."], tmp_path)) == ["ignored.py", "kept.py"]


def test_outside_a_work_tree_nothing_is_gitignored(tmp_path: Path, git) -> None:
    (tmp_path / ".gitignore").write_text("ignored.py\n")
    touch(tmp_path, "ignored.py")
    # Only meaningful when tmp_path is not itself inside a git work tree.
    inside = subprocess.run(
        ["git", "-C", str(tmp_path), "rev-parse", "--is-inside-work-tree"], capture_output=True
    )
    if inside.returncode == 0:
        pytest.skip("tmp_path is inside a git work tree")
    assert names(run(["."], tmp_path)) == ["ignored.py"]


def test_repository_config_cannot_make_discovery_run_commands(tmp_path: Path, git) -> None:
    # core.fsmonitor names a program git would run on ls-files: an analysed tree is untrusted.
    marker = tmp_path / "ran"
    hook = tmp_path / "fsmonitor.sh"
    hook.write_text(f"#!/bin/sh\ntouch {marker}\nexit 1\n")
    hook.chmod(0o755)
    git(tmp_path, "init", "-q")
    git(tmp_path, "config", "core.fsmonitor", str(hook))
    touch(tmp_path, "m.py")
    git(tmp_path, "add", "m.py")
    assert marker.exists()  # git itself runs it: the trap is armed
    marker.unlink()
    assert names(run(["."], tmp_path)) == ["m.py"]
    assert not marker.exists()


# --------------------------------------------------------------------------- robustness


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks")
def test_symlink_loops_terminate(tmp_path: Path) -> None:
    touch(tmp_path, "a/m.py", "b/n.py")
    (tmp_path / "a" / "up").symlink_to(tmp_path)
    (tmp_path / "a" / "self").symlink_to(tmp_path / "a")
    (tmp_path / "b" / "to_a").symlink_to(tmp_path / "a")
    (tmp_path / "a" / "dangling.py").symlink_to(tmp_path / "nowhere.py")
    (tmp_path / "link.py").symlink_to(tmp_path / "a" / "m.py")  # a file symlink is a file
    assert names(run(["."], tmp_path)) == ["a/m.py", "b/n.py", "link.py"]


def test_unreadable_directories_are_skipped(tmp_path: Path, monkeypatch) -> None:
    touch(tmp_path, "ok.py", "locked/m.py")
    real_scandir = os.scandir

    def scandir(path):  # chmod does not stop root, who may run these tests
        if Path(path).name == "locked":
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    assert names(run(["."], tmp_path)) == ["ok.py"]


def test_nothing_in_the_tree_is_imported(tmp_path: Path) -> None:
    marker = tmp_path / "imported"
    code = f"open({str(marker)!r}, 'w').close()\n"
    for name in ("__init__.py", "conftest.py", "setup.py", "pkg/__init__.py"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(code)
    assert len(run(["."], tmp_path).files) == 4
    assert not marker.exists()
