"""inventory and forgotten: what is alive, whose it is, what it is for, what it costs, what was forgotten.

Read from the ``inventory`` table: every alive resource's lifecycle (store/lifecycle.py) with its tags,
size, cost, purpose and the person behind a service that made it (queries/details.py). Filters, counts,
totals, groups and the order are SQL over all of them; only the page returned (the ``limit``
costliest) is shaped in Python.
"""

from __future__ import annotations

from datetime import datetime

import orjson

from cloudblame.queries import BadInput, Values, values_of
from cloudblame.queries.details import JSON_COLUMNS, current_inventory, item_shape, price_table, refreshed_prices_path
from cloudblame.store.db import Store
from cloudblame.timeutil import iso_z, parse_when

__all__ = ["inventory", "forgotten", "GROUP_KEYS", "DEFAULT_LIMIT", "price_table", "refreshed_prices_path"]

DEFAULT_LIMIT = 100
OWNER_SQL = "coalesce(r.owner, r.last_modifier)"
# --by: the SQL of each grouping key over the inventory (``r``).
GROUP_KEYS = {"owner": OWNER_SQL, "type": "r.resource_type", "account": "r.account_id", "tool": "r.creator_tool"}


def _matching(store: Store, source: str, params: dict, *, columns: str = "", where: str = "", order: str,
              limit: int | None, by: str | None) -> dict:
    """The page (``limit`` rows in ``order``; None: all), count, total and (``by``) groups of the alive
    resources matching ``where`` (over the inventory's columns and ``_owner``); ``columns`` adds select
    items over ``r`` and ``source``'s joins."""
    if by is not None and by not in GROUP_KEYS:
        raise BadInput(f"--by must be one of {', '.join(GROUP_KEYS)}")
    if limit is not None and limit < 0:
        raise BadInput("limit must be 0 or more")
    matched = (f"WITH m AS (SELECT * FROM (SELECT r.*, {OWNER_SQL} AS _owner, {GROUP_KEYS[by] if by else 'NULL'} AS "
               f"_group{columns} FROM {source}) WHERE {where or 'true'})")
    page = store.query(f"{matched} SELECT * EXCLUDE (_owner, _group) FROM m ORDER BY {order}"
                       + (" LIMIT $limit" if limit is not None else ""),
                       {**params, "limit": limit} if limit is not None else params)
    totals = store.query(f"{matched} SELECT count(*) AS n, {_PRICED_SQL} FROM m", params)[0]
    out = {"rows": page, "count": totals["n"], **_total(totals)}
    if by:
        out["groups"] = store.query(
            f"""{matched} SELECT coalesce(nullif(_group, ''), 'unknown') AS key, count(*) AS resources, {_PRICED_SQL}
                FROM m GROUP BY ALL ORDER BY usd_per_month DESC NULLS LAST, key""", params)
    return out


# The known part of a monthly cost (NULL when no resource has a price: unknown, not $0) and how many it leaves out.
_PRICED_SQL = ("round(sum(usd_per_month), 2) AS usd_per_month, "
               "count(*) FILTER (WHERE usd_per_month IS NULL) AS unpriced")


def _total(totals: dict) -> dict:
    """``total_usd_per_month`` (0.0 only over no resource at all; None when none is priced) and ``unpriced``."""
    total = totals["usd_per_month"] if totals["n"] else 0.0
    return {"total_usd_per_month": total, "unpriced": totals["unpriced"]}


def _item(row: dict) -> dict:
    return item_shape({**row, **{c: orjson.loads(row[c]) for c in JSON_COLUMNS}})


def _any_of(column: str, name: str, values: list[str], params: dict) -> str:
    """``column`` equal to any of ``values`` (named parameters ``$name0``...: added to ``params``)."""
    names = [f"{name}{i}" for i in range(len(values))]
    params.update(zip(names, values))
    return f"{column} IN ({', '.join('$' + n for n in names)})"


def inventory(store: Store, *, owner: Values = None, resource_type: Values = None, account: Values = None,
              region: Values = None, tool: Values = None, created_since: datetime | None = None,
              by: str | None = None, limit: int | None = DEFAULT_LIMIT) -> dict:
    """Alive resources with owner, purpose and cost, costliest first: the first ``limit`` (None: all),
    how many match and their total monthly cost; grouped and totalled with ``by``. Each filter takes
    one value or several (any of them matches)."""
    clauses, params = [], {}
    for column, name, value in (("resource_type", "type", resource_type), ("account_id", "account", account),
                                ("region", "region", region), ("creator_tool", "tool", tool)):
        if values := values_of(value):
            clauses.append(_any_of(column, name, values, params))
    if created_since:
        clauses.append("created_time >= $since")
        params["since"] = created_since
    if owners := values_of(owner):
        clauses.append(_any_of("lower(_owner)", "owner", [o.lower() for o in owners], params))
    with current_inventory(store) as (source, alive_params):
        found = _matching(store, f"{source} r", {**alive_params, **params}, where=" AND ".join(clauses), by=by, limit=limit,
                          order="coalesce(usd_per_month, 0) DESC, resource_type, resource_id, account_id")
    result = {"resources": [_item(r) for r in found["rows"]], "count": found["count"],
              "total_usd_per_month": found["total_usd_per_month"], "unpriced": found["unpriced"], "limit": limit}
    if by:
        result["groups"] = found["groups"]
    return result


# Why an idle alive resource counts as forgotten, or NULL when it does not: its creator was deleted or
# has gone quiet too; a creator still active is to be asked, not flagged; a resource made before the
# data is flagged only when it costs something (more than a known $0: a type AWS does not charge for).
_WHY_SQL = """, a.last_time AS creator_last_seen,
    CASE WHEN r.creator IN (SELECT resource_id FROM resources
                            WHERE resource_type = 'AWS::IAM::User' AND deleted_event_id IS NOT NULL) THEN 'deleted'
         WHEN a.last_time <= $cutoff THEN 'quiet'
         WHEN r.creator_known OR coalesce(r.usd_per_month, 0) = 0 THEN NULL
         ELSE 'unknown' END AS why"""


def forgotten(store: Store, *, idle: str = "30d", as_of: datetime | None = None, by: str | None = None,
              limit: int | None = DEFAULT_LIMIT) -> dict:
    """Alive resources idle for ``idle`` whose creator has gone quiet or left, costliest first: the first
    ``limit`` (None: all) with the reasons and whom to ask, how many and their total monthly cost."""
    as_of = as_of or store.newest_event_time()
    if as_of is None:
        return {"as_of": None, "idle": idle, "resources": [], "count": 0, "total_usd_per_month": 0.0, "unpriced": 0,
                "limit": limit,
                **({"groups": []} if by else {})}
    cutoff = parse_when(idle, now=as_of)
    with current_inventory(store) as (source, params):
        found = _matching(store, f"{source} r LEFT JOIN identity_names a ON a.role = 'actor' AND a.name = r.creator",
                          {**params, "cutoff": cutoff}, columns=_WHY_SQL, where="last_time <= $cutoff AND why IS NOT NULL",
                          order="usd_per_month IS NULL, coalesce(usd_per_month, 0) DESC, resource_id, resource_type, "
                                "account_id", limit=limit, by=by)
    items = [_forgotten_item(row, as_of) for row in found["rows"]]
    result = {"as_of": iso_z(as_of), "idle": idle, "resources": items, "count": found["count"],
              "total_usd_per_month": found["total_usd_per_month"], "unpriced": found["unpriced"], "limit": limit}
    if by:
        result["groups"] = found["groups"]
    return result


def _forgotten_item(row: dict, as_of: datetime) -> dict:
    item = _item(row)
    creator = item["created"]["by"] if item["created"] else None
    reasons = [f"no activity for {(as_of - row['last_time']).days} days (last: {row['last_event']})",
               {"deleted": f"creator {creator} was deleted (DeleteUser)",
                "quiet": f"creator {creator} quiet since {iso_z(row['creator_last_seen'])}",
                "unknown": "created before the data: creator unknown"}[row["why"]]]
    if item["created"] and item["created"]["tool"] in ("console", "aws-cli") and not item["purpose"]["managed_by"]:
        reasons.append(f"made by hand ({item['created']['tool']}), not by infrastructure as code")
    item["reasons"] = reasons
    item["ask"] = list(dict.fromkeys(x for x in (creator, item["last_modifier"], item["tags"].get("Owner")) if x))
    return item
