"""Athena and Trino answer as cloudblame does (docs/athena.md): the events view of the DDL and the example
queries of the page (read from it, so it cannot drift), transpiled from Athena's SQL to DuckDB's with
sqlglot, run over a store's tables named as the DDL names them (a `cloudblame sql`-style read-only reader),
give what `cloudblame blame --format json` and `cloudblame inventory --by owner --format json` give.
`athena-ddl` itself needs no store. No Athena or Trino server runs here: the SQL is checked through
DuckDB only."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import sqlglot
from typer.testing import CliRunner

from cloudblame.cli import app
from cloudblame.core.errors import UserError
from cloudblame.core.timeutil import iso_z
from cloudblame.pipeline.ingest import ingest_paths
from cloudblame.queries.blame import blame
from cloudblame.store import Store
from cloudblame.store.athena import sql_name, store_ddl
from cloudblame.store.tables import EVENTS, SNAPSHOTS, TABLES
from tests.conftest import ROOT

runner = CliRunner()
DOC = ROOT / "docs" / "athena.md"
PLACEHOLDER = "'i-0123456789abcdef0'"  # the resource the page's queries ask about
LOCATION = "s3://acme-lake/cloudblame-store"  # the page's location
SERVICE_TOOLS = ("cloudformation", "aws-service")


def sql_blocks() -> list[str]:
    """The ```sql blocks of docs/athena.md."""
    blocks, current = [], None
    for line in DOC.read_text().splitlines():
        if current is None and line.strip() == "```sql":
            current = []
        elif current is not None and line.strip() == "```":
            blocks.append("\n".join(current))
            current = None
        elif current is not None:
            current.append(line)
    return blocks


def examples() -> dict[str, str]:
    """The page's example queries by name (a block whose first line is ``-- example: NAME``)."""
    found = {}
    for block in sql_blocks():
        first, _, rest = block.partition("\n")
        if first.startswith("-- example: "):
            found[first.removeprefix("-- example: ").strip()] = rest
    return found


@cache
def as_duckdb(name: str) -> str:
    """Example ``name`` in DuckDB's SQL, the resource it asks about a parameter."""
    sql = examples()[name]
    if PLACEHOLDER in sql:
        assert sql.count(PLACEHOLDER) == 1, name
        sql = sql.replace(PLACEHOLDER, "?")
    [duck] = sqlglot.transpile(sql, read="athena", write="duckdb")
    return duck


def as_engine_sees(db: Path) -> Store:
    """A read-only reader of the store at ``db`` whose SQL reads the names the DDL gives: a ``cloudblame``
    schema with each table (as Athena reads it: the events table as ``event_rows``) and the DDL's
    ``events`` view, transpiled back from Athena's SQL to DuckDB's, as the default schema; locked down as
    `cloudblame sql` is."""
    store = Store.open(db, read_only=True)
    conn = store.conn
    conn.execute("CREATE SCHEMA cloudblame")
    for name in TABLES:
        if name != SNAPSHOTS.name:  # a reader has no view of the snapshots: it reads one
            conn.execute(f"CREATE VIEW cloudblame.{sql_name(name)} AS SELECT * FROM main.{sql_name(name)}")
    view = ddl_statements("athena")[-1]
    assert view.startswith("CREATE OR REPLACE VIEW cloudblame.events AS")
    conn.execute(sqlglot.transpile(view, read="athena", write="duckdb")[0])
    conn.execute("USE cloudblame")
    store.lock_down()
    return store


def ddl_statements(dialect: str) -> list[str]:
    return [s.strip() for s in store_ddl(LOCATION, dialect=dialect).removesuffix(";\n").split(";\n\n")]


def newest_is_published(store: Store) -> bool:
    """Every table's newest version is the published snapshot's: what Athena reads (each table's newest
    version) is what cloudblame reads."""
    assert store.snapshot is not None
    return all(store.lake.table(name).version() == version for name, version in store.snapshot.versions.items())


# --- the stores ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_db(made_demo) -> Path:
    return made_demo / "cloudblame-store"


@pytest.fixture(scope="module")
def billed_db(demo_db, tmp_path_factory) -> Path:
    """The demo store with a bill imported (tests/web/billed.py): actual costs per owner."""
    from tests.web.billed import billed_copy

    copy, _, _ = billed_copy(demo_db, tmp_path_factory.mktemp("athena-billed"))
    return copy


@pytest.fixture(scope="module")
def invictus_db(invictus_store) -> Path:
    """The store of the invictus-aws dataset (real CloudTrail records of an attack: role sessions, keys)."""
    store, _ = invictus_store
    return Path(store.path)


@pytest.fixture(scope="module")
def chained_db(tmp_path_factory) -> Path:
    """An instance made and terminated through a chain of roles from an SSO user (tests/integration/
    test_identity_chain.py): its creator and deleter are the person the walk resolved, not the role."""
    from tests.integration.formats import write_jsonl
    from tests.integration.sample_records import ACCOUNT, TF_UA, record
    from tests.integration.test_identity_chain import _chained_sso_records, role_session

    sts, calls = _chained_sso_records()
    deployer = role_session(ACCOUNT, "terraform-deployer", "tf-run", "ASIAHOP2KEY00000002", "2025-03-04T09:00:30Z")
    terminate = record(13, "2025-03-04T11:00:00Z", "ec2.amazonaws.com", "TerminateInstances", deployer, TF_UA,
                       {"instancesSet": {"items": [{"instanceId": "i-0aaaabbbbccccdddd"}]}})
    root = tmp_path_factory.mktemp("athena-chained")
    write_jsonl(root / "trail", [*sts, *calls, terminate])
    db = root / "store"
    with Store.open(db) as store:
        ingest_paths(store, [str(root / "trail")])
        made = blame(store, "i-0aaaabbbbccccdddd")
    assert made["created"] and made["deleted"] and not made["alive"]
    assert made["created"]["actor"]["human"] == made["deleted"]["actor"]["human"] == "maria.lopez@example.com"
    return db


@pytest.fixture
def reader(request) -> Iterator[tuple[Store, Store]]:
    """(cloudblame's reader, the engine's view) of the store the test is parametrized with."""
    db = request.getfixturevalue(request.param)
    with Store.open(db, read_only=True) as own, as_engine_sees(db) as engine:
        assert newest_is_published(own)
        yield own, engine


STORES = ["demo_db", "invictus_db", "chained_db"]


# --- athena-ddl needs no store -------------------------------------------------------------------------------


def test_athena_ddl_runs_with_no_store_anywhere_and_creates_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CLOUDBLAME_DB", raising=False)
    result = runner.invoke(app, ["athena-ddl", "--location", LOCATION])
    assert result.exit_code == 0, result.output
    assert result.stdout == store_ddl(LOCATION) and result.stderr == ""
    trino = runner.invoke(app, ["athena-ddl", "--location", LOCATION, "--dialect", "trino", "--out", "t.sql"])
    assert trino.exit_code == 0, trino.output
    assert trino.stdout == "" and (tmp_path / "t.sql").read_text() == store_ddl(LOCATION, dialect="trino")
    assert sorted(os.listdir(tmp_path)) == ["t.sql"]


@pytest.mark.parametrize("location", ["./cloudblame-store", "gs://bucket/store", "s3://"])
def test_a_location_not_on_s3_exits_2_with_one_line(location, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["athena-ddl", "--location", location])
    assert result.exit_code == 2 and result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1 and "--location" in result.stderr, result.stderr
    assert os.listdir(tmp_path) == []


def test_the_page_shows_the_ddl_as_athena_ddl_prints_it():
    """The page's DDL excerpts are statements the command prints for the page's location."""
    shown = [s.strip() for b in sql_blocks() if not b.startswith("-- example:")
             for s in b.removesuffix(";").split(";\n\n")]
    printed = set(ddl_statements("athena")) | set(ddl_statements("trino"))
    assert len(shown) >= 4 and set(shown) <= printed, set(shown) - printed
    assert set(examples()) == {"blame", "timeline", "inventory-by-owner"}


# --- the events view -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("reader", STORES, indirect=True)
@pytest.mark.parametrize("dialect", ["athena", "trino"])
def test_the_events_view_gives_the_store_s_own_rows(reader, dialect):
    """The DDL's view, from Athena's (or Trino's) SQL back to DuckDB's, over the same tables: the rows of
    the store's own events view, every column."""
    own, _ = reader
    view = ddl_statements(dialect)[-1]
    body = sqlglot.parse_one(view, read=dialect).expression
    for table in body.find_all(sqlglot.exp.Table):
        table.set("db", None)
        table.set("catalog", None)
    order = " ORDER BY event_id, event_time"
    theirs = own.arrow(f"SELECT * FROM ({body.sql(dialect='duckdb')}){order}")
    ours = own.arrow(f"SELECT * FROM events{order}")
    assert theirs.num_rows == ours.num_rows > 0
    assert theirs.schema.names == ours.schema.names == [*EVENTS.delta_schema.names, "resolved_human",
                                                        "resolved_kind", "resolved_confidence", "resolved_chain"]
    assert theirs.equals(ours)


# --- blame ---------------------------------------------------------------------------------------------------


def created_and_deleted(b: dict[str, Any]) -> dict[str, Any]:
    """The core of a blame (its JSON shape): the resource, its creation and deletion."""
    c, d = b["created"], b["deleted"]
    return {"type": b["resource"]["type"], "id": b["resource"]["id"], "account": b["resource"]["account"],
            "region": b["resource"]["region"],
            "created": c and {"time": c["time"], "event_id": c["event_id"], "event_source": c["event_source"],
                              "event_name": c["event_name"], "source_ip": c["source_ip"],
                              "principal": c["actor"]["principal"], "human": c["actor"]["human"],
                              "tool": c["tool"]["id"], "via": c["tool"].get("via")},
            "deleted": d and {"time": d["time"], "event_id": d["event_id"], "human": d["actor"]["human"]}}


def row_as_blame(r: dict[str, Any]) -> dict[str, Any]:
    """A row of the page's blame query in the same terms."""
    return {"type": r["resource_type"], "id": r["resource_id"], "account": r["account_id"], "region": r["region"],
            "created": r["created_event_id"] and {
                "time": iso_z(r["created_time"]), "event_id": r["created_event_id"],
                "event_source": r["created_event_source"], "event_name": r["created_event_name"],
                "source_ip": r["created_source_ip"], "principal": r["created_principal"], "human": r["created_by"],
                "tool": r["created_tool"], "via": r["created_via"]},
            "deleted": r["deleted_event_id"] and {"time": iso_z(r["deleted_time"]), "event_id": r["deleted_event_id"],
                                                  "human": r["deleted_by"]}}


def timeline_of(b: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [(t["time"], t["event_id"], t["event_name"], t["action"], t["actor"]["human"], t["tool"]["id"],
             t["error_code"]) for t in b["timeline"]]


def timeline_rows(engine: Store, resource_id: str) -> list[tuple[Any, ...]]:
    return [(iso_z(r["event_time"]), r["event_id"], r["event_name"], r["action"], r["actor"], r["tool"],
             r["error_code"]) for r in engine.query(as_duckdb("timeline"), [resource_id])]


def blamed_row(engine: Store, b: dict[str, Any]) -> dict[str, Any]:
    """The page's blame row of the resource ``b`` blames (asked by its id)."""
    key = (b["resource"]["type"], b["resource"]["id"], b["resource"]["account"])
    rows = [r for r in engine.query(as_duckdb("blame"), [b["resource"]["id"]])
            if (r["resource_type"], r["resource_id"], r["account_id"]) == key]
    assert len(rows) == 1, (key, rows)
    return row_as_blame(rows[0])


def walked_at_query_time(b: dict[str, Any], row: dict[str, Any]) -> bool:
    """A deleted resource a service made: blame walks to the person behind the service as it reads; the
    tables keep the service's call (docs/athena.md says so). Everything else of it must agree."""
    if b["alive"] or not b["created"] or not row["created"]:
        return False
    walked = b["created"]["tool"].get("via") is not None or b["created"]["actor"]["kind"] == "delegated"
    return walked and row["created"]["tool"] in SERVICE_TOOLS


def assert_same_blame(b: dict[str, Any], row: dict[str, Any]) -> None:
    want = created_and_deleted(b)
    if walked_at_query_time(b, row):
        for field in ("human", "tool", "via"):
            want["created"].pop(field)
            row["created"].pop(field)
    assert row == want


def sample_by_kind(own: Store) -> list[str]:
    """One resource id of each kind the store has (its creating tool, alive or deleted), that names one
    resource only (blame answers it without asking which)."""
    kinds = own.query("""SELECT coalesce(created_tool, '') AS tool, alive, deleted_event_id IS NOT NULL AS deleted,
                                list(resource_id ORDER BY resource_id) AS ids
                         FROM resources GROUP BY ALL ORDER BY ALL""")
    single = {r["resource_id"] for r in own.query(
        "SELECT resource_id FROM resource_keys GROUP BY ALL HAVING count(DISTINCT (resource_type, account_id)) = 1")}
    return [next(i for i in k["ids"] if i in single) for k in kinds if any(i in single for i in k["ids"])]


def test_blame_and_timeline_answer_as_the_cli_s_json(made_demo, monkeypatch):
    """One resource of each kind of the demo store: `cloudblame blame ID --format json` and the page's
    queries."""
    db = made_demo / "cloudblame-store"
    with Store.open(db, read_only=True) as own:
        ids = sample_by_kind(own)
    assert len(ids) >= 10
    monkeypatch.delenv("CLOUDBLAME_DB", raising=False)
    with as_engine_sees(db) as engine:
        for resource_id in ids:
            result = runner.invoke(app, ["blame", resource_id, "--format", "json", "--db", str(db)])
            assert result.exit_code == 0, (resource_id, result.output)
            b = json.loads(result.stdout)
            assert_same_blame(b, blamed_row(engine, b))
            assert timeline_rows(engine, resource_id) == timeline_of(b), resource_id


@pytest.mark.parametrize("reader", STORES, indirect=True)
def test_blame_of_a_resource_of_every_kind(reader):
    """A resource of every kind the store holds (its type, creating tool, alive or deleted) that blame answers
    for by its id: the page's blame row is blame's creation and deletion, and its timeline blame's when the
    id names one resource."""
    own, engine = reader
    compared = walked = 0
    for kind in own.query("""SELECT list(r.resource_id ORDER BY r.resource_id) AS ids
                             FROM resources r GROUP BY r.resource_type, r.created_tool, r.alive, r.deleted_event_id IS NULL
                             ORDER BY ALL"""):
        for resource_id in kind["ids"]:
            try:
                b = dict(blame(own, resource_id))
            except UserError:  # several resources by that spelling: blame asks which
                continue
            row = blamed_row(engine, b)
            walked += walked_at_query_time(b, row)
            assert_same_blame(b, row)
            if alone(own, resource_id):  # the page's timeline asks by id alone
                assert timeline_rows(engine, resource_id) == timeline_of(b), resource_id
            compared += 1
            break
    assert compared >= (1 if own.scalar("SELECT count(*) FROM resources") < 20 else 20)
    assert walked <= max(1, compared // 10)  # the documented exception stays an exception


def alone(own: Store, resource_id: str) -> bool:
    """Whether every call naming ``resource_id`` names the same resource (one type, or none, one account)."""
    return bool(own.scalar("SELECT count(DISTINCT account_id) <= 1 AND count(DISTINCT resource_type) <= 1 "
                           "FROM event_resources WHERE resource_id = ?", [resource_id]))


# --- inventory by owner --------------------------------------------------------------------------------------


@pytest.mark.parametrize("db_fixture", ["demo_db", "billed_db"])
def test_inventory_by_owner_answers_as_the_cli_s_json(db_fixture, request, monkeypatch):
    db = request.getfixturevalue(db_fixture)
    monkeypatch.delenv("CLOUDBLAME_DB", raising=False)
    result = runner.invoke(app, ["inventory", "--by", "owner", "--format", "json", "--db", str(db)])
    assert result.exit_code == 0, result.output
    groups = json.loads(result.stdout)["groups"]
    with as_engine_sees(db) as engine:
        assert newest_is_published(engine)
        rows = engine.query(as_duckdb("inventory-by-owner"))
    assert [{"key": r["owner"], **{k: v for k, v in r.items() if k != "owner"}} for r in rows] == groups
    assert len(groups) >= 4 and sum(g["resources"] for g in groups) > 50
    if db_fixture == "billed_db":
        assert any(g["actual_usd"] for g in groups)
