"""Normalized records gathered into one columnar batch (an Arrow table): the rows of the events table,
each with the resources it touched (``resources``) and the credentials it issued (``credential``) nested.

Pure: records in, a picklable ``NormalizedBatch`` out, so a batch is built in a worker process.

Two ways in, one table out. A trail document (``{"Records": [...]}``, as AWS delivers them) arrives as
the undecoded text of each record (``sources.files.trail_slices``): msgspec decodes only the top-level
fields a row needs; the identity is resolved once per distinct ``userIdentity`` and the tool once per
agent; the whole record is parsed only when a catalog rule, an EC2-style id in the request, a creation
no rule knows or a credential-issuing call needs it, and a record's own ``resources`` list once per
distinct list. Every other record (other shapes, a type the decoder does not expect, a CloudTrail Insights
record) goes through ``normalize_record``, the reference: both ways give the same row (tests compare them
on every dataset).
"""

from __future__ import annotations

import builtins
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from hashlib import sha1
from typing import Annotated, Any, TypeAlias

import msgspec
import orjson
import pyarrow as pa

from cloudblame.catalog import EC2_ID_PREFIXES, RULES
from cloudblame.normalize.credentials import CREDENTIAL_FIELDS, ISSUERS, credential_row
from cloudblame.normalize.identity import actor_of, principal_of
from cloudblame.normalize.inferred import CREATION_NAME
from cloudblame.normalize.record import (
    EVENT_COLUMNS,
    IDENTITY_COLUMNS,
    LINK_FIELDS,
    BadRecord,
    NormalizedEvent,
    credential_fields,
    from_console,
    identity_columns,
    link_rows,
    normalize_record,
    resource_refs,
    tool_of,
)
from cloudblame.normalize.resources import extract_resources
from cloudblame.normalize.useragent import tool_source_ip
from cloudblame.sources.files import FileReport, Problem, RawRecord, finish_list
from cloudblame.sources.records import unwrap

_TYPES = {"event_time": pa.timestamp("us"), "session_created": pa.timestamp("us"), "read_only": pa.bool_()}
LINK_TYPE = pa.struct([(f, pa.string()) for f in LINK_FIELDS])
CREDENTIAL_TYPE = pa.struct([(f, pa.string()) for f in CREDENTIAL_FIELDS])
EVENT_SCHEMA = pa.schema([(c, _TYPES.get(c, pa.string())) for c in EVENT_COLUMNS]
                         + [("resources", pa.list_(LINK_TYPE)), ("credential", CREDENTIAL_TYPE)])


@dataclass
class NormalizedBatch:
    """The rows of whole files (or API pages) and what reading them found."""

    events: pa.Table  # EVENT_SCHEMA
    files: list[FileReport]  # files finished in this batch
    records: int = 0  # records read (duplicates within the batch included)
    duplicates: int = 0  # same eventID twice within the batch
    bad_records: int = 0
    bytes: int = 0

    @property
    def rows(self) -> int:
        return int(self.events.num_rows)


# Text fields as normalize_record keeps them: another value (empty, too long, not a string) makes the record
# take that path instead.
_Text16: TypeAlias = Annotated[str, msgspec.Meta(min_length=1, max_length=16)] | None
_Text32: TypeAlias = Annotated[str, msgspec.Meta(min_length=1, max_length=32)] | None
_Text64: TypeAlias = Annotated[str, msgspec.Meta(min_length=1, max_length=64)] | None
_Text256: TypeAlias = Annotated[str, msgspec.Meta(min_length=1, max_length=256)] | None
_Text1024: TypeAlias = Annotated[str, msgspec.Meta(min_length=1, max_length=1024)] | None
_Text4096: TypeAlias = Annotated[str, msgspec.Meta(min_length=1, max_length=4096)] | None


class _Record(msgspec.Struct):
    """The top-level fields of a record that its row needs; the bodies stay undecoded."""

    eventTime: str | None = None
    eventSource: _Text256 = None
    eventName: _Text256 = None
    eventID: _Text256 = None
    awsRegion: _Text64 = None
    recipientAccountId: _Text64 = None
    readOnly: bool | None = None
    errorCode: _Text1024 = None
    errorMessage: _Text4096 = None
    sourceIPAddress: _Text256 = None
    userAgent: _Text1024 = None
    eventType: _Text64 = None
    eventCategory: _Text64 = None
    eventVersion: _Text16 = None
    apiVersion: _Text32 = None
    sharedEventID: _Text256 = None
    sessionCredentialFromConsole: str | bool | None = None
    userIdentity: msgspec.Raw = msgspec.Raw(b"null")
    requestParameters: msgspec.Raw = msgspec.Raw(b"null")
    resources: msgspec.Raw = msgspec.Raw(b"null")


_RECORD = msgspec.json.Decoder(_Record)
_NULL = b"null"
# An EC2-style id as a JSON string anywhere in the request: the id-prefix scan may find a resource there.
_EC2_ID_TEXT = re.compile(rb'"(?:' + b"|".join(re.escape(p[:-1].encode()) for p in sorted(
    EC2_ID_PREFIXES, key=len, reverse=True)) + rb')-(?:[0-9a-fA-F]{17}|[0-9a-fA-F]{8})"')
_MEMO_MAX = 5_000  # entries of each memo (a worker's memory stays bounded over any input)


def _needs_rules(rec: _Record, source: str, name: str) -> bool:
    """Whether finding the record's resources needs its whole text: a catalog rule for its call, a
    creation no rule knows, or an EC2-style id in its request (else its own ``resources`` list says all)."""
    if (source, name) in RULES:
        return True
    if rec.errorCode is None and CREATION_NAME.match(name):
        return True
    request = rec.requestParameters
    return request != _NULL and _EC2_ID_TEXT.search(request) is not None


_IDENTITIES: dict[bytes, tuple[Any, ...]] = {}
_LISTED: dict[bytes, list[dict[str, Any]]] = {}


def _identity(raw: bytes) -> tuple[Any, ...]:
    """identity_columns of a ``userIdentity`` given as its JSON text, memoized on the text: the calls of
    one session repeat it verbatim."""
    found = _IDENTITIES.get(raw)
    if found is None:
        user_identity = orjson.loads(raw)
        principal = principal_of(user_identity)
        found = identity_columns(principal, actor_of(user_identity, principal))
        if len(_IDENTITIES) >= _MEMO_MAX:
            _IDENTITIES.clear()
        _IDENTITIES[raw] = found
    return found


def _listed(raw: msgspec.Raw) -> list[dict[str, Any]]:
    """The rows of the resources a record's own ``resources`` list names (no rule, no id, no creation
    involved: those records are parsed in full), memoized on the list's text."""
    key = bytes(raw)
    found = _LISTED.get(key)
    if found is None:
        found = link_rows(extract_resources({"resources": orjson.loads(key)}, account=None, region=None))
        if len(_LISTED) >= _MEMO_MAX:
            _LISTED.clear()
        _LISTED[key] = found
    return found


# The columns of an event that many events repeat (who, where, with what, which call): a batch keeps each
# distinct combination once (its "shape") and each event points to one. The rest vary from call to call.
SHAPE_COLUMNS = ("event_source", "event_name", "aws_region", "account_id", "read_only", "user_agent",
                 "event_type", "event_category", "event_version", "api_version", *IDENTITY_COLUMNS,
                 "tool", "tool_version")
FILE_COLUMNS = ("org_id", "origin")  # the same for every event of a file
ROW_COLUMNS = ("event_id", "event_time", "error_code", "error_message", "source_ip", "shared_event_id", "raw",
               "resources", "credential")
assert set(SHAPE_COLUMNS) | set(FILE_COLUMNS) | set(ROW_COLUMNS) == set(EVENT_SCHEMA.names)


@dataclass
class BatchBuilder:
    """Collects normalized events column by column; ``build()`` makes the Arrow table."""

    columns: dict[str, list[Any]] = field(default_factory=lambda: {c: [] for c in (*ROW_COLUMNS, "shape", "file")})
    shapes: dict[tuple[Any, ...], int] = field(default_factory=dict)  # shape -> its index in shape_rows
    shape_rows: list[tuple[Any, ...]] = field(default_factory=list)  # SHAPE_COLUMNS values of each shape
    file_rows: list[tuple[Any, ...]] = field(default_factory=list)  # FILE_COLUMNS values of each file
    files: list[FileReport] = field(default_factory=list)
    records: int = 0
    duplicates: int = 0
    bad_records: int = 0
    bytes: int = 0
    ids: set[str] = field(default_factory=set)

    @property
    def rows(self) -> int:
        return len(self.ids)

    def _first_copy(self, event_id: str) -> bool:
        """False for an eventID already in this batch (the first copy is kept)."""
        self.records += 1
        if event_id in self.ids:
            self.duplicates += 1
            return False
        self.ids.add(event_id)
        return True

    def _shape(self, values: tuple[Any, ...]) -> int:
        index = self.shapes.get(values)
        if index is None:
            index = self.shapes[values] = len(self.shape_rows)
            self.shape_rows.append(values)
        return index

    def add(self, item: NormalizedEvent) -> None:
        """One record normalized by normalize_record."""
        event = item.event
        if not self._first_copy(event["event_id"]):
            return
        columns = self.columns
        for column in ROW_COLUMNS[:7]:
            columns[column].append(event[column])
        columns["resources"].append(item.resources)
        columns["credential"].append(item.credential)
        columns["shape"].append(self._shape(tuple(event[c] for c in SHAPE_COLUMNS)))
        columns["file"].append(self._file(event["org_id"], event["origin"]))

    def _file(self, org_id: str | None, origin: str | None) -> int:
        """The index of a file's FILE_COLUMNS values (the last file's, usually)."""
        if not self.file_rows or self.file_rows[-1] != (org_id, origin):
            self.file_rows.append((org_id, origin))
        return len(self.file_rows) - 1

    def add_items(self, items: Iterable[RawRecord], report: FileReport) -> None:
        """Normalize the records of one file, object or API page; bad records become problems."""
        for item in items:
            self._add_record(item.record, item.line, report)
        self._finish(report)

    def add_content(self, content: list[msgspec.Raw] | Iterator[RawRecord], report: FileReport) -> None:
        """What ``sources.files.read_content`` gave for one file or object."""
        if isinstance(content, list):
            finish_list(report, len(content), _TrailDocument(self, report).add(content))
            self._finish(report)
        else:
            self.add_items(content, report)

    def _finish(self, report: FileReport) -> None:
        self.bytes += report.size
        self.files.append(report)

    def _add_record(self, record: dict[str, Any], line: int | None, report: FileReport,
                    raw: builtins.bytes | None = None) -> None:
        try:
            normalized = normalize_record(record, key=report.key, origin=report.path, raw=raw)
        except BadRecord as exc:
            report.problems.append(Problem(report.path, line, f"bad record: {exc}"))
            self.bad_records += 1
            return
        except Exception as exc:  # noqa: BLE001 - a record no rule foresaw must not stop the ingest
            report.problems.append(Problem(report.path, line, f"cannot normalize record: {type(exc).__name__}: {exc}"))
            self.bad_records += 1
            return
        self.add(normalized)

    def build(self) -> NormalizedBatch:
        arrays = {}
        for names, rows, key in ((SHAPE_COLUMNS, self.shape_rows, "shape"), (FILE_COLUMNS, self.file_rows, "file")):
            index = pa.array(self.columns[key], pa.int32())
            for name, values in zip(names, list(zip(*rows)) or [()] * len(names)):
                arrays[name] = pa.array(values, EVENT_SCHEMA.field(name).type).take(index)
        for name in ROW_COLUMNS:
            kind = EVENT_SCHEMA.field(name).type
            arrays[name] = (pa.array(self.columns[name], pa.binary()).cast(kind) if name == "raw"
                            else pa.array(self.columns[name], kind))
        return NormalizedBatch(events=pa.Table.from_pydict(arrays, schema=EVENT_SCHEMA), files=self.files,
                               records=self.records, duplicates=self.duplicates, bad_records=self.bad_records,
                               bytes=self.bytes)


class _TrailDocument:
    """The records of one trail document, added to a batch by their text (see the module doc)."""

    def __init__(self, batch: BatchBuilder, report: FileReport):
        self.batch, self.report, key = batch, report, report.key
        self.fallback = (key.region, key.account) if key else (None, None)  # where the file's key says it is
        self.file = batch._file(key.org_id if key else None, report.path)

    def add(self, slices: list[msgspec.Raw]) -> list[str]:
        """Add every record among ``slices``; returns why each item that is not a record was skipped."""
        skipped: list[str] = []
        records = _records(slices)
        add_one = self._add_plain
        for position, (raw, rec) in enumerate(zip(slices, records), start=1):
            when = _plain_time(rec) if rec is not None and _plain(rec) else None
            if rec is None or when is None:  # an unusual record: the reference path decides
                reason = self._add_decoded(raw, position)
                if reason is not None:
                    skipped.append(reason)
                continue
            add_one(rec, when, raw)
        return skipped

    def _add_plain(self, rec: _Record, when: datetime, raw: msgspec.Raw) -> None:
        self.report.records += 1
        text = bytes(raw)
        event_id = rec.eventID or "synthetic-" + sha1(text).hexdigest()
        if not self.batch._first_copy(event_id):
            return
        shape = self._shape(rec)
        _, _, region, account, *_ = self.batch.shape_rows[shape]
        links, credential = self._bodies(rec, text, event_id, when, account, region)
        columns = self.batch.columns
        columns["event_id"].append(event_id)
        columns["event_time"].append(when)
        columns["error_code"].append(rec.errorCode)
        columns["error_message"].append(rec.errorMessage)
        columns["source_ip"].append(rec.sourceIPAddress)
        columns["shared_event_id"].append(rec.sharedEventID)
        columns["raw"].append(text)
        columns["shape"].append(shape)
        columns["file"].append(self.file)
        columns["resources"].append(links)
        columns["credential"].append(credential)

    def _add_decoded(self, raw: msgspec.Raw, position: int) -> str | None:
        record, reason = unwrap(orjson.loads(memoryview(raw)))
        if record is None:
            return reason
        self.report.records += 1
        self.batch._add_record(record, position, self.report, raw=bytes(raw))
        return None

    def _shape(self, rec: _Record) -> int:
        """The index of the record's shape in the batch (computed once per distinct shape)."""
        who = bytes(rec.userIdentity)
        ip = None if rec.sourceIPAddress is None else tool_source_ip(rec.userAgent, rec.sourceIPAddress)
        located = rec.awsRegion is not None and rec.recipientAccountId is not None
        key = (rec.eventSource, rec.eventName, rec.awsRegion, rec.recipientAccountId, rec.readOnly, rec.userAgent,
               rec.eventType, rec.eventCategory, rec.eventVersion, rec.apiVersion, who, ip,
               None if located else self.fallback, from_console(rec.sessionCredentialFromConsole))
        batch = self.batch
        index = batch.shapes.get(key)
        if index is None:
            identity = _identity(who)
            region = rec.awsRegion or self.fallback[0]
            account = rec.recipientAccountId or self.fallback[1] or identity[3]
            tool = tool_of(rec.userAgent, identity[10], ip, key[-1])
            index = batch.shapes[key] = len(batch.shape_rows)
            batch.shape_rows.append((rec.eventSource, rec.eventName, region, account, rec.readOnly, rec.userAgent,
                                     rec.eventType, rec.eventCategory, rec.eventVersion, rec.apiVersion, *identity,
                                     tool.id, tool.version))
        return index

    def _bodies(self, rec: _Record, text: bytes, event_id: str, when: datetime, account: str | None,
                region: str | None) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        """The event's resources and credential, from its full record only when they need it."""
        source, name = rec.eventSource or "", rec.eventName or ""  # a plain record has both
        record = None
        if _needs_rules(rec, source, name):
            record = orjson.loads(text)
            links = link_rows(resource_refs(record, source=source, name=name, account=account, region=region))
        else:
            links = _listed(rec.resources) if rec.resources != _NULL else []
        if (source, name) not in ISSUERS or rec.errorCode is not None:
            return links, None
        event = {"event_id": event_id, "event_time": when, "event_source": source, "event_name": name,
                 "account_id": account, "aws_region": region, "shared_event_id": rec.sharedEventID,
                 "error_code": None, "user_name": _identity(bytes(rec.userIdentity))[4]}
        return links, credential_fields(credential_row(record if record is not None else orjson.loads(text), event))


_ARRAY = msgspec.json.Decoder(list[_Record])


def _records(slices: list[msgspec.Raw]) -> Sequence[_Record | None]:
    """The top-level fields of each slice: all at once (one decoder call for the document), or, when one
    of them is not as expected, one by one (None for the unusual ones)."""
    try:
        return _ARRAY.decode(b"[" + b",".join(slices) + b"]")
    except (msgspec.DecodeError, msgspec.ValidationError):
        pass
    out: list[_Record | None] = []
    for raw in slices:
        try:
            out.append(_RECORD.decode(raw))
        except (msgspec.DecodeError, msgspec.ValidationError):
            out.append(None)
    return out


def _plain(rec: _Record) -> bool:
    """A record the fast path takes as it is: named, with a source, not an Insights record."""
    return bool(rec.eventName and rec.eventSource and rec.eventTime) and rec.eventCategory != "Insight" \
        and rec.eventType != "AwsCloudTrailInsight"


def _plain_time(rec: _Record) -> datetime | None:
    """eventTime as CloudTrail writes it (``2023-07-10T11:42:01Z``) read as a naive UTC datetime; None for
    any other form (the reference path reads those)."""
    text = rec.eventTime
    if text is None or len(text) != 20 or text[-1] != "Z" or text[10] != "T":
        return None
    try:
        return datetime.fromisoformat(text[:-1])
    except ValueError:
        return None


__all__ = ["CREDENTIAL_TYPE", "EVENT_SCHEMA", "LINK_TYPE", "SHAPE_COLUMNS", "BatchBuilder", "NormalizedBatch"]
