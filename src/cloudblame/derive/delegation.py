"""Services acting for people (reference §2.9): an instance launched by Auto Scaling belongs to whoever
created or last changed the group; a resource made by CloudFormation to whoever created or updated the
stack (with the tool that called CloudFormation); EKS nodes to the node group's or cluster's owner.

The links are data: a tag the service puts on what it creates names the parent resource. When
CloudFormation left no tag, the stack operation just before, in the same account and region (by the
same principal for a forward access session), is the link, with low confidence.
"""

from __future__ import annotations

import copy
import re
from datetime import datetime, timedelta
from typing import TypeVar

from typing_extensions import TypedDict

from cloudblame.core.contracts import Actor, ChainHop, Record, Tool
from cloudblame.core.timeutil import parse_event_time
from cloudblame.derive.shapes import (
    EVENT_SUMMARY_SQL,
    actor_shape,
    events_by_key,
    raw_record,
    tool_shape,
)
from cloudblame.normalize.tags import request_tags
from cloudblame.store.db import Row, Store

# creation-time tag -> (parent resource type, rule name); composite ids use "{tag}" templates.
TAG_LINKS: tuple[tuple[str, str, str, str], ...] = (
    ("aws:servicecatalog:provisionedProductArn", "AWS::ServiceCatalog::CloudFormationProvisionedProduct",
     "{aws:servicecatalog:provisionedProductArn}", "service-catalog-product"),
    ("aws:autoscaling:groupName", "AWS::AutoScaling::AutoScalingGroup", "{aws:autoscaling:groupName}",
     "auto-scaling-group"),
    ("aws:cloudformation:stack-name", "AWS::CloudFormation::Stack", "{aws:cloudformation:stack-name}",
     "cloudformation-stack"),
    ("eks:nodegroup-name", "AWS::EKS::Nodegroup", "{eks:cluster-name}/{eks:nodegroup-name}", "eks-nodegroup"),
    ("eks:eks-cluster-name", "AWS::EKS::Cluster", "{eks:eks-cluster-name}", "eks-cluster"),
    ("karpenter.k8s.aws/cluster", "AWS::EKS::Cluster", "{karpenter.k8s.aws/cluster}", "karpenter"),
)
STACK_OPERATIONS = ("CreateStack", "UpdateStack", "ExecuteChangeSet", "CreateChangeSet")
SERVICE_KINDS = frozenset({"service", "role-session", "instance", "resource", "unknown"})


class CallPoint(TypedDict):
    """What delegation reads of a creation (a blame point has it, and more)."""

    event_id: str
    time: str
    actor: Actor
    tool: Tool


Point = TypeVar("Point", bound=CallPoint)


def delegate(store: Store, created: Point, record: Record | None = None) -> Point:
    """``created`` (a blame point) with the human and tool behind a service's call, when one is found.
    ``record`` is the creation's raw record when the caller has read it already."""
    if record is None:
        record = raw_record(store, created["event_id"], created["time"]) or {}
    actor, tool = created["actor"], created["tool"]
    by_service = actor.get("kind") in SERVICE_KINDS and actor.get("confidence") != "high"
    via_cfn = tool["id"] == "cloudformation"
    if not (by_service or via_cfn):
        return created
    tags = request_tags(record)
    for tag, parent_type, template, rule in TAG_LINKS:
        if tag in tags:
            parent_id = _fill(template, tags)
            if parent_id is None:
                continue
            owner = _parent_owner(store, parent_type, parent_id, created, record)
            if owner:
                return _linked(created, owner, f"{rule} {owner['parent']}", f"tag {tag}", by_service, "high",
                               _service_of(record, tool))
    if via_cfn:
        owner = _stack_operation_before(store, created, record, same_principal=not by_service)
        if owner:
            return _linked(created, owner, f"cloudformation-stack {owner['parent']}", "stack operation before",
                           by_service, "low", "cloudformation")
    return created


_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")


def _fill(template: str, tags: dict[str, str]) -> str | None:
    """``{tag}`` placeholders filled from ``tags`` (tag keys hold ':' and '/', so no str.format)."""
    missing = [key for key in _PLACEHOLDER.findall(template) if key not in tags]
    return None if missing else _PLACEHOLDER.sub(lambda m: tags[m.group(1)], template)


def _service_of(record: Record, tool: Tool) -> str:
    ui = record.get("userIdentity")
    invoked = ui.get("invokedBy") if isinstance(ui, dict) and isinstance(ui.get("invokedBy"), str) else None
    service: str = invoked or tool.get("user_agent") or tool["id"] or ""
    return service.removesuffix(".amazonaws.com")


def _parent_owner(store: Store, parent_type: str, parent_id: str, created: CallPoint, record: Record) -> Row | None:
    """The last successful create or modify of the parent before the child was made."""
    touches = store.query(
        """SELECT r.event_id, r.event_time, r.resource_id AS parent FROM event_resources r
           WHERE r.resource_type = ? AND r.resource_id IN (?, ?) AND r.account_id = ? AND NOT r.failed
             AND r.action IN ('create', 'modify') AND r.event_time <= ?
           ORDER BY r.event_time DESC, r.event_id DESC""",
        [parent_type, parent_id, parent_id.rsplit("/", 1)[-1], record.get("recipientAccountId"), _time(created)])
    events = events_by_key(store, [(t["event_id"], t["event_time"]) for t in touches[:1]])
    return next((dict(events[key], parent=t["parent"]) for t in touches[:1]
                 if (key := (t["event_id"], t["event_time"])) in events), None)


def _stack_operation_before(store: Store, created: CallPoint, record: Record, *, same_principal: bool) -> Row | None:
    t = _time(created)
    principal_clause = "AND e.principal = ?" if same_principal else ""
    params = [list(STACK_OPERATIONS), record.get("recipientAccountId"), record.get("awsRegion"),
              t - timedelta(hours=2), t]
    if same_principal:
        params.append(created["actor"].get("principal"))
    rows = store.query(
        f"""SELECT {EVENT_SUMMARY_SQL},
                   coalesce(e.raw->>'$.requestParameters.stackName', '?') AS parent
            FROM {store.events_from(t - timedelta(hours=2), t)} e
            WHERE e.event_source = 'cloudformation.amazonaws.com' AND e.error_code IS NULL
              AND e.event_name IN (SELECT unnest(?::VARCHAR[])) AND e.account_id = ? AND e.aws_region = ?
              AND e.event_time BETWEEN ? AND ? {principal_clause}
            ORDER BY e.event_time DESC, e.event_id DESC LIMIT 1""",
        params,
    )
    return rows[0] if rows else None


def _time(point: CallPoint) -> datetime:
    """A blame point's time (ISO text) as the store's naive UTC datetime."""
    when = parse_event_time(point["time"])
    if when is None:  # never: the queries write every point's time
        raise ValueError(f"unreadable time {point['time']!r}")
    return when


def _linked(created: Point, owner: Row, how: str, linked_by: str, by_service: bool, confidence: str,
            via: str) -> Point:
    parent_actor, parent_tool = actor_shape(owner), tool_shape(owner)
    out = copy.copy(created)
    if by_service:
        actor = created["actor"].copy()
        hop: ChainHop = {"principal": created["actor"].get("principal"), "how": how, "linked_by": linked_by,
                         "event_id": owner["event_id"]}
        actor.update({"human": parent_actor["human"], "kind": "delegated",
                      "confidence": "low" if "low" in (confidence, parent_actor["confidence"]) else "high",
                      "chain": [*parent_actor["chain"], hop]})
        out["actor"] = actor
    if created["tool"]["id"] in ("cloudformation", "aws-service"):
        out["tool"] = {**parent_tool, "via": via}
    return out
