"""Files on disk: discovery (paths, recursive folders, globs) and per-file format detection.

Every supported shape is detected from the content, not the name: CloudTrail trail files
(``{"Records": [...]}``, plain or gzip, in or out of the ``AWSLogs/...`` layout), a bare JSON array of
records, a single record, JSON lines, ``aws cloudtrail lookup-events`` output
(``{"Events": [{"CloudTrailEvent": "<json>"}]}``) and EventBridge envelopes. Bad input never raises:
it becomes a ``Problem`` (path, line, reason) and reading goes on.
"""

from __future__ import annotations

import glob
import json
import os
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import msgspec
import orjson

from cloudblame.sources.s3key import TrailKey, parse_trail_key

DATA_SUFFIXES = (".json", ".json.gz", ".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz", ".gz")
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
    record: dict
    line: int | None  # line number (JSON lines) or 1-based position in the file's list


@dataclass(slots=True)
class FileReport:
    """What one file turned out to be."""

    path: str
    size: int
    mtime_ns: int
    key: TrailKey | None
    shape: str | None = None  # trail | array | record | jsonl | lookup-events | eventbridge | damaged
    etag: str | None = None  # S3 objects: the ETag the object had when read
    records: int = 0
    skipped_reason: str | None = None
    problems: list[Problem] = field(default_factory=list)


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
        report.skipped_reason = f"cannot read: {exc.strerror or exc}"
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
    if _looks_like_json_lines(text):
        report.shape = "jsonl"
        yield from _iter_lines(data, report)
        return
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
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
    for number, line in enumerate(data.split(b"\n"), start=1):
        if not line.strip():
            continue
        try:
            item = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            report.problems.append(Problem(report.path, number, f"invalid JSON line: {exc}"))
            continue
        record, reason = unwrap(item)
        if record is None:
            report.problems.append(Problem(report.path, number, reason))
            continue
        report.records += 1
        yield RawRecord(record, number)


def _iter_document(doc, report: FileReport) -> Iterator[RawRecord]:
    if isinstance(doc, dict) and isinstance(doc.get("Records"), list):
        report.shape, items = "trail", doc["Records"]
    elif isinstance(doc, dict) and isinstance(doc.get("Events"), list):
        report.shape, items = "lookup-events", doc["Events"]
    elif isinstance(doc, list):
        report.shape, items = "array", doc
    else:
        record, reason = unwrap(doc)
        if record is None:
            report.skipped_reason = reason
            return
        report.shape = "eventbridge" if isinstance(doc, dict) and "detail" in doc else "record"
        report.records = 1
        yield RawRecord(record, None)
        return
    yield from _iter_items(items, report)


def _iter_items(items: list, report: FileReport) -> Iterator[RawRecord]:
    skipped: list[str] = []
    for position, item in enumerate(items, start=1):
        record, reason = unwrap(item)
        if record is None:
            skipped.append(reason)
            continue
        report.records += 1
        yield RawRecord(record, position)
    finish_list(report, len(items), skipped)


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


_RECORD_KEYS = ("eventSource", "eventTime", "eventID", "userIdentity", "eventVersion")


def is_record(obj) -> bool:
    """Looks like a CloudTrail record (normalization then says which required field is missing)."""
    return isinstance(obj, dict) and "eventName" in obj and any(k in obj for k in _RECORD_KEYS)


def unwrap(item) -> tuple[dict | None, str]:
    """The CloudTrail record inside an item (record, EventBridge envelope, LookupEvents entry)."""
    if is_record(item):
        if item.get("eventCategory") == "Insight" or item.get("eventType") == "AwsCloudTrailInsight":
            return None, "CloudTrail Insights record (not an API call)"
        return item, ""
    if not isinstance(item, dict):
        return None, f"not a JSON object but {type(item).__name__}"
    if "CloudTrailEvent" in item:
        inner = item["CloudTrailEvent"]
        try:
            inner = orjson.loads(inner) if isinstance(inner, (str, bytes)) else inner
        except orjson.JSONDecodeError as exc:
            return None, f"LookupEvents entry whose CloudTrailEvent is not valid JSON: {exc}"
        return (inner, "") if is_record(inner) else (None, "LookupEvents entry without a CloudTrail record")
    if "detail" in item:
        detail = item.get("detail")
        if is_record(detail):
            return detail, ""
        kind = item.get("detail-type") or "?"
        return None, f"EventBridge event of type {kind!r} from {item.get('source', '?')!r} is not a CloudTrail record"
    if not item:
        return None, "empty JSON object"
    if "logFiles" in item and "digestEndTime" in item:
        return None, "CloudTrail digest file (log integrity validation): holds no events"
    keys = ", ".join(sorted(map(str, item))[:6])
    return None, f"not a CloudTrail record (a JSON object with keys {keys})"


def file_report(path: str | Path) -> FileReport:
    """A fresh report for ``path`` (keyed by its absolute path, so the cwd does not matter)."""
    absolute = os.path.abspath(path)
    st = os.stat(absolute)
    return FileReport(absolute, st.st_size, st.st_mtime_ns, parse_trail_key(absolute))
