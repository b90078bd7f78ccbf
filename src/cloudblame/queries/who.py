"""who: explain one identity (access key, principal ARN, user or session name, or a human): who is
behind it, what it did, and which sessions and keys belong to it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import cast

from cloudblame.core.contracts import (
    CreatedResource,
    TopEvent,
    Who,
    WhoActivity,
    WhoKey,
    WhoSession,
)
from cloudblame.core.timeutil import iso_z
from cloudblame.derive.shapes import RESOLVED_ACTOR_SQL, RESOLVED_KIND_SQL, chain_of
from cloudblame.queries import BadInput, NotFound
from cloudblame.store.db import Store

# Events of one identity ($q): its key, principal, user name, role, or the human resolved behind it.
IDENTITY_MATCH = (f"(e.access_key_id = $q OR e.principal = $q OR e.user_name = $q OR e.session_issuer_arn = $q "
          f"OR lower({RESOLVED_ACTOR_SQL}) = lower($q))")


# The columns of an identity's events its summaries read (everything but the raw record, in short).
_COLUMNS = ("event_id", "event_time", "event_source", "event_name", "aws_region", "account_id", "read_only", "error_code",
            "identity_type", "principal", "user_name", "access_key_id", "session_issuer_arn", "tool", "actor",
            "actor_kind", "actor_confidence", "resolved_human", "resolved_kind", "resolved_confidence", "resolved_chain")


@contextmanager
def identity_events(store: Store, query: str) -> Iterator[str]:
    """The events of one identity (IDENTITY_MATCH), read in one scan into a temporary table that the
    summaries then read (each scanning all events, one person's page took ~3 s at 10M events); yields
    the ``FROM`` text, aliased ``e``."""
    with store.temp_table(f"SELECT {', '.join(f'e.{c}' for c in _COLUMNS)} FROM events e WHERE {IDENTITY_MATCH}",
                          {"q": query}) as name:
        yield f"{name} e"


def who(store: Store, query: str, *, limit: int | None = 20) -> Who:
    """Everything the store knows about one identity (``limit`` sessions and created resources; None:
    all); NotFound when no event matches."""
    if limit is not None and limit < 0:
        raise BadInput("limit must be 0 or more")
    with identity_events(store, query) as source:
        return who_in(store, query, source, limit=limit)


def who_in(store: Store, query: str, source: str, *, limit: int | None = 20) -> Who:
    """``who`` over ``source``, the identity's events (``identity_events``)."""
    humans = store.query(
        f"""SELECT {RESOLVED_ACTOR_SQL} AS actor, {RESOLVED_KIND_SQL} AS actor_kind,
                   coalesce(e.resolved_confidence, e.actor_confidence) AS actor_confidence,
                   min(e.resolved_chain) AS session_chain, min(e.principal) AS principal, count(*) AS events
            FROM {source} GROUP BY ALL ORDER BY events DESC, actor, actor_kind, actor_confidence""")
    if not humans:
        raise NotFound(f"no event by an access key, principal, user, session or person named {query!r}")
    return {
        "query": query,
        "humans": [{"human": h["actor"], "kind": h["actor_kind"], "confidence": h["actor_confidence"],
                    "events": h["events"], "chain": chain_of(h)} for h in humans],
        "sessions": _sessions(store, source, limit),
        "keys": _keys(store, source, query),
        "activity": _activity(store, source),
        "created": _created(store, source, limit),
    }


def _limit(limit: int | None) -> tuple[str, dict[str, int]]:
    """`` LIMIT $limit`` and its parameter (nothing: no limit)."""
    return ("", {}) if limit is None else (" LIMIT $limit", {"limit": limit})


def _sessions(store: Store, source: str, limit: int | None) -> list[WhoSession]:
    """The identity's sessions, latest first, each with the credential-issuing event that made its key (the
    first, by time then event id, when several did)."""
    clause, params = _limit(limit)
    rows = store.query(
        f"""SELECT e.access_key_id, e.principal, e.identity_type, min(e.event_time) AS first, max(e.event_time) AS last,
                   count(*) AS events, min({{'time': c.event_time, 'id': c.event_id, 'name': c.event_name}}) AS issued
            FROM {source} LEFT JOIN credentials c ON c.issued_key = e.access_key_id
            GROUP BY ALL ORDER BY last DESC, e.access_key_id, e.principal, e.identity_type{clause}""", params)
    return [{"access_key_id": r["access_key_id"], "principal": r["principal"], "identity_type": r["identity_type"],
             "first": iso_z(r["first"]), "last": iso_z(r["last"]), "events": r["events"],
             "issued_by": (r["issued"] or {}).get("id"), "issued_with": (r["issued"] or {}).get("name")} for r in rows]


def _keys(store: Store, source: str, query: str) -> list[WhoKey]:
    """Long-term keys the identity used, and keys minted for its user name (CreateAccessKey)."""
    rows = store.query(
        f"""SELECT c.issued_key, c.owner, c.event_time, c.event_id FROM credentials c
            WHERE c.event_name = 'CreateAccessKey' AND (c.owner = $q OR c.issued_key = $q OR c.owner IN (
                SELECT e.user_name FROM {source} WHERE e.identity_type = 'IAMUser'))
            ORDER BY c.event_time, c.event_id""", {"q": query})
    used = store.query(f"SELECT DISTINCT e.access_key_id FROM {source} WHERE e.access_key_id LIKE 'AKIA%' ORDER BY 1")
    minted = {r["issued_key"]: r for r in rows}
    keys: list[WhoKey] = [{"access_key_id": k, "created": iso_z(r["event_time"]), "created_event": r["event_id"], "owner": r["owner"]}
            for k, r in minted.items()]
    keys += [{"access_key_id": u["access_key_id"], "created": None, "created_event": None, "owner": None}
             for u in used if u["access_key_id"] not in minted]
    return keys


def _activity(store: Store, source: str) -> WhoActivity:
    totals = store.query(
        f"""SELECT count(*) AS events, count(*) FILTER (WHERE NOT coalesce(e.read_only, false)) AS writes,
                   count(*) FILTER (WHERE e.error_code IS NOT NULL) AS errors,
                   min(e.event_time) AS first, max(e.event_time) AS last,
                   list(DISTINCT e.tool ORDER BY e.tool) AS tools,
                   list(DISTINCT e.aws_region ORDER BY e.aws_region) AS regions,
                   list(DISTINCT e.account_id ORDER BY e.account_id) AS accounts
            FROM {source}""")[0]
    top = store.query(
        f"""SELECT e.event_source, e.event_name, count(*) AS events FROM {source}
            GROUP BY ALL ORDER BY events DESC, e.event_name, e.event_source LIMIT 10""")
    return {"events": totals["events"], "writes": totals["writes"], "errors": totals["errors"],
            "first": iso_z(totals["first"]), "last": iso_z(totals["last"]), "tools": totals["tools"],
            "regions": totals["regions"], "accounts": totals["accounts"], "top_events": cast(list[TopEvent], top)}


def _created(store: Store, source: str, limit: int | None) -> list[CreatedResource]:
    clause, params = _limit(limit)
    rows = store.query(
        f"""SELECT r.resource_type, r.resource_id, r.name, r.event_time, r.event_id, r.aws_region
            FROM event_resources r JOIN {source} ON e.event_id = r.event_id AND e.event_time = r.event_time
            WHERE r.action = 'create' AND NOT r.failed
            ORDER BY r.event_time DESC, r.event_id, r.resource_type, r.resource_id, r.name{clause}""", params)
    return [{"type": r["resource_type"], "id": r["resource_id"], "name": r["name"], "time": iso_z(r["event_time"]),
             "event_id": r["event_id"], "region": r["aws_region"]} for r in rows]
