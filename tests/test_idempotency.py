"""DET301-DET306 beyond the fixtures: configuration, roles, chains, and the SQL reading."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest

from detlint.rules._idempotency import (
    handles_conflict,
    id_like,
    insert_columns,
    is_insert,
    relative_assignments,
    sql_statements,
)
from tests.conftest import run_check

HEAD = """\
import uuid

import requests
import stripe
from temporalio import activity

"""


def findings(folder: Path, source: str, config: str = "") -> list[tuple[int, str]]:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "acts.py").write_text(HEAD + dedent(source))
    if config:
        (folder / "detlint.toml").write_text(dedent(config))
    report = run_check(folder / "acts.py", cwd=folder, select=["ALL"])
    assert report.errors == []
    return sorted((d.range.start.line - HEAD.count("\n"), d.code) for d in report.diagnostics)


# --------------------------------------------------------------------------- configuration

POSTS = """
@activity.defn
def post(order: str) -> None:
    requests.post("https://a.example/x", json={}, headers={"X-Acme-Key": order})
    requests.post("https://a.example/x", json={}, headers={"Idempotency-Key": order})
    requests.post("https://a.example/x", json={}, headers={"X-ACME-KEY": str(uuid.uuid4())})
"""


def test_default_headers(tmp_path: Path) -> None:
    assert findings(tmp_path, POSTS) == [(4, "DET301"), (6, "DET301")]


def test_configured_headers_replace_the_defaults(tmp_path: Path) -> None:
    config = 'idempotency-headers = ["x-acme-key"]\n'
    # The configured name, in any case, is a key (and a fresh value in it is DET303);
    # Idempotency-Key no longer is.
    assert findings(tmp_path, POSTS, config) == [(5, "DET301"), (6, "DET303")]


CALLS = """
from acme import payments


@activity.defn
def pay(order: str) -> None:
    payments.Client("k").transfer(order)
    payments.Client("k").transfer(order, idempotency_key=order)
    payments.Client("k").refund(order)
    stripe.Charge.create(amount=1, currency="usd")
"""


def test_default_required_calls(tmp_path: Path) -> None:
    assert findings(tmp_path, CALLS) == [(10, "DET306")]


def test_configured_required_calls_replace_the_defaults(tmp_path: Path) -> None:
    config = 'idempotency-required-calls = ["acme.payments.Client().transfer", "acme.*.Client().refund"]\n'
    assert findings(tmp_path, CALLS, config) == [(7, "DET306"), (9, "DET306")]


def test_an_empty_list_of_required_calls_turns_the_check_off(tmp_path: Path) -> None:
    assert findings(tmp_path, CALLS, "idempotency-required-calls = []\n") == []


# --------------------------------------------------------------------------- roles and chains

BODY = """
{decorator}
def record(db, order: str) -> None:
    requests.post("https://a.example/x", json={{"order": order}})
    db.execute("INSERT INTO orders (ref) VALUES (?)", (order,))
    db.execute("UPDATE totals SET n = n + 1")
    stripe.Refund.create(charge=order)
    open("/tmp/log", "a").write(order)
    requests.post("https://a.example/x", json={{}}, headers={{"Idempotency-Key": uuid.uuid4().hex}})
"""
ALL_SIX = [(4, "DET301"), (5, "DET302"), (6, "DET305"), (7, "DET306"), (8, "DET304"), (9, "DET303")]


def test_activity_code_is_flagged(tmp_path: Path) -> None:
    assert findings(tmp_path, BODY.format(decorator="@activity.defn")) == ALL_SIX


@pytest.mark.parametrize(
    "decorator",
    ["", "@app.task", "@click.command()", "@pytest.fixture"],
    ids=["plain function", "celery task", "cli command", "test fixture"],
)
def test_the_same_code_outside_activities_is_silent(tmp_path: Path, decorator: str) -> None:
    source = "import click\nimport pytest\nfrom celery import Celery\n\napp = Celery()\n" + BODY
    assert findings(tmp_path, source.format(decorator=decorator)) == []


def test_configured_activity_decorators_count(tmp_path: Path) -> None:
    source = "from acme.temporal import activity_defn\n" + BODY.format(decorator="@activity_defn")
    config = 'activity-decorators = ["acme.temporal.activity_defn"]\n'
    assert findings(tmp_path, source, config) == [(line + 1, code) for line, code in ALL_SIX]


def test_workflow_code_gets_the_workflow_rules_not_these(tmp_path: Path) -> None:
    source = """
    from temporalio import workflow


    @workflow.defn
    class Orders:
        @workflow.run
        async def run(self, order: str) -> None:
            requests.post("https://a.example/x", json={"order": order})
    """
    found = findings(tmp_path, source)
    assert (9, "DET107") in found
    assert not [code for _, code in found if code.startswith("DET3")]


def test_helper_findings_are_reported_at_the_activity_call_site(tmp_path: Path) -> None:
    (tmp_path / "store.py").write_text(
        "def save(db, order):\n"
        "    db.execute('INSERT INTO orders (ref) VALUES (?)', (order,))\n"
    )
    source = """
    import store


    @activity.defn
    def record(db, order: str) -> None:
        store.save(db, order)
        store.save(db, order)  # noqa: DET302


    def cli(db) -> None:
        store.save(db, "manual")
    """
    (tmp_path / "acts.py").write_text(HEAD + dedent(source))
    report = run_check(tmp_path, cwd=tmp_path, select=["ALL"])
    [finding] = report.diagnostics
    assert (finding.path.name, finding.range.start.line, finding.code) == ("acts.py", 13, "DET302")
    assert "(via store.save() -> db.execute())" in finding.message
    assert [(r.path.name, r.range.start.line) for r in finding.related] == [("store.py", 2)]


def test_nested_function_parameters_are_not_the_outer_variables(tmp_path: Path) -> None:
    source = """
    @activity.defn
    def post(order: str) -> None:
        headers = {"Accept": "json"}

        def send(headers):
            requests.post("https://a.example/x", json={}, headers=headers)

        send({"Idempotency-Key": order})
    """
    assert findings(tmp_path, source) == []


def test_a_name_assigned_in_two_branches_is_unknown(tmp_path: Path) -> None:
    source = """
    @activity.defn
    def post(order: str, keyed: bool) -> None:
        if keyed:
            headers = {"Idempotency-Key": order}
        else:
            headers = {}
        requests.post("https://a.example/x", json={}, headers=headers)
        sql = "INSERT INTO orders (ref) VALUES (?)"
        if keyed:
            sql = "INSERT INTO orders (ref) VALUES (?) ON CONFLICT DO NOTHING"
        db.execute(sql, (order,))
    """
    assert findings(tmp_path, source) == []


def test_a_name_reassigned_in_sequence_takes_its_new_value(tmp_path: Path) -> None:
    source = """
    @activity.defn
    def record(db, order: str) -> None:
        sql = "UPDATE orders SET state = 'new' WHERE ref = ?"
        db.execute(sql, (order,))
        sql = "INSERT INTO audit (ref) VALUES (?)"
        db.execute(sql, (order,))
    """
    assert findings(tmp_path, source) == [(7, "DET302")]


# --------------------------------------------------------------------------- reading SQL


@pytest.mark.parametrize(
    ("sql", "insert", "conflict"),
    [
        ("INSERT INTO t (a) VALUES (?)", True, False),
        ("  insert into t values (1)", True, False),
        ("INSERT INTO t (a) VALUES (?) ON CONFLICT (a) DO NOTHING", True, True),
        ("INSERT INTO t (a) VALUES (?)\n  ON CONFLICT ON CONSTRAINT t_pk DO UPDATE SET a = excluded.a", True, True),
        ("INSERT INTO t (a) VALUES (%s) ON DUPLICATE KEY UPDATE a = VALUES(a)", True, True),
        ("INSERT OR IGNORE INTO t VALUES (1)", True, True),
        ("INSERT OR REPLACE INTO t VALUES (1)", True, True),
        ("INSERT IGNORE INTO t VALUES (1)", True, True),
        ("INSERT OR ROLLBACK INTO t VALUES (1)", True, False),
        ("INSERT INTO t SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM t)", True, True),
        ("WITH s AS (SELECT 1) INSERT INTO t SELECT * FROM s", True, False),
        ("INSERT INTO t (a) VALUES (?) -- ON CONFLICT DO NOTHING", True, False),
        ("INSERT INTO t (a) VALUES ('ON CONFLICT DO NOTHING')", True, False),
        ("INSERT INTO \x00 (a) VALUES (\x00)", True, False),
        ("INSERT INTO t (a) VALUES (?) \x00", True, None),
        ("INSERT INTO t (a) \x00", True, None),
        ("SELECT 'INSERT INTO t'", False, None),
        ("REPLACE INTO t VALUES (1)", False, None),
        ("\x00 INTO t VALUES (1)", False, None),
    ],
)
def test_insert_and_conflict_handling(sql: str, insert: bool, conflict: bool | None) -> None:
    [statement] = sql_statements(sql)
    assert is_insert(statement) is insert
    if insert:
        assert handles_conflict(statement) is conflict


@pytest.mark.parametrize(
    ("sql", "relative"),
    [
        ("UPDATE a SET n = n + 1", ["n = n + 1"]),
        ("UPDATE a SET n = n - ? WHERE id = ?", ["n = n - ?"]),
        ('UPDATE a SET "n" = "n" * 2', ["n = \"n\" * 2"]),
        ("UPDATE a SET n = a.n + :delta WHERE id = :id", ["n = a.n + ?"]),
        ("UPDATE a SET s = s || ','", ["s = s || ''"]),
        ("UPDATE a SET tags = array_append(tags, $1)", ["tags = array_append(tags, ?)"]),
        ("INSERT INTO c VALUES (?, 1) ON CONFLICT (k) DO UPDATE SET n = c.n + excluded.n", ["n = c.n + ?"]),
        ("INSERT INTO c VALUES (%s, 1) ON DUPLICATE KEY UPDATE n = n + VALUES(n)", ["n = n + ?"]),
        ("UPDATE a SET n = ?", []),
        ("UPDATE a SET n = :n", []),
        ("UPDATE a SET n = %(n)s", []),
        ("UPDATE a SET total = price * qty", []),
        ("UPDATE a SET n = COALESCE(n, ?)", []),
        ("INSERT INTO c VALUES (?, 1) ON CONFLICT (k) DO UPDATE SET n = excluded.n", []),
        ("UPDATE a SET n = n + 1, v = v + 1 WHERE id = ? AND v = ?", []),
        ("UPDATE a SET n = n + 1, op = ? WHERE id = ? AND op <> ?", []),
        ("UPDATE a SET n = n + 1 WHERE id NOT IN (SELECT id FROM applied)", []),
        ("UPDATE a SET n = n + 1 WHERE id = ? AND NOT EXISTS (SELECT 1 FROM applied WHERE op = ?)", []),
    ],
)
def test_relative_assignments(sql: str, relative: list[str]) -> None:
    [statement] = sql_statements(sql)
    assert relative_assignments(statement) == relative


def test_statements_are_split_and_comments_dropped() -> None:
    text = "/* setup; */ CREATE TABLE t (a);\n-- INSERT INTO t VALUES (1);\nINSERT INTO t VALUES ('a;b');"
    assert sql_statements(text) == ["CREATE TABLE t (a)", "INSERT INTO t VALUES ('')"]


def test_insert_columns_pair_up() -> None:
    assert insert_columns('INSERT INTO t ("id", t.ref) VALUES ($1, $2)') == [("id", "$1"), ("ref", "$2")]
    assert insert_columns("INSERT INTO t (id, ref) VALUES (lower(?), ?)") == []


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("id", True),
        ("_id", True),
        ("order_id", True),
        ("orderId", True),
        ("payment-id", True),
        ("trace_id", False),
        ("request_id", False),
        ("correlationId", False),
        ("paid", False),
        ("identity", False),
    ],
)
def test_id_like(key: str, expected: bool) -> None:
    assert id_like(key) is expected
