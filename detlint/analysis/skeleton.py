"""Command skeletons of workflow classes: what the server compares when it replays a history.

A purpose-built walk over the methods of a module's workflow classes (and the module's
functions they call), run inside the extraction pass so that names resolve through the
module's scopes. Its product is plain JSON-serialisable data, recorded in
`ModuleFacts.workflow_skeletons`, one dict per workflow class:

    {"type": "Orders", "class": "OrderWorkflow", "qualname": "app.wf.OrderWorkflow",
     "line": 12, "column": 7, "type_line": 11, "type_column": 1,
     "run": {"params": [{"name": "order", "default": false}], "star": false,
             "line": 20, "column": 15, "end": 40},
     "handlers": [{"kind": "signal", "name": "approve", "line": 30, "column": 9, "end": 32,
                   "commands": [...]}],
     "commands": [...]}

`commands` lists what the run method does, in the order the code does it, helpers of the
class and module-level functions of the module inlined:

    {"op": "activity" | "local_activity", "ref": "app.acts.charge" | None, "name": "charge" | None}
    {"op": "child", "ref": ..., "name": ..., "id": true | false | null}   (null: unknown)
    {"op": "sleep", "timer": bool}          (`asyncio.sleep(0)` starts no timer)
    {"op": "wait", "timer": bool | null}     (`wait_condition` with a timeout starts one)
    {"op": "signal_external" | "cancel_external" | "continue_as_new"
           | "upsert_search_attributes" | "upsert_memo"}
    {"op": "random"}                        (a draw from the workflow's random stream)
    {"op": "patch", "id": "x" | None, "blocks": [then, else]}
    {"op": "deprecate_patch", "id": "x" | None}
    {"op": "if" | "loop" | "try" | "match", "blocks": [[...], ...]}
    {"op": "call", "target": "pkg.mod.helper" | "?"}   (an awaited call detlint cannot see into)

Every node carries the `line` and `column` (1-based) where it starts. Activity and child
references are resolved to type names later, over the whole project
(detlint/versioning/resolve.py). Analysed code is never imported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from detlint.analysis.nodes import child_nodes
from detlint.analysis.scopes import is_constant
from detlint.frameworks import temporal
from detlint.lazy import cst
from detlint.model import Range

Node = dict[str, Any]
Block = list[Node]
Resolve = Callable[[Optional["cst.BaseExpression"]], Optional[str]]
Locate = Callable[["cst.CSTNode"], Range]

MAX_INLINE_DEPTH = 8
HANDLER_KINDS = {temporal.WORKFLOW_SIGNAL: "signal", temporal.WORKFLOW_QUERY: "query", temporal.WORKFLOW_UPDATE: "update"}
# Awaited calls into these never issue commands by themselves (commands go through
# `temporalio.workflow`, which the walk recognises).
LIBRARY_PREFIXES = ("asyncio.", "temporalio.", "builtins.", "typing.", "contextlib.")


@dataclass
class _Method:
    node: cst.FunctionDef
    qualname: str
    decorators: list[tuple[str | None, cst.Decorator]]


@dataclass
class _WorkflowClass:
    node: cst.ClassDef
    qualname: str
    type_name: str
    type_at: cst.CSTNode
    methods: dict[str, _Method] = field(default_factory=dict)  # method name -> method


class SkeletonBuilder:
    """Driven by the extractor: `start` when the module's names are known, `function` when a
    function's body scope is complete, `finish` at the end of the module."""

    def __init__(self, module: str, resolve: Resolve, locate: Locate) -> None:
        self.module = module
        self.resolve = resolve
        self.locate = locate
        self.classes: list[_WorkflowClass] = []
        self.functions: dict[int, str] = {}  # id(FunctionDef) -> qualname, for the ones to walk
        self.module_functions: set[str] = set()
        self.blocks: dict[str, Block] = {}  # function qualname -> its raw block
        self.explicit_names: dict[str, str] = {}

    # -- driven by the extractor --------------------------------------------------------------

    def start(self, module: cst.Module) -> None:
        top_functions: list[cst.FunctionDef] = []
        for statement in module.body:
            if isinstance(statement, cst.FunctionDef):
                top_functions.append(statement)
                self._explicit_name(statement, f"{self.module}.{statement.name.value}")
            elif isinstance(statement, cst.ClassDef):
                self._class(statement)
        if self.classes:
            for function in top_functions:
                qualname = f"{self.module}.{function.name.value}"
                self.functions[id(function)] = qualname
                self.module_functions.add(qualname)

    def function(self, node: cst.FunctionDef) -> None:
        qualname = self.functions.get(id(node))
        if qualname is not None:
            self.blocks[qualname] = _Walker(self).block(node.body)

    def finish(self) -> list[Node]:
        return [skeleton for cls in self.classes if (skeleton := self._assemble(cls)) is not None]

    # -- classes ------------------------------------------------------------------------------

    def _class(self, node: cst.ClassDef) -> None:
        qualname = f"{self.module}.{node.name.value}"
        self._explicit_name(node, qualname)
        methods: dict[str, _Method] = {}
        for statement in node.body.body:
            if isinstance(statement, cst.FunctionDef):
                method_qualname = f"{qualname}.{statement.name.value}"
                self._explicit_name(statement, method_qualname)
                decorators = [(self._decorator_name(d), d) for d in statement.decorators]
                methods[statement.name.value] = _Method(statement, method_qualname, decorators)
        if not any(name == temporal.WORKFLOW_RUN for m in methods.values() for name, _ in m.decorators):
            return
        type_name, type_at = node.name.value, node.name
        for decorator in node.decorators:
            keywords = _keywords(decorator.decorator)
            if is_constant(keywords.get("dynamic"), "True"):
                return  # a dynamic workflow takes any type name: nothing to compare
            if "name" in keywords:
                literal = _string(keywords["name"])
                if literal is None:
                    return  # a computed type name: unknown
                type_name, type_at = literal, decorator
        cls = _WorkflowClass(node, qualname, type_name, type_at, methods)
        self.classes.append(cls)
        for method in methods.values():
            self.functions[id(method.node)] = method.qualname

    def _explicit_name(self, node: cst.FunctionDef | cst.ClassDef, qualname: str) -> None:
        """`@activity.defn(name="charge")`: the type name a definition registers under."""
        for decorator in node.decorators:
            literal = _string(_keywords(decorator.decorator).get("name"))
            if literal is not None:
                self.explicit_names.setdefault(qualname, literal)
                return

    def _decorator_name(self, decorator: cst.Decorator) -> str | None:
        expression = decorator.decorator
        return self.resolve(expression.func if isinstance(expression, cst.Call) else expression)

    def _assemble(self, cls: _WorkflowClass) -> Node | None:
        run = next((m for m in cls.methods.values() if any(n == temporal.WORKFLOW_RUN for n, _ in m.decorators)), None)
        if run is None:
            return None
        params = run.node.params
        positional = [*params.posonly_params, *params.params][1:]  # without self
        handlers: list[Node] = []
        for method in cls.methods.values():
            for name, decorator in method.decorators:
                kind = HANDLER_KINDS.get(name or "")
                if kind is None:
                    continue
                keywords = _keywords(decorator.decorator)
                if is_constant(keywords.get("dynamic"), "True"):
                    break
                explicit = _string(keywords.get("name"))
                if "name" in keywords and explicit is None:
                    break  # a computed name
                handlers.append(
                    {
                        "kind": kind,
                        "name": explicit or method.node.name.value,
                        **self._at(decorator if explicit else method.node.name),
                        "end": self.locate(method.node).end.line,
                        "commands": self._inline(self.blocks.get(method.qualname, []), (method.qualname,)),
                    }
                )
                break
        type_at = self._at(cls.type_at)
        return {
            "type": cls.type_name,
            "class": cls.node.name.value,
            "qualname": cls.qualname,
            **self._at(cls.node.name),
            "type_line": type_at["line"],
            "type_column": type_at["column"],
            "run": {
                "params": [{"name": p.name.value, "default": p.default is not None} for p in positional],
                "star": isinstance(params.star_arg, cst.Param),
                **self._at(run.node.name),
                "end": self.locate(run.node).end.line,
            },
            "handlers": handlers,
            "commands": self._inline(self.blocks.get(run.qualname, []), (run.qualname,)),
        }

    def _inline(self, block: Block, stack: tuple[str, ...]) -> Block:
        """Calls of the class's helpers and the module's functions replaced by what they do."""
        out: Block = []
        for node in block:
            if node["op"] == "call":
                target = node["target"]
                if target in self.blocks and target not in stack and len(stack) < MAX_INLINE_DEPTH:
                    out.extend(self._inline(self.blocks[target], (*stack, target)))
                elif node.get("awaited"):
                    out.append({"op": "call", "target": target, "line": node["line"], "column": node["column"]})
            elif "blocks" in node:
                out.append({**node, "blocks": [self._inline(b, stack) for b in node["blocks"]]})
            else:
                out.append(node)
        return out

    def inline_target(self, name: str) -> str | None:
        """The qualname of a helper whose commands can be inlined, for a called name."""
        if name in self.module_functions:
            return name
        for cls in self.classes:
            for prefix in (f"{cls.qualname}().", f"{cls.qualname}."):
                method = name.removeprefix(prefix)
                if method != name and method in cls.methods:
                    return cls.methods[method].qualname
        return None

    def _at(self, node: cst.CSTNode) -> Node:
        start = self.locate(node).start
        return {"line": start.line, "column": start.column}


class _Walker:
    """Turns statements into a block of command nodes, in evaluation order."""

    def __init__(self, builder: SkeletonBuilder) -> None:
        self.builder = builder
        self.resolve = builder.resolve

    def block(self, body: cst.BaseSuite | cst.CSTNode) -> Block:
        out: Block = []
        for statement in getattr(body, "body", ()):
            self.statement(statement, out)
        return out

    def statement(self, node: cst.CSTNode, out: Block) -> None:
        if isinstance(node, cst.SimpleStatementLine):
            for small in node.body:
                self.expression(small, out)
        elif isinstance(node, cst.If):
            self.if_(node, out)
        elif isinstance(node, cst.For):
            self.expression(node.iter, out)
            self.compound("loop", node, [self.block(node.body), self.block(node.orelse.body) if node.orelse else []], out)
        elif isinstance(node, cst.While):
            test: Block = []
            self.expression(node.test, test)
            body = [*test, *self.block(node.body)]
            self.compound("loop", node, [body, self.block(node.orelse.body) if node.orelse else []], out)
        elif isinstance(node, (cst.Try, cst.TryStar)):
            blocks = [self.block(node.body), *(self.block(h.body) for h in node.handlers)]
            blocks.append(self.block(node.orelse.body) if node.orelse else [])
            blocks.append(self.block(node.finalbody.body) if node.finalbody else [])
            self.compound("try", node, blocks, out)
        elif isinstance(node, cst.With):
            for item in node.items:
                self.expression(item.item, out)
            out.extend(self.block(node.body))
        elif isinstance(node, cst.Match):
            self.expression(node.subject, out)
            self.compound("match", node, [self.block(case.body) for case in node.cases], out)
        elif isinstance(node, (cst.FunctionDef, cst.ClassDef)):
            return  # defined here, run elsewhere (if at all)
        else:  # a small statement of a one-line suite (`if x: await a()`)
            self.expression(node, out)

    def if_(self, node: cst.If, out: Block) -> None:
        guard = self.patch_guard(node.test)
        then = self.block(node.body)
        orelse: Block = []
        if isinstance(node.orelse, cst.If):
            self.if_(node.orelse, orelse)
        elif isinstance(node.orelse, cst.Else):
            orelse = self.block(node.orelse.body)
        if guard is not None:
            call, patch_id, negated = guard
            blocks = [orelse, then] if negated else [then, orelse]
            out.append({"op": "patch", "id": patch_id, "blocks": blocks, **self.at(call)})
            return
        self.expression(node.test, out)
        self.compound("if", node, [then, orelse], out)

    def patch_guard(self, test: cst.BaseExpression) -> tuple[cst.Call, str | None, bool] | None:
        """`workflow.patched("x")`, `not workflow.patched("x")`, `workflow.patched("x") and ...`."""
        negated = False
        if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
            test, negated = test.expression, True
        elif isinstance(test, cst.BooleanOperation) and isinstance(test.operator, cst.And):
            test = test.left
        if isinstance(test, cst.Call) and self.resolve(test.func) == temporal.PATCHED:
            return test, _string(_argument(test, 0, "id")), negated
        return None

    def compound(self, op: str, node: cst.CSTNode, blocks: list[Block], out: Block) -> None:
        if any(blocks):
            out.append({"op": op, "blocks": blocks, **self.at(node)})

    def expression(self, node: cst.CSTNode, out: Block, awaited: bool = False) -> None:
        if type(node).__name__ in _INERT:
            return  # runs later, if at all, or calls nothing
        if isinstance(node, cst.Attribute):
            self.expression(node.value, out)
        elif isinstance(node, cst.Await):
            self.expression(node.expression, out, awaited=True)
        elif isinstance(node, cst.Call):
            self.call(node, out, awaited)
        elif isinstance(node, cst.IfExp):
            self.expression(node.test, out)
            then: Block = []
            orelse: Block = []
            self.expression(node.body, then, awaited)
            self.expression(node.orelse, orelse, awaited)
            self.compound("if", node, [then, orelse], out)
        elif isinstance(node, (cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp)):
            self.expression(node.for_in.iter, out)
            body: Block = []
            inner: cst.CompFor | None = node.for_in
            while inner is not None:
                if inner is not node.for_in:
                    self.expression(inner.iter, body)
                for condition in inner.ifs:
                    self.expression(condition.test, body)
                inner = inner.inner_for_in
            for element in (getattr(node, "elt", None), getattr(node, "key", None), getattr(node, "value", None)):
                if element is not None:
                    self.expression(element, body, awaited)
            self.compound("loop", node, [body], out)
        else:
            for child in child_nodes(node):
                self.expression(child, out)

    def call(self, node: cst.Call, out: Block, awaited: bool) -> None:
        name = self.resolve(node.func)
        combinator = name in temporal.TASK_COMBINATORS
        self.expression(node.func, out)
        for arg in node.args:
            self.expression(arg.value, out, awaited=combinator)
        if name is None:
            if awaited:
                out.append({"op": "call", "target": "?", "awaited": True, **self.at(node)})
            return
        at = self.at(node)
        if name in temporal.ACTIVITY_FUNCTIONS:
            op = "local_activity" if temporal.ACTIVITY_FUNCTIONS[name][0] else "activity"
            out.append({"op": op, **self.target(_argument(node, 0, "activity")), **at})
        elif name in temporal.CHILD_WORKFLOW_FUNCTIONS:
            out.append({"op": "child", **self.target(_argument(node, 0, "workflow")), "id": _has_id(node), **at})
        elif name == temporal.WORKFLOW_SLEEP:
            out.append({"op": "sleep", "timer": True, **at})
        elif name == temporal.ASYNCIO_SLEEP:
            out.append({"op": "sleep", "timer": not _is_zero(_argument(node, 0, "delay")), **at})
        elif name == temporal.WAIT_CONDITION:
            out.append({"op": "wait", "timer": _has_timeout(node), **at})
        elif name in temporal.PLAIN_COMMANDS:
            out.append({"op": temporal.PLAIN_COMMANDS[name], **at})
        elif _external_command(name):
            out.append({"op": f"{name.rpartition('.')[2]}_external", **at})
        elif name in temporal.RANDOM_DRAWS:
            out.append({"op": "random", **at})
        elif name == temporal.PATCHED:
            out.append({"op": "patch", "id": _string(_argument(node, 0, "id")), "blocks": [[], []], **at})
        elif name == temporal.DEPRECATE_PATCH:
            out.append({"op": "deprecate_patch", "id": _string(_argument(node, 0, "id")), **at})
        elif (target := self.builder.inline_target(name)) is not None:
            out.append({"op": "call", "target": target, "awaited": awaited, **at})
        elif awaited and not combinator and not name.startswith(LIBRARY_PREFIXES):
            out.append({"op": "call", "target": name, "awaited": True, **at})

    def target(self, expression: cst.BaseExpression | None) -> Node:
        """An activity or child workflow: a string type name, or the definition's resolved name."""
        literal = _string(expression)
        if literal is not None:
            return {"ref": None, "name": literal}
        return {"ref": self.resolve(expression) if expression is not None else None, "name": None}

    def at(self, node: cst.CSTNode) -> Node:
        return self.builder._at(node)


# Nodes the walk never enters or that issue no command, by LibCST class name.
_INERT = frozenset(
    {
        "Lambda",
        "FunctionDef",
        "ClassDef",
        "Name",
        "SimpleString",
        "Integer",
        "Float",
        "Imaginary",
        "Ellipsis",
        "Pass",
        "Break",
        "Continue",
        "Import",
        "ImportFrom",
        "Global",
        "Nonlocal",
    }
)


# -- small readers ------------------------------------------------------------------------------


def _keywords(expression: cst.BaseExpression) -> dict[str, cst.BaseExpression]:
    if not isinstance(expression, cst.Call):
        return {}
    return {arg.keyword.value: arg.value for arg in expression.args if arg.keyword is not None}


def _argument(call: cst.Call, index: int, keyword: str) -> cst.BaseExpression | None:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == keyword:
            return arg.value
    positional = [arg.value for arg in call.args if arg.keyword is None and not arg.star]
    return positional[index] if index < len(positional) else None


def _string(expression: cst.BaseExpression | None) -> str | None:
    if isinstance(expression, (cst.SimpleString, cst.ConcatenatedString)):
        value = expression.evaluated_value
        return value if isinstance(value, str) else None
    return None


def _is_zero(expression: cst.BaseExpression | None) -> bool:
    if isinstance(expression, (cst.Integer, cst.Float)):
        try:
            return float(expression.value.replace("_", "")) == 0
        except ValueError:
            return False
    return False


def _has_id(call: cst.Call) -> bool | None:
    """Whether a child workflow start passes its own `id=` (None: hidden in `**options`)."""
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == "id":
            return not is_constant(arg.value, "None")
    return None if any(arg.star == "**" for arg in call.args) else False


def _has_timeout(call: cst.Call) -> bool | None:
    """Whether a `wait_condition` starts a timer: a `timeout` that is not None."""
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == "timeout":
            return not is_constant(arg.value, "None")
    return None if any(arg.star == "**" for arg in call.args) else False


def _external_command(name: str) -> bool:
    owner, _, method = name.rpartition(".")
    return method in temporal.COMMAND_METHODS and owner in {f"{h}()" for h in temporal.EXTERNAL_HANDLES}
