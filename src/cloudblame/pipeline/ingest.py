"""Ingest: sources -> normalize -> store, in parallel, idempotent, and tolerant of bad input.

Workers (cloudblame.pipeline.workers) read and normalize tasks of files and write events data files; this process
commits each worker's files as they come, then enters the objects those files hold in the ledger, and at
the end publishes (cloudblame.derive.publish): the new events, deduplicated, and every fact derived from
them become visible together. Killed at any point, an ingest loses nothing committed; the next one re-reads
what the ledger lacks, removes what the dead one wrote but never committed, and ends as an uninterrupted
one would have.
"""

from __future__ import annotations

import os
import re
import signal
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc

from cloudblame.core.memory import release_memory
from cloudblame.derive.publish import PublishSummary, publish
from cloudblame.derive.work import EMBEDDED, Engine
from cloudblame.normalize.batch import BatchBuilder
from cloudblame.pipeline.workers import (
    PARALLEL_MIN_BYTES,
    TASK_BYTES,
    BatchTask,
    ContentTask,
    FileTask,
    Task,
    TaskResult,
    default_jobs,
    group_by_size,
    run_tasks,
)
from cloudblame.sources.files import (
    FileReport,
    Problem,
    RawRecord,
    discover,
    file_report,
)
from cloudblame.sources.s3 import ObjectFilter, S3Lister, fetch, parse_s3_url
from cloudblame.sources.s3key import parse_trail_key
from cloudblame.store.db import Store
from cloudblame.store.files import FileAction
from cloudblame.store.lake import Lake, commit
from cloudblame.store.ledger import DONE, enter, entered, ledger
from cloudblame.store.tables import EVENTS, OBJECTS

if TYPE_CHECKING:
    from cloudblame.sources.lookup import LookupProgress
    from cloudblame.sources.s3 import TrailObject

ProgressFn = Callable[[int, int, int], None]  # (files done, files total, records read)
Target = Lake | Store  # where to ingest: a store (a reader of it is moved to the new snapshot), or its lake


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
    failed_files: list[tuple[str, str]] = field(default_factory=list)  # not read completely: read again next time
    problems: list[Problem] = field(default_factory=list)
    seconds: float = 0.0
    snapshot: int | None = None  # the snapshot published (None: nothing new)

    @property
    def records_per_second(self) -> float:
        return self.records / self.seconds if self.seconds > 0 else 0.0

    @property
    def found_problems(self) -> bool:
        """Bad records, files not read completely, or other problems (the CLI then exits 1)."""
        return bool(self.bad_records or self.failed_files or self.problems)

    @property
    def nothing_readable(self) -> bool:
        """True when nothing could be read at all (the CLI then exits non-zero)."""
        return self.records == 0 and self.files_unchanged == 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "files": self.files, "files_read": self.files_read, "files_unchanged": self.files_unchanged,
            "records": self.records, "new": self.new, "duplicates": self.duplicates,
            "bad_records": self.bad_records, "bytes": self.bytes, "seconds": round(self.seconds, 3),
            "records_per_second": round(self.records_per_second, 1),
            "mb_per_second": round(self.bytes / 1e6 / self.seconds, 2) if self.seconds > 0 else 0.0,
            "snapshot": self.snapshot,
            "skipped_files": [{"path": p, "reason": r} for p, r in self.skipped_files],
            "failed_files": [{"path": p, "reason": r} for p, r in self.failed_files],
            "problems": [{"path": p.path, "line": p.line, "reason": p.reason} for p in self.problems],
        }

    def count(self, result: TaskResult) -> None:
        """Add what one task read."""
        self.records += result.records
        self.duplicates += result.duplicates
        self.bad_records += result.bad_records
        self.files_read += len(result.files)
        self.bytes += result.bytes
        for report in result.files:
            if report.failure:
                self.failed_files.append((report.path, report.failure))
            elif report.skipped_reason:
                self.skipped_files.append((report.path, report.skipped_reason))
            self.problems.extend(report.problems)


class Committer:
    """Commits what the workers wrote, as they write it: a worker's events files first, then the ledger
    entries of the objects it read since its previous files (their rows are in them); the publish at the
    end, once the workers are gone (their memory with them), makes them visible."""

    def __init__(self, lake: Lake, writer_id: str, summary: IngestSummary):
        self.lake, self.writer_id, self.summary = lake, writer_id, summary
        self.pending: dict[int, list[FileReport]] = {}
        self.sequence = 0
        self.entered = 0  # objects entered in the ledger

    def take(self, worker: int, result: TaskResult) -> None:
        self.summary.count(result)
        self.pending.setdefault(worker, []).extend(result.files)
        if result.written or not result.files:  # a flush: everything the worker read is in its files
            self.commit(result.written, self.pending.pop(worker, []))

    def commit(self, written: list[FileAction], reports: list[FileReport]) -> None:
        """Commit events data files ``written``, then enter ``reports`` (the objects whose rows they hold)."""
        if written:
            with self.lake.events_lock():
                commit(self.lake, EVENTS, written)
        self.sequence += 1
        enter(self.lake, reports, writer_id=self.writer_id, sequence=self.sequence)
        self.entered += len(reports)

    def publish(self, engine: Engine = EMBEDDED) -> PublishSummary:
        done = publish(self.lake, engine=engine)
        self.summary.new += done.events
        self.summary.duplicates += done.duplicates
        self.summary.snapshot = done.snapshot
        return done


def _lake(target: Target) -> Lake:
    return target.lake if isinstance(target, Store) else target


def _run(target: Target, tasks: Iterable[Task], summary: IngestSummary, *, jobs: int, started: float,
         progress: Callable[[], None] | None = None, stop_after: int = 0) -> IngestSummary:
    """Run ``tasks`` on ``jobs`` workers, commit as they write, publish, and move a Store target on."""
    lake = _lake(target)
    with lake.writer() as writer_id:
        committer = Committer(lake, writer_id, summary)
        flush_rows = 1 if stop_after else None  # fault injection commits each object as it is read
        for worker, result in run_tasks(tasks, jobs=jobs, root=lake.root, writer_id=writer_id, flush_rows=flush_rows):
            committer.take(worker, result)
            if progress:
                progress()
            if stop_after and committer.entered >= stop_after:  # fault injection (tests): die mid-ingest
                os.kill(os.getpid(), signal.SIGKILL)
    release_memory()  # what reading and committing left free, before the publish's own peak
    committer.publish()
    if isinstance(target, Store):
        target.refresh()
    summary.seconds = time.perf_counter() - started
    return summary


def ingest_paths(target: Target, paths: list[str], *, force: bool = False, progress: ProgressFn | None = None,
                 jobs: int | None = None, task_bytes: int = TASK_BYTES,
                 keep: Callable[[list[str]], list[str]] | None = None) -> IngestSummary:
    """Ingest every CloudTrail record found under ``paths`` (those ``keep`` keeps, when given: a local copy of
    a bucket pruned by key as the S3 walk prunes one) into the store: ``jobs`` worker processes (default:
    every core for big inputs, none for small ones) read, normalize and write tasks of about ``task_bytes`` of
    files each."""
    started = time.perf_counter()
    plan = plan_paths(_lake(target), paths, force=force, task_bytes=task_bytes, keep=keep)
    summary = plan.summary
    report = (lambda: progress(summary.files_unchanged + summary.files_read, summary.files, summary.records)
              ) if progress else None
    return _run(target, plan.tasks, summary, jobs=_jobs(jobs, plan.bytes), started=started, progress=report)


@dataclass
class Plan:
    """What an ingest of files is to read: its summary so far (files found and unchanged, problems), the
    bytes of the files to read, and their tasks."""

    summary: IngestSummary
    bytes: int
    tasks: Iterator[FileTask]


def plan_paths(lake: Lake, paths: list[str], *, force: bool = False, task_bytes: int = TASK_BYTES,
               keep: Callable[[list[str]], list[str]] | None = None) -> Plan:
    """The files under ``paths`` (only those ``keep`` keeps, when given) that the ledger lacks, as tasks of
    about ``task_bytes`` each in delivery order (``_files_to_read``)."""
    files, problems = discover(paths)
    if keep is not None:
        files = keep(files)
    summary = IngestSummary(files=len(files), problems=list(problems))
    todo = _files_to_read(lake, files, force=force)
    del files
    summary.files_unchanged = summary.files - todo.num_rows
    tasks = group_by_size(_rows(todo), lambda row: row[1], _file_task, limit=task_bytes)
    return Plan(summary, pc.sum(todo.column("size")).as_py() or 0, tasks)


_DELIVERY_STAMP = re.compile(r"_(\d{8}T\d{4}Z)_")
# A path as its folder and its name: a trail's hundreds of thousands of files share a few thousand folders, each
# held once (dictionary-encoded) while the ingest runs.
_LISTING = pa.schema([("folder", pa.string()), ("name", pa.string()), ("size", pa.int64()), ("mtime_ns", pa.int64()),
                      ("trail", pa.bool_()), ("date", pa.string()), ("stamp", pa.string())])


def _files_to_read(lake: Lake, files: list[str], *, force: bool) -> pa.Table:
    """(folder, name, size, mtime_ns) of the files not in the ledger with the same size and mtime, in delivery
    order: trail files by delivery time across accounts and regions (events then arrive roughly in time
    order, so each data file spans a short time and time filters skip the rest), others by path. Columnar,
    so a listing of 400,000 files stays small."""
    listing = pa.Table.from_batches([_listing(files[i:i + 50_000]) for i in range(0, len(files), 50_000)],
                                    schema=_LISTING)
    if not force and lake.table(OBJECTS.name).file_uris():
        with ledger(lake) as conn:
            conn.execute("SET memory_limit = '200MB'")
            conn.register("_listing", listing)
            listing = conn.sql(f"SELECT l.* FROM _listing l ANTI JOIN {DONE} i ON i.path = l.folder || l.name "
                               "AND i.size = l.size AND i.mtime_ns = l.mtime_ns").to_arrow_table()
    path = pc.binary_join_element_wise(listing.column("folder"), listing.column("name"), "")
    order = pc.sort_indices(listing.append_column("path", path),
                            sort_keys=[("trail", "descending"), ("date", "ascending"), ("stamp", "ascending"),
                                       ("path", "ascending")])
    todo = listing.select(["folder", "name", "size", "mtime_ns"]).take(order)
    todo = todo.set_column(0, "folder", pc.dictionary_encode(todo.column("folder"))).combine_chunks()
    del listing, order, path
    release_memory()  # the listing's working memory, before the workers start
    return todo


def _listing(paths: list[str]) -> pa.RecordBatch:
    columns: dict[str, list[object]] = {name: [] for name in _LISTING.names}
    for path in paths:
        report = file_report(path)
        key = report.key
        stamp = _DELIVERY_STAMP.search(key.file_name) if key else None
        folder, slash, name = report.path.rpartition("/")  # folder + name is the path, exactly
        for column, value in (("folder", folder + slash), ("name", name), ("size", report.size),
                              ("mtime_ns", report.mtime_ns), ("trail", key is not None),
                              ("date", key.date if key else ""), ("stamp", stamp.group(1) if stamp else "")):
            columns[column].append(value)
    return pa.record_batch(columns, schema=_LISTING)


def _rows(todo: pa.Table) -> Iterator[tuple[str, int, int]]:
    """(path, size, mtime_ns) of each file of ``todo``."""
    for batch in todo.to_batches(max_chunksize=10_000):
        folders, names, sizes, mtimes = (batch.column(i).to_pylist() for i in range(4))
        yield from zip((folder + name for folder, name in zip(folders, names)), sizes, mtimes)


def _file_task(rows: list[tuple[str, int, int]]) -> FileTask:
    return FileTask([(path, FileReport(path, size, mtime, parse_trail_key(path))) for path, size, mtime in rows])


def _jobs(jobs: int | None, total_bytes: int) -> int:
    """Worker processes for ``total_bytes`` of input: all cores for big inputs, none for small ones."""
    if jobs is not None:
        return max(1, jobs)
    return default_jobs() if total_bytes >= PARALLEL_MIN_BYTES else 1


S3ProgressFn = Callable[[int, int, int], None]  # (objects read, records, bytes)


def ingest_s3(target: Target, url: str, *, client: Any, flt: ObjectFilter | None = None, workers: int = 8,
              force: bool = False, progress: S3ProgressFn | None = None, jobs: int | None = None) -> IngestSummary:
    """Ingest the trail objects under ``s3://BUCKET[/PREFIX]`` that are new or changed (key, ETag, size).

    Objects enter the ledger once their rows are committed, so a run killed at any point re-reads only
    objects not entered and, deduplicated on eventID, ends with the same store.
    """
    started = time.perf_counter()
    location = parse_s3_url(url)
    lister = S3Lister(client, location, flt or ObjectFilter())
    seen = {} if force else entered(_lake(target))
    summary = IngestSummary()
    crash_after = int(os.environ.get("CLOUDBLAME_TEST_KILL_AFTER_OBJECTS", "0"))  # fault injection (tests)

    wanted = objects_to_read(lister, seen, summary)
    limit = 1 if crash_after else TASK_BYTES  # fault injection counts objects one by one
    tasks = group_by_size(downloads(client, location.bucket, wanted, summary.problems, workers=workers),
                          lambda item: item[1].size, ContentTask, limit=limit)
    report = (lambda: progress(summary.files_read, summary.records, summary.bytes)) if progress else None
    _run(target, tasks, summary, jobs=1 if crash_after else (jobs or default_jobs()), started=started,
         progress=report, stop_after=crash_after)
    summary.problems[:0] = lister.problems
    return summary


def objects_to_read(lister: S3Lister, seen: dict[str, tuple[int, int, str | None]],
                    summary: IngestSummary) -> Iterator[TrailObject]:
    """The objects ``lister`` finds that are not in ``seen`` (the ledger's ``entered``) with the same size and
    ETag, counted in ``summary`` (files, files_unchanged) as they are listed."""
    bucket = lister.location.bucket
    for obj in lister.objects():
        summary.files += 1
        size, _, etag = seen.get(f"s3://{bucket}/{obj.key}", (None, None, None))
        if (size, etag) == (obj.size, obj.etag):
            summary.files_unchanged += 1
        else:
            yield obj


def downloads(client: Any, bucket: str, objects: Iterable[TrailObject], problems: list[Problem], *,
              workers: int = 8) -> Iterator[tuple[bytes, FileReport]]:
    """The bytes and report of each of ``objects`` downloaded; one that cannot be is added to ``problems``
    (and not entered: the next run tries again)."""
    for obj, data, error in fetch(client, bucket, iter(objects), workers=workers):
        path = f"s3://{bucket}/{obj.key}"
        if error is not None or data is None:
            problems.append(Problem(path, None, error or "no data"))
            continue
        yield data, FileReport(path, obj.size, 0, obj.trail_key, etag=obj.etag)


LOOKUP_WINDOW = timedelta(days=90)
LOOKUP_LATE = timedelta(minutes=15)  # management events delivered late: looked up again
INSIGHTS_LATE = timedelta(days=1)  # Insights events (delivered ~30 min after the activity, Start before End)


def lookup_origin(region: str) -> str:
    return f"lookup-events:{region}"


def newest_looked_up(lake: Lake, region: str, *, insights: bool = False) -> datetime | None:
    """The newest management event (``insights``: CloudTrail Insights event) stored from LookupEvents in
    ``region`` (the incremental starting point)."""
    with Store.at(lake, lake.latest_snapshot()) as store:
        newest: datetime | None = store.scalar(
            "SELECT max(event_time) FROM event_rows WHERE origin = ? "
            "AND (event_category IS NOT DISTINCT FROM 'Insight') = ?", [lookup_origin(region), insights])
        return newest


OnPage = Callable[["LookupProgress"], None]  # told of each page LookupEvents returns


def ingest_lookup(target: Target, session: Any, *, regions: list[str], since: datetime | None = None,
                  until: datetime | None = None, resource_name: str | None = None, endpoint_url: str | None = None,
                  max_rps: float = 2.0, on_page: OnPage | None = None, insights: bool = False) -> IngestSummary:
    """Page LookupEvents in each region from the newest event already stored (or ``since``, or 90 days
    ago) and ingest what comes back; with ``insights`` (and no ``resource_name``), its CloudTrail Insights
    events too. A region that fails is reported; the others go on."""
    started = time.perf_counter()
    summary = IngestSummary(files=len(regions))
    tasks = (_lookup_region(_lake(target), session, region, summary, since=since, until=until,
                            resource_name=resource_name, endpoint_url=endpoint_url, max_rps=max_rps,
                            on_page=on_page, insights=insights and resource_name is None) for region in regions)
    return _run(target, tasks, summary, jobs=1, started=started)


def _lookup_starts(lake: Lake, region: str, since: datetime | None, *,
                   insights: bool) -> tuple[datetime, datetime | None]:
    """Where the lookups of ``region`` start: ``since``, else a margin before the newest management
    (and Insights) event stored from there, else 90 days ago."""
    if since is not None:
        return since, since
    now = datetime.now(UTC).replace(tzinfo=None)
    newest = newest_looked_up(lake, region)
    start = (newest - LOOKUP_LATE) if newest else now - LOOKUP_WINDOW
    if not insights:
        return start, None
    newest = newest_looked_up(lake, region, insights=True)
    return start, (newest - INSIGHTS_LATE) if newest else now - LOOKUP_WINDOW


def _lookup_region(lake: Lake, session: Any, region: str, summary: IngestSummary, *, since: datetime | None,
                   until: datetime | None, resource_name: str | None, endpoint_url: str | None, max_rps: float,
                   on_page: OnPage | None, insights: bool) -> BatchTask:
    from cloudblame.sources.lookup import LookupRegionError, lookup_events

    start, insights_start = since, since
    if resource_name is None:
        start, insights_start = _lookup_starts(lake, region, since, insights=insights)
    report = FileReport(lookup_origin(region), 0, 0, None, shape="lookup-events")
    builder = BatchBuilder()
    try:
        records = (RawRecord(rec, None) for _, rec in lookup_events(
            session, regions=[region], start=start, end=until, resource_name=resource_name,
            endpoint_url=endpoint_url, max_rps=max_rps, on_page=on_page, insights=insights,
            insights_start=insights_start))
        builder.add_items(records, report)
    except LookupRegionError as exc:
        summary.problems.append(Problem(report.path, None, str(exc)))
    return BatchTask(builder.build())
