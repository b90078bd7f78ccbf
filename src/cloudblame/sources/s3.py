"""Trail buckets on S3 (or an S3-compatible store): list only the prefixes needed, download in parallel.

The walk follows the trail layout ``[prefix/]AWSLogs/[o-ORG/]ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/``:
accounts and regions are listed with a delimiter and filtered, and with a time range only the day
folders from a day before ``since`` to a day after ``until`` are listed (files hold events of
neighbouring days). The Insights prefix (``CloudTrail-Insight/``, AWS's CloudTrail Insights records,
reference §7) is walked the same way; digest files (``CloudTrail-Digest``) hold no events and are not
listed. Access denied on a prefix is reported and the walk goes on.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

from cloudblame.core.errors import BadInput
from cloudblame.sources.files import DATA_SUFFIXES, Problem
from cloudblame.sources.s3key import TrailKey, parse_trail_key

_S3_URL = re.compile(r"^s3://(?P<bucket>[^/]+)/?(?P<prefix>.*)$")
_ACCOUNT = re.compile(r"^\d{12}$")
_ORG = re.compile(r"^o-[a-z0-9]{10,32}$")
# The key kinds whose files hold events (not digests), in the order their keys sort ("-" before "/").
EVENT_KINDS = ("CloudTrail-Insight", "CloudTrail")


@dataclass(frozen=True)
class S3Location:
    bucket: str
    prefix: str  # without a leading slash; "" or ending with "/"

    @property
    def url(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"


def parse_s3_url(url: str) -> S3Location:
    m = _S3_URL.match(url)
    if not m:
        raise BadInput(f"not an S3 URL: {url!r} (expected s3://BUCKET[/PREFIX])")
    prefix = m["prefix"].lstrip("/")
    if prefix and not prefix.endswith("/") and not prefix.endswith(".gz"):
        prefix += "/"
    return S3Location(m["bucket"], prefix)


@dataclass(frozen=True)
class TrailObject:
    key: str
    size: int
    etag: str
    trail_key: TrailKey | None


@dataclass
class ObjectFilter:
    accounts: set[str] = field(default_factory=set)
    regions: set[str] = field(default_factory=set)
    since: datetime | None = None
    until: datetime | None = None

    def days(self) -> list[str] | None:
        """Day folders (``YYYY/MM/DD``) to list, a day wider on each side; None means all."""
        if self.since is not None:
            first = self.since
        elif self.until is not None:
            first = self.until - timedelta(days=90)
        else:
            return None
        start = first - timedelta(days=1)
        end = (self.until or datetime.now(UTC).replace(tzinfo=None)) + timedelta(days=1)
        if (end - start).days > 3660:
            return None
        return [(start + timedelta(days=n)).strftime("%Y/%m/%d") for n in range((end - start).days + 1)]

    def keeps(self, key: TrailKey | None) -> bool:
        if key is None:
            return not (self.accounts or self.regions)
        return ((not self.accounts or key.account in self.accounts)
                and (not self.regions or key.region in self.regions) and key.kind in EVENT_KINDS)

    @property
    def active(self) -> bool:
        """Whether the filter leaves anything out (by account, region or time)."""
        return bool(self.accounts or self.regions or self.since or self.until)

    def kept_paths(self, paths: list[str]) -> list[str]:
        """Those of ``paths`` (keys, or local paths laid out like them) the walk of a bucket keeps: by account,
        region and kind (``keeps``), and, with a time range, by delivery day (``days``)."""
        days = self.days()
        wanted = None if days is None else {day.replace("/", "-") for day in days}
        kept = []
        for path in paths:
            key = parse_trail_key(path)
            if self.keeps(key) and (key is None or wanted is None or key.date in wanted):
                kept.append(path)
        return kept


class S3Lister:
    """Lists trail objects under a location, pruned by an ObjectFilter; problems collect in ``problems``."""

    def __init__(self, client: Any, location: S3Location, flt: ObjectFilter) -> None:
        self.client, self.location, self.flt = client, location, flt
        self.problems: list[Problem] = []

    def _list(self, prefix: str, delimiter: bool) -> tuple[list[str], list[dict[str, Any]]]:
        kwargs = {"Bucket": self.location.bucket, "Prefix": prefix}
        if delimiter:
            kwargs["Delimiter"] = "/"
        prefixes, objects = [], []
        try:
            for page in self.client.get_paginator("list_objects_v2").paginate(**kwargs):
                prefixes += [p["Prefix"] for p in page.get("CommonPrefixes", [])]
                objects += page.get("Contents", [])
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "?")
            if code in ("NoSuchBucket", "PermanentRedirect", "AuthorizationHeaderMalformed", "InvalidAccessKeyId",
                        "SignatureDoesNotMatch", "ExpiredToken"):
                raise S3SourceError(_explain(code, self.location, exc)) from None
            self.problems.append(Problem(f"s3://{self.location.bucket}/{prefix}", None,
                                         f"{code}: cannot list this prefix ({exc.response['Error'].get('Message', '')}); "
                                         "the rest goes on"))
        except NoCredentialsError:
            raise
        except BotoCoreError as exc:
            raise S3SourceError(f"cannot reach S3 for {self.location.url}: {exc}") from None
        return prefixes, objects

    def objects(self) -> Iterator[TrailObject]:
        """Every log object to read, in key order."""
        base = self.location.prefix
        if "AWSLogs/" in base or base.endswith(".gz"):
            yield from self._leaf(base)
            return
        roots, _ = self._list(base + "AWSLogs/", delimiter=True)
        if not roots:  # not a trail layout: read whatever lies under the prefix
            yield from self._leaf(base)
            return
        for root in sorted(roots):
            name = root.rstrip("/").rsplit("/", 1)[-1]
            if _ORG.match(name):
                members, _ = self._list(root, delimiter=True)
                for member in sorted(members):
                    yield from self._account(member)
            elif _ACCOUNT.match(name):
                yield from self._account(root)

    def _account(self, prefix: str) -> Iterator[TrailObject]:
        account = prefix.rstrip("/").rsplit("/", 1)[-1]
        if self.flt.accounts and account not in self.flt.accounts:
            return
        days = self.flt.days()
        for kind in EVENT_KINDS:
            regions, _ = self._list(f"{prefix}{kind}/", delimiter=True)
            yield from self._regions(sorted(regions), days)

    def _regions(self, regions: list[str], days: list[str] | None) -> Iterator[TrailObject]:
        """The objects under each region prefix kept by the filter (only the day folders of ``days``)."""
        for region_prefix in regions:
            region = region_prefix.rstrip("/").rsplit("/", 1)[-1]
            if self.flt.regions and region not in self.flt.regions:
                continue
            if days is None:
                yield from self._leaf(region_prefix)
            else:
                for day in days:
                    yield from self._leaf(f"{region_prefix}{day}/")

    def _leaf(self, prefix: str) -> Iterator[TrailObject]:
        _, objects = self._list(prefix, delimiter=False)
        for obj in sorted(objects, key=lambda o: o["Key"]):
            key = obj["Key"]
            if key.endswith("/"):
                continue
            trail_key = parse_trail_key(key)
            if self.flt.keeps(trail_key) and (trail_key is not None or key.endswith(DATA_SUFFIXES)):
                yield TrailObject(key, int(obj.get("Size", 0)), str(obj.get("ETag", "")).strip('"'), trail_key)


class S3SourceError(Exception):
    """A problem with the whole source (bucket, credentials, network), with an actionable message."""


def _explain(code: str, location: S3Location, exc: ClientError) -> str:
    hints = {
        "NoSuchBucket": "the bucket does not exist (check the name)",
        "PermanentRedirect": "the bucket is in another region: pass --region with the bucket's region",
        "AuthorizationHeaderMalformed": "the bucket is in another region: pass --region with the bucket's region",
        "InvalidAccessKeyId": "the access key is not valid: check --profile or AWS_ACCESS_KEY_ID",
        "SignatureDoesNotMatch": "the secret key does not match: check --profile or AWS_SECRET_ACCESS_KEY",
        "ExpiredToken": "the session credentials expired: log in again (aws sso login / refresh the profile)",
    }
    return f"{location.url}: {hints.get(code, code)} ({exc.response['Error'].get('Message', code)})"


def fetch(client: Any, bucket: str, objects: Iterator[TrailObject], *, workers: int = 8,
          ahead: int = 32) -> Iterator[tuple[TrailObject, bytes | None, str | None]]:
    """Download objects with a thread pool, yielding (object, bytes, error) in the order listed, with at
    most ``ahead`` downloads in flight (memory stays bounded)."""
    def get(obj: TrailObject) -> tuple[bytes | None, str | None]:
        try:
            return client.get_object(Bucket=bucket, Key=obj.key)["Body"].read(), None
        except ClientError as exc:
            err = exc.response.get("Error", {})
            return None, f"{err.get('Code', '?')}: {err.get('Message', '')}"
        except (BotoCoreError, OSError) as exc:
            return None, f"download failed: {exc}"

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        pending: deque[tuple[TrailObject, Future[tuple[bytes | None, str | None]]]] = deque()
        for obj in objects:
            pending.append((obj, pool.submit(get, obj)))
            if len(pending) >= ahead:
                done, future = pending.popleft()
                yield (done, *future.result())
        while pending:
            done, future = pending.popleft()
            yield (done, *future.result())


def make_client(*, profile: str | None = None, region: str | None = None, endpoint_url: str | None = None,
                session_factory: Callable[..., Any] | None = None) -> Any:
    """An S3 client from the standard credential chain (profile, environment, instance role)."""
    import boto3
    from botocore.config import Config

    session = (session_factory or boto3.Session)(profile_name=profile, region_name=region)
    config = Config(retries={"max_attempts": 8, "mode": "standard"}, max_pool_connections=32)
    return session.client("s3", endpoint_url=endpoint_url, config=config)
