"""insights and insight: the unusual activity the derive step found (``insights`` table, docs/insights.md),
newest first with filters and paging, and one insight with what it stands on: its API's minute series
(rate kinds) and the events behind it.

Read from the ``insights`` table (its ``people`` and ``details`` columns are JSON), ``api_minutes`` (the
minute counts, zero where a minute has no row) and ``hot_minutes`` (the baseline of each minute that
departed from it); the events through queries/events.py."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

import orjson

from cloudblame.core.contracts import EventItem
from cloudblame.core.insight_contracts import (
    INSIGHT_KINDS,
    Insight,
    InsightDetail,
    InsightDetails,
    InsightsPage,
    SeriesPoint,
)
from cloudblame.core.timeutil import iso_z
from cloudblame.queries import Ambiguous, BadInput, NotFound, Values, values_of
from cloudblame.queries.events import EventFilter, count_events, search_events
from cloudblame.store.db import Row, Store

DEFAULT_LIMIT = 50
MAX_LIMIT = 1000
MIN_PREFIX = 6  # the shortest insight id prefix looked up
CANDIDATES = 10  # the insights an ambiguous prefix lists
SOURCES = ("cloudblame", "aws")
SEVERITIES = ("high", "medium", "low")  # most severe first
# The rate kinds and the api_minutes column (and hot_minutes series) each is judged on.
RATE_SERIES = {"api-call-rate": "calls", "api-error-rate": "errors"}
SERIES_MARGIN = timedelta(minutes=60)  # the series shows this much before an insight's start and after its end
EVENTS_SHOWN = 100
EVENTS_COUNT_CAP = 1_000_000
ID_LOOKAROUND = timedelta(days=1)  # where the events an insight lists are looked for first, around it


@dataclass(frozen=True)
class InsightFilter:
    """What ``insights_page`` matches: every filter given must hold (a filter taking several values
    matches any of them). An insight matches a time range when it overlaps it."""

    since: datetime | None = None
    until: datetime | None = None
    kinds: Values = None
    source: str | None = None
    severity: Values = None
    person: Values = None
    account: Values = None
    region: Values = None

    def where(self) -> tuple[str, dict[str, Any]]:
        """The WHERE clause over ``insights`` and its parameters; BadInput for a value no insight can have."""
        clauses: list[str] = []
        params: dict[str, Any] = {}
        kinds = _checked("kind", values_of(self.kinds), INSIGHT_KINDS)
        severities = _checked("severity", values_of(self.severity), SEVERITIES)
        sources = _checked("source", values_of(self.source), SOURCES)
        for column, values in (("kind", kinds), ("severity", severities), ("source", sources),
                               ("account_id", values_of(self.account)), ("aws_region", values_of(self.region))):
            if values:
                clauses.append(f"{column} = ANY(${column}::VARCHAR[])")
                params[column] = values
        if people := values_of(self.person):
            clauses.append("list_has_any(list_transform(coalesce(json_extract_string(people, '$[*]'), []), "
                           "lambda x: lower(x)), $people::VARCHAR[])")
            params["people"] = [p.lower() for p in people]
        if self.since is not None:
            clauses.append("(end_time IS NULL OR end_time >= $since)")
            params["since"] = self.since
        if self.until is not None:
            clauses.append("start_time <= $until")
            params["until"] = self.until
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def _checked(name: str, values: list[str], allowed: tuple[str, ...]) -> list[str]:
    """``values`` when each is one of ``allowed``; BadInput naming the first that is not."""
    for value in values:
        if value not in allowed:
            raise BadInput(f"unknown {name} {value!r}: choose from {', '.join(allowed)}")
    return values


def insights_page(store: Store, *, since: datetime | None = None, until: datetime | None = None,
                  kinds: Values = None, source: str | None = None, severity: Values = None,
                  person: Values = None, account: Values = None, region: Values = None,
                  limit: int = DEFAULT_LIMIT, offset: int = 0) -> InsightsPage:
    """The insights matching every filter given, newest first (by start, then id): ``limit`` of them from
    ``offset`` (0: none, only the counts), how many match in all, and per kind and severity. ``kinds``,
    ``severity``, ``person``, ``account`` and ``region`` take one value or several; ``person`` is one of
    the humans behind an insight (ignoring case); ``since``/``until``: the insights overlapping that time."""
    if not 0 <= limit <= MAX_LIMIT or offset < 0:
        raise BadInput(f"limit must be between 0 and {MAX_LIMIT}, and offset 0 or more")
    f = InsightFilter(since=since, until=until, kinds=kinds, source=source, severity=severity, person=person,
                      account=account, region=region)
    where, params = f.where()
    rows = store.query(f"SELECT * FROM insights{where} ORDER BY start_time DESC, insight_id LIMIT $limit "
                       "OFFSET $offset", {**params, "limit": limit, "offset": offset}) if limit else []
    counts = store.query(f"SELECT kind, severity, count(*) AS n FROM insights{where} GROUP BY ALL", params)
    return {"insights": [insight_of(r) for r in rows], "total": sum(c["n"] for c in counts), "offset": offset,
            "limit": limit, "by_kind": _totals(counts, "kind", INSIGHT_KINDS),
            "by_severity": _totals(counts, "severity", SEVERITIES)}


def _totals(counts: list[Row], key: str, order: tuple[str, ...]) -> dict[str, int]:
    """The counts summed by ``key``, in ``order`` (values outside it last, by name), none left out as 0."""
    sums: dict[str, int] = {}
    for c in counts:
        sums[str(c[key])] = sums.get(str(c[key]), 0) + c["n"]
    rank = {name: i for i, name in enumerate(order)}
    return {k: sums[k] for k in sorted(sums, key=lambda k: (rank.get(k, len(order)), k))}


def _json(text: str | None, empty: Any) -> Any:
    return orjson.loads(text) if text else empty


def insight_of(row: Row) -> Insight:
    """An ``insights`` row as the Insight shape."""
    return {
        "id": row["insight_id"], "kind": row["kind"], "source": row["source"], "severity": row["severity"],
        "account_id": row["account_id"], "region": row["aws_region"], "start": iso_z(row["start_time"]),
        "end": iso_z(row["end_time"]), "event_source": row["event_source"], "event_name": row["event_name"],
        "error_code": row["error_code"], "people": _json(row["people"], []), "summary": row["summary"] or "",
        "monthly_cost_added": row["monthly_cost_added"], "baseline": row["baseline"], "value": row["value"],
        "duration_minutes": row["duration_minutes"],
        "details": cast(InsightDetails, _json(row["details"], {})),
    }


def csv_row(insight: Insight) -> dict[str, Any]:
    """An insight as a CSV row: its fields (people joined by ``;``) and, of its details, the reason."""
    row: dict[str, Any] = {k: v for k, v in insight.items() if k != "details"}
    return {**row, "people": ";".join(insight["people"]), "reason": insight["details"].get("reason")}


def resolve_insight(store: Store, id_or_prefix: str) -> Row:
    """The ``insights`` row of an id, or of a unique prefix of one (MIN_PREFIX characters or more);
    BadInput when shorter, Ambiguous (with candidates) or NotFound."""
    wanted = id_or_prefix.strip()
    rows = store.query("SELECT * FROM insights WHERE insight_id = $id", {"id": wanted})
    if rows:
        return rows[0]
    if len(wanted) < MIN_PREFIX:
        raise BadInput(f"insight id {wanted!r} is too short: give the whole id or at least {MIN_PREFIX} characters")
    rows = store.query("SELECT * FROM insights WHERE starts_with(insight_id, $id) ORDER BY start_time DESC, "
                       "insight_id LIMIT $n", {"id": wanted, "n": CANDIDATES + 1})
    if len(rows) == 1:
        return rows[0]
    if rows:
        count = f"more than {CANDIDATES}" if len(rows) > CANDIDATES else str(len(rows))
        raise Ambiguous(f"insight id prefix {wanted!r} is ambiguous: {count} insights match; give more characters",
                        [{"id": r["insight_id"], "time": iso_z(r["start_time"]), "kind": r["kind"],
                          "event_name": r["event_name"], "account": r["account_id"], "summary": r["summary"]}
                         for r in rows[:CANDIDATES]])
    raise NotFound(f"no insight with id {wanted!r} in the store")


def insight_detail(store: Store, id_or_prefix: str) -> InsightDetail:
    """One insight (its id or a unique prefix of 6+ characters) with its minute series (rate kinds: from an
    hour before its start to an hour after its end, no later than the newest event; other kinds: empty)
    and the first EVENTS_SHOWN events behind it, and how many there are."""
    insight = insight_of(resolve_insight(store, id_or_prefix))
    newest = store.newest_event_time()
    events, total = _events_behind(store, insight, newest)
    return {**insight, "series": minute_series(store, insight, newest), "events": events, "events_total": total}


def _minute(text: str) -> datetime:
    """An ISO time of a shape as the store's naive UTC time, cut to its minute."""
    return datetime.fromisoformat(text.removesuffix("Z")).replace(second=0, microsecond=0)


def _last_minute(insight: Insight, newest: datetime | None) -> datetime:
    """The last minute of an insight: the one before its end (an end is the first minute after it, as AWS's
    start plus duration), its start's for a point in time, or (still open) the newest event's."""
    first = _minute(insight["start"])
    if insight["end"] is not None:
        return max(_minute(insight["end"]) - timedelta(minutes=1), first)
    return max(newest.replace(second=0, microsecond=0), first) if newest is not None else first


def minute_inside(insight: Insight, minute: str) -> bool:
    """Whether a minute of its series (ISO) is one of the insight's own: from its start's to its last."""
    when = _minute(minute)
    return _minute(insight["start"]) <= when and (insight["end"] is None or when <= _last_minute(insight, None))


def events_window(insight: Insight, newest: datetime | None) -> tuple[datetime, datetime]:
    """The time of the events behind a rate insight: its minutes, from its start's to the end of its last."""
    return _minute(insight["start"]), _last_minute(insight, newest) + timedelta(minutes=1) - timedelta(microseconds=1)


def minute_series(store: Store, insight: Insight, newest: datetime | None) -> list[SeriesPoint]:
    """A rate insight's API's count per minute (zero-filled) with the baseline of each minute that departed
    from it, from SERIES_MARGIN before its start to SERIES_MARGIN after its end (never past the newest
    event: a minute not yet recorded is unknown, not zero); empty for the other kinds."""
    series = RATE_SERIES.get(insight["kind"])
    if series is None or insight["event_name"] is None:
        return []
    first = _minute(insight["start"]) - SERIES_MARGIN
    last = _last_minute(insight, newest) + timedelta(minutes=1) + SERIES_MARGIN
    if newest is not None:
        last = max(min(last, newest.replace(second=0, microsecond=0)), _last_minute(insight, newest))
    key = {"account": insight["account_id"], "region": insight["region"], "source": insight["event_source"],
           "name": insight["event_name"], "series": series, "first": first, "last": last}
    same_api = ("account_id IS NOT DISTINCT FROM $account AND aws_region IS NOT DISTINCT FROM $region AND "
                "event_source IS NOT DISTINCT FROM $source AND event_name = $name")
    rows = store.query(
        f"""WITH minutes AS (SELECT unnest(generate_series($first::TIMESTAMP, $last::TIMESTAMP,
                                                             INTERVAL 1 MINUTE)) AS minute),
                 counts AS (SELECT minute, {series} AS n FROM api_minutes
                            WHERE {same_api} AND minute BETWEEN $first AND $last),
                 hot AS (SELECT minute, max(baseline) AS baseline FROM hot_minutes
                         WHERE {same_api} AND series = $series AND minute BETWEEN $first AND $last GROUP BY minute)
            SELECT m.minute, coalesce(c.n, 0)::BIGINT AS count, h.baseline
            FROM minutes m LEFT JOIN counts c USING (minute) LEFT JOIN hot h USING (minute) ORDER BY m.minute""",
        key)
    return [{"minute": iso_z(r["minute"]), "count": r["count"], "baseline": r["baseline"]} for r in rows]


def events_filter(insight: Insight, newest: datetime | None, limit: int = EVENTS_SHOWN) -> EventFilter:
    """The events behind an insight, as an Event History search: a rate insight's, its API's calls (its
    failed ones for error rates) in its account and region over its minutes (from its start to its end,
    which is the first minute after it); any other's, the events its details list."""
    if insight["kind"] in RATE_SERIES and insight["event_name"]:
        since, until = events_window(insight, newest)
        return EventFilter(event_name=insight["event_name"], event_source=insight["event_source"],
                           account=insight["account_id"], region=insight["region"],
                           error=insight["kind"] == "api-error-rate", since=since, until=until, limit=limit)
    return EventFilter(event_id=insight["details"].get("event_ids") or [], limit=limit)


def _events_behind(store: Store, insight: Insight, newest: datetime | None) -> tuple[list[EventItem], int]:
    """The first EVENTS_SHOWN events behind an insight, newest first, and how many there are."""
    f = events_filter(insight, newest)
    if f.event_id is not None and not f.since:
        ids = values_of(f.event_id)
        if not ids:
            return [], 0
        around = EventFilter(event_id=ids, limit=f.limit, since=_minute(insight["start"]) - ID_LOOKAROUND,
                             until=_last_minute(insight, newest) + ID_LOOKAROUND)
        found = search_events(store, around)  # the usual case: near the insight, a few days' files
        if len(found) < len(ids[:f.limit]):
            found = search_events(store, f)
        return found, len(found) if len(ids) <= f.limit else len(ids)
    return search_events(store, f), count_events(store, f, cap=EVENTS_COUNT_CAP)["count"]


def rate_text(value: float | None) -> str:
    """A rate per minute as every face shows it: two decimals, or two significant digits below 0.01 (a
    baseline of 0.0001 is not 0.00); ``?`` when unknown."""
    if value is None:
        return "?"
    if 0 < abs(value) < 0.01:
        return f"{value:.{1 - math.floor(math.log10(abs(value)))}f}".rstrip("0")
    return f"{value:,.2f}"


def recent_counts(store: Store, since: datetime) -> dict[str, int]:
    """How many insights overlap the time from ``since`` on, per severity (most severe first)."""
    return insights_page(store, since=since, limit=0)["by_severity"]
