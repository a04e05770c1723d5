"""Shared machinery of the idempotency rules (DET301-DET306).

These rules read more than names: the headers a request sends, the SQL text a statement runs,
where a fresh value flows. All of it stays within one function, read in source order while the
extractor's one pass visits it:

* `Shape`: one syntactic look at a whole function before its body is visited: which nodes run
  only under a branch or a loop, which are inside a `try` that catches duplicate-key errors,
  which belong to nested functions (another scope).
* `ActivityFlowRule`: the base of the DET3 rules. It tracks what each local name was last
  assigned (the expression node), which module-level constants hold, and which names a `with`
  bound to a client; a name assigned under a branch after it was already bound is unknown.
* helpers that read literal text (strings, f-strings, concatenations, `text(...)`), SQL
  statements, HTTP calls and their headers.

The rules only report in activity code (role ACTIVITY); extraction does not know roles, so
these hooks run in every function and the engine decides.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Iterator

from detlint.analysis.facts import FunctionFacts
from detlint.analysis.nodes import child_nodes, source_of
from detlint.analysis.scopes import is_constant
from detlint.lazy import cst
from detlint.model import Severity
from detlint.rules.base import Role, TreeRule

# -- what a name stands for -------------------------------------------------------------------

UNKNOWN = "unknown"  # the header state / the value could be anything
KEYED = "keyed"
UNKEYED = "unkeyed"

# Marks of a node in a function's Shape.
BRANCH = 1  # runs only when an `if`/`match`/`except` decides so
LOOP = 2  # inside a `for`/`while`
DUPLICATE_GUARDED = 4  # in the body of a `try` that catches a duplicate-key error
FOREIGN = 8  # inside a nested function, lambda or class: another scope

# Exceptions that a duplicate key raises (sqlite3, psycopg2, SQLAlchemy, Django, MySQLdb:
# IntegrityError; psycopg 3: UniqueViolation; asyncpg: UniqueViolationError; pymongo:
# DuplicateKeyError).
DUPLICATE_KEY_ERRORS = frozenset({"IntegrityError", "UniqueViolation", "UniqueViolationError", "DuplicateKeyError"})

INTERPOLATION = "\x00"  # stands for a part of a text that is not a literal


class Shape:
    """Syntactic facts about one function, computed once before its body is visited."""

    def __init__(self, function: cst.FunctionDef) -> None:
        self.marks: dict[int, int] = {}
        stack: list[tuple[cst.CSTNode, int]] = [(function.body, 0)]
        while stack:
            node, mark = stack.pop()
            if mark:
                self.marks[id(node)] = mark
            if type(node).__name__ in _MARKING:
                stack.extend(_children_marked(node, mark))
            else:  # most nodes: their children have their mark
                stack.extend([(child, mark) for child in child_nodes(node)])

    def has(self, node: cst.CSTNode, mark: int) -> bool:
        return bool(self.marks.get(id(node), 0) & mark)


_last_shape: tuple[cst.FunctionDef, Shape] | None = None


def shape_of(function: cst.FunctionDef) -> Shape:
    """The function's Shape, computed once for all the DET3 rules (their hooks run one after
    the other on the same node)."""
    global _last_shape
    if _last_shape is None or _last_shape[0] is not function:
        _last_shape = (function, Shape(function))
    return _last_shape[1]


# Node types whose children's marks can differ from their own (by name: LibCST is imported lazily).
_MARKING = frozenset({"FunctionDef", "ClassDef", "Lambda", "If", "For", "While", "Try", "TryStar", "Match"})


def _children_marked(node: cst.CSTNode, mark: int) -> Iterator[tuple[cst.CSTNode, int]]:
    # `type(node) is`, not `isinstance`: these node classes have no subclasses, and a failed
    # `isinstance` on LibCST's abstract-base classes runs Python code.
    kind = type(node)
    if kind is cst.FunctionDef or kind is cst.ClassDef or kind is cst.Lambda:
        yield from ((child, mark | FOREIGN) for child in child_nodes(node))
    elif kind is cst.If:
        yield node.test, mark
        yield node.body, mark | BRANCH
        if node.orelse is not None:
            yield node.orelse, mark | BRANCH
    elif kind is cst.For or kind is cst.While:
        head = (node.target, node.iter) if kind is cst.For else (node.test,)
        yield from ((child, mark) for child in head)
        yield node.body, mark | LOOP
        if node.orelse is not None:
            yield node.orelse, mark | LOOP
    elif kind is cst.Try or kind is cst.TryStar:
        guarded = any(_catches_duplicate_key(handler) for handler in node.handlers)
        yield node.body, mark | (DUPLICATE_GUARDED if guarded else 0)
        yield from ((handler, mark | BRANCH) for handler in node.handlers)
        if node.orelse is not None:
            yield node.orelse, mark | BRANCH
        if node.finalbody is not None:
            yield node.finalbody, mark
    elif kind is cst.Match:
        yield node.subject, mark
        yield from ((case, mark | BRANCH) for case in node.cases)
    else:
        yield from ((child, mark) for child in child_nodes(node))


def _catches_duplicate_key(handler: cst.BaseExceptHandler) -> bool:
    caught = handler.type
    types = [e.value for e in caught.elements] if isinstance(caught, cst.Tuple) else [caught]
    for kind in types:
        last = kind.attr.value if isinstance(kind, cst.Attribute) else getattr(kind, "value", None)
        if last in DUPLICATE_KEY_ERRORS:
            return True
    return False


@dataclass
class Local:
    """What a local name was last bound to: an expression, or None when unknowable."""

    value: cst.BaseExpression | None
    with_item: bool = False  # bound by `with <value> as name`: stands for the context manager's result


class ActivityFlowRule(TreeRule):
    """Base of the DET3 rules: per-function tracking of local names (see the module docstring).

    Subclasses define their own `visit_<Node>` hooks and call `self.active(ctx)` first; the
    hooks below keep the bindings. `on_bind(name, value, node, ctx)` is called before a name
    is rebound (so it still sees the old bindings), `on_store(target, value, node, ctx)` for
    an assignment to a subscript or attribute."""

    role = Role.ACTIVITY
    severity = Severity.WARNING

    def __init__(self, settings) -> None:
        super().__init__(settings)
        self._function: FunctionFacts | None = None
        self._ctx = None  # the extraction context of the current file
        self._pending: tuple[object, Shape] | None = None
        self.shape: Shape | None = None
        self.locals: dict[str, Local] = {}
        # Names whose headers were changed in place (`h["Idempotency-Key"] = k`,
        # `session.headers.update(...)`): KEYED or UNKNOWN.
        self.header_marks: dict[str, str] = {}
        self.module_values: dict[str, cst.BaseExpression | None] = {}
        headers = settings.idempotency_headers
        self.header_names = frozenset(h.lower() for h in headers)
        self.header_display = f"`{headers[0]}`" if headers else "an idempotency key"

    # -- function tracking ------------------------------------------------------------------

    def active(self, ctx) -> bool:
        """Whether the current node is inside a function (not module or class-body code);
        resets the per-function state when the function changed."""
        self._ctx = ctx
        function = ctx.function
        if function is not self._function:
            self._function = function
            self.shape = None
            self.locals = {}
            self.header_marks = {}
            # Decorators and defaults are visited in the enclosing scope before the body:
            # the pending shape waits for its own function.
            if self._pending is not None and self._pending[0] == function.range:
                self.shape = self._pending[1]
                self._pending = None
            self.reset()
        return self.shape is not None

    def reset(self) -> None:
        """Per-function state of a subclass: override and clear it here."""

    def visit_Module(self, node: cst.Module, ctx) -> None:
        self.module_values = {}
        self._function = None
        self._pending = None

    def visit_FunctionDef(self, node: cst.FunctionDef, ctx) -> None:
        if ctx.in_module_scope:  # a function or method of its own (nested defs belong to theirs)
            self._pending = (ctx.range(node.name), shape_of(node))

    # -- bindings -----------------------------------------------------------------------------

    def visit_Assign(self, node: cst.Assign, ctx) -> None:
        if not self.active(ctx):
            self._module_assign(node, ctx)
            return
        if self.shape.has(node, FOREIGN):
            return
        for target in node.targets:
            self._assign_target(target.target, node.value if len(node.targets) == 1 else None, node, ctx)

    def visit_AnnAssign(self, node: cst.AnnAssign, ctx) -> None:
        if node.value is not None and self.active(ctx) and not self.shape.has(node, FOREIGN):
            self._assign_target(node.target, node.value, node, ctx)

    def visit_AugAssign(self, node: cst.AugAssign, ctx) -> None:
        if self.active(ctx) and not self.shape.has(node, FOREIGN) and isinstance(node.target, cst.Name):
            self.on_bind(node.target.value, node.value, node, ctx, augmented=True)
            self.locals[node.target.value] = Local(None)

    def visit_NamedExpr(self, node: cst.NamedExpr, ctx) -> None:
        if self.active(ctx) and not self.shape.has(node, FOREIGN):
            self._assign_target(node.target, node.value, node, ctx)

    def visit_For(self, node: cst.For, ctx) -> None:
        if self.active(ctx) and not self.shape.has(node, FOREIGN):
            self._assign_target(node.target, None, node, ctx)

    def visit_WithItem(self, node: cst.WithItem, ctx) -> None:
        if node.asname is None or not self.active(ctx) or self.shape.has(node, FOREIGN):
            return
        target = node.asname.name
        if isinstance(target, cst.Name):
            self.on_bind(target.value, None, node, ctx)
            self.locals[target.value] = Local(node.item, with_item=True)
        else:
            self._assign_target(target, None, node, ctx)

    def _assign_target(self, target: cst.BaseExpression, value, node: cst.CSTNode, ctx) -> None:
        if isinstance(target, cst.Name):
            name = target.value
            self.on_bind(name, value, node, ctx)
            self.header_marks.pop(name, None)
            conditional = self.shape.has(node, BRANCH | LOOP) and name in self.locals
            if conditional or value is None:
                self.locals[name] = Local(None)
            else:
                self.locals[name] = Local(value)
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._assign_target(element.value, None, node, ctx)
        elif isinstance(target, cst.StarredElement):
            self._assign_target(target.value, None, node, ctx)
        else:
            if isinstance(target, cst.Subscript) and len(target.slice) == 1:
                index = target.slice[0].slice
                if isinstance(index, cst.Index):
                    self._mark_headers(target.value, self._key_state(index.value, ctx))
            self.on_store(target, value, node, ctx)

    def _module_assign(self, node: cst.Assign, ctx) -> None:
        if not ctx.in_module_scope or len(node.targets) != 1:
            return
        target = node.targets[0].target
        if isinstance(target, cst.Name):
            found = ctx.lookup(target.value)
            if found is not None and found[0] == "module":
                name = target.value
                self.module_values[name] = None if name in self.module_values else node.value

    # -- headers changed in place -------------------------------------------------------------

    def track_header_changes(self, node: cst.Call, ctx) -> None:
        """`h.update({...})`, `h.setdefault(k, v)`, `req.add_header(k, v)`,
        `session.headers.update(...)`: remember whether they add an idempotency key."""
        method = method_name(node)
        if method == "update":
            states = []
            for arg in node.args:
                if arg.star:
                    states.append(UNKNOWN)
                elif arg.keyword is not None:
                    if arg.keyword.value.replace("_", "-").lower() in self.header_names:
                        states.append(KEYED)
                else:
                    states.append(self.headers_state(arg.value, ctx))
            self._mark_headers(node.func.value, combine(states))
        elif method in ("setdefault", "add_header", "putheader", "add_unredirected_header"):
            self._mark_headers(node.func.value, self._key_state(argument(node, 0, "key"), ctx))

    def _key_state(self, key: cst.BaseExpression | None, ctx) -> str:
        text = self.text(key, ctx)
        if text is None or INTERPOLATION in text:
            return UNKNOWN
        return KEYED if text.lower() in self.header_names else UNKEYED

    def _mark_headers(self, owner: cst.BaseExpression, state: str) -> None:
        if isinstance(owner, cst.Attribute) and owner.attr.value == "headers":
            owner = owner.value  # session.headers: the session's default headers
        if state == UNKEYED or not isinstance(owner, cst.Name):
            return
        if self.header_marks.get(owner.value) != KEYED:
            self.header_marks[owner.value] = state

    def on_bind(self, name: str, value, node: cst.CSTNode, ctx, augmented: bool = False) -> None:
        """A local name is about to be (re)bound to `value` (None when unknowable)."""

    def on_store(self, target: cst.BaseExpression, value, node: cst.CSTNode, ctx) -> None:
        """An assignment to `x[k]` or `x.attr`."""

    # -- queries ------------------------------------------------------------------------------

    def value_of(self, node: cst.BaseExpression) -> cst.BaseExpression | None:
        """The expression a name was assigned in this function (or as a module constant)."""
        if not isinstance(node, cst.Name) or self.shape is None or self.shape.has(node, FOREIGN):
            return None
        local = self.locals.get(node.value)
        if local is not None:
            return None if local.with_item else local.value
        if node.value in self.module_values:
            found = self._ctx.lookup(node.value) if self._ctx is not None else None
            if found is not None and found[0] == "module":  # not a parameter that shadows it
                return self.module_values[node.value]
        return None

    def local(self, node: cst.BaseExpression) -> Local | None:
        if isinstance(node, cst.Name) and self.shape is not None and not self.shape.has(node, FOREIGN):
            return self.locals.get(node.value)
        return None

    def resolve(self, node: cst.BaseExpression, ctx) -> str | None:
        """`ctx.resolve`, and names bound by `with X() as name` stand for `X()`."""
        resolved = ctx.resolve(node)
        if resolved is not None:
            return resolved
        if isinstance(node, cst.Name):
            local = self.local(node)
            if local is not None and local.with_item and local.value is not None:
                return ctx.resolve(local.value)
        elif isinstance(node, cst.Attribute):
            base = self.resolve(node.value, ctx)
            return f"{base}.{node.attr.value}" if base else None
        elif isinstance(node, cst.Call):
            base = self.resolve(node.func, ctx)
            return f"{base}()" if base else None
        return None

    def text(self, node: cst.BaseExpression | None, ctx, depth: int = 0) -> str | None:
        """The literal text an expression stands for; parts that are not literal become
        INTERPOLATION. None when nothing of it is literal."""
        if node is None or depth > 8:
            return None
        if isinstance(node, cst.SimpleString):
            value = node.evaluated_value
            return value if isinstance(value, str) else value.decode("latin-1")
        if isinstance(node, cst.ConcatenatedString):
            left, right = self.text(node.left, ctx, depth + 1), self.text(node.right, ctx, depth + 1)
            return None if left is None or right is None else left + right
        if isinstance(node, cst.FormattedString):
            return "".join(
                part.value if isinstance(part, cst.FormattedStringText) else INTERPOLATION for part in node.parts
            )
        if isinstance(node, cst.BinaryOperation):
            if isinstance(node.operator, cst.Add):
                left, right = self.text(node.left, ctx, depth + 1), self.text(node.right, ctx, depth + 1)
                if left is None and right is None:
                    return None
                return (left or INTERPOLATION) + (right or INTERPOLATION)
            if isinstance(node.operator, cst.Modulo):
                return self.text(node.left, ctx, depth + 1)
            return None
        if isinstance(node, cst.Call):
            func = node.func
            if isinstance(func, cst.Attribute) and func.attr.value == "format":
                base = self.text(func.value, ctx, depth + 1)
                return None if base is None else re.sub(r"\{[^{}]*\}", INTERPOLATION, base)
            if self.resolve(func, ctx) in SQL_TEXT_CONSTRUCTORS:
                return self.text(argument(node, 0, "text", "sql", "obj"), ctx, depth + 1)
            return None
        if isinstance(node, cst.Name):
            return self.text(self.value_of(node), ctx, depth + 1)
        return None

    def dict_of(self, node: cst.BaseExpression | None) -> cst.Dict | None:
        """A dict literal, directly or through a name assigned one."""
        if isinstance(node, cst.Name):
            node = self.value_of(node)
        return node if isinstance(node, cst.Dict) else None

    # -- HTTP ---------------------------------------------------------------------------------

    def http_call(self, node: cst.Call, ctx) -> HttpCall | None:
        """A request through requests/httpx/aiohttp/http.client, with its method when known."""
        name = self.resolve(node.func, ctx)
        if name is None:
            return None
        owner, _, method = name.rpartition(".")
        if owner in HTTP_MODULES or owner in HTTP_CLIENTS:
            receiver = node.func.value if owner in HTTP_CLIENTS and isinstance(node.func, cst.Attribute) else None
            if method in ("post", "patch", "put", "delete", "get", "head", "options"):
                verb: str | None = method.upper()
                url = argument(node, 0, "url")
            elif method in ("request", "stream"):
                verb = _verb(self.text(argument(node, 0, "method"), ctx))
                url = argument(node, 1, "url")
            else:
                return None
            return HttpCall(node, verb, name, keyword(node, "headers"), receiver, url)
        if owner in HTTP_CONNECTIONS and method == "request":
            verb = _verb(self.text(argument(node, 0, "method"), ctx))
            return HttpCall(node, verb, name, argument(node, 3, "headers"), None, argument(node, 1, "url"))
        return None

    def headers_state(self, node: cst.BaseExpression | None, ctx, depth: int = 0) -> str:
        """Whether a headers expression carries an idempotency key: KEYED, UNKEYED or UNKNOWN."""
        if node is None or (isinstance(node, cst.Name) and node.value == "None"):
            return UNKEYED
        if depth > 8:
            return UNKNOWN
        if isinstance(node, cst.Dict):
            states = []
            for element in node.elements:
                if isinstance(element, cst.StarredDictElement):
                    states.append(self.headers_state(element.value, ctx, depth + 1))
                    continue
                key = self.text(element.key, ctx)
                if key is None or INTERPOLATION in key:
                    states.append(UNKNOWN)
                elif key.lower() in self.header_names:
                    states.append(KEYED)
            return combine(states)
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.BitOr):
            return combine([self.headers_state(node.left, ctx, depth + 1), self.headers_state(node.right, ctx, depth + 1)])
        if isinstance(node, cst.Call) and ctx.resolve(node.func) == "builtins.dict":
            states = []
            for arg in node.args:
                if arg.keyword is not None:
                    if arg.keyword.value.replace("_", "-").lower() in self.header_names:
                        states.append(KEYED)
                else:
                    states.append(UNKNOWN if arg.star else self.headers_state(arg.value, ctx, depth + 1))
            return combine(states)
        if isinstance(node, cst.Name):
            mark = self.header_marks.get(node.value) if self.local(node) is not None else None
            if mark is not None:
                return mark
            value = self.value_of(node)
            return UNKNOWN if value is None else self.headers_state(value, ctx, depth + 1)
        return UNKNOWN

    def client_headers_state(self, receiver: cst.BaseExpression | None, ctx) -> str:
        """The default headers of the client a request is sent through: KEYED or UNKNOWN when
        it was created in this function with headers (or hooks) that may carry a key."""
        local = self.local(receiver) if receiver is not None else None
        if local is None:
            return UNKEYED
        mark = self.header_marks.get(receiver.value)
        if mark is not None:
            return mark
        constructor = local.value
        if not isinstance(constructor, cst.Call):
            return UNKEYED
        if any(arg.star for arg in constructor.args) or keyword(constructor, "event_hooks") or keyword(constructor, "auth"):
            return UNKNOWN
        return self.headers_state(keyword(constructor, "headers"), ctx)


class StoreFlowRule(ActivityFlowRule):
    """Base of the rules about writes to databases and stores (DET302, DET305): what the
    function did before a write, to tell a write guarded by a dedup record from a bare one.

    * a dedup step: an INSERT that ignores conflicts, an insert inside a `try` that catches
      duplicate-key errors, a Redis `SET ... NX`/`SETNX`/`SADD`;
    * a check: a SQL SELECT, a Redis or Mongo read; it guards the writes under an `if` and,
      once an `if` after it (or testing it) exits early (return/raise), the writes that follow.
    """

    def reset(self) -> None:
        self.dedup_seen = False
        self.check_seen = False
        self.exit_after_check = False

    def visit_If(self, node: cst.If, ctx) -> None:
        if not self.active(ctx):
            return
        exits = _exits(node.body) or (isinstance(node.orelse, cst.Else) and _exits(node.orelse.body))
        if exits and (self.check_seen or any(self._is_check(n, ctx) for n in expressions(node.test))):
            self.exit_after_check = True

    def sql_of(self, node: cst.Call, ctx) -> list[str] | None:
        """The statements a call runs, when it runs SQL text."""
        if method_name(node) not in SQL_METHODS:
            return None
        text = self.text(argument(node, 0, *SQL_KEYWORDS), ctx)
        return sql_statements(text) if text is not None else None

    def observe(self, node: cst.Call, ctx) -> tuple[list[str] | None, bool]:
        """(the SQL statements of the call or None, whether a dedup step or check guards it);
        then records what the call itself does."""
        shape = self.shape
        in_try = shape.has(node, DUPLICATE_GUARDED)
        checked = self.check_seen and (shape.has(node, BRANCH) or self.exit_after_check)
        guarded = in_try or self.dedup_seen or checked
        statements = self.sql_of(node, ctx)
        if statements is not None:
            if any(ignores_conflict(s) or (in_try and is_insert(s)) for s in statements):
                self.dedup_seen = True
        elif method_name(node) is not None:
            method = method_name(node)
            name = self.resolve(node.func, ctx) or ""
            if name.startswith(REDIS_PREFIXES):
                if method in ("setnx", "hsetnx", "sadd") or (method == "set" and is_constant(keyword(node, "nx"), "True")):
                    self.dedup_seen = True
            elif method in ("insert_one", "insert_many") and in_try:
                self.dedup_seen = True
        if self._is_check(node, ctx, statements):
            self.check_seen = True
        return statements, guarded

    def _is_check(self, node: cst.CSTNode, ctx, statements: list[str] | None = None) -> bool:
        """A read that can tell whether the operation already happened."""
        if not isinstance(node, cst.Call):
            return False
        method = method_name(node)
        if method in SQL_METHODS:
            statements = statements if statements is not None else self.sql_of(node, ctx)
            return any(is_select(s) for s in statements or ())
        if method in REDIS_READS:
            return (self.resolve(node.func, ctx) or "").startswith(REDIS_PREFIXES)
        return method in ("find_one", "count_documents")


REDIS_PREFIXES = ("redis.", "aioredis.", "valkey.", "coredis.")
REDIS_READS = frozenset({"get", "exists", "sismember", "hexists", "hget"})


def _exits(block: cst.BaseSuite) -> bool:
    lines = block.body if isinstance(block, cst.IndentedBlock) else [block]
    for line in lines:
        if isinstance(line, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
            if any(isinstance(s, (cst.Return, cst.Raise, cst.Continue, cst.Break)) for s in line.body):
                return True
    return False


@dataclass
class HttpCall:
    node: cst.Call
    verb: str | None  # POST, PATCH, ...; None when the method is not a literal
    name: str  # the resolved callee
    headers: cst.BaseExpression | None  # the headers argument, None when absent
    receiver: cst.BaseExpression | None  # the client a method is called on
    url: cst.BaseExpression | None

    @property
    def starred(self) -> bool:
        return any(arg.star for arg in self.node.args)


HTTP_MODULES = frozenset({"requests", "requests.api", "httpx", "aiohttp"})
HTTP_CLIENTS = frozenset(
    {
        "requests.Session()",
        "requests.session()",
        "requests.sessions.Session()",
        "httpx.Client()",
        "httpx.AsyncClient()",
        "aiohttp.ClientSession()",
        "aiohttp.client.ClientSession()",
    }
)
HTTP_CONNECTIONS = frozenset({"http.client.HTTPConnection()", "http.client.HTTPSConnection()"})
WRITE_VERBS = frozenset({"POST", "PATCH"})

SQL_TEXT_CONSTRUCTORS = frozenset(
    {
        "sqlalchemy.text",
        "sqlalchemy.sql.text",
        "sqlalchemy.sql.expression.text",
        "psycopg.sql.SQL",
        "psycopg2.sql.SQL",
    }
)
# Methods that run a statement given as their first argument (DB-API, sqlite3, asyncpg,
# aiosqlite, SQLAlchemy connections and sessions).
SQL_METHODS = frozenset(
    {"execute", "executemany", "executescript", "exec_driver_sql", "fetch", "fetchrow", "fetchval"}
)
SQL_KEYWORDS = ("sql", "query", "statement", "operation", "sql_script", "stmt")


def _verb(text: str | None) -> str | None:
    return text.upper() if text and INTERPOLATION not in text else None


def combine(states: Iterable[str]) -> str:
    states = list(states)
    if KEYED in states:
        return KEYED
    return UNKNOWN if UNKNOWN in states else UNKEYED


def argument(node: cst.Call, position: int | None, *keywords: str) -> cst.BaseExpression | None:
    """The value of a call's argument by keyword, else by position (None when absent or when
    a `*args` comes first)."""
    for arg in node.args:
        if arg.keyword is not None and arg.keyword.value in keywords:
            return arg.value
    if position is None:
        return None
    index = 0
    for arg in node.args:
        if arg.keyword is not None or arg.star == "**":
            break
        if arg.star:
            return None
        if index == position:
            return arg.value
        index += 1
    return None


def keyword(node: cst.Call, name: str) -> cst.BaseExpression | None:
    return argument(node, None, name)


def positional(node: cst.Call) -> list[cst.BaseExpression]:
    values = []
    for arg in node.args:
        if arg.keyword is not None or arg.star:
            break
        values.append(arg.value)
    return values


def method_name(node: cst.Call) -> str | None:
    return node.func.attr.value if isinstance(node.func, cst.Attribute) else None


def expressions(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """`node` and the nodes that are evaluated as part of it: not attribute names, keyword
    names, or the bodies of lambdas."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        if isinstance(current, cst.Lambda):
            continue
        if isinstance(current, cst.Attribute):
            stack.append(current.value)
        elif isinstance(current, cst.Arg):
            stack.append(current.value)
        else:
            stack.extend(child_nodes(current))


# -- SQL ----------------------------------------------------------------------------------------

_SQL_NOISE = re.compile(r"'(?:[^']|'')*'|--[^\n]*|/\*.*?\*/", re.DOTALL)
_INSERT = re.compile(r"\s*(?:WITH\b.*)?\bINSERT\b", re.IGNORECASE | re.DOTALL)
_CONFLICT_HANDLING = re.compile(
    r"\bON\s+CONFLICT\b|\bON\s+DUPLICATE\s+KEY\b|\bINSERT\s+(?:OR\s+(?:IGNORE|REPLACE)|IGNORE)\b"
    r"|\bWHERE\s+NOT\s+EXISTS\b",
    re.IGNORECASE,
)
_IGNORING_CONFLICT = re.compile(
    r"\bDO\s+NOTHING\b|\bINSERT\s+(?:OR\s+IGNORE|IGNORE)\b|\bWHERE\s+NOT\s+EXISTS\b", re.IGNORECASE
)
_ROWS_START = re.compile(r"\b(?:VALUES|SELECT)\b", re.IGNORECASE)
_SET_CLAUSE = re.compile(
    r"\b(?:SET|ON\s+DUPLICATE\s+KEY\s+UPDATE)\b(?P<body>.*?)(?=\bWHERE\b|\bRETURNING\b|\bFROM\b|\bON\s+CONFLICT\b|$)",
    re.IGNORECASE | re.DOTALL,
)
_WHERE = re.compile(r"\bWHERE\b(?P<where>.*?)(?=\bRETURNING\b|$)", re.IGNORECASE | re.DOTALL)
_WHERE_GUARD = re.compile(r"\bNOT\s+EXISTS\b|\bNOT\s+IN\b|<>|!=|\bIS\s+DISTINCT\s+FROM\b", re.IGNORECASE)
_NEW_VALUE = re.compile(r"\bEXCLUDED\s*\.\s*[\"`\[]?\w+[\"`\]]?|\bVALUES\s*\([^)]*\)", re.IGNORECASE)
_PLACEHOLDER = re.compile(r"%\(\w+\)s|(?<!:):\w+|@\w+|\$\d+")
_ARITHMETIC = re.compile(r"[-+*/]|\|\||\b(?:CONCAT|ARRAY_APPEND|ARRAY_CAT|JSON_ARRAY_APPEND)\s*\(", re.IGNORECASE)
_INSERT_COLUMNS = re.compile(
    r"\bINTO\s+[^\s(]+\s*\((?P<columns>[^)]*)\)\s*VALUES\s*\((?P<values>[^)]*)\)", re.IGNORECASE
)
_SELECT = re.compile(r"\s*(?:WITH\b.*)?\bSELECT\b", re.IGNORECASE | re.DOTALL)


def sql_statements(text: str) -> list[str]:
    """The statements of a SQL text, without comments and with string literals emptied."""
    cleaned = _SQL_NOISE.sub(lambda m: "''" if m.group(0).startswith("'") else " ", text)
    return [s for s in (part.strip() for part in cleaned.split(";")) if s]


def is_insert(statement: str) -> bool:
    return bool(_INSERT.match(statement))


def is_select(statement: str) -> bool:
    return bool(_SELECT.match(statement)) and not is_insert(statement)


def handles_conflict(statement: str) -> bool | None:
    """Whether an INSERT says what happens on a duplicate key; None when a part that is not
    literal could say it (an interpolation after the rows, outside parentheses)."""
    if _CONFLICT_HANDLING.search(statement):
        return True
    start = _ROWS_START.search(statement)
    depth = 0
    for char in statement[start.start() if start else 0 :]:
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == INTERPOLATION and depth <= 0:
            return None
    return False


def ignores_conflict(statement: str) -> bool:
    """An INSERT that does nothing when the row exists: a dedup record."""
    return is_insert(statement) and bool(_IGNORING_CONFLICT.search(statement))


def relative_assignments(statement: str) -> list[str]:
    """`n = n + 1` assignments of UPDATE ... SET, ON CONFLICT DO UPDATE SET and ON DUPLICATE
    KEY UPDATE that no guard in the WHERE clause protects."""
    found: list[str] = []
    assigned: list[str] = []
    for clause in _SET_CLAUSE.finditer(statement):
        for assignment in _split_top_level(clause.group("body")):
            column, equals, value = assignment.partition("=")
            if not equals:
                continue
            column = _column(column)
            if not column:
                continue
            assigned.append(column)
            value = _PLACEHOLDER.sub("?", _NEW_VALUE.sub("?", value))
            if _references(value, column) and _ARITHMETIC.search(value):
                found.append(f"{column} = {' '.join(value.split())}")
    if not found:
        return []
    clauses = list(_SET_CLAUSE.finditer(statement))
    where = _WHERE.search(statement, clauses[-1].end())
    if where is not None:
        condition = where.group("where")
        if _WHERE_GUARD.search(condition) or any(_references(condition, c) for c in assigned):
            return []
    return found


def insert_columns(statement: str) -> list[tuple[str, str]]:
    """(column, value) pairs of `INSERT INTO t (a, b) VALUES (?, ?)`; empty when they do
    not pair up."""
    match = _INSERT_COLUMNS.search(statement)
    if match is None:
        return []
    columns = [_column(c) for c in match.group("columns").split(",")]
    values = [v.strip() for v in match.group("values").split(",")]
    return list(zip(columns, values)) if len(columns) == len(values) else []


def _split_top_level(text: str) -> list[str]:
    parts, depth, current = [], 0, []
    for char in text:
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        if char == "," and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


def _column(text: str) -> str:
    name = text.strip().rsplit(".", 1)[-1]
    return name.strip("\"`[] \n\t")


def _references(text: str, column: str) -> bool:
    pattern = rf"(?<![\w$]){re.escape(column)}(?!\w)|[\"`\[]{re.escape(column)}[\"`\]]"
    return re.search(pattern, text, re.IGNORECASE) is not None


# -- names of keys ------------------------------------------------------------------------------


def normalized(name: str) -> str:
    return re.sub(r"[-_\s]", "", name).lower()


# Keyword arguments and dict keys that carry an idempotency or deduplication key.
KEY_NAMES = frozenset(
    {
        "idempotencykey",
        "idempotencytoken",
        "clienttoken",
        "clientrequesttoken",
        "messagededuplicationid",
        "deduplicationid",
        "deduplicationkey",
        "dedupkey",
        "dedupekey",
        "dedupid",
        "dedupeid",
    }
)
# `*_id` fields that name something per attempt by design (tracing, logging), not the record.
_PER_ATTEMPT_IDS = frozenset(
    {"trace", "span", "request", "correlation", "causation", "session", "parent", "log", "run", "attempt"}
)


def id_like(key: str) -> bool:
    """A field that identifies the record a write creates: `id`, `_id`, `order_id`, `orderId`."""
    if key.lower() in ("id", "_id"):
        return True
    match = re.fullmatch(r"(?P<stem>\w+?)(?:[_-]id|[_-]ID|Id|ID)", key)
    return match is not None and normalized(match.group("stem")) not in _PER_ATTEMPT_IDS




class CallName:
    """How a message names a call (`db.execute()`), rendered only when a finding is reported."""

    def __init__(self, node: cst.Call) -> None:
        self.node = node

    def __str__(self) -> str:
        return f"{short(self.node.func)}()"


def short(node: cst.CSTNode, limit: int = 60) -> str:
    text = " ".join(source_of(node).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
