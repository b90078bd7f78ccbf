"""The real-shaped corpus: records AWS CloudTrail wrote (``../shared/datasets``), replicated to a fixed
size and written as trail files in the S3 key layout.

Every file under the datasets folder is read as cloudblame reads files (trail documents, bare arrays,
single records, JSON lines, EventBridge envelopes; gzip or not; what is not a record is skipped); a record is kept when its eventTime parses and it names
its eventSource and eventName (ingest rejects the others).

Copy ``k`` of the records gets new unique eventIDs (uuid4 from a seeded generator) and its times moved
into day ``k`` after START, so copies never share an eventID nor overlap in time: each group of records
that belong together (a dataset spanning less than a day, else each file) keeps its records' relative
times (folded into one day when they span more) and starts at a random moment of that day; a session's
``creationDate`` moves with its record's eventTime (the identity walk joins on it). The records of each
(account, region) are then cut, in time order, into trail files of 25 to 100 records (fewer only when
the account and region have fewer in all), each named after a delivery 5 to 10 minutes after its last
record.

Cached under ``<corpus-dir>/<label>`` like the generated corpora (bench/corpora.py); the parameters
saved with it include a digest of the datasets' files, so a changed dataset rebuilds it.
"""

from __future__ import annotations

import gzip
import hashlib
import random
import re
import shutil
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson

from bench.corpora import Corpus, cached_corpus, coverage, save_corpus, size_label
from cloudblame.sources.files import file_report, iter_file

FORMAT = 3
START = datetime(2025, 1, 6)  # copy k fills day k after this (300k records: ~10 weeks)
SEED = 3030
DAY = 86_400.0
FILE_RECORDS = (25, 100)  # records per trail file, drawn uniformly
FALLBACK_ACCOUNT = "000000000000"  # for records whose account is not 12 digits (anonymized ones)
FALLBACK_REGION = "us-east-1"
_ACCOUNT = re.compile(r"^\d{12}$")
_REGION = re.compile(r"^[a-z0-9-]+$")


@dataclass
class BaseRecord:
    """One record of the datasets, where its copies go and how its times move."""

    record: dict
    group: str  # records that keep their relative times: a dataset folder, or one file of it
    offset_s: float  # seconds after its group's first record (folded into one day)
    account: str
    region: str
    creation_s: float | None  # its session's creationDate minus its eventTime, when it has one


def _utc(text) -> datetime | None:
    """An ISO time as naive UTC, or None."""
    if not isinstance(text, str):
        return None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.astimezone(UTC).replace(tzinfo=None) if parsed.tzinfo else parsed


def _file_records(path: Path) -> list[dict]:
    """The records of one dataset file, read as cloudblame reads files ([] when it holds none)."""
    return [item.record for item in iter_file(path, file_report(path))]


def dataset_files(datasets: Path) -> list[Path]:
    return sorted(p for p in datasets.rglob("*") if p.is_file())


def datasets_digest(files: list[Path], datasets: Path) -> str:
    """A digest of every file's relative path and content."""
    digest = hashlib.sha256()
    for path in files:
        digest.update(str(path.relative_to(datasets)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def _place(record: dict) -> tuple[str, str]:
    """(account, region) of the trail a record goes into."""
    identity = record.get("userIdentity") if isinstance(record.get("userIdentity"), dict) else {}
    account = next((a for a in (record.get("recipientAccountId"), identity.get("accountId"))
                    if isinstance(a, str) and _ACCOUNT.match(a)), FALLBACK_ACCOUNT)
    region = record.get("awsRegion")
    return account, region if isinstance(region, str) and _REGION.match(region) else FALLBACK_REGION


def _creation(record: dict) -> datetime | None:
    identity = record.get("userIdentity")
    context = identity.get("sessionContext") if isinstance(identity, dict) else None
    attributes = context.get("attributes") if isinstance(context, dict) else None
    return _utc(attributes.get("creationDate")) if isinstance(attributes, dict) else None


def _named(record: dict) -> bool:
    return all(isinstance(record.get(k), str) and record[k] for k in ("eventSource", "eventName"))


def base_records(datasets: Path, files: list[Path]) -> list[BaseRecord]:
    """Every record of the datasets with a time, grouped (see the module doc)."""
    timed: dict[str, list[tuple[str, dict, datetime]]] = defaultdict(list)
    for path in files:
        folder = path.relative_to(datasets).parts[0]
        for record in _file_records(path):
            when = _utc(record.get("eventTime"))
            if when is not None and _named(record):
                timed[folder].append((str(path.relative_to(datasets)), record, when))
    out = []
    for folder, items in timed.items():
        times = [when for _, _, when in items]
        one_group = (max(times) - min(times)).total_seconds() <= DAY
        groups: dict[str, list] = defaultdict(list)
        for file, record, when in items:
            groups[folder if one_group else file].append((record, when))
        for group, members in groups.items():
            first = min(when for _, when in members)
            for record, when in members:
                created = _creation(record)
                out.append(BaseRecord(record, group, (when - first).total_seconds() % DAY, *_place(record),
                                      (created - when).total_seconds() if created else None))
    return out


@dataclass(frozen=True)
class Copy:
    """Where one copy of a base record goes: its new time and eventID."""

    account: str
    region: str
    time_s: float  # seconds after START
    base: int  # index into the base records
    event_id: str


def replicate(base: list[BaseRecord], records: int, rng: random.Random) -> list[Copy]:
    """``records`` copies of the base records, copy k in day k after START."""
    spans: dict[str, float] = defaultdict(float)
    for item in base:
        spans[item.group] = max(spans[item.group], item.offset_s)
    out: list[Copy] = []
    k = 0
    while len(out) < records:
        starts = {g: k * DAY + rng.uniform(0, DAY - span) for g, span in sorted(spans.items())}
        for index, item in enumerate(base[:records - len(out)]):
            event_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            out.append(Copy(item.account, item.region, starts[item.group] + item.offset_s, index, event_id))
        k += 1
    return out


def _iso(seconds: float) -> str:
    return (START + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")


def materialize(copy: Copy, item: BaseRecord) -> dict:
    """The record of one copy: the base record with its new eventID, eventTime and session creation."""
    record = dict(item.record, eventID=copy.event_id, eventTime=_iso(copy.time_s))
    if item.creation_s is not None:
        identity = dict(record["userIdentity"])
        context = dict(identity["sessionContext"])
        context["attributes"] = dict(context["attributes"], creationDate=_iso(copy.time_s + item.creation_s))
        identity["sessionContext"] = context
        record["userIdentity"] = identity
    return record


def chunk_sizes(total: int, rng: random.Random) -> list[int]:
    """Sizes of the trail files ``total`` records are cut into: each drawn from FILE_RECORDS; a remainder
    too small for a file of its own joins the last file, or both are split in two halves when that would
    be too big (a stream of fewer than the minimum records is one small file)."""
    low, high = FILE_RECORDS
    sizes: list[int] = []
    left = total
    while left >= low:
        sizes.append(min(rng.randint(low, high), left))
        left -= sizes[-1]
    if left and not sizes:
        return [left]
    if left:
        merged = sizes.pop() + left
        sizes += [merged] if merged <= high else [merged // 2, merged - merged // 2]
    return sizes


def write_trail(root: Path, copies: list[Copy], base: list[BaseRecord], rng: random.Random) -> tuple[int, int]:
    """Trail files of 25-100 records per (account, region), in time order; returns (files, gzip bytes)."""
    streams: dict[tuple[str, str], list[Copy]] = defaultdict(list)
    for copy in copies:
        streams[(copy.account, copy.region)].append(copy)
    files = size = 0
    for (account, region), stream in sorted(streams.items()):
        stream.sort(key=lambda c: c.time_s)
        at = 0
        for count in chunk_sizes(len(stream), rng):
            size += _write_file(root, account, region, stream[at:at + count], base, rng)
            at += count
            files += 1
    return files, size


def _write_file(root: Path, account: str, region: str, chunk: list[Copy], base: list[BaseRecord],
                rng: random.Random) -> int:
    delivered = START + timedelta(seconds=chunk[-1].time_s + rng.uniform(300, 600))
    folder = root / f"AWSLogs/{account}/CloudTrail/{region}/{delivered:%Y/%m/%d}"
    folder.mkdir(parents=True, exist_ok=True)
    suffix = "".join(rng.choices("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", k=16))
    name = f"{account}_CloudTrail_{region}_{delivered:%Y%m%dT%H%M}Z_{suffix}.json.gz"
    body = orjson.dumps({"Records": [materialize(c, base[c.base]) for c in chunk]})
    data = gzip.compress(body, compresslevel=6, mtime=0)
    (folder / name).write_bytes(data)
    return len(data)


def ensure_real_corpus(base_dir: Path, records: int, datasets: Path, *, log=print) -> Corpus | str:
    """The real-shaped corpus of ``records`` records under ``base_dir`` (made unless cached and current),
    or why it cannot be made."""
    if not datasets.is_dir():
        return f"{datasets} is not present"
    label = f"{size_label(records)}-real"
    folder = base_dir / label
    files = dataset_files(datasets)
    params = {"format": FORMAT, "records": records, "seed": SEED, "start": START.isoformat(),
              "file_records": list(FILE_RECORDS), "datasets": datasets_digest(files, datasets)}
    cached = cached_corpus(folder, params)
    if cached is not None:
        return cached
    base = base_records(datasets, files)
    if not base:
        return f"no CloudTrail record with a valid eventTime under {datasets}"
    return _build(folder, label, records, base, files, params, log)


def _build(folder: Path, label: str, records: int, base: list[BaseRecord], files: list[Path], params: dict,
           log) -> Corpus:
    log(f"corpus {label}: replicating {len(base):,} records of {len(files)} dataset files to {records:,}")
    shutil.rmtree(folder, ignore_errors=True)
    trail = folder / "trail"
    trail.mkdir(parents=True)
    started = time.perf_counter()
    rng = random.Random(SEED)
    copies = replicate(base, records, rng)
    count, size = write_trail(trail, copies, base, rng)
    wall = time.perf_counter() - started
    pairs = {(str(b.record.get("eventSource")), str(b.record.get("eventName"))) for b in base[:records]}
    last_day = (START + timedelta(seconds=max(c.time_s for c in copies))).date()
    folders = {b.group.split("/", 1)[0] for b in base}
    corpus = Corpus(label=label, root=trail, records=len(copies), files=count, gzip_bytes=size, generation_s=wall,
                    shard_seconds=wall, shards=1, start=START.date().isoformat(),
                    end=(last_day + timedelta(days=1)).isoformat(), **coverage(pairs),
                    origin=f"{len(base):,} real records of {len(folders)} datasets, "
                           f"{-(-records // len(base))} copies with new eventIDs and times")
    save_corpus(folder, corpus, params)
    log(f"corpus {label}: {corpus.records:,} records, {count:,} files, {size / 1e6:.1f} MB gzip in {wall:.1f}s")
    return corpus

