"""Cost insights, found at publish: bursts of expensive creations (``cost-burst``) and alive resources nobody
put an Owner tag on (``no-owner-tag``).

- ``creations`` (cloudblame.derive.insight_creations) gets the new events' creations, priced once.
- A cost burst: the creations of one person (the human behind the creating session, or the automation's own
  identity where none is known) in one account, each less than ``gap_minutes`` after the one before (cut
  every ``max_burst_hours``), that add ``burst_usd`` a month or more, hold ``burst_expensive`` resources
  that count as expensive, or any GPU or accelerator instance (CostThresholds). Only the bursts the new
  creations fall in are computed again (set-based, over that person's creations), and those of the sessions
  whose human this publish changed (under their old and new person): the insights of the same account and
  person that overlap them are replaced.
- No Owner tag: the alive resources of ``inventory`` of a type that takes tags, created by someone we know,
  that carry none of details.PURPOSE_TAGS['owner_tag']; one insight per account and creator, found again
  from inventory whenever a publish changed it. It lists what is untagged now and goes when nothing is:
  ``end`` stays None, and the insights are the same however the events were published.

SQL finds them; the few insights found are worded in Python.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import orjson
import pyarrow as pa

from cloudblame.catalog import TYPES
from cloudblame.core.insight_contracts import InsightDetails, InsightResource
from cloudblame.core.money import usd
from cloudblame.derive.details import PURPOSE_TAGS
from cloudblame.derive.insight_common import HUMAN_OF_EVENT, SESSION_JOIN, insight_id_sql
from cloudblame.derive.insight_creations import (
    ACCELERATED_WHY,
    EXPENSIVE_TYPES,
    INSTANCE_DIMENSIONS,
    CostThresholds,
    load_cost_thresholds,
    rejudge_creations,
    update_creations,
)
from cloudblame.derive.work import Work
from cloudblame.store.db import Row, Store
from cloudblame.store.tables import INSIGHTS, SESSION_ACTORS

MAX_LISTED = 100  # resources and event ids an insight's details name (the largest first)
_INSTANCE_SQL = "coalesce(" + ", ".join(f"json_extract_string(size, '$.{d}')" for d in INSTANCE_DIMENSIONS) + ")"

# Where bursts may have changed: (account, person, time) of each new creation ({fresh}), and of each creation of
# a session whose human this publish changed ({moved}), under its person now and the one it had ({old}).
DIRTY_SQL = f"""
SELECT e.account_id, {HUMAN_OF_EVENT} AS person, e.created_time FROM {{fresh}} e {SESSION_JOIN}
UNION SELECT e.account_id, {HUMAN_OF_EVENT}, e.created_time FROM creations e {SESSION_JOIN}
      SEMI JOIN {{moved}} m ON m.access_key_id = e.access_key_id AND m.principal = e.principal
UNION SELECT e.account_id, coalesce(o.human, e.actor), e.created_time FROM creations e
      LEFT JOIN {{old}} o ON o.access_key_id = e.access_key_id AND o.principal = e.principal
      SEMI JOIN {{moved}} m ON m.access_key_id = e.access_key_id AND m.principal = e.principal"""
MOVED_SQL = """SELECT DISTINCT access_key_id, principal FROM ((SELECT * FROM session_actors EXCEPT SELECT * FROM {old})
    UNION ALL (SELECT * FROM {old} EXCEPT SELECT * FROM session_actors))"""

# The creations of the accounts and people of {dirty}, numbered into islands (each less than $gap minutes after the
# one before) and parts of them ($max_hours long); those of the islands a point of {dirty} is in or next to.
MEMBERS_SQL = f"""
WITH c AS (SELECT e.*, {HUMAN_OF_EVENT} AS person, coalesce(e.account_id, '') AS a_key,
                  coalesce({HUMAN_OF_EVENT}, '') AS p_key FROM creations e {SESSION_JOIN}),
d AS (SELECT *, coalesce(account_id, '') AS a_key, coalesce(person, '') AS p_key FROM {{dirty}}),
marked AS (SELECT c.*, coalesce(created_time - lag(created_time) OVER w >= to_minutes($gap::BIGINT), true) AS opens
           FROM c SEMI JOIN d ON c.a_key = d.a_key AND c.p_key = d.p_key
           WINDOW w AS (PARTITION BY a_key, p_key ORDER BY created_time, event_id, resource_type, resource_id)),
islands AS (SELECT *, sum(opens::INTEGER) OVER (PARTITION BY a_key, p_key ORDER BY created_time, event_id,
                   resource_type, resource_id ROWS UNBOUNDED PRECEDING) AS island FROM marked),
near AS (SELECT DISTINCT i.a_key, i.p_key, i.island FROM d JOIN islands i
             ON d.a_key = i.a_key AND d.p_key = i.p_key AND i.created_time > d.created_time - to_minutes($gap::BIGINT)
             AND i.created_time < d.created_time + to_minutes($gap::BIGINT)),
spans AS (SELECT i.*, min(created_time) OVER w AS island_start, max(created_time) OVER w AS island_end
          FROM islands i SEMI JOIN near n ON n.a_key = i.a_key AND n.p_key = i.p_key AND n.island = i.island
          WINDOW w AS (PARTITION BY i.a_key, i.p_key, i.island))
SELECT * EXCLUDE (opens, size, a_key, p_key), {_INSTANCE_SQL} AS instance,
       floor((epoch(created_time) - epoch(island_start)) / ($max_hours * 3600))::BIGINT AS part
FROM spans"""

# The bursts of {members} that raise an insight, with what their wording needs: the groups of one type and size,
# the events (oldest first) and callers (most creations first) behind them.
BURSTS_SQL = f"""
WITH m AS (SELECT *, dense_rank() OVER (ORDER BY account_id, person, island, part) AS burst FROM {{members}}),
groups AS (
    SELECT burst, list({{{{'type': resource_type, 'instance': instance, 'count': n, 'usd': usd, 'expensive': expensive}}}}
                       ORDER BY expensive DESC, usd DESC NULLS LAST, n DESC, resource_type, instance) AS groups
    FROM (SELECT burst, resource_type, instance, count(*) AS n, sum(usd_per_month) AS usd, count(expensive) AS expensive
          FROM m GROUP BY ALL) GROUP BY burst),
events AS (SELECT burst, list(event_id ORDER BY first, event_id)[1:{MAX_LISTED}] AS event_ids
           FROM (SELECT burst, event_id, min(created_time) AS first FROM m GROUP BY ALL) GROUP BY burst),
callers AS (SELECT burst, list(principal ORDER BY n DESC, principal) AS principals
            FROM (SELECT burst, principal, count(*) AS n FROM m WHERE principal IS NOT NULL GROUP BY ALL) GROUP BY burst),
b AS (
    SELECT burst, any_value(account_id) AS account_id, any_value(person) AS person, min(created_time) AS start_time,
           max(created_time) AS end_time, count(*) AS resources, sum(usd_per_month) AS usd,
           count(*) FILTER (WHERE usd_per_month IS NULL) AS unpriced, count(expensive) AS expensive,
           count(*) FILTER (WHERE starts_with(expensive, $accelerated)) AS accelerated,
           CASE WHEN count(DISTINCT aws_region) = 1 THEN min(aws_region) END AS aws_region,
           list(DISTINCT resource_type) AS types,
           list({{{{'type': resource_type, 'id': resource_id, 'region': aws_region, 'usd_per_month': usd_per_month,
                 'why': expensive}}}} ORDER BY expensive IS NULL, usd_per_month DESC NULLS LAST, created_time,
                resource_id)[1:{MAX_LISTED}] AS listed
    FROM m GROUP BY burst
    HAVING coalesce(sum(usd_per_month), 0) >= $burst_usd OR count(expensive) >= $burst_expensive
        OR count(*) FILTER (WHERE starts_with(expensive, $accelerated)) > 0)
SELECT b.*, g.groups, e.event_ids, c.principals,
       {insight_id_sql("'cost-burst'", "b.account_id", "b.person", "b.start_time::VARCHAR")} AS insight_id
FROM b JOIN groups g USING (burst) JOIN events e USING (burst) LEFT JOIN callers c USING (burst)"""

# Alive resources of a type that takes tags, created by someone known, without an Owner tag, per account and
# creator.
UNTAGGED_SQL = f"""
WITH u AS (
    SELECT *, coalesce(creator, created_by) AS person FROM inventory
    WHERE alive AND created_event_id IS NOT NULL AND resource_type NOT IN (SELECT unnest($untaggable::VARCHAR[]))
      AND nullif(json_extract_string(purpose, '$.owner_tag'), '') IS NULL)
SELECT account_id, person, min(created_time) AS start_time, count(*) AS resources, sum(usd_per_month) AS usd,
       count(*) FILTER (WHERE usd_per_month IS NULL) AS unpriced,
       CASE WHEN count(DISTINCT region) = 1 THEN min(region) END AS aws_region, list(DISTINCT resource_type) AS types,
       list({{'type': resource_type, 'id': resource_id, 'region': region, 'usd_per_month': usd_per_month, 'why': NULL::VARCHAR}}
            ORDER BY usd_per_month DESC NULLS LAST, created_time, resource_id)[1:{MAX_LISTED}] AS listed,
       list(created_event_id ORDER BY created_time, created_event_id)[1:{MAX_LISTED}] AS event_ids,
       {insight_id_sql("'no-owner-tag'", "account_id", "person")} AS insight_id
FROM u GROUP BY account_id, person"""

# Types AWS gives no tags (their creator cannot be asked to tag them).
UNTAGGABLE = frozenset({
    "AWS::IAM::AccessKey", "AWS::IAM::Group", "AWS::KMS::Alias", "AWS::Lambda::Alias", "AWS::Lambda::LayerVersion",
    "AWS::Lambda::Url", "AWS::AutoScaling::LaunchConfiguration", "AWS::SNS::Subscription", "AWS::EFS::MountTarget",
    "AWS::Config::DeliveryChannel", "AWS::CloudFront::OriginAccessControl",
    "AWS::CloudFront::CloudFrontOriginAccessIdentity", "AWS::CloudFront::CachePolicy", "AWS::CloudFront::Function",
    "AWS::Backup::BackupSelection", "AWS::AppSync::ApiKey", "AWS::Cognito::UserPoolClient",
    "AWS::Cognito::UserPoolDomain", "AWS::IoT::Thing", "AWS::StepFunctions::StateMachineAlias",
    "AWS::SageMaker::NotebookInstanceLifecycleConfig", "AWS::EMR::SecurityConfiguration",
    "AWS::Scheduler::Schedule", "AWS::Events::Connection", "AWS::Events::ApiDestination", "AWS::Events::Archive",
})
_SPACE_BEFORE_WORD = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
NOUNS = {"AWS::EC2::Instance": "instance", "AWS::RDS::DBInstance": "database", "AWS::EC2::EIP": "Elastic IP",
         "AWS::EKS::Nodegroup": "EKS node group", "AWS::SageMaker::NotebookInstance": "SageMaker notebook",
         "AWS::ElastiCache::CacheCluster": "cache cluster", "AWS::ElastiCache::ReplicationGroup": "cache cluster",
         "AWS::S3::Bucket": "S3 bucket", "AWS::Lambda::Function": "Lambda function", **EXPENSIVE_TYPES}


def update_cost_insights(work: Work, rows: str) -> None:
    """The creations of the events of ``rows`` priced into ``creations``; the cost bursts they (and the sessions
    whose human this publish changed) fall in found again, and (when inventory changed) the no-owner-tag
    insights; both written to ``insights`` in place of the ones they replace. Everything is found again when
    ``rows`` is every event or the store's cost thresholds changed."""
    store, thresholds = work.store, load_cost_thresholds(work.lake.root)
    everything = rejudge_creations(work, thresholds) or rows == "event_rows"
    old = "session_actors" if everything else _published_session_actors(work)  # everything: none moved
    with store.temp_table("SELECT * FROM creations WHERE false") as fresh, store.temp_table(SPANS_SQL) as spans, \
            store.temp_table(MOVED_SQL.format(old=old)) as moved:
        new = update_creations(work, rows, fresh, thresholds)
        keep, added = [], []
        if new or everything or store.scalar(f"SELECT count(*) FROM {moved}"):
            dirty = DIRTY_SQL.format(fresh="creations" if everything else fresh, moved=moved, old=old)
            added += _bursts(store, dirty, spans, thresholds)
            keep.append(ALL_OF_KIND.format(kind="cost-burst") if everything else REPLACED_BURSTS_SQL.format(spans=spans))
        if everything or work.changed.get("inventory"):
            keep.append(ALL_OF_KIND.format(kind="no-owner-tag"))
            added += _untagged(store, thresholds)
        if added or (keep and store.scalar(f"SELECT count(*) FROM insights t WHERE NOT ({' AND '.join(keep)})")):
            table = pa.Table.from_pylist(added, schema=INSIGHTS.schema)
            with store.registered(table) as name:
                work.rewrite(INSIGHTS, keep=" AND ".join(keep), add=f"SELECT * FROM {name}")


def _published_session_actors(work: Work) -> str:
    """FROM text of session_actors as the published snapshot holds it (as it is now before the first publish:
    every creation is new then)."""
    snap = work.lake.latest_snapshot()
    version = snap.versions.get(SESSION_ACTORS.name) if snap else None
    if version is None:
        return "session_actors"
    return work.store.files_relation(SESSION_ACTORS.name, work.lake.table(SESSION_ACTORS.name, version).file_uris())


# --- cost bursts

# The bursts a publish finds again (their account, person and island's span), and the insights they replace.
SPANS_SQL = ("SELECT NULL::VARCHAR AS account_id, NULL::VARCHAR AS person, NULL::TIMESTAMP AS island_start, "
             "NULL::TIMESTAMP AS island_end WHERE false")
REPLACED_BURSTS_SQL = """NOT (t.kind = 'cost-burst' AND t.source = 'cloudblame' AND EXISTS (
    SELECT 1 FROM {spans} s WHERE s.account_id IS NOT DISTINCT FROM t.account_id
    AND coalesce(s.person, '') = coalesce(json_extract_string(t.people, '$[0]'), '')
    AND t.start_time <= s.island_end AND t.end_time >= s.island_start))"""
ALL_OF_KIND = "NOT (t.kind = '{kind}' AND t.source = 'cloudblame')"


def _bursts(store: Store, dirty: str, spans: str, t: CostThresholds) -> list[dict[str, Any]]:
    """The cost-burst insights of the bursts the points of ``dirty`` (SQL) fall in or next to; the spans of
    those bursts, and the points, into ``spans``."""
    with store.temp_table(dirty) as points, store.temp_table(
            MEMBERS_SQL.format(dirty=points), {"gap": t.gap_minutes, "max_hours": t.max_burst_hours}) as members:
        store.append_rows(spans, f"SELECT DISTINCT account_id, person, island_start, island_end FROM {members} "
                                 f"UNION SELECT account_id, person, created_time, created_time FROM {points}")
        found = store.query(BURSTS_SQL.format(members=members), {
            "accelerated": ACCELERATED_WHY, "burst_usd": t.burst_usd, "burst_expensive": t.burst_expensive})
    return [_burst(b, t) for b in found]


def _burst(b: Row, t: CostThresholds) -> dict[str, Any]:
    """The insights row of one burst found by BURSTS_SQL."""
    minutes = -(-int((b["end_time"] - b["start_time"]).total_seconds()) // 60)
    high = (b["usd"] or 0) >= t.high_usd or b["accelerated"] > 0
    when = "" if b["resources"] == 1 else " at once" if minutes == 0 else f" in {_duration(minutes)}"
    details: InsightDetails = {
        "resources": [_resource(r) for r in b["listed"]], "event_ids": b["event_ids"],
        "principals": b["principals"] or [], "reason": _burst_reason(b, t)}
    return _row(b, kind="cost-burst", severity="high" if high else "medium", end=b["end_time"], minutes=minutes,
                summary=f"{b['person'] or 'someone unknown'} {_verb(b)} {_what(b['groups'], b['resources'])}{when}: "
                        f"+{_per_month(b['usd'], b['unpriced'])}", details=details)


def _burst_reason(b: Row, t: CostThresholds) -> str:
    """One sentence: which of the thresholds the burst crossed."""
    crossed = []
    if b["usd"] is not None and b["usd"] >= t.burst_usd:
        crossed.append(f"it adds {usd(_cents(b['usd']))}/month, at or above {usd(t.burst_usd)}/month")
    if b["expensive"] >= t.burst_expensive:
        crossed.append(f"it holds {b['expensive']} resources that count as expensive (threshold {t.burst_expensive})")
    if b["accelerated"]:
        n = b["accelerated"]
        crossed.append(f"it holds {'a' if n == 1 else n} GPU or accelerator instance{'s' if n > 1 else ''}")
    what = "One creation" if b["resources"] == 1 else (
        f"{b['resources']} creations by one person, each less than {t.gap_minutes} minutes after the one before")
    return f"{what}: " + "; ".join(crossed) + "."


def _verb(b: Row) -> str:
    return "launched" if b["types"] == ["AWS::EC2::Instance"] else "created"


def _what(groups: list[Row], total: int) -> str:
    """``8 m4.16xlarge instances``, ``2 NAT gateways, 1 database and 12 other resources``: the three largest
    groups of one type and size."""
    shown = [f"{g['count']} {_label(g['type'], g['instance'], g['count'])}" for g in groups[:3]]
    rest = total - sum(g["count"] for g in groups[:3])
    if rest:
        shown.append(f"{rest} other resource{'s' if rest > 1 else ''}")
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]


def _label(resource_type: str, instance: str | None, count: int) -> str:
    noun = NOUNS.get(resource_type) or _SPACE_BEFORE_WORD.sub(" ", resource_type.rsplit("::", 1)[-1]).lower()
    if count > 1:
        noun = noun[:-1] + "ies" if re.search("[^aeiou]y$", noun) else noun + ("es" if noun.endswith(("s", "sh")) else "s")
    return f"{instance} {noun}" if instance else noun


def _duration(minutes: int) -> str:
    if minutes < 120:
        return f"{minutes} minute{'s' if minutes > 1 else ''}"
    return f"{minutes / 60:.1f} hours"


# --- no Owner tag

def _untagged(store: Store, t: CostThresholds) -> list[dict[str, Any]]:
    """The no-owner-tag insights of inventory as it is."""
    found = store.query(UNTAGGED_SQL, {"untaggable": sorted(UNTAGGABLE)})
    keys = ", ".join(PURPOSE_TAGS["owner_tag"])
    out = []
    for u in found:
        held = _cents(u["usd"])
        details: InsightDetails = {
            "resources": [_resource(r) for r in u["listed"]], "event_ids": list(u["event_ids"]),
            "reason": f"{u['resources']} alive resource(s) this person created carry none of the tags {keys}"
                      f" (severity medium from {usd(t.untagged_usd)}/month held)."}
        out.append(_row(u, kind="no-owner-tag", severity="medium" if (held or 0) >= t.untagged_usd else "low",
                        end=None, minutes=None, details=details,
                        summary=f"{u['person'] or 'someone unknown'} left {u['resources']} resource"
                                f"{'s' if u['resources'] > 1 else ''} without an Owner tag, holding "
                                f"{_per_month(held, u['unpriced'])}"))
    return out


# --- shared

def _row(found: Row, *, kind: str, severity: str, end: datetime | None, minutes: int | None, summary: str,
         details: InsightDetails) -> dict[str, Any]:
    """An insights row from what BURSTS_SQL or UNTAGGED_SQL found. Only a burst adds to the bill: an untagged
    set holds what its summary says, and its monthly_cost_added is None (not a cost insight)."""
    sources = {TYPES[t].source for t in found["types"] if t in TYPES}
    return {"insight_id": found["insight_id"], "kind": kind, "source": "cloudblame", "severity": severity,
            "account_id": found["account_id"], "aws_region": found["aws_region"], "start_time": found["start_time"],
            "end_time": end, "event_source": sources.pop() if len(sources) == 1 else None, "event_name": None,
            "error_code": None, "people": orjson.dumps([found["person"]] if found["person"] else []).decode(),
            "summary": summary, "monthly_cost_added": _cents(found["usd"]) if kind == "cost-burst" else None, "baseline": None, "value": None,
            "duration_minutes": minutes, "details": orjson.dumps(details).decode()}


def _resource(r: Row) -> InsightResource:
    return {"type": r["type"], "id": r["id"], "region": r["region"], "usd_per_month": r["usd_per_month"],
            "why": r["why"]}


def _per_month(total: float | None, unpriced: int) -> str:
    """``$1,234.50/month``, ``$1,234.50/month + 2 unpriced``, ``unknown (2 unpriced)``."""
    if total is None:
        return f"unknown ({unpriced:,} unpriced)"
    return f"{usd(_cents(total))}/month" + (f" + {unpriced:,} unpriced" if unpriced else "")


def _cents(value: float | None) -> float | None:
    return None if value is None else round(value, 2)
