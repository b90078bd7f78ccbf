"""Who called, when, with what: the tables the home page, the people pages and `events --username` read.

``calls`` counts calls (and the resources they created) per UTC day, session, user name and tool, whoever
the sessions turn out to be: a publish adds the new events' counts to the days they fall on (CloudTrail
Insights records, ``event_category`` 'Insight', are no calls and are left out). ``activity``
(per day, person and tool) and ``identity_names`` (every name a caller goes by, with the span of its calls)
are ``calls`` with each session's resolved human: computed again from those two derived tables, never
from the events.
"""

from __future__ import annotations

from cloudblame.derive.work import Work
from cloudblame.store.tables import ACTIVITY, CALLS, IDENTITY_NAMES, console_join, session_tool

_CALL_KEYS = "day, access_key_id, principal, actor, actor_kind, user_name, tool"
NEW_CALLS_SQL = """
SELECT event_time::DATE AS day, access_key_id, principal, actor, actor_kind, user_name, tool,
       count(*) AS events, count(*) FILTER (WHERE NOT coalesce(read_only, false)) AS writes,
       count(*) FILTER (WHERE error_code IS NOT NULL) AS errors,
       min(event_time) AS first_time, max(event_time) AS last_time,
       coalesce(sum(array_length(list_filter(resources, lambda r: r.action = 'create'))) FILTER (WHERE error_code IS NULL), 0) AS created
FROM new_events WHERE event_category IS DISTINCT FROM 'Insight' GROUP BY ALL"""

# The rows of the days the new calls fall on: what calls holds for them plus the new counts.
DAYS_SQL = f"""
SELECT {_CALL_KEYS}, sum(events) AS events, sum(writes) AS writes, sum(errors) AS errors,
       min(first_time) AS first_time, max(last_time) AS last_time, sum(created) AS created
FROM (SELECT * FROM calls WHERE day IN (SELECT DISTINCT day FROM {{fresh}}) UNION ALL BY NAME SELECT * FROM {{fresh}})
GROUP BY ALL"""

# The human (and kind) behind the calls of ``c`` (calls), through the session's resolution.
HUMAN_SQL = "coalesce(sa.human, c.actor)"
KIND_SQL = "coalesce(sa.kind, c.actor_kind)"
RESOLVED_CALLS = ("calls c LEFT JOIN session_actors sa ON sa.access_key_id = c.access_key_id AND sa.principal = c.principal "
                  + console_join("c", "cs"))

ACTIVITY_SQL = f"""
SELECT day, {HUMAN_SQL} AS human, {KIND_SQL} AS kind, {session_tool("c", "cs")} AS tool, sum(c.events) AS events, sum(c.writes) AS writes,
       sum(c.errors) AS errors, min(c.first_time) AS first_time, max(c.last_time) AS last_time,
       sum(c.created) AS created
FROM {RESOLVED_CALLS} GROUP BY ALL"""

IDENTITY_NAMES_SQL = f"""
SELECT {HUMAN_SQL} AS name, 'actor' AS role, min(c.first_time) AS first_time, max(c.last_time) AS last_time,
       sum(c.events) AS events, count(DISTINCT c.access_key_id) AS access_keys
FROM {RESOLVED_CALLS} WHERE {HUMAN_SQL} IS NOT NULL GROUP BY ALL
UNION ALL
SELECT user_name, 'user_name', min(first_time), max(last_time), sum(events), NULL FROM calls
WHERE user_name IS NOT NULL GROUP BY ALL"""


def update_activity(work: Work, *, sessions_changed: bool) -> None:
    """Add the new events to calls; compute activity and identity_names again when anything changed."""
    store = work.store
    with store.temp_table(NEW_CALLS_SQL) as fresh:
        new_calls = store.scalar(f"SELECT count(*) FROM {fresh}")
        if new_calls:
            with store.temp_table(DAYS_SQL.format(fresh=fresh)) as rows:
                work.rewrite(CALLS, keep=f"t.day NOT IN (SELECT day FROM {fresh})", add=f"SELECT * FROM {rows}")
    if new_calls or sessions_changed:
        work.replace_all(ACTIVITY, ACTIVITY_SQL)
        work.replace_all(IDENTITY_NAMES, IDENTITY_NAMES_SQL)
