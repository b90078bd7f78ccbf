"""The Athena and Trino DDL of a store copied to S3 (store/athena.py): every table of the store once, at its
folder under the location, named as `cloudblame sql` names it; the events view in each engine's SQL; the
location and names refused with a user error when they cannot be used."""

from __future__ import annotations

import re

import pytest
import sqlglot
from sqlglot import exp

from cloudblame.core.errors import BadInput, UserError
from cloudblame.store.athena import (
    DIALECTS,
    EVENT_ROWS,
    events_view,
    events_view_select,
    sql_name,
    store_ddl,
)
from cloudblame.store.tables import EVENTS, TABLES

ROOT = "s3://acme-lake/team/cloudblame-store"
RESOLVED = ["resolved_human", "resolved_kind", "resolved_confidence", "resolved_chain"]


def statements(text: str) -> list[str]:
    assert text.endswith(";\n")
    return [s.strip() for s in text.removesuffix(";\n").split(";\n\n")]


def test_athena_names_every_table_once_at_its_folder():
    found = statements(store_ddl(ROOT + "/"))
    tables = [s for s in found if s.startswith("CREATE EXTERNAL TABLE")]
    assert len(found) == len(TABLES) + 2 and found[0] == "CREATE DATABASE IF NOT EXISTS `cloudblame`"
    located = {}
    for s in tables:
        m = re.fullmatch(r"CREATE EXTERNAL TABLE `cloudblame`\.`(\w+)`\nLOCATION '([^']+)'\n"
                         r"TBLPROPERTIES \('table_type' = 'DELTA'\)", s)
        assert m, s
        located[m.group(1)] = m.group(2)
    assert len(located) == len(tables) == len(TABLES)
    assert located == {sql_name(name): f"{ROOT}/{name}/" for name in TABLES}
    assert located[EVENT_ROWS] == f"{ROOT}/events/" and "events" not in located
    assert found[-1].startswith("CREATE OR REPLACE VIEW cloudblame.events AS SELECT")


def test_trino_registers_every_table_once_at_its_folder():
    found = statements(store_ddl(ROOT, dialect="trino", database="audit", catalog="lake"))
    assert len(found) == len(TABLES) + 2 and found[0] == "CREATE SCHEMA IF NOT EXISTS lake.audit"
    calls = [re.fullmatch(r"CALL lake\.system\.register_table\(schema_name => 'audit', table_name => '(\w+)', "
                          r"table_location => '([^']+)'\)", s) for s in found[1:-1]]
    assert all(calls), found[1:-1]
    located = {m.group(1): m.group(2) for m in calls if m}
    assert located == {sql_name(name): f"{ROOT}/{name}" for name in TABLES}
    assert found[-1].startswith("CREATE OR REPLACE VIEW lake.audit.events AS SELECT")


def test_an_s3a_location_is_s3_for_athena_and_kept_for_trino():
    assert "LOCATION 's3://bucket/store/events/'" in store_ddl("s3a://bucket/store")
    assert "table_location => 's3a://bucket/store/events'" in store_ddl("s3a://bucket/store", dialect="trino")
    assert "LOCATION 's3://bucket/objects/'" in store_ddl("S3://bucket")


@pytest.mark.parametrize("location", ["./cloudblame-store", "/var/lib/cloudblame-store", "file:///tmp/store",
                                      "https://acme-lake.s3.amazonaws.com/store", "gs://bucket/store", "s3://",
                                      "s3:///store", "s3://bucket/it's", "s3://bucket/a b", ""])
def test_a_location_that_is_not_an_s3_uri_is_the_users_error(location):
    with pytest.raises(BadInput, match="--location"):
        store_ddl(location)


@pytest.mark.parametrize(("option", "value"), [("database", "Audit"), ("database", "a-b"), ("database", "1st"),
                                               ("database", "x; DROP TABLE y"), ("catalog", "Delta")])
def test_names_both_engines_cannot_take_are_the_users_error(option, value):
    with pytest.raises(UserError, match=f"--{option}"):
        store_ddl(ROOT, dialect="trino", **{option: value})


def test_an_unknown_dialect_is_the_users_error():
    with pytest.raises(BadInput, match="--dialect"):
        store_ddl(ROOT, dialect="spark")


def _view_columns(sql: str, dialect: str) -> list[str]:
    tree = sqlglot.parse_one(sql, read=dialect)
    assert isinstance(tree, exp.Create)
    select = tree.expression
    assert isinstance(select, exp.Select)
    return [e.alias_or_name for e in select.expressions]


@pytest.mark.parametrize("dialect", DIALECTS)
def test_the_events_view_names_the_columns_of_the_store_s_view(dialect):
    """Every column of the events table, in its order, then the resolution: what `cloudblame sql` has as
    events (store/db.py), with no DuckDB-only `* REPLACE`; its tables are the database's."""
    catalog = "delta" if dialect == "trino" else None
    sql = events_view(dialect, "cloudblame", catalog)
    assert _view_columns(sql, dialect) == [*EVENTS.delta_schema.names, *RESOLVED]
    assert "REPLACE (" not in sql and "*" not in sql
    tree = sqlglot.parse_one(sql, read=dialect)
    tables = {".".join(p for p in (t.catalog, t.db, t.name) if p) for t in tree.expression.find_all(exp.Table)}
    prefix = "delta.cloudblame." if catalog else "cloudblame."
    assert tables == {prefix + n for n in (EVENT_ROWS, "session_actors", "console_sessions")}


def test_the_view_s_tool_is_the_console_for_a_console_session_s_internal_calls():
    tree = sqlglot.parse_one(events_view_select(), read="duckdb")
    tool = next(e for e in tree.expressions if e.alias_or_name == "tool")
    assert isinstance(tool.this, exp.Case) and "'console'" in tool.sql()
    assert "cs.access_key_id" in tool.sql()
