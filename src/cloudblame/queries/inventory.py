"""inventory and forgotten: what is alive, whose it is, what it is for, what it costs, what was forgotten.

Read from the ``inventory`` table: every alive resource's lifecycle (store/lifecycle.py) with its tags,
size, cost, purpose and the person behind a service that made it (derive/details.py); deleted resources
(asked for) from the ``resources`` table, without those details. Filters, counts, totals, groups and the
order are SQL over all of them; only the page returned (``limit`` rows) is shaped in Python.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson

from cloudblame.core.contracts import (
    Forgotten,
    ForgottenItem,
    Inventory,
    InventoryItem,
)
from cloudblame.core.live_contracts import GoneFields
from cloudblame.core.timeutil import iso_z, parse_when
from cloudblame.core.usage_contracts import Evidence
from cloudblame.derive.bill import ACTUAL_COLUMNS, LATEST_ACTUAL_SQL, actual_shape
from cloudblame.derive.details import (
    JSON_COLUMNS,
    current_inventory,
    item_shape,
    price_table,
    refreshed_prices_path,
)
from cloudblame.queries import BadInput, Values, values_of
from cloudblame.queries.live import NOT_GONE_SQL, VIEWS, inventory_view, live_shape, with_live
from cloudblame.queries.usage import IN_USE_COLUMN, IN_USE_JOIN, any_evidence, evidence_for, evidence_reason, used_only
from cloudblame.store.db import Store
from cloudblame.store.tables import same_resource

__all__ = ["DEFAULT_LIMIT", "GROUP_KEYS", "SORTS", "STATUSES", "forgotten", "inventory", "price_table",
           "refreshed_prices_path"]

DEFAULT_LIMIT = 100
OWNER_SQL = "coalesce(r.owner, r.last_modifier)"
# --by: the SQL of each grouping key over the inventory (``r``).
GROUP_KEYS = {"owner": OWNER_SQL, "type": "r.resource_type", "account": "r.account_id", "tool": "r.creator_tool"}


def _matching(store: Store, source: str, params: dict[str, Any], *, columns: str = "", where: str = "", order: str,
              limit: int | None, by: str | None, offset: int = 0) -> dict[str, Any]:
    """The page (``limit`` rows in ``order`` from ``offset``; None: all), count, total and (``by``) groups of
    the resources matching ``where`` (over the inventory's columns and ``_owner``); ``columns`` adds select
    items over ``r`` and ``source``'s joins."""
    if by is not None and by not in GROUP_KEYS:
        raise BadInput(f"--by must be one of {', '.join(GROUP_KEYS)}")
    if (limit is not None and limit < 0) or offset < 0:
        raise BadInput("limit and offset must be 0 or more")
    matched = (f"WITH m AS (SELECT * FROM (SELECT r.*, {OWNER_SQL} AS _owner, {GROUP_KEYS[by] if by else 'NULL'} AS "
               f"_group{columns} FROM {source}) WHERE {where or 'true'})")
    page = store.query(f"{matched} SELECT * EXCLUDE (_owner, _group) FROM m ORDER BY {order}"
                       + (" LIMIT $limit" if limit is not None else "") + (" OFFSET $offset" if offset else ""),
                       {**params, **({"limit": limit} if limit is not None else {}),
                        **({"offset": offset} if offset else {})})
    totals = store.query(f"{matched} SELECT count(*) AS n, {_PRICED_SQL} FROM m", params)[0]
    out = {"rows": page, "count": totals["n"], **_total(totals)}
    if by:
        out["groups"] = store.query(
            f"""{matched} SELECT coalesce(nullif(_group, ''), 'unknown') AS key, count(*) AS resources, {_PRICED_SQL},
                       round(sum(actual_usd), 2) AS actual_usd
                FROM m GROUP BY ALL ORDER BY usd_per_month DESC NULLS LAST, key""", params)
    return out


# The known part of a monthly cost (NULL when no resource has a price: unknown, not $0) and how many it leaves out.
# A deleted resource costs nothing now: it is neither priced nor unpriced.
_PRICED_SQL = ("round(sum(usd_per_month), 2) AS usd_per_month, "
               "count(*) FILTER (WHERE usd_per_month IS NULL AND alive) AS unpriced")


def _total(totals: dict[str, Any]) -> dict[str, Any]:
    """``total_usd_per_month`` (0.0 over resources none of which costs anything now: none, or only deleted
    ones; None when no alive one is priced) and ``unpriced``."""
    total = totals["usd_per_month"]
    if total is None and not totals["unpriced"]:
        total = 0.0
    return {"total_usd_per_month": total, "unpriced": totals["unpriced"]}


def _item(row: dict[str, Any]) -> InventoryItem:
    item = item_shape({**row, **{c: orjson.loads(row[c]) for c in JSON_COLUMNS}})
    item["cost"]["actual"] = actual_shape(row["actual_usd"], row["actual_period"])
    if "live_state" in row:
        item["live"] = live_shape(row)
    return item


def _with_actual(source: str) -> str:
    """``FROM`` text (aliased ``r``) of ``source`` (aliased ``r``) with what the latest bill imported charged
    each resource (``actual_usd``, ``actual_period``; NULL: no line of it)."""
    return (f"(SELECT r.*, {ACTUAL_COLUMNS} FROM {source} "
            f"LEFT JOIN {LATEST_ACTUAL_SQL} ac ON {same_resource('ac', 'r')}) r")


def _any_of(column: str, name: str, values: list[str], params: dict[str, Any]) -> str:
    """``column`` equal to any of ``values`` (named parameters ``$name0``...: added to ``params``)."""
    names = [f"{name}{i}" for i in range(len(values))]
    params.update(zip(names, values))
    return f"{column} IN ({', '.join('$' + n for n in names)})"


SORTS = {"cost": "costliest first", "oldest": "oldest first", "newest": "newest first"}
_ORDERS = {"cost": "coalesce(usd_per_month, 0) DESC", "oldest": "coalesce(created_time, first_seen) ASC",
           "newest": "coalesce(created_time, first_seen) DESC"}
STATUSES = ("alive", "deleted", "all")
# Deleted resources as inventory rows: their details are not derived (no tags, size or cost: none now).
_DELETED_SQL = """SELECT r.*, NULL::BIGINT AS evidence, NULL::VARCHAR AS prices, false AS delegated,
    r.created_by AS creator, r.created_tool AS creator_tool, NULL::VARCHAR AS creator_via, r.created_by AS owner,
    NULL::VARCHAR AS name_tag, '{}' AS tags, '{}' AS size, '{}' AS purpose, NULL::DOUBLE AS usd_per_month,
    'deleted: no cost now' AS cost_basis FROM resources r WHERE r.deleted_event_id IS NOT NULL AND NOT r.alive"""
# The filters on one value each: parameter -> SQL over the inventory's columns.
_BOUNDS = {"created_since": "created_time >= $created_since",
           "created_before": "coalesce(created_time, first_seen) <= $created_before",
           "active_since": "last_time >= $active_since", "idle_since": "last_time <= $idle_since",
           "min_usd": "usd_per_month >= $min_usd", "max_usd": "usd_per_month <= $max_usd",
           "text": "contains(lower(concat_ws(' ', resource_id, name, name_tag, resource_type, size, tags)), $text)"}
_SIZE_SQL = "list_has_any(list_transform(json_extract_string(size, '$.*'), lambda x: lower(x)), $sizes::VARCHAR[])"
_PRICED = {True: "usd_per_month IS NOT NULL", False: "usd_per_month IS NULL AND alive"}


def inventory(store: Store, *, owner: Values = None, resource_type: Values = None, account: Values = None,
              region: Values = None, tool: Values = None, size: Values = None, text: str | None = None,
              created_since: datetime | None = None, created_before: datetime | None = None,
              active_since: datetime | None = None, idle_since: datetime | None = None,
              min_usd: float | None = None, max_usd: float | None = None, priced: bool | None = None,
              status: str = "alive", sort: str = "cost", by: str | None = None, limit: int | None = DEFAULT_LIMIT,
              offset: int = 0, view: str = "events") -> Inventory:
    """Alive resources (``status``: or deleted ones, or all) with owner, purpose and cost, costliest first
    (``sort``: or oldest or newest first): ``limit`` of them from ``offset`` (None: all), how many match and
    their total monthly cost; grouped and totalled with ``by``. Each of owner, type, account, region, tool
    and size (any of the size's values: m5.large, gp3) takes one value or several (any of them matches);
    ``text`` is looked for in the id, name, type, size and tags; the others are bounds. ``view``: ``events`` (the
    store's) or ``live`` (as last described: those AWS said are gone left out); every row says its live state."""
    if sort not in SORTS or status not in STATUSES or view not in VIEWS:
        raise BadInput(f"sort must be one of {', '.join(SORTS)}, status one of {', '.join(STATUSES)} and view one of "
                       f"{', '.join(VIEWS)}")
    clauses, params = _value_clauses({"resource_type": resource_type, "account_id": account, "region": region,
                                      "creator_tool": tool, "lower(_owner)": [o.lower() for o in values_of(owner)]})
    bounds = {"created_since": created_since, "created_before": created_before, "active_since": active_since,
              "idle_since": idle_since, "min_usd": min_usd, "max_usd": max_usd, "text": (text or "").lower() or None}
    clauses += [_BOUNDS[name] for name, value in bounds.items() if value is not None]
    params.update({name: value for name, value in bounds.items() if value is not None})
    if sizes := [s.lower() for s in values_of(size)]:
        clauses.append(_SIZE_SQL)
        params["sizes"] = sizes
    if priced is not None:
        clauses.append(_PRICED[priced])
    with current_inventory(store) as (source, alive_params):
        rows = with_live(_with_actual(_with_status(source, status)))
        found = _matching(store, rows, {**alive_params, **params},
                          where=" AND ".join(clauses + ([NOT_GONE_SQL] if view == "live" else [])),
                          by=by, limit=limit, offset=offset,
                          order=f"{_ORDERS[sort]}, resource_type, resource_id, account_id")
        shown = inventory_view(store, "live" if view == "live" else "events",
                               f"SELECT * FROM (SELECT r.*, {OWNER_SQL} AS _owner FROM {rows}) WHERE "
                               f"{' AND '.join(clauses) or 'true'}", {**alive_params, **params})
    result: Inventory = {"resources": [_item(r) for r in found["rows"]], "count": found["count"],
                         "total_usd_per_month": found["total_usd_per_month"], "unpriced": found["unpriced"],
                         "limit": limit, "view": shown}
    if by:
        result["groups"] = found["groups"]
    return result


def _value_clauses(filters: dict[str, Values]) -> tuple[list[str], dict[str, Any]]:
    """``column IN (...)`` for each filtered column of ``filters`` (column SQL -> values), and the params."""
    clauses: list[str] = []
    params: dict[str, Any] = {}
    for i, (column, value) in enumerate(filters.items()):
        if values := values_of(value):
            clauses.append(_any_of(column, f"v{i}_", values, params))
    return clauses, params


def _with_status(alive_source: str, status: str) -> str:
    """``FROM`` text (aliased ``r``) of the alive resources, the deleted ones, or both."""
    if status == "alive":
        return f"{alive_source} r"
    if status == "deleted":
        return f"({_DELETED_SQL}) r"
    return f"(SELECT * FROM {alive_source} UNION ALL BY NAME {_DELETED_SQL}) r"


# Why an idle alive resource counts as forgotten, or NULL when it does not: its creator was deleted or
# has gone quiet too; a creator still active is to be asked, not flagged; a resource made before the
# data is flagged only when it costs something (more than a known $0: a type AWS does not charge for).
_WHY_SQL = """, a.last_time AS creator_last_seen,
    CASE WHEN r.creator IN (SELECT resource_id FROM resources
                            WHERE resource_type = 'AWS::IAM::User' AND deleted_event_id IS NOT NULL) THEN 'deleted'
         WHEN a.last_time <= $cutoff THEN 'quiet'
         WHEN r.creator_known OR coalesce(r.usd_per_month, 0) = 0 THEN NULL
         ELSE 'unknown' END AS why"""


_CREATOR_JOIN = " LEFT JOIN identity_names a ON a.role = 'actor' AND a.name = r.creator"


def forgotten(store: Store, *, idle: str = "30d", as_of: datetime | None = None, by: str | None = None,
              limit: int | None = DEFAULT_LIMIT, by_usage: bool = True) -> Forgotten:
    """Alive resources idle for ``idle`` whose creator has gone quiet or left, costliest first: the first
    ``limit`` (None: all) with the reasons, whom to ask and what CloudWatch last said of their use, how many and
    their total monthly cost. ``by_usage``: those CloudWatch saw in use (their latest reading, over a window
    reaching into the idle one: queries/usage.py) are left out, and counted (``in_use``). Those whose latest live
    check since their creation said gone (queries/live.py) are left out too, and counted (``gone``)."""
    as_of = as_of or store.newest_event_time()
    if as_of is None:
        return _nothing_forgotten(idle, limit, by)
    idle_rows = "last_time <= $cutoff AND why IS NOT NULL" + (" AND NOT in_use" if by_usage else "")
    with current_inventory(store) as (source, alive_params):
        params: dict[str, Any] = {**alive_params, "cutoff": parse_when(idle, now=as_of)}
        rows = f"{with_live(_with_actual(source + ' r'))}{_CREATOR_JOIN}{IN_USE_JOIN}"
        found = _matching(store, rows, params, columns=_WHY_SQL + IN_USE_COLUMN, where=f"{idle_rows} AND {NOT_GONE_SQL}",
                          order="usd_per_month IS NULL, coalesce(usd_per_month, 0) DESC, resource_id, resource_type, "
                                "account_id", limit=limit, by=by)
        in_use = _matching(store, f"({used_only(source)}) r{_CREATOR_JOIN}", params, columns=_WHY_SQL,
                           where="last_time <= $cutoff AND why IS NOT NULL", order="resource_id", limit=0,
                           by=None)["count"] if by_usage and any_evidence(store) else 0
        gone = _gone(store, rows, params, idle_rows)
    evidence = evidence_for(store, [(r["resource_type"], r["resource_id"], r["account_id"]) for r in found["rows"]])
    items = [_forgotten_item(row, as_of, evidence.get((row["resource_type"], row["resource_id"], row["account_id"])))
             for row in found["rows"]]
    result: Forgotten = {"as_of": iso_z(as_of), "idle": idle, "resources": items, "count": found["count"],
                         "total_usd_per_month": found["total_usd_per_month"], "unpriced": found["unpriced"],
                         "limit": limit, "in_use": in_use, "gone": gone["gone"],
                         "gone_checked_at": gone["gone_checked_at"]}
    if by:
        result["groups"] = found["groups"]
    return result


def _nothing_forgotten(idle: str, limit: int | None, by: str | None) -> Forgotten:
    """forgotten of a store without events."""
    empty: Forgotten = {"as_of": None, "idle": idle, "resources": [], "count": 0, "total_usd_per_month": 0.0,
                        "unpriced": 0, "limit": limit, "in_use": 0, "gone": 0, "gone_checked_at": None}
    if by:
        empty["groups"] = []
    return empty


def _gone(store: Store, rows: str, params: dict[str, Any], idle_rows: str) -> GoneFields:
    """How many of ``rows`` (forgotten's, with the live columns) matching ``idle_rows`` their latest live check said
    are gone, and the newest of those checks."""
    if not store.scalar("SELECT count(*) FROM (SELECT 1 FROM live_state WHERE state = 'gone' LIMIT 1)"):
        return {"gone": 0, "gone_checked_at": None}
    found = store.query(f"""SELECT count(*) AS n, max(live_checked_at) AS checked
                            FROM (SELECT r.*{_WHY_SQL}{IN_USE_COLUMN} FROM {rows})
                            WHERE {idle_rows} AND live_state = 'gone'""", params)[0]
    return {"gone": found["n"], "gone_checked_at": iso_z(found["checked"]) if found["checked"] else None}


def _forgotten_item(row: dict[str, Any], as_of: datetime, evidence: Evidence | None) -> ForgottenItem:
    item = _item(row)
    creator = item["created"]["by"] if item["created"] else None
    reasons = [f"no activity for {(as_of - row['last_time']).days} days (last: {row['last_event']})",
               *([evidence_reason(evidence)] if evidence else []),
               {"deleted": f"creator {creator} was deleted (DeleteUser)",
                "quiet": f"creator {creator} quiet since {iso_z(row['creator_last_seen'])}",
                "unknown": "created before the data: creator unknown"}[row["why"]]]
    if item["created"] and item["created"]["tool"] in ("console", "aws-cli") and not item["purpose"]["managed_by"]:
        reasons.append(f"made by hand ({item['created']['tool']}), not by infrastructure as code")
    ask = list(dict.fromkeys(x for x in (creator, item["last_modifier"], item["tags"].get("Owner")) if x))
    return {**item, "reasons": reasons, "ask": ask, "evidence": evidence}
