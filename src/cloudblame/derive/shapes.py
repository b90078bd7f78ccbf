"""The stable JSON shapes shared by every query (actor, tool, event summary)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import cast

import orjson

from cloudblame.core.contracts import Actor, ChainHop, EventResource, EventSummary, Record, Tool
from cloudblame.core.timeutil import iso_z, parse_event_time
from cloudblame.store.db import Row, Store

__all__ = [
    "EVENTS_FROM",
    "EVENT_SUMMARY_SQL",
    "RESOLVED_ACTOR_SQL",
    "RESOLVED_KIND_SQL",
    "EventKey",
    "actor_shape",
    "chain_of",
    "event_summary",
    "events_by_key",
    "raw_record",
    "records_by_key",
    "resources_shape",
    "tool_shape",
]

# The human (and kind) behind an event of ``events e``: resolved through the credential chain, else its own.
RESOLVED_ACTOR_SQL = "coalesce(e.resolved_human, e.actor)"
RESOLVED_KIND_SQL = "coalesce(e.resolved_kind, e.actor_kind)"
EVENTS_FROM = "events e"  # the events with their sessions' resolution (store/db.py)

EVENT_SUMMARY_COLUMNS = (
    "event_id", "event_time", "event_source", "event_name", "aws_region", "account_id", "read_only",
    "error_code", "error_message", "source_ip", "user_agent", "identity_type", "principal", "session_name",
    "user_name", "access_key_id", "tool", "tool_version", "invoked_by",
)
EVENT_SUMMARY_SQL = ", ".join(f"e.{c}" for c in EVENT_SUMMARY_COLUMNS) + (
    f", {RESOLVED_ACTOR_SQL} AS actor, {RESOLVED_KIND_SQL} AS actor_kind, "
    "coalesce(e.resolved_confidence, e.actor_confidence) AS actor_confidence, e.resolved_chain AS session_chain")


# An event's key: (event_id, event_time): the events table has no index over eventIDs, the time finds its rows.
EventKey = tuple[str, datetime]


def chain_of(row: Row) -> list[ChainHop]:
    """The hops from the identity that names the human to the call: the resolved session's chain, or
    the call's own identity when the record names its human itself."""
    if row.get("session_chain"):
        return cast(list[ChainHop], orjson.loads(row["session_chain"]))  # written by derive/identity.py
    return [{"principal": row.get("principal") or row.get("actor"), "how": row.get("actor_kind"),
             "linked_by": "identity", "event_id": None}]


def actor_shape(row: Row) -> Actor:
    """``human`` and the principal of the call, how sure we are, and the chain from the human to the call."""
    return {
        "human": row.get("actor"),
        "principal": row.get("principal"),
        "identity_type": row.get("identity_type"),
        "session_name": row.get("session_name"),
        "kind": row.get("actor_kind"),
        "confidence": row.get("actor_confidence"),
        "chain": chain_of(row),
    }


def tool_shape(row: Row) -> Tool:
    return {"id": row.get("tool"), "version": row.get("tool_version"), "user_agent": row.get("user_agent")}


def event_summary(row: Row) -> EventSummary:
    """The shape of one event in lists (events search, timelines' source rows)."""
    return {
        "time": iso_z(row["event_time"]),
        "event_id": row["event_id"],
        "event_source": row["event_source"],
        "event_name": row["event_name"],
        "region": row.get("aws_region"),
        "account": row.get("account_id"),
        "read_only": row.get("read_only"),
        "error_code": row.get("error_code"),
        "source_ip": row.get("source_ip"),
        "actor": actor_shape(row),
        "tool": tool_shape(row),
    }


def raw_record(store: Store, event_id: str, event_time: str | datetime | None = None) -> Record | None:
    """The raw record of one event. Give its time when known: the store has no index over eventIDs,
    and the time picks the day's data files and, in them, a row group or two."""
    when = parse_event_time(event_time) if isinstance(event_time, str) else event_time
    if when is not None:
        source = store.events_from(days=[when.date()], resolved=False)
        raw = store.scalar(f"SELECT raw FROM {source} WHERE event_time = ? AND event_id = ?", [when, event_id])
    else:
        raw = store.scalar("SELECT raw FROM event_rows WHERE event_id = ?", [event_id])
    return cast(Record, orjson.loads(raw)) if raw else None


# Up to this many keys, events are fetched by filters on (event_time, event_id) that min/max zone maps
# answer from a row group or two each; beyond it, by a hash join against the keys (one scan).
POINT_LOOKUPS = 2_000


def events_by_key(store: Store, keys: Iterable[EventKey], columns: str = EVENT_SUMMARY_SQL, *,
                  actors: bool = True) -> dict[EventKey, Row]:
    """``columns`` (SQL over ``events e``, with the sessions' resolution when ``actors``) of the events with
    these (event_id, event_time) keys, by key: read from the data files of the keys' days only, where the
    times find a row group or two. (Without the resolution, a fetch of many raw records ran 4x faster.)"""
    unique = list(dict.fromkeys((k[0], k[1]) for k in keys))
    if not unique:
        return {}
    ids, times = [k[0] for k in unique], [k[1] for k in unique]
    # the keys' time span first: zone maps skip every row group outside it (keys close in time: a few)
    span, span_params = "e.event_time BETWEEN ?::TIMESTAMP AND ?::TIMESTAMP", [min(times), max(times)]
    params: list[object]
    if len(unique) <= POINT_LOOKUPS:
        join, where, params = "", f"WHERE {span} AND e.event_time = ANY(?::TIMESTAMP[]) AND e.event_id = ANY(?::VARCHAR[])", [
            *span_params, sorted(set(times)), ids]
    else:
        join, where, params = ("SEMI JOIN (SELECT unnest(?::VARCHAR[]) AS id, unnest(?::TIMESTAMP[]) AS t) k "
                               "ON e.event_id = k.id AND e.event_time = k.t"), f"WHERE {span}", [ids, times, *span_params]
    wanted = set(unique)
    source = store.events_from(days={t.date() for t in times}, resolved=actors) + " e"
    rows = store.query(f"SELECT e.event_id AS _id, e.event_time AS _time, {columns} FROM {source} {join} {where}",
                       params)
    return {(r.pop("_id"), r.pop("_time")): r for r in rows if (r["_id"], r["_time"]) in wanted}


def records_by_key(store: Store, keys: Iterable[EventKey]) -> dict[EventKey, Record]:
    """The raw records (parsed) of the events with these (event_id, event_time) keys, by key."""
    found = events_by_key(store, keys, "e.raw AS raw", actors=False)
    return {key: cast(Record, orjson.loads(row["raw"])) for key, row in found.items()}


_ACTION_ORDER = {"create": 0, "delete": 1, "modify": 2}


def resources_shape(row: Row) -> list[EventResource]:
    """The resources an event touched (as normalization found them: events.resources), created and
    deleted first."""
    shown = {(r["resource_type"], r["resource_id"], r["arn"], r["name"], r["action"]): None for r in row["resources"] or ()}
    return [{"type": t, "id": i, "arn": arn, "name": name, "action": action}
            for t, i, arn, name, action in sorted(shown, key=lambda k: (_ACTION_ORDER.get(k[4], 3), k[0] is None,
                                                                         k[0] or "", k[1]))]
