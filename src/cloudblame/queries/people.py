"""people: everyone the store resolves behind calls (the index), and one person's profile: who they
are (the ``who`` shape), what they own that is still alive and its cost, their activity per day and
the tools they use."""

from __future__ import annotations

from cloudblame.queries.inventory import inventory
from cloudblame.queries.overview import PERSON_KIND_SQL, per_day
from cloudblame.queries.shapes import RESOLVED_ACTOR_SQL, RESOLVED_KIND_SQL
from cloudblame.queries.who import identity_events, who_in
from cloudblame.store.db import Store
from cloudblame.timeutil import iso_z


def people(store: Store, *, services: bool = False) -> list[dict]:
    """One row per person (with ``services``, AWS services acting on their own too), most active first:
    events, writes, errors, first and last call, tools, access keys, resources created, and the alive
    resources they own with their monthly cost."""
    where = "" if services else f"AND {PERSON_KIND_SQL}"
    rows = store.query(
        f"""SELECT {RESOLVED_ACTOR_SQL} AS human, mode({RESOLVED_KIND_SQL}) AS kind, count(*) AS events,
                   count(*) FILTER (WHERE NOT coalesce(e.read_only, false)) AS writes,
                   count(*) FILTER (WHERE e.error_code IS NOT NULL) AS errors,
                   min(e.event_time) AS first, max(e.event_time) AS last,
                   list(DISTINCT e.tool ORDER BY e.tool) FILTER (WHERE e.tool IS NOT NULL) AS tools,
                   count(DISTINCT e.access_key_id) AS access_keys
            FROM events e WHERE {RESOLVED_ACTOR_SQL} IS NOT NULL {where}
            GROUP BY ALL ORDER BY events DESC, human""")
    created = {r["human"]: r["created"] for r in store.query(
        f"""SELECT {RESOLVED_ACTOR_SQL} AS human, count(*) AS created
            FROM event_resources r JOIN events e ON e.event_id = r.event_id AND e.event_time = r.event_time
            WHERE r.action = 'create' AND NOT r.failed GROUP BY ALL""")}
    owned = {g["key"]: g for g in inventory(store, by="owner", limit=0)["groups"]}
    return [{**r, "first": iso_z(r["first"]), "last": iso_z(r["last"]), "tools": r["tools"] or [],
             "created": created.get(r["human"], 0), "alive_owned": owned.get(r["human"], {}).get("resources", 0),
             "usd_per_month": owned.get(r["human"], {}).get("usd_per_month", 0.0)} for r in rows]


def person(store: Store, query: str, *, limit: int = 50) -> dict:
    """``who`` of ``query`` (NotFound when no event matches), plus ``owned`` (the inventory of what the
    person owns that is alive, costliest first), ``activity_per_day`` (events per day by tool) and
    ``tools`` (events per tool)."""
    with identity_events(store, query) as source:
        identity = who_in(store, query, source, limit=limit)
        tools = store.query(f"SELECT coalesce(e.tool, 'unknown') AS tool, count(*) AS events FROM {source} "
                            "GROUP BY ALL ORDER BY events DESC, tool")
        activity = per_day(store, "e.tool", source=source)
    humans = [h["human"] for h in identity["humans"] if h["human"]]
    owner = humans[0] if len(humans) == 1 else query
    return {**identity, "owned": inventory(store, owner=owner), "activity_per_day": activity, "tools": tools}
