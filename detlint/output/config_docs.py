"""The configuration reference in docs/configuration.md, generated from the schema
(detlint.config.CONFIG_KEYS): every key, its type, its default and what it does.

Regenerate it with `python -m detlint.output.config_docs docs/configuration.md`; a test keeps it
up to date. Only the text between the two markers is replaced.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from detlint.config import CONFIG_KEYS, ConfigKey

BEGIN = "<!-- begin generated: python -m detlint.output.config_docs docs/configuration.md -->"
END = "<!-- end generated -->"


def default_text(key: ConfigKey) -> str:
    if key.default_doc is not None:
        return key.default_doc
    value = key.default
    if value is None:
        return "none"
    if isinstance(value, tuple) and not value:
        return "`{}`" if key.type.startswith("table") else "`[]`"
    if isinstance(value, tuple):
        return ", ".join(f"`{item}`" for item in value)
    if isinstance(value, str):
        return f"`{json.dumps(value)}`"
    return f"`{value}`"


def render() -> str:
    """The generated part: a table of the keys, then one section per key."""
    rows = [f"| [`{key.name}`](#{key.name}) | {key.type} |" for key in CONFIG_KEYS]
    sections = [
        f"### `{key.name}`\n\n{key.description}\n\n"
        f"**Type:** {key.type}<br>\n**Default:** {default_text(key)}\n"
        for key in CONFIG_KEYS
    ]
    table = "| key | type |\n|---|---|\n" + "\n".join(rows) + "\n"
    return f"{BEGIN}\n{table}\n" + "\n".join(sections) + f"{END}"


def update(text: str) -> str:
    """`text` with the part between the markers replaced by the current reference."""
    start, end = text.index(BEGIN), text.index(END) + len(END)
    return text[:start] + render() + text[end:]


def main(path: str) -> None:
    target = Path(path)
    target.write_text(update(target.read_text(encoding="utf-8")), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "docs/configuration.md")
