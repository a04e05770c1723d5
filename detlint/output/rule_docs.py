"""Rule documentation as Markdown: `detlint rule CODE` and the pages under docs/rules/.

Regenerate the pages with `python -m detlint.output.rule_docs docs/rules`; a test keeps them
up to date.
"""

from __future__ import annotations

import sys
from pathlib import Path

from detlint.rules.base import Rule, all_rules


def render(rule: type[Rule]) -> str:
    default = "" if rule.default_enabled else " Off by default: enable it with `--extend-select " + rule.code + "`."
    return (
        f"# {rule.name} ({rule.code})\n\n"
        f"Severity: {rule.severity.value}. Applies to {rule.role.value} code.{default}\n\n"
        f"{rule.documentation()}\n"
    )


def render_index() -> str:
    rows = [
        f"| [{rule.code}]({rule.code}.md) | {rule.name} | {rule.severity.value} | {rule.summary} |"
        for rule in all_rules().values()
    ]
    header = "# Rules\n\n| code | name | severity | what it flags |\n|---|---|---|---|\n"
    return header + "\n".join(rows) + "\n"


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


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "docs/rules")
