"""What the extractor records for fixes: a module's top-level imports, the names its scopes
bind, and how often each imported name is used. Fixes use it to write a module's name as the
file imports it, to add an import, and to remove one that a fix leaves unused."""

from __future__ import annotations

from collections import Counter
from typing import Callable, Iterable

from detlint.analysis.facts import ImportStatement
from detlint.analysis.nodes import child_nodes
from detlint.analysis.scopes import dotted
from detlint.lazy import cst
from detlint.model import Position, Range


def import_statements(
    module: cst.Module,
    position: Callable[[cst.CSTNode], Range],
    import_base: Callable[[cst.ImportFrom], str | None],
    code: Callable[[cst.SimpleStatementLine], str],
) -> tuple[ImportStatement, ...]:
    """Every top-level line made of import statements, with the names it binds. `code(line)`:
    a top-level line's text, without its leading blank lines and comments."""
    found = []
    body = module.body
    for index, line in enumerate(body):
        if not isinstance(line, cst.SimpleStatementLine):
            continue
        imports = [s for s in line.body if isinstance(s, (cst.Import, cst.ImportFrom))]
        if not imports:
            continue
        names: list[str] = []
        imported: list[str] = []
        source_module = None
        for statement in imports:
            if isinstance(statement, cst.Import):
                for alias in statement.names:
                    full = dotted(alias.name)
                    if full is None:
                        continue
                    names.append(alias.asname.name.value if alias.asname is not None else full.split(".")[0])
                    imported.append(full)
            elif not isinstance(statement.names, cst.ImportStar):
                base = import_base(statement)
                if not statement.relative and statement.module is not None:
                    source_module = dotted(statement.module)
                for alias in statement.names:
                    if isinstance(alias.name, cst.Name):
                        target = alias.asname.name if alias.asname is not None else alias.name
                        names.append(target.value)  # type: ignore[union-attr]
                        imported.append(f"{base}.{alias.name.value}" if base else alias.name.value)
        span = position(line)
        found.append(
            ImportStatement(
                range=Range(Position(span.start.line, 1), Position(span.end.line + 1, 1)),
                source=code(line),
                module=source_module if len(imports) == 1 else None,
                names=tuple(names),
                imported=tuple(imported),
                alone=_alone(module, index),
            )
        )
    return tuple(found)


def _alone(module: cst.Module, index: int) -> bool:
    body = module.body
    line = body[index]
    if index == 0:
        before = not module.header or _blank(module.header[-1])
    else:
        before = bool(line.leading_lines) and _blank(line.leading_lines[-1])
    following = body[index + 1] if index + 1 < len(body) else None
    after = following is not None and bool(following.leading_lines) and _blank(following.leading_lines[0])
    return before and after


def _blank(line: cst.EmptyLine) -> bool:
    return line.comment is None


def exported_names(module: cst.Module) -> Iterable[str]:
    """The strings of a top-level `__all__ = [...]` (or `+=`): names used from outside."""
    for line in module.body:
        if not isinstance(line, cst.SimpleStatementLine):
            continue
        for statement in line.body:
            if isinstance(statement, cst.Assign):
                targets = [t.target for t in statement.targets]
            elif isinstance(statement, (cst.AugAssign, cst.AnnAssign)):
                targets = [statement.target]
            else:
                continue
            if any(isinstance(t, cst.Name) and t.value == "__all__" for t in targets):
                value = statement.value
                if isinstance(value, (cst.List, cst.Tuple)):
                    for element in value.elements:
                        if isinstance(element.value, cst.SimpleString):
                            text = element.value.evaluated_value
                            if isinstance(text, str):
                                yield text


def count_names(node: cst.CSTNode, counter: Counter[str]) -> None:
    """Count the names read in a subtree the extractor does not visit (`if TYPE_CHECKING:`,
    `if __name__ == "__main__":`), as the extractor counts them elsewhere."""
    stack: list[cst.CSTNode] = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, cst.Name):
            counter[current.value] += 1
        elif isinstance(current, cst.Attribute):
            stack.append(current.value)
        elif isinstance(current, cst.Arg):
            stack.append(current.value)
        elif not isinstance(current, (cst.Import, cst.ImportFrom)):
            stack.extend(child_nodes(current))


def callee_head(node: cst.BaseExpression) -> str | None:
    """The name a callee starts with: `time` in `time.time`, `logging` in
    `logging.getLogger("x").info`, `now` in `now`."""
    while True:
        if isinstance(node, cst.Name):
            return node.value
        if isinstance(node, cst.Attribute):
            node = node.value
        elif isinstance(node, cst.Call):
            node = node.func
        else:
            return None
