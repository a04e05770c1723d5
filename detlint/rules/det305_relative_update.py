from __future__ import annotations

from detlint.lazy import cst
from detlint.rules._idempotency import (
    REDIS_PREFIXES,
    CallName,
    StoreFlowRule,
    argument,
    method_name,
    relative_assignments,
)

_REDIS_INCREMENTS = frozenset({"incr", "incrby", "incrbyfloat", "decr", "decrby", "hincrby", "hincrbyfloat", "zincrby"})
_MONGO_UPDATES = frozenset({"update_one", "update_many", "find_one_and_update"})
_MONGO_OPERATIONS = frozenset(
    {f"pymongo.{name}" for name in ("UpdateOne", "UpdateMany")}
    | {f"pymongo.operations.{name}" for name in ("UpdateOne", "UpdateMany")}
)
# Filter operators that make an update apply once per operation id
# (`{"_id": k, "applied": {"$ne": op}}` with `$push: {"applied": op}`).
_MONGO_GUARDS = frozenset({"$ne", "$nin", "$not", "$exists"})


class RelativeUpdate(StoreFlowRule):
    """
    ## What it does
    Flags relative writes to external stores from activity code, made without a dedup key:
    SQL `UPDATE ... SET n = n + 1` (also in `ON CONFLICT DO UPDATE` and `ON DUPLICATE KEY
    UPDATE`, and `||` appends), Redis `incr`/`incrby`/`decr`/`hincrby`/... (and
    `execute_command("INCR", ...)`), and MongoDB updates with `$inc`.

    Not flagged: an update whose `WHERE` clause guards it (`NOT EXISTS`, `NOT IN`, `<>`, or a
    compare-and-set on a column it assigns, such as `version = ?`); a Mongo filter with
    `$ne`/`$nin`/`$not`/`$exists`; and updates after a dedup step in the same function (an
    `INSERT ... ON CONFLICT DO NOTHING` of an operation id, a Redis `SET ... NX`, an insert
    that catches the duplicate-key error) or guarded by a check (a read, then the update under
    an `if` or after an early return).

    ## Why is this bad?
    Temporal retries an activity until it succeeds. An attempt that applied the increment and
    then failed is run again and applies it a second time: the balance is credited twice, the
    counter counts twice. Absolute writes (`SET n = ?`) repeat harmlessly; relative ones need
    an operation id recorded with the change.

    ## What Temporal does
    - **Sandbox:** Does not apply: activities run outside the workflow sandbox, and nothing
      restricts their I/O.
    - **On replay:** Activities are never replayed: an attempt's result is recorded in history
      once. What repeats is a retry: after a failure, a timeout or a lost worker the server
      starts a new attempt, by default with no limit on attempts.
    - **What you would see:** A counter or balance changed twice: no error at all.

    ## Example
    ```python
    import sqlite3

    from temporalio import activity


    @activity.defn
    def credit(db_path: str, account: str, cents: int) -> None:
        with sqlite3.connect(db_path) as db:
            db.execute("UPDATE accounts SET balance = balance + ? WHERE id = ?", (cents, account))
    ```

    ## Use instead
    ```python
    import sqlite3

    from temporalio import activity


    @activity.defn
    def credit(db_path: str, account: str, cents: int) -> None:
        info = activity.info()
        operation = f"{info.workflow_id}/{info.activity_id}"
        with sqlite3.connect(db_path) as db:
            applied = db.execute(
                "INSERT INTO applied (operation) VALUES (?) ON CONFLICT (operation) DO NOTHING",
                (operation,),
            )
            if applied.rowcount == 1:
                db.execute("UPDATE accounts SET balance = balance + ? WHERE id = ?", (cents, account))
    ```
    The operation id and the update commit in one transaction, so a retry either sees both or
    neither.

    ## Fix safety
    No fix is offered.
    """

    code = "DET305"
    name = "relative-update-without-dedup-key"
    summary = "Relative update or counter increment from an activity without a dedup key"

    def visit_Call(self, node: cst.Call, ctx) -> None:
        if not self.active(ctx):
            return
        statements, guarded = self.observe(node, ctx)
        if guarded:
            return
        leaf = CallName(node)
        if statements:
            for statement in statements:
                relative = relative_assignments(statement)
                if relative:
                    self._report(node, f"`{leaf}` runs the relative update `{relative[0]}`", leaf, ctx)
                    return
            return
        method = method_name(node)
        name = self.resolve(node.func, ctx) or ""
        if method in _REDIS_INCREMENTS and name.startswith(REDIS_PREFIXES):
            self._report(node, f"`{leaf}` increments a Redis counter", leaf, ctx)
        elif method == "execute_command":
            command = (self.text(argument(node, 0), ctx) or "").upper()
            if command in {m.upper() for m in _REDIS_INCREMENTS}:
                self._report(node, f"`{leaf}` runs the Redis command {command}", leaf, ctx)
        elif method in _MONGO_UPDATES or name in _MONGO_OPERATIONS:
            self._check_mongo(node, leaf, ctx)

    def _check_mongo(self, node: cst.Call, leaf: object, ctx) -> None:
        update = self.dict_of(argument(node, 1, "update"))
        if update is None or "$inc" not in self._keys(update, ctx):
            return
        query = self.dict_of(argument(node, 0, "filter"))
        if query is None or self._keys(query, ctx, nested=True) & (_MONGO_GUARDS | {None}):
            return  # a filter detlint cannot read may hold the guard
        self._report(node, f"`{leaf}` applies `$inc`", leaf, ctx)

    def _keys(self, node: cst.Dict, ctx, nested: bool = False, depth: int = 0) -> set[str | None]:
        """The literal keys of a dict (None for a key or `**spread` detlint cannot read)."""
        keys: set[str | None] = set()
        if depth > 8:
            return {None}
        for element in node.elements:
            if isinstance(element, cst.StarredDictElement):
                keys.add(None)
                continue
            keys.add(self.text(element.key, ctx))
            value = self.dict_of(element.value) if nested else None
            if value is not None:
                keys |= self._keys(value, ctx, nested=True, depth=depth + 1)
        return keys

    def _report(self, node: cst.Call, what: str, leaf: object, ctx) -> None:
        ctx.report(
            self,
            node,
            f"{what} without a dedup key, so a retried attempt applies it again",
            "record an operation id derived from `activity.info()` (workflow id + activity id) with the change "
            "and skip it when present, or write absolute values",
            str(leaf),
        )
