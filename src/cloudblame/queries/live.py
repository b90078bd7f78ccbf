"""What AWS said of resources when they were last described, as stored (``live_state``, written by
`inventory --live` and `sync` with reconcile): each resource's latest check as the ``live`` of inventory rows, and
the view inventory shows (the store's events, or the live state with the gone resources left out).

A check older than the resource's current incarnation (created again since: a bucket name or database identifier
reused) does not count: the resource has not been described since it was created.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson

from cloudblame.core.live_contracts import InventoryView, LiveState, ViewKind
from cloudblame.core.timeutil import iso_z
from cloudblame.store.db import Store
from cloudblame.store.tables import same_resource

__all__ = ["LIVE_STATES", "NOT_GONE_SQL", "VIEWS", "inventory_view", "live_shape", "with_live"]

VIEWS: tuple[ViewKind, ...] = ("events", "live")
LIVE_STATES = ("present", "stopped", "resized", "gone", "unknown")
UNCHECKED = "unchecked"
# The latest check of each resource (two at the same time: the first by state, then AWS's state and the detail).
LATEST_LIVE_SQL = """(SELECT * FROM live_state QUALIFY row_number() OVER (
    PARTITION BY resource_type, resource_id, account_id ORDER BY checked_at DESC, state, aws_state, detail) = 1)"""
# The columns a query adds to rows ``r`` joined to LATEST_LIVE_SQL as ``lv``.
LIVE_COLUMNS = ("lv.state AS live_state, lv.checked_at AS live_checked_at, lv.aws_state AS live_aws_state, "
                "lv.size AS live_size, lv.changed AS live_changed, lv.detail AS live_detail")
# The rows the live view lists: all but those AWS said are gone.
NOT_GONE_SQL = "live_state IS DISTINCT FROM 'gone'"


def with_live(source: str) -> str:
    """``FROM`` text (aliased ``r``) of ``source`` (aliased ``r``: inventory rows) with each row's latest check
    since its creation (the ``live_*`` columns; NULL: none)."""
    return (f"(SELECT r.*, {LIVE_COLUMNS} FROM {source} LEFT JOIN {LATEST_LIVE_SQL} lv ON {same_resource('lv', 'r')} "
            "AND lv.checked_at >= coalesce(r.created_time, lv.checked_at)) r")


def live_shape(row: dict[str, Any]) -> LiveState | None:
    """``live`` of an inventory row from its live columns (None: not described since it was created)."""
    if row.get("live_state") is None:
        return None
    return {"state": row["live_state"], "checked_at": iso_z(row["live_checked_at"]),
            "aws_state": row["live_aws_state"], "size": orjson.loads(row["live_size"]) if row["live_size"] else None,
            "changed": orjson.loads(row["live_changed"]) if row["live_changed"] else {}, "detail": row["live_detail"]}


def inventory_view(store: Store, kind: ViewKind, matched: str, params: dict[str, Any]) -> InventoryView:
    """The view ``kind`` over the rows of ``matched`` (SQL of the rows matching the filters, with the live
    columns, gone ones included): how many are in each live state, the newest check, what is left out."""
    rows = store.query(f"""SELECT coalesce(live_state, '{UNCHECKED}') AS state, count(*) AS n,
                                  round(sum(usd_per_month), 2) AS usd, max(live_checked_at) AS checked
                           FROM ({matched}) GROUP BY ALL""", params)
    states = {state: 0 for state in (*LIVE_STATES, UNCHECKED)}
    states.update({r["state"]: r["n"] for r in rows})
    checked: list[datetime] = [r["checked"] for r in rows if r["checked"] is not None]
    gone = next((r for r in rows if r["state"] == "gone"), None) if kind == "live" else None
    return {"kind": kind, "events_until": iso_z(store.newest_event_time()),
            "checked_at": iso_z(max(checked)) if checked else None, "states": states,
            "left_out": gone["n"] if gone else 0, "left_out_usd_per_month": gone["usd"] if gone else None}

