"""The ledger of what was read (the ``objects`` table): a file or object is entered once its rows are
committed to events, so an ingest that stops at any point re-reads exactly what it had not finished, and
files entered unchanged (same size and mtime, or same ETag and size) are not read again. A file that could
not be read completely (truncated, damaged, unreadable) is entered as ``failed`` with the reason: what was
read of it is kept, and the next ingest of its path reads it again (``pending`` lists them)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import duckdb
import pyarrow as pa

from cloudblame.sources.files import FileReport
from cloudblame.store.db import Row, define_views, new_connection
from cloudblame.store.files import write_data_file
from cloudblame.store.lake import Lake, commit
from cloudblame.store.tables import OBJECTS

FAILED = "failed"  # the shape of an entry whose file could not be read completely (skipped_reason: why)
# The entries of the files read completely (done: not read again while unchanged).
DONE = f"(SELECT * FROM objects WHERE shape IS DISTINCT FROM '{FAILED}')"
# The newest entry of each path read completely (an object read again after it changed has a later one).
LATEST = f"(SELECT * FROM {DONE} QUALIFY row_number() OVER (PARTITION BY path ORDER BY ingested_at DESC) = 1)"
# The files whose newest entry is a failure: read again by the next ingest of their path.
PENDING_SQL = f"""
SELECT path, size, records, skipped_reason AS reason, ingested_at AS failed_at FROM objects
QUALIFY row_number() OVER (PARTITION BY path ORDER BY ingested_at DESC) = 1 AND shape = '{FAILED}'
ORDER BY path"""


def entries(reports: list[FileReport]) -> pa.Table:
    now = datetime.now(UTC).replace(tzinfo=None)
    return pa.table({
        "path": [r.path for r in reports], "size": pa.array([r.size for r in reports], pa.int64()),
        "mtime_ns": pa.array([r.mtime_ns for r in reports], pa.int64()), "etag": [r.etag for r in reports],
        "shape": [FAILED if r.failure else r.shape for r in reports],
        "records": pa.array([r.records for r in reports], pa.int64()),
        "skipped_reason": [r.failure or r.skipped_reason for r in reports],
        "ingested_at": pa.array([now] * len(reports), pa.timestamp("us")),
    }, schema=OBJECTS.schema)


def enter(lake: Lake, reports: list[FileReport], *, writer_id: str, sequence: int) -> None:
    """Enter ``reports`` (their rows already committed) in the ledger, in one commit."""
    if reports:
        rows = entries(reports).sort_by("path")
        commit(lake, OBJECTS, [write_data_file(lake.root, OBJECTS, rows, writer_id=writer_id, sequence=sequence)])


@contextmanager
def ledger(lake: Lake) -> Iterator[duckdb.DuckDBPyConnection]:
    """A DuckDB connection whose ``objects`` view is the ledger as it is now (committed, published or not)."""
    conn = new_connection(lake)
    try:
        define_views(conn, {OBJECTS.name: lake.table(OBJECTS.name).file_uris()})
        yield conn
    finally:
        conn.close()


def pending(lake: Lake) -> list[Row]:
    """The files and objects whose last read failed (path, size, records read of it, reason, failed_at)."""
    if not lake.table(OBJECTS.name).file_uris():
        return []
    with ledger(lake) as conn:
        cur = conn.execute(PENDING_SQL)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row)) for row in cur.fetchall()]


def entered(lake: Lake) -> dict[str, tuple[int, int, str | None]]:
    """path -> (size, mtime_ns, etag) of every file or object in the ledger."""
    with ledger(lake) as conn:
        rows = conn.execute(f"SELECT path, size, mtime_ns, etag FROM {LATEST}").fetchall()
    return {path: (size, mtime, etag) for path, size, mtime, etag in rows}
