"""Ingest: sources -> normalize -> store, streaming, idempotent, and tolerant of bad input."""

from __future__ import annotations

import os
import re
import signal
import time
from datetime import datetime, timedelta, timezone
from dataclasses import dataclass, field
from typing import Callable

import pyarrow as pa
import pyarrow.compute as pc

from cloudblame.memory import release_memory
from cloudblame.normalize.batch import BatchBuilder, NormalizedBatch
from cloudblame.sources.files import FileReport, Problem, RawRecord, discover, file_report
from cloudblame.sources.s3key import parse_trail_key
from cloudblame.sources.s3 import ObjectFilter, S3Lister, fetch, parse_s3_url
from cloudblame.store.db import Store
from cloudblame.queries.details import rebuild_derived
from cloudblame.store.lifecycle import derived_tables_stale
from cloudblame.store.writer import EventWriter
from cloudblame.workers import TASK_BYTES, PARALLEL_MIN_BYTES, ContentTask, FileTask, default_jobs, group_by_size, run_tasks

ProgressFn = Callable[[int, int, int], None]  # (files done, files total, records read)


@dataclass
class IngestSummary:
    files: int = 0  # files found
    files_read: int = 0
    files_unchanged: int = 0  # already ingested with the same size and mtime
    records: int = 0
    new: int = 0
    duplicates: int = 0
    bad_records: int = 0
    bytes: int = 0  # bytes read (as stored: gzip for trail files)
    skipped_files: list[tuple[str, str]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def records_per_second(self) -> float:
        return self.records / self.seconds if self.seconds > 0 else 0.0

    @property
    def nothing_readable(self) -> bool:
        """True when nothing could be read at all (the CLI then exits non-zero)."""
        return self.records == 0 and self.files_unchanged == 0

    def as_dict(self) -> dict:
        return {
            "files": self.files, "files_read": self.files_read, "files_unchanged": self.files_unchanged,
            "records": self.records, "new": self.new, "duplicates": self.duplicates,
            "bad_records": self.bad_records, "bytes": self.bytes, "seconds": round(self.seconds, 3),
            "records_per_second": round(self.records_per_second, 1),
            "mb_per_second": round(self.bytes / 1e6 / self.seconds, 2) if self.seconds > 0 else 0.0,
            "skipped_files": [{"path": p, "reason": r} for p, r in self.skipped_files],
            "problems": [{"path": p.path, "line": p.line, "reason": p.reason} for p in self.problems],
        }


def _already_ingested(store: Store) -> dict[str, tuple[int, int, str | None]]:
    """path -> (size, mtime_ns, etag) of every file or object already ingested."""
    rows = store.conn.execute("SELECT path, size, mtime_ns, etag FROM ingested_files").fetchall()
    return {path: (size, mtime, etag) for path, size, mtime, etag in rows}


def ingest_paths(store: Store, paths: list[str], *, force: bool = False, batch_size: int = 50_000,
                 progress: ProgressFn | None = None, jobs: int | None = None,
                 task_bytes: int = TASK_BYTES) -> IngestSummary:
    """Ingest every CloudTrail record found under ``paths`` into ``store``: ``jobs`` worker processes
    (default: every core for big inputs, none for small ones) read and normalize tasks of about
    ``task_bytes`` of files each; this process writes."""
    started = time.perf_counter()
    files, problems = discover(paths)
    summary = IngestSummary(files=len(files), problems=list(problems))
    todo = _files_to_read(store, files, force=force)
    del files
    summary.files_unchanged = summary.files - todo.num_rows
    jobs = _jobs(jobs, pc.sum(todo.column("size")).as_py() or 0)
    tasks = group_by_size(_rows(todo), lambda row: row[1], _file_task, limit=task_bytes)
    writer = EventWriter(store, batch_size=batch_size)
    for batch in run_tasks(tasks, jobs=jobs):
        _write(batch, writer, summary)
        if progress:
            progress(summary.files_unchanged + summary.files_read, summary.files, summary.records)
    return _finish(store, writer, summary, started)


_DELIVERY_STAMP = re.compile(r"_(\d{8}T\d{4}Z)_")
_LISTING = pa.schema([("path", pa.string()), ("size", pa.int64()), ("mtime_ns", pa.int64()),
                      ("trail", pa.bool_()), ("date", pa.string()), ("stamp", pa.string())])


def _files_to_read(store: Store, files: list[str], *, force: bool) -> pa.Table:
    """(path, size, mtime_ns) of the files not ingested yet with the same size and mtime, in delivery
    order: trail files by delivery time across accounts and regions (events then arrive roughly in
    time order, so each row group spans a short time and time filters skip the rest), others by path.
    Columnar and compared in DuckDB, so a listing of 400,000 files stays small."""
    listing = pa.Table.from_batches([_listing(files[i:i + 50_000]) for i in range(0, len(files), 50_000)],
                                    schema=_LISTING)
    unchanged = ("" if force else "ANTI JOIN ingested_files i "
                 "ON i.path = l.path AND i.size = l.size AND i.mtime_ns = l.mtime_ns")
    store.conn.register("_listing", listing)
    try:
        return store.conn.sql(f"SELECT l.path, l.size, l.mtime_ns FROM _listing l {unchanged} "
                              "ORDER BY NOT l.trail, l.date, l.stamp, l.path").to_arrow_table()
    finally:
        store.conn.unregister("_listing")


def _listing(paths: list[str]) -> pa.RecordBatch:
    columns: dict[str, list] = {name: [] for name in _LISTING.names}
    for path in paths:
        report = file_report(path)
        key = report.key
        stamp = _DELIVERY_STAMP.search(key.file_name) if key else None
        for name, value in (("path", report.path), ("size", report.size), ("mtime_ns", report.mtime_ns),
                            ("trail", key is not None), ("date", key.date if key else ""),
                            ("stamp", stamp.group(1) if stamp else "")):
            columns[name].append(value)
    return pa.record_batch(columns, schema=_LISTING)


def _rows(todo: pa.Table):
    for batch in todo.to_batches(max_chunksize=10_000):
        yield from zip(*(batch.column(i).to_pylist() for i in range(3)))


def _file_task(rows: list[tuple]) -> FileTask:
    return FileTask([(path, FileReport(path, size, mtime, parse_trail_key(path))) for path, size, mtime in rows])


def _jobs(jobs: int | None, total_bytes: int) -> int:
    """Worker processes for ``total_bytes`` of input: all cores for big inputs, none for small ones."""
    if jobs is not None:
        return max(1, jobs)
    return default_jobs() if total_bytes >= PARALLEL_MIN_BYTES else 1


def _write(batch: NormalizedBatch, writer: EventWriter, summary: IngestSummary) -> None:
    """Hand a batch to the writer and count what reading it found."""
    writer.add(batch)
    summary.records += batch.records
    summary.bad_records += batch.bad_records
    summary.files_read += len(batch.files)
    summary.bytes += batch.bytes
    for report in batch.files:
        if report.skipped_reason:
            summary.skipped_files.append((report.path, report.skipped_reason))
        summary.problems.extend(report.problems)


# DuckDB's cap while the derived tables are rebuilt (their joins and sorts spill past it). On a 10M-event
# store the rebuilds under a 600 MB cap peaked at 733 MB (under 400 MB one ran out of memory); under
# DuckDB's default cap (80% of RAM) the ingest's process reached 5.9 GB. The inventory's refresh (point
# lookups of creation records) ran as fast under 256 MB as under 600, and peaked at 560 MB, not 950.
REBUILD_MEMORY = "600MB"
REFRESH_MEMORY = "256MB"


def _finish(store: Store, writer: EventWriter, summary: IngestSummary, started: float) -> IngestSummary:
    """Flush the last batch, count, and bring the derived tables up to date: identities, resources and
    their details when anything new arrived (or an earlier ingest stopped before doing so)."""
    writer.flush()
    summary.new, summary.duplicates = writer.counts.new, writer.counts.duplicates
    release_memory()  # what the insert phase freed, before the rebuilds take theirs
    try:
        rebuild_derived(store, events_changed=bool(summary.new) or derived_tables_stale(store),
                        memory=(REBUILD_MEMORY, REFRESH_MEMORY))
    finally:
        store.limit_memory(writer.memory_before)
    summary.seconds = time.perf_counter() - started
    return summary



S3ProgressFn = Callable[[int, int, int], None]  # (objects read, records, bytes)


def ingest_s3(store: Store, url: str, *, client, flt: ObjectFilter | None = None, workers: int = 8,
              force: bool = False, batch_size: int = 50_000, progress: S3ProgressFn | None = None,
              jobs: int | None = None) -> IngestSummary:
    """Ingest the trail objects under ``s3://BUCKET[/PREFIX]`` that are new or changed (key, ETag, size).

    Objects are marked ingested in the same transaction as their last records, so a run killed at
    any point re-reads only unmarked objects and, deduplicated on eventID, ends with the same store.
    """
    started = time.perf_counter()
    location = parse_s3_url(url)
    lister = S3Lister(client, location, flt or ObjectFilter())
    seen = {} if force else _already_ingested(store)
    summary = IngestSummary()
    writer = EventWriter(store, batch_size=batch_size)
    crash_after = int(os.environ.get("CLOUDBLAME_TEST_KILL_AFTER_OBJECTS", "0"))  # fault injection (tests)

    def wanted():
        for obj in lister.objects():
            summary.files += 1
            size, _, etag = seen.get(f"s3://{location.bucket}/{obj.key}", (None, None, None))
            if (size, etag) == (obj.size, obj.etag):
                summary.files_unchanged += 1
            else:
                yield obj

    def downloaded():
        for obj, data, error in fetch(client, location.bucket, wanted(), workers=workers):
            path = f"s3://{location.bucket}/{obj.key}"
            if error is not None:  # not marked: the next run tries again
                summary.problems.append(Problem(path, None, error))
                continue
            yield data, FileReport(path, obj.size, 0, obj.trail_key, etag=obj.etag)

    limit = 1 if crash_after else TASK_BYTES  # fault injection counts objects one by one
    tasks = group_by_size(downloaded(), lambda item: item[1].size, ContentTask, limit=limit)
    for batch in run_tasks(tasks, jobs=1 if crash_after else (jobs or default_jobs())):
        _write(batch, writer, summary)
        if progress:
            progress(summary.files_read, summary.records, summary.bytes)
        if crash_after and summary.files_read >= crash_after:
            os.kill(os.getpid(), signal.SIGKILL)
    summary.problems[:0] = lister.problems
    return _finish(store, writer, summary, started)


LOOKUP_WINDOW = timedelta(days=90)


def lookup_origin(region: str) -> str:
    return f"lookup-events:{region}"


def newest_looked_up(store: Store, region: str) -> datetime | None:
    """The newest event already stored from LookupEvents in ``region`` (the incremental starting point)."""
    return store.scalar("SELECT max(event_time) FROM events WHERE origin = ?", [lookup_origin(region)])


def ingest_lookup(store: Store, session, *, regions: list[str], since: datetime | None = None,
                  until: datetime | None = None, resource_name: str | None = None, endpoint_url: str | None = None,
                  max_rps: float = 2.0, on_page=None, batch_size: int = 5_000) -> IngestSummary:
    """Page LookupEvents in each region from the newest event already stored (or ``since``, or 90 days
    ago) and ingest what comes back. A region that fails is reported; the others go on."""
    from cloudblame.sources.lookup import LookupRegionError, lookup_events

    started = time.perf_counter()
    summary = IngestSummary()
    writer = EventWriter(store, batch_size=batch_size)
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    for region in regions:
        start = since
        if start is None and resource_name is None:
            newest = newest_looked_up(store, region)
            start = (newest - timedelta(minutes=15)) if newest else now - LOOKUP_WINDOW  # late deliveries
        report = FileReport(lookup_origin(region), 0, 0, None, shape="lookup-events")
        builder = BatchBuilder()
        try:
            records = (RawRecord(rec, None) for _, rec in lookup_events(
                session, regions=[region], start=start, end=until, resource_name=resource_name,
                endpoint_url=endpoint_url, max_rps=max_rps, on_page=on_page))
            builder.add_items(records, report)
        except LookupRegionError as exc:
            summary.problems.append(Problem(report.path, None, str(exc)))
        _write(builder.build(), writer, summary)
        summary.files += 1
    return _finish(store, writer, summary, started)
