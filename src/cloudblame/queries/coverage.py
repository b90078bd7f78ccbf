"""coverage: what the store holds of each account and region, day by day: the span, the whole UTC days with
no event inside it (of the account; of a region while the account had events elsewhere), and the regions
the events name (in the ARNs of the resources they touched) that no event of that account came from.

Read from ``event_hours`` (events per account, region and UTC hour, derived at publish); a store whose
``event_hours`` is not filled (published before it existed) is read from the events themselves, by day.
`cloudblame doctor` turns the answer into findings (cloudblame.actions.doctor)."""

from __future__ import annotations

from typing import Any

import duckdb

from cloudblame.core.doctor_contracts import AccountCoverage, Coverage, DayGap, RegionCoverage, RegionNamed
from cloudblame.core.timeutil import iso_z
from cloudblame.store.db import Row, Store

DEFAULT_MAX_GAPS = 50  # gaps listed per account (and per region); the counts cover them all

# Events per account, region and UTC day, with the first and last event's time: from event_hours...
_DAYS_FROM_HOURS = """SELECT coalesce(account_id, 'unknown') AS account_id, coalesce(aws_region, 'unknown') AS aws_region,
                             CAST(hour AS DATE) AS day, sum(events)::BIGINT AS events, min(first_time) AS first_time,
                             max(last_time) AS last_time
                      FROM event_hours GROUP BY ALL"""
# ... or, when it holds nothing, from the events (their account, region and time columns alone).
_DAYS_FROM_EVENTS = """SELECT coalesce(account_id, 'unknown') AS account_id, coalesce(aws_region, 'unknown') AS aws_region,
                              CAST(event_time AS DATE) AS day, count(*)::BIGINT AS events, min(event_time) AS first_time,
                              max(event_time) AS last_time
                       FROM event_rows WHERE event_time IS NOT NULL GROUP BY ALL"""

# A region as ARNs name them (us-east-1, us-gov-west-1, cn-north-1; not an empty field nor `global`).
REGION_PATTERN = r"^[a-z]{2}(-[a-z]+)+-[0-9]+[a-z]?$"


def day_source(store: Store) -> tuple[str, str]:
    """(name, SQL) of the events per account, region and day: ``event_hours`` when it holds rows, else
    ``events`` (read from the events)."""
    try:
        filled = store.scalar("SELECT count(*) FROM (SELECT 1 FROM event_hours LIMIT 1)")
    except duckdb.CatalogException:  # a snapshot of a store older than the table
        filled = 0
    return ("event_hours", _DAYS_FROM_HOURS) if filled else ("events", _DAYS_FROM_EVENTS)


def coverage(store: Store, *, max_gaps: int = DEFAULT_MAX_GAPS) -> Coverage:
    """Each account's span and missing days, each of its regions' missing days (the first ``max_gaps``
    gaps of each listed), and the regions named but never seen."""
    source, select = day_source(store)
    with store.temp_table(select) as days:
        events = int(store.scalar(f"SELECT coalesce(sum(events), 0) FROM {days}"))
        newest = store.scalar(f"SELECT max(last_time) FROM {days}")
        regions = _regions(store, days, max_gaps)
        gaps = _account_gaps(store, days)
        accounts = [_account(row, gaps.get(row["account_id"], []), max_gaps, regions.get(row["account_id"], []))
                    for row in store.query(_ACCOUNTS_SQL.format(days=days))]
        named = _regions_named_not_seen(store, days)
    return {"source": source, "events": events, "newest": iso_z(newest), "accounts": accounts,
            "regions_named_not_seen": named}


_ACCOUNTS_SQL = """SELECT account_id, min(first_time) AS first_time, max(last_time) AS last_time,
                          min(day) AS first_day, max(day) AS last_day, count(DISTINCT day) AS days_with_events
                   FROM {days} GROUP BY account_id ORDER BY account_id"""


def _account(row: Row, gaps: list[DayGap], max_gaps: int, regions: list[RegionCoverage]) -> AccountCoverage:
    spanned = (row["last_day"] - row["first_day"]).days + 1
    return {"account": row["account_id"], "first_time": iso_z(row["first_time"]), "last_time": iso_z(row["last_time"]),
            "days_spanned": spanned, "days_with_events": row["days_with_events"],
            "missing_days": sum(g["days"] for g in gaps), "gaps_total": len(gaps), "gaps": gaps[:max_gaps],
            "regions": regions}


def _account_gaps(store: Store, days: str) -> dict[str, list[DayGap]]:
    """Each account's gaps (whole days with no event between two days with some), in order."""
    found: dict[str, list[DayGap]] = {}
    for row in store.query(
            f"""WITH d AS (SELECT DISTINCT account_id, day FROM {days}),
                     n AS (SELECT account_id, day, lead(day) OVER (PARTITION BY account_id ORDER BY day) AS next_day
                           FROM d)
                SELECT account_id, day + 1 AS start, next_day - 1 AS "end", date_diff('day', day, next_day) - 1 AS days
                FROM n WHERE date_diff('day', day, next_day) > 1 ORDER BY account_id, start"""):
        found.setdefault(row["account_id"], []).append(_gap(row))
    return found


def _gap(row: Row) -> DayGap:
    return {"start": row["start"].isoformat(), "end": row["end"].isoformat(), "days": int(row["days"])}


# Each (account, region) with its gaps inside its own span, counted in the days the account had events
# elsewhere (a region silent while the account was silent everywhere is the account's gap, not the region's).
_REGION_GAPS_SQL = """
WITH acct AS (SELECT DISTINCT account_id, day FROM {days}),
     n AS (SELECT account_id, aws_region, day, lead(day) OVER (PARTITION BY account_id, aws_region ORDER BY day) AS next_day
           FROM {days}),
     g AS (SELECT account_id, aws_region, day + 1 AS start, next_day - 1 AS "end" FROM n
           WHERE date_diff('day', day, next_day) > 1),
     active AS (SELECT g.account_id, g.aws_region, g.start, g."end", count(*) AS days
                FROM g JOIN acct a ON a.account_id = g.account_id AND a.day BETWEEN g.start AND g."end" GROUP BY ALL)
SELECT * FROM active"""


def _regions(store: Store, days: str, max_gaps: int) -> dict[str, list[RegionCoverage]]:
    """Each account's regions (most events first) with their gaps, by account."""
    gaps: dict[tuple[str, str], list[Row]] = {}
    for row in store.query(_REGION_GAPS_SQL.format(days=days) + " ORDER BY account_id, aws_region, start"):
        gaps.setdefault((row["account_id"], row["aws_region"]), []).append(row)
    found: dict[str, list[RegionCoverage]] = {}
    for row in store.query(
            f"""SELECT account_id, aws_region, min(day) AS first_day, max(day) AS last_day, count(*) AS days_with_events,
                       sum(events)::BIGINT AS events
                FROM {days} GROUP BY ALL ORDER BY account_id, events DESC, aws_region"""):
        own = gaps.get((row["account_id"], row["aws_region"]), [])
        found.setdefault(row["account_id"], []).append({
            "region": row["aws_region"], "first_day": row["first_day"].isoformat(),
            "last_day": row["last_day"].isoformat(), "days_with_events": row["days_with_events"],
            "events": row["events"], "missing_days": sum(int(g["days"]) for g in own),
            "gaps": [_gap(g) for g in own[:max_gaps]]})
    return found


def _regions_named_not_seen(store: Store, days: str) -> list[RegionNamed]:
    """The (account, region) pairs that ARNs of resources the stored events touched name (the ARN's account,
    else the event's) for an account in the store, that none of that account's events came from."""
    rows = store.query(
        f"""WITH named AS (
                SELECT CASE WHEN split_part(arn, ':', 5) = '' THEN account_id ELSE split_part(arn, ':', 5) END AS account,
                       split_part(arn, ':', 4) AS region, arn
                FROM event_resources WHERE arn LIKE 'arn:%' AND NOT coalesce(failed, false)),
                 seen AS (SELECT DISTINCT account_id, aws_region FROM {days})
            SELECT n.account, n.region, count(DISTINCT n.arn) AS resources, min(n.arn) AS example
            FROM named n
            WHERE regexp_matches(n.region, $pattern)
              AND n.account IN (SELECT account_id FROM seen)
              AND NOT EXISTS (SELECT 1 FROM seen s WHERE s.account_id = n.account AND s.aws_region = n.region)
            GROUP BY ALL ORDER BY n.account, resources DESC, n.region""", {"pattern": REGION_PATTERN})
    return [_named(r) for r in rows]


def _named(row: dict[str, Any]) -> RegionNamed:
    return {"account": row["account"], "region": row["region"], "resources": row["resources"],
            "example": row["example"]}


def regions_seen(store: Store, account: str) -> list[str]:
    """The regions events of ``account`` came from (from the same source as ``coverage``)."""
    _, select = day_source(store)
    return [r["aws_region"] for r in store.query(
        f"SELECT DISTINCT aws_region FROM ({select}) WHERE account_id = $account ORDER BY 1", {"account": account})]
