"""Batched, idempotent writes: events unique by eventID, resources only for new events, file marks
committed in the same transaction as the file's last records (a crash loses nothing committed and
re-reads only files not yet marked)."""

from __future__ import annotations

import gc
from dataclasses import dataclass, field
from datetime import datetime, timezone

import pyarrow as pa

from cloudblame.normalize.credentials import CREDENTIAL_COLUMNS
from cloudblame.normalize.record import EVENT_COLUMNS, RESOURCE_COLUMNS, NormalizedEvent
from cloudblame.sources.files import FileReport
from cloudblame.store.db import Store

_TYPES = {
    "event_time": pa.timestamp("us"),
    "session_created": pa.timestamp("us"),
    "read_only": pa.bool_(),
    "failed": pa.bool_(),
}


def _schema(columns: tuple[str, ...]) -> pa.Schema:
    return pa.schema([(c, _TYPES.get(c, pa.string())) for c in columns])


_EVENT_SCHEMA = _schema(EVENT_COLUMNS)
_RESOURCE_SCHEMA = _schema(RESOURCE_COLUMNS)
_CREDENTIAL_SCHEMA = _schema(CREDENTIAL_COLUMNS)


@dataclass
class WriteCounts:
    records: int = 0  # records handed to the writer
    new: int = 0  # records stored for the first time
    duplicates: int = 0  # records already stored (same eventID)


@dataclass
class EventWriter:
    """Collects normalized events and flushes them in batches of ``batch_size`` records."""

    store: Store
    batch_size: int = 20_000
    counts: WriteCounts = field(default_factory=WriteCounts)
    _events: dict[str, list] = field(init=False)
    _resources: dict[str, list] = field(init=False)
    _credentials: dict[str, list] = field(init=False)
    _files: list[FileReport] = field(init=False, default_factory=list)
    _pending: int = field(init=False, default=0)

    def __post_init__(self) -> None:
        self._reset()

    def _reset(self) -> None:
        self._events = {c: [] for c in EVENT_COLUMNS}
        self._resources = {c: [] for c in RESOURCE_COLUMNS}
        self._credentials = {c: [] for c in CREDENTIAL_COLUMNS}
        self._files = []
        self._pending = 0
        self._batch_ids: set[str] = set()

    def add(self, item: NormalizedEvent) -> None:
        self.counts.records += 1
        if item.event["event_id"] in self._batch_ids:  # the same eventID twice in one batch: keep the first
            self.counts.duplicates += 1
            return
        self._batch_ids.add(item.event["event_id"])
        for column, values in self._events.items():
            values.append(item.event[column])
        for row in item.resources:
            for column, values in self._resources.items():
                values.append(row[column])
        if item.credential:
            for column, values in self._credentials.items():
                values.append(item.credential[column])
        self._pending += 1
        if self._pending >= self.batch_size:
            self.flush()

    def file_done(self, report: FileReport) -> None:
        """Mark a file as ingested; the mark is committed with the file's last records."""
        self._files.append(report)

    def flush(self) -> None:
        if not self._pending and not self._files:
            return
        events = pa.Table.from_pydict(self._events, schema=_EVENT_SCHEMA)
        resources = pa.Table.from_pydict(self._resources, schema=_RESOURCE_SCHEMA)
        credentials = pa.Table.from_pydict(self._credentials, schema=_CREDENTIAL_SCHEMA)
        files = self._files
        self._reset()
        conn = self.store.conn
        with self.store.transaction():
            conn.register("batch_events", events)
            inserted = conn.execute(
                "INSERT OR IGNORE INTO events BY NAME SELECT * FROM batch_events RETURNING event_id"
            ).fetchall()
            new_ids = pa.table({"event_id": pa.array([r[0] for r in inserted], pa.string())})
            conn.unregister("batch_events")
            conn.register("new_ids", new_ids)
            for table, rows in (("event_resources", resources), ("credentials", credentials)):
                if new_ids.num_rows and rows.num_rows:
                    conn.register("batch_rows", rows)
                    conn.execute(f"INSERT INTO {table} BY NAME SELECT r.* FROM batch_rows r "
                                 "SEMI JOIN new_ids n ON r.event_id = n.event_id")
                    conn.unregister("batch_rows")
            conn.unregister("new_ids")
            self._mark_files(files)
        self.counts.new += new_ids.num_rows
        self.counts.duplicates += events.num_rows - new_ids.num_rows
        del events, resources, credentials, new_ids
        gc.collect(0)

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
