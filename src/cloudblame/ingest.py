"""Ingest: sources -> normalize -> store, streaming, idempotent, and tolerant of bad input."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable, Iterable

import orjson

from cloudblame.normalize.record import BadRecord, normalize_record
from cloudblame.sources.files import FileReport, Problem, RawRecord, discover, file_report, iter_file
from cloudblame.store.db import Store
from cloudblame.store.identity import resolve_sessions
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
            "bad_records": self.bad_records, "seconds": round(self.seconds, 3),
            "records_per_second": round(self.records_per_second, 1),
            "skipped_files": [{"path": p, "reason": r} for p, r in self.skipped_files],
            "problems": [{"path": p.path, "line": p.line, "reason": p.reason} for p in self.problems],
        }


def _already_ingested(store: Store) -> dict[str, tuple[int, int]]:
    rows = store.conn.execute("SELECT path, size, mtime_ns FROM ingested_files").fetchall()
    return {path: (size, mtime) for path, size, mtime in rows}


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
        if seen.get(report.path) == (report.size, report.mtime_ns):
            summary.files_unchanged += 1
        else:
            ingest_items(iter_file(path, report), report, writer, summary)
        if progress:
            progress(done, len(files), summary.records)
    writer.flush()
    summary.new, summary.duplicates = writer.counts.new, writer.counts.duplicates
    if summary.new:
        resolve_sessions(store)
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
    if report.skipped_reason:
        summary.skipped_files.append((origin, report.skipped_reason))
    summary.problems.extend(report.problems)
    writer.file_done(report)
