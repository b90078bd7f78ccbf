"""blame: who created a resource, when, with what tool, whether it was deleted, and its timeline."""

from __future__ import annotations

from collections import Counter

from cloudblame.queries import Ambiguous, NotFound
from cloudblame.queries.delegation import delegate
from cloudblame.queries.shapes import EVENT_SUMMARY_SQL, EVENTS_FROM, actor_shape, tool_shape
from cloudblame.store.db import Store
from cloudblame.timeutil import iso_z

_MATCH = "(r.resource_id = ? OR r.arn = ? OR r.name = ? OR lower(r.resource_id) = lower(?))"


def find_resources(store: Store, query: str) -> list[dict]:
    """Distinct resources (type, id, account) whose id, ARN or name is ``query``."""
    rows = store.query(
        f"""SELECT r.resource_type AS type, r.resource_id AS id, r.account_id AS account,
                   count(*) AS events, bool_or(r.action = 'create' AND NOT r.failed) AS created
            FROM event_resources r WHERE {_MATCH}
            GROUP BY ALL ORDER BY created DESC, events DESC, id""",
        [query, query, query, query],
    )
    return _merge_untyped(rows)


def _merge_untyped(rows: list[dict]) -> list[dict]:
    """A reference whose type is unknown belongs to the typed resource with the same id, if one."""
    typed = {(r["id"], r["account"]) for r in rows if r["type"]}
    return [r for r in rows if r["type"] or (r["id"], r["account"]) not in typed]


def blame(store: Store, query: str, *, resource_type: str | None = None, account: str | None = None) -> dict:
    """The blame of one resource; NotFound or Ambiguous when ``query`` does not name exactly one."""
    candidates = find_resources(store, query)
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
    timeline = _timeline_rows(store, target)
    result = _blame_shape(store, target, timeline)
    result.update(_context(store, target, result))
    return result


def _context(store: Store, target: dict, result: dict) -> dict:
    """What it is for, what it costs, what it relates to, and when it was last touched."""
    from cloudblame.queries.inventory import resource_details

    row = store.query("SELECT * FROM resources WHERE resource_type = ? AND resource_id = ? "
                      "AND account_id IS NOT DISTINCT FROM ?", [target["type"], target["id"], target["account"]])
    details = resource_details(store, row[0]) if row else None
    related = []
    if result["created"]:
        related = store.query(
            "SELECT resource_type AS type, resource_id AS id, 'referenced at creation' AS relation "
            "FROM event_resources WHERE event_id = ? AND action = 'reference' AND resource_id <> ? ORDER BY 1, 2",
            [result["created"]["event_id"], target["id"]])
    if details:
        for key, rtype in (("auto_scaling_group", "AWS::AutoScaling::AutoScalingGroup"),
                           ("stack", "AWS::CloudFormation::Stack")):
            if details["purpose"].get(key):
                related.insert(0, {"type": rtype, "id": details["purpose"][key], "relation": "made by"})
    return {
        "alive": details["alive"] if details else result["deleted"] is None,
        "tags": details["tags"] if details else {}, "size": details["size"] if details else {},
        "purpose": details["purpose"] if details else None, "cost": details["cost"] if details else None,
        "last_activity": details["last_activity"] if details else None, "related": related,
    }


def _type_matches(actual: str | None, wanted: str) -> bool:
    if not actual:
        return False
    return actual.lower() == wanted.lower() or actual.lower().endswith("::" + wanted.lower())


def _timeline_rows(store: Store, target: dict) -> list[dict]:
    type_clause = "(r.resource_type = ? OR r.resource_type IS NULL)" if target["type"] else "r.resource_type IS NULL"
    params = [target["id"]] + ([target["type"]] if target["type"] else [])
    account_clause = "r.account_id = ?" if target["account"] else "r.account_id IS NULL"
    params += [target["account"]] if target["account"] else []
    return store.query(
        f"""SELECT {EVENT_SUMMARY_SQL}, r.action, r.arn AS r_arn, r.name AS r_name,
                   r.resource_type AS r_type, r.aws_region AS r_region, r.failed
            FROM event_resources r JOIN {EVENTS_FROM} ON e.event_id = r.event_id AND e.event_time = r.event_time
            WHERE r.resource_id = ? AND {type_clause} AND {account_clause}
            ORDER BY e.event_time, e.event_id""",
        params,
    )


def _lifecycle(timeline: list[dict]) -> tuple[dict | None, dict | None]:
    """The current incarnation: its first successful create, and the successful delete that ended it.

    A create after a delete starts a new incarnation (a bucket name reused); a create while the
    resource is alive is an upsert (PutMetricAlarm, PutParameter) and does not change the creator.
    """
    created = deleted = None
    for row in timeline:
        if row["failed"]:
            continue
        if row["action"] == "create" and (created is None or deleted is not None):
            created, deleted = row, None
        elif row["action"] == "delete" and deleted is None:
            deleted = row
    return created, deleted


def _point(row: dict | None) -> dict | None:
    if row is None:
        return None
    return {
        "time": iso_z(row["event_time"]), "event_id": row["event_id"], "event_source": row["event_source"],
        "event_name": row["event_name"], "source_ip": row["source_ip"],
        "actor": actor_shape(row), "tool": tool_shape(row),
    }


def _blame_shape(store: Store, target: dict, timeline: list[dict]) -> dict:
    created, deleted = _lifecycle(timeline)
    anchor = created or timeline[0]
    arn = (created or {}).get("r_arn") or next((r["r_arn"] for r in timeline if r["r_arn"]), None)
    names = Counter(r["r_name"] for r in timeline if r["r_name"])
    name = (created or {}).get("r_name") or (names.most_common(1)[0][0] if names else None)
    return {
        "resource": {
            "id": target["id"], "arn": arn, "type": target["type"], "account": target["account"],
            "region": anchor["r_region"], "name": name,
        },
        "created": delegate(store, _point(created)) if created else None,
        "deleted": _point(deleted),
        "timeline": [
            {
                "time": iso_z(r["event_time"]), "event_id": r["event_id"], "event_name": r["event_name"],
                "actor": actor_shape(r), "tool": tool_shape(r), "error_code": r["error_code"],
                "action": r["action"],
            }
            for r in timeline
        ],
    }
