"""event: one CloudTrail event in full (by its id or a unique prefix of 4+ characters, as git allows):
who (the person behind the session and the key), what, from where, with which tool, the resources it
touched, and the raw record as CloudTrail wrote it."""

from __future__ import annotations

from typing import cast

import orjson

from cloudblame.core import contracts
from cloudblame.core.timeutil import iso_z
from cloudblame.derive.shapes import EVENT_SUMMARY_SQL, event_summary, resources_shape
from cloudblame.queries import Ambiguous, BadInput, NotFound
from cloudblame.store.db import Store

MIN_PREFIX = 4  # the shortest event id prefix looked up (as git: 4 characters)


CANDIDATES = 10  # the events an ambiguous prefix lists


def resolve_event_id(store: Store, event_id: str) -> str:
    """The full eventID for ``event_id`` or a unique prefix of it (at least MIN_PREFIX characters, as
    git allows); BadInput when shorter, Ambiguous (with candidates) or NotFound."""
    if store.scalar("SELECT count(*) FROM event_rows WHERE event_id = ?", [event_id]):
        return event_id
    if len(event_id) < MIN_PREFIX:
        raise BadInput(f"event id {event_id!r} is too short: give the whole id or at least {MIN_PREFIX} characters")
    matches = store.query(
        "SELECT event_id AS id, event_time, event_name, account_id AS account FROM event_rows "
        "WHERE starts_with(event_id, ?) ORDER BY event_id LIMIT ?", [event_id, CANDIDATES + 1])
    if len(matches) == 1:
        return str(matches[0]["id"])
    if matches:
        shown: list[contracts.EventCandidate] = [
            {"id": m["id"], "event_name": m["event_name"], "account": m["account"], "time": iso_z(m["event_time"])}
            for m in matches[:CANDIDATES]]
        count = f"more than {CANDIDATES}" if len(matches) > CANDIDATES else str(len(matches))
        raise Ambiguous(f"event id prefix {event_id!r} is ambiguous: {count} events match; give more characters",
                        shown)
    raise NotFound(f"no event with id {event_id!r} in the store")


def get_event(store: Store, event_id: str) -> contracts.EventDetail:
    """One event in full (``event_id`` may be a unique prefix): summary, identity details, resources, raw record."""
    event_id = resolve_event_id(store, event_id)
    rows = store.query(f"SELECT {EVENT_SUMMARY_SQL}, e.raw, e.origin, e.user_name AS username, e.resources, "
                       "e.session_issuer_arn, e.source_identity, "
                       "e.event_type, e.event_category, e.shared_event_id "
                       "FROM events e WHERE e.event_id = ?", [event_id])
    if not rows:
        raise NotFound(f"no event with id {event_id!r} in the store")
    row = rows[0]
    summary = event_summary(row)
    raw = cast(contracts.Record, orjson.loads(row["raw"]))  # a JSON object: ingest keeps no other record
    request_id = raw.get("requestID") if isinstance(raw, dict) else None  # not a column: read where shown
    actor: contracts.EventDetailActor = {
        **summary["actor"], "username": row["username"],
        "access_key_id": row["access_key_id"], "session_issuer": row["session_issuer_arn"],
        "source_identity": row["source_identity"], "invoked_by": row["invoked_by"],
    }
    return {**summary, "actor": actor, "error_message": row["error_message"], "event_type": row["event_type"],
            "event_category": row["event_category"],
            "request_id": request_id[:256] if isinstance(request_id, str) and request_id else None,
            "shared_event_id": row["shared_event_id"], "origin": row["origin"], "resources": resources_shape(row),
            "raw": raw}
