"""The store gateway: schema version, newer stores refused, locks waited for then reported."""

from __future__ import annotations

import subprocess
import sys
import time

import duckdb
import pytest

from cloudblame.store import Store, StoreError
from cloudblame.store.schema import SCHEMA_VERSION


def test_new_store_records_its_schema_version(tmp_path):
    with Store.open(tmp_path / "s.duckdb") as store:
        assert store.scalar("SELECT value FROM meta WHERE key = 'schema_version'") == str(SCHEMA_VERSION)
    with Store.open(tmp_path / "s.duckdb", read_only=True) as store:
        assert store.scalar("SELECT count(*) FROM events") == 0


def test_store_from_a_newer_version_is_refused(tmp_path):
    with Store.open(tmp_path / "s.duckdb") as store:
        store.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [str(SCHEMA_VERSION + 1)])
    for read_only in (False, True):
        with pytest.raises(StoreError, match="newer cloudblame"):
            Store.open(tmp_path / "s.duckdb", read_only=read_only)


def test_reading_a_missing_store_says_what_to_do(tmp_path):
    with pytest.raises(StoreError, match="cloudblame ingest"):
        Store.open(tmp_path / "absent.duckdb", read_only=True)


def test_a_second_writer_waits_then_fails_clearly(tmp_path):
    db = tmp_path / "s.duckdb"
    Store.open(db).close()
    holder = subprocess.Popen([sys.executable, "-c",
                               f"import duckdb,time; c=duckdb.connect({str(db)!r}); print('ok', flush=True); time.sleep(30)"],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ok"
        started = time.monotonic()
        with pytest.raises(StoreError, match="in use by another cloudblame process"):
            Store.open(db, wait=0.5)
        assert time.monotonic() - started >= 0.5
    finally:
        holder.kill()
        holder.wait()
    Store.open(db, wait=5).close()  # free again once the holder is gone


def test_a_version_1_store_is_migrated_and_its_chains_resolved(tmp_path):
    """A store written by schema version 1 (no session_created, no credentials): opening it migrates,
    back-fills the new column from the raw records, rebuilds the credential table and resolves sessions."""
    import json

    from cloudblame.ingest import ingest_paths
    from tests.integration.formats import write_jsonl
    from tests.integration.test_identity_chain import _chained_sso_records

    sts, calls = _chained_sso_records()
    write_jsonl(tmp_path / "in", sts + calls)
    db = tmp_path / "old.duckdb"
    with Store.open(db) as store:
        ingest_paths(store, [str(tmp_path / "in")])
        for statement in ("DROP TABLE credentials", "DROP TABLE session_actors",
                          "ALTER TABLE events DROP COLUMN session_created",
                          "ALTER TABLE ingested_files DROP COLUMN etag",
                          "ALTER TABLE events ADD COLUMN request_id VARCHAR",  # dropped by version 6
                          *PRE_7, "UPDATE meta SET value = '1' WHERE key = 'schema_version'"):
            store.execute(statement)
    with Store.open(db) as store:
        assert store.scalar("SELECT value FROM meta WHERE key = 'schema_version'") == str(SCHEMA_VERSION)
        assert store.scalar("SELECT count(*) FROM ingested_files WHERE etag IS NULL") == 1
        assert store.scalar("SELECT count(*) FROM credentials") == 2
        assert store.scalar("SELECT count(*) FROM events WHERE session_created IS NOT NULL") == 3
        human = store.scalar("SELECT human FROM session_actors WHERE access_key_id = 'ASIAHOP2KEY00000002'")
        assert human == "maria.lopez@example.com"
        chain = json.loads(store.scalar("SELECT chain FROM session_actors WHERE access_key_id = 'ASIAHOP2KEY00000002'"))
        assert len(chain) == 3


# A current store made to look older: what versions 8 and 7 added is dropped.
PRE_8 = ("DROP TABLE activity", "ALTER TABLE identity_names DROP COLUMN access_keys")
PRE_7 = ("DROP TABLE activity", "ALTER TABLE events DROP COLUMN resolved_human", "ALTER TABLE events DROP COLUMN resolved_kind",
         "DROP TABLE inventory", "DROP TABLE identity_names", "DELETE FROM meta WHERE key = 'inventory_of'")
ADDED_IN_7 = "EXCLUDE (resolved_human, resolved_kind)"


def test_a_version_4_store_loses_its_event_id_index_and_keeps_every_event(tmp_path):
    """Version 5 drops the primary-key index over eventIDs (uniqueness is the writer's) and
    zstd-compresses the raw records: migrating keeps every event and still deduplicates."""
    from cloudblame.ingest import ingest_paths
    from cloudblame.store.schema import _EVENTS_V6_COLUMNS
    from tests.integration.formats import write_jsonl
    from tests.integration.test_identity_chain import _chained_sso_records

    sts, calls = _chained_sso_records()
    write_jsonl(tmp_path / "in", sts + calls)
    db = tmp_path / "v4.duckdb"
    with Store.open(db) as store:
        ingest_paths(store, [str(tmp_path / "in")])
        before = store.conn.execute(f"SELECT * {ADDED_IN_7} FROM events ORDER BY event_id").fetchall()
        v4 = _EVENTS_V6_COLUMNS.replace("event_id VARCHAR NOT NULL", "event_id VARCHAR PRIMARY KEY").replace(
            " USING COMPRESSION zstd", "").replace("shared_event_id VARCHAR,", "request_id VARCHAR, shared_event_id VARCHAR,")
        for statement in (*PRE_7, "CREATE TABLE events_v4 " + v4, "INSERT INTO events_v4 BY NAME SELECT * FROM events",
                          "DROP TABLE events", "ALTER TABLE events_v4 RENAME TO events",
                          "UPDATE meta SET value = '4' WHERE key = 'schema_version'"):
            store.execute(statement)
        assert store.scalar("SELECT count(*) FROM duckdb_constraints() WHERE table_name = 'events' "
                            "AND constraint_type = 'PRIMARY KEY'") == 1
    with Store.open(db) as store:
        assert store.scalar("SELECT value FROM meta WHERE key = 'schema_version'") == str(SCHEMA_VERSION)
        assert store.conn.execute(f"SELECT * {ADDED_IN_7} FROM events ORDER BY event_id").fetchall() == before
        assert store.scalar("SELECT count(*) FROM duckdb_constraints() WHERE table_name = 'events' "
                            "AND constraint_type = 'PRIMARY KEY'") == 0
        again = ingest_paths(store, [str(tmp_path / "in")], force=True)
        assert (again.new, again.duplicates) == (0, len(before))


def test_a_version_5_store_gets_its_resource_keys_and_sorted_resources(tmp_path):
    """Version 6 adds resource_keys (every spelling of a resource) and keeps event_resources sorted."""
    from cloudblame.demo.generator import generate_sample_trail
    from cloudblame.ingest import ingest_paths
    from cloudblame.queries.blame import find_resources

    generate_sample_trail(tmp_path / "trail", records=800, seed=3)
    db = tmp_path / "v5.duckdb"
    with Store.open(db) as store:
        ingest_paths(store, [str(tmp_path / "trail")])
        keys = store.scalar("SELECT count(*) FROM resource_keys")
        for statement in ("DROP TABLE resource_keys", "DELETE FROM meta WHERE key = 'event_resources_sorted'",
                          "ALTER TABLE events ADD COLUMN request_id VARCHAR", *PRE_7,
                          "UPDATE meta SET value = '5' WHERE key = 'schema_version'"):
            store.execute(statement)
    with Store.open(db) as store:
        assert store.scalar("SELECT value FROM meta WHERE key = 'schema_version'") == str(SCHEMA_VERSION)
        assert store.scalar("SELECT count(*) FROM resource_keys") == keys > 0
        named = store.query("SELECT name, resource_id FROM event_resources WHERE name IS NOT NULL LIMIT 1")[0]
        assert named["resource_id"] in {c["id"] for c in find_resources(store, named["name"])}


def test_a_version_6_store_gets_the_resolved_human_on_its_events(tmp_path):
    """Version 7 copies the human identity resolution found behind each session onto its events."""
    from cloudblame.ingest import ingest_paths
    from cloudblame.queries.inventory import inventory
    from tests.integration.formats import write_jsonl
    from tests.integration.test_identity_chain import _chained_sso_records

    sts, calls = _chained_sso_records()
    write_jsonl(tmp_path / "in", sts + calls)
    db = tmp_path / "v6.duckdb"
    with Store.open(db) as store:
        ingest_paths(store, [str(tmp_path / "in")])
        resolved = store.query("SELECT event_id, resolved_human, resolved_kind FROM events ORDER BY event_id")
        for statement in (*PRE_7, "UPDATE meta SET value = '6' WHERE key = 'schema_version'"):
            store.execute(statement)
    assert any(r["resolved_human"] == "maria.lopez@example.com" for r in resolved)
    with Store.open(db) as store:
        assert store.scalar("SELECT value FROM meta WHERE key = 'schema_version'") == str(SCHEMA_VERSION)
        assert store.query("SELECT event_id, resolved_human, resolved_kind FROM events ORDER BY event_id") == resolved
        # the inventory table is filled by the next ingest; until then inventory derives what it shows
        assert store.scalar("SELECT count(*) FROM inventory") == 0
        before = inventory(store, limit=None)
        assert before["count"] == store.scalar("SELECT count(*) FROM resources WHERE alive") > 0
        ingest_paths(store, [str(tmp_path / "in")])
        assert store.scalar("SELECT count(*) FROM inventory") == before["count"]
        assert inventory(store, limit=None) == before


def test_a_version_7_store_gets_its_activity_table(tmp_path):
    """Version 8 adds the activity table (calls and creations per day, person and tool) and the access
    keys per actor: the migration fills them, and the home page and people index answer as before."""
    from cloudblame.demo.generator import generate_sample_trail
    from cloudblame.ingest import ingest_paths
    from cloudblame.queries.overview import overview
    from cloudblame.queries.people import people

    generate_sample_trail(tmp_path / "trail", records=1500, seed=11)
    db = tmp_path / "v7.duckdb"
    with Store.open(db) as store:
        ingest_paths(store, [str(tmp_path / "trail")])
        answers = (overview(store), people(store), people(store, services=True))
        rows = store.scalar("SELECT count(*) FROM activity")
        for statement in (*PRE_8, "UPDATE meta SET value = '7' WHERE key = 'schema_version'"):
            store.execute(statement)
    assert rows > 0 and answers[1] and any(p["access_keys"] for p in answers[1])
    with Store.open(db) as store:
        assert store.scalar("SELECT value FROM meta WHERE key = 'schema_version'") == str(SCHEMA_VERSION)
        assert store.scalar("SELECT count(*) FROM activity") == rows
        assert (overview(store), people(store), people(store, services=True)) == answers


def test_concurrently_runs_each_call_on_a_reader_of_its_own(tmp_path):
    """Store.concurrently: results in the calls' order, each call on its own reader (closed afterwards),
    a call's error raised to the caller."""
    with Store.open(tmp_path / "s.duckdb") as store:
        store.execute("CREATE TABLE t AS SELECT range AS n FROM range(1000)")
        seen = []

        def count_over(limit):
            def call(reader):
                seen.append(reader)
                return reader.scalar("SELECT count(*) FROM t WHERE n >= ?", [limit])
            return call

        assert store.concurrently(count_over(0), count_over(990), count_over(500)) == [1000, 10, 500]
        assert len({id(r.conn) for r in seen}) == 3 and all(r.read_only for r in seen)
        with pytest.raises(duckdb.Error):
            seen[0].scalar("SELECT 1")  # closed
        with pytest.raises(duckdb.CatalogException):
            store.concurrently(count_over(0), lambda reader: reader.scalar("SELECT * FROM missing"))
