"""Fixes: what rules propose (`FixPlan`), and how a plan becomes a finding's `Fix`.

A rule builds a plan where it reports, from what it knows there: the edits at the finding
(`replace_callee`, `replace_call`), written with `WORKFLOW` where the code must name
`temporalio.workflow`, and the imported names whose uses the edits delete. The engine
`complete`s the plan with the file's `FixContext` for a finding reported in its own file:

* `WORKFLOW` becomes the name the file knows the module by: `workflow`, an alias (`wf` after
  `from temporalio import workflow as wf`), or `temporalio.workflow` after
  `import temporalio.workflow`. When the file has none, the fix adds the import in the file's
  style: the name joins an existing `from temporalio import ...`, or a new
  `from temporalio import workflow` line goes before the file's other temporalio imports (or
  after its last import). No fix when the name `workflow` is taken in the file.
* An import whose last use the edits delete is removed (the name alone from a line that
  imports others).
* Code at a module's top level runs at import time, outside any workflow, where the workflow
  APIs raise: plans that name `WORKFLOW` are not offered there. Plans whose replacement changes
  workflow state (`workflow.random()`, a timer) are not offered in query handlers and update
  validators, which must only read it.

`detlint.fixes.apply` applies fixes to text, over several passes for edits that conflict.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Iterable

from detlint.analysis.facts import FixContext, FixPlan, FunctionFacts, ImportStatement, Reference, module_placeholder
from detlint.frameworks import temporal
from detlint.model import Applicability, Edit, Fix, Position, Range

WORKFLOW = module_placeholder(temporal.WORKFLOW)
SAFE, UNSAFE = Applicability.SAFE, Applicability.UNSAFE

_PLACEHOLDER = re.compile("\x00([^\x00]+)\x00")
_LEADING_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


# -- building plans (rules) --------------------------------------------------------------------


def replace_callee(
    ref: Reference,
    content: str,
    applicability: Applicability,
    message: str,
    *more: Edit,
    changes_state: bool = False,
) -> FixPlan | None:
    """Replace what is called (`time.sleep` in `time.sleep(5)`), keeping the arguments."""
    if ref.func is None:
        return None
    releases = (ref.head,) if ref.head else ()
    return FixPlan(applicability, message, (Edit(ref.func, content), *more), releases, changes_state)


def replace_call(
    ref: Reference, content: str, applicability: Applicability, message: str, *, changes_state: bool = False
) -> FixPlan:
    """Replace the whole call, arguments included (`datetime.now(timezone.utc)`)."""
    heads = [ref.head, *(_leading_name(argument.source) for argument in ref.arguments.items)]
    return FixPlan(applicability, message, (Edit(ref.range, content),), tuple(h for h in heads if h), changes_state)


def is_read_only_handler(function: FunctionFacts) -> bool:
    """A query handler, or an update validator (`@handler.validator` on a method of the same
    class): code that must not change workflow state."""
    for decorator in function.decorators:
        if decorator == temporal.QUERY:
            return True
        owner = function.class_qualname
        if owner and decorator.startswith(f"{owner}.") and decorator.endswith(".validator"):
            return True
    return False


def insert_before(span: Range, content: str) -> Edit:
    return Edit(Range(span.start, span.start), content)


def _leading_name(source: str) -> str | None:
    match = _LEADING_NAME.match(source)
    return match.group(0) if match else None


# -- completing plans (engine) -----------------------------------------------------------------


def complete(
    plan: FixPlan, context: FixContext, *, at_import_time: bool = False, read_only: bool = False
) -> Fix | None:
    """The finding's fix: `plan` with its modules named as the file names them (imports added
    when missing) and the imports it leaves unused removed. None when it cannot be written
    here: at import time (`at_import_time`) for a plan that names a module placeholder, in a
    handler that must only read state (`read_only`) for a plan that changes it."""
    if plan.changes_state and read_only:
        return None
    edits = list(plan.edits)
    message = plan.message
    site = min(edit.range.start.line for edit in edits)
    modules = sorted({m for edit in edits for m in _PLACEHOLDER.findall(edit.content)} | set(_PLACEHOLDER.findall(message)))
    if modules and at_import_time:
        return None
    for module in modules:
        found = module_reference(module, context, site)
        if found is None:
            return None
        spelling, addition = found
        edits = [Edit(e.range, e.content.replace(module_placeholder(module), spelling)) for e in edits]
        message = message.replace(module_placeholder(module), spelling)
        if addition is not None:
            edits.append(addition)
    from detlint.fixes.imports import without_names

    unused = _left_unused(plan.releases, context)
    for blank_lines in (True, False):  # without taking blank lines along if that collides
        removals = [removal_edit(s, without_names(s.source, names), blank_lines) for s, names in unused.items()]
        found = sorted([*edits, *removals])
        if not any(a.range.end > b.range.start or a.range == b.range for a, b in zip(found, found[1:])):
            return Fix(plan.applicability, message, tuple(found))
    return None  # its own edits collide (an import line both extended and trimmed)


def module_reference(qualified: str, context: FixContext, site: int) -> tuple[str, Edit | None] | None:
    """How code on line `site` can name the module `qualified`, and the import to add for it
    (None when there is no way without clashing with a name the file binds)."""
    base, _, last = qualified.rpartition(".")
    aliases = sorted((name != last, name) for name, value in context.aliases.items() if value == qualified)
    for _, alias in aliases:
        if all(statement.range.start.line < site for statement in _binding(alias, context)):
            return alias, None
    head = qualified.split(".")[0]
    if context.aliases.get(head) == head:
        if any(s.module is None and qualified in s.imported and s.range.start.line < site for s in context.imports):
            return qualified, None
    if last in context.bound or not context.imports or not base:
        return None
    for statement in context.imports:
        if statement.module == base and "*" not in statement.source:
            from detlint.fixes.imports import with_name

            extended = with_name(statement.source, last)
            if extended is not None and statement.range.start.line < site:
                return last, Edit(statement.range, extended)
    related = [s for s in context.imports if any(i == base or i.startswith(f"{base}.") for i in s.imported)]
    at = related[0].range.start if related else context.imports[-1].range.end
    if at.line > site:
        return None
    return last, Edit(Range(at, at), f"from {base} import {last}{context.newline}")


def removal_edit(statement: ImportStatement, rest: str, blank_lines: bool = True) -> Edit:
    """Replace an import line by what is left of it; a line that goes entirely takes the blank
    line after it along when it was a group of its own."""
    span = statement.range
    if not rest and statement.alone and blank_lines:
        span = Range(span.start, Position(span.end.line + 1, 1))
    return Edit(span, rest)


def _binding(name: str, context: FixContext) -> list[ImportStatement]:
    return [statement for statement in context.imports if name in statement.names]


def _left_unused(releases: Iterable[str], context: FixContext) -> dict[ImportStatement, tuple[str, ...]]:
    """The top-level import lines whose names lose their last use, with those names."""
    found: dict[ImportStatement, tuple[str, ...]] = {}
    for name, count in Counter(releases).items():
        statements = _binding(name, context)
        if context.uses.get(name) == count and len(statements) == 1:
            found[statements[0]] = (*found.get(statements[0], ()), name)
    return found


__all__ = [
    "SAFE",
    "UNSAFE",
    "WORKFLOW",
    "complete",
    "insert_before",
    "is_read_only_handler",
    "module_reference",
    "removal_edit",
    "replace_call",
    "replace_callee",
]
