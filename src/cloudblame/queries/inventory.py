"""inventory and forgotten: what is alive, whose it is, what it is for, what it costs, what was forgotten.

Lifecycle comes from the ``resources`` table (store/lifecycle.py); the details of each resource (tags
set at creation, the size attributes that drive cost, the person behind a service that created it)
come from its creation record, read once per resource.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from cloudblame.normalize.jpath import first, resolve
from cloudblame.normalize.resources import extract_resources
from cloudblame.prices.table import PriceTable
from cloudblame.queries.delegation import creation_tags, delegate
from cloudblame.queries.shapes import records_by_key
from cloudblame.store.db import Store
from cloudblame.timeutil import iso_z, parse_when

REQ, RESP = "requestParameters", "responseElements"
# Size attributes that drive cost, per type: attribute -> jpath paths into the creation record.
SIZE_PATHS: dict[str, dict[str, tuple[str, ...]]] = {
    "AWS::EC2::Instance": {"instance_type": (f"{REQ}.instanceType",)},
    "AWS::EC2::Volume": {"size_gb": (f"{REQ}.size", f"{RESP}.size"), "volume_type": (f"{REQ}.volumeType",)},
    "AWS::EC2::Snapshot": {"size_gb": (f"{RESP}.volumeSize",)},
    "AWS::RDS::DBInstance": {"instance_class": (f"{REQ}.dBInstanceClass",), "engine": (f"{REQ}.engine",),
                             "multi_az": (f"{REQ}.multiAZ",), "storage_gb": (f"{REQ}.allocatedStorage",)},
    "AWS::ElastiCache::CacheCluster": {"node_type": (f"{REQ}.cacheNodeType",), "count": (f"{REQ}.numCacheNodes",)},
    "AWS::ElastiCache::ReplicationGroup": {"node_type": (f"{REQ}.cacheNodeType",),
                                           "count": (f"{REQ}.numCacheClusters",)},
    "AWS::Redshift::Cluster": {"node_type": (f"{REQ}.nodeType",), "count": (f"{REQ}.numberOfNodes",)},
    "AWS::OpenSearchService::Domain": {"instance_type": (f"{REQ}.clusterConfig.instanceType",),
                                       "count": (f"{REQ}.clusterConfig.instanceCount",)},
    "AWS::SageMaker::NotebookInstance": {"instance_type": (f"{REQ}.instanceType",)},
    "AWS::SageMaker::Endpoint": {"instance_type": (f"{REQ}.productionVariants[0].instanceType",),
                                 "count": (f"{REQ}.productionVariants[0].initialInstanceCount",)},
    "AWS::EKS::Nodegroup": {"instance_type": (f"{REQ}.instanceTypes[0]",), "count": (f"{REQ}.scalingConfig.desiredSize",)},
    "AWS::ElasticLoadBalancingV2::LoadBalancer": {"type": (f"{REQ}.type",)},
}
SIZE_DEFAULTS = {"AWS::EC2::Instance": {"count": 1}, "AWS::ElasticLoadBalancingV2::LoadBalancer": {"type": "application"},
                 "AWS::SageMaker::NotebookInstance": {}, "AWS::RDS::DBInstance": {"multi_az": False}}
PURPOSE_TAGS = {"project": ("Project", "project", "Application", "App", "Service"),
                "environment": ("Environment", "Env", "environment", "Stage"),
                "owner_tag": ("Owner", "owner", "CreatedBy", "Contact", "Team")}
IAC_TOOLS = {"terraform", "opentofu", "pulumi", "cloudformation", "cdk", "sam", "serverless", "crossplane", "eksctl"}


def refreshed_prices_path() -> Path:
    """Where `cloudblame prices refresh` writes: CLOUDBLAME_PRICES, else ~/.cache/cloudblame/prices.csv.gz."""
    return Path(os.environ.get("CLOUDBLAME_PRICES") or Path.home() / ".cache" / "cloudblame" / "prices.csv.gz")


def price_table() -> PriceTable:
    """The refreshed table when there is one, else the one packaged with cloudblame."""
    path = refreshed_prices_path()
    return _table_at(str(path), path.stat().st_mtime_ns) if path.is_file() else PriceTable.load()


@lru_cache(maxsize=2)
def _table_at(path: str, mtime_ns: int) -> PriceTable:
    return PriceTable.from_path(path)


def _number(value):
    try:
        return float(value) if "." in str(value) else int(value)
    except (TypeError, ValueError):
        return value


def size_of(resource_type: str, record: dict) -> dict:
    out = dict(SIZE_DEFAULTS.get(resource_type, {}))
    for attr, paths in SIZE_PATHS.get(resource_type, {}).items():
        value = first(record, *paths)
        if value is not None:
            out[attr] = _number(value) if attr in ("size_gb", "count", "storage_gb") else value
    return out


def _cost(resource_type: str, size: dict, region: str | None) -> dict:
    cost = price_table().monthly_cost(resource_type, size, region or "us-east-1")
    return {"usd_per_month": None if cost.usd_per_month is None else round(cost.usd_per_month, 2),
            "basis": cost.basis}


TAGGING_EVENTS = ("CreateTags", "TagResource", "TagResources", "AddTags", "AddTagsToResource", "TagRole", "TagUser",
                  "PutBucketTagging", "TagQueue", "TagPolicy", "TagInstanceProfile")


@dataclass
class Evidence:
    """What the inventory shape of many resources needs from the events, read in a few set queries
    (not a few queries per resource): creation records, later tagging records, volume attachments."""

    creations: dict[str, dict] = field(default_factory=dict)  # event_id -> raw record
    tagging: dict[tuple, list[dict]] = field(default_factory=dict)  # (type, id, account) -> records, oldest first
    attached: dict[str, str] = field(default_factory=dict)  # volume id -> instance id last attached to


def gather_evidence(store: Store, rows: list[dict], creations: dict[str, dict] | None = None) -> Evidence:
    """Read what ``rows`` need: resources' rows by resource_id (event_resources is sorted by it), then
    the raw records of the events found by their keys (``creations``: records the caller has read)."""
    evidence = Evidence(creations=dict(creations or {}))
    created = [(r["created_event_id"], r["created_time"]) for r in rows
               if r["created_event_id"] and r["created_event_id"] not in evidence.creations]
    for key, record in records_by_key(store, created).items():
        evidence.creations[key[0]] = record
    if rows:
        tagging = store.query(
            "SELECT r.resource_type, r.resource_id, r.account_id, r.event_id, r.event_time FROM event_resources r "
            "SEMI JOIN (SELECT unnest(?::VARCHAR[]) AS t, unnest(?::VARCHAR[]) AS i) k "
            "ON r.resource_type = k.t AND r.resource_id = k.i "
            "WHERE NOT r.failed AND r.event_name IN (SELECT unnest(?::VARCHAR[]))",
            [[r["resource_type"] for r in rows], [r["resource_id"] for r in rows], list(TAGGING_EVENTS)])
        records = records_by_key(store, [(t["event_id"], t["event_time"]) for t in tagging])
        for t in sorted(tagging, key=lambda t: (t["event_time"], t["event_id"])):
            record = records.get((t["event_id"], t["event_time"]))
            if record is not None:
                key = (t["resource_type"], t["resource_id"], t["account_id"])
                evidence.tagging.setdefault(key, []).append(record)
    volumes = [r["resource_id"] for r in rows if r["resource_type"] == "AWS::EC2::Volume"]
    if volumes:
        evidence.attached = _last_attachments(store, volumes)
    return evidence


def _last_attachments(store: Store, volumes: list[str]) -> dict[str, str]:
    """volume id -> the instance it was last attached to (AttachVolume's own record names it)."""
    attaches = store.query(
        "SELECT resource_id AS volume, event_id, event_time FROM event_resources "
        "WHERE resource_type = 'AWS::EC2::Volume' AND resource_id IN (SELECT unnest(?::VARCHAR[])) "
        "AND event_name = 'AttachVolume' AND NOT failed", [volumes])
    records = records_by_key(store, [(a["event_id"], a["event_time"]) for a in attaches])
    attached: dict[str, tuple] = {}
    for a in attaches:
        record = records.get((a["event_id"], a["event_time"]), {})
        instances = [ref.resource_id for ref in extract_resources(record, account=None, region=None)
                     if ref.resource_type == "AWS::EC2::Instance"]
        if instances and (a["volume"] not in attached or a["event_time"] >= attached[a["volume"]][0]):
            attached[a["volume"]] = (a["event_time"], max(instances))
    return {volume: instance for volume, (_, instance) in attached.items()}


def _later_tags(evidence: Evidence, row: dict) -> dict[str, str]:
    """Tags set on the resource after its creation, oldest first (later values win)."""
    tags: dict[str, str] = {}
    for record in evidence.tagging.get((row["resource_type"], row["resource_id"], row["account_id"]), ()):
        tags.update(creation_tags(record))
        for item in resolve_tag_set(record):
            tags[item[0]] = item[1]
    return tags


def resolve_tag_set(record: dict) -> list[tuple[str, str]]:
    """EC2 CreateTags' ``tagSet.items`` and S3 PutBucketTagging's ``Tagging.TagSet.Tag``."""
    found = []
    for path in ("requestParameters.tagSet.items[]", "requestParameters.Tagging.TagSet.Tag[]"):
        for tag in resolve(record, path):
            if isinstance(tag, dict):
                key, value = tag.get("key", tag.get("Key")), tag.get("value", tag.get("Value"))
                if isinstance(key, str) and value is not None:
                    found.append((key, str(value)))
    return found


def _parent(evidence: Evidence, row: dict, tags: dict) -> dict | None:
    """The resource this one belongs to: its Auto Scaling group or stack, a node group's cluster, the
    instance a volume was last attached to."""
    if tags.get("aws:autoscaling:groupName"):
        return {"type": "AWS::AutoScaling::AutoScalingGroup", "id": tags["aws:autoscaling:groupName"]}
    if tags.get("aws:cloudformation:stack-name"):
        return {"type": "AWS::CloudFormation::Stack", "id": tags["aws:cloudformation:stack-name"]}
    if row["resource_type"] in ("AWS::EKS::Nodegroup", "AWS::EKS::FargateProfile", "AWS::EKS::Addon") \
            and "/" in row["resource_id"]:
        return {"type": "AWS::EKS::Cluster", "id": row["resource_id"].split("/", 1)[0]}
    if row["resource_type"] == "AWS::EC2::Volume" and row["resource_id"] in evidence.attached:
        return {"type": "AWS::EC2::Instance", "id": evidence.attached[row["resource_id"]]}
    return None


def _purpose(tags: dict, tool: str | None, via: str | None) -> dict:
    purpose = {key: next((tags[t] for t in names if t in tags), None) for key, names in PURPOSE_TAGS.items()}
    purpose["stack"] = tags.get("aws:cloudformation:stack-name")
    purpose["auto_scaling_group"] = tags.get("aws:autoscaling:groupName")
    managed = tags.get("ManagedBy") or tags.get("managed-by")
    purpose["managed_by"] = managed or (via if via == "cloudformation" or purpose["stack"] else None) or (
        tool if tool in IAC_TOOLS else None)
    return purpose


def resource_details(store: Store, row: dict, evidence: Evidence | None = None) -> dict:
    """The inventory shape of one resources row (``evidence`` gathered for many rows at once, or here)."""
    evidence = evidence if evidence is not None else gather_evidence(store, [row])
    created = owner = None
    tags, size, via = {}, dict(SIZE_DEFAULTS.get(row["resource_type"], {})), None
    tool = row["created_tool"]
    if row["created_event_id"]:
        record = evidence.creations.get(row["created_event_id"], {})
        tags, size = creation_tags(record), size_of(row["resource_type"], record)
        tags.update(_later_tags(evidence, row))
        point = {"event_id": row["created_event_id"], "time": iso_z(row["created_time"]),
                 "actor": {"human": row["created_by"], "kind": None, "confidence": None, "chain": [],
                           "principal": None}, "tool": {"id": tool, "version": None, "user_agent": None}}
        if tool in ("aws-service", "cloudformation") or str(row["created_by"] or "").startswith("aws-service:"):
            point["actor"]["kind"] = "service"
            point = delegate(store, point, record)
        owner, via = point["actor"]["human"], point["tool"].get("via")
        tool = point["tool"]["id"]
        created = {"time": iso_z(row["created_time"]), "by": owner, "tool": tool, "via": via,
                   "event_id": row["created_event_id"]}
    return {
        "type": row["resource_type"], "id": row["resource_id"], "arn": row["arn"], "name": row["name"] or tags.get("Name"),
        "account": row["account_id"], "region": row["region"], "alive": row["alive"],
        "created": created, "creator_known": row["creator_known"], "first_seen": iso_z(row["first_seen"]),
        "last_activity": {"time": iso_z(row["last_time"]), "event": row["last_event"], "by": row["last_actor"]},
        "last_modifier": row["last_modifier"], "owner": owner or tags.get("Owner") or row["last_modifier"],
        "tags": tags, "size": size, "purpose": dict(_purpose(tags, tool, via), parent=_parent(evidence, row, tags)),
        "cost": _cost(row["resource_type"], size, row["region"]),
    }


def _alive_rows(store: Store, *, resource_type=None, account=None, region=None, created_since=None) -> list[dict]:
    clauses, params = ["alive"], []
    for column, value in (("resource_type", resource_type), ("account_id", account), ("region", region)):
        if value:
            clauses.append(f"{column} = ?")
            params.append(value)
    if created_since:
        clauses.append("created_time >= ?")
        params.append(created_since)
    return store.query(f"SELECT * FROM resources WHERE {' AND '.join(clauses)} ORDER BY resource_type, resource_id",
                       params)


def inventory(store: Store, *, owner: str | None = None, resource_type: str | None = None, account: str | None = None,
              region: str | None = None, tool: str | None = None, created_since: datetime | None = None,
              by: str | None = None) -> dict:
    """Alive resources with owner, purpose and cost; grouped and totalled with ``by``."""
    rows = _alive_rows(store, resource_type=resource_type, account=account, region=region,
                       created_since=created_since)
    evidence = gather_evidence(store, rows)
    items = [resource_details(store, row, evidence) for row in rows]
    if owner:
        items = [i for i in items if (i["owner"] or "").lower() == owner.lower()]
    if tool:
        items = [i for i in items if i["created"] and i["created"]["tool"] == tool]
    items.sort(key=lambda i: (-(i["cost"]["usd_per_month"] or 0), i["type"], i["id"]))
    result = {"resources": items, "total_usd_per_month": _total(items)}
    if by:
        result["groups"] = group(items, by)
    return result


GROUP_KEYS = {"owner": lambda i: i["owner"], "type": lambda i: i["type"], "account": lambda i: i["account"],
              "tool": lambda i: i["created"]["tool"] if i["created"] else None}


def group(items: list[dict], by: str) -> list[dict]:
    if by not in GROUP_KEYS:
        raise ValueError(f"--by must be one of {', '.join(GROUP_KEYS)}")
    groups: dict = {}
    for item in items:
        groups.setdefault(GROUP_KEYS[by](item) or "unknown", []).append(item)
    rows = [{"key": key, "resources": len(members), "usd_per_month": _total(members),
             "unpriced": sum(m["cost"]["usd_per_month"] is None for m in members)} for key, members in groups.items()]
    return sorted(rows, key=lambda r: (-r["usd_per_month"], r["key"]))


def _total(items: list[dict]) -> float:
    return round(sum(i["cost"]["usd_per_month"] or 0 for i in items), 2)


def forgotten(store: Store, *, idle: str = "30d", as_of: datetime | None = None) -> dict:
    """Alive resources idle for ``idle`` whose creator has gone quiet or left, costliest first."""
    as_of = as_of or store.scalar("SELECT max(event_time) FROM events")
    if as_of is None:
        return {"as_of": None, "idle": idle, "resources": [], "total_usd_per_month": 0.0}
    cutoff = parse_when(idle, now=as_of)
    last_seen = {r["who"]: r["t"] for r in store.query(
        "SELECT coalesce(sa.human, e.actor) AS who, max(e.event_time) AS t FROM events e LEFT JOIN session_actors sa "
        "ON sa.access_key_id = e.access_key_id AND sa.principal = e.principal GROUP BY ALL")}
    removed = {r["name"] for r in store.query(
        "SELECT DISTINCT r.resource_id AS name FROM event_resources r WHERE r.resource_type = 'AWS::IAM::User' "
        "AND r.action = 'delete' AND NOT r.failed")}
    out = []
    idle_rows = [row for row in _alive_rows(store) if row["last_time"] is not None and row["last_time"] <= cutoff]
    evidence = gather_evidence(store, idle_rows)
    for row in idle_rows:
        item = resource_details(store, row, evidence)
        reasons = [f"no activity for {(as_of - row['last_time']).days} days (last: {row['last_event']})"]
        creator = item["created"]["by"] if item["created"] else None
        if creator and creator in removed:
            reasons.append(f"creator {creator} was deleted (DeleteUser)")
        elif creator and last_seen.get(creator) and last_seen[creator] <= cutoff:
            reasons.append(f"creator {creator} quiet since {iso_z(last_seen[creator])}")
        elif row["creator_known"]:
            continue  # the creator is still active: ask them, it is not forgotten
        elif item["cost"]["usd_per_month"] is None:
            continue  # nothing known of it but an old reference: listed by inventory, not worth a flag
        else:
            reasons.append("created before the data: creator unknown")
        if item["created"] and item["created"]["tool"] in ("console", "aws-cli") and not item["purpose"]["managed_by"]:
            reasons.append(f"made by hand ({item['created']['tool']}), not by infrastructure as code")
        item["reasons"] = reasons
        item["ask"] = list(dict.fromkeys(x for x in (creator, item["last_modifier"], item["tags"].get("Owner")) if x))
        out.append(item)
    out.sort(key=lambda i: (i["cost"]["usd_per_month"] is None, -(i["cost"]["usd_per_month"] or 0), i["id"]))
    return {"as_of": iso_z(as_of), "idle": idle, "resources": out, "total_usd_per_month": _total(out)}
