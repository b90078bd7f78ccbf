"""Files on disk: discovery (paths, recursive folders, globs) and per-file format detection.

Every supported shape is detected from the content, not the name: CloudTrail trail files
(``{"Records": [...]}``, plain or gzip, in or out of the ``AWSLogs/...`` layout), a bare JSON array of
records, a single record, JSON lines, ``aws cloudtrail lookup-events`` output
(``{"Events": [{"CloudTrailEvent": "<json>"}]}``) and EventBridge envelopes; and the records as SIEMs and
log pipelines keep them (``sources.siem``: Elastic/Logstash, Splunk, CloudWatch Logs) or Security Lake
writes them (``sources.ocsf``: OCSF in Parquet), mapped back to CloudTrail records (docs/formats.md).
The trail fast path (``trail_slices``) is tried first; the other shapes are detected only when it does
not apply. Bad input never raises: it becomes a ``Problem`` (path, line, reason) and reading goes on.
"""

from __future__ import annotations

import glob
import json
import os
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec
import orjson

from cloudblame.sources import siem
from cloudblame.sources.records import unwrap, unwrap_kind
from cloudblame.sources.s3key import TrailKey, parse_trail_key

DATA_SUFFIXES = (".json", ".json.gz", ".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz", ".gz", ".parquet")
_CHUNK = 1 << 20


@dataclass(slots=True)
class Problem:
    path: str
    line: int | None
    reason: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        return f"{where}: {self.reason}"


@dataclass(slots=True)
class RawRecord:
    record: dict[str, Any]
    line: int | None  # line number (JSON lines) or 1-based position in the file's list


@dataclass(slots=True)
class FileReport:
    """What one file turned out to be."""

    path: str
    size: int
    mtime_ns: int
    key: TrailKey | None
    # trail | array | record | jsonl | lookup-events | eventbridge | damaged | logstash | elastic-hits | splunk
    # | cloudwatch-logs | cloudwatch-export | ocsf | ocsf-parquet
    shape: str | None = None
    etag: str | None = None  # S3 objects: the ETag the object had when read
    records: int = 0
    skipped_reason: str | None = None
    failure: str | None = None  # why it could not be read completely: not done, read again next time
    problems: list[Problem] = field(default_factory=list)
    ignored: int = 0  # documents skipped on purpose (CloudWatch Logs CONTROL_MESSAGEs, Splunk export metadata)


def discover(paths: list[str]) -> tuple[list[str], list[Problem]]:
    """Expand paths, folders (recursively, data files by suffix) and globs into a sorted list of file
    paths (strings, lighter than Path objects: a trail folder can hold hundreds of thousands of files)."""
    found: dict[str, None] = {}
    problems: list[Problem] = []
    for text in paths:
        if os.path.isdir(text):
            for root, dirs, files in os.walk(text):
                dirs.sort()
                for name in sorted(files):
                    if name.lower().endswith(DATA_SUFFIXES):
                        found[os.path.join(root, name)] = None
        elif os.path.isfile(text):
            found[text] = None
        elif glob.has_magic(text):
            matches = [m for m in sorted(glob.glob(text, recursive=True)) if os.path.isfile(m)]
            if not matches:
                problems.append(Problem(text, None, "no file matches this pattern"))
            for m in matches:
                found[m] = None
        else:
            problems.append(Problem(text, None, "no such file or folder"))
    return list(found), problems


def inflate(raw: bytes) -> tuple[bytes, str | None]:
    """``raw`` gunzipped when it is gzip (concatenated members too), else as is; with the reason when
    the stream is truncated or corrupt (what could be inflated is kept)."""
    if raw[:2] != b"\x1f\x8b":
        return raw, None
    out, decomp = bytearray(), zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        for start in range(0, len(raw), _CHUNK):
            out += decomp.decompress(raw[start:start + _CHUNK])
            while decomp.eof and decomp.unused_data:  # concatenated gzip members
                rest = decomp.unused_data
                decomp = zlib.decompressobj(16 + zlib.MAX_WBITS)
                out += decomp.decompress(rest)
        if not decomp.eof:
            return bytes(out), f"truncated gzip: the stream ends early after {len(out)} bytes"
    except zlib.error as exc:
        return bytes(out), f"corrupt gzip after {len(out)} bytes: {exc}"
    return bytes(out), None


def read_file(path: str | Path, report: FileReport) -> list[msgspec.Raw] | Iterator[RawRecord]:
    """The CloudTrail records of one file, as ``read_content`` gives them, filling ``report``."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except OSError as exc:
        report.skipped_reason = report.failure = f"cannot read: {exc.strerror or exc}"
        return iter(())
    return read_content(raw, report)


def iter_file(path: str | Path, report: FileReport) -> Iterator[RawRecord]:
    """Yield the CloudTrail records of one file, decoded, filling ``report`` as it goes."""
    content = read_file(path, report)
    yield from (_decoded_slices(content, report) if isinstance(content, list) else content)


def read_content(raw: bytes, report: FileReport) -> list[msgspec.Raw] | Iterator[RawRecord]:
    """The CloudTrail records in one object's bytes (a file's, or an S3 object's): for a trail document
    that splits cleanly, the undecoded text of each item (``trail_slices``: normalization decodes only what
    it needs); for every other shape, the records decoded one by one as reading goes."""
    data, gzip_problem = inflate(raw)
    if gzip_problem:
        report.failure = gzip_problem
        report.problems.append(Problem(report.path, None, gzip_problem))
    if report.key is not None and report.key.kind == "CloudTrail-Digest":
        report.skipped_reason = "CloudTrail digest file (log integrity validation): holds no events"
        return iter(())
    slices = None if gzip_problem else trail_slices(data)
    if slices is not None:
        report.shape = "trail"
        return slices
    return _decoded(data, gzip_problem, report)


def _decoded(data: bytes, gzip_problem: str | None, report: FileReport) -> Iterator[RawRecord]:
    text = data.lstrip()
    if not text:
        report.skipped_reason = "empty file" if not gzip_problem else gzip_problem
        return
    if data[:4] == b"PAR1":
        yield from _iter_parquet(data, report)
        return
    if siem.is_cloudwatch_export(text):
        report.shape = "cloudwatch-export"
        yield from _iter_stream(_export_lines(data, report), report)
        return
    if _looks_like_json_lines(text):
        report.shape = "jsonl"
        yield from _iter_lines(data, report)
        return
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        documents = siem.concatenated(data) if text[:1] == b"{" else None
        if documents is not None:  # Kinesis Firehose: CloudWatch Logs payloads one after another
            report.shape = "cloudwatch-logs"
            yield from _iter_stream(documents, report)
            return
        yield from _salvage(data, f"invalid JSON: {exc}", report)
        return
    yield from _iter_document(doc, report)


def _decoded_slices(slices: list[msgspec.Raw], report: FileReport) -> Iterator[RawRecord]:
    yield from _iter_items([orjson.loads(memoryview(s)) for s in slices], report)


def _salvage(data: bytes, error: str, report: FileReport) -> Iterator[RawRecord]:
    """Recover the complete records of a damaged document (e.g. records missing the commas between
    them, or a concatenation of JSON objects) by decoding object by object. The damage is reported."""
    text = data.decode("utf-8", "replace")
    decoder = json.JSONDecoder()
    pos, found = 0, 0
    while (start := text.find("{", pos)) >= 0:
        try:
            obj, end = decoder.raw_decode(text, start)
        except ValueError:
            pos = start + 1  # not a whole object here: look inside it
            continue
        record, _ = unwrap(obj)
        if record is not None:
            found += 1
            report.records += 1
            yield RawRecord(record, text.count("\n", 0, start) + 1)
        pos = end
    report.failure = report.failure or error
    if not found:
        report.skipped_reason = error
        return
    report.shape = "damaged"
    report.problems.append(Problem(report.path, None, f"{error}; recovered {found} complete record(s) one by one"))


def _looks_like_json_lines(text: bytes) -> bool:
    if text[:1] != b"{":
        return False
    first, sep, rest = text.partition(b"\n")
    if not sep or not rest.strip():
        return False
    try:
        return isinstance(orjson.loads(first), dict)
    except orjson.JSONDecodeError:
        return False


def _iter_lines(data: bytes, report: FileReport) -> Iterator[RawRecord]:
    yield from _iter_stream(_json_lines(data, report), report)


def _json_lines(data: bytes, report: FileReport) -> Iterator[tuple[int, object]]:
    lines = data.split(b"\n")
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            yield number, orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            report.problems.append(Problem(report.path, number, f"invalid JSON line: {exc}"))
            if number == len(lines):  # a last line without its newline: the file is still being written?
                report.failure = f"its last line (line {number}) is incomplete"


def _export_lines(data: bytes, report: FileReport) -> Iterator[tuple[int, object]]:
    for number, message, why_not in siem.export_lines(data):
        if why_not is None:
            yield number, message
        else:
            report.problems.append(Problem(report.path, number, why_not))


def _iter_stream(documents: Iterable[tuple[int, object]], report: FileReport) -> Iterator[RawRecord]:
    """The records of a stream of ``(line, document)``: JSON lines, export lines, or documents written one
    after another. Each is a record, a record in an envelope, a document of many (a CloudWatch Logs
    payload...) or one skipped on purpose; anything else is a problem at its line."""
    ignored = None
    for number, doc in documents:
        record, reason, kind = unwrap_kind(doc)
        if record is not None:
            report.records += 1
            _name_shape(report, kind)
            yield RawRecord(record, number)
        elif isinstance(doc, dict) and (found := siem.container(doc)) is not None:
            _name_shape(report, found[0])
            yield from _iter_container(found, report, number)
        elif isinstance(doc, dict) and (what := siem.ignorable(doc)) is not None:
            ignored = what
            report.ignored += 1
        else:
            report.problems.append(Problem(report.path, number, reason))
    if not report.records and report.ignored and not report.problems:
        skipped = f"{report.ignored} document(s) skipped on purpose ({ignored})"
        report.skipped_reason = f"no CloudTrail record: only {skipped}"


def _name_shape(report: FileReport, kind: str | None) -> None:
    """A stream of JSON lines takes the name of the envelopes its records came in (``splunk``...)."""
    if kind is not None and report.shape in ("jsonl", None):
        report.shape = kind


def _iter_document(doc: object, report: FileReport) -> Iterator[RawRecord]:
    if isinstance(doc, dict) and isinstance(doc.get("Records"), list):
        report.shape, items = "trail", doc["Records"]
    elif isinstance(doc, dict) and isinstance(doc.get("Events"), list):
        report.shape, items = "lookup-events", doc["Events"]
    elif isinstance(doc, list):
        report.shape, items = "array", doc
    elif isinstance(doc, dict) and (found := siem.container(doc)) is not None:
        report.shape = found[0]
        yield from _iter_container(found, report, None)
        return
    else:
        yield from _iter_single(doc, report)
        return
    yield from _iter_items(items, report)


def _iter_single(doc: object, report: FileReport) -> Iterator[RawRecord]:
    """A document that is one record (or one record in an envelope), or nothing to read."""
    if isinstance(doc, dict) and (ignored := siem.ignorable(doc)):
        report.ignored = 1
        report.skipped_reason = f"no CloudTrail record: only a {ignored}"
        return
    record, reason, kind = unwrap_kind(doc)
    if record is None:
        report.skipped_reason = reason
        return
    report.shape = kind or ("eventbridge" if isinstance(doc, dict) and "detail" in doc else "record")
    report.records = 1
    yield RawRecord(record, None)


def _iter_items(items: list[Any], report: FileReport) -> Iterator[RawRecord]:
    skipped: list[str] = []
    for position, item in enumerate(items, start=1):
        record, reason, kind = unwrap_kind(item)
        if record is None:
            skipped.append(reason)
            continue
        if kind is not None and report.shape == "array":
            report.shape = kind
        report.records += 1
        yield RawRecord(record, position)
    finish_list(report, len(items), skipped)


def _iter_container(found: tuple[Any, ...], report: FileReport, line: int | None) -> Iterator[RawRecord]:
    """The records among the items of one document of many (``siem.container``); ``line``: where the
    document starts in a stream of them (None: it is the whole file)."""
    _, items, what, item_name = found
    skipped: list[tuple[int, str]] = []
    found_here = 0
    for position, item in enumerate(items, start=1):
        record, reason, _ = unwrap_kind(item)
        if record is None:
            skipped.append((position, reason))
            continue
        found_here += 1
        report.records += 1
        yield RawRecord(record, line or position)
    _finish_container(report, (what, item_name, len(items)), found_here, skipped, line)


def _finish_container(report: FileReport, about: tuple[str, str, int], found: int,
                      skipped: list[tuple[int, str]], line: int | None) -> None:
    """Say in ``report`` what one document of many held besides its records (``about``: what it is, what
    its items are called, how many it holds; ``skipped``: the position of each item that is no record,
    and why)."""
    what, item_name, count = about
    if found and not skipped:
        return
    if not found:
        reason = (f"{what} without CloudTrail records: it holds no {item_name}" if not count else
                  f"{what} without CloudTrail records: none of its {count} {item_name} is one "
                  f"(#{skipped[0][0]}: {skipped[0][1]})")
    else:
        reason = f"{what}: {len(skipped)} of its {count} {item_name} skipped (#{skipped[0][0]}: {skipped[0][1]})"
    if line is None and not found:
        report.skipped_reason = reason
    else:
        report.problems.append(Problem(report.path, line if line is not None else skipped[0][0], reason))


def _iter_parquet(data: bytes, report: FileReport) -> Iterator[RawRecord]:
    """The records of a Parquet file of OCSF records (Security Lake), mapped back (``sources.ocsf``)."""
    from cloudblame.sources import (
        ocsf,  # pyarrow's Parquet reader loads only when a Parquet file is read
    )

    skipped: list[tuple[int, str]] = []
    position = 0
    try:
        for position, row in enumerate(ocsf.parquet_rows(data), start=1):
            report.shape = "ocsf-parquet"
            record, reason, _ = unwrap_kind(row)
            if record is None:
                skipped.append((position, reason))
                continue
            report.records += 1
            yield RawRecord(record, position)
    except ocsf.ParquetError as exc:
        report.failure = str(exc)
        if report.shape is None:
            report.skipped_reason = str(exc)
            return
        report.problems.append(Problem(report.path, position + 1, f"{exc}; the rows before it were read"))
    report.shape = "ocsf-parquet"
    _finish_container(report, ("an OCSF Parquet file", "rows", position), report.records, skipped, None)


def finish_list(report: FileReport, count: int, skipped: list[str]) -> None:
    """Say in ``report`` what a list of ``count`` items held besides its records (``skipped``: why each
    item that was not one was skipped)."""
    if not report.records:
        report.skipped_reason = (f"no CloudTrail record: the {report.shape} list is empty" if count == 0 else
                                 f"no CloudTrail record among {count} item(s): {skipped[0]}")
    elif skipped:
        report.problems.append(Problem(report.path, None, f"{len(skipped)} item(s) skipped: {skipped[0]}"))


class _TrailDocument(msgspec.Struct):
    Records: list[msgspec.Raw]


_TRAIL_DOCUMENT = msgspec.json.Decoder(_TrailDocument)


def trail_slices(data: bytes) -> list[msgspec.Raw] | None:
    """The undecoded JSON text of each item of a trail document (``{"Records": [...]}``, as AWS delivers
    them), or None when ``data`` is not one that splits cleanly (other shapes, damaged JSON)."""
    if not data.lstrip()[:12].startswith(b'{"Records"'):
        return None
    try:
        return _TRAIL_DOCUMENT.decode(data).Records
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None


def file_report(path: str | Path) -> FileReport:
    """A fresh report for ``path`` (keyed by its absolute path, so the cwd does not matter)."""
    absolute = os.path.abspath(path)
    st = os.stat(absolute)
    return FileReport(absolute, st.st_size, st.st_mtime_ns, parse_trail_key(absolute))
