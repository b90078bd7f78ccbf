"""events: the console's Event History (every lookup attribute) plus account, region, error, tool
and time filters, combinable, newest first; and one event in full."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime

import orjson

from cloudblame.queries import NotFound
from cloudblame.queries.shapes import EVENT_SUMMARY_SQL, EVENTS_FROM, RESOLVED_ACTOR_SQL, event_summary
from cloudblame.store.db import Store

MAX_LIMIT = 100_000


@dataclass
class EventFilter:
    event_name: str | None = None
    event_source: str | None = None
    event_id: str | None = None
    read_only: bool | None = None  # True: only reads, False: only writes, None: both
    resource_name: str | None = None
    resource_type: str | None = None
    username: str | None = None
    access_key: str | None = None
    account: str | None = None
    region: str | None = None
    error: bool = False  # only failed calls
    error_code: str | None = None
    tool: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 50

    def active(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)
                if f.name != "limit" and getattr(self, f.name) not in (None, False)}


def _source(value: str) -> str:
    """``ec2`` means ``ec2.amazonaws.com``."""
    return value if "." in value else f"{value}.amazonaws.com"


def _where(f: EventFilter) -> tuple[str, list]:
    clauses: list[str] = []
    params: list = []

    def add(sql: str, *values) -> None:
        clauses.append(sql)
        params.extend(values)

    if f.event_name:
        add("e.event_name = ?", f.event_name)
    if f.event_source:
        add("e.event_source = ?", _source(f.event_source))
    if f.event_id:
        add("e.event_id = ?", f.event_id)
    if f.read_only is not None:
        add("e.read_only = ?", f.read_only)
    if f.username:
        add(f"(lower(e.user_name) = lower(?) OR lower({RESOLVED_ACTOR_SQL}) = lower(?))", f.username, f.username)
    if f.access_key:
        add("e.access_key_id = ?", f.access_key)
    if f.account:
        add("e.account_id = ?", f.account)
    if f.region:
        add("e.aws_region = ?", f.region)
    if f.error:
        add("e.error_code IS NOT NULL")
    if f.error_code:
        add("e.error_code = ?", f.error_code)
    if f.tool:
        add("e.tool = ?", f.tool)
    if f.since:
        add("e.event_time >= ?", f.since)
    if f.until:
        add("e.event_time <= ?", f.until)
    if f.resource_name or f.resource_type:
        sub, sub_params = _resource_clause(f)
        add(sub, *sub_params)
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def _resource_clause(f: EventFilter) -> tuple[str, list]:
    parts, params = [], []
    if f.resource_name:
        parts.append("(r.resource_id = ? OR r.arn = ? OR r.name = ?)")
        params += [f.resource_name] * 3
    if f.resource_type:
        parts.append("(lower(r.resource_type) = lower(?) OR lower(r.resource_type) LIKE '%::' || lower(?))")
        params += [f.resource_type] * 2
    return f"e.event_id IN (SELECT r.event_id FROM event_resources r WHERE {' AND '.join(parts)})", params


def search_events(store: Store, f: EventFilter) -> list[dict]:
    """Events matching every filter of ``f``, newest first, at most ``f.limit``."""
    if not 1 <= f.limit <= MAX_LIMIT:
        raise ValueError(f"limit must be between 1 and {MAX_LIMIT}")
    where, params = _where(f)
    rows = store.query(
        f"SELECT {EVENT_SUMMARY_SQL} FROM {EVENTS_FROM}{where} ORDER BY e.event_time DESC, e.event_id LIMIT ?",
        params + [f.limit],
    )
    resources = _resources_of(store, [r["event_id"] for r in rows])
    out = []
    for row in rows:
        item = event_summary(row)
        item["resources"] = resources.get(row["event_id"], [])
        out.append(item)
    return out


def _resources_of(store: Store, event_ids: list[str]) -> dict[str, list[dict]]:
    if not event_ids:
        return {}
    rows = store.query(
        """SELECT event_id, resource_type, resource_id, arn, name, action FROM event_resources
           WHERE event_id IN (SELECT unnest(?::VARCHAR[]))
           ORDER BY event_id, CASE action WHEN 'create' THEN 0 WHEN 'delete' THEN 1 WHEN 'modify' THEN 2 ELSE 3 END,
                    resource_type, resource_id""",
        [event_ids],
    )
    out: dict[str, list[dict]] = {}
    for r in rows:
        out.setdefault(r["event_id"], []).append(
            {"type": r["resource_type"], "id": r["resource_id"], "arn": r["arn"], "name": r["name"],
             "action": r["action"]}
        )
    return out


def resolve_event_id(store: Store, event_id: str) -> str:
    """The full eventID for ``event_id`` or a unique prefix of it (at least 6 characters, as git allows)."""
    if store.scalar("SELECT count(*) FROM events WHERE event_id = ?", [event_id]):
        return event_id
    if len(event_id) >= 6:
        matches = [r[0] for r in store.conn.execute(
            "SELECT event_id FROM events WHERE starts_with(event_id, ?) LIMIT 2", [event_id]).fetchall()]
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise NotFound(f"event id prefix {event_id!r} is ambiguous: give more characters")
    raise NotFound(f"no event with id {event_id!r} in the store")


def get_event(store: Store, event_id: str) -> dict:
    """One event in full (``event_id`` may be a unique prefix): summary, identity details, resources, raw record."""
    event_id = resolve_event_id(store, event_id)
    rows = store.query(f"SELECT {EVENT_SUMMARY_SQL}, e.raw, e.origin, e.user_name AS username, "
                       "e.session_issuer_arn, e.source_identity, "
                       "e.event_type, e.event_category, e.shared_event_id, e.request_id "
                       f"FROM {EVENTS_FROM} WHERE e.event_id = ?", [event_id])
    if not rows:
        raise NotFound(f"no event with id {event_id!r} in the store")
    row = rows[0]
    item = event_summary(row)
    item["error_message"] = row["error_message"]
    item["event_type"] = row["event_type"]
    item["event_category"] = row["event_category"]
    item["request_id"] = row["request_id"]
    item["shared_event_id"] = row["shared_event_id"]
    item["actor"].update({
        "username": row["username"],
        "access_key_id": row["access_key_id"], "session_issuer": row["session_issuer_arn"],
        "source_identity": row["source_identity"], "invoked_by": row["invoked_by"],
    })
    item["origin"] = row["origin"]
    item["resources"] = _resources_of(store, [event_id]).get(event_id, [])
    item["raw"] = orjson.loads(row["raw"])
    return item
