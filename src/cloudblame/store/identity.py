"""Identity resolution over the store: the human behind every role session (reference §2.4 step 9).

Set-based: every session (access key + principal) whose calls name no human on their own is linked
to the credential event that issued it, by the exact key (``credentials.issued_key``) or, failing
that, by the assumed-role ARN and a session creation time within a few seconds of the issuing event
(IAM Identity Center, keys not logged), in any region or account. The issuing event's caller is then
resolved the same way, up the chain (role chaining), until an identity that names its human (IAM
user, root, Identity Center user, SAML or web-identity subject, source identity, AWS service) is
reached. The result, ``session_actors``, is rebuilt after every ingest, so sessions explained by
STS events that arrive later are resolved then; the human found is copied onto the session's events
(``resolved_human``/``resolved_kind``, only rows whose value changes), so queries filter and group by
person over the events table alone.
"""

from __future__ import annotations

import orjson

from cloudblame.normalize.credentials import CREDENTIAL_COLUMNS, ISSUERS, credential_row

# The human (and kind) behind an event of ``events e``: resolved through the credential chain, else its own.
RESOLVED_ACTOR_SQL = "coalesce(e.resolved_human, e.actor)"
RESOLVED_KIND_SQL = "coalesce(e.resolved_kind, e.actor_kind)"
# Events with their session's resolution joined (``sa.confidence``, ``sa.chain``): for rows being shown,
# not for filtering many. Use as ``FROM {EVENTS_FROM}``.
SESSION_JOIN = "LEFT JOIN session_actors sa ON sa.access_key_id = e.access_key_id AND sa.principal = e.principal"
EVENTS_FROM = f"events e {SESSION_JOIN}"

MAX_HOPS = 10
FUZZY_SECONDS = 5

_RESOLVE = f"""
CREATE OR REPLACE TEMP TABLE _sessions AS
SELECT access_key_id, principal, min(session_created) AS created, any_value(account_id) AS account_id,
       any_value(actor) AS own_actor, any_value(actor_kind) AS own_kind
FROM events
WHERE actor_confidence = 'low' AND access_key_id IS NOT NULL AND principal IS NOT NULL
GROUP BY ALL;

CREATE OR REPLACE TEMP TABLE _links AS
SELECT access_key_id, principal, event_id, linked_by FROM (
    SELECT s.access_key_id, s.principal, c.event_id, 'access-key' AS linked_by, 0 AS rank,
           CASE WHEN ie.identity_type = 'AWSAccount' THEN 1 ELSE 0 END AS copy_rank, 0 AS gap
    FROM _sessions s JOIN credentials c ON c.issued_key = s.access_key_id
    JOIN events ie ON ie.event_id = c.event_id
    UNION ALL
    SELECT s.access_key_id, s.principal, c.event_id, 'role-session-and-time' AS linked_by, 1 AS rank,
           CASE WHEN ie.identity_type = 'AWSAccount' THEN 1 ELSE 0 END AS copy_rank,
           abs(epoch(c.event_time) - epoch(s.created)) AS gap
    FROM _sessions s JOIN credentials c ON c.assumed_arn = s.principal
    JOIN events ie ON ie.event_id = c.event_id
    WHERE s.created IS NOT NULL AND abs(epoch(c.event_time) - epoch(s.created)) <= {FUZZY_SECONDS}
)
QUALIFY row_number() OVER (PARTITION BY access_key_id, principal ORDER BY rank, copy_rank, gap, event_id) = 1;

-- the issuing events' fields the walk needs, copied out: joining the recursion to the whole events
-- table made it hash millions of events per step (out of memory at 10M events under a 700 MB cap)
CREATE OR REPLACE TEMP TABLE _link_events AS
SELECT event_id, event_name, access_key_id, principal, actor, actor_kind, actor_confidence FROM events
WHERE event_id IN (SELECT event_id FROM _links);

CREATE OR REPLACE TEMP TABLE _walk AS
WITH RECURSIVE walk(access_key_id, principal, depth, cur_key, cur_principal, hops, last_event, done) AS (
    SELECT access_key_id, principal, 0, access_key_id, principal,
           []::STRUCT(principal VARCHAR, how VARCHAR, linked_by VARCHAR, event_id VARCHAR)[], NULL::VARCHAR, false
    FROM _links
    UNION ALL
    SELECT w.access_key_id, w.principal, w.depth + 1, ie.access_key_id, ie.principal,
           list_prepend({{'principal': w.cur_principal, 'how': ie.event_name, 'linked_by': l.linked_by,
                          'event_id': ie.event_id}}, w.hops),
           ie.event_id,
           ie.actor_confidence = 'high' OR ie.access_key_id IS NULL OR ie.principal IS NULL
    FROM walk w
    JOIN _links l ON l.access_key_id = w.cur_key AND l.principal = w.cur_principal
    JOIN _link_events ie ON ie.event_id = l.event_id
    WHERE NOT w.done AND w.depth < {MAX_HOPS}
)
SELECT * FROM walk WHERE depth > 0
QUALIFY row_number() OVER (PARTITION BY access_key_id, principal ORDER BY depth DESC) = 1;

DELETE FROM session_actors;
-- a session an AWS service issued to an instance or function is that resource's (who launched it is
-- the resource's own blame); any other chain ends at the identity that names the human
INSERT INTO session_actors
SELECT w.access_key_id, w.principal,
       CASE WHEN top.actor_kind = 'service' AND s.own_kind IN ('instance', 'resource') THEN s.own_actor ELSE top.actor END,
       CASE WHEN top.actor_kind = 'service' AND s.own_kind IN ('instance', 'resource') THEN s.own_kind ELSE top.actor_kind END,
       CASE WHEN top.actor_confidence = 'high' THEN 'high' ELSE 'low' END,
       to_json(list_prepend({{'principal': coalesce(top.principal, top.actor), 'how': top.actor_kind,
                             'linked_by': 'identity', 'event_id': NULL::VARCHAR}}, w.hops))
FROM _walk w JOIN _link_events top ON top.event_id = w.last_event
JOIN _sessions s ON s.access_key_id = w.access_key_id AND s.principal = w.principal;

DROP TABLE _sessions; DROP TABLE _links; DROP TABLE _link_events; DROP TABLE _walk;

UPDATE events SET resolved_human = sa.human, resolved_kind = sa.kind FROM session_actors sa
WHERE events.access_key_id = sa.access_key_id AND events.principal = sa.principal
  AND (events.resolved_human IS DISTINCT FROM sa.human OR events.resolved_kind IS DISTINCT FROM sa.kind);
UPDATE events SET resolved_human = NULL, resolved_kind = NULL
WHERE (resolved_human IS NOT NULL OR resolved_kind IS NOT NULL) AND NOT EXISTS (
    SELECT 1 FROM session_actors sa WHERE sa.access_key_id = events.access_key_id AND sa.principal = events.principal);
"""


def resolve_sessions(store) -> int:
    """Rebuild ``session_actors``; returns how many sessions now name a human with high confidence."""
    store.run_script(_RESOLVE)
    return store.scalar("SELECT count(*) FROM session_actors WHERE confidence = 'high'")


def rebuild_credentials(store) -> int:
    """Re-derive ``credentials`` from the raw records (after a migration that added it)."""
    sources = sorted({s for s, _ in ISSUERS})
    names = sorted({n for _, n in ISSUERS})
    rows = store.query(
        "SELECT event_id, event_time, event_source, event_name, account_id, aws_region, shared_event_id, "
        "error_code, user_name, raw FROM events WHERE event_source IN (SELECT unnest(?::VARCHAR[])) "
        "AND event_name IN (SELECT unnest(?::VARCHAR[]))", [sources, names])
    made = [r for r in (credential_row(orjson.loads(e.pop("raw")), e) for e in rows) if r]
    with store.transaction():
        store.execute("DELETE FROM credentials")
        for row in made:
            store.execute(f"INSERT INTO credentials ({', '.join(CREDENTIAL_COLUMNS)}) VALUES "
                          f"({', '.join('?' * len(CREDENTIAL_COLUMNS))})", [row[c] for c in CREDENTIAL_COLUMNS])
    return len(made)


def chain_of(row: dict) -> list[dict]:
    """The hops from the identity that names the human to the call: the resolved session's chain, or
    the call's own identity when the record names its human itself."""
    if row.get("session_chain"):
        return orjson.loads(row["session_chain"])
    return [{"principal": row.get("principal") or row.get("actor"), "how": row.get("actor_kind"),
             "linked_by": "identity", "event_id": None}]
