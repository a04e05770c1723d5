"""A check whose inputs are all as they were at an identical earlier check prints that check's
output again, without loading the engine.

A warm run's cost is starting detlint, reading every file and joining the facts again; when
nothing changed there is nothing to join. So a check (the same command line, in the same
folder, by the same detlint and Python, with the same DETLINT_* variables) leaves a record: its
output, its exit code, and the state of everything its result came from:

* every file it opened for reading and every folder it listed, seen through Python's audit
  hooks (PEP 578), so that no code path can forget to say what it read;
* what it asked about paths without reading them (is there a config file in this parent
  folder, an `__init__.py`, a lock file?), asked through `kind_of` and its two shorthands,
  since audit hooks do not see `stat`; tests/test_last_run.py holds every such question in
  detlint's code to them;
* the output of each command it ran (git: what .gitignore lets through), which is asked again.
  A command detlint started without declaring it here leaves no record at all.

A file's state is its modification and change times, size and inode, taken before it is read;
everything is checked again before the record is written, so a file edited during the run
leaves no record. Records are JSON in the user's cache folder (never in the project), one per
command line and folder; the newest 200 are kept. `--no-cache` neither reads nor writes them.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from detlint.identity import code_fingerprint, user_cache_folder, write_state

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
RECORD_FORMAT = 1
KEPT_RECORDS = 200
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_TRUNC

Stamp = list[int] | None  # JSON keeps lists


class Outcome:
    """What a check printed, in order, on stdout and stderr, and its exit code (as ruff: 0 no
    findings or --exit-zero, 1 findings, 2 usage, configuration or internal error)."""

    def __init__(self, code: int = EXIT_CLEAN, printed: list[tuple[bool, str]] | None = None) -> None:
        self.code = code
        self.printed = printed if printed is not None else []  # (on stderr?, text)

    def out(self, text: str) -> None:
        self.printed.append((False, text))

    def err(self, text: str) -> None:
        self.printed.append((True, text))

    def error(self, message: str) -> None:
        self.err(f"detlint: error: {message}\n")

    def print(self) -> int:
        for on_stderr, text in self.printed:
            stream = sys.stderr if on_stderr else sys.stdout
            stream.write(text)
            stream.flush()  # stdout and stderr may be the same terminal: keep their order
        return self.code


def _stamp(path: str) -> Stamp:
    try:
        status = os.stat(path)
    except OSError:
        return None  # absent (or unreadable) now: it must still be so to replay
    return [status.st_mtime_ns, status.st_ctime_ns, status.st_size, status.st_ino]


def _kind(path: str) -> int | None:
    """What is at `path`, following links; a link to nothing is a link (S_IFLNK); None: nothing."""
    try:
        return stat.S_IFMT(os.stat(path).st_mode)
    except OSError:
        pass
    try:
        return stat.S_IFMT(os.lstat(path).st_mode)
    except OSError:
        return None


def _key(argv: Sequence[str], cwd: str) -> str:
    environment = sorted((name, value) for name, value in os.environ.items() if name.startswith("DETLINT_"))
    identity = [RECORD_FORMAT, code_fingerprint(), sys.executable, sys.version, cwd, list(argv), environment]
    return hashlib.sha256(json.dumps(identity).encode()).hexdigest()


def _record_file(key: str) -> Path | None:
    """None when the user has no cache folder: then no run is recorded or replayed."""
    try:
        return user_cache_folder() / "runs" / key
    except OSError:
        return None


def _command_digest(returncode: int, output: bytes) -> str:
    return hashlib.sha256(str(returncode).encode() + b"\0" + output).hexdigest()


def replay(argv: Sequence[str]) -> int | None:
    """Print the output of the recorded identical check and return its exit code, or None
    when there is no such record or anything it came from is not as it was."""
    cwd = os.getcwd()
    record_file = _record_file(_key(argv, cwd))
    if record_file is None:
        return None
    try:
        record = json.loads(record_file.read_bytes())
        outcome = Outcome(int(record["code"]), [(bool(on_stderr), str(text)) for on_stderr, text in record["printed"]])
        if not _unchanged(record["files"], record["kinds"]) or not _same_commands(record["commands"]):
            return None
    except (OSError, ValueError, KeyError, TypeError):  # not a record detlint wrote
        return None
    try:
        os.utime(record_file)  # the newest records are the ones kept
    except OSError:
        pass
    return outcome.print()


def _unchanged(stamps: Iterable[tuple[str, Stamp]], kinds: Iterable[tuple[str, int | None]]) -> bool:
    return all(_stamp(path) == stamp for path, stamp in stamps) and all(_kind(path) == kind for path, kind in kinds)


def _same_commands(commands: list[list[Any]]) -> bool:
    return all(_command_digest(*_run(command, folder)) == digest for command, folder, digest in commands)


def _run(command: Sequence[str], cwd: str) -> tuple[int, bytes]:
    """Exit code and stdout; -1 when the command cannot be started (git not installed)."""
    import subprocess  # only here: most replays run no command, and the import costs more than they do

    try:
        result = subprocess.run(command, cwd=cwd, capture_output=True, check=False)
    except OSError:
        return -1, b""
    return result.returncode, result.stdout


def run_command(command: Sequence[str], cwd: Path) -> tuple[int, bytes]:
    """Run a command whose answer is an input of the check (git's list of files), in `cwd`:
    its exit code (-1 when it cannot be started) and stdout. A recording keeps the answer, and
    a replay asks again."""
    folder = os.path.abspath(cwd)
    returncode, output = _run(command, folder)
    if _active is not None:
        _active.commands.append([list(command), folder, _command_digest(returncode, output)])
    return returncode, output


class Recording:
    """What one check read, from the moment it starts."""

    def __init__(self, argv: Sequence[str]) -> None:
        cwd = os.getcwd()
        self.key = _key(argv, cwd)
        self.target = _record_file(self.key)
        self.stamps: dict[str, Stamp] = {}  # files read and folders listed
        self.kinds: dict[str, int | None] = {}  # paths only asked about: is it a file, a folder, absent?
        self.commands: list[list[Any]] = []
        self.started_commands = 0
        # detlint's own state (the records, the cache's key), and then the facts cache, whose
        # entries are keyed by the text of their files, themselves recorded.
        self.ignored: tuple[str, ...] = (str(self.target.parent.parent) + os.sep,) if self.target else ()

    def ignore(self, folder: Path) -> None:
        self.ignored += (os.path.abspath(folder) + os.sep,)

    def _see(self, path: str) -> None:
        path = os.path.abspath(path)
        if path in self.stamps or path.startswith(self.ignored):
            return
        self.stamps[path] = _stamp(path)

    def _opened(self, args: tuple[Any, ...]) -> None:
        path, mode, flags = args
        writes = any(c in mode for c in "wax+") if isinstance(mode, str) else bool((flags or 0) & _WRITE_FLAGS)
        if not writes and isinstance(path, (str, bytes)):
            self._see(os.fsdecode(path))

    def _listed(self, args: tuple[Any, ...]) -> None:
        (path,) = args
        if path is None or isinstance(path, (str, bytes, os.PathLike)):
            self._see(os.fsdecode(path if path is not None else "."))

    def _started(self, args: tuple[Any, ...]) -> None:
        self.started_commands += 1

    def __enter__(self) -> Recording:
        """Record from now on what this process reads. An audit hook cannot be removed, so one
        is installed once and does nothing between recordings."""
        global _active, _hook_installed
        if not _hook_installed:
            sys.addaudithook(_audit)
            _hook_installed = True
        _active = self
        return self

    def __exit__(self, *exc_info: object) -> None:
        global _active
        _active = None

    def save(self, outcome: Outcome) -> None:
        """Keep the record, unless the run started a command it did not declare or something
        it read has changed since."""
        if self.target is None or self.started_commands != len(self.commands):
            return
        if not _unchanged(self.stamps.items(), self.kinds.items()):
            return
        record = {
            "files": sorted(self.stamps.items()),
            "kinds": sorted(self.kinds.items()),
            "commands": self.commands,
            "code": outcome.code,
            "printed": outcome.printed,
        }
        try:
            write_state(self.target, json.dumps(record).encode())
            _prune(self.target.parent)
        except OSError:
            pass  # a record that cannot be written only costs time


def _prune(folder: Path) -> None:
    records = list(os.scandir(folder))
    if len(records) <= KEPT_RECORDS:
        return
    records.sort(key=lambda entry: entry.stat().st_mtime_ns)
    for entry in records[: len(records) - KEPT_RECORDS]:
        try:
            os.unlink(entry.path)
        except OSError:
            pass


_active: Recording | None = None
_hook_installed = False


# The events a recording reads. Python calls the hook for every audited event, each `id()`
# among them (hundreds of thousands while a file is parsed): the others are dropped at once.
_RECORDED: dict[str, Callable[[Recording, tuple[Any, ...]], None]] = {
    "open": Recording._opened,
    "os.listdir": Recording._listed,
    "os.scandir": Recording._listed,
    "subprocess.Popen": Recording._started,
}


def _audit(event: str, args: tuple[Any, ...]) -> None:
    handler = _RECORDED.get(event)
    if handler is not None and _active is not None:
        handler(_active, args)


def kind_of(path: Path | str) -> int | None:
    """What `path` is (`stat.S_IFMT`: a file, a folder, a broken link...) or None when absent:
    the one way detlint asks whether a path exists without reading it (a config file in a
    parent folder, an `__init__.py`, a lock file). A recording keeps the answer, which a replay
    requires again: audit hooks see files opened and folders listed, not these questions."""
    path = os.path.abspath(path)
    kind = _kind(path)
    if _active is not None and not path.startswith(_active.ignored):
        _active.kinds[path] = kind
    return kind


def is_file(path: Path | str) -> bool:
    return kind_of(path) == stat.S_IFREG


def is_dir(path: Path | str) -> bool:
    return kind_of(path) == stat.S_IFDIR
