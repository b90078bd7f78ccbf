"""AWS's own CloudTrail Insights, beside ours: the Insights records AWS delivered (events of category
'Insight', reference §7.2: from the ``CloudTrail-Insight/`` prefix of a trail, or LookupEvents with
``EventCategory=insight``) made ``insights`` rows of source 'aws'.

One row per insight: its ``Start`` and ``End`` records share a ``sharedEventID`` (the row's id). The End may
arrive in a later publish (it is written when the unusual activity subsides): the row is then written
again from both records, the earlier one read back from the days the row already spans (no other events
are read). ``start`` is the Start's time (the End's time less its duration while no Start is stored);
``end`` the start plus the End's ``insightDuration`` (None while no End is stored); ``value`` the End's
average over the whole insight, else the Start's first minute; ``baseline`` AWS's mean per minute over the
baseline window. The principals are the ``userIdentityArn`` attribution values AWS wrote, and the people
the humans behind them as blame resolves them (the one behind most of that principal's calls, from
``calls`` and ``session_actors``), else the ARN's last name.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from cloudblame.derive.insight_common import insight_id_sql
from cloudblame.derive.work import Work
from cloudblame.store.tables import INSIGHTS

SOURCE = "aws"
INSIGHT_EVENTS = "event_category = 'Insight'"  # AWS's Insights records among the events (no API calls)
KINDS = {"ApiCallRateInsight": "api-call-rate", "ApiErrorRateInsight": "api-error-rate"}
ACCESS_DENIED = "(?i)(accessdenied|unauthorized|forbidden)"  # error codes whose error-rate insight is 'high'
_ID = insight_id_sql(f"'{SOURCE}'", "shared_event_id")  # an insight's id, from its records' sharedEventID

# What each Insights record of {source} says (its insightDetails, reference §7.2), read from its raw record.
_RECORDS_SQL = """
SELECT event_id, event_time, account_id, aws_region, event_source, event_name, shared_event_id,
       d->>'state' AS state, d->>'insightType' AS insight_type, nullif(d->>'errorCode', '') AS error_code,
       TRY_CAST(s->'baseline'->>'average' AS DOUBLE) AS baseline,
       TRY_CAST(s->'insight'->>'average' AS DOUBLE) AS value,
       TRY_CAST(TRY_CAST(s->>'insightDuration' AS DOUBLE) AS BIGINT) AS duration,
       TRY_CAST(TRY_CAST(s->>'baselineDuration' AS DOUBLE) AS BIGINT) AS baseline_minutes,
       CASE WHEN json_type(d->'insightContext'->'attributions') = 'ARRAY' THEN d->'insightContext'->'attributions'
       END AS attributions
FROM (SELECT *, d->'insightContext'->'statistics' AS s FROM (
    SELECT *, CASE WHEN json_valid(raw) THEN json_extract(raw, '$.insightDetails') END AS d
    FROM {source} WHERE {where}))"""


def _one(state: str) -> str:
    """SQL: the records of ``records`` in ``state`` (Start or End), one per insight."""
    return (f"SELECT * FROM records WHERE state = '{state}' "
            "QUALIFY row_number() OVER (PARTITION BY shared_event_id ORDER BY event_id) = 1")


# Each insight's Start (s) and End (e) side by side, with its times, statistics and attributions.
_PAIRS_SQL = f"""
WITH records AS (SELECT * FROM {{records}}), starts AS ({_one('Start')}), ends AS ({_one('End')}),
pairs AS (
    SELECT coalesce(s.shared_event_id, e.shared_event_id) AS shared_event_id,
           coalesce(s.insight_type, e.insight_type) AS insight_type,
           coalesce(s.account_id, e.account_id) AS account_id, coalesce(s.aws_region, e.aws_region) AS aws_region,
           coalesce(s.event_source, e.event_source) AS event_source,
           coalesce(s.event_name, e.event_name) AS event_name, coalesce(s.error_code, e.error_code) AS error_code,
           coalesce(s.event_time, e.event_time - to_minutes(coalesce(e.duration, 0))) AS start_time,
           e.event_id IS NOT NULL AS ended, e.duration AS duration_minutes, e.event_time AS end_record_time,
           coalesce(s.baseline, e.baseline) AS baseline, coalesce(e.value, s.value) AS value,
           coalesce(s.baseline_minutes, e.baseline_minutes) AS baseline_minutes,
           coalesce(e.attributions, s.attributions) AS attributions
    FROM starts s FULL JOIN ends e ON e.shared_event_id = s.shared_event_id)
SELECT *, CASE WHEN ended THEN coalesce(start_time + to_minutes(duration_minutes), end_record_time) END AS end_time,
       coalesce(flatten([json_extract_string(a, '$.insight[*].value')
           FOR a IN json_extract(attributions, '$[*]') IF a->>'attribute' = 'userIdentityArn']), []::VARCHAR[])
           AS principals
FROM pairs WHERE insight_type IN ('ApiCallRateInsight', 'ApiErrorRateInsight')"""

# The person behind each principal of {pairs}: the human behind most of its calls (blame's resolution).
_PEOPLE_SQL = """
WITH p AS (SELECT shared_event_id, unnest(principals) AS arn, unnest(range(array_length(principals))) AS pos FROM {pairs}),
counted AS (
    SELECT c.principal, coalesce(sa.human, c.actor) AS human, sum(c.events) AS n
    FROM calls c LEFT JOIN session_actors sa ON sa.access_key_id = c.access_key_id AND sa.principal = c.principal
    WHERE c.principal IN (SELECT arn FROM p) AND coalesce(sa.human, c.actor) IS NOT NULL GROUP BY ALL),
top AS (SELECT * FROM counted QUALIFY row_number() OVER (PARTITION BY principal ORDER BY n DESC, human) = 1),
named AS (
    SELECT p.shared_event_id, coalesce(h.human, nullif(regexp_extract(p.arn, '[^/:]+$'), '')) AS person,
           min(p.pos) AS pos
    FROM p LEFT JOIN top h ON h.principal = p.arn GROUP BY ALL)
SELECT shared_event_id, list(person ORDER BY pos) AS people FROM named WHERE person IS NOT NULL GROUP BY ALL"""


def _number(sql: str) -> str:
    """SQL: a rate as text (``38``, ``0.0042``), '?' when unknown."""
    return f"coalesce(CASE WHEN {sql} >= 1000 THEN round({sql})::BIGINT::VARCHAR ELSE printf('%.4g', {sql}) END, '?')"


_WHAT = ("CASE WHEN kind = 'api-error-rate' THEN concat_ws(' ', event_name, error_code, 'error rate') "
         "ELSE event_name || ' call rate' END")
_RATES = f"{_number('value')} || '/min vs ' || {_number('baseline')} || '/min baseline'"
_WHICH = ("CASE WHEN kind = 'api-error-rate' THEN concat_ws(' ', error_code, 'errors') ELSE 'calls' END")
_REASON = (f"'AWS CloudTrail Insights found ' || event_name || ' (' || event_source || ') ' || {_WHICH} || ' at ' "
           f"|| {_number('value')} || '/min against a baseline of ' || {_number('baseline')} || '/min' || "
           "coalesce(' over the ' || (baseline_minutes // 1440) || ' days before', '') || "
           "'; AWS does not publish its thresholds.'")

# The insights rows of {pairs} (with their people, {people}).
_ROWS_SQL = f"""
SELECT {_ID} AS insight_id, kind, '{SOURCE}' AS source,
       CASE WHEN kind = 'api-error-rate' AND regexp_matches(coalesce(error_code, ''), '{ACCESS_DENIED}')
            THEN 'high' ELSE 'medium' END AS severity,
       account_id, aws_region, start_time::TIMESTAMP AS start_time, end_time::TIMESTAMP AS end_time,
       event_source, event_name, error_code, to_json(coalesce(people, []::VARCHAR[]))::VARCHAR AS people,
       'AWS Insights: ' || {_WHAT} || ' ' || {_RATES} AS summary, NULL::DOUBLE AS monthly_cost_added,
       baseline::DOUBLE AS baseline, value::DOUBLE AS value, duration_minutes::BIGINT AS duration_minutes,
       json_merge_patch(json_object(), json_object(
           'insight_type', insight_type, 'baseline_minutes', baseline_minutes, 'attributions', attributions,
           'shared_event_id', shared_event_id, 'principals', principals, 'reason', {_REASON}))::VARCHAR AS details
FROM (SELECT *, CASE insight_type {' '.join(f"WHEN '{k}' THEN '{v}'" for k, v in KINDS.items())} END AS kind
      FROM {{pairs}}) LEFT JOIN {{people}} USING (shared_event_id)"""


def update_aws_insights(work: Work, rows: str) -> None:
    """The insights of the Insights records among ``rows`` (``new_events`` or ``event_rows``), written again
    with the records of the same insights stored before (an End arriving after its Start)."""
    store = work.store
    fresh_where = f"{INSIGHT_EVENTS} AND shared_event_id IS NOT NULL"
    with store.temp_table(_RECORDS_SQL.format(source=rows, where=fresh_where)) as fresh:
        if not store.scalar(f"SELECT count(*) FROM {fresh}"):
            return
        earlier = _earlier_records(work, fresh) if rows != "event_rows" else f"(SELECT * FROM {fresh} WHERE false)"
        with store.temp_table(f"SELECT * FROM {fresh} UNION ALL BY NAME SELECT * FROM {earlier} "
                              f"WHERE event_id NOT IN (SELECT event_id FROM {fresh})") as records, \
                store.temp_table(_PAIRS_SQL.format(records=records)) as pairs, \
                store.temp_table(_PEOPLE_SQL.format(pairs=pairs)) as people, \
                store.temp_table(_ROWS_SQL.format(pairs=pairs, people=people)) as found:
            work.upsert(INSIGHTS, found, ("insight_id",))


def _earlier_records(work: Work, fresh: str) -> str:
    """SQL (a subquery): the records stored before of the insights ``fresh`` (new records) is about, read
    from the days their rows of ``insights`` span (a day wider on each side)."""
    store = work.store
    spans = store.query(
        f"SELECT start_time, coalesce(end_time, start_time) AS last FROM insights WHERE source = '{SOURCE}' "
        f"AND insight_id IN (SELECT {_ID} FROM {fresh})")
    days = {day for span in spans for day in _days(span["start_time"], span["last"])}
    if not days:
        return f"(SELECT * FROM {fresh} WHERE false)"
    where = f"{INSIGHT_EVENTS} AND shared_event_id IN (SELECT shared_event_id FROM {fresh})"
    return "(" + _RECORDS_SQL.format(source=store.events_from(days=days, resolved=False), where=where) + ")"


def _days(first: datetime, last: datetime) -> list[date]:
    """The days from the one before ``first`` to the one after ``last``."""
    start, end = first.date() - timedelta(days=1), last.date() + timedelta(days=1)
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]
