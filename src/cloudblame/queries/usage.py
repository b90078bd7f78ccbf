"""What CloudWatch said of resources' use, as stored (``usage_evidence``, written by `forgotten --metrics` and
`blame --metrics`): the latest reading of each resource as an ``Evidence`` shape, and the SQL `forgotten`
judges by (a resource whose latest reading saw use, over a window reaching into the idle one, is not forgotten).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from types import MappingProxyType
from typing import Any

import orjson

from cloudblame.catalog import CATALOG
from cloudblame.catalog.base import ResourceType
from cloudblame.catalog.usage import UsageMetric
from cloudblame.core.timeutil import iso_z
from cloudblame.core.usage_contracts import Evidence, MetricReading, MetricVerdict, UsageVerdict
from cloudblame.store.db import Row, Store
from cloudblame.store.tables import same_resource

__all__ = ["IN_USE_COLUMN", "IN_USE_JOIN", "IN_USE_SQL", "USAGE", "ResourceKey", "any_evidence", "evidence_for",
           "evidence_reason", "evidence_shape", "evidence_words", "usage_of", "used_only", "window_days"]

# (resource_type, resource_id, account_id): what names one resource (store.tables.RESOURCE_KEY).
ResourceKey = tuple[str, str, str | None]
DAY_SECONDS = 86_400

# The rows of each resource's latest reading.
LATEST_SQL = """SELECT * FROM usage_evidence
QUALIFY read_at = max(read_at) OVER (PARTITION BY resource_type, resource_id, account_id)"""
# One row per resource read: whether its latest reading saw use, and when that reading's window ended.
IN_USE_SQL = f"""SELECT resource_type, resource_id, account_id, bool_or(verdict = 'used') AS used,
    max(window_end) AS window_end FROM ({LATEST_SQL}) GROUP BY ALL"""


# type -> the CloudWatch metrics its catalog entry declares (types without any are not read).
USAGE: Mapping[str, tuple[UsageMetric, ...]] = MappingProxyType(
    {e.type: e.usage for e in CATALOG if isinstance(e, ResourceType) and e.usage})

# forgotten's join and column over its resources ``r`` (``$cutoff``: the start of the idle window): ``in_use``, the
# latest reading saw use over a window that reaches into the idle one.
IN_USE_JOIN = f" LEFT JOIN ({IN_USE_SQL}) u ON {same_resource('u', 'r')}"
IN_USE_COLUMN = ", coalesce(u.used AND u.window_end > $cutoff, false) AS in_use"



def used_only(source: str) -> str:
    """The resources of ``source`` (rows of the inventory) whose latest reading saw use over a window reaching into
    the idle one (``$cutoff``), aliased ``r`` (what forgotten counts as ``in_use``, read from those few alone)."""
    return (f"SELECT r.* FROM {source} r JOIN ({IN_USE_SQL}) u ON {same_resource('u', 'r')} "
            "WHERE u.used AND u.window_end > $cutoff")


def any_evidence(store: Store) -> bool:
    """Whether anything was ever read from CloudWatch into the store."""
    return bool(store.scalar("SELECT count(*) FROM (SELECT 1 FROM usage_evidence LIMIT 1)"))


def evidence_reason(evidence: Evidence) -> str:
    """The reading as a reason: ``CloudWatch: max CPU 0.4%, 0 B network in over 14 days (read 2026-11-12)``."""
    said = "CloudWatch saw use" if evidence["verdict"] == "used" else "CloudWatch"
    return f"{said}: {evidence['words']} (read {evidence['read_at'][:10]})"


def usage_of(resource_type: str | None) -> tuple[UsageMetric, ...]:
    """The CloudWatch metrics the catalog declares for a type (none: it is not read)."""
    return USAGE.get(resource_type or "", ())


def evidence_for(store: Store, keys: Iterable[ResourceKey]) -> dict[ResourceKey, Evidence]:
    """The latest reading of each of ``keys`` that has one."""
    wanted = set(keys)
    if not wanted:
        return {}
    rows = store.query(f"SELECT * FROM ({LATEST_SQL}) WHERE list_contains($ids, resource_id)",
                       {"ids": sorted({k[1] for k in wanted})})
    grouped: dict[ResourceKey, list[Row]] = {}
    for row in rows:
        key = (row["resource_type"], row["resource_id"], row["account_id"])
        if key in wanted:
            grouped.setdefault(key, []).append(row)
    return {key: evidence_shape(found) for key, found in grouped.items()}


def evidence_shape(rows: Sequence[Mapping[str, Any]]) -> Evidence:
    """One reading of one resource (its rows of usage_evidence, one per metric) as an ``Evidence``."""
    first = rows[0]
    declared = usage_of(first["resource_type"])
    metrics = [_reading(row, declared) for row in sorted(rows, key=lambda r: _rank(r, declared))]
    days = window_days(first["window_start"], first["window_end"])
    verdicts = {m["verdict"] for m in metrics}
    verdict: UsageVerdict = "used" if "used" in verdicts else "idle" if "idle" in verdicts else "unknown"
    return {"verdict": verdict, "read_at": iso_z(first["read_at"]),
            "window": {"start": iso_z(first["window_start"]), "end": iso_z(first["window_end"]), "days": days},
            "metrics": metrics, "words": evidence_words(metrics, days)}


def window_days(start: datetime, end: datetime) -> int:
    """The whole days a window covers (at least one)."""
    return max(1, round((end - start).total_seconds() / DAY_SECONDS))


def evidence_words(metrics: Sequence[MetricReading], days: int) -> str:
    """``max CPU 0.4%, 0 connections over 14 days`` (``no data over 14 days`` when none had any)."""
    span = f"over {days} day{'s' if days != 1 else ''}"
    if all(m["value"] is None for m in metrics):
        return f"no data {span}"
    return f"{', '.join(m['words'] for m in metrics)} {span}"


def _declaration(row: Mapping[str, Any], declared: tuple[UsageMetric, ...]) -> UsageMetric | None:
    """The catalog's declaration of a stored row's metric (None: the catalog no longer declares it)."""
    dimensions = orjson.loads(row["dimensions"] or "{}")
    return next((m for m in declared if m.namespace == row["namespace"] and m.metric == row["metric"]
                 and m.dimension in dimensions), None)


def _rank(row: Mapping[str, Any], declared: tuple[UsageMetric, ...]) -> tuple[int, str, str]:
    """Metrics in the order the catalog declares them."""
    found = _declaration(row, declared)
    return (declared.index(found) if found else len(declared), row["namespace"], row["metric"])


def _reading(row: Mapping[str, Any], declared: tuple[UsageMetric, ...]) -> MetricReading:
    found = _declaration(row, declared)
    value = row["value"]
    words = found.words(value) if found else f"{row['statistic']} {row['metric']}: " + (
        "no data" if value is None else f"{value:g}")
    verdict: MetricVerdict = row["verdict"]
    return {"namespace": row["namespace"], "metric": row["metric"], "statistic": row["statistic"],
            "dimensions": orjson.loads(row["dimensions"] or "{}"), "value": value, "datapoints": row["datapoints"],
            "used_above": row["used_above"], "verdict": verdict, "words": words}
