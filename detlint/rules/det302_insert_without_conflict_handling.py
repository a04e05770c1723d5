from __future__ import annotations

from detlint.lazy import cst
from detlint.rules._idempotency import StoreFlowRule, handles_conflict, is_insert, short


class InsertWithoutConflictHandling(StoreFlowRule):
    """
    ## What it does
    Flags SQL `INSERT` statements run from activity code without conflict handling: no
    `ON CONFLICT`, `ON DUPLICATE KEY UPDATE`, `INSERT OR IGNORE`/`INSERT OR REPLACE`,
    `INSERT IGNORE` or `WHERE NOT EXISTS`. The statement is the text given to `.execute()`,
    `.executemany()`, `.executescript()` (and asyncpg's `fetch*`, SQLAlchemy's
    `exec_driver_sql`), directly or through `sqlalchemy.text(...)`, as a literal, an f-string,
    a concatenation, or a variable assigned one of those in the same function.

    Not flagged: an insert inside a `try` that catches the duplicate-key error
    (`IntegrityError`, `UniqueViolation`, `DuplicateKeyError`); inserts after a dedup step in
    the same function (an insert that ignores conflicts, a Redis `SET ... NX`); inserts
    guarded by a check (a `SELECT` first, then the insert under an `if`, or after an `if`
    that returns or raises);
    and statements whose text detlint cannot see, or whose tail is interpolated (it may be the
    conflict clause).

    ## Why is this bad?
    Temporal retries an activity until it succeeds. An attempt that inserted and committed the
    row, then failed (a timeout, a crash, an error in a later step), is run again and inserts
    the row a second time: two payments, two orders, two emails queued. With a key that is the
    same for every attempt and conflict handling, the retry finds the row and moves on.

    ## What Temporal does
    - **Sandbox:** Does not apply: activities run outside the workflow sandbox, and nothing
      restricts their I/O.
    - **On replay:** Activities are never replayed: an attempt's result is recorded in history
      once. What repeats is a retry: after a failure, a timeout or a lost worker the server
      starts a new attempt, by default with no limit on attempts.
    - **What you would see:** A duplicate row: no error at all (or a unique-constraint error on
      every later attempt).

    ## Example
    ```python
    import sqlite3

    from temporalio import activity


    @activity.defn
    def record_payment(db_path: str, order: str, cents: int) -> None:
        with sqlite3.connect(db_path) as db:
            db.execute("INSERT INTO payments (order_ref, cents) VALUES (?, ?)", (order, cents))
    ```

    ## Use instead
    ```python
    import sqlite3

    from temporalio import activity


    @activity.defn
    def record_payment(db_path: str, order: str, cents: int) -> None:
        info = activity.info()
        key = f"{info.workflow_id}/{info.activity_id}"
        with sqlite3.connect(db_path) as db:
            db.execute(
                "INSERT INTO payments (payment_key, order_ref, cents) VALUES (?, ?, ?)"
                " ON CONFLICT (payment_key) DO NOTHING",
                (key, order, cents),
            )
    ```
    `payment_key` needs a unique constraint. The workflow id and activity id are the same for
    every attempt of this activity execution.

    ## Fix safety
    No fix is offered: the conflict target must be a unique key that identifies the operation.
    """

    code = "DET302"
    name = "insert-without-conflict-handling"
    summary = "SQL INSERT from an activity without conflict handling"

    def visit_Call(self, node: cst.Call, ctx) -> None:
        if not self.active(ctx):
            return
        statements, guarded = self.observe(node, ctx)
        if not statements or guarded:
            return
        if any(is_insert(s) and handles_conflict(s) is False for s in statements):
            leaf = f"{short(node.func)}()"
            ctx.report(
                self,
                node,
                f"`{leaf}` runs an INSERT without conflict handling, so a retried attempt inserts the row again",
                "add `ON CONFLICT (key) DO NOTHING` on a unique key derived from `activity.info()` "
                "(workflow id + activity id) or from the activity's input",
                leaf,
            )
