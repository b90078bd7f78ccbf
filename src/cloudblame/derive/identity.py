"""Identity resolution: the human behind every role session (reference §2.4 step 9).

Each session (access key + principal) whose calls name no human on their own is kept in session_keys
(added to as events arrive). The walk links each to the credential event that issued it, by the exact key
(``credentials.issued_key``) or, failing that, by the assumed-role ARN and a session creation time within
a few seconds of the issuing event (IAM Identity Center, keys not logged), in any region or account. The
issuing event's caller is then resolved the same way, up the chain (role chaining), until an identity that
names its human (IAM user, root, Identity Center user, SAML or web-identity subject, source identity, AWS
service) is reached. The walk reads session_keys and credentials only (derived tables, not the events),
so a session explained by an STS event that arrives later is resolved then; ``session_actors`` is its
result, and the sessions whose human changed are what the publish updates downstream.
"""

from __future__ import annotations

import pyarrow as pa

from cloudblame.derive.work import Work
from cloudblame.store.tables import SESSION_ACTORS, SESSION_KEYS

MAX_HOPS = 10
FUZZY_SECONDS = 5
KEYS = ("access_key_id", "principal")

_FIRST = "(first_time, first_event_id)"
# The sessions of the new events, folded into what session_keys already holds for them.
SESSION_KEYS_SQL = f"""
WITH fresh AS (
    SELECT access_key_id, principal, min(session_created) AS created, min(event_time) AS first_time,
           arg_min(event_id, (event_time, event_id)) AS first_event_id,
           arg_min(account_id, (event_time, event_id)) AS account_id,
           arg_min(actor, (event_time, event_id)) AS own_actor, arg_min(actor_kind, (event_time, event_id)) AS own_kind
    FROM new_events
    WHERE actor_confidence = 'low' AND access_key_id IS NOT NULL AND principal IS NOT NULL GROUP BY ALL
), both_ AS (
    SELECT * FROM fresh
    UNION ALL BY NAME
    SELECT k.* FROM session_keys k SEMI JOIN fresh f USING (access_key_id, principal)
)
SELECT access_key_id, principal, min(created) AS created, min(first_time) AS first_time,
       arg_min(first_event_id, {_FIRST}) AS first_event_id, arg_min(account_id, {_FIRST}) AS account_id,
       arg_min(own_actor, {_FIRST}) AS own_actor, arg_min(own_kind, {_FIRST}) AS own_kind
FROM both_ GROUP BY ALL"""

_WALK = f"""
WITH RECURSIVE links AS (
    SELECT access_key_id, principal, event_id, linked_by FROM (
        SELECT s.access_key_id, s.principal, c.event_id, 'access-key' AS linked_by, 0 AS rank,
               CASE WHEN c.caller_identity_type = 'AWSAccount' THEN 1 ELSE 0 END AS copy_rank, 0 AS gap
        FROM session_keys s JOIN credentials c ON c.issued_key = s.access_key_id
        UNION ALL
        SELECT s.access_key_id, s.principal, c.event_id, 'role-session-and-time' AS linked_by, 1 AS rank,
               CASE WHEN c.caller_identity_type = 'AWSAccount' THEN 1 ELSE 0 END AS copy_rank,
               abs(epoch(c.event_time) - epoch(s.created)) AS gap
        FROM session_keys s JOIN credentials c ON c.assumed_arn = s.principal
        WHERE s.created IS NOT NULL AND abs(epoch(c.event_time) - epoch(s.created)) <= {FUZZY_SECONDS}
    )
    QUALIFY row_number() OVER (PARTITION BY access_key_id, principal ORDER BY rank, copy_rank, gap, event_id) = 1
), link_events AS (
    SELECT event_id, event_name, caller_key AS access_key_id, caller_principal AS principal,
           caller_actor AS actor, caller_kind AS actor_kind, caller_confidence AS actor_confidence
    FROM credentials WHERE event_id IN (SELECT event_id FROM links)
), walk(access_key_id, principal, depth, cur_key, cur_principal, hops, last_event, done) AS (
    SELECT access_key_id, principal, 0, access_key_id, principal,
           []::STRUCT(principal VARCHAR, how VARCHAR, linked_by VARCHAR, event_id VARCHAR)[], NULL::VARCHAR, false
    FROM links
    UNION ALL
    SELECT w.access_key_id, w.principal, w.depth + 1, ie.access_key_id, ie.principal,
           list_prepend({{'principal': w.cur_principal, 'how': ie.event_name, 'linked_by': l.linked_by,
                          'event_id': ie.event_id}}, w.hops),
           ie.event_id,
           ie.actor_confidence = 'high' OR ie.access_key_id IS NULL OR ie.principal IS NULL
    FROM walk w
    JOIN links l ON l.access_key_id = w.cur_key AND l.principal = w.cur_principal
    JOIN link_events ie ON ie.event_id = l.event_id
    WHERE NOT w.done AND w.depth < {MAX_HOPS}
), ends AS (
    SELECT * FROM walk WHERE depth > 0
    QUALIFY row_number() OVER (PARTITION BY access_key_id, principal ORDER BY depth DESC) = 1
)
-- a session an AWS service issued to an instance or function is that resource's (who launched it is
-- the resource's own blame); any other chain ends at the identity that names the human
SELECT w.access_key_id, w.principal,
       CASE WHEN top.actor_kind = 'service' AND s.own_kind IN ('instance', 'resource') THEN s.own_actor ELSE top.actor END AS human,
       CASE WHEN top.actor_kind = 'service' AND s.own_kind IN ('instance', 'resource') THEN s.own_kind ELSE top.actor_kind END AS kind,
       CASE WHEN top.actor_confidence = 'high' THEN 'high' ELSE 'low' END AS confidence,
       to_json(list_prepend({{'principal': coalesce(top.principal, top.actor), 'how': top.actor_kind,
                             'linked_by': 'identity', 'event_id': NULL::VARCHAR}}, w.hops))::VARCHAR AS chain
FROM ends w JOIN link_events top ON top.event_id = w.last_event
JOIN session_keys s ON s.access_key_id = w.access_key_id AND s.principal = w.principal
"""

# Sessions whose human (or kind) is not what it was: what resources, activity and the inventory follow.
_CHANGED = """
SELECT coalesce(n.access_key_id, o.access_key_id) AS access_key_id, coalesce(n.principal, o.principal) AS principal
FROM {new} n FULL OUTER JOIN {old} o ON n.access_key_id = o.access_key_id AND n.principal = o.principal
WHERE n.human IS DISTINCT FROM o.human OR n.kind IS DISTINCT FROM o.kind"""


def resolve_sessions(work: Work) -> pa.Table:
    """Fold the new events' sessions into session_keys and walk every session again; returns the
    (access_key_id, principal) of the sessions whose human changed."""
    store = work.store
    with store.temp_table(SESSION_KEYS_SQL) as fresh:
        if store.scalar(f"SELECT count(*) FROM {fresh}"):
            work.upsert(SESSION_KEYS, fresh, KEYS)
    with store.temp_table("SELECT * FROM session_actors") as old, store.temp_table(_WALK) as new:
        changed = store.arrow(_CHANGED.format(new=new, old=old))
        differs = store.scalar(f"SELECT count(*) FROM ((SELECT * FROM {new} EXCEPT SELECT * FROM {old}) "
                               f"UNION ALL (SELECT * FROM {old} EXCEPT SELECT * FROM {new}))")
        if differs:
            work.replace_all(SESSION_ACTORS, f"SELECT * FROM {new}")
    return changed

