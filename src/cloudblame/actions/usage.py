"""Reading CloudWatch for resources' real use, and storing what it said.

Each resource is read for the metrics its catalog entry declares (``usage``, :mod:`cloudblame.catalog.usage`)
over a window, with ``GetMetricData``: one client per region; the queries of a region and account batched 500 to
a call (ids ``m0``, ``m1``...), a day to a period, every page (``NextToken``) read. A resource of another account
than the caller's is asked for by its account (``AccountId``: a CloudWatch cross-account monitoring account can
answer; another gets no data or an error). A metric above its threshold makes the resource used; a metric
CloudWatch has no data for is "no data" (unknown, never 0); a call that failed reads nothing (its problem is
reported, its resources stay unread). ``save`` appends the readings to ``usage_evidence`` and publishes them.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import groupby
from typing import Any

import pyarrow as pa
from botocore.exceptions import BotoCoreError, ClientError

from cloudblame.catalog.usage import UsageMetric
from cloudblame.core.timeutil import iso_z
from cloudblame.queries.usage import usage_of, window_days
from cloudblame.store.lake import Lake, Snapshot
from cloudblame.store.readings import append_and_publish
from cloudblame.store.tables import USAGE_EVIDENCE

__all__ = ["MAX_QUERIES", "PERIOD", "Query", "Target", "UsageRead", "Window", "batches", "caller_account",
           "evidence_rows", "metric_data_queries", "plan_queries", "read_usage", "save"]

log = logging.getLogger(__name__)

MAX_QUERIES = 500  # GetMetricData's limit of queries per call
PERIOD = 86_400  # a day: the values are daily, the window's value their maximum (or total)
Clients = Callable[[str, str | None], Any]  # (boto3 service name, region) -> a client (actions.cleanup.boto3_clients)


@dataclass(frozen=True)
class Target:
    """A resource to read: what names it, where it lives, and what its dimensions are built from."""

    resource_type: str
    resource_id: str
    account_id: str | None
    region: str | None
    arn: str | None = None
    name: str | None = None


@dataclass(frozen=True)
class Window:
    """The span read: naive UTC times, ``start`` before ``end``."""

    start: datetime
    end: datetime

    @property
    def days(self) -> int:
        return window_days(self.start, self.end)


@dataclass(frozen=True)
class Query:
    """One metric of one resource, with its dimensions (None: they cannot be built, e.g. no ARN known)."""

    target: Target
    metric: UsageMetric
    dimensions: Mapping[str, str] | None


@dataclass(frozen=True)
class Reading:
    """What CloudWatch answered for a query: the daily values it had."""

    query: Query
    values: tuple[float, ...]


@dataclass
class UsageRead:
    """A reading of many resources: what was read, when and over what window, and what could not be read."""

    window: Window
    read_at: datetime
    readings: list[Reading] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    calls: int = 0

    def resources(self) -> int:
        return len({r.query.target for r in self.readings})


def plan_queries(targets: Iterable[Target]) -> list[Query]:
    """A query per resource and metric its type declares that applies to it (resources of types with none are
    left out)."""
    return [Query(t, m, m.dimensions(t.resource_id, t.name, t.arn)) for t in targets for m in usage_of(t.resource_type)
            if m.applies_to(t.resource_id, t.name, t.arn)]


def _batch_key(query: Query) -> tuple[str, str]:
    return (query.target.region or "", query.target.account_id or "")


def batches(queries: Sequence[Query], size: int = MAX_QUERIES) -> Iterator[tuple[str | None, str | None, list[Query]]]:
    """(region, account, up to ``size`` queries) in turn: the readable queries of each region and account."""
    readable = sorted((q for q in queries if q.dimensions is not None), key=_batch_key)
    for (region, account), group in groupby(readable, key=_batch_key):
        items = list(group)
        for start in range(0, len(items), size):
            yield region or None, account or None, items[start:start + size]


def metric_data_queries(batch: Sequence[Query], *, account: str | None = None, caller: str | None = None,
                        period: int = PERIOD) -> list[dict[str, Any]]:
    """The ``MetricDataQueries`` of a batch (``Id`` ``m<i>``: the batch's i-th query); ``AccountId`` when the
    resources' ``account`` is known to be another than the ``caller``'s."""
    other = {"AccountId": account} if account and caller and account != caller else {}
    return [{"Id": f"m{i}", "ReturnData": True, **other,
             "MetricStat": {"Metric": {"Namespace": q.metric.namespace, "MetricName": q.metric.metric,
                                       "Dimensions": _dimensions(q)},
                            "Period": period, "Stat": q.metric.statistic}}
            for i, q in enumerate(batch)]


def _dimensions(query: Query) -> list[dict[str, str]]:
    return [{"Name": name, "Value": value} for name, value in (query.dimensions or {}).items()]


def fetch(client: Any, queries: list[dict[str, Any]], window: Window) -> tuple[dict[str, list[float]], int]:
    """Every value of each query id, over every page; and how many calls that took."""
    values: dict[str, list[float]] = {q["Id"]: [] for q in queries}
    kwargs: dict[str, Any] = {"MetricDataQueries": queries, "StartTime": window.start.replace(tzinfo=UTC),
                              "EndTime": window.end.replace(tzinfo=UTC), "ScanBy": "TimestampAscending"}
    calls = 0
    while True:
        page = client.get_metric_data(**kwargs)
        calls += 1
        for result in page.get("MetricDataResults", []):
            values.setdefault(result["Id"], []).extend(float(v) for v in result.get("Values", []))
        if not page.get("NextToken"):
            return values, calls
        kwargs["NextToken"] = page["NextToken"]


def read_usage(targets: Iterable[Target], clients: Clients, window: Window, *, caller: str | None = None,
               now: datetime | None = None) -> UsageRead:
    """The declared metrics of ``targets`` over ``window`` (``caller``: the account the credentials are of)."""
    read = UsageRead(window, now or datetime.now(UTC).replace(tzinfo=None))
    queries = plan_queries(targets)
    read.readings += [Reading(q, ()) for q in queries if q.dimensions is None]
    for region, account, batch in batches(queries):
        try:
            values, calls = fetch(clients("cloudwatch", region), metric_data_queries(batch, account=account,
                                                                                     caller=caller), window)
        except (ClientError, BotoCoreError) as exc:
            read.problems.append(f"CloudWatch in {region or 'the default region'} (account {account or '?'}): "
                                 f"{_message(exc)}; {len({q.target for q in batch})} resource(s) not read")
            continue
        read.calls += calls
        read.readings += [Reading(q, tuple(values.get(f"m{i}", ()))) for i, q in enumerate(batch)]
    return read


def _message(exc: Exception) -> str:
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        return f"{error.get('Code', '?')}: {error.get('Message', '')}"
    return str(exc)


def caller_account(clients: Clients, region: str | None = None) -> str | None:
    """The account the credentials are of (None: STS would not say)."""
    try:
        account: str = clients("sts", region).get_caller_identity()["Account"]
    except (ClientError, BotoCoreError, KeyError) as exc:
        log.debug("no caller identity: %s", exc)
        return None
    return account


def value_of(reading: Reading) -> float | None:
    """The statistic over the window: the highest daily maximum, the total of the daily sums, the mean of the
    daily averages; None when CloudWatch had no data."""
    values = reading.values
    if not values:
        return None
    statistic = reading.query.metric.statistic
    return max(values) if statistic == "Maximum" else sum(values) if statistic == "Sum" else sum(values) / len(values)


def verdict_of(reading: Reading, days: int) -> str:
    """``used`` (above the metric's threshold), ``idle`` or ``no data``."""
    value = value_of(reading)
    if value is None:
        return "no data"
    return "used" if value > reading.query.metric.threshold(days) else "idle"


def evidence_rows(read: UsageRead) -> pa.Table:
    """The readings as rows of ``usage_evidence``."""
    days = read.window.days
    rows = [{"resource_type": r.query.target.resource_type, "resource_id": r.query.target.resource_id,
             "account_id": r.query.target.account_id, "region": r.query.target.region,
             "namespace": r.query.metric.namespace, "metric": r.query.metric.metric,
             "statistic": r.query.metric.statistic,
             "dimensions": json.dumps(dict(r.query.dimensions or {}), sort_keys=True), "value": value_of(r),
             "datapoints": len(r.values), "used_above": float(r.query.metric.threshold(days)),
             "window_start": read.window.start, "window_end": read.window.end, "read_at": read.read_at,
             "verdict": verdict_of(r, days)} for r in read.readings]
    return pa.Table.from_pylist(rows, schema=USAGE_EVIDENCE.schema)


def save(lake: Lake, read: UsageRead, *, wait: float | None = None) -> Snapshot | None:
    """The readings appended to ``usage_evidence`` and published (None: there were none)."""
    rows = evidence_rows(read)
    if rows.num_rows == 0:
        return None
    return append_and_publish(lake, USAGE_EVIDENCE, rows, reason="usage", wait=wait)


def window_ending(end: datetime, length: timedelta) -> Window:
    """The window of ``length`` ending at ``end``."""
    return Window(end - length, end)


def describe(read: UsageRead) -> str:
    """A line on what was read: ``CloudWatch: 12 resources read in 3 calls over 14 days (2026-11-12Z)``."""
    return (f"CloudWatch: {read.resources():,} resource(s) read in {read.calls:,} call(s), "
            f"{iso_z(read.window.start)} to {iso_z(read.window.end)} ({read.window.days} days)")
