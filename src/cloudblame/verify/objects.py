"""The objects verify reads: what a log file's or digest's key says (where it sits, its trail, its
stamp), and the interface of a place holding them (a local copy, an S3 bucket)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cloudblame.core.timeutil import parse_event_time
from cloudblame.sources.s3key import parse_trail_key

DIGEST = "CloudTrail-Digest"
INSIGHT = "CloudTrail-Insight"

# File names (reference §3.1): logs <acct>_CloudTrail_<region>_<YYYYMMDDTHHMMZ>_<random>.json.gz,
# digests <acct>_CloudTrail-Digest_<region>_<trail>_<home region>_<YYYYMMDDTHHMMSSZ>.json.gz.
_NAME = re.compile(
    r"^(?P<account>\d{12})_(?P<kind>CloudTrail|CloudTrail-Digest|CloudTrail-Insight)_(?P<region>[a-z0-9-]+)_"
    r"(?:(?P<trail>.+)_(?P<home>[a-z0-9-]+)_(?P<dstamp>\d{8}T\d{6}Z)|(?P<stamp>\d{8}T\d{4}Z)_[A-Za-z0-9]+)"
    r"\.json(?:\.gz)?$"
)


def as_utc(dt: datetime | None) -> datetime | None:
    """An aware UTC datetime (naive ones are UTC)."""
    if dt is None:
        return None
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def utc_time(value: Any) -> datetime | None:
    """An ISO time (``digestEndTime``) or a key's stamp, as an aware UTC datetime; None when unreadable."""
    return as_utc(parse_event_time(value)) if isinstance(value, str) and value else None


@dataclass(frozen=True)
class ObjectInfo:
    obj: str  # object id: S3 key, or path relative to the local root
    group: str | None  # folder up to the region, shared by an account's logs and digests; None: not in the layout
    account: str
    region: str
    kind: str  # CloudTrail | CloudTrail-Digest | CloudTrail-Insight
    trail: str | None = None  # digests: trail name and home region
    home: str | None = None
    stamp: datetime | None = None  # logs: delivery minute; digests: end of the digest's hour

    @property
    def chain(self) -> tuple[str, str | None, str | None]:
        return (self.group or "", self.trail, self.home)

    @property
    def is_digest(self) -> bool:
        return self.kind == DIGEST


def parse_object(obj: str) -> ObjectInfo | None:
    """What ``obj`` is: a file in the ``AWSLogs/`` layout, or one outside it named like a trail file
    (group None); None for anything else."""
    path = obj.replace("\\", "/")
    if not path.endswith((".json", ".json.gz")):  # what CloudTrail writes, or an inflated copy of it
        return None
    name = _NAME.match(path.rsplit("/", 1)[-1])
    fields = (name["trail"], name["home"], utc_time(name["dstamp"] or name["stamp"])) if name else ()
    key = parse_trail_key(path)
    if key is not None:
        group = f"{path.rsplit('/', 6)[0]}/{key.region}"  # drop kind/region/YYYY/MM/DD/name, add the region
        return ObjectInfo(obj, group, key.account, key.region, key.kind, *fields)
    if name is None:
        return None
    return ObjectInfo(obj, None, name["account"], name["region"], name["kind"], *fields)


def awslogs_suffix(key: str) -> str | None:
    """The part of a key or path from ``AWSLogs/`` on (how S3 keys map onto a local copy)."""
    key = key.replace("\\", "/")
    i = key.rfind("AWSLogs/")
    while i > 0 and key[i - 1] != "/":
        i = key.rfind("AWSLogs/", 0, i)
    return key[i:] if i >= 0 else None


class Missing(Exception):
    """The object does not exist."""


class SourceUnreadable(OSError):
    """The place cannot be read at all (no such folder, a bucket that cannot be listed)."""


class ObjectSource:
    """Where the objects are: listing, reading, signatures of newest digests, where a digest should be."""

    label = ""
    bucket: str | None = None
    reads_unlisted_logs = False  # read log files no digest lists, to find damaged ones

    def list_objects(self) -> list[str]:
        raise NotImplementedError

    def resolve(self, bucket: str | None, key: str) -> tuple[str | None, str] | None:
        """Map an S3 location named in a digest to (bucket, object id); None if it cannot exist."""
        raise NotImplementedError

    def read(self, bucket: str | None, obj: str) -> bytes:
        """The object's bytes; raises ``Missing`` when it does not exist."""
        raise NotImplementedError

    def signature(self, bucket: str | None, obj: str) -> str | None:
        raise NotImplementedError

    def location_error(self, bucket: str | None, obj: str, d_bucket: Any, d_key: Any) -> str | None:
        raise NotImplementedError

    def subject(self, bucket: str | None, obj: str) -> str:
        return obj

    def other_bucket(self, bucket: str | None) -> str | None:
        """``bucket``, or None when it is this source's own."""
        return None if bucket is None or bucket == self.bucket else bucket
