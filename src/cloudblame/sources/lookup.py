"""CloudTrail LookupEvents (the API behind the console's 90-day Event history), region by region.

``lookup_events`` pages ``LookupEvents`` (``MaxResults=50``, ``NextToken``) in each region, one region
after another, and yields ``(region, record)`` where ``record`` is the parsed ``CloudTrailEvent``.

CloudTrail Insights events are asked for only on request (``insights=True``; ``cloudblame ingest --lookup
--insights``, ``insights = true`` in a ``[[lookup]]`` of a config file): after a region's management
events, the same region is paged again with ``EventCategory=insight`` (LookupEvents returns Insights events
*instead of* management events then, reference §4.1), from ``insights_start``. Off by default: it is one
more request per region on a 2 requests/second budget, and answers nothing unless Insights are enabled on
a trail. Insights lookups cannot filter by resource name, so a targeted lookup never asks for them.

Throttling is ours, not botocore's (clients are made with ``max_attempts=1``):

- at most ``max_rps`` calls per second per region: a call starts no sooner than ``1 / max_rps`` seconds
  after the previous call in that region *returned*. Measuring from the end of the previous call keeps
  the calls spaced by at least the interval as the server sees them, whatever the network latency;
- on ``ThrottlingException`` the call is retried after 0.5, 1, 2, 4, 8, 8... seconds (no jitter), at
  most ``max_retries`` times, then ``LookupThrottledError`` is raised.

Any other error from the API raises ``LookupRegionError(region, code, message)``; records of the
regions before it have been yielded already, and the caller decides whether to go on with the others.
A ``CloudTrailEvent`` that is not a JSON object is skipped, counted on the region's ``LookupProgress``
and listed in ``LookupRun.skipped`` as ``(region, event_id, reason)``.

``clock`` and ``sleep`` are injectable so that tests can run the limiter on a fake clock.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Generator, Iterator
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import botocore.config
from botocore.exceptions import ClientError
from botocore.exceptions import ConnectionError as BotoConnectionError

PAGE_SIZE = 50  # LookupEvents' MaxResults upper bound
BACKOFF_FIRST = 0.5
BACKOFF_CAP = 8.0
THROTTLING_CODES = frozenset({"ThrottlingException", "Throttling", "TooManyRequestsException",
                              "RequestLimitExceeded"})
_OPTED_IN = ("opted-in", "opt-in-not-required")


INSIGHT = "insight"  # LookupEvents' EventCategory for CloudTrail Insights events


class LookupRegionError(LookupError):
    """LookupEvents failed in one region (access denied, invalid parameter, endpoint unreachable...)."""

    def __init__(self, region: str, code: str, message: str):
        self.region, self.code, self.message = region, code, message
        super().__init__(f"LookupEvents in {region}: {code}: {message}")


class LookupThrottledError(LookupRegionError):
    """Still throttled in one region after all the retries."""

    def __init__(self, region: str, retries: int, message: str = "Rate exceeded"):
        self.retries = retries
        super().__init__(region, "ThrottlingException",
                         f"still throttled after {retries} retries ({message})")


@dataclass
class LookupProgress:
    region: str
    pages: int = 0
    events: int = 0  # records yielded
    throttled: int = 0  # ThrottlingException answers received (each one retried)
    skipped: int = 0  # events whose CloudTrailEvent could not be parsed


def backoff_delay(attempt: int) -> float:
    """Seconds to wait before retry number ``attempt`` (0-based): 0.5, 1, 2, 4, 8, 8..."""
    return float(min(BACKOFF_FIRST * (2 ** attempt), BACKOFF_CAP))


def enabled_regions(session: Any, *, endpoint_url: str | None = None) -> list[str]:
    """Regions enabled in the account (EC2 DescribeRegions: ``opted-in`` or ``opt-in-not-required``),
    or, when that cannot be asked, the regions botocore knows CloudTrail in."""
    with suppress(Exception):  # no ec2:DescribeRegions, no default region, offline...
        region = getattr(session, "region_name", None) or "us-east-1"  # any region answers for all
        ec2 = session.client("ec2", region_name=region, endpoint_url=endpoint_url)
        answer = ec2.describe_regions(AllRegions=True)
        regions = sorted(r["RegionName"] for r in answer.get("Regions", [])
                         if r.get("OptInStatus", "opt-in-not-required") in _OPTED_IN)
        if regions:
            return regions
    return sorted(session.get_available_regions("cloudtrail"))


def _utc(value: datetime) -> datetime:
    """Naive datetimes are UTC (as in the store); aware ones are converted."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _parse_event(event: dict[str, Any]) -> tuple[dict[str, Any] | None, str]:
    raw = event.get("CloudTrailEvent")
    if raw is None:
        return None, "no CloudTrailEvent"
    if not isinstance(raw, str):
        return None, f"CloudTrailEvent is a {type(raw).__name__}, not a JSON string"
    try:
        record = json.loads(raw)
    except ValueError as exc:
        return None, f"CloudTrailEvent is not valid JSON: {exc}"
    if not isinstance(record, dict):
        return None, f"CloudTrailEvent is a JSON {type(record).__name__}, not an object"
    return record, ""


class _Limiter:
    """Calls no closer than ``interval`` seconds, counted from the end of the previous call."""

    def __init__(self, max_rps: float, clock: Callable[[], float], sleep: Callable[[float], None]):
        if max_rps <= 0:
            raise ValueError(f"max_rps must be positive, not {max_rps!r}")
        self.interval = 1.0 / max_rps
        self.clock, self.sleep = clock, sleep
        self.last: float | None = None

    def wait(self) -> None:
        if self.last is not None:
            delay = self.last + self.interval - self.clock()
            if delay > 0:
                self.sleep(delay)

    def done(self) -> None:
        self.last = self.clock()


class LookupRun(Iterator[tuple[str, dict[str, Any]]]):
    """The iterator ``lookup_events`` returns; ``progress`` and ``skipped`` fill in as it goes."""

    def __init__(self, session: Any, *, regions: list[str], start: datetime | None, end: datetime | None,
                 resource_name: str | None, endpoint_url: str | None, max_rps: float, max_retries: int,
                 on_page: Callable[[LookupProgress], None] | None, sleep: Callable[[float], None],
                 clock: Callable[[], float], insights: bool = False,
                 insights_start: datetime | None = None) -> None:
        for first in (start, insights_start if insights else None):
            if first is not None and end is not None and _utc(first) > _utc(end):
                raise ValueError(f"start {first} is after end {end}")
        if max_retries < 0:
            raise ValueError(f"max_retries must be >= 0, not {max_retries!r}")
        if insights and resource_name is not None:
            raise ValueError("LookupEvents cannot look up Insights events by resource name")
        _Limiter(max_rps, clock, sleep)  # validates max_rps now rather than at the first next()
        self.session = session
        self.regions = list(regions)
        self.start, self.end = start, end
        self.categories: tuple[str | None, ...] = (None, INSIGHT) if insights else (None,)
        self.insights_start = insights_start if insights_start is not None else start
        self.resource_name = resource_name
        self.endpoint_url = endpoint_url
        self.max_rps, self.max_retries = max_rps, max_retries
        self.on_page = on_page
        self.sleep, self.clock = sleep, clock
        self.progress: dict[str, LookupProgress] = {}
        self.skipped: list[tuple[str, str, str]] = []  # (region, event id, reason)
        self._gen: Generator[tuple[str, dict[str, Any]], None, None] = self._run()

    def __iter__(self) -> LookupRun:
        return self

    def __next__(self) -> tuple[str, dict[str, Any]]:
        return next(self._gen)

    def close(self) -> None:
        self._gen.close()

    def _request(self, category: str | None) -> dict[str, Any]:
        """The parameters of the first request for ``category`` (None: management events)."""
        kw: dict[str, Any] = {"MaxResults": PAGE_SIZE}
        start = self.start if category is None else self.insights_start
        if category is not None:
            kw["EventCategory"] = category
        if start is not None:
            kw["StartTime"] = _utc(start)
        if self.end is not None:
            kw["EndTime"] = _utc(self.end)
        if self.resource_name is not None:
            kw["LookupAttributes"] = [{"AttributeKey": "ResourceName", "AttributeValue": self.resource_name}]
        return kw

    def _client(self, region: str) -> Any:
        # one attempt in all (botocore's legacy "max_attempts" counts *retries*: 1 would retry once)
        config = botocore.config.Config(retries={"total_max_attempts": 1, "mode": "standard"})
        return self.session.client("cloudtrail", region_name=region, endpoint_url=self.endpoint_url,
                                   config=config)

    def _call(self, client: Any, region: str, kw: dict[str, Any], limiter: _Limiter,
              progress: LookupProgress) -> dict[str, Any]:
        attempt = 0
        while True:
            limiter.wait()
            try:
                try:
                    answer: dict[str, Any] = client.lookup_events(**kw)
                    return answer
                finally:
                    limiter.done()
            except ClientError as exc:
                error = exc.response.get("Error", {})
                code, message = error.get("Code", "Unknown"), error.get("Message", str(exc))
                if "EventCategory" in kw:
                    message = f"EventCategory={kw['EventCategory']}: {message}"
                if code not in THROTTLING_CODES:
                    raise LookupRegionError(region, code, message) from exc
                progress.throttled += 1
                if attempt >= self.max_retries:
                    raise LookupThrottledError(region, self.max_retries, message) from exc
                self.sleep(backoff_delay(attempt))
                attempt += 1
            except BotoConnectionError as exc:
                raise LookupRegionError(region, type(exc).__name__, str(exc)) from exc

    def _run(self) -> Generator[tuple[str, dict[str, Any]], None, None]:
        for region in self.regions:
            progress = self.progress[region] = LookupProgress(region)
            client = self._client(region)
            limiter = _Limiter(self.max_rps, self.clock, self.sleep)  # one per region, whatever the category
            for category in self.categories:
                yield from self._pages(client, region, self._request(category), limiter, progress)

    def _pages(self, client: Any, region: str, kw: dict[str, Any], limiter: _Limiter,
               progress: LookupProgress) -> Generator[tuple[str, dict[str, Any]], None, None]:
        """The records of every page of one request (``kw``) in one region."""
        while True:
            page = self._call(client, region, kw, limiter, progress)
            progress.pages += 1
            records = []
            for event in page.get("Events", []):
                record, why = _parse_event(event)
                if record is None:
                    progress.skipped += 1
                    self.skipped.append((region, str(event.get("EventId", "?")), why))
                else:
                    records.append(record)
            progress.events += len(records)
            if self.on_page is not None:
                self.on_page(progress)
            for record in records:
                yield region, record
            token = page.get("NextToken")
            if not token:
                break
            kw["NextToken"] = token


def lookup_events(session: Any, *, regions: list[str], start: datetime | None = None, end: datetime | None = None,
                  resource_name: str | None = None, endpoint_url: str | None = None, max_rps: float = 2.0,
                  max_retries: int = 8, on_page: Callable[[LookupProgress], None] | None = None,
                  sleep: Callable[[float], None] = time.sleep,
                  clock: Callable[[], float] = time.monotonic, insights: bool = False,
                  insights_start: datetime | None = None) -> LookupRun:
    """Yield ``(region, record)`` for the management events LookupEvents returns in each region, newest
    first within a region, regions one after another. ``start``/``end`` are inclusive (naive = UTC);
    ``resource_name`` asks only for the events referencing that resource (the targeted mode). With
    ``insights``, each region's CloudTrail Insights events follow its management events, from
    ``insights_start`` (default: ``start``) to ``end``.

    Raises ``LookupRegionError`` (or its subclass ``LookupThrottledError``) naming the failing region."""
    return LookupRun(session, regions=regions, start=start, end=end, resource_name=resource_name,
                     endpoint_url=endpoint_url, max_rps=max_rps, max_retries=max_retries, on_page=on_page,
                     sleep=sleep, clock=clock, insights=insights, insights_start=insights_start)
