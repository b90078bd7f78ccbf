"""blame: who created a resource, when, with what tool, whether it was deleted, and its timeline."""

from __future__ import annotations

from collections import Counter
from typing import Any, Literal, cast

import orjson

from cloudblame.core.contracts import (
    Attempt,
    Blame,
    BlameContext,
    BlameCore,
    BlamePoint,
    BlameStatus,
    InventoryItem,
    Record,
    RelatedResource,
    ResourceCandidate,
)
from cloudblame.core.timeutil import iso_z
from cloudblame.derive.bill import ACTUAL_COLUMNS, LATEST_ACTUAL_SQL, actual_shape
from cloudblame.derive.delegation import delegate
from cloudblame.derive.details import (
    JSON_COLUMNS,
    gather_evidence,
    item_shape,
    prices_version,
    resource_details,
)
from cloudblame.derive.shapes import (
    EventKey,
    actor_shape,
    events_by_key,
    tool_shape,
)
from cloudblame.queries import Ambiguous, NotFound
from cloudblame.queries.usage import evidence_for
from cloudblame.store.db import Row, Store
from cloudblame.store.tables import same_resource


def find_resources(store: Store, query: str) -> list[ResourceCandidate]:
    """Distinct resources (type, id, account) whose id, ARN or name is ``query``."""
    return _candidates(_rows_of_spelling(store, query), query)


def _rows_of_spelling(store: Store, query: str) -> list[Row]:
    """The event_resources rows of every resource one of whose spellings (id, ARN, name) is ``query``
    ignoring case: candidates from the sorted resource_keys, their rows by the sorted resource_id."""
    return store.query(
        """SELECT r.event_id, r.event_time, r.resource_type, r.resource_id, r.account_id, r.arn, r.name,
                  r.action, r.failed, r.aws_region, r.event_name
           FROM event_resources r
           WHERE r.resource_id IN (SELECT k.resource_id FROM resource_keys k WHERE k.key = lower(?))""",
        [query])


def _candidates(rows: list[Row], query: str) -> list[ResourceCandidate]:
    """The resources whose id, ARN or name is exactly ``query`` (or whose id is, ignoring case), with
    how many of their rows matched and whether one was a successful create; created first, busiest next."""
    found: dict[tuple[str | None, str, str | None], ResourceCandidate] = {}
    lowered = query.lower()
    for r in rows:
        if not (query in (r["resource_id"], r["arn"], r["name"]) or r["resource_id"].lower() == lowered):
            continue
        key = (r["resource_type"], r["resource_id"], r["account_id"])
        c = found.setdefault(key, {"type": key[0], "id": key[1], "account": key[2], "events": 0, "created": False})
        c["events"] += 1
        c["created"] = c["created"] or (r["action"] == "create" and not r["failed"])
    return _merge_untyped(sorted(found.values(), key=lambda c: (not c["created"], -c["events"], c["id"], c["type"] or "",
                                                                c["account"] or "")))


def _merge_untyped(rows: list[ResourceCandidate]) -> list[ResourceCandidate]:
    """A reference whose type is unknown belongs to the typed resource with the same id, if one."""
    typed = {(r["id"], r["account"]) for r in rows if r["type"]}
    return [r for r in rows if r["type"] or (r["id"], r["account"]) not in typed]


def blame(store: Store, query: str, *, resource_type: str | None = None, account: str | None = None) -> Blame:
    """The blame of one resource; NotFound or Ambiguous when ``query`` does not name exactly one."""
    rows = _rows_of_spelling(store, query)
    candidates = _candidates(rows, query)
    if resource_type:
        candidates = [c for c in candidates if _type_matches(c["type"], resource_type)]
    if account:
        candidates = [c for c in candidates if c["account"] == account]
    if not candidates:
        raise NotFound(f"no resource with id, ARN or name {query!r} in the store")
    if len(candidates) > 1 and candidates[0]["created"] == candidates[1]["created"]:
        raise Ambiguous(f"{len(candidates)} resources match {query!r}: pass --type or --account, or use the ARN",
                        candidates)
    target = candidates[0]
    touches = _touches(target, rows)
    creation, deletion = _lifecycle(touches)  # known from its rows already: read with the events
    maybe_alive = deletion is None and any(not t["failed"] for t in touches)
    events: dict[EventKey, Row]
    made: Creation | None
    row: list[Row]
    events, made, row = store.concurrently(
        lambda s: events_by_key(s, [(t["event_id"], t["event_time"]) for t in touches]),
        lambda s: _creation_of(s, creation), lambda s: _resource_row(s, target, maybe_alive=maybe_alive))
    timeline = _timeline(touches, events)
    created, deleted = _lifecycle(timeline)
    if _key(created) != _key(creation):  # an event missing from events (never in a consistent store)
        made = _creation_of(store, created)
    core = _blame_shape(store, target, timeline, (created, deleted), made[0] if made else None)
    context = _context(store, target, core, made, row, rows)
    attempted = _attempt(timeline)
    alive = False if attempted else context["alive"]
    status: BlameStatus = "attempted" if attempted else "alive" if alive else "deleted"
    # a deleted resource, or one that never existed, costs nothing a month; what a deleted one cost a month
    # while it ran is kept beside
    evidence = evidence_for(store, [(kind, target["id"], target["account"])]) if (kind := target["type"]) else {}
    return {**core, **context, "alive": alive, "cost": context["cost"] if alive else None, "attempted": attempted,
            "status": status, "cost_while_alive": context["cost"] if status == "deleted" else None,
            "evidence": next(iter(evidence.values()), None)}


def _attempt(timeline: list[Row]) -> Attempt | None:
    """For a resource only ever named in failed calls (it never existed as far as the trail shows): the
    first failed create, else the first failed call; None when a successful call proved it exists."""
    if not timeline or any(not r["failed"] for r in timeline):
        return None
    first = next((r for r in timeline if r["action"] == "create"), timeline[0])
    return {**_point(first), "error_code": first["error_code"], "error_message": first.get("error_message"),
            "attempts": len(timeline)}


def _key(row: Row | None) -> EventKey | None:
    return (row["event_id"], row["event_time"]) if row else None


# A creation's raw record ({} when it cannot be read) and the resources ingest found it named (events.resources).
Creation = tuple[Record, list[dict[str, Any]]]


def _creation_of(store: Store, creation: Row | None) -> Creation | None:
    """The creation's raw record and stored resources, read together from its event's row (the day's files,
    where its time finds a row group or two); None without a creation."""
    if creation is None:
        return None
    source = store.events_from(days=[creation["event_time"].date()], resolved=False)
    found = store.query(f"SELECT raw, resources FROM {source} WHERE event_time = ? AND event_id = ?",
                        [creation["event_time"], creation["event_id"]])
    if not found or not found[0]["raw"]:
        return {}, []
    return cast(Record, orjson.loads(found[0]["raw"])), found[0]["resources"] or []


_RESOURCE_ROW_SQL = f"""SELECT r.*, {ACTUAL_COLUMNS} FROM resources r LEFT JOIN {LATEST_ACTUAL_SQL} ac
    ON {same_resource('ac', 'r')} WHERE r.resource_id = $id AND r.resource_type = $type
    AND r.account_id IS NOT DISTINCT FROM $account"""
# Its inventory row (its resources row with its details), when derived under the price table in use: a publish
# keeps it current with its resources row (derive/inventory.py), as the inventory query reads it
# (current_inventory); there is one only while it is alive.
_INVENTORY_ROW_SQL = f"""SELECT r.*, {ACTUAL_COLUMNS} FROM inventory r LEFT JOIN {LATEST_ACTUAL_SQL} ac
    ON {same_resource('ac', 'r')} WHERE r.resource_id = $id AND r.resource_type = $type
    AND r.account_id IS NOT DISTINCT FROM $account AND r.prices = $prices"""


def _resource_row(store: Store, target: ResourceCandidate, *, maybe_alive: bool) -> list[Row]:
    """The target's inventory row (``stored``: with its details) when it has a current one, else its
    resources row (none when it has none). Inventory is looked in only when its event_resources rows say it
    may be alive: one point lookup, two for an alive one with no current inventory row (another price table)."""
    key = {"id": target["id"], "type": target["type"], "account": target["account"]}
    if maybe_alive and (stored := store.query(_INVENTORY_ROW_SQL, {**key, "prices": prices_version()})):
        return [{**stored[0], "stored": True}]
    return [{**r, "stored": False} for r in store.query(_RESOURCE_ROW_SQL, key)]


# The parents a resource's purpose names that blame lists as related: (purpose key, their type).
_MADE_BY: tuple[tuple[Literal["auto_scaling_group", "stack"], str], ...] = (
    ("auto_scaling_group", "AWS::AutoScaling::AutoScalingGroup"), ("stack", "AWS::CloudFormation::Stack"))


def _context(store: Store, target: ResourceCandidate, result: BlameCore, made: Creation | None, row: list[Row],
             rows: list[Row]) -> BlameContext:
    """What it is for, what it costs, what it relates to, and when it was last touched (``made``: the
    creation's raw record and stored resources, read once for all of these; ``row``: its resources row, if
    any, with its inventory details; ``rows``: the event_resources rows of its spellings, every row of its id
    among them)."""
    details = _details(store, result["created"], made, row[0], rows) if row else None
    related = _referenced_at_creation(made[1], target["id"]) if result["created"] and made is not None else []
    if details:
        for key, rtype in _MADE_BY:
            if parent := details["purpose"].get(key):
                related.insert(0, {"type": rtype, "id": parent, "relation": "made by"})
    return {
        "alive": details["alive"] if details else result["deleted"] is None,
        "tags": details["tags"] if details else {}, "size": details["size"] if details else {},
        "purpose": details["purpose"] if details else None, "cost": details["cost"] if details else None,
        "last_activity": details["last_activity"] if details else None, "related": related,
    }


def _details(store: Store, created: BlamePoint | None, made: Creation | None, row: Row,
             rows: list[Row]) -> InventoryItem:
    """The resource's tags, size, purpose, cost and last activity: its inventory row's when that is current
    (an alive resource), else derived here (a deleted one, or an inventory priced with another table) with
    the creation as blame delegated it (the walk is not made twice)."""
    if row["stored"]:
        item = item_shape({**row, **{c: orjson.loads(row[c]) for c in JSON_COLUMNS}})
    else:
        known = {created["event_id"]: made[0]} if created and made is not None else {}
        same = created if created and created["event_id"] == row["created_event_id"] else None
        item = resource_details(store, row, gather_evidence(store, [row], known, rows), created=same)
    item["cost"]["actual"] = actual_shape(row["actual_usd"], row["actual_period"])  # what the latest bill charged
    return item


def _referenced_at_creation(refs: list[dict[str, Any]], resource_id: str) -> list[RelatedResource]:
    """The other resources the creating call referenced (its subnet, security groups, role...): the refs
    ingest stored with its event, read with its record (events.resources: the rows event_resources has of
    it; that table is sorted by resource, and a lookup of one event's rows there scans it, 7 ms on a store of
    2 million events against 1.5 ms more for this column)."""
    found = {(r["resource_type"], r["resource_id"]) for r in refs
             if r["action"] == "reference" and r["resource_id"] != resource_id}
    return [{"type": t, "id": i, "relation": "referenced at creation"}
            for t, i in sorted(found, key=lambda k: (k[0] is None, k[0] or "", k[1]))]


def _type_matches(actual: str | None, wanted: str) -> bool:
    if not actual:
        return False
    return actual.lower() == wanted.lower() or actual.lower().endswith("::" + wanted.lower())


def _touches(target: ResourceCandidate, rows: list[Row]) -> list[Row]:
    """The target's rows (those of its id, account and type, or untyped), oldest first."""
    touches = [{"event_id": r["event_id"], "event_time": r["event_time"], "action": r["action"], "r_arn": r["arn"],
                "r_name": r["name"], "r_type": r["resource_type"], "r_region": r["aws_region"], "failed": r["failed"]}
               for r in rows if r["resource_id"] == target["id"] and r["account_id"] == target["account"]
               and r["resource_type"] in (target["type"], None)]
    return sorted(touches, key=lambda row: (row["event_time"], row["event_id"], row["r_type"] is None, row["r_type"] or "",
                                            row["action"] or ""))  # (one event may name it typed and untyped)


def _timeline(touches: list[Row], events: dict[EventKey, Row]) -> list[Row]:
    """The touches with their events (``events_by_key``), oldest first."""
    return [dict(events[key], **t) for t in touches if (key := (t["event_id"], t["event_time"])) in events]


def _lifecycle(timeline: list[Row]) -> tuple[Row | None, Row | None]:
    """The current incarnation: its first successful create, and the successful delete that ended it.

    A create after a delete starts a new incarnation (a bucket name reused); a create while the
    resource is alive is an upsert (PutMetricAlarm, PutParameter) and does not change the creator.
    """
    created: Row | None = None
    deleted: Row | None = None
    for row in timeline:
        if row["failed"]:
            continue
        if row["action"] == "create" and (created is None or deleted is not None):
            created, deleted = row, None
        elif row["action"] == "delete" and deleted is None:
            deleted = row
    return created, deleted


def _point(row: Row) -> BlamePoint:
    return {
        "time": iso_z(row["event_time"]), "event_id": row["event_id"], "event_source": row["event_source"],
        "event_name": row["event_name"], "source_ip": row["source_ip"],
        "actor": actor_shape(row), "tool": tool_shape(row),
    }


def _blame_shape(store: Store, target: ResourceCandidate, timeline: list[Row], lifecycle: tuple[Row | None, Row | None],
                 record: Record | None) -> BlameCore:
    created, deleted = lifecycle
    anchor = created or timeline[0]
    arn = (created or {}).get("r_arn") or next((r["r_arn"] for r in timeline if r["r_arn"]), None)
    names = Counter(r["r_name"] for r in timeline if r["r_name"])
    name = (created or {}).get("r_name") or (names.most_common(1)[0][0] if names else None)
    return {
        "resource": {
            "id": target["id"], "arn": arn, "type": target["type"], "account": target["account"],
            "region": anchor["r_region"], "name": name,
        },
        "created": delegate(store, _point(created), record) if created else None,
        "deleted": _point(deleted) if deleted else None,
        "timeline": [
            {
                "time": iso_z(r["event_time"]), "event_id": r["event_id"], "event_name": r["event_name"],
                "actor": actor_shape(r), "tool": tool_shape(r), "error_code": r["error_code"],
                "action": r["action"],
            }
            for r in timeline
        ],
    }
