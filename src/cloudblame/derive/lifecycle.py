"""The resources table: one row per resource (type, id, account), from its event_resources rows.

A resource exists only once a successful call proved it (a successful create, or any successful call
naming it): one named only in failed calls (a denied create, a DescribeCluster of a cluster that is not
there) is kept as an attempt, never alive. For each resource: where it lives, its ARN and name, the current incarnation's creation (time, event,
human, tool) - the first successful create after the last successful delete that preceded the latest
create, as `blame` computes it - its deletion, its last activity, and how many events touched it.
Resources whose creation predates the data are kept with ``creator_known = false`` (first seen only).
A publish computes again only the resources the new events touched and those whose calls' sessions now
resolve to someone else; resource_keys gains the new spellings (id, ARN, names) of what was touched.
Ties in time are broken by event id, so the same events give the same answer in any order.
"""

from __future__ import annotations

import pyarrow as pa

from cloudblame.derive.work import Work
from cloudblame.store.tables import RESOURCE_KEY, RESOURCE_KEYS, RESOURCES, console_join, same_resource, session_tool

_ORDER = "(event_time, event_id)"  # ties in time broken by event id

# The resources the new events touched (and whether those rows alone bring them up to date: see FOLDED_SQL),
# and those touched by a session whose human changed ({changed}).
# Every resource (a store whose resources an older cloudblame derived: see tables.DERIVED_AGAIN_BELOW).
EVERY_RESOURCE_SQL = """
SELECT DISTINCT resource_type, resource_id, account_id FROM event_resources
WHERE resource_type IS NOT NULL AND resource_type <> ''"""
AFFECTED_SQL = """
SELECT DISTINCT resource_type, resource_id, account_id FROM new_links
WHERE resource_type IS NOT NULL AND resource_type <> ''
UNION
SELECT DISTINCT r.resource_type, r.resource_id, r.account_id FROM event_resources r
SEMI JOIN {changed} c ON c.access_key_id = r.access_key_id AND c.principal = r.principal
WHERE r.resource_type IS NOT NULL AND r.resource_type <> ''"""

# The rows of the resources the new events only touched later than everything stored of them, without a
# create or delete, through sessions whose human did not change ({changed}): their lifecycle stands, and
# their activity is the stored row's folded with the new rows' (a key or role referenced by millions of
# calls is not summed again from all of them). The others are computed again from all their rows.
FOLDED_SQL = f"""
WITH new AS (
    SELECT r.resource_type, r.resource_id, r.account_id, r.arn, r.name, r.action, r.failed, r.event_time,
           r.event_id, r.event_name, coalesce(sa.human, r.actor) AS actor
    FROM new_links r LEFT JOIN session_actors sa ON sa.access_key_id = r.access_key_id AND sa.principal = r.principal
    WHERE r.resource_type IS NOT NULL AND r.resource_type <> ''
), p AS (
    SELECT resource_type, resource_id, account_id, min(event_time) AS first_new, count(*) AS n,
           bool_or(action IN ('create', 'delete')) AS lifecycle, max(event_time) AS last_time,
           arg_max(event_name, {_ORDER}) AS last_event, arg_max(actor, {_ORDER}) AS last_actor,
           arg_max(actor, {_ORDER}) FILTER (WHERE action IN ('create', 'modify') AND NOT failed) AS last_modifier,
           max(arn) AS arn, arg_min(name, {_ORDER}) FILTER (WHERE name IS NOT NULL) AS name,
           bool_or(NOT failed) AS proven
    FROM new GROUP BY ALL
)
SELECT r.resource_type, r.resource_id, r.account_id, r.region, greatest(r.arn, p.arn) AS arn,
       coalesce(r.name, p.name) AS name, r.first_seen, r.created_time, r.created_event_id, r.created_by,
       r.created_tool, r.creator_known, r.deleted_time, r.deleted_event_id, r.deleted_by, p.last_time,
       p.last_event, p.last_actor, coalesce(p.last_modifier, r.last_modifier) AS last_modifier,
       r.events + p.n AS events, r.alive OR (p.proven AND r.deleted_event_id IS NULL) AS alive
FROM p JOIN resources r ON {same_resource('p', 'r')}
WHERE NOT p.lifecycle AND p.first_new > r.last_time AND NOT EXISTS (
    SELECT 1 FROM event_resources x SEMI JOIN {{changed}} c ON c.access_key_id = x.access_key_id AND c.principal = x.principal
    WHERE x.resource_id = p.resource_id AND x.resource_type = p.resource_type
      AND x.account_id IS NOT DISTINCT FROM p.account_id)"""

RESOURCES_SQL = f"""
WITH touch AS (
    SELECT r.resource_type, r.resource_id, r.account_id, r.aws_region, r.arn, r.name, r.action, r.failed,
           r.event_time, r.event_id, r.event_name, coalesce(sa.human, r.actor) AS actor, {session_tool('r', 'cs')} AS tool
    FROM event_resources r
    SEMI JOIN {{affected}} a ON a.resource_id = r.resource_id AND a.resource_type = r.resource_type
                             AND a.account_id IS NOT DISTINCT FROM r.account_id
    LEFT JOIN session_actors sa ON sa.access_key_id = r.access_key_id AND sa.principal = r.principal
    {console_join('r', 'cs')}
), ok AS (SELECT * FROM touch WHERE NOT failed),
last_create AS (SELECT resource_type, resource_id, account_id, max({_ORDER}) AS t FROM ok
                WHERE action = 'create' GROUP BY ALL),
delete_before AS (SELECT o.resource_type, o.resource_id, o.account_id, max(({_ORDER.replace('(', '(o.').replace(', ', ', o.')})) AS t
                  FROM ok o JOIN last_create c USING (resource_type, resource_id, account_id)
                  WHERE o.action = 'delete' AND (o.event_time, o.event_id) < c.t GROUP BY ALL),
created AS (
    SELECT o.resource_type, o.resource_id, o.account_id,
           arg_min(o.event_time, (o.event_time, o.event_id)) AS event_time,
           arg_min(o.event_id, (o.event_time, o.event_id)) AS event_id,
           arg_min(o.actor, (o.event_time, o.event_id)) AS actor, arg_min(o.tool, (o.event_time, o.event_id)) AS tool
    FROM ok o JOIN last_create c USING (resource_type, resource_id, account_id)
    LEFT JOIN delete_before d USING (resource_type, resource_id, account_id)
    WHERE o.action = 'create' AND (d.t IS NULL OR (o.event_time, o.event_id) > d.t)
    GROUP BY ALL
), deleted AS (
    SELECT k.resource_type, k.resource_id, k.account_id, arg_min(k.event_id, (k.event_time, k.event_id)) AS event_id,
           min(k.event_time) AS event_time, arg_min(k.actor, (k.event_time, k.event_id)) AS actor
    FROM ok k LEFT JOIN created c USING (resource_type, resource_id, account_id)
    WHERE k.action = 'delete' AND (c.event_id IS NULL OR (k.event_time, k.event_id) >= (c.event_time, c.event_id))
    GROUP BY ALL
), summary AS (
    SELECT resource_type, resource_id, account_id,
           arg_min(aws_region, {_ORDER}) AS region,
           max(arn) AS arn,
           arg_min(name, ((action = 'create') = false, event_time, event_id)) FILTER (WHERE name IS NOT NULL) AS name,
           min(event_time) AS first_seen, max(event_time) AS last_time,
           arg_max(event_name, {_ORDER}) AS last_event, arg_max(actor, {_ORDER}) AS last_actor,
           arg_max(actor, {_ORDER}) FILTER (WHERE action IN ('create', 'modify') AND NOT failed) AS last_modifier,
           count(*) AS events, bool_or(NOT failed) AS proven
    FROM touch GROUP BY ALL
)
SELECT s.resource_type, s.resource_id, s.account_id, s.region, s.arn, s.name, s.first_seen,
       c.event_time AS created_time, c.event_id AS created_event_id, c.actor AS created_by, c.tool AS created_tool,
       c.event_id IS NOT NULL AS creator_known,
       d.event_time AS deleted_time, d.event_id AS deleted_event_id, d.actor AS deleted_by,
       s.last_time, s.last_event, s.last_actor, s.last_modifier, s.events, d.event_id IS NULL AND s.proven AS alive
FROM summary s
LEFT JOIN created c USING (resource_type, resource_id, account_id)
LEFT JOIN deleted d USING (resource_type, resource_id, account_id)"""

NEW_KEYS_SQL = """
WITH spellings AS (SELECT DISTINCT resource_type, resource_id, account_id, arn, name FROM new_links),
keys AS (SELECT DISTINCT unnest([lower(resource_id), lower(arn), lower(name)]) AS key,
                resource_type, resource_id, account_id FROM spellings)
SELECT k.key, k.resource_type, k.resource_id, k.account_id FROM keys k
WHERE k.key IS NOT NULL AND NOT EXISTS (
    SELECT 1 FROM resource_keys o WHERE o.key = k.key AND o.resource_id = k.resource_id
    AND o.resource_type IS NOT DISTINCT FROM k.resource_type AND o.account_id IS NOT DISTINCT FROM k.account_id)"""


def update_resources(work: Work, changed_sessions: pa.Table, *, everything: bool = False) -> pa.Table:
    """Compute again the resources the new events (or changed sessions) touched (with ``everything``,
    every resource); returns their keys."""
    store = work.store
    with store.registered(changed_sessions) as changed:
        affected = store.arrow(EVERY_RESOURCE_SQL if everything else AFFECTED_SQL.format(changed=changed))
        with store.temp_table(FOLDED_SQL.format(changed=changed)) as folded:
            recount = f"SELECT a.* FROM {{affected}} a ANTI JOIN {folded} p ON {same_resource('p', 'a')}"
            with store.registered(affected) as name, store.temp_table(recount.format(affected=name)) as full, \
                    store.temp_table(f"SELECT * FROM {folded} UNION ALL BY NAME "
                                     f"SELECT * FROM ({RESOURCES_SQL.format(affected=full)})") as rows:
                if store.scalar(f"SELECT count(*) FROM {rows}"):
                    work.upsert(RESOURCES, rows, RESOURCE_KEY)
    work.append_sql(RESOURCE_KEYS, NEW_KEYS_SQL)
    return affected
