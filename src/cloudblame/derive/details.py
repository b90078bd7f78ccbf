"""What a resource's events say about it beyond its lifecycle: its tags (set at creation and later), the
size attributes that drive its cost, its cost, what it is for and what it belongs to, and the person
behind a service that created it.

Derived in Python from the creation record and the tagging and attachment records, for many
resources at once (a few set queries, not a few per resource). cloudblame.derive.inventory keeps the
``inventory`` table (every alive resource with its details) current at each publish, so inventory,
forgotten and blame read one table; under a price table other than the one the rows were derived with, the
query derives the rows it needs again, as blame does for a deleted resource (resource_details).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
from typing_extensions import TypedDict

from cloudblame.catalog import TYPES
from cloudblame.catalog.pricing import NUMERIC_DIMENSIONS
from cloudblame.core.contracts import (
    Cost,
    InventoryCreated,
    InventoryItem,
    ParentRef,
    Purpose,
    Record,
    Size,
    Tags,
)
from cloudblame.core.jpath import first
from cloudblame.core.timeutil import iso_z
from cloudblame.derive.delegation import CallPoint, delegate
from cloudblame.derive.shapes import records_by_key
from cloudblame.normalize.resources import extract_resources
from cloudblame.normalize.tags import TAGGING_EVENTS, request_tags
from cloudblame.prices.table import DATA_FILE, PRICE_MODELS_VERSION, PriceTable
from cloudblame.store.db import Row, Store
from cloudblame.store.tables import RESOURCE_COLUMN_NAMES, same_resource

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


def _number(value: Any) -> Any:
    """A size value of a record as a number when it reads as one (else as it is)."""
    try:
        return float(value) if "." in str(value) else int(value)
    except (TypeError, ValueError):
        return value


def size_defaults(resource_type: str) -> Size:
    """The size a resource of ``resource_type`` has when no record gives one (its catalog entry's defaults)."""
    entry = TYPES.get(resource_type)
    return dict(entry.size_defaults) if entry is not None else {}


def size_of(resource_type: str, record: Record) -> Size:
    """The size dimensions of a resource its creation ``record`` gives (its catalog entry's ``size`` paths,
    tried in order), over the entry's defaults."""
    out = size_defaults(resource_type)
    entry = TYPES.get(resource_type)
    for dimension, paths in (entry.size_paths() if entry is not None else {}).items():
        value = first(record, *paths)
        if value is not None:
            out[dimension] = _number(value) if dimension in NUMERIC_DIMENSIONS else value
    return out


def _cost(resource_type: str, size: Size, region: str | None, prices: PriceTable) -> Cost:
    cost = prices.monthly_cost(resource_type, size, region or "us-east-1")
    return {"usd_per_month": None if cost.usd_per_month is None else round(cost.usd_per_month, 2),
            "basis": cost.basis}


def cost_of(resource_type: str, size: Size, region: str | None, prices: PriceTable) -> Cost:
    """The list price per month of a resource of ``resource_type`` and ``size`` in ``region`` (us-east-1 when
    unknown) and its basis, as inventory prices it (cents; None: no price)."""
    return _cost(resource_type, size, region, prices)


# The same as SQL literals (constants of ours): a filter the scan of event_resources applies as it reads.
_TAGGING_IN = ", ".join(f"'{name}'" for name in TAGGING_EVENTS)


@dataclass
class Evidence:
    """What the inventory shape of many resources needs from the events, read in a few set queries
    (not a few queries per resource): creation records, later tagging records, volume attachments."""

    creations: dict[str, Record] = field(default_factory=dict)  # event_id -> raw record
    # (type, id, account) -> records, oldest first
    tagging: dict[tuple[str, str, str | None], list[Record]] = field(default_factory=dict)
    attached: dict[str, str] = field(default_factory=dict)  # volume id -> instance id last attached to


def gather_evidence(store: Store, rows: list[Row], creations: dict[str, Record] | None = None,
                    touches: list[Row] | None = None) -> Evidence:
    """Read what ``rows`` need: resources' rows by resource_id (event_resources is sorted by it), then
    the raw records of the events found by their keys (``creations``: records the caller has read;
    ``touches``: every event_resources row, with its event_name, of the resources of ``rows``, when the
    caller has read them: they are not read again)."""
    evidence = Evidence(creations=dict(creations or {}))
    created = [(r["created_event_id"], r["created_time"]) for r in rows
               if r["created_event_id"] and r["created_event_id"] not in evidence.creations]
    for (event_id, _), creation in records_by_key(store, created).items():
        evidence.creations[event_id] = creation
    if rows:
        tagging = _tagging_rows(store, rows) if touches is None else [
            t for t in touches if not t["failed"] and t["event_name"] in TAGGING_EVENTS
            and any((t["resource_type"], t["resource_id"]) == (r["resource_type"], r["resource_id"]) for r in rows)]
        records = records_by_key(store, [(t["event_id"], t["event_time"]) for t in tagging])
        for t in sorted(tagging, key=lambda t: (t["event_time"], t["event_id"])):
            record = records.get((t["event_id"], t["event_time"]))
            if record is not None:
                resource = (t["resource_type"], t["resource_id"], t["account_id"])
                evidence.tagging.setdefault(resource, []).append(record)
    volumes = [r["resource_id"] for r in rows if r["resource_type"] == "AWS::EC2::Volume"]
    if volumes:
        evidence.attached = _last_attachments(store, volumes)
    return evidence


def _tagging_rows(store: Store, rows: list[Row]) -> list[Row]:
    """The successful tagging events' event_resources rows of the resources of ``rows``."""
    return store.query(
        "SELECT r.resource_type, r.resource_id, r.account_id, r.event_id, r.event_time FROM event_resources r "
        "SEMI JOIN (SELECT unnest(?::VARCHAR[]) AS t, unnest(?::VARCHAR[]) AS i) k "
        f"ON r.resource_type = k.t AND r.resource_id = k.i WHERE NOT r.failed AND r.event_name IN ({_TAGGING_IN})",
        [[r["resource_type"] for r in rows], [r["resource_id"] for r in rows]])


def _last_attachments(store: Store, volumes: list[str]) -> dict[str, str]:
    """volume id -> the instance it was last attached to (AttachVolume's own record names it)."""
    attaches = store.query(
        "SELECT resource_id AS volume, event_id, event_time FROM event_resources "
        "WHERE resource_type = 'AWS::EC2::Volume' AND resource_id IN (SELECT unnest(?::VARCHAR[])) "
        "AND event_name = 'AttachVolume' AND NOT failed", [volumes])
    records = records_by_key(store, [(a["event_id"], a["event_time"]) for a in attaches])
    attached: dict[str, tuple[datetime, str]] = {}
    for a in attaches:
        record = records.get((a["event_id"], a["event_time"]), {})
        instances = [ref.resource_id for ref in extract_resources(record, account=None, region=None)
                     if ref.resource_type == "AWS::EC2::Instance"]
        if instances and (a["volume"] not in attached or a["event_time"] >= attached[a["volume"]][0]):
            attached[a["volume"]] = (a["event_time"], max(instances))
    return {volume: instance for volume, (_, instance) in attached.items()}


def _later_tags(evidence: Evidence, row: Row) -> Tags:
    """Tags set on the resource after its creation, oldest first (later values win)."""
    tags: dict[str, str] = {}
    for record in evidence.tagging.get((row["resource_type"], row["resource_id"], row["account_id"]), ()):
        tags.update(request_tags(record))
    return tags


def _parent(evidence: Evidence, row: Row, tags: Tags) -> ParentRef | None:
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


def _tagged(tags: Tags, purpose: str) -> str | None:
    """The value of the first of the purpose's tags (PURPOSE_TAGS) the resource has."""
    return next((tags[t] for t in PURPOSE_TAGS[purpose] if t in tags), None)


def _purpose(tags: Tags, tool: str | None, via: str | None, parent: ParentRef | None) -> Purpose:
    stack = tags.get("aws:cloudformation:stack-name")
    managed = tags.get("ManagedBy") or tags.get("managed-by")
    return {"project": _tagged(tags, "project"), "environment": _tagged(tags, "environment"),
            "owner_tag": _tagged(tags, "owner_tag"), "stack": stack,
            "auto_scaling_group": tags.get("aws:autoscaling:groupName"),
            "managed_by": managed or (via if via == "cloudformation" or stack else None) or (
                tool if tool in IAC_TOOLS else None),
            "parent": parent}


class InventoryDetails(TypedDict):
    """What the events say of a resource beyond its lifecycle: the inventory table's own columns."""

    delegated: bool
    creator: str | None
    creator_tool: str | None
    creator_via: str | None
    owner: str | None
    name_tag: str | None
    tags: Tags
    size: Size
    purpose: Purpose
    usd_per_month: float | None
    cost_basis: str


def derive_details(store: Store, row: Row, evidence: Evidence, prices: PriceTable,
                   created: CallPoint | None = None) -> InventoryDetails:
    """What the events say of one ``resources`` row beyond its lifecycle (``evidence`` gathered for many
    rows): the inventory table's own columns. ``created``: its creation as the caller delegated it already
    (blame's walk, from the creating event's own actor): its human, tool and via are taken, not walked again."""
    creator: str | None = None
    via: str | None = None
    tags: Tags = {}
    size: Size = size_defaults(row["resource_type"])
    tool = row["created_tool"]
    delegated = tool in ("aws-service", "cloudformation") or str(row["created_by"] or "").startswith("aws-service:")
    if row["created_event_id"]:
        record = evidence.creations.get(row["created_event_id"], {})
        tags, size = request_tags(record), size_of(row["resource_type"], record)
        tags.update(_later_tags(evidence, row))
        point = created or _delegated_creation(store, row, record, delegated=delegated)
        creator, via, tool = point["actor"]["human"], point["tool"].get("via"), point["tool"]["id"]
    cost = _cost(row["resource_type"], size, row["region"], prices)
    return {"delegated": delegated, "creator": creator, "creator_tool": tool if row["created_event_id"] else None,
            "creator_via": via, "owner": creator or tags.get("Owner") or None, "name_tag": tags.get("Name"),
            "tags": tags, "size": size, "purpose": _purpose(tags, tool, via, _parent(evidence, row, tags)),
            "usd_per_month": cost["usd_per_month"], "cost_basis": cost["basis"]}


def _delegated_creation(store: Store, row: Row, record: Record, *, delegated: bool) -> CallPoint:
    """The creation of a ``resources`` row as a call point, with the person behind the service that made it
    when ``delegated``."""
    point: CallPoint = {
        "event_id": row["created_event_id"], "time": iso_z(row["created_time"]),
        "actor": {"human": row["created_by"], "principal": None, "identity_type": None, "session_name": None,
                  "kind": "service" if delegated else None, "confidence": None, "chain": []},
        "tool": {"id": row["created_tool"], "version": None, "user_agent": None}}
    return delegate(store, point, record) if delegated else point


def item_shape(r: Row) -> InventoryItem:
    """The inventory shape of a resource from its ``resources`` row joined to its details."""
    created: InventoryCreated | None = None
    if r["created_event_id"]:
        created = {"time": iso_z(r["created_time"]), "by": r["creator"], "tool": r["creator_tool"],
                   "via": r["creator_via"], "event_id": r["created_event_id"]}
    return {
        "type": r["resource_type"], "id": r["resource_id"], "arn": r["arn"], "name": r["name"] or r["name_tag"],
        "account": r["account_id"], "region": r["region"], "alive": r["alive"],
        "created": created, "creator_known": r["creator_known"], "first_seen": iso_z(r["first_seen"]),
        "last_activity": {"time": iso_z(r["last_time"]), "event": r["last_event"], "by": r["last_actor"]},
        "last_modifier": r["last_modifier"], "owner": r["owner"] or r["last_modifier"],
        "tags": r["tags"], "size": r["size"], "purpose": r["purpose"],
        "cost": {"usd_per_month": r["usd_per_month"], "basis": r["cost_basis"]},
    }


def resource_details(store: Store, row: Row, evidence: Evidence | None = None,
                     created: CallPoint | None = None) -> InventoryItem:
    """The inventory shape of one resources row, derived now (``evidence`` gathered for many rows, or here;
    ``created``: its creation as the caller delegated it already, see derive_details): what blame shows of a
    resource with no current inventory row (a deleted one, or under another price table)."""
    evidence = evidence if evidence is not None else gather_evidence(store, [row])
    return item_shape({**row, **derive_details(store, row, evidence, price_table(), created)})


# --- the inventory table (kept by cloudblame.derive.inventory)

# What a resource's stored details were derived from: the facts of its resources row its details depend on
# (where it is, its name, its current incarnation's creation and deletion, the human behind a creation a
# session resolved later). Its activity (last event, count) is no part of it: a publish copies that from
# resources into the kept rows; new tags and attachments make a publish derive the row again.
EVIDENCE_COLUMNS = ("resource_type", "resource_id", "account_id", "region", "arn", "name", "created_time",
                    "created_event_id", "created_by", "created_tool", "creator_known", "deleted_time",
                    "deleted_event_id", "alive")
# A fingerprint of them: 60 bits of the MD5 of their text (the same on DuckDB and on Spark: spark/dialect.py).
_EVIDENCE_TEXT = "concat_ws('|', " + ", ".join(f"coalesce(CAST(r.{c} AS VARCHAR), '~')" for c in EVIDENCE_COLUMNS) + ")"
EVIDENCE_SQL = f"('0x' || left(md5({_EVIDENCE_TEXT}), 15))::BIGINT"
# Stored inventory row ``i`` is current for resources row ``r`` under the price table ``$prices``.
CURRENT_SQL = f"{same_resource('i', 'r')} AND i.evidence = {EVIDENCE_SQL} AND i.prices = $prices"
JSON_COLUMNS = ("tags", "size", "purpose")
# The inventory's columns beyond the resources row's (a kept row takes the latter from resources, fresh).
DETAILS = ", ".join(f"i.{c}" for c in ("evidence", "prices", "delegated", "creator", "creator_tool", "creator_via",
                                         "owner", "name_tag", "tags", "size", "purpose", "usd_per_month", "cost_basis"))
# An inventory row as a stored row ``i`` of a current resources row ``r`` makes it (activity from ``r``).
KEPT_COLUMNS = f"{', '.join(f'r.{c}' for c in RESOURCE_COLUMN_NAMES)}, {DETAILS}"
REFRESH_CHUNK = 2000


def prices_version() -> str:
    """Which price table and price models costs are computed with: the refreshed file (path, size, mtime)
    or the packaged one, and PRICE_MODELS_VERSION (rows priced otherwise are priced again)."""
    path = refreshed_prices_path()
    if path.is_file():
        stat = path.stat()
        return f"{path}:{stat.st_size}:{stat.st_mtime_ns}:models-{PRICE_MODELS_VERSION}"
    return f"packaged:{_packaged_digest()}:models-{PRICE_MODELS_VERSION}"


@lru_cache(maxsize=1)
def _packaged_digest() -> str:
    return hashlib.sha256(resources.files("cloudblame.prices").joinpath(DATA_FILE).read_bytes()).hexdigest()[:16]


def inventory_rows(store: Store, rows: list[Row], prices: str, schema: pa.Schema) -> pa.Table:
    """The inventory rows of ``rows`` (resources rows with their ``evidence``), derived now."""
    evidence, table = gather_evidence(store, rows), price_table()
    derived = [{**row, **derive_details(store, row, evidence, table), "prices": prices} for row in rows]
    return pa.Table.from_pylist([{k: (orjson.dumps(v).decode() if k in JSON_COLUMNS else v) for k, v in r.items()}
                                 for r in derived], schema=schema)


def missing_inventory(store: Store, prices: str, *, chunk: int = REFRESH_CHUNK, redo_delegated: bool = False,
                      retouched: str | None = None, among: str | None = None) -> Iterator[pa.Table]:
    """Inventory rows, ``chunk`` at a time, of the alive resources with no current stored row (and with
    ``redo_delegated``, of those a service created: their delegation reads other events; and those in
    ``retouched``, a table of keys: tagged or attached since); with ``among`` (a table of keys), only of
    those resources and the ones a service created."""
    redo = " AND NOT i.delegated" if redo_delegated else ""
    again = f" OR EXISTS (SELECT 1 FROM {retouched} t WHERE {same_resource('t', 'r')})" if retouched else ""
    within = ""
    if among:
        within = (f" AND (EXISTS (SELECT 1 FROM {among} t WHERE {same_resource('t', 'r')})"
                  f" OR EXISTS (SELECT 1 FROM inventory t WHERE t.delegated AND {same_resource('t', 'r')}))")
    schema = store.arrow("SELECT * FROM inventory LIMIT 0").schema
    with store.temp_table(  # in DuckDB (within its memory cap), numbered by creation time: a chunk's records are close
            f"""SELECT r.*, {EVIDENCE_SQL} AS evidence, row_number() OVER (ORDER BY r.created_time NULLS LAST,
                       r.resource_type, r.resource_id, r.account_id) AS pending_rank FROM resources r
                WHERE r.alive{within} AND (NOT EXISTS (SELECT 1 FROM inventory i WHERE {CURRENT_SQL}{redo}){again})""",
            {"prices": prices}) as pending:
        count = store.scalar(f"SELECT count(*) FROM {pending}")
        for start in range(0, count, chunk):
            rows = store.arrow(f"SELECT * EXCLUDE (pending_rank) FROM {pending} WHERE pending_rank > ? "
                               "AND pending_rank <= ? ORDER BY pending_rank", [start, start + chunk])
            yield inventory_rows(store, rows.to_pylist(), prices, schema)


@contextmanager
def current_inventory(store: Store) -> Iterator[tuple[str, dict[str, str]]]:
    """``FROM`` text (alias it) of every alive resource with its details, and its params: the stored table
    when it was derived under the price table in use, as after every publish; else (under a new price
    table) its rows that are still current plus the others derived here, for this query."""
    prices = prices_version()
    if not store.scalar("SELECT count(*) FROM inventory WHERE prices <> $prices", {"prices": prices}):
        yield "inventory", {}
        return
    current = f"SELECT {KEPT_COLUMNS} FROM inventory i JOIN resources r ON {CURRENT_SQL} WHERE r.alive"
    pending = list(missing_inventory(store, prices))
    if not pending:
        yield f"({current})", {"prices": prices}
        return
    with store.registered(pa.concat_tables(pending)) as name:
        yield f"({current} UNION ALL BY NAME SELECT * FROM {name})", {"prices": prices}
