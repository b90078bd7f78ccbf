"""Ingest: sources -> normalize -> store, streaming, idempotent, and tolerant of bad input."""

from __future__ import annotations

import os
import signal
import time
from datetime import datetime, timedelta, timezone
from dataclasses import dataclass, field
from typing import Callable, Iterable

import orjson

from cloudblame.normalize.record import BadRecord, normalize_record
from cloudblame.sources.files import (
    FileReport, Problem, RawRecord, discover, file_report, iter_content, iter_file,
)
from cloudblame.sources.s3 import ObjectFilter, S3Lister, fetch, parse_s3_url
from cloudblame.store.db import Store
from cloudblame.store.identity import resolve_sessions
from cloudblame.store.lifecycle import rebuild_resources
from cloudblame.store.writer import EventWriter

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


def ingest_paths(store: Store, paths: list[str], *, force: bool = False, batch_size: int = 20_000,
                 progress: ProgressFn | None = None) -> IngestSummary:
    """Ingest every CloudTrail record found under ``paths`` into ``store``."""
    started = time.perf_counter()
    files, problems = discover(paths)
    summary = IngestSummary(files=len(files), problems=list(problems))
    seen = {} if force else _already_ingested(store)
    writer = EventWriter(store, batch_size=batch_size)
    for done, path in enumerate(files, start=1):
        report = file_report(path)
        if seen.get(report.path, (None, None, None))[:2] == (report.size, report.mtime_ns):
            summary.files_unchanged += 1
        else:
            ingest_items(iter_file(path, report), report, writer, summary)
        if progress:
            progress(done, len(files), summary.records)
    return _finish(store, writer, summary, started)


def _finish(store: Store, writer: EventWriter, summary: IngestSummary, started: float) -> IngestSummary:
    """Flush the last batch, count, and re-resolve identities when anything new arrived."""
    writer.flush()
    summary.new, summary.duplicates = writer.counts.new, writer.counts.duplicates
    if summary.new:
        resolve_sessions(store)
        rebuild_resources(store)
    summary.seconds = time.perf_counter() - started
    return summary


def ingest_items(items: Iterable[RawRecord], report: FileReport, writer: EventWriter,
                 summary: IngestSummary) -> None:
    """Normalize and write the records of one file or object; bad records become problems."""
    origin = report.path
    for item in items:
        try:
            normalized = normalize_record(item.record, key=report.key, origin=origin,
                                          raw=orjson.dumps(item.record))
        except BadRecord as exc:
            report.problems.append(Problem(origin, item.line, f"bad record: {exc}"))
            summary.bad_records += 1
            continue
        except Exception as exc:  # a record no rule foresaw must not stop the ingest
            report.problems.append(Problem(origin, item.line, f"cannot normalize record: {type(exc).__name__}: {exc}"))
            summary.bad_records += 1
            continue
        writer.add(normalized)
        summary.records += 1
    summary.files_read += 1
    summary.bytes += report.size
    if report.skipped_reason:
        summary.skipped_files.append((origin, report.skipped_reason))
    summary.problems.extend(report.problems)
    writer.file_done(report)


S3ProgressFn = Callable[[int, int, int], None]  # (objects read, records, bytes)


def ingest_s3(store: Store, url: str, *, client, flt: ObjectFilter | None = None, workers: int = 8,
              force: bool = False, batch_size: int = 20_000, progress: S3ProgressFn | None = None) -> IngestSummary:
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

    for obj, data, error in fetch(client, location.bucket, wanted(), workers=workers):
        path = f"s3://{location.bucket}/{obj.key}"
        if error is not None:  # not marked: the next run tries again
            summary.problems.append(Problem(path, None, error))
            continue
        report = FileReport(path, obj.size, 0, obj.trail_key, etag=obj.etag)
        ingest_items(iter_content(data, report), report, writer, summary)
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
        try:
            records = (RawRecord(rec, None) for _, rec in lookup_events(
                session, regions=[region], start=start, end=until, resource_name=resource_name,
                endpoint_url=endpoint_url, max_rps=max_rps, on_page=on_page))
            ingest_items(records, report, writer, summary)
        except LookupRegionError as exc:
            summary.problems.append(Problem(report.path, None, str(exc)))
        summary.files += 1
    return _finish(store, writer, summary, started)
