"""Parse one file and extract its facts, in one pass over the tree.

This is the only step of a normal run that touches a syntax tree. It knows nothing of other
files: names resolve through this module's imports, and calls to project code are recorded by
qualified name for the project index to join. The hooks of every tree rule run inside the same
pass, with a `Context` that answers what a name stands for.
"""

from __future__ import annotations

import ast
import io
import re
import sys
import threading
import tokenize
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence, TypeVar

from detlint.analysis.facts import (
    MODULE_SCOPE,
    Argument,
    Arguments,
    ClassFacts,
    Effect,
    FixContext,
    FixPlan,
    FunctionFacts,
    ImportStatement,
    ModuleFacts,
    ParseFailure,
    Reference,
)
from detlint.analysis.fix_context import (
    callee_head,
    count_names,
    exported_names,
    import_statements,
)
from detlint.analysis.nodes import is_node, node_fields, own_descendants, source_of
from detlint.analysis.positions import Positions
from detlint.analysis.scopes import (
    BUILTINS,
    LITERAL_VALUES,
    PATH_VALUES,
    SET_OPERATORS,
    SET_RESULT_METHODS,
    SET_VALUES,
    Binding,
    BindingCollector,
    Scope,
    absolute_module,
    comprehension_targets,
    dotted,
    parameter_names,
    parameters,
    walk_statements,
)
from detlint.analysis.skeleton import SkeletonBuilder
from detlint.analysis.syntax import python_tree
from detlint.frameworks import temporal
from detlint.lazy import cst
from detlint.model import Position, Range
from detlint.rules.base import TreeRule

TYPE_CHECKING = frozenset({"typing.TYPE_CHECKING", "typing_extensions.TYPE_CHECKING"})
# Calls that build a dict from their keyword arguments, so `**Call(k=v)` spreads `k`.
MAPPING_CONSTRUCTORS = frozenset({"builtins.dict", *temporal.OPTION_DICTS})
_MAX_DEFINITION_DEPTH = 8
# What the walk does at a node type: the extractor's visit and leave methods, per field its
# visit_X_field and leave_X_field methods (functions of the class, called with the extractor),
# and the tree rules' hooks (their bound methods).
_Plan = tuple[Any, Any, tuple[tuple[str, Any, Any], ...], tuple[Any, ...]]
T = TypeVar("T")
NOQA = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]*(?:[\s,]+[A-Z]+[0-9]*)*))?", re.IGNORECASE)


def extract(path: Path, source: bytes, module: str, tree_rules: Sequence[TreeRule]) -> ModuleFacts:
    facts = ModuleFacts(path=path, module=module)
    too_deep = _nesting_problem(source)
    if too_deep is not None:
        facts.parse_failure = too_deep
        return facts
    try:
        _deep_call(lambda: _extract_into(facts, path, source, tree_rules))
    except (cst.ParserSyntaxError, SyntaxError, UnicodeDecodeError, LookupError) as error:
        facts = ModuleFacts(path=path, module=module)
        facts.parse_failure = _parse_failure(source, error)
    except (RecursionError, MemoryError):
        facts = ModuleFacts(path=path, module=module)
        facts.parse_failure = ParseFailure(f"nested too deeply to analyse ({_TOO_DEEP_ADVICE})", 1, 1)
    return facts


def _extract_into(facts: ModuleFacts, path: Path, source: bytes, tree_rules: Sequence[TreeRule]) -> None:
    tree = _parse(source)
    is_package = path.name in ("__init__.py", "__init__.pyi")
    rules = [rule for rule in tree_rules if rule.requires is None or rule.requires.search(source)]
    _Extractor(facts, is_package, rules, Positions(tree)).walk(tree)
    facts.noqa = _noqa_comments(source)


def _noqa_comments(source: bytes) -> dict[int, frozenset[str]]:
    """Line -> the codes its `# noqa` comment names (empty: all codes)."""
    if b"noqa" not in source.lower():
        return {}
    found: dict[int, frozenset[str]] = {}
    try:
        comments = [
            (token.start[0], token.string)
            for token in tokenize.tokenize(io.BytesIO(source).readline)
            if token.type == tokenize.COMMENT
        ]
    except (tokenize.TokenError, SyntaxError, UnicodeDecodeError, LookupError):
        return found  # LibCST parsed it, so this is rare; no noqa is the safe reading
    for line, text in comments:
        match = NOQA.search(text)
        if match is not None:
            codes = match.group("codes")
            found[line] = frozenset(re.split(r"[\s,]+", codes.upper().strip())) if codes else frozenset()
    return found


# -- deep nesting ---------------------------------------------------------------------------
# LibCST's native parser overflows the C stack (a segfault, not an exception) on a few
# thousand nested brackets or chained calls, and the visitors recurse once or more per level.
# So Python's own parser measures the file first (it is ~1% of the cost of extraction): what
# it refuses, or what is nested deeper than MAX_DEPTH syntax-tree levels (real code stays
# below 600; CPython itself stops near 3000), is a DET001 finding and never reaches LibCST.
# What passes is parsed and visited on a thread with a large stack and room to recurse.

MAX_DEPTH = 1000
_TOO_DEEP_ADVICE = "generated code? exclude it, or ignore DET001 for it in per-file-ignores"
_NESTING_SYNTAX_ERRORS = ("too many nested parentheses", "too many levels of indentation", "too many statically nested")
_STACK_SIZE = 512 * 1024 * 1024  # address space reserved for the worker thread; pages are used as needed
_RECURSION_LIMIT = 40 * MAX_DEPTH


class _WhileUsed:
    """A change to the whole process, made while any extraction needs it and undone when the
    last one ends (extractions may run on several threads: the language server's)."""

    def __init__(self, change: Callable[[], Callable[[], None]]) -> None:
        self._change = change  # makes the change, returns what undoes it
        self._lock = threading.Lock()
        self._users = 0
        self._undo: Callable[[], None] | None = None

    def __enter__(self) -> None:
        with self._lock:
            if self._users == 0:
                self._undo = self._change()
            self._users += 1

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            self._users -= 1
            if self._users == 0 and self._undo is not None:
                self._undo()


def _raise_recursion_limit() -> Callable[[], None]:
    saved = sys.getrecursionlimit()
    sys.setrecursionlimit(max(saved, _RECURSION_LIMIT))
    return lambda: sys.setrecursionlimit(saved)


_RECURSION_ROOM = _WhileUsed(_raise_recursion_limit)
_stack_size_lock = threading.Lock()


def _nesting_problem(source: bytes) -> ParseFailure | None:
    """A DET001 for a file too deeply nested to analyse safely, else None (other problems,
    such as syntax a newer Python accepts, are left to LibCST)."""
    try:
        tree = python_tree(source)
    except (RecursionError, MemoryError):
        return ParseFailure(f"nested too deeply for Python's own parser ({_TOO_DEEP_ADVICE})", 1, 1)
    except SyntaxError as syntax:
        if any(text in str(syntax.msg) for text in _NESTING_SYNTAX_ERRORS):
            return ParseFailure(f"SyntaxError: {syntax.msg}", max(syntax.lineno or 1, 1), max(syntax.offset or 1, 1))
        return None
    except (ValueError, UnicodeDecodeError, LookupError):
        return None
    if _within_depth(tree, MAX_DEPTH):
        return None
    depth, (line, column) = _depth(tree)
    return ParseFailure(
        f"nested {depth} levels deep, more than detlint analyses ({MAX_DEPTH}; {_TOO_DEEP_ADVICE})", line, column
    )


def _within_depth(tree: ast.AST, limit: int) -> bool:
    """Whether the tree is at most `limit` levels deep: a level at a time, which is cheaper than
    `_depth` (no positions) and needs no recursion."""
    level = [tree]
    for _ in range(limit):
        level = [child for node in level for child in ast.iter_child_nodes(node)]
        if not level:
            return True
    return False


def _depth(tree: ast.AST) -> tuple[int, tuple[int, int]]:
    """The depth of the deepest node and where it is (line, 1-based column; that of its nearest
    ancestor with a position), found iteratively: no recursion."""
    best, where = 0, (1, 1)
    stack: list[tuple[ast.AST, int, tuple[int, int]]] = [(tree, 1, (1, 1))]
    while stack:
        node, level, at = stack.pop()
        if getattr(node, "lineno", None):
            at = (node.lineno, node.col_offset + 1)
        if level > best:
            best, where = level, at
        stack.extend((child, level + 1, at) for child in ast.iter_child_nodes(node))
    return best, where


def _deep_call(work: Callable[[], None]) -> None:
    """Run `work` on a thread with a large stack and a raised recursion limit; re-raise what it
    raises. The limit is raised for as long as any such thread runs, then put back."""
    outcome: list[BaseException] = []

    def run() -> None:
        try:
            work()
        except BaseException as error:  # handed to the caller's thread
            outcome.append(error)

    with _stack_size_lock:
        previous = threading.stack_size(_STACK_SIZE)
        try:
            worker = threading.Thread(target=run, name="detlint-extract", daemon=True)
        finally:
            threading.stack_size(previous)
    with _RECURSION_ROOM:
        worker.start()
        worker.join()
    if outcome:
        raise outcome[0]


# -- parsing ----------------------------------------------------------------------------------
# LibCST checks every node as it is built (`CSTNode.__post_init__` calls `_validate`): a guard
# for trees built by hand, about a sixth of parsing a file, and nothing to guard in a tree that
# LibCST's own parser builds. So the check is off while that parser runs. (A test fails if
# `__post_init__` ever does more than check.)


def _skip_node_checks() -> Callable[[], None]:
    node_class = cst.CSTNode
    check = node_class.__dict__["__post_init__"]
    node_class.__post_init__ = _parsed_node
    return lambda: setattr(node_class, "__post_init__", check)


def _parsed_node(self) -> None:
    """A node LibCST's parser builds: well formed by construction."""


_PARSING = _WhileUsed(_skip_node_checks)


def _parse(source: bytes) -> cst.Module:
    with _PARSING:
        return cst.parse_module(source)


def _parse_failure(source: bytes, error: Exception) -> ParseFailure:
    """Report where Python itself reports the problem (what a user sees from `python file.py`)."""
    if isinstance(error, UnicodeDecodeError):
        line = source[: error.start].count(b"\n") + 1
        column = error.start - (source.rfind(b"\n", 0, error.start) + 1) + 1
        return ParseFailure(f"file is not valid {error.encoding}: {error.reason}", line, column)
    try:
        python_tree(source)
    except SyntaxError as syntax:
        return ParseFailure(f"SyntaxError: {syntax.msg}", max(syntax.lineno or 1, 1), max(syntax.offset or 1, 1))
    except (ValueError, UnicodeDecodeError) as other:
        return ParseFailure(f"cannot read source: {other}", 1, 1)
    # Python accepts the file; LibCST does not (one of its limits, or syntax newer than it knows).
    if isinstance(error, cst.ParserSyntaxError):
        detail = " ".join(error.message.split())
        return ParseFailure(
            f"cannot parse: Python accepts this file but detlint's parser (LibCST) does not: {detail}",
            max(error.raw_line, 1),
            max(error.raw_column + 1, 1),
        )
    return ParseFailure(f"cannot parse: {' '.join(str(error).split())}", 1, 1)


class Context:
    """What a tree rule may ask while its hook runs."""

    def __init__(self, extractor: _Extractor) -> None:
        self._extractor = extractor
        self._shared: dict[type, Any] = {}

    def shared(self, kind: type[T]) -> T:
        """This file's one `kind()`, made on first use: state several rules share, so that an
        analysis two rules report from runs once per file."""
        if kind not in self._shared:
            self._shared[kind] = kind()
        return self._shared[kind]

    @property
    def function(self) -> FunctionFacts:
        """The function the current node belongs to (nested defs and lambdas count as their
        enclosing function; module and class-body statements as the module scope)."""
        return self._extractor.functions[-1]

    @property
    def in_module_scope(self) -> bool:
        return self.function.qualname.endswith(MODULE_SCOPE)

    @property
    def in_function_body(self) -> bool:
        return any(scope.kind == "function" for scope in self._extractor.scopes)

    @property
    def module(self) -> str:
        return self._extractor.facts.module

    def resolve(self, node: cst.BaseExpression) -> str | None:
        return self._extractor.resolve_expression(node)

    def lookup(self, name: str) -> tuple[str, Binding] | None:
        """(kind of the scope that binds `name`, its binding), or None for builtins/unbound."""
        return self._extractor.lookup(name)

    def class_attribute(self, class_qualname: str, attribute: str) -> tuple[bool, Binding]:
        """(is it a class-level attribute that no method replaces per instance, its value)."""
        info = self._extractor.class_info.get(class_qualname)
        if info is None or attribute in info.instance or attribute not in info.body.bindings:
            return False, None
        return True, info.body.bindings[attribute]

    def is_set(self, node: cst.BaseExpression) -> bool:
        return self.resolve(node) in SET_VALUES

    def range(self, node: cst.CSTNode) -> Range:
        return self._extractor.positions.range(node)

    def report(
        self, rule: TreeRule, node: cst.CSTNode, what: str, advice: str, leaf: str, fix: FixPlan | None = None
    ) -> None:
        """`fix`: the edits that resolve it (see `FixPlan`); offered where the effect is reported
        in its own file."""
        self.function.effects.append(Effect(rule.code, what, advice, self.range(node), leaf, fix))

    @property
    def in_async_function(self) -> bool:
        """The innermost function around the current node is an `async def` (a lambda or a
        class body in between counts as not async)."""
        return self._extractor.async_stack[-1]

    def walk(self, node: cst.CSTNode) -> Iterable[cst.CSTNode]:
        """Every node below `node`, not entering nested function or class bodies."""
        return own_descendants(node)


class _ClassInfo:
    def __init__(self, body: Scope) -> None:
        self.body = body  # names bound in the class body (class attributes)
        self.instance: dict[str, Binding] = {}  # `self.x = ...` anywhere in its methods


class _Extractor:
    """One pass over a module's tree: LibCST's visitor protocol (`visit_X`, `visit_X_field`,
    `leave_X_field`, `leave_X`, then the tree rules' `visit_X` hooks) over `child_nodes`, so
    whitespace and punctuation are never visited and no node is rebuilt."""

    def __init__(
        self,
        facts: ModuleFacts,
        is_package: bool,
        tree_rules: Sequence[TreeRule],
        positions: Positions,
    ) -> None:
        self.facts = facts
        self.positions = positions
        self.is_package = is_package
        self.scopes: list[Scope] = []
        self.functions: list[FunctionFacts] = []
        self.classes: list[str] = []  # qualnames of the enclosing classes
        self.class_info: dict[str, _ClassInfo] = {}
        self.consumed: set[int] = set()  # ids of name nodes already part of a recorded reference
        self.imports: set[str] = set()
        # For fixes: whether the innermost function is async, calls that are statements of
        # their own, names bound outside the module scope, and names read.
        self.async_stack: list[bool] = [False]
        self.statement_calls: set[int] = set()
        self.local_names: set[str] = set()
        self.name_uses: Counter[str] = Counter()
        self.not_uses: set[int] = set()  # attribute names and keywords: not reads of a name
        self.import_lines: tuple[ImportStatement, ...] = ()
        self.context = Context(self)
        self.skeletons = SkeletonBuilder(facts.module, self.resolve_expression, self.context.range)
        self._plans = _plans_for(tree_rules)

    # -- dispatch -------------------------------------------------------------------------

    def walk(self, node: cst.CSTNode) -> None:
        visit, leave, fields, hooks = self._plans.get(type(node)) or self._plans.plan(type(node))
        descend = visit is None or visit(self, node) is not False
        for hook in hooks:
            hook(node, self.context)
        if descend:
            for field, enter, exit in fields:
                if enter is not None:
                    enter(self, node)
                value = getattr(node, field)
                if isinstance(value, (tuple, list)):
                    for item in value:
                        if is_node(type(item)):
                            self.walk(item)
                elif is_node(type(value)):
                    self.walk(value)
                if exit is not None:
                    exit(self, node)
        if leave is not None:
            leave(self, node)

    # -- name resolution ------------------------------------------------------------------

    def lookup(self, name: str) -> tuple[str, Binding] | None:
        innermost = True
        for scope in reversed(self.scopes):
            if name in scope.declared_global:
                module_scope = self.scopes[0]
                return ("module", module_scope.bindings[name]) if name in module_scope.bindings else None
            # Class bodies are not enclosing scopes for the functions defined in them.
            if (scope.kind != "class" or innermost) and name in scope.bindings:
                return scope.kind, scope.bindings[name]
            innermost = False
        return None

    def definition(self, name: str) -> cst.BaseExpression | None:
        """The one expression `name` is bound to where it is visible (see `Scope.definition`)."""
        innermost = True
        for scope in reversed(self.scopes):
            if name in scope.declared_global:
                return self.scopes[0].definition(name)
            if (scope.kind != "class" or innermost) and name in scope.bindings:
                return scope.definition(name)
            innermost = False
        return None

    def resolve_expression(self, node: cst.BaseExpression | None) -> str | None:
        # `type(node) is`: these node classes have no subclasses, and a failed `isinstance` on
        # LibCST's abstract-base classes runs Python code; this runs for most expressions.
        kind = type(node)
        if kind is cst.Name:
            found = self.lookup(node.value)
            if found is not None:
                return found[1]
            return f"builtins.{node.value}" if node.value in BUILTINS else None
        if kind is cst.Attribute:
            base = self.resolve_expression(node.value)
            return self._attribute_of(base, node.attr.value) if base else None
        if kind is cst.Call:
            base = self.resolve_expression(node.func)
            if base is None:
                return None
            if base == "functools.partial" and node.args:
                return self.resolve_expression(node.args[0].value)
            owner, _, method = base.rpartition(".")
            if owner in SET_VALUES and method in SET_RESULT_METHODS:
                return owner
            return f"{base}()"
        if kind is cst.BinaryOperation:
            left = self.resolve_expression(node.left)
            if type(node.operator).__name__ in SET_OPERATORS and left in SET_VALUES:
                return left
            if isinstance(node.operator, cst.Divide) and left in PATH_VALUES:
                return left
            return None
        if node is not None:
            return LITERAL_VALUES.get(type(node).__name__)
        return None

    def _attribute_of(self, base: str, attribute: str) -> str | None:
        """`self.repo` stands for what `__init__` assigned to it, when that is known."""
        if base.endswith("()"):
            info = self.class_info.get(base[:-2])
            if info is not None and attribute in info.instance:
                return info.instance[attribute]
        return f"{base}.{attribute}"

    def qualify(self, name: str) -> str:
        owner = self.classes[-1] if self.scopes and self.scopes[-1].kind == "class" else self.facts.module
        return f"{owner}.{name}"

    def import_base(self, node: cst.ImportFrom) -> str | None:
        target = dotted(node.module) if node.module is not None else None
        return absolute_module(self.facts.module, self.is_package, len(node.relative), target)

    def _collect(self, scope: Scope, statements: object) -> None:
        BindingCollector(scope, self.resolve_expression, self.qualify, self.import_base).collect(statements)

    # -- module -----------------------------------------------------------------------------

    def visit_Module(self, node: cst.Module) -> None:
        scope = Scope("module")
        self.scopes.append(scope)
        self._collect(scope, node.body)
        self.facts.exports = {name: value for name, value in scope.bindings.items() if value}
        positions = self.positions
        self.import_lines = import_statements(node, positions.range, self.import_base, positions.top_level_code)
        self.name_uses.update(exported_names(node))
        module_scope = FunctionFacts(
            qualname=self.facts.module_scope,
            display=MODULE_SCOPE,
            range=Range(Position(1, 1), Position(1, 1)),
        )
        self.facts.functions[module_scope.qualname] = module_scope
        self.functions.append(module_scope)
        self.skeletons.start(node)

    def visit_If(self, node: cst.If) -> bool:
        # `if __name__ == "__main__":` never runs when the sandbox imports the module, and
        # `if TYPE_CHECKING:` never runs at all; an `else:` does.
        main_guard = self.scopes[-1].kind == "module" and _is_main_guard(node.test)
        if main_guard or self.resolve_expression(node.test) in TYPE_CHECKING:
            count_names(node.body, self.name_uses)
            if node.orelse is not None:
                self.walk(node.orelse)
            return False
        return True

    # -- classes ----------------------------------------------------------------------------

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        qualname = self.qualify(node.name.value)
        self.consumed.add(id(node.name))
        self.classes.append(qualname)
        if len(self.functions) == 1:  # classes inside functions belong to that function
            self.facts.classes[qualname] = ClassFacts(
                qualname=qualname,
                range=self.context.range(node.name),
                decorators=tuple(filter(None, (self._decorator_name(d) for d in node.decorators))),
                decorator_arguments=self._decorator_arguments(node.decorators),
                bases=tuple(filter(None, (self.resolve_expression(arg.value) for arg in node.bases))),
            )

    def visit_ClassDef_body(self, node: cst.ClassDef) -> None:
        scope = Scope("class")
        self.scopes.append(scope)
        self.async_stack.append(False)
        self._collect(scope, node.body.body)
        info = _ClassInfo(scope)
        self.class_info[self.classes[-1]] = info
        self._collect_instance_attributes(node, info)

    def leave_ClassDef_body(self, node: cst.ClassDef) -> None:
        self.local_names.update(self.scopes.pop().bindings)
        self.async_stack.pop()

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self.classes.pop()

    def _collect_instance_attributes(self, node: cst.ClassDef, info: _ClassInfo) -> None:
        """`self.x = value` in any method: what `self.x` stands for (None when it varies)."""
        for method in node.body.body:
            if not isinstance(method, cst.FunctionDef) or not method.params.params:
                continue
            receiver = method.params.params[0].name.value
            scope = Scope("function")
            for name in parameter_names(method.params):
                scope.bind(name, None)
            self.scopes.append(scope)
            self._collect(scope, method.body.body)
            self._collect_assignments_to(receiver, method, info)
            self.scopes.pop()
        for statement in node.body.body:
            for small in statement.body if isinstance(statement, cst.SimpleStatementLine) else ():
                if isinstance(small, cst.AnnAssign) and small.value is None and isinstance(small.target, cst.Name):
                    info.instance.setdefault(small.target.value, self._instance_of(small.annotation))

    def _collect_assignments_to(self, receiver: str, method: cst.FunctionDef, info: _ClassInfo) -> None:
        for child in walk_statements(method.body.body):
            targets: list[cst.BaseExpression] = []
            value: cst.BaseExpression | None = None
            if isinstance(child, cst.Assign):
                targets, value = [t.target for t in child.targets], child.value
            elif isinstance(child, (cst.AnnAssign, cst.AugAssign)):
                targets, value = [child.target], getattr(child, "value", None)
            for target in targets:
                if isinstance(target, cst.Attribute) and _is_name(target.value, receiver):
                    resolved = self.resolve_expression(value) if isinstance(child, (cst.Assign, cst.AnnAssign)) else None
                    if resolved is None and isinstance(child, cst.AnnAssign):
                        resolved = self._instance_of(child.annotation)
                    name = target.attr.value
                    if name in info.instance and info.instance[name] != resolved:
                        resolved = None
                    info.instance[name] = resolved

    # -- functions --------------------------------------------------------------------------

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.consumed.add(id(node.name))
        if len(self.functions) > 1:
            return  # a nested def is part of the function that defines it
        qualname = self.qualify(node.name.value)
        owner = self.classes[-1] if self.scopes[-1].kind == "class" else None
        function = FunctionFacts(
            qualname=qualname,
            display=qualname.removeprefix(self.facts.module + "."),
            range=self.context.range(node.name),
            class_qualname=owner,
            decorators=tuple(filter(None, (self._decorator_name(d) for d in node.decorators))),
            decorator_arguments=self._decorator_arguments(node.decorators),
            is_async=node.asynchronous is not None,
        )
        self.facts.functions[qualname] = function
        if owner is not None:
            cls = self.facts.classes.get(owner)
            if cls is not None:
                cls.methods = (*cls.methods, qualname)
        self._pending_function = function

    def visit_FunctionDef_body(self, node: cst.FunctionDef) -> None:
        scope = Scope("function")
        names = parameter_names(node.params)
        for param in parameters(node.params):
            scope.bind(param.name.value, self._instance_of(param.annotation))
        in_class = self.scopes[-1].kind == "class"
        if in_class and names and node.params.params:
            self._bind_receiver(scope, node, names[0])
        self.scopes.append(scope)
        self.async_stack.append(node.asynchronous is not None)
        self._collect(scope, node.body.body)
        if len(self.functions) == 1 or self.functions[-1].qualname.endswith(MODULE_SCOPE):
            self.functions.append(self._pending_function)
        else:
            self.functions.append(self.functions[-1])

    def leave_FunctionDef_body(self, node: cst.FunctionDef) -> None:
        self.skeletons.function(node)  # while the function's names are in scope
        self.local_names.update(self.scopes.pop().bindings)
        self.async_stack.pop()
        self.functions.pop()

    def _bind_receiver(self, scope: Scope, node: cst.FunctionDef, receiver: str) -> None:
        decorators = {self._decorator_name(d) for d in node.decorators}
        if "builtins.staticmethod" in decorators:
            return
        owner = self.classes[-1]
        scope.bindings[receiver] = owner if "builtins.classmethod" in decorators else f"{owner}()"

    def visit_Lambda_body(self, node: cst.Lambda) -> None:
        scope = Scope("function")
        for name in parameter_names(node.params):
            scope.bind(name, None)
        self.scopes.append(scope)
        self.async_stack.append(False)

    def leave_Lambda_body(self, node: cst.Lambda) -> None:
        self.local_names.update(self.scopes.pop().bindings)
        self.async_stack.pop()

    def _enter_comprehension(self, node: cst.BaseComp) -> None:
        scope = Scope("comprehension")
        for name in comprehension_targets(node):
            scope.bind(name, None)
        self.scopes.append(scope)

    def _leave_comprehension(self, original_node: cst.BaseComp) -> None:
        self.local_names.update(self.scopes.pop().bindings)

    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = _enter_comprehension
    leave_ListComp = leave_SetComp = leave_DictComp = leave_GeneratorExp = _leave_comprehension

    def _instance_of(self, annotation: cst.Annotation | None) -> Binding:
        """`repo: OrderRepo` makes `repo` an instance of the project's `OrderRepo`."""
        if annotation is None or not isinstance(annotation.annotation, (cst.Name, cst.Attribute)):
            return None
        name = self.resolve_expression(annotation.annotation)
        if name is None or "()" in name or name.startswith(("builtins.", "typing.", "collections.abc.")):
            return None
        return f"{name}()"

    def _decorator_name(self, decorator: cst.Decorator) -> str | None:
        expression = decorator.decorator
        return self.resolve_expression(expression.func if isinstance(expression, cst.Call) else expression)

    def _decorator_arguments(self, decorators: Sequence[cst.Decorator]) -> dict[str, Arguments]:
        found: dict[str, Arguments] = {}
        for decorator in decorators:
            name = self._decorator_name(decorator)
            if name is not None and isinstance(decorator.decorator, cst.Call):
                found[name] = self.arguments(decorator.decorator)
        return found

    # -- references -------------------------------------------------------------------------

    def visit_Call(self, node: cst.Call) -> None:
        name = self.resolve_expression(node.func)
        self._consume_chain(node.func)
        if name is None:
            return
        self.functions[-1].references.append(
            Reference(
                name,
                self.context.range(node),
                True,
                self.arguments(node),
                func=self.context.range(node.func),
                head=callee_head(node.func),
                awaitable=id(node) in self.statement_calls and self.async_stack[-1],
            )
        )

    def arguments(self, node: cst.Call) -> Arguments:
        items: list[Argument] = []
        unknown = False
        for arg in node.args:
            if arg.star == "**":
                spread = self._mapping_entries(arg.value, depth=0)
                unknown = unknown or spread is None
                items.extend(spread or ())
            elif arg.star:
                unknown = True
            else:
                items.append(self._argument(arg.keyword.value if arg.keyword is not None else None, arg.value))
        return Arguments(items=tuple(items), starred=unknown)

    def _argument(self, keyword: str | None, value: cst.BaseExpression) -> Argument:
        return Argument(
            keyword=keyword,
            source=_shorten(source_of(value)),
            value=self.resolve_expression(value),
            range=self.context.range(value),
        )

    def _mapping_entries(self, node: cst.BaseExpression, depth: int) -> list[Argument] | None:
        """The entries of a `**mapping` as keyword arguments, or None when they cannot be read."""
        if depth > _MAX_DEFINITION_DEPTH:
            return None
        if isinstance(node, cst.Name):
            definition = self.definition(node.value)
            return None if definition is None else self._mapping_entries(definition, depth + 1)
        if isinstance(node, cst.Dict):
            entries: list[Argument] = []
            for element in node.elements:
                if isinstance(element, cst.StarredDictElement):
                    nested = self._mapping_entries(element.value, depth + 1)
                    if nested is None:
                        return None
                    entries.extend(nested)
                elif isinstance(element.key, cst.SimpleString) and isinstance(element.key.evaluated_value, str):
                    entries.append(self._argument(element.key.evaluated_value, element.value))
                else:
                    return None
            return entries
        if isinstance(node, cst.Call) and self.resolve_expression(node.func) in MAPPING_CONSTRUCTORS:
            entries = []
            for arg in node.args:
                if arg.star == "**":
                    nested = self._mapping_entries(arg.value, depth + 1)
                    if nested is None:
                        return None
                    entries.extend(nested)
                elif arg.keyword is not None and not arg.star:
                    entries.append(self._argument(arg.keyword.value, arg.value))
                else:
                    return None
            return entries
        return None

    def visit_Expr(self, node: cst.Expr) -> None:
        if isinstance(node.value, cst.Call):
            self.statement_calls.add(id(node.value))

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        # `:=` binds in the enclosing function even inside a comprehension; uses follow it.
        if isinstance(node.target, cst.Name):
            scope = next(s for s in reversed(self.scopes) if s.kind != "comprehension")
            scope.bind(node.target.value, self.resolve_expression(node.value))

    def visit_Arg(self, node: cst.Arg) -> None:
        if node.keyword is not None:
            self.consumed.add(id(node.keyword))
            self.not_uses.add(id(node.keyword))

    def visit_Param(self, node: cst.Param) -> None:
        self.consumed.add(id(node.name))

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self.not_uses.add(id(node.attr))
        if id(node) not in self.consumed:
            self._record_read(node)
        self._consume_chain(node)

    def visit_Name(self, node: cst.Name) -> None:
        if id(node) not in self.not_uses:
            self.name_uses[node.value] += 1
        if id(node) not in self.consumed:
            self._record_read(node)

    def _record_read(self, node: cst.BaseExpression) -> None:
        """Reads matter only for module attributes (`os.environ`, `sys.argv`)."""
        name = self.resolve_expression(node)
        if name is not None and "()" not in name and not name.startswith("builtins."):
            self.functions[-1].references.append(Reference(name, self.context.range(node), False))

    def _consume_chain(self, node: cst.BaseExpression) -> None:
        while isinstance(node, cst.Attribute):
            self.consumed.update((id(node), id(node.attr)))
            node = node.value
        if isinstance(node, cst.Name):
            self.consumed.add(id(node))

    def visit_Import(self, node: cst.Import) -> bool:
        self.imports.update(filter(None, (dotted(alias.name) for alias in node.names)))
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        base = self.import_base(node)
        if base is not None:
            self.imports.add(base)
            if not isinstance(node.names, cst.ImportStar):
                self.imports.update(f"{base}.{alias.name.value}" for alias in node.names if isinstance(alias.name, cst.Name))
        return False

    def leave_Module(self, original_node: cst.Module) -> None:
        self.facts.imports = tuple(sorted(self.imports))
        self.facts.workflow_skeletons = self.skeletons.finish()
        self.facts.explicit_names = self.skeletons.explicit_names
        module_names = self.scopes[0].bindings
        imported = {name for line in self.import_lines for name in line.names}
        self.facts.fix_context = FixContext(
            imports=self.import_lines,
            aliases={n: v for n, v in module_names.items() if v is not None and n not in self.local_names},
            bound=frozenset(module_names) | frozenset(self.local_names),
            uses={name: self.name_uses[name] for name in imported},
            newline=original_node.default_newline,
        )

    def visit_Global(self, node: cst.Global) -> bool:
        return False

    def visit_Nonlocal(self, node: cst.Nonlocal) -> bool:
        return False



def _shorten(source: str, limit: int = 120) -> str:
    return source if len(source) <= limit else source[: limit - 1] + "…"


class _Plans(dict):
    """Node type -> its `_Plan` for one set of tree rules, made on first use."""

    def __init__(self, tree_rules: Sequence[TreeRule]) -> None:
        super().__init__()
        self.hooks: dict[str, list[Callable[[cst.CSTNode, Context], None]]] = defaultdict(list)
        for rule in tree_rules:
            for node_type, method in _hooks_of(type(rule)).items():
                self.hooks[node_type].append(getattr(rule, method))

    def plan(self, kind: type[cst.CSTNode]) -> _Plan:
        name = kind.__name__
        plan = (
            getattr(_Extractor, f"visit_{name}", None),
            getattr(_Extractor, f"leave_{name}", None),
            tuple(
                (
                    field,
                    getattr(_Extractor, f"visit_{name}_{field}", None),
                    getattr(_Extractor, f"leave_{name}_{field}", None),
                )
                for field in node_fields(kind)
            ),
            tuple(self.hooks.get(name, ())),
        )
        self[kind] = plan
        return plan


_PLANS: dict[tuple[TreeRule, ...], _Plans] = {}
_PLANS_KEPT = 16


def _plans_for(tree_rules: Sequence[TreeRule]) -> _Plans:
    """The plans of a set of rules: a run's files share a few such sets (a rule whose
    `requires` a file does not match is left out of that file's set)."""
    rules = tuple(tree_rules)
    plans = _PLANS.get(rules)
    if plans is None:
        if len(_PLANS) >= _PLANS_KEPT:
            _PLANS.clear()
        plans = _PLANS[rules] = _Plans(rules)
    return plans


def _hooks_of(rule_class: type[TreeRule]) -> dict[str, str]:
    if rule_class not in _HOOKS:
        _HOOKS[rule_class] = rule_class.hooks()
    return _HOOKS[rule_class]


_HOOKS: dict[type[TreeRule], dict[str, str]] = {}


def _is_name(node: cst.BaseExpression, name: str) -> bool:
    return isinstance(node, cst.Name) and node.value == name


def _is_main_guard(test: cst.BaseExpression) -> bool:
    if not isinstance(test, cst.Comparison) or len(test.comparisons) != 1:
        return False
    left, right = test.left, test.comparisons[0].comparator
    names = {n.value for n in (left, right) if isinstance(n, cst.Name)}
    strings = {s.evaluated_value for s in (left, right) if isinstance(s, cst.SimpleString)}
    return names == {"__name__"} and strings == {"__main__"}
