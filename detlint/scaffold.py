"""`detlint new`: write a reference pattern template into a project.

The templates are the subpackages of `detlint.templates`, read as package data (never imported
or run here): each is copied whole, as a package named after the template (`fan-out` ->
`fan_out/`), so its relative imports, worker entry point (`python -m fan_out.worker`) and
test (`pytest fan_out`) work in the destination folder as they do in detlint.
"""

from __future__ import annotations

import argparse
import ast
import sys
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

__all__ = ["Template", "TemplateError", "files_of", "find", "new_command", "templates", "write"]

PACKAGE = "detlint.templates"

EXIT_CLEAN, EXIT_ERROR = 0, 2


class TemplateError(Exception):
    """An unknown template, or files that would be overwritten."""


@dataclass(frozen=True)
class Template:
    name: str  # as on the command line: `fan-out`
    package: str  # the folder it is written to: `fan_out`
    summary: str  # the first line of the package's docstring


def _root() -> Traversable:
    return resources.files(PACKAGE)


def templates() -> list[Template]:
    """Every template, by name."""
    found = []
    for entry in _root().iterdir():
        init = entry / "__init__.py"
        if not entry.is_dir() or not init.is_file():
            continue
        docstring = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) or ""
        summary = docstring.strip().splitlines()[0] if docstring.strip() else ""
        found.append(Template(entry.name.replace("_", "-"), entry.name, summary))
    return sorted(found, key=lambda template: template.name)


def find(name: str) -> Template:
    wanted = name.strip().lower().replace("_", "-")
    for template in templates():
        if template.name == wanted:
            return template
    known = ", ".join(template.name for template in templates())
    raise TemplateError(f"no template named {name!r}; the templates are: {known}")


def files_of(template: Template) -> dict[str, str]:
    """The template's files: path relative to the destination (`saga/workflows.py`) -> text."""
    files: dict[str, str] = {}

    def walk(folder: Traversable, prefix: str) -> None:
        for entry in folder.iterdir():
            if entry.is_dir():
                if entry.name != "__pycache__":
                    walk(entry, f"{prefix}{entry.name}/")
            elif entry.name.endswith(".py"):
                files[f"{prefix}{entry.name}"] = entry.read_text(encoding="utf-8")

    walk(_root() / template.package, f"{template.package}/")
    return dict(sorted(files.items()))


def write(template: Template, dest: Path, *, force: bool = False) -> list[Path]:
    """Writes the template's files under `dest`; returns their paths. Without `force`, writes
    nothing at all if any of them exists."""
    files = {dest / relative: text for relative, text in files_of(template).items()}
    existing = [path for path in files if path.exists()]
    if existing and not force:
        listed = ", ".join(str(path) for path in existing)
        raise TemplateError(f"would overwrite {listed}; use --force to overwrite")
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return list(files)


def new_command(args: argparse.Namespace) -> int:
    """`detlint new TEMPLATE [DEST] [--force]` and `detlint new --list`."""
    if args.list or args.template is None:
        for template in templates():
            print(f"{template.name:<22}{template.summary}")
        if args.template is None and not args.list:
            print("\nusage: detlint new TEMPLATE [DEST]", file=sys.stderr)
            return EXIT_ERROR
        return EXIT_CLEAN
    try:
        template = find(args.template)
        written = write(template, args.dest, force=args.force)
    except (TemplateError, OSError) as error:
        print(f"detlint: error: {error}", file=sys.stderr)
        return EXIT_ERROR
    for path in written:
        print(f"wrote {path}")
    package = template.package
    print(
        f"\nnext, in {args.dest}: `pytest {package}` runs its test on a Temporal dev server;"
        f" `python -m {package}.worker` runs a worker (pip install temporalio pytest)"
    )
    return EXIT_CLEAN
