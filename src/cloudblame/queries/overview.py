"""overview: the account at a glance: the span of the data, events per day by tool and by person,
creations per day, and what the alive resources cost per owner."""

from __future__ import annotations

from cloudblame.queries.inventory import inventory
from cloudblame.queries.shapes import RESOLVED_ACTOR_SQL, RESOLVED_KIND_SQL
from cloudblame.store.db import Store
from cloudblame.timeutil import iso_z

# A person is anyone resolved behind calls but an AWS service acting on its own.
PERSON_KIND_SQL = f"{RESOLVED_KIND_SQL} IS DISTINCT FROM 'service'"


def per_day(store: Store, key_sql: str, *, source: str = "events e", where: str = "", params: dict | None = None,
            top: int = 8) -> list[dict]:
    """Events per UTC day and key (``key_sql``, an expression over ``source``, events aliased ``e``): the
    ``top`` keys with the most events, the rest summed as ``other``. Rows ``{"day", "key", "events"}``."""
    # counted per day and key first (a date cast, not a string per event), then the top keys picked
    return store.query(
        f"""WITH t AS (SELECT e.event_time::DATE AS day, coalesce({key_sql}, 'unknown') AS key, count(*) AS n
                       FROM {source} {where} GROUP BY ALL),
                 top_keys AS (SELECT key FROM t GROUP BY key ORDER BY sum(n) DESC, key LIMIT $top)
            SELECT strftime(day, '%Y-%m-%d') AS day,
                   CASE WHEN key IN (SELECT key FROM top_keys) THEN key ELSE 'other' END AS key, sum(n)::BIGINT AS events
            FROM t GROUP BY ALL ORDER BY day, key""",
        {**(params or {}), "top": top})


def creations_per_day(store: Store, *, top: int = 8) -> list[dict]:
    """Resources created per UTC day by the tool that created them: ``{"day", "key", "resources"}``."""
    return store.query(
        """WITH t AS (SELECT r.event_time::DATE AS day, coalesce(e.tool, 'unknown') AS key, count(*) AS n
                      FROM event_resources r JOIN events e ON e.event_id = r.event_id AND e.event_time = r.event_time
                      WHERE r.action = 'create' AND NOT r.failed GROUP BY ALL),
                top_keys AS (SELECT key FROM t GROUP BY key ORDER BY sum(n) DESC, key LIMIT $top)
           SELECT strftime(day, '%Y-%m-%d') AS day,
                  CASE WHEN key IN (SELECT key FROM top_keys) THEN key ELSE 'other' END AS key, sum(n)::BIGINT AS resources
           FROM t GROUP BY ALL ORDER BY day, key""",
        {"top": top})


def span(store: Store) -> dict:
    """How much the store holds and the time it covers."""
    row = store.query(
        f"""SELECT min(e.event_time) AS first, max(e.event_time) AS last, count(*) AS events,
                   count(DISTINCT {RESOLVED_ACTOR_SQL}) FILTER (WHERE {PERSON_KIND_SQL}) AS people
            FROM events e""")[0]
    resources = store.query("SELECT count(*) AS known, count(*) FILTER (WHERE alive) AS alive FROM resources")[0]
    return {"first": iso_z(row["first"]), "last": iso_z(row["last"]), "events": row["events"],
            "people": row["people"], "resources": resources["known"], "alive": resources["alive"]}


def overview(store: Store, *, top: int = 8) -> dict:
    """The home page's numbers: span, events per day by tool and by person (AWS services acting on
    their own left out), creations per day by tool, and the alive resources' monthly cost per owner."""
    alive = inventory(store, by="owner", limit=0)
    return {
        "span": span(store),
        "events_per_day_by_tool": per_day(store, "e.tool", top=top),
        "events_per_day_by_person": per_day(store, RESOLVED_ACTOR_SQL, where=f"WHERE {PERSON_KIND_SQL}", top=top),
        "creations_per_day": creations_per_day(store, top=top),
        "cost_by_owner": alive["groups"],
        "total_usd_per_month": alive["total_usd_per_month"],
    }
