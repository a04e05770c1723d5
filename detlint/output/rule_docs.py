"""Rule documentation as Markdown: `detlint rule CODE` and the pages under docs/rules/.

Regenerate the pages with `python -m detlint.output.rule_docs docs/rules`: it writes one page
per rule, the index grouped by family (docs/rules/README.md, the site's rules/ page), and the
rules' part of the site's navigation in mkdocs.yml (next to the docs folder). A test keeps all
three up to date.
"""

from __future__ import annotations

import sys
from pathlib import Path

from detlint.rules.base import Rule, all_rules

# The rule families, as rules.md groups them: code prefix, title, what they have in common.
FAMILIES: tuple[tuple[str, str, str], ...] = (
    ("DET0", "Analysis", "Files detlint cannot analyse."),
    (
        "DET1",
        "Non-deterministic operations in workflow code",
        "Calls whose result differs when Temporal replays the workflow: the clock, randomness, "
        "I/O, threads, host state, unordered iteration. The sandbox catches some of them at run "
        "time, on the paths that run; detlint catches them on every path, through your helpers.",
    ),
    (
        "DET2",
        "Invoking activities, timers and children",
        "How workflow code calls activities, child workflows and timers: options the SDK "
        "rejects, timeouts and retries that never end, calls never awaited.",
    ),
    (
        "DET3",
        "Idempotency of activities",
        "Activity code only. Temporal retries a failed activity, so an attempt that wrote "
        "something and then failed writes it again: these rules flag writes a retry repeats.",
    ),
    (
        "DET4",
        "Workflow structure and patterns",
        "Handlers, cancellation, continue-as-new, sagas and the shape of a workflow class.",
    ),
    (
        "DET5",
        "Versioning",
        "Changes that break running workflows, found by comparing the code with a baseline: "
        "the lock file (`detlint lock`) or a git revision (`--base REV`). See the "
        "[versioning guide](../versioning.md).",
    ),
)

# The section every rule page carries on top of ruff's: what the sandbox does at run time, what
# the server compares on replay, and what the user would otherwise see (tests check it).
TEMPORAL_SECTION = "## What Temporal does"
TEMPORAL_LABELS = ("**Sandbox:**", "**On replay:**", "**What you would see:**")

NAV_BEGIN = "# begin generated: python -m detlint.output.rule_docs docs/rules"
NAV_END = "# end generated"


def family_of(code: str) -> tuple[str, str, str]:
    for family in FAMILIES:
        if code.startswith(family[0]):
            return family
    raise LookupError(f"{code} belongs to no family in detlint.output.rule_docs.FAMILIES")


def render(rule: type[Rule]) -> str:
    default = "" if rule.default_enabled else " Off by default: enable it with `--extend-select " + rule.code + "`."
    return (
        f"# {rule.name} ({rule.code})\n\n"
        f"Severity: {rule.severity.value}. Applies to {rule.role.value} code.{default}\n\n"
        f"{rule.documentation()}\n"
    )


def _by_family() -> list[tuple[tuple[str, str, str], list[type[Rule]]]]:
    rules = list(all_rules().values())
    for rule in rules:
        family_of(rule.code)  # every rule has a family
    groups = [(family, [r for r in rules if r.code.startswith(family[0])]) for family in FAMILIES]
    return [(family, members) for family, members in groups if members]


def render_index() -> str:
    parts = [
        "# Rules\n\n"
        "Every rule detlint ships, by family. Each page says what the rule flags, why it breaks "
        "a workflow, what Temporal does at run time and on replay, a bad and a fixed example "
        "(both tested), and whether `--fix` can rewrite it. `detlint rule CODE` prints the "
        "same page; `detlint rules` lists them.\n\n"
        "Rules that are off by default run only when selected by their exact code or `ALL` "
        "(`--extend-select DET206`).\n"
    ]
    for (prefix, title, blurb), members in _by_family():
        rows = [
            f"| [{rule.code}]({rule.code}.md) | {rule.name} | {rule.severity.value}"
            f"{'' if rule.default_enabled else ' (off by default)'} | {rule.summary} |"
            for rule in members
        ]
        parts.append(
            f"## {prefix}: {title}\n\n{blurb}\n\n"
            "| code | name | severity | what it flags |\n|---|---|---|---|\n" + "\n".join(rows) + "\n"
        )
    return "\n".join(parts)


def render_nav() -> str:
    """The rules' entries of mkdocs.yml's nav, indented to sit under `- Rules:`."""
    lines = ["    - rules/README.md"]
    for (prefix, title, _), members in _by_family():
        lines.append(f'    - "{prefix}: {title}":')
        lines += [f'      - "{rule.code} {rule.name}": rules/{rule.code}.md' for rule in members]
    return "\n".join(lines)


def update_nav(text: str) -> str:
    """mkdocs.yml's text with the part between the markers replaced by the current nav."""
    start = text.index(NAV_BEGIN) + len(NAV_BEGIN)
    end = text.index(NAV_END, start)
    line_start = text.rindex("\n", 0, end) + 1
    return text[:start] + "\n" + render_nav() + "\n" + text[line_start:]


def pages() -> dict[str, str]:
    """File name -> content, for every page under docs/rules/."""
    found = {f"{code}.md": render(rule) for code, rule in all_rules().items()}
    found["README.md"] = render_index()
    return found


def main(folder: str) -> None:
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    for name, content in pages().items():
        (target / name).write_text(content, encoding="utf-8")
    mkdocs = target.resolve().parent.parent / "mkdocs.yml"
    if mkdocs.is_file():
        mkdocs.write_text(update_nav(mkdocs.read_text(encoding="utf-8")), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "docs/rules")
