"""Hygiene insights about where, with what and how much an account is used (cloudblame.derive.insight_hygiene):
creations in a region the account never used, a person's first call with a tool, hours without any event.
Read from the derived tables that count the events (``event_hours``: per account, region and hour, kept by
cloudblame.derive.insight_rates; ``activity``: per day, person and tool) and, for the few findings they
point at, from the events of those days, set-based. Thresholds: insight_hygiene.HygieneThresholds."""

from __future__ import annotations

from cloudblame.derive.insight_common import HUMAN_OF_EVENT, SESSION_JOIN, insight_id_sql
from cloudblame.derive.insight_hygiene import (
    SOURCE,
    THRESHOLDS,
    Findings,
    by_activity_sql,
    details_sql,
    when_sql,
)
from cloudblame.normalize.useragent import CONSOLE_BACKENDS

# --- new-region

REGION_ID = insight_id_sql("'new-region'", "{p}.account_id", "{p}.aws_region")
_WINDOW = f"INTERVAL {THRESHOLDS.region_window_hours} HOUR"


def _touched_regions_sql(f: Findings) -> str:
    """SQL: the (account, region)s whose verdict the new events can change, with the first hour the account
    used the region (``first_r``) and the first hour of the account (``first_a``), from event_hours: those
    with a new event before the end of the region's first window (a creation there, or earlier events), every
    region of an account whose first hour the new events moved, and those whose callers' human changed."""
    return f"""
WITH fresh AS (SELECT account_id, aws_region, min(date_trunc('hour', event_time)) AS hour FROM {f.rows}
               WHERE account_id IS NOT NULL AND aws_region IS NOT NULL GROUP BY ALL),
firsts AS (SELECT account_id, aws_region, min(hour) AS first_r FROM event_hours
           WHERE account_id IN (SELECT account_id FROM fresh) GROUP BY ALL),
accounts AS (SELECT account_id, min(first_r) AS first_a FROM firsts GROUP BY ALL),
moved AS (SELECT a.account_id FROM accounts a JOIN fresh n ON n.account_id = a.account_id AND n.hour <= a.first_a)
SELECT p.account_id, p.aws_region, p.first_r, a.first_a FROM firsts p JOIN accounts a USING (account_id)
WHERE p.account_id IN (SELECT account_id FROM moved)
   OR EXISTS (SELECT 1 FROM fresh n WHERE n.account_id = p.account_id AND n.aws_region = p.aws_region
              AND n.hour < p.first_r + {_WINDOW})
   OR (p.account_id, p.aws_region) IN (SELECT t.account_id, t.aws_region FROM ({f.refreshed(("new-region",))}) t)"""


def _region_creations_sql(source: str, candidates: str) -> str:
    """SQL: per candidate (account, region), the successful creations of its first window."""
    resource = ("{'type': r.resource_type, 'id': r.resource_id, 'region': e.aws_region, "
                "'usd_per_month': NULL::DOUBLE, 'why': NULL::VARCHAR}")
    return f"""
SELECT c.account_id, c.aws_region, c.first_r, c.first_a, min(e.event_time) AS first, max(e.event_time) AS last,
       count(*) AS calls, list(e.event_id ORDER BY e.event_time, e.event_id)[1:100] AS ids,
       flatten(list(list_transform(list_filter(e.resources, lambda r: r.action = 'create'), lambda r: {resource})
                    ORDER BY e.event_time, e.event_id)) AS made,
       list_sort(list_distinct(list({HUMAN_OF_EVENT}))) AS humans, {by_activity_sql("e.principal")} AS principals,
       CASE WHEN count(DISTINCT e.event_name) = 1 THEN any_value(e.event_source) END AS event_source,
       CASE WHEN count(DISTINCT e.event_name) = 1 THEN any_value(e.event_name) END AS event_name
FROM {source} e JOIN {candidates} c ON c.account_id = e.account_id AND c.aws_region = e.aws_region
     AND e.event_time >= c.first_r AND e.event_time < c.first_r + {_WINDOW}
{SESSION_JOIN}
WHERE e.error_code IS NULL AND array_length(list_filter(e.resources, lambda r: r.action = 'create')) > 0
GROUP BY c.account_id, c.aws_region, c.first_r, c.first_a"""


def _region_rows_sql(source: str, candidates: str) -> str:
    made = ("array_length(g.made) || CASE WHEN array_length(g.made) = 1 THEN ' resource' ELSE ' resources' END || ' (' || "
            "array_to_string(list_transform(g.made[1:3], lambda r: r.type || ' ' || r.id), ', ') || "
            "CASE WHEN array_length(g.made) > 3 THEN ', ...' ELSE '' END || ')'")
    reason = ("'the first creations in ' || g.aws_region || ' for account ' || g.account_id || ': it had no event "
              "there before ' || " + when_sql("g.first_r") + " || ', and the store covers it since ' || "
              + when_sql("g.first_a") + " || ' (' || date_diff('day', g.first_a, g.first_r) || ' days; "
              f"threshold {THRESHOLDS.region_covered_days})'")
    return f"""
SELECT {REGION_ID.format(p="g")} AS insight_id, 'new-region' AS kind, '{SOURCE}' AS source, 'medium' AS severity,
       g.account_id, g.aws_region, g.first AS start_time, g.last AS end_time, g.event_source, g.event_name,
       to_json(g.humans)::VARCHAR AS people,
       coalesce(array_to_string(g.humans, ', '), 'someone') || ' created ' || {made} || ' in ' || g.aws_region
           || ', a region account ' || g.account_id || ' had not used' AS summary,
       {details_sql(event_ids="g.ids", principals="g.principals", reason=reason, extra=(("resources", "g.made[1:20]"),))}
           AS details
FROM ({_region_creations_sql(source, candidates)}) g"""


def find_new_regions(f: Findings) -> None:
    """``new-region``: per account and region, the creations of the first day the account used a region, when
    the store covered the account for a week before (medium)."""
    store = f.store
    with store.temp_table(_touched_regions_sql(f)) as touched:
        if not store.scalar(f"SELECT count(*) FROM {touched}"):
            return
        f.drop(f"SELECT {REGION_ID.format(p='p')} FROM {touched} p")
        covered = f"INTERVAL {THRESHOLDS.region_covered_days} DAY"
        with store.temp_table(f"SELECT * FROM {touched} WHERE first_r >= first_a + {covered}") as candidates:
            if store.scalar(f"SELECT count(*) FROM {candidates}"):
                source = f.events_of_days(f"SELECT first_r::DATE FROM {candidates} UNION "
                                          f"SELECT (first_r + {_WINDOW})::DATE FROM {candidates}")
                f.add(_region_rows_sql(source, candidates))


# --- new-tool

# The kinds of caller that are a person (a role session, a service, an instance are not).
PERSON_KINDS = ("iam-user", "root", "sso", "identity-center", "source-identity", "saml", "federated")
# Tools that are no choice of a person: AWS-internal agents, what no rule knows, and CloudFormation's calls
# with the person's credentials (the person's tool is the one that called CreateStack: cdk, console, cli).
NOT_TOOLS = (*CONSOLE_BACKENDS, "cloudformation")
TOOL_ID = insight_id_sql("'new-tool'", "{p}.human", "{p}.tool")
_PERSONS = ", ".join(f"'{k}'" for k in PERSON_KINDS)
_NOT_TOOLS = ", ".join(f"'{t}'" for t in NOT_TOOLS)

# Per person and tool (activity: calls with each session's human), the first day, when the person was first
# seen before it by at least tool_seen_days; with what the insight says of it.
FIRST_TOOLS_SQL = f"""
WITH persons AS (SELECT human, min(first_time) AS seen FROM activity WHERE human IS NOT NULL AND kind IN ({_PERSONS})
                 GROUP BY human),
firsts AS (SELECT human, tool, min(day) AS day FROM activity
           WHERE human IS NOT NULL AND kind IN ({_PERSONS}) AND tool IS NOT NULL AND tool NOT IN ({_NOT_TOOLS}) GROUP BY ALL),
found AS (SELECT f.human, f.tool, f.day, min(a.first_time) AS first, sum(a.events)::BIGINT AS calls, any_value(p.seen) AS seen
          FROM firsts f JOIN activity a ON a.human = f.human AND a.tool = f.tool AND a.day = f.day
          JOIN persons p ON p.human = f.human GROUP BY ALL)
SELECT {TOOL_ID.format(p="n")} AS insight_id, n.*,
       n.human || ' used ' || n.tool || ' for the first time: ' || n.calls || CASE WHEN n.calls = 1 THEN ' call' ELSE ' calls' END
           || ' on ' || strftime(n.day, '%Y-%m-%d') || ', known since ' || strftime(n.seen, '%Y-%m-%d') AS summary
FROM found n WHERE n.first >= n.seen + INTERVAL {THRESHOLDS.tool_seen_days} DAY"""


def _tool_rows_sql(source: str, changed: str) -> str:
    reason = ("'the first call of ' || c.human || ' with ' || c.tool || ', ' || date_diff('day', c.seen, c.first) || "
              f"' days after the store first saw them (threshold {THRESHOLDS.tool_seen_days}): a new habit, or someone "
              "else with their credentials'")
    ids = "(list(e.event_id ORDER BY e.event_time, e.event_id) FILTER (WHERE e.event_id IS NOT NULL))[1:100]"
    return f"""
SELECT c.insight_id, 'new-tool' AS kind, '{SOURCE}' AS source, 'low' AS severity,
       CASE WHEN count(DISTINCT e.account_id) = 1 THEN any_value(e.account_id) END AS account_id,
       CASE WHEN count(DISTINCT e.aws_region) = 1 THEN any_value(e.aws_region) END AS aws_region,
       c.first AS start_time, c.first AS end_time, to_json(list_value(c.human))::VARCHAR AS people, c.summary,
       {details_sql(event_ids=ids, principals=by_activity_sql("e.principal"), reason=reason)} AS details
FROM {changed} c LEFT JOIN {source} e ON coalesce(e.resolved_human, e.actor) = c.human AND e.tool = c.tool
     AND e.event_time::DATE = c.day
GROUP BY c.insight_id, c.first, c.human, c.tool, c.seen, c.summary"""


def find_new_tools(f: Findings) -> None:
    """``new-tool``: one insight per person and tool, at the person's first call with it (low). Computed from
    activity (small: per day, person and tool) whole, so a session resolved later moves it; only the rows
    that changed, or whose day has new events, are read from the events again."""
    store = f.store
    with store.temp_table(FIRST_TOOLS_SQL) as computed:
        fresh_days = "true" if f.everything else f"c.day IN (SELECT DISTINCT event_time::DATE FROM {f.rows})"
        same = ("EXISTS (SELECT 1 FROM insights t WHERE t.source = 'cloudblame' AND t.kind = 'new-tool' "
                "AND t.insight_id = c.insight_id AND t.start_time = c.first AND t.summary = c.summary)")
        with store.temp_table(f"SELECT * FROM {computed} c WHERE NOT {same} OR {fresh_days}") as changed:
            f.drop(f"SELECT t.insight_id FROM insights t WHERE t.source = '{SOURCE}' AND t.kind = 'new-tool' "
                   f"AND t.insight_id NOT IN (SELECT insight_id FROM {computed})")
            if store.scalar(f"SELECT count(*) FROM {changed}"):
                source = f.events_of_days(f"SELECT DISTINCT day FROM {changed}", resolved=True)
                f.add(_tool_rows_sql(source, changed))


# --- logging-gap

GAP_ID = insight_id_sql("'logging-gap'", "{p}.account_id", "strftime({p}.start_time, '%Y-%m-%d') || 'T' || strftime({p}.start_time, '%H')")


def _gaps_sql(f: Findings) -> str:
    """SQL: the gaps (gap_hours or more without any event, events on both sides) of the accounts with new
    events that the new events can change: those from a day before the first new hour to a baseline's length
    after the last (every gap of an account whose first hour moved), with their baseline (_GAP_STATS_SQL)."""
    t = THRESHOLDS
    return f"""
WITH fresh AS (SELECT account_id, min(date_trunc('hour', event_time)) AS lo, max(date_trunc('hour', event_time)) AS hi
               FROM {f.rows} WHERE account_id IS NOT NULL GROUP BY ALL),
hours AS (SELECT account_id, hour, sum(events) AS n FROM event_hours WHERE account_id IN (SELECT account_id FROM fresh)
          GROUP BY ALL HAVING sum(events) > 0),
firsts AS (SELECT account_id, min(hour) AS first_a FROM hours GROUP BY ALL),
gaps AS (SELECT account_id, hour + INTERVAL 1 HOUR AS start_time, next AS end_time,
                date_diff('hour', hour, next) - 1 AS gap_hours
         FROM (SELECT account_id, hour, lead(hour) OVER (PARTITION BY account_id ORDER BY hour) AS next FROM hours)
         WHERE date_diff('hour', hour, next) - 1 >= {t.gap_hours}),
affected AS (SELECT g.*, a.first_a, least(g.gap_hours, 24) AS window_hours FROM gaps g JOIN fresh n USING (account_id)
             JOIN firsts a USING (account_id) WHERE n.lo <= a.first_a OR ({_GAP_AFFECTED.format(g="g", lo="n.lo", hi="n.hi")})),
{_GAP_STATS_SQL}"""


# A gap whose verdict new hours [lo, hi] can change: one they fall in or border, whose baseline (the days before
# it) or whose resumption (the window after it) they fall in.
_GAP_AFFECTED = (f"{{g}}.end_time + INTERVAL 24 HOUR > {{lo}} "
                 f"AND {{g}}.start_time <= {{hi}} + INTERVAL {THRESHOLDS.gap_days} DAY + INTERVAL 1 HOUR")
# Per affected gap: on each of the gap_days days before, the events in the same hours (window_hours: the gap's
# length, a day at most), how many days had any, their mean per hour; and the events of the window after it.
_GAP_STATS_SQL = f"""
days AS (SELECT g.account_id, g.start_time, d.d, coalesce(sum(h.n), 0) AS n
         FROM affected g CROSS JOIN (SELECT unnest({list(range(1, THRESHOLDS.gap_days + 1))}) AS d) d
         LEFT JOIN hours h ON h.account_id = g.account_id AND h.hour >= g.start_time - to_days(d.d::INTEGER)
              AND h.hour < g.start_time - to_days(d.d::INTEGER) + to_hours(g.window_hours)
         GROUP BY ALL),
after AS (SELECT g.account_id, g.start_time, coalesce(sum(h.n), 0) AS resumed FROM affected g
          LEFT JOIN hours h ON h.account_id = g.account_id AND h.hour >= g.end_time
               AND h.hour < g.end_time + to_hours(g.window_hours)
          GROUP BY ALL)
SELECT s.*, s.total / ({THRESHOLDS.gap_days} * s.window_hours) AS rate, a.resumed
FROM (SELECT g.*, count(*) FILTER (WHERE b.n > 0) AS busy_days, sum(b.n) AS total
      FROM affected g JOIN days b USING (account_id, start_time) GROUP BY ALL) s
JOIN after a USING (account_id, start_time)"""


def _gap_rows_sql(gaps: str) -> str:
    t = THRESHOLDS
    rate = "round(g.rate, 1)"
    reason = (f"g.gap_hours || ' hours without a single event, while each of the {t.gap_days} days before had events "
              f"at those hours, ' || {rate} || ' an hour on average, and traffic came back after it (thresholds: "
              f"{t.gap_hours} hours, {t.gap_rate:g} an hour): the trail may have been stopped, or its delivery lost'")
    return f"""
SELECT {GAP_ID.format(p="g")} AS insight_id, 'logging-gap' AS kind, '{SOURCE}' AS source, 'medium' AS severity,
       g.account_id, NULL AS aws_region, g.start_time, g.end_time, '[]' AS people,
       'no events from account ' || g.account_id || ' for ' || g.gap_hours || ' hours (' || {when_sql("g.start_time")}
           || ' to ' || {when_sql("g.end_time")} || '), where the days before had ' || {rate} || ' an hour' AS summary,
       g.rate / 60 AS baseline, 0.0 AS value, g.gap_hours * 60 AS duration_minutes,
       {details_sql(reason=reason)} AS details
FROM {gaps} g
WHERE g.busy_days = {t.gap_days} AND g.rate >= {t.gap_rate} AND g.first_a <= g.start_time - INTERVAL {t.gap_days} DAY
  AND g.resumed >= {t.gap_resumed} * g.total / {t.gap_days}"""


def find_logging_gaps(f: Findings) -> None:
    """``logging-gap``: per account, a span of hours without any event that its usual traffic at those hours
    makes improbable (medium); end: when events resumed."""
    store = f.store
    with store.temp_table(_gaps_sql(f)) as gaps:
        fresh = (f"SELECT account_id, date_trunc('hour', min(event_time)) AS lo, date_trunc('hour', max(event_time)) "
                 f"AS hi FROM {f.rows} GROUP BY account_id")
        window = (f"EXISTS (SELECT 1 FROM ({fresh}) n WHERE n.account_id = t.account_id "
                  f"AND {_GAP_AFFECTED.format(g='t', lo='n.lo', hi='n.hi')})")
        f.drop(f"SELECT {GAP_ID.format(p='g')} FROM {gaps} g UNION SELECT t.insight_id FROM insights t "
               f"WHERE t.source = '{SOURCE}' AND t.kind = 'logging-gap' AND {window}")
        f.add(_gap_rows_sql(gaps))
