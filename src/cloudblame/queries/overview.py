"""overview: the account at a glance: the span of the data, events per day by tool and by person,
creations per day, and what the alive resources cost per owner.

The day-level numbers come from the activity table (calls and creations per day, person and tool,
derived at each publish), never from the events themselves."""

from __future__ import annotations

from typing import Any, cast

from cloudblame.core.contracts import DayCreations, DayEvents, Overview, StoreSpan
from cloudblame.core.timeutil import iso_z
from cloudblame.queries.inventory import inventory
from cloudblame.store.db import Row, Store

# A person is anyone resolved behind calls but an AWS service acting on its own (over activity rows).
PERSON_ROWS_SQL = "a.kind IS DISTINCT FROM 'service'"


ACTIVITY = "activity"  # activity rows
ACTOR_NAMES = "(SELECT * FROM identity_names WHERE role = 'actor')"  # actors' names with their access key counts


def per_day(store: Store, key_sql: str, *, source: str = "events e", where: str = "",
            params: dict[str, Any] | None = None, top: int = 8, day_sql: str = "e.event_time::DATE",
            count_sql: str = "count(*)", name: str = "events") -> list[Row]:
    """Events per UTC day and key (``key_sql``, an expression over ``source``, events aliased ``e``): the
    ``top`` keys with the most events, the rest summed as ``other``. Rows ``{"day", "key", name}``.
    Over activity rows: ``day_sql`` their day and ``count_sql`` the sum of the measure to count."""
    # counted per day and key first (a date cast, not a string per event), then the top keys picked
    return store.query(
        f"""WITH t AS (SELECT {day_sql} AS day, coalesce({key_sql}, 'unknown') AS key, {count_sql} AS n
                       FROM {source} {where} GROUP BY ALL),
                 top_keys AS (SELECT key FROM t GROUP BY key ORDER BY sum(n) DESC, key LIMIT $top)
            SELECT strftime(day, '%Y-%m-%d') AS day,
                   CASE WHEN key IN (SELECT key FROM top_keys) THEN key ELSE 'other' END AS key,
                   sum(n)::BIGINT AS {name}
            FROM t GROUP BY ALL ORDER BY day, key""",
        {**(params or {}), "top": top})


def activity_per_day(store: Store, key_sql: str, *, source: str, where: str = "", top: int = 8,
                     measure: str = "events", name: str | None = None) -> list[Row]:
    """per_day over activity rows ``a`` of ``source``: the sum of their ``measure`` (events or created),
    as ``name`` (default: the measure's)."""
    return per_day(store, key_sql, source=f"{source} a", where=where, top=top, day_sql="a.day",
                   count_sql=f"sum(a.{measure})", name=name or measure)


def span(store: Store, source: str) -> StoreSpan:
    """How much the store holds and the time it covers (``source``: activity rows)."""
    row = store.query(
        f"""SELECT min(a.first_time) AS first, max(a.last_time) AS last, coalesce(sum(a.events), 0)::BIGINT AS events,
                   count(DISTINCT a.human) FILTER (WHERE {PERSON_ROWS_SQL}) AS people
            FROM {source} a""")[0]
    resources = store.query("SELECT count(*) AS known, count(*) FILTER (WHERE alive) AS alive FROM resources")[0]
    return {"first": iso_z(row["first"]), "last": iso_z(row["last"]), "events": row["events"],
            "people": row["people"], "resources": resources["known"], "alive": resources["alive"]}


def overview(store: Store, *, top: int = 8) -> Overview:
    """The home page's numbers: span, events per day by tool and by person (AWS services acting on
    their own left out), creations per day by tool, and the alive resources' monthly cost per owner."""
    alive = inventory(store, by="owner", limit=0)
    # rows {"day", "key", name}: events, or resources created
    by_tool = activity_per_day(store, "a.tool", source=ACTIVITY, top=top)
    by_person = activity_per_day(store, "a.human", source=ACTIVITY, where=f"WHERE {PERSON_ROWS_SQL}", top=top)
    creations = activity_per_day(store, "a.tool", source=ACTIVITY, where="WHERE a.created > 0", top=top,
                                 measure="created", name="resources")
    return {
        "span": span(store, ACTIVITY),
        "events_per_day_by_tool": cast(list[DayEvents], by_tool),
        "events_per_day_by_person": cast(list[DayEvents], by_person),
        "creations_per_day": cast(list[DayCreations], creations),
        "cost_by_owner": alive["groups"],
        "total_usd_per_month": alive["total_usd_per_month"], "unpriced": alive["unpriced"],
    }
