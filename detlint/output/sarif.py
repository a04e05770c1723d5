"""SARIF 2.1.0, as GitHub code scanning and other SARIF viewers read it.

One run. The driver lists every rule (id, name, descriptions, help as text and Markdown, a link
to its page, its default level), so a viewer can explain a finding. Results carry the path
relative to the repository root under `%SRCROOT%`, the full region (1-based, end column
exclusive, counted in code points as `columnKind` says), the helper chain as related
locations, a fingerprint that ignores line numbers, so an alert survives edits above it, and
the finding's fix as a SARIF `fix` (its applicability, safe or unsafe, in its properties).
Findings silenced by `# noqa` never reach a formatter (GitHub would show suppressed results
as open alerts).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from pathlib import Path
from typing import Sequence
from urllib.parse import quote

from detlint import __version__, docs_url, rule_url
from detlint.model import Diagnostic, Fix, Location, Range, Severity
from detlint.output.locations import relative_to_root, repository_root
from detlint.rules.base import Rule, all_rules

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
FINGERPRINT = "detlint/v1"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
PROBLEM_SEVERITY = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "recommendation"}
DESCRIPTION_LIMIT = 1024  # GitHub's limit for shortDescription and fullDescription


def format_sarif(diagnostics: Sequence[Diagnostic], *, cwd: Path | None = None, root: Path | None = None) -> str:
    """`cwd` is what the diagnostics' paths are relative to (the working directory); `root`
    the repository root that result paths are made relative to (git's, else cwd)."""
    cwd = Path.cwd() if cwd is None else cwd
    root = repository_root(cwd) if root is None else root
    rules = list(all_rules().values())
    index = {rule.code: i for i, rule in enumerate(rules)}
    fingerprints = _fingerprints(diagnostics, cwd)
    results = [
        _result(d, index[d.code], fingerprint, cwd, root) for d, fingerprint in zip(diagnostics, fingerprints)
    ]
    run = {
        "tool": {
            "driver": {
                "name": "detlint",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": docs_url(),
                "rules": [_descriptor(rule) for rule in rules],
            }
        },
        "originalUriBaseIds": {SRCROOT: {"uri": _folder_uri(root)}},
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    return json.dumps({"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}, indent=2) + "\n"


def _descriptor(rule: type[Rule]) -> dict[str, object]:
    documentation = rule.documentation()
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": _limit(rule.summary)},
        "fullDescription": {"text": _limit(_section(documentation, "What it does") or rule.summary)},
        "help": {"text": documentation, "markdown": documentation},
        "helpUri": rule_url(rule.code),
        "defaultConfiguration": {"level": LEVELS[rule.severity], "enabled": rule.default_enabled},
        "properties": {
            "tags": ["temporal", "determinism", f"{rule.role.value}-code"],
            "precision": "high",
            "problem.severity": PROBLEM_SEVERITY[rule.severity],
        },
    }


def _result(diagnostic: Diagnostic, rule_index: int, fingerprint: str, cwd: Path, root: Path) -> dict[str, object]:
    result: dict[str, object] = {
        "ruleId": diagnostic.code,
        "ruleIndex": rule_index,
        "level": LEVELS[diagnostic.severity],
        "message": {"text": diagnostic.message},
        "locations": [{"physicalLocation": _physical(diagnostic.path, diagnostic.range, cwd, root)}],
        "partialFingerprints": {FINGERPRINT: fingerprint},
    }
    if diagnostic.related:
        result["relatedLocations"] = [_related(i, hop, cwd, root) for i, hop in enumerate(diagnostic.related, 1)]
    if diagnostic.fix is not None:
        result["fixes"] = [_fix(diagnostic.fix, diagnostic.path, cwd, root)]
    return result


def _fix(fix: Fix, path: Path, cwd: Path, root: Path) -> dict[str, object]:
    artifact = _physical(path, fix.edits[0].range, cwd, root)["artifactLocation"]
    return {
        "description": {"text": fix.message},
        "artifactChanges": [
            {
                "artifactLocation": artifact,
                "replacements": [
                    {"deletedRegion": _region(edit.range), "insertedContent": {"text": edit.content}}
                    for edit in fix.edits
                ],
            }
        ],
        "properties": {"applicability": fix.applicability.value},
    }


def _related(number: int, location: Location, cwd: Path, root: Path) -> dict[str, object]:
    related: dict[str, object] = {"id": number, "physicalLocation": _physical(location.path, location.range, cwd, root)}
    if location.message:
        related["message"] = {"text": location.message}
    return related


def _physical(path: Path, region: Range, cwd: Path, root: Path) -> dict[str, object]:
    relative = relative_to_root(path, cwd=cwd, root=root)
    if relative is not None:
        artifact = {"uri": _quote(relative.as_posix()), "uriBaseId": SRCROOT}
    else:
        artifact = {"uri": (Path(cwd) / path).resolve().as_uri()}
    return {"artifactLocation": artifact, "region": _region(region)}


def _region(region: Range) -> dict[str, int]:
    return {
        "startLine": region.start.line,
        "startColumn": region.start.column,
        "endLine": region.end.line,
        "endColumn": region.end.column,
    }


def _fingerprints(diagnostics: Sequence[Diagnostic], cwd: Path) -> list[str]:
    """A hash of what the finding is and the text of its line, not where the line is, with a
    counter for equal ones in the same file: inserting lines above a finding keeps it."""
    texts: dict[Path, list[str] | None] = {}
    seen: Counter[str] = Counter()
    found = []
    for d in diagnostics:
        if d.path not in texts:
            texts[d.path] = _lines(Path(cwd) / d.path)
        lines = texts[d.path]
        number = d.range.start.line
        text = lines[number - 1] if lines is not None and 0 < number <= len(lines) else ""
        parts = [d.code, Path(d.path).as_posix(), " ".join(text.split()), d.message]
        digest = hashlib.sha256("\0".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:32]
        seen[digest] += 1
        found.append(f"{digest}:{seen[digest]}")
    return found


def _lines(path: Path) -> list[str] | None:
    try:
        return path.read_bytes().decode("utf-8", errors="replace").splitlines()
    except OSError:
        return None


def _section(markdown: str, title: str) -> str:
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", markdown, re.MULTILINE | re.DOTALL)
    return " ".join(match.group(1).split()) if match else ""


def _limit(text: str) -> str:
    return text if len(text) <= DESCRIPTION_LIMIT else text[: DESCRIPTION_LIMIT - 1].rstrip() + "…"


def _folder_uri(root: Path) -> str:
    uri = Path(root).resolve().as_uri()
    return uri if uri.endswith("/") else uri + "/"


def _quote(relative: str) -> str:
    return quote(relative, safe="/")
