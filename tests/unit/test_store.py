"""The store directory: created with every table and a first snapshot, refused clearly when missing, when
written by a newer cloudblame or when it is an earlier single-file store; its layout documented."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest
from deltalake import write_deltalake

from cloudblame.store import Store, StoreError
from cloudblame.store.lake import Lake
from cloudblame.store.tables import SCHEMA_VERSION, SNAPSHOTS, TABLES

ROOT = Path(__file__).resolve().parents[2]


def test_a_new_store_has_every_table_and_a_first_snapshot(tmp_path):
    lake = Lake.open(tmp_path / "s", create=True)
    snap = lake.latest_snapshot()
    assert snap.snapshot == 0 and snap.events == 0
    assert set(snap.versions) == set(TABLES) - {"snapshots"}
    with Store.open(tmp_path / "s", read_only=True) as store:
        for name in TABLES:
            if name != "snapshots":
                assert store.scalar(f"SELECT count(*) FROM {'event_rows' if name == 'events' else name}") == 0
        assert store.scalar("SELECT count(*) FROM events") == 0


def test_a_store_from_a_newer_version_is_refused(tmp_path):
    lake = Lake.open(tmp_path / "s", create=True)
    row = pa.table({"snapshot": [1], "published_at": pa.array([None], pa.timestamp("us")),
                    "schema_version": [SCHEMA_VERSION + 1], "versions": [json.dumps(lake.latest_snapshot().versions)],
                    "events": [0], "reason": ["test"]}, schema=SNAPSHOTS.schema)
    write_deltalake(str(lake.path_of("snapshots")), row, mode="append")
    for read_only in (False, True):
        with pytest.raises(StoreError, match="newer cloudblame"):
            Store.open(tmp_path / "s", read_only=read_only)


def test_reading_a_missing_store_says_what_to_do(tmp_path):
    with pytest.raises(StoreError, match="cloudblame ingest"):
        Store.open(tmp_path / "absent", read_only=True)
    assert not (tmp_path / "absent").exists()


def test_an_earlier_single_file_store_is_refused_with_the_way_to_migrate(tmp_path):
    old = tmp_path / "cloudblame.duckdb"
    duckdb.connect(str(old)).close()
    with pytest.raises(StoreError, match="cloudblame migrate"):
        Store.open(old)
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(StoreError, match="not a cloudblame store"):
        Store.open(tmp_path / "notes.txt")


def test_a_locked_down_reader_reads_the_store_and_nothing_else(tmp_path):
    with Store.open(tmp_path / "s") as store:
        store.lock_down()
        assert store.scalar("SELECT count(*) FROM resources") == 0
        for sql in ("SELECT * FROM read_csv('/etc/passwd')", f"COPY (SELECT 1) TO '{tmp_path / 'x.csv'}'"):
            with pytest.raises(duckdb.Error, match="disabled by configuration"):
                store.execute(sql)
    assert not (tmp_path / "x.csv").exists()


def test_docs_store_md_describes_every_table_and_column():
    text = (ROOT / "docs" / "store.md").read_text()
    for table in TABLES.values():
        assert f"### `{table.name}`" in text, table.name
        section = text.split(f"### `{table.name}`", 1)[1].split("\n### ", 1)[0]
        for column in table.delta_schema.names:
            assert f"| `{column}` |" in section, (table.name, column)


def test_what_duckdb_spills_goes_to_the_stores_scratch_folder_not_the_working_folder(tmp_path, monkeypatch):
    """DuckDB's own default is a ``.tmp`` in the working folder: a reader (and the ledger, compaction, a
    publish) spilling past its memory must leave the user's folder as it was."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    with Store.open(tmp_path / "store", create=True) as store:
        store.conn.execute("SET memory_limit = '100MB'")
        store.conn.execute("SET threads = 1")
        store.conn.execute("SET preserve_insertion_order = false")
        rows = store.scalar("SELECT count(*) FROM (SELECT i, md5(i::VARCHAR) AS h FROM range(6000000) t(i) ORDER BY h)")
        spilled_here, spilled_in_store = list(work.iterdir()), store.lake.scratch.is_dir()  # DuckDB removes it at close
    assert rows == 6_000_000
    assert spilled_here == [] and spilled_in_store
