from __future__ import annotations

from detlint.lazy import cst
from detlint.rules._idempotency import (
    FOREIGN,
    INTERPOLATION,
    KEY_NAMES,
    SQL_KEYWORDS,
    SQL_METHODS,
    ActivityFlowRule,
    argument,
    expressions,
    id_like,
    insert_columns,
    is_insert,
    method_name,
    normalized,
    positional,
    short,
    sql_statements,
)

_FRESH_CALLS = frozenset(
    {
        "uuid.uuid1",
        "uuid.uuid4",
        "uuid.uuid6",
        "uuid.uuid7",
        "os.urandom",
        "time.time",
        "time.time_ns",
        "time.monotonic",
        "time.monotonic_ns",
        "time.perf_counter",
        "time.perf_counter_ns",
        "datetime.datetime.now",
        "datetime.datetime.utcnow",
        "datetime.datetime.today",
        "pendulum.now",
        "arrow.now",
        "arrow.utcnow",
        "ulid.new",
        "nanoid.generate",
        "shortuuid.uuid",
        "shortuuid.random",
    }
)
_NO_ARGUMENT_FRESH_CALLS = frozenset({"ulid.ULID"})
_NOT_DRAWS = frozenset(
    {"random.Random", "random.seed", "random.getstate", "random.setstate", "random.SystemRandom", "secrets.compare_digest"}
)
_ATTEMPT = "temporalio.activity.info().attempt"
_HTTP_BODIES = ("json", "data", "content")
_WRITE_VERBS = frozenset({"POST", "PUT", "PATCH"})
_MONGO_INSERTS = frozenset({"insert_one", "insert_many", "replace_one"})
_SQL_PARAMETERS = ("parameters", "params", "args", "vars", "seq_of_parameters")


class FreshIdempotencyKey(ActivityFlowRule):
    """
    ## What it does
    Flags idempotency keys and record ids that an activity creates fresh on every attempt:
    a value from `uuid.uuid4()` (`uuid1`, `uuid6`, `uuid7`), `random`, `secrets`,
    `os.urandom`, the clock (`time.time()`, `datetime.now()`), a ULID or nanoid, or
    `activity.info().attempt`, that flows (through assignments, f-strings, concatenation,
    `str()`, dict values) into

    * an idempotency header (`Idempotency-Key`, configurable) in a dict, a
      `headers[...] = ...` assignment or `add_header(...)`;
    * an `idempotency_key=` argument, or another dedup key (`idempotency_key` in an options
      dict, `ClientToken`, `MessageDeduplicationId`);
    * the id field of a write: `id`, `_id` or `<name>_id` of a POST/PUT/PATCH body, of a
      Mongo document, or of the row an `INSERT` writes.

    The finding is reported where the fresh value is created. Tracing ids (`trace_id`,
    `request_id`, `span_id`, `correlation_id`) are per attempt by design and not flagged.

    ## Why is this bad?
    An idempotency key exists so that a retry is recognised as a repeat. One created inside
    the activity is new on every attempt: the server sees a different operation each time and
    performs it again. The same goes for the id of a record a write creates: a fresh id makes
    every attempt's insert a new row, `ON CONFLICT` never fires.

    ## What Temporal does
    - **Sandbox:** Does not apply: activities run outside the workflow sandbox, and nothing
      restricts their I/O.
    - **On replay:** Activities are never replayed: an attempt's result is recorded in history
      once. What repeats is a retry: after a failure, a timeout or a lost worker the server
      starts a new attempt, by default with no limit on attempts.
    - **What you would see:** A repeated operation the provider cannot recognise: no error at
      all.

    ## Example
    ```python
    import uuid

    import httpx
    from temporalio import activity


    @activity.defn
    async def charge(order: str, cents: int) -> None:
        key = str(uuid.uuid4())
        async with httpx.AsyncClient() as client:
            await client.post(
                "https://pay.example.com/charges",
                json={"order": order, "cents": cents},
                headers={"Idempotency-Key": key},
            )
    ```

    ## Use instead
    ```python
    import httpx
    from temporalio import activity


    @activity.defn
    async def charge(order: str, cents: int) -> None:
        info = activity.info()
        key = f"{info.workflow_id}/{info.activity_id}"
        async with httpx.AsyncClient() as client:
            await client.post(
                "https://pay.example.com/charges",
                json={"order": order, "cents": cents},
                headers={"Idempotency-Key": key},
            )
    ```
    The workflow id and the activity id stay the same across the attempts of one activity
    execution. A fresh id may also be created in the workflow with `workflow.uuid4()`
    (deterministic, recorded in history) and passed to the activity as input.

    ## Fix safety
    No fix is offered.
    """

    code = "DET303"
    name = "fresh-idempotency-key"
    summary = "Idempotency key or record id created fresh on every activity attempt"

    def __init__(self, settings) -> None:
        super().__init__(settings)
        self.key_names = KEY_NAMES | {normalized(h) for h in settings.idempotency_headers}
        self.fresh: dict[str, cst.CSTNode] = {}
        self.reported: set[int] = set()

    def reset(self) -> None:
        self.fresh = {}
        self.reported = set()

    # -- where fresh values come from ---------------------------------------------------------

    def on_bind(self, name, value, node, ctx, augmented=False) -> None:
        origin = self.origin(value, ctx) if value is not None else None
        if augmented and origin is None:
            origin = self.fresh.get(name)
        if origin is None:
            self.fresh.pop(name, None)
        else:
            self.fresh[name] = origin

    def origin(self, node: cst.CSTNode | None, ctx) -> cst.CSTNode | None:
        """The call (or `.attempt` read) that makes `node` fresh, if any."""
        if node is None:
            return None
        for current in expressions(node):
            if isinstance(current, cst.Name):
                if current.value in self.fresh and not self.shape.has(current, FOREIGN):
                    return self.fresh[current.value]
            elif isinstance(current, cst.Call):
                if self._is_fresh_call(current, ctx):
                    return current
            elif isinstance(current, cst.Attribute) and current.attr.value == "attempt":
                if self.resolve(current, ctx) == _ATTEMPT:
                    return current
        return None

    def _is_fresh_call(self, node: cst.Call, ctx) -> bool:
        name = self.resolve(node.func, ctx)
        if name is None or name in _NOT_DRAWS:
            return False
        if name in _FRESH_CALLS or (name in _NO_ARGUMENT_FRESH_CALLS and not node.args):
            return True
        if name.startswith("random.SystemRandom()."):
            return True
        module, _, rest = name.partition(".")
        return module in ("random", "secrets") and rest != "" and "()" not in rest

    # -- where they must not go ---------------------------------------------------------------

    def visit_Dict(self, node: cst.Dict, ctx) -> None:
        if not self.active(ctx):
            return
        for element in node.elements:
            if isinstance(element, cst.DictElement):
                key = self.text(element.key, ctx)
                if key is not None and normalized(key) in self.key_names:
                    self._check(element.value, f"the `{key}` entry", ctx)

    def on_store(self, target, value, node, ctx) -> None:
        if isinstance(target, cst.Subscript) and len(target.slice) == 1 and isinstance(target.slice[0].slice, cst.Index):
            key = self.text(target.slice[0].slice.value, ctx)
            if key is not None and normalized(key) in self.key_names:
                self._check(value, f"the `{key}` entry", ctx)

    def visit_Call(self, node: cst.Call, ctx) -> None:
        if not self.active(ctx):
            return
        for arg in node.args:
            if arg.keyword is not None and normalized(arg.keyword.value) in self.key_names:
                self._check(arg.value, f"`{arg.keyword.value}=`", ctx)
        method = method_name(node)
        if method in ("add_header", "putheader", "add_unredirected_header", "setdefault"):
            key = self.text(argument(node, 0, "key"), ctx)
            if key is not None and normalized(key) in self.key_names:
                self._check(argument(node, 1, "val", "value", "default"), f"the `{key}` header", ctx)
        http = self.http_call(node, ctx)
        if http is not None:
            if http.verb in _WRITE_VERBS:
                for body in _HTTP_BODIES:
                    self._check_record(self.dict_of(argument(node, None, body)), f"{http.verb} body", ctx)
        elif method in SQL_METHODS:
            self._check_insert(node, ctx)
        elif method in _MONGO_INSERTS:
            documents = argument(node, 1 if method == "replace_one" else 0, "document", "documents", "replacement")
            if isinstance(documents, cst.List):
                for element in documents.elements:
                    self._check_record(self.dict_of(element.value), "document", ctx)
            else:
                self._check_record(self.dict_of(documents), "document", ctx)

    def _check_record(self, record: cst.Dict | None, what: str, ctx) -> None:
        if record is None:
            return
        for element in record.elements:
            if isinstance(element, cst.DictElement):
                key = self.text(element.key, ctx)
                if key is not None and INTERPOLATION not in key and id_like(key):
                    self._check(element.value, f"the `{key}` field of a {what}", ctx)

    def _check_insert(self, node: cst.Call, ctx) -> None:
        text = self.text(argument(node, 0, *SQL_KEYWORDS), ctx)
        if text is None:
            return
        for statement in sql_statements(text):
            if not is_insert(statement):
                continue
            columns = insert_columns(statement)
            pairs = [(c, v) for c, v in columns if id_like(c)]
            if not pairs:
                continue
            arguments = positional(node)
            parameters = argument(node, 1, *_SQL_PARAMETERS)
            if isinstance(parameters, cst.Name):
                parameters = self.value_of(parameters)
            ordered = [e.value for e in parameters.elements] if isinstance(parameters, (cst.Tuple, cst.List)) else None
            named = parameters if isinstance(parameters, cst.Dict) else None
            for column, value in pairs:
                expression = None
                if value.startswith("$") and value[1:].isdigit():  # asyncpg: execute(sql, *values)
                    index = int(value[1:])
                    expression = arguments[index] if index < len(arguments) else None
                elif value in ("?", "%s") and ordered is not None:
                    index = _nth(columns, column)
                    expression = ordered[index] if index is not None and index < len(ordered) else None
                elif named is not None and (value.startswith(":") or value.startswith("%(")):
                    wanted = value.strip(":%()s") if value.startswith("%(") else value[1:]
                    expression = next(
                        (e.value for e in named.elements if isinstance(e, cst.DictElement) and self.text(e.key, ctx) == wanted),
                        None,
                    )
                self._check(expression, f"the `{column}` column of an INSERT", ctx)

    def _check(self, value: cst.BaseExpression | None, sink: str, ctx) -> None:
        origin = self.origin(value, ctx)
        if origin is None or id(origin) in self.reported:
            return
        self.reported.add(id(origin))
        leaf = f"{short(origin.func)}()" if isinstance(origin, cst.Call) else short(origin)
        ctx.report(
            self,
            origin,
            f"`{leaf}` is new on every attempt and flows into {sink}, so a retried attempt is not recognised "
            "as a repeat",
            "derive it from `activity.info()` (workflow id + activity id) or from the activity's input",
            leaf,
        )


def _nth(pairs: list[tuple[str, str]], column: str) -> int | None:
    """The index among positional placeholders of the value of `column`."""
    index = 0
    for name, value in pairs:
        if value in ("?", "%s"):
            if name == column:
                return index
            index += 1
    return None
