"""Normalized records gathered into columnar batches (Arrow tables), ready for one bulk insert.

Pure: raw records in, a picklable ``NormalizedBatch`` out, so a batch can be built in a worker process
and handed to the one process that writes the store.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

import orjson
import pyarrow as pa

from cloudblame.normalize.credentials import CREDENTIAL_COLUMNS
from cloudblame.normalize.record import EVENT_COLUMNS, RESOURCE_COLUMNS, BadRecord, NormalizedEvent, normalize_record
from cloudblame.sources.files import FileReport, Problem, RawRecord

_TYPES = {
    "event_time": pa.timestamp("us"),
    "session_created": pa.timestamp("us"),
    "read_only": pa.bool_(),
    "failed": pa.bool_(),
}


def _schema(columns: tuple[str, ...]) -> pa.Schema:
    return pa.schema([(c, _TYPES.get(c, pa.string())) for c in columns])


EVENT_SCHEMA = _schema(EVENT_COLUMNS)
RESOURCE_SCHEMA = _schema(RESOURCE_COLUMNS)
CREDENTIAL_SCHEMA = _schema(CREDENTIAL_COLUMNS)


@dataclass
class NormalizedBatch:
    """The rows of whole files (or API pages) and what reading them found."""

    events: pa.Table
    resources: pa.Table
    credentials: pa.Table
    files: list[FileReport]  # files finished in this batch: marked ingested with its rows
    records: int = 0  # records read (duplicates within the batch included)
    duplicates: int = 0  # same eventID twice within the batch
    bad_records: int = 0
    bytes: int = 0

    @property
    def rows(self) -> int:
        return self.events.num_rows


@dataclass
class BatchBuilder:
    """Collects normalized events column by column; ``build()`` makes the Arrow tables."""

    events: dict[str, list] = field(default_factory=lambda: {c: [] for c in EVENT_COLUMNS})
    resources: dict[str, list] = field(default_factory=lambda: {c: [] for c in RESOURCE_COLUMNS})
    credentials: dict[str, list] = field(default_factory=lambda: {c: [] for c in CREDENTIAL_COLUMNS})
    files: list[FileReport] = field(default_factory=list)
    records: int = 0
    duplicates: int = 0
    bad_records: int = 0
    bytes: int = 0
    ids: set[str] = field(default_factory=set)

    @property
    def rows(self) -> int:
        return len(self.ids)

    def add(self, item: NormalizedEvent) -> None:
        self.records += 1
        event = item.event
        if event["event_id"] in self.ids:  # the same eventID twice in one batch: keep the first
            self.duplicates += 1
            return
        self.ids.add(event["event_id"])
        for column, values in self.events.items():
            values.append(event[column])
        for row in item.resources:
            for column, values in self.resources.items():
                values.append(row[column])
        if item.credential:
            for column, values in self.credentials.items():
                values.append(item.credential[column])

    def add_items(self, items: Iterable[RawRecord], report: FileReport) -> None:
        """Normalize the records of one file, object or API page; bad records become problems."""
        origin = report.path
        for item in items:
            try:
                normalized = normalize_record(item.record, key=report.key, origin=origin,
                                              raw=orjson.dumps(item.record))
            except BadRecord as exc:
                report.problems.append(Problem(origin, item.line, f"bad record: {exc}"))
                self.bad_records += 1
                continue
            except Exception as exc:  # a record no rule foresaw must not stop the ingest
                report.problems.append(Problem(origin, item.line,
                                               f"cannot normalize record: {type(exc).__name__}: {exc}"))
                self.bad_records += 1
                continue
            self.add(normalized)
        self.bytes += report.size
        self.files.append(report)

    def build(self) -> NormalizedBatch:
        return NormalizedBatch(
            events=pa.Table.from_pydict(self.events, schema=EVENT_SCHEMA),
            resources=pa.Table.from_pydict(self.resources, schema=RESOURCE_SCHEMA),
            credentials=pa.Table.from_pydict(self.credentials, schema=CREDENTIAL_SCHEMA),
            files=self.files, records=self.records, duplicates=self.duplicates,
            bad_records=self.bad_records, bytes=self.bytes,
        )
