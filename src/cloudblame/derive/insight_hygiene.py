"""Hygiene insights: what CloudTrail Insights does not look for, found when the events it stands on are
published (cloudblame.derive.insights). Each detector reads the new events (``rows``) and derived tables,
set-based, and replaces only the rows of ``insights`` its new data can change (by kind and key):

- ``root-use`` (cloudblame.derive.insight_identity): calls of the root user, per account and UTC hour;
- ``console-login-without-mfa``: a password sign-in (IAM user or root) that used no MFA;
- ``access-key-created``: a long-lived access key made for an IAM user (or root);
- ``trail-stopped`` (here): a trail stopped, deleted or made to log less, an event data store deleted;
- ``new-region`` (cloudblame.derive.insight_usage): the first creations in a region an account never used;
- ``new-tool``: a person's first call with a tool, once the store has known them a while;
- ``logging-gap``: hours without any event where the account's usual traffic makes that improbable.

Point findings (one event: a sign-in, a key, a trail change) have start = end = the event's time. People are
the humans behind the calls as blame resolves them (derive.insight_common.HUMAN_OF_EVENT); a finding made before
its session's human was known is made again when a later publish resolves that session.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

from cloudblame.derive.insight_common import HUMAN_OF_EVENT, SESSION_JOIN, insight_id_sql
from cloudblame.derive.shapes import POINT_LOOKUPS
from cloudblame.derive.work import Work
from cloudblame.store.db import Store
from cloudblame.store.tables import INSIGHTS, SESSION_ACTORS

SOURCE = "cloudblame"
HYGIENE_KINDS = ("root-use", "console-login-without-mfa", "access-key-created", "trail-stopped", "new-region",
                 "new-tool", "logging-gap")


@dataclass(frozen=True)
class HygieneThresholds:
    """When the usage detectors raise, and why (tests/integration/test_insight_hygiene.py holds them to it):

    - ``region_covered_days`` 7: a region counts as new for an account only when the store holds a week of
      the account's events before the region's first one (a store of a day or two knows no usual regions);
      ``region_window_hours`` 24: the creations of the region's first day make the insight (a person browses
      a region, then creates there).
    - ``tool_seen_days`` 7: a tool counts as new for a person the store has seen for a week at least (every
      tool of a person's first days would be new otherwise).
    - ``gap_hours`` 6: a span shorter than this with no event is never a gap; ``gap_rate`` 10 events an hour
      and ``gap_days`` 7: the same hours of each of the 7 days before the gap (for a gap of a day or more:
      each of the 7 days before it) held events, 10 an hour or more on average. A quiet night or weekend
      is quiet on the days before too, and a sparse or short trail has no week of baseline: neither raises.
      ``gap_resumed`` 0.5: and the same length of time after the gap (a day at most) holds at least half the
      baseline's mean count for it: events resumed, not the trickle of late records at the end of a trail
      (the gap is raised once those hours are published).
    """

    region_covered_days: int = 7
    region_window_hours: int = 24
    tool_seen_days: int = 7
    gap_hours: int = 6
    gap_rate: float = 10.0
    gap_days: int = 7
    gap_resumed: float = 0.5


THRESHOLDS = HygieneThresholds()


@dataclass
class Findings:
    """What the detectors of one publish share: the store, the new events (``rows``), and two temporary
    tables they fill: ``found`` (insights rows) and ``gone`` (ids of the rows they replace or remove);
    ``changed``: the principals of the sessions whose human changed in this publish."""

    store: Store
    rows: str
    everything: bool
    found: str
    gone: str
    changed: str

    def add(self, select: str, params: dict[str, Any] | None = None) -> None:
        """Add the insights rows of ``select`` (columns by name; those it lacks are NULL)."""
        self.store.append_rows(self.found, select, params or {}, by_name=True)

    def drop(self, select: str, params: dict[str, Any] | None = None) -> None:
        """Remove the insights whose ids ``select`` returns (the rows that a detector derives again)."""
        self.store.append_rows(self.gone, select, params or {})

    def events_of_days(self, days_select: str, *, resolved: bool = False) -> str:
        """FROM text of the events of the days ``days_select`` returns (one DATE column), read from those
        days' files only; every event when everything is derived again."""
        if self.everything:
            return "events" if resolved else "event_rows"
        days: list[date] = [d for d in self.store.arrow(days_select).column(0).to_pylist() if d is not None]
        return self.store.events_from(days=days, resolved=resolved)

    def refreshed(self, kinds: tuple[str, ...]) -> str:
        """SQL: the existing insights of ``kinds`` (``t``) whose callers' human changed in this publish."""
        names = ", ".join(f"'{k}'" for k in kinds)
        return (f"SELECT t.* FROM insights t WHERE t.source = '{SOURCE}' AND t.kind IN ({names}) AND list_has_any("
                f"coalesce(json_extract_string(json_extract(t.details, '$.principals'), '$[*]'), []), "
                f"(SELECT coalesce(list(principal), []) FROM {self.changed}))")


def people_sql(*values: str) -> str:
    """SQL: the people of an insight as JSON text: the distinct non-NULL values of these expressions."""
    return f"to_json(list_sort(list_distinct(list_value({', '.join(values)}))))::VARCHAR"


def by_activity_sql(column: str) -> str:
    """SQL aggregate: the distinct non-NULL values of ``column``, the most frequent first."""
    return (f"coalesce(list_transform(list_reverse_sort(list_transform(map_entries(histogram({column})), "
            f"lambda kv: {{'n': kv.value, 'v': kv.key}})), lambda kv: kv.v), []::VARCHAR[])")


def details_sql(*, event_ids: str | None = None, principals: str | None = None, reason: str,
                extra: tuple[tuple[str, str], ...] = ()) -> str:
    """SQL: an InsightDetails as JSON text, from SQL expressions (lists for event ids and principals)."""
    parts = [("event_ids", event_ids), ("principals", principals), *extra, ("reason", reason)]
    return "json_object(" + ", ".join(f"'{k}', {v}" for k, v in parts if v is not None) + ")::VARCHAR"


def when_sql(ts: str) -> str:
    """SQL: a timestamp as text for a summary ('2026-10-03 09:12 UTC')."""
    return f"strftime({ts}, '%Y-%m-%d %H:%M') || ' UTC'"


# --- trail-stopped

TRAIL_EVENTS = ("StopLogging", "DeleteTrail", "UpdateTrail", "PutEventSelectors", "PutInsightSelectors",
                "DeleteEventDataStore", "StopEventDataStoreIngestion")


def _rp(path: str) -> str:
    """SQL: a request parameter of event ``e`` as text (a JSON value as its text)."""
    return f"json_extract_string(e.raw, '$.requestParameters.{path}')"


def _rp_json(path: str) -> str:
    """SQL: a request parameter of event ``e`` as JSON."""
    return f"json_extract(e.raw, '$.requestParameters.{path}')"


_SELECTORS = (f"json_transform({_rp_json('eventSelectors')}, "
              "'[{\"includeManagementEvents\": \"VARCHAR\", \"readWriteType\": \"VARCHAR\"}]')")
_ADVANCED = (f"json_transform({_rp_json('advancedEventSelectors')}, "
             "'[{\"fieldSelectors\": [{\"field\": \"VARCHAR\", \"equals\": [\"VARCHAR\"]}]}]')")
# Whether a selector logs write management events (missing fields: the API's defaults, management events of
# every kind); advanced selectors: one that selects the Management category without keeping reads only.
_LOGS_WRITES = (f"list_bool_or(list_transform({_SELECTORS}, lambda s: coalesce(lower(s.includeManagementEvents), 'true') "
                "= 'true' AND coalesce(s.readWriteType, 'All') IN ('All', 'WriteOnly')))")
_ADVANCED_LOGS_WRITES = (
    f"list_bool_or(list_transform({_ADVANCED}, lambda a: "
    "list_bool_or(list_transform(a.fieldSelectors, lambda f: f.field = 'eventCategory' AND list_contains(f.equals, 'Management'))) "
    "AND NOT coalesce(list_bool_or(list_transform(a.fieldSelectors, lambda f: f.field = 'readOnly' "
    "AND list_contains(f.equals, 'true'))), false)))")
_TARGET = f"coalesce({_rp('name')}, {_rp('trailName')}, {_rp('eventDataStore')}, '?')"
# What the call cut, in words; NULL: it cut nothing (an UpdateTrail that keeps logging everything...).
TRAIL_CUT_SQL = f"""CASE e.event_name
    WHEN 'StopLogging' THEN 'stopped logging of trail ' || {_TARGET}
    WHEN 'DeleteTrail' THEN 'deleted trail ' || {_TARGET}
    WHEN 'DeleteEventDataStore' THEN 'deleted event data store ' || {_TARGET}
    WHEN 'StopEventDataStoreIngestion' THEN 'stopped ingestion of event data store ' || {_TARGET}
    WHEN 'UpdateTrail' THEN CASE
        WHEN lower({_rp('isMultiRegionTrail')}) = 'false' THEN 'made trail ' || {_TARGET} || ' log its home region only'
        WHEN lower({_rp('includeGlobalServiceEvents')}) = 'false'
            THEN 'made trail ' || {_TARGET} || ' leave out global services (IAM, STS, CloudFront)' END
    WHEN 'PutEventSelectors' THEN CASE
        WHEN {_rp_json('eventSelectors')} IS NOT NULL AND NOT coalesce({_LOGS_WRITES}, false)
            THEN 'set event selectors of trail ' || {_TARGET} || ' that log no write management events'
        WHEN {_rp_json('advancedEventSelectors')} IS NOT NULL AND NOT coalesce({_ADVANCED_LOGS_WRITES}, false)
            THEN 'set advanced event selectors of trail ' || {_TARGET} || ' that log no write management events' END
    WHEN 'PutInsightSelectors' THEN CASE WHEN json_array_length({_rp_json('insightSelectors')}) = 0
        THEN 'turned off CloudTrail Insights on trail ' || {_TARGET} END
END"""


def _trail_rows_sql(subject: str) -> str:
    """SQL: the trail-stopped insights of the events of ``subject`` (point_events)."""
    return f"""
SELECT {insight_id_sql("'trail-stopped'", "f.event_id")} AS insight_id, 'trail-stopped' AS kind, '{SOURCE}' AS source,
       'high' AS severity, f.account_id, f.aws_region, f.event_time AS start_time, f.event_time AS end_time,
       f.event_source, f.event_name, {people_sql("f.human")} AS people,
       coalesce(f.human, f.principal, 'someone') || ' ' || f.cut AS summary,
       {details_sql(event_ids="list_value(f.event_id)", principals="list_value(f.principal)",
                    reason="'CloudTrail records less from now on: ' || f.cut || ' (' || f.event_name || ')'")} AS details
FROM (SELECT e.event_id, e.event_time, e.account_id, e.aws_region, e.event_source, e.event_name, e.principal,
             e.human, {TRAIL_CUT_SQL} AS cut FROM {subject} e) f
WHERE f.cut IS NOT NULL"""


def _raw_sql(f: Findings, found: str) -> tuple[str, list[Any]]:
    """SQL and its parameters: the rows of ``found`` with their raw records, read by (event_time, event_id)
    from their days' files, where the times find a row group or two (derive.shapes.events_by_key)."""
    keys = f.store.query(f"SELECT min(event_time) AS lo, max(event_time) AS hi, list(DISTINCT event_time) AS times, "
                         f"list(DISTINCT event_id) AS ids, list(DISTINCT event_time::DATE) AS days FROM {found}")[0]
    if not keys["ids"]:
        return f"SELECT *, NULL::VARCHAR AS raw FROM {found}", []
    source = f.store.events_from(days=keys["days"], resolved=False)
    where, params = "r.event_time BETWEEN ? AND ?", [keys["lo"], keys["hi"]]
    if len(keys["ids"]) <= POINT_LOOKUPS:
        where += " AND r.event_time = ANY(?::TIMESTAMP[]) AND r.event_id = ANY(?::VARCHAR[])"
        params += [keys["times"], keys["ids"]]
    return (f"SELECT p.*, r.raw FROM {found} p JOIN (SELECT r.event_id, r.event_time, r.raw FROM {source} r "
            f"WHERE {where}) r ON r.event_id = p.event_id AND r.event_time = p.event_time"), params


@contextmanager
def point_events(f: Findings, where: str, kinds: tuple[str, ...]) -> Iterator[str]:
    """A temporary table: the events of ``rows`` matching ``where`` (over ``e``, its columns but ``raw``), and
    those of the existing insights of ``kinds`` whose callers' human changed (read again from their days),
    each with its ``human`` and its raw record (read for these events alone)."""
    refreshed = f"SELECT DISTINCT unnest(json_extract_string(json_extract(t.details, '$.event_ids'), '$[*]')) AS event_id, " \
                f"t.start_time::DATE AS day FROM ({f.refreshed(kinds)}) t"
    again = "(SELECT * EXCLUDE (raw) FROM event_rows WHERE false)"
    if not f.everything and f.store.scalar(f"SELECT count(*) FROM ({refreshed})"):
        source = f.events_of_days(f"SELECT DISTINCT day FROM ({refreshed})")
        again = f"(SELECT e.* EXCLUDE (raw) FROM {source} e SEMI JOIN ({refreshed}) r ON r.event_id = e.event_id)"
    found_sql = (f"SELECT e.*, {HUMAN_OF_EVENT} AS human FROM (SELECT e.* EXCLUDE (raw) FROM {f.rows} e WHERE {where} "
                 f"UNION ALL BY NAME SELECT e.* FROM {again} e WHERE {where}) e {SESSION_JOIN}")
    with f.store.temp_table(found_sql) as found:
        sql, params = _raw_sql(f, found)
        with f.store.temp_table(sql, params) as subject:
            yield subject


def find_trails_stopped(f: Findings) -> None:
    """``trail-stopped``: every successful call that stopped, deleted or cut a trail's logging (one insight
    per call, high)."""
    names = ", ".join(f"'{n}'" for n in TRAIL_EVENTS)
    where = f"e.event_source = 'cloudtrail.amazonaws.com' AND e.error_code IS NULL AND e.event_name IN ({names})"
    with point_events(f, where, ("trail-stopped",)) as subject:
        f.drop(f"SELECT {insight_id_sql(repr('trail-stopped'), 'event_id')} FROM {subject}")
        f.add(_trail_rows_sql(subject))


# --- the step


def _changed_principals_sql(work: Work) -> str:
    """SQL: the principals of the sessions whose human this publish changed (session_actors now against the
    published snapshot's); none when nothing was published yet (every event is new then)."""
    snap = work.lake.latest_snapshot()
    version = snap.versions.get(SESSION_ACTORS.name) if snap else None
    if version is None:
        return "SELECT NULL::VARCHAR AS principal WHERE false"
    old = work.store.files_relation(SESSION_ACTORS.name, work.lake.table(SESSION_ACTORS.name, version).file_uris())
    return (f"SELECT DISTINCT principal FROM ((SELECT * FROM session_actors EXCEPT SELECT * FROM {old}) "
            f"UNION ALL (SELECT * FROM {old} EXCEPT SELECT * FROM session_actors)) WHERE principal IS NOT NULL")


def _detectors() -> tuple[Callable[[Findings], None], ...]:
    from cloudblame.derive.insight_identity import find_access_keys, find_logins_without_mfa, find_root_use
    from cloudblame.derive.insight_usage import find_logging_gaps, find_new_regions, find_new_tools

    return (find_root_use, find_logins_without_mfa, find_access_keys, find_trails_stopped, find_new_regions,
            find_new_tools, find_logging_gaps)


def update_hygiene_insights(work: Work, rows: str) -> None:
    """Every hygiene detector brought forward from ``rows`` (``new_events``; ``event_rows``: all events, the
    hygiene insights derived again), in one rewrite of ``insights``."""
    store = work.store
    everything = rows == "event_rows"
    if not everything and not store.scalar(f"SELECT count(*) FROM {rows}"):
        return
    changed_sql = "SELECT NULL::VARCHAR AS principal WHERE false" if everything else _changed_principals_sql(work)
    with store.temp_table("SELECT * FROM insights WHERE false") as found, \
            store.temp_table("SELECT insight_id FROM insights WHERE false") as gone, \
            store.temp_table(changed_sql) as changed:
        findings = Findings(store, rows, everything, found, gone, changed)
        for detect in _detectors():
            detect(findings)
        kinds = ", ".join(f"'{k}'" for k in HYGIENE_KINDS)
        replaced = "true" if everything else (f"t.insight_id IN (SELECT insight_id FROM {gone}) "
                                              f"OR t.insight_id IN (SELECT insight_id FROM {found})")
        if everything or store.scalar(f"SELECT (SELECT count(*) FROM {found}) + (SELECT count(*) FROM {gone})"):
            work.rewrite(INSIGHTS, keep=f"NOT (t.source = '{SOURCE}' AND t.kind IN ({kinds}) AND ({replaced}))",
                         add=f"SELECT * FROM {found}")
