"""The store's commands: `sql` (read-only SQL over the views), `compact` (and --retain), `vacuum`, `migrate`
from an earlier single-file store, and `events --limit 0` streaming every match."""

from __future__ import annotations

import csv
import io
import json
import shutil

import duckdb
import orjson
import pyarrow as pa
import pytest
from typer.testing import CliRunner

from cloudblame.cli import app
from cloudblame.demo.generator import generate_sample_trail
from cloudblame.pipeline.ingest import ingest_paths
from cloudblame.sources.files import discover, file_report, iter_file
from cloudblame.store import Store
from cloudblame.store.lake import Lake

TABLES = ("event_rows", "event_resources", "credentials", "session_keys", "session_actors", "resources",
          "resource_keys", "inventory", "calls", "activity", "identity_names")
PUBLISHES = 4  # each publish leaves its own small files; four are enough to show compact merging them


@pytest.fixture(scope="module")
def trail(tmp_path_factory):
    root = tmp_path_factory.mktemp("commands") / "trail"
    generate_sample_trail(root, records=2500, seed=21)
    return root


@pytest.fixture(scope="module")
def built(trail):
    lake = Lake.open(trail.parent / "store", create=True)
    files = sorted(str(p) for p in trail.rglob("*.json.gz"))
    for i in range(PUBLISHES):  # several small publishes: several small files for compact to merge
        ingest_paths(lake, files[i::PUBLISHES])
    return trail.parent / "store"


@pytest.fixture
def store(built, tmp_path):
    shutil.copytree(built, tmp_path / "store")
    return tmp_path / "store"


def run(*args: str):
    return CliRunner().invoke(app, list(args))


def tables(path) -> dict:
    with Store.open(path, read_only=True) as store:
        return {t: store.query(f"SELECT * FROM {t} ORDER BY ALL") for t in TABLES}


def test_sql_answers_over_the_views_in_every_format(store):
    result = run("sql", "SELECT tool, count(*) AS n FROM events GROUP BY ALL ORDER BY n DESC, tool", "--db", str(store),
                 "-f", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    with Store.open(store, read_only=True) as s:
        assert sum(r["n"] for r in rows) == s.scalar("SELECT count(*) FROM event_rows") > 2000
    out = run("sql", "SELECT resource_id, alive FROM resources ORDER BY resource_id", "--db", str(store), "-f", "csv")
    assert out.exit_code == 0 and list(csv.DictReader(io.StringIO(out.stdout)))[0].keys() == {"resource_id", "alive"}


def test_sql_cannot_read_or_write_outside_the_store(store, tmp_path):
    for query in ("SELECT * FROM read_csv('/etc/passwd')", f"COPY (SELECT 1) TO '{tmp_path / 'leak.csv'}'",
                  "SELECT * FROM no_such_view"):
        result = run("sql", query, "--db", str(store))
        assert result.exit_code == 2 and "Traceback" not in result.output, query
    assert not (tmp_path / "leak.csv").exists()


def test_compact_merges_small_files_and_changes_no_answer(store):
    before, lake = tables(store), Lake.open(store)
    files = {t: len(lake.table(t).file_uris()) for t in ("events", "event_resources", "objects")}
    result = run("compact", "--db", str(store))
    assert result.exit_code == 0, result.output
    after = {t: len(lake.table(t).file_uris()) for t in ("events", "event_resources", "objects")}
    assert after["event_resources"] == after["objects"] == 1 and after["events"] < files["events"]
    assert tables(store) == before
    assert run("vacuum", "--db", str(store), "--older-than", "0h").exit_code == 0
    assert tables(store) == before  # what vacuum deleted nobody needed


def test_retention_keeps_what_changed_a_resource(store):
    with Store.open(store, read_only=True) as s:
        newest = s.scalar("SELECT max(event_time) FROM event_rows")
        changes = s.scalar("SELECT count(*) FROM event_rows WHERE event_time < ? - INTERVAL 10 DAY AND error_code IS NULL "
                           "AND len(list_filter(resources, lambda r: r.action IN ('create', 'delete', 'modify'))) > 0",
                           [newest])
        recent = s.scalar("SELECT count(*) FROM event_rows WHERE event_time >= ? - INTERVAL 10 DAY", [newest])
        resources = s.query("SELECT * FROM resources ORDER BY ALL")
    result = run("compact", "--db", str(store), "--retain", "10d")
    assert result.exit_code == 0, result.output
    with Store.open(store, read_only=True) as s:
        assert s.scalar("SELECT count(*) FROM event_rows") == changes + recent
        assert s.lake.latest_snapshot().events == changes + recent
        assert s.query("SELECT * FROM resources ORDER BY ALL") == resources
        orphans = s.scalar("SELECT count(*) FROM event_resources r ANTI JOIN event_rows e USING (event_id)")
        assert orphans == 0


def test_events_limit_0_streams_every_match(store):
    with Store.open(store, read_only=True) as s:
        total = s.scalar("SELECT count(*) FROM event_rows")
    result = run("events", "--db", str(store), "--limit", "0", "-f", "json")
    assert result.exit_code == 0, result.output[-500:]
    rows = json.loads(result.stdout)
    assert len(rows) == total and len({r["event_id"] for r in rows}) == total
    times = [r["time"] for r in rows]
    assert times == sorted(times, reverse=True)
    csv_rows = list(csv.DictReader(io.StringIO(run("events", "--db", str(store), "--limit", "0", "-f", "csv").stdout)))
    assert len(csv_rows) == total


def _earlier_store(path, trail) -> None:
    """A single-file store as earlier cloudblame wrote it (schema 8, the columns migrate reads)."""
    conn = duckdb.connect(str(path))
    conn.execute("CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)")
    conn.execute("INSERT INTO meta VALUES ('schema_version', '8')")
    conn.execute("CREATE TABLE events (event_id VARCHAR, event_time TIMESTAMP, origin VARCHAR, raw VARCHAR)")
    conn.execute("CREATE TABLE ingested_files (path VARCHAR PRIMARY KEY, size BIGINT, mtime_ns BIGINT, shape VARCHAR, "
                 "records INTEGER, skipped_reason VARCHAR, ingested_at TIMESTAMP, etag VARCHAR)")
    files, _ = discover([str(trail)])
    events: dict[str, list] = {"event_id": [], "event_time": [], "origin": [], "raw": []}
    for name in files:
        report = file_report(name)
        for item in iter_file(name, report):
            for column, value in zip(events, (item.record["eventID"], item.record["eventTime"], report.path,
                                              orjson.dumps(item.record).decode()), strict=True):
                events[column].append(value)
        conn.execute("INSERT INTO ingested_files VALUES (?, ?, ?, 'trail', ?, NULL, now(), NULL)",
                     [report.path, report.size, report.mtime_ns, report.records])
    rows = pa.table(events)  # one insert of every record (one INSERT a record takes seconds)
    conn.register("earlier_rows", rows)
    conn.execute("INSERT INTO events SELECT event_id, CAST(event_time AS TIMESTAMP), origin, raw FROM earlier_rows")
    conn.close()


def test_migrate_copies_an_earlier_store_and_its_ledger(trail, tmp_path):
    old = tmp_path / "cloudblame.duckdb"
    _earlier_store(old, trail)
    opened = run("events", "--db", str(old))
    assert opened.exit_code == 2 and "cloudblame migrate" in opened.output
    result = run("migrate", str(old), "--to", str(tmp_path / "migrated"))
    assert result.exit_code == 0, result.output
    ingest_paths(Lake.open(tmp_path / "fresh", create=True), [str(trail)])
    assert tables(tmp_path / "migrated") == {k: v for k, v in tables(tmp_path / "fresh").items()}
    again = run("ingest", str(trail), "--db", str(tmp_path / "migrated"), "-f", "json")
    assert json.loads(again.stdout)["files_unchanged"] == json.loads(again.stdout)["files"] > 50
