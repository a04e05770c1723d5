"""Facts of files already parsed, kept between checks so unchanged files are not parsed again.

In memory for the language server and the flake8 plugin (one version per file), and on disk
for the command line, in `.detlint_cache/` (with its own `.gitignore`, as ruff does). A disk
entry is keyed by the file's path, text, module name and settings, and by a fingerprint of
detlint's own code and the Python running it, so it is never stale; it is written atomically,
so concurrent runs are safe. Beside facts, it keeps whether Python parses the text of scripts
that are not analysed (for their DET001). Entries are signed with a secret kept outside the
project (in the user's cache folder): a cache folder that comes with a repository is never
trusted.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import pickle
from pathlib import Path

from detlint.analysis.facts import ModuleFacts
from detlint.analysis.syntax import python_accepts
from detlint.config import Settings
from detlint.identity import code_fingerprint, user_cache_folder, write_state

CacheKey = tuple[str, Settings, bytes]  # module name, settings, source
_VERDICTS = "python-accepts.json"  # beside the facts' two-character folders
VERDICTS_KEPT = 2000


class FactsCache:
    def __init__(self, folder: Path | None = None) -> None:
        self._entries: dict[Path, tuple[CacheKey, ModuleFacts]] = {}
        self._verdicts: dict[str, bool] | None = None  # sha256 of a script's text -> Python parses it
        self._asked: dict[str, bool] = {}
        self._learnt = False
        self._disk = _DiskCache.open(folder) if folder is not None else None

    @property
    def empty(self) -> bool:
        """Whether it holds no facts at all: every file a run analyses will be parsed."""
        return not self._entries and (self._disk is None or self._disk.empty)

    def get(self, path: Path, key: CacheKey) -> ModuleFacts | None:
        entry = self._entries.get(path)
        facts = entry[1] if entry is not None and entry[0] == key else None
        if facts is None and self._disk is not None:
            facts = self._disk.get(path, key)
        return facts

    def put(self, path: Path, key: CacheKey, facts: ModuleFacts, pickled: bytes | None = None) -> None:
        """`pickled`: the facts already pickled (by the process that parsed them), if they are."""
        self._entries[path] = (key, facts)
        if self._disk is not None:
            self._disk.put(path, key, pickled or pickle.dumps(facts, protocol=pickle.HIGHEST_PROTOCOL))

    def python_accepts(self, source: bytes) -> bool:
        """Whether Python parses `source` (analysis/syntax.py), remembered like facts: a
        script that is not analysed is still measured once per text, for its DET001."""
        if self._verdicts is None:
            self._verdicts = self._disk.verdicts() if self._disk is not None else {}
        digest = hashlib.sha256(source).hexdigest()
        accepted = self._verdicts.get(digest)
        if accepted is None:
            accepted = self._verdicts[digest] = python_accepts(source)
            self._learnt = True
        self._asked[digest] = accepted
        return accepted

    def save(self) -> None:
        """Keep the verdicts on disk, if this run learnt any: in one file, read in one go. It
        holds those this run asked for, and the newest `VERDICTS_KEPT` of the others (a
        branch switched back and forth)."""
        if self._learnt and self._disk is not None and self._verdicts is not None:
            others = [(k, v) for k, v in self._verdicts.items() if k not in self._asked]
            self._disk.put_verdicts(dict([*others[-VERDICTS_KEPT:], *self._asked.items()]))
        self._learnt = False
        self._asked = {}


class _DiskCache:
    def __init__(self, folder: Path, secret: bytes) -> None:
        self.folder = folder
        self.secret = secret
        with os.scandir(folder) as entries:
            self.empty = next(entries, None) is None  # as found: this run's writes don't count

    @classmethod
    def open(cls, folder: Path) -> _DiskCache | None:
        """None when the cache cannot be used here (a read-only tree, no home folder)."""
        try:
            secret = _secret()
            entries = folder / code_fingerprint()
            entries.mkdir(parents=True, exist_ok=True)
            ignore = folder / ".gitignore"
            if not ignore.exists():
                ignore.write_text("# Automatically created by detlint.\n*\n")
                (folder / "CACHEDIR.TAG").write_text("Signature: 8a477f597d28d172789f06886806bc55\n")
        except OSError:
            return None
        return cls(entries, secret)

    def _file(self, path: Path, key: CacheKey) -> Path:
        module, settings, source = key
        digest = hashlib.sha256(repr((str(path), module, settings)).encode() + b"\0" + source).hexdigest()
        return self.folder / digest[:2] / digest

    def get(self, path: Path, key: CacheKey) -> ModuleFacts | None:
        payload = self._read(self._file(path, key))
        if payload is None:
            return None
        try:
            facts = pickle.loads(payload)
        except Exception:
            return None
        return facts if isinstance(facts, ModuleFacts) else None

    def put(self, path: Path, key: CacheKey, pickled: bytes) -> None:
        self._write(self._file(path, key), pickled)

    def verdicts(self) -> dict[str, bool]:
        payload = self._read(self.folder / _VERDICTS)
        try:
            loaded = json.loads(payload) if payload is not None else {}
        except ValueError:
            return {}
        return {k: v for k, v in loaded.items() if isinstance(v, bool)} if isinstance(loaded, dict) else {}

    def put_verdicts(self, verdicts: dict[str, bool]) -> None:
        self._write(self.folder / _VERDICTS, json.dumps(verdicts).encode())

    def _read(self, target: Path) -> bytes | None:
        """The entry's payload, if it is there and signed with this user's secret."""
        try:
            data = target.read_bytes()
        except OSError:
            return None
        signature, payload = data[:32], data[32:]
        if not hmac.compare_digest(signature, hmac.new(self.secret, payload, "sha256").digest()):
            return None
        return payload

    def _write(self, target: Path, payload: bytes) -> None:
        try:
            write_state(target, hmac.new(self.secret, payload, "sha256").digest() + payload)
        except OSError:
            pass  # a cache that cannot be written only costs time


def _secret() -> bytes:
    home = user_cache_folder()
    key_file = home / "cache-key"
    try:
        return key_file.read_bytes()
    except FileNotFoundError:
        home.mkdir(parents=True, exist_ok=True)
        secret = os.urandom(32)
        descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(secret)
        return secret
