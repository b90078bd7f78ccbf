"""people: everyone the store resolves behind calls (the index), and one person's profile: who they
are (the ``who`` shape), what they own that is still alive and its cost, their activity per day and
the tools they use."""

from __future__ import annotations

from typing import cast

from cloudblame.core.contracts import (
    CostGroup,
    DayEvents,
    Person,
    PersonRow,
    ToolEvents,
)
from cloudblame.core.timeutil import iso_z
from cloudblame.queries.inventory import inventory
from cloudblame.queries.overview import ACTIVITY, ACTOR_NAMES, PERSON_ROWS_SQL, per_day
from cloudblame.queries.who import identity_events, who_in
from cloudblame.store.db import Row, Store


def people(store: Store, *, services: bool = False) -> list[PersonRow]:
    """One row per person (with ``services``, AWS services acting on their own too), most active first:
    events, writes, errors, first and last call, tools, access keys, resources created, and the alive
    resources they own with their monthly cost. ``kind`` is the kind most of their calls resolved to (on a
    tie, the first by name)."""
    where = "" if services else f"AND {PERSON_ROWS_SQL}"
    rows = _people_rows(store, ACTIVITY, ACTOR_NAMES, where)
    owned = {g["key"]: g for g in inventory(store, by="owner", limit=0)["groups"]}
    return [_person_row(r, owned.get(r["human"])) for r in rows]


def _person_row(r: Row, owned: CostGroup | None) -> PersonRow:
    """A people row with what the person owns that is alive (``owned``: their cost group, if any)."""
    return {"human": r["human"], "kind": r["kind"], "events": r["events"], "writes": r["writes"],
            "errors": r["errors"], "first": iso_z(r["first"]), "last": iso_z(r["last"]), "tools": r["tools"] or [],
            "access_keys": r["access_keys"], "created": r["created"],
            "alive_owned": owned["resources"] if owned else 0,
            "usd_per_month": owned["usd_per_month"] if owned else 0.0,
            "unpriced": owned["unpriced"] if owned else 0}


def _people_rows(store: Store, source: str, names: str, where: str) -> list[Row]:
    """people's rows from activity rows ``source`` and actor names ``names`` (with access key counts)."""
    return store.query(
        f"""WITH a AS (SELECT * FROM {source} a WHERE a.human IS NOT NULL {where}),
                 kinds AS (SELECT human, first(kind ORDER BY n DESC, kind NULLS LAST) AS kind
                           FROM (SELECT human, kind, sum(events) AS n FROM a GROUP BY ALL) GROUP BY ALL),
                 created AS (SELECT human, sum(created)::BIGINT AS created FROM {source} a GROUP BY ALL)
            SELECT a.human, k.kind, sum(a.events)::BIGINT AS events, sum(a.writes)::BIGINT AS writes,
                   sum(a.errors)::BIGINT AS errors, min(a.first_time) AS first, max(a.last_time) AS last,
                   list(DISTINCT a.tool ORDER BY a.tool) FILTER (WHERE a.tool IS NOT NULL) AS tools,
                   coalesce(any_value(ks.access_keys), 0) AS access_keys,
                   coalesce(any_value(c.created), 0) AS created
            FROM a JOIN kinds k USING (human) LEFT JOIN {names} ks ON ks.name = a.human
                 LEFT JOIN created c ON c.human = a.human
            GROUP BY a.human, k.kind ORDER BY events DESC, a.human""")


def person(store: Store, query: str, *, limit: int = 50) -> Person:
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
    return {**identity, "owned": inventory(store, owner=owner), "activity_per_day": cast(list[DayEvents], activity),
            "tools": cast(list[ToolEvents], tools)}
