"""costs show: the imported bill beside the estimates, for one billing period (the latest by default).

Read from what a publish derived (cloudblame.derive.bill): ``bill_costs`` (the bill summed per service,
usage type and billed id, matched to the resources) and ``actual_costs`` (per resource and period), with
the estimates of ``inventory``. The actual cost of a resource is what the bill charged it in the period;
its estimate is the list price of a month of it as it is now (deleted resources: none). What no known
resource explains is unattributed: by service and usage type, with its share of the period's total.
"""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from cloudblame.core.bill_contracts import CostsBy, CostsReport, GroupCost, ResourceCost, UnattributedCost
from cloudblame.core.errors import BadInput
from cloudblame.core.timeutil import iso_z
from cloudblame.derive.bill import IN_USD
from cloudblame.derive.details import current_inventory
from cloudblame.queries.inventory import OWNER_SQL
from cloudblame.store.db import Store
from cloudblame.store.tables import same_resource

COSTS_BY = ("resource", "owner", "tool", "service")
DEFAULT_LIMIT = 50

# Every alive resource (from the inventory: {inventory}, aliased r) and every deleted one the bill charged in
# the period (from resources), with its actual cost and its estimate.
RESOURCES_SQL = f"""
WITH a AS (SELECT * FROM actual_costs WHERE period = $period),
alive AS (SELECT r.resource_type, r.resource_id, r.account_id, r.region, r.alive, {OWNER_SQL} AS owner,
                 r.creator_tool AS tool, r.usd_per_month, r.cost_basis FROM {{inventory}} r),
gone AS (SELECT r.resource_type, r.resource_id, r.account_id, r.region, r.alive,
                coalesce(r.created_by, r.last_modifier) AS owner, r.created_tool AS tool, NULL::DOUBLE AS usd_per_month,
                'deleted: no cost now' AS cost_basis
         FROM resources r SEMI JOIN a ON {same_resource('a', 'r')} ANTI JOIN alive i ON {same_resource('i', 'r')})
SELECT x.*, a.usd AS actual_usd, coalesce(a.lines, 0) AS lines
FROM (SELECT * FROM alive UNION ALL BY NAME SELECT * FROM gone) x LEFT JOIN a ON {same_resource('a', 'x')}"""
# Those listed by resource: charged in the period, estimated above $0, or alive with no estimate known.
LISTED = "actual_usd IS NOT NULL OR usd_per_month > 0 OR (usd_per_month IS NULL AND alive)"

_GROUP_KEYS = {"owner": "x.owner", "tool": "x.tool"}
GROUPS_SQL = """
SELECT coalesce(nullif({key}, ''), 'unknown') AS key, count(*) AS resources, round(sum(actual_usd), 2) AS actual_usd,
       round(sum(usd_per_month), 2) AS estimate_usd_per_month,
       count(*) FILTER (WHERE usd_per_month IS NULL AND alive) AS unpriced
FROM ({rows}) x GROUP BY ALL ORDER BY actual_usd DESC NULLS LAST, estimate_usd_per_month DESC NULLS LAST, key"""

SERVICES_SQL = f"""
SELECT coalesce(service, 'unknown') AS key, count(DISTINCT (resource_type, resource_id, account_id))
       FILTER (WHERE resource_type IS NOT NULL) AS resources, round(sum(cost), 2) AS actual_usd,
       NULL::DOUBLE AS estimate_usd_per_month, 0 AS unpriced
FROM bill_costs WHERE period = $period AND {IN_USD} GROUP BY ALL ORDER BY actual_usd DESC NULLS LAST, key"""

TOTALS_SQL = f"""
SELECT sum(cost) FILTER (WHERE {IN_USD}) AS total, sum(cost) FILTER (WHERE {IN_USD} AND resource_type IS NOT NULL)
       AS attributed, max(usage_end) AS through, coalesce(sum(lines) FILTER (WHERE NOT {IN_USD}), 0) AS other_lines
FROM bill_costs WHERE period = $period"""

UNATTRIBUTED_SQL = f"""
SELECT service, usage_type, sum(cost) AS usd, sum(lines) AS lines, count(DISTINCT bill_resource_id) AS billed_ids,
       arg_max(bill_resource_id, abs(cost)) AS example_id
FROM bill_costs WHERE period = $period AND {IN_USD} AND resource_type IS NULL
GROUP BY ALL ORDER BY abs(sum(cost)) DESC, service NULLS LAST, usage_type NULLS LAST"""


def bill_periods(store: Store) -> list[date]:
    """The billing periods imported, oldest first."""
    return [r["period"] for r in store.query("SELECT DISTINCT period FROM bill_costs ORDER BY period")]


def costs(store: Store, *, period: str | None = None, by: str = "resource", limit: int | None = DEFAULT_LIMIT) -> CostsReport:
    """The bill of ``period`` (``2026-03`` or ``2026-03-01``; default the latest imported) beside the
    estimates: its total, what known resources explain and what they do not, rows ``by`` resource, owner,
    tool or service (``limit`` of them, None: all) and the unattributed charges."""
    if by not in COSTS_BY:
        raise BadInput(f"--by must be one of {', '.join(COSTS_BY)}")
    if limit is not None and limit < 0:
        raise BadInput("limit must be 0 or more")
    periods = bill_periods(store)
    chosen = _period(period, periods)
    report = _header(chosen, periods, cast(CostsBy, by), limit)
    if chosen is None:
        if by == "resource":
            report["resources"] = []
        else:
            report["groups"] = []
        return report
    params = {"period": chosen}
    totals = store.query(TOTALS_SQL, params)[0]
    report = _header(chosen, periods, cast(CostsBy, by), limit, totals)
    report["unattributed"] = _unattributed(store.query(UNATTRIBUTED_SQL, params), totals["total"])
    with current_inventory(store) as (source, alive_params):
        report["estimate_usd_per_month"] = store.scalar(f"SELECT round(sum(usd_per_month), 2) FROM {source} r",
                                                        alive_params)
        _rows(store, report, RESOURCES_SQL.format(inventory=source), {**params, **alive_params}, by=by, limit=limit)
    return report


def _period(text: str | None, periods: list[date]) -> date | None:
    """The period asked for (a month or its first day), or the latest; BadInput when none is imported."""
    if text is None:
        return periods[-1] if periods else None
    try:
        wanted = date.fromisoformat(text if len(text) > 7 else f"{text}-01")
    except ValueError:
        raise BadInput(f"--period {text!r}: give a month (2026-03) or a period's first day (2026-03-01)") from None
    if wanted not in periods:
        known = ", ".join(p.isoformat()[:7] for p in periods) or "none: run `cloudblame costs import PATH` first"
        raise BadInput(f"no bill imported for the period {wanted.isoformat()[:7]} (imported: {known})")
    return wanted


def _header(period: date | None, periods: list[date], by: CostsBy, limit: int | None,
            totals: dict[str, Any] | None = None) -> CostsReport:
    """The report without its rows: the period's totals (``totals``: TOTALS_SQL's row; None: no bill)."""
    total = totals["total"] if totals else None
    attributed = (totals["attributed"] or 0.0) if totals and total is not None else None
    unattributed = None if total is None or attributed is None else total - attributed
    return {"period": period.isoformat() if period else None, "periods": [p.isoformat() for p in periods],
            "through": iso_z(totals["through"]) if totals else None, "by": by, "total_usd": _money(total),
            "attributed_usd": _money(attributed), "unattributed_usd": _money(unattributed),
            "unattributed_share": _share(unattributed, total), "estimate_usd_per_month": None,
            "other_currency_lines": int(totals["other_lines"]) if totals else 0, "count": 0, "limit": limit,
            "unattributed": []}


def _money(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _share(part: float | None, total: float | None) -> float | None:
    """``part`` of ``total`` (0..1, 4 places); None when the total is unknown or nothing."""
    return None if part is None or not total else round(part / total, 4)


def _unattributed(rows: list[dict[str, Any]], total: float | None) -> list[UnattributedCost]:
    return [{"service": r["service"], "usage_type": r["usage_type"], "usd": round(r["usd"], 2),
             "share": _share(r["usd"], total), "lines": int(r["lines"]), "billed_ids": int(r["billed_ids"]),
             "example_id": r["example_id"]} for r in rows]


def _rows(store: Store, report: CostsReport, rows_sql: str, params: dict[str, Any], *, by: str,
          limit: int | None) -> None:
    """The report's rows ``by`` resource (or groups by owner, tool, service) and their count."""
    page = f" LIMIT {int(limit)}" if limit is not None else ""
    if by == "resource":
        report["count"] = int(store.scalar(f"SELECT count(*) FROM ({rows_sql}) WHERE {LISTED}", params))
        rows = store.query(f"SELECT * FROM ({rows_sql}) WHERE {LISTED} ORDER BY actual_usd DESC NULLS LAST, "
                           f"usd_per_month DESC NULLS LAST, resource_type, resource_id{page}", params)
        report["resources"] = [_resource(r) for r in rows]
        return
    sql = SERVICES_SQL if by == "service" else GROUPS_SQL.format(key=_GROUP_KEYS[by], rows=rows_sql)
    groups = store.query(sql, params)
    report["count"] = len(groups)
    report["groups"] = [_group(g) for g in (groups if limit is None else groups[:limit])]


def _resource(r: dict[str, Any]) -> ResourceCost:
    return {"type": r["resource_type"], "id": r["resource_id"], "account": r["account_id"], "region": r["region"],
            "alive": bool(r["alive"]), "owner": r["owner"], "tool": r["tool"], "actual_usd": _money(r["actual_usd"]),
            "lines": int(r["lines"]), "estimate_usd_per_month": r["usd_per_month"], "estimate_basis": r["cost_basis"]}


def _group(g: dict[str, Any]) -> GroupCost:
    return {"key": g["key"], "resources": int(g["resources"]), "actual_usd": g["actual_usd"],
            "estimate_usd_per_month": g["estimate_usd_per_month"], "unpriced": int(g["unpriced"])}
