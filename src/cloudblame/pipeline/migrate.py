"""`cloudblame migrate`: a store of an earlier cloudblame (one DuckDB file, schema versions 1-8) copied into
a store directory. Every raw record it kept is normalized again by today's code (so the new store holds
what an ingest of the original files would) under the file it came from; its ledger of ingested files is
carried over, so files already ingested are not read again."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from itertools import groupby

import duckdb
import orjson

from cloudblame.core.errors import StoreError
from cloudblame.normalize.batch import BatchBuilder
from cloudblame.pipeline.ingest import IngestSummary, Target, _lake, _run
from cloudblame.pipeline.workers import BatchTask
from cloudblame.sources.files import FileReport, RawRecord
from cloudblame.sources.s3key import parse_trail_key
from cloudblame.store.ledger import enter

CHUNK = 20_000  # records read from the old store at a time


def _old_store(path: str) -> duckdb.DuckDBPyConnection:
    try:
        conn = duckdb.connect(path, read_only=True)
    except duckdb.Error as exc:
        raise StoreError(f"cannot open {path} as an earlier cloudblame store: {exc}") from None
    tables = {r[0] for r in conn.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    if not {"events", "meta"} <= tables:
        conn.close()
        raise StoreError(f"{path} is not a store of an earlier cloudblame (no events and meta tables)")
    return conn


def _batches(conn: duckdb.DuckDBPyConnection) -> Iterator[BatchTask]:
    """The old store's records, normalized again, a few thousand at a time (by origin, in time order)."""
    reader = conn.sql("SELECT raw, origin FROM events ORDER BY origin, event_time, event_id").to_arrow_reader(CHUNK)
    for batch in reader:
        builder = BatchBuilder()
        rows = zip(batch.column(0).to_pylist(), batch.column(1).to_pylist())
        for origin, group in _by_origin(rows):
            report = FileReport(origin or "migrated", 0, 0, parse_trail_key(origin) if origin else None)
            builder.add_items((RawRecord(orjson.loads(raw), None) for raw in group), report)
        yield BatchTask(builder.build())


def _by_origin(rows: Iterable[tuple[str, str | None]]) -> Iterator[tuple[str | None, list[str]]]:
    """The raw records of ``rows`` (raw, origin), grouped by origin as they come (one group per run of an origin)."""
    for origin, group in groupby(rows, key=lambda row: row[1]):
        yield origin, [raw for raw, _ in group]


def _ledger(conn: duckdb.DuckDBPyConnection) -> list[FileReport]:
    columns = {r[0] for r in conn.execute("SELECT column_name FROM information_schema.columns "
                                          "WHERE table_name = 'ingested_files'").fetchall()}
    if not columns:
        return []
    etag = "etag" if "etag" in columns else "NULL"
    rows = conn.execute(f"SELECT path, size, mtime_ns, shape, records, skipped_reason, {etag} "
                        "FROM ingested_files").fetchall()
    return [FileReport(path, size, mtime, None, shape=shape, etag=tag, records=records, skipped_reason=reason)
            for path, size, mtime, shape, records, reason, tag in rows]


def migrate(old_path: str, target: Target) -> IngestSummary:
    """Copy the earlier store at ``old_path`` into ``target`` (see the module doc)."""
    started = time.perf_counter()
    conn = _old_store(old_path)
    try:
        summary = IngestSummary(files=1)
        _run(target, _batches(conn), summary, jobs=1, started=started)
        reports = _ledger(conn)
        enter(_lake(target), reports, writer_id=f"migrate-{datetime.now(UTC):%Y%m%dT%H%M%S}", sequence=1)
        summary.files_read = len(reports)
    finally:
        conn.close()
    summary.seconds = time.perf_counter() - started
    return summary
