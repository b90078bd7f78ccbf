"""The resources table: one row per resource (type, id, account) derived from the events, set-based.

For each resource: where it lives, its ARN and name, the current incarnation's creation (time, event,
human, tool) — the first successful create after the last successful delete that preceded the latest
create, as `blame` computes it — its deletion, its last activity, and how many events touched it.
Resources whose creation predates the data are kept with ``creator_known = false`` (first seen only).
Also rebuilt with it: resource_keys (every spelling of a resource), identity_names (every name a
caller goes by, with its first and last call) and activity (calls and creations per day, person and
tool). Rebuilt after every ingest that adds events.
"""

from __future__ import annotations

import duckdb
import orjson
import pyarrow as pa

from cloudblame.normalize.record import resource_rows
from cloudblame.store.identity import RESOLVED_ACTOR_SQL, RESOLVED_KIND_SQL

# The activity table's rows (store/schema.py ACTIVITY): also what queries read, as a subquery, when the
# table is behind the events (queries/overview.py activity_source).
ACTIVITY_SQL = f"""
SELECT day, human, kind, tool, sum(events)::BIGINT AS events, sum(writes)::BIGINT AS writes,
       sum(errors)::BIGINT AS errors, min(first_time) AS first_time, max(last_time) AS last_time,
       sum(created)::BIGINT AS created
FROM (
    SELECT e.event_time::DATE AS day, {RESOLVED_ACTOR_SQL} AS human, {RESOLVED_KIND_SQL} AS kind, e.tool AS tool,
           count(*) AS events, count(*) FILTER (WHERE NOT coalesce(e.read_only, false)) AS writes,
           count(*) FILTER (WHERE e.error_code IS NOT NULL) AS errors,
           min(e.event_time) AS first_time, max(e.event_time) AS last_time, 0::BIGINT AS created
    FROM events e GROUP BY ALL
    UNION ALL
    SELECT r.event_time::DATE, {RESOLVED_ACTOR_SQL}, {RESOLVED_KIND_SQL}, e.tool, 0, 0, 0, NULL, NULL, count(*)
    FROM event_resources r JOIN events e ON e.event_id = r.event_id AND e.event_time = r.event_time
    WHERE r.action = 'create' AND NOT r.failed GROUP BY ALL
) GROUP BY ALL"""

# identity_names' rows for the human (or service) behind the calls, with how many access keys their calls
# used: also what queries read while that table is behind the events.
ACTOR_NAMES_SQL = f"""
SELECT {RESOLVED_ACTOR_SQL} AS name, 'actor' AS role, min(e.event_time) AS first_time, max(e.event_time) AS last_time,
       count(*) AS events, count(DISTINCT e.access_key_id) AS access_keys FROM events e
WHERE {RESOLVED_ACTOR_SQL} IS NOT NULL GROUP BY ALL"""

_REBUILD = f"""
CREATE OR REPLACE TEMP TABLE _touch AS
SELECT r.resource_type, r.resource_id, r.account_id, r.aws_region, r.arn, r.name, r.action, r.failed,
       r.event_time, r.event_id, r.event_name, {RESOLVED_ACTOR_SQL} AS actor, e.tool
FROM event_resources r JOIN events e ON e.event_id = r.event_id AND e.event_time = r.event_time
WHERE r.resource_type IS NOT NULL AND r.resource_type <> '';

CREATE OR REPLACE TEMP TABLE _bounds AS
WITH ok AS (SELECT * FROM _touch WHERE NOT failed),
last_create AS (SELECT resource_type, resource_id, account_id, max(event_time) AS t FROM ok
                WHERE action = 'create' GROUP BY ALL),
delete_before AS (SELECT o.resource_type, o.resource_id, o.account_id, max(o.event_time) AS t
                  FROM ok o JOIN last_create c USING (resource_type, resource_id, account_id)
                  WHERE o.action = 'delete' AND o.event_time < c.t GROUP BY ALL)
SELECT c.resource_type, c.resource_id, c.account_id,
       (SELECT arg_min(o.event_id, o.event_time) FROM ok o
        WHERE o.resource_type = c.resource_type AND o.resource_id = c.resource_id
          AND o.account_id IS NOT DISTINCT FROM c.account_id AND o.action = 'create'
          AND o.event_time > coalesce(d.t, '0001-01-01'::TIMESTAMP)) AS created_event_id
FROM last_create c LEFT JOIN delete_before d USING (resource_type, resource_id, account_id);

DELETE FROM resources;
INSERT INTO resources
WITH keyed AS (
    SELECT t.*, b.created_event_id FROM _touch t
    LEFT JOIN _bounds b ON b.resource_type = t.resource_type AND b.resource_id = t.resource_id
                        AND b.account_id IS NOT DISTINCT FROM t.account_id
), created AS (
    SELECT resource_type, resource_id, account_id, event_time, event_id, actor, tool, event_name
    FROM keyed WHERE event_id = created_event_id
), deleted AS (
    SELECT k.resource_type, k.resource_id, k.account_id, arg_min(k.event_id, k.event_time) AS event_id,
           min(k.event_time) AS event_time, arg_min(k.actor, k.event_time) AS actor
    FROM keyed k LEFT JOIN created c USING (resource_type, resource_id, account_id)
    WHERE k.action = 'delete' AND NOT k.failed AND k.event_time >= coalesce(c.event_time, '0001-01-01'::TIMESTAMP)
    GROUP BY ALL
), summary AS (
    SELECT resource_type, resource_id, account_id,
           any_value(aws_region ORDER BY event_time) AS region,
           max(arn) AS arn, any_value(name ORDER BY (action = 'create') DESC, event_time) FILTER (WHERE name IS NOT NULL) AS name,
           min(event_time) AS first_seen, max(event_time) AS last_time,
           arg_max(event_name, event_time) AS last_event, arg_max(actor, event_time) AS last_actor,
           arg_max(event_name, event_time) FILTER (WHERE action IN ('create', 'modify') AND NOT failed) AS last_change,
           arg_max(actor, event_time) FILTER (WHERE action IN ('create', 'modify') AND NOT failed) AS last_modifier,
           count(*) AS events
    FROM keyed GROUP BY ALL
)
SELECT s.resource_type, s.resource_id, s.account_id, s.region, s.arn, s.name, s.first_seen,
       c.event_time, c.event_id, c.actor, c.tool, c.event_id IS NOT NULL,
       d.event_time, d.event_id, d.actor,
       s.last_time, s.last_event, s.last_actor, s.last_modifier, s.events, d.event_id IS NULL
FROM summary s
LEFT JOIN created c USING (resource_type, resource_id, account_id)
LEFT JOIN deleted d USING (resource_type, resource_id, account_id)
ORDER BY s.resource_id, s.resource_type, s.account_id;

DROP TABLE _touch; DROP TABLE _bounds;

DELETE FROM resource_keys;
INSERT INTO resource_keys
WITH spellings AS (SELECT DISTINCT resource_type, resource_id, account_id, arn, name FROM event_resources),
keys AS (SELECT DISTINCT unnest([lower(resource_id), lower(arn), lower(name)]) AS key,
                resource_type, resource_id, account_id FROM spellings)
SELECT key, resource_type, resource_id, account_id FROM keys WHERE key IS NOT NULL ORDER BY key;

DELETE FROM identity_names;
INSERT INTO identity_names
{ACTOR_NAMES_SQL}
UNION ALL
SELECT e.user_name, 'user_name', min(e.event_time), max(e.event_time), count(*), NULL FROM events e
WHERE e.user_name IS NOT NULL GROUP BY ALL ORDER BY 1, 2;

DELETE FROM activity;
INSERT INTO activity {ACTIVITY_SQL} ORDER BY day, human, tool;

INSERT OR REPLACE INTO meta SELECT 'derived_from_events', count(*)::VARCHAR FROM events;
"""

# event_resources rows are appended in delivery order; a copy sorted by resource_id lets a resource's
# rows be read from one or two row groups (min/max zone maps) instead of a scan of millions. The store
# is re-sorted when more than this share of its rows arrived since the last sort.
UNSORTED_SHARE = 0.10

RESORTING = "event_resources_resorting"  # meta key: set while a re-sort has the rows out of the table


def rebuild_resources(store) -> int:
    """Recompute the resources table from the events; returns how many resources are alive."""
    if _resorting(store):
        restore_event_resources(store)
    if cluster_event_resources(store):  # first: the tables rebuilt next reuse the blocks it frees
        _checkpoint(store)
    store.run_script(_REBUILD)
    return store.scalar("SELECT count(*) FROM resources WHERE alive")


def _checkpoint(store) -> bool:
    """Write the WAL into the file and free deleted rows' blocks for reuse; False when another
    connection is mid-transaction (the next checkpoint frees them)."""
    try:
        store.execute("CHECKPOINT")
        return True
    except duckdb.Error:
        return False


def derived_tables_stale(store) -> bool:
    """True when events were written since the derived tables were last rebuilt (an ingest that stopped
    between its last write and its rebuild): the next ingest rebuilds them even with nothing new."""
    built = store.scalar("SELECT value FROM meta WHERE key = 'derived_from_events'")
    return built != str(store.scalar("SELECT count(*) FROM events")) or _resorting(store)


def _resorting(store) -> bool:
    """A re-sort stopped between its two steps: event_resources lacks rows until it is restored."""
    return store.scalar("SELECT value FROM meta WHERE key = ?", [RESORTING]) is not None


def cluster_event_resources(store, *, unsorted_share: float = UNSORTED_SHARE) -> bool:
    """Re-sort event_resources by resource_id when enough rows arrived unsorted; True when it did.

    In two steps with a checkpoint between them, so the sorted rows reuse the blocks the old ones
    held and the file does not grow by the table's size (in one transaction it did: DuckDB frees
    blocks only at a checkpoint). Between the steps the rows live in a temporary table, and meta says
    so: an ingest stopped there is repaired by the next one (restore_event_resources)."""
    total = store.scalar("SELECT count(*) FROM event_resources")
    sorted_rows = int(store.scalar("SELECT value FROM meta WHERE key = 'event_resources_sorted'") or 0)
    if total == 0 or total - sorted_rows <= unsorted_share * total:
        return False
    store.execute("CREATE OR REPLACE TEMP TABLE _sorted AS SELECT * FROM event_resources ORDER BY resource_id, event_time")
    with store.transaction():
        store.execute("DELETE FROM event_resources")
        store.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [RESORTING, str(total)])
    _checkpoint(store)
    with store.transaction():
        store.execute("INSERT INTO event_resources SELECT * FROM _sorted")
        store.execute("DELETE FROM meta WHERE key = ?", [RESORTING])
        store.execute("INSERT OR REPLACE INTO meta VALUES ('event_resources_sorted', ?)", [str(total)])
    store.execute("DROP TABLE _sorted")
    return True


def restore_event_resources(store, *, chunk: int = 20_000) -> int:
    """event_resources derived again from every event's raw record, by the function ingest uses (after
    an ingest stopped mid re-sort, the one moment the table does not hold them); returns the rows."""
    store.execute("CREATE OR REPLACE TEMP TABLE _restored AS SELECT * FROM event_resources LIMIT 0")
    restored = 0
    with store.reader() as reader:  # a second cursor streams the events while this one inserts
        batches = reader.conn.sql(
            "SELECT event_id, event_time, event_source, event_name, account_id, aws_region, error_code, raw "
            "FROM events").to_arrow_reader(chunk)
        for batch in batches:
            rows = [row for event in batch.to_pylist() for row in resource_rows(event, orjson.loads(event["raw"]))]
            if rows:
                store.insert("_restored", pa.Table.from_pylist(rows))
                restored += len(rows)
    with store.transaction():
        store.execute("DELETE FROM event_resources")
        store.execute("INSERT INTO event_resources SELECT * FROM _restored ORDER BY resource_id, event_time")
        store.execute("DELETE FROM meta WHERE key = ?", [RESORTING])
        store.execute("INSERT OR REPLACE INTO meta VALUES ('event_resources_sorted', ?)", [str(restored)])
    store.execute("DROP TABLE _restored")
    return restored
