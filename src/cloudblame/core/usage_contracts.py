"""The JSON shape of what CloudWatch said of a resource's use (``evidence`` in `forgotten` rows and in `blame`),
kept beside core/contracts.py (at its size limit) with its conventions: ISO 8601 UTC times, and a value nobody
knows ``None``, never 0. Built from the ``usage_evidence`` table (store/tables.py): the latest reading of a
resource, one metric per row."""

from typing import Literal

from typing_extensions import TypedDict

MetricVerdict = Literal["used", "idle", "no data"]
# used: a metric is above its threshold; idle: every metric with data is at or below it; unknown: none had data.
UsageVerdict = Literal["used", "idle", "unknown"]


class UsageWindow(TypedDict):
    """The span the metrics were read over, and how many days it covers."""
    start: str
    end: str
    days: int


class MetricReading(TypedDict):
    """One CloudWatch metric over the window: the statistic's value (the highest for ``Maximum``, the total for
    ``Sum``; None: CloudWatch had no data), the days that had data, the threshold above which it counts as use,
    the verdict, and the reading in words (``max CPU 0.4%``, ``0 connections``)."""
    namespace: str
    metric: str
    statistic: str
    dimensions: dict[str, str]
    value: float | None
    datapoints: int
    used_above: float
    verdict: MetricVerdict
    words: str


class Evidence(TypedDict):
    """What CloudWatch said of a resource's use when last read (``read_at``): the verdict, the metrics, and all of
    it in words (``max CPU 0.4%, 0 B network in over 14 days``)."""
    verdict: UsageVerdict
    read_at: str
    window: UsageWindow
    metrics: list[MetricReading]
    words: str
