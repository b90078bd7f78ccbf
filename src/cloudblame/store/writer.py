"""Batched, idempotent writes: events unique by eventID, resources only for new events, file marks
committed in the same transaction as the file's last records (a crash loses nothing committed and
re-reads only files not yet marked)."""

from __future__ import annotations

import gc
from dataclasses import dataclass, field
from datetime import datetime, timezone

import pyarrow as pa
import pyarrow.compute as pc

from cloudblame.normalize.batch import NormalizedBatch
from cloudblame.sources.files import FileReport
from cloudblame.store.db import Store


# DuckDB's cap while inserting (measured on 1M records: the writer peaked at 470 MB under 160 MB and at 554
# under 256, at the same speed); a batch that needs more is inserted again under a larger cap.
WRITE_MEMORY = "160MB"


@dataclass
class WriteCounts:
    records: int = 0  # records handed to the writer
    new: int = 0  # records stored for the first time
    duplicates: int = 0  # records already stored (same eventID), or twice in what was handed over


@dataclass
class EventWriter:
    """Takes normalized batches and inserts them once ``batch_size`` rows are pending."""

    store: Store
    batch_size: int = 50_000
    counts: WriteCounts = field(default_factory=WriteCounts)
    _pending: list[NormalizedBatch] = field(init=False, default_factory=list)
    _rows: int = field(init=False, default=0)
    memory_before: str = field(init=False, default="")

    def __post_init__(self) -> None:
        # Bulk inserts and checkpoints take what DuckDB is allowed (measured: +500 MB per million rows
        # uncapped, +240 MB capped at 256 MB, at the same speed); the caller restores the cap.
        self.memory_before = self.store.limit_memory(WRITE_MEMORY)

    def add(self, batch: NormalizedBatch) -> None:
        self.counts.records += batch.records
        self.counts.duplicates += batch.duplicates
        self._pending.append(batch)
        self._rows += batch.rows
        if self._rows >= self.batch_size:
            self.flush()

    def flush(self) -> None:
        if not self._pending:
            return
        batches, self._pending, self._rows = self._pending, [], 0
        events = pa.concat_tables([b.events for b in batches])
        resources = pa.concat_tables([b.resources for b in batches])
        credentials = pa.concat_tables([b.credentials for b in batches])
        files = [f for b in batches for f in b.files]
        del batches
        distinct = _first_of_each_event(events)
        repeated = distinct is not None
        if repeated:  # the same eventID in two files of this flush: keep the first copy
            self.counts.duplicates += events.num_rows - distinct.num_rows
            events = distinct
        new = self.store.under_cap(WRITE_MEMORY, lambda: self._insert(events, resources, credentials, files,
                                                                      distinct_rows=repeated))
        self.counts.new += new
        self.counts.duplicates += events.num_rows - new
        del events, resources, credentials
        gc.collect(0)

    def _insert(self, events: pa.Table, resources: pa.Table, credentials: pa.Table,
                files: list[FileReport], *, distinct_rows: bool) -> int:
        """Insert the events whose eventID is not stored yet, their resource and credential rows, and
        the file marks, in one transaction. A copy of an event has the same eventTime, so the ids to
        compare against are only those stored within a day of the batch's times (min/max zone maps
        skip the rest of the table)."""
        conn = self.store.conn
        with self.store.transaction():
            conn.register("batch_events", events)
            fresh = pa.table({"event_id": pa.array([r[0] for r in conn.execute(
                f"SELECT event_id FROM batch_events WHERE event_id NOT IN ({_STORED_NEAR})",
                _time_window(events)).fetchall()], pa.string())})
            conn.register("new_ids", fresh)
            if fresh.num_rows:
                conn.execute("INSERT INTO events BY NAME SELECT b.* FROM batch_events b "
                             "SEMI JOIN new_ids n ON b.event_id = n.event_id").fetchall()
            conn.unregister("batch_events")
            distinct = "DISTINCT " if distinct_rows else ""
            for table, rows in (("event_resources", resources), ("credentials", credentials)):
                if fresh.num_rows and rows.num_rows:
                    conn.register("batch_rows", rows)
                    conn.execute(f"INSERT INTO {table} BY NAME SELECT {distinct}r.* FROM batch_rows r "
                                 "SEMI JOIN new_ids n ON r.event_id = n.event_id").fetchall()
                    conn.unregister("batch_rows")
            conn.unregister("new_ids")
            self._mark_files(files)
        return fresh.num_rows

    def _mark_files(self, files: list[FileReport]) -> None:
        if not files:
            return
        now = datetime.now(timezone.utc).replace(tzinfo=None)
        marks = pa.table({
            "path": [f.path for f in files], "size": pa.array([f.size for f in files], pa.int64()),
            "mtime_ns": pa.array([f.mtime_ns for f in files], pa.int64()), "shape": [f.shape for f in files],
            "records": pa.array([f.records for f in files], pa.int32()),
            "skipped_reason": [f.skipped_reason for f in files], "ingested_at": [now] * len(files),
            "etag": pa.array([f.etag for f in files], pa.string()),
        })
        self.store.conn.register("batch_files", marks)
        self.store.execute("INSERT OR REPLACE INTO ingested_files BY NAME SELECT * FROM batch_files")
        self.store.conn.unregister("batch_files")


_STORED_NEAR = ("SELECT event_id FROM events WHERE event_time BETWEEN CAST(? AS TIMESTAMP) - INTERVAL 1 DAY "
                "AND CAST(? AS TIMESTAMP) + INTERVAL 1 DAY")


def _time_window(events: pa.Table) -> list:
    bounds = pc.min_max(events.column("event_time"))
    return [bounds["min"].as_py(), bounds["max"].as_py()]


def _first_of_each_event(events: pa.Table) -> pa.Table | None:
    """``events`` without later repeats of an eventID, or None when every eventID is distinct."""
    ids = events.column("event_id")
    if pc.count_distinct(ids).as_py() == events.num_rows:
        return None
    firsts = (pa.table({"event_id": ids, "i": pa.array(range(events.num_rows), pa.int64())})
              .group_by("event_id").aggregate([("i", "min")]).column("i_min"))
    return events.take(pc.take(firsts, pc.sort_indices(firsts)))
