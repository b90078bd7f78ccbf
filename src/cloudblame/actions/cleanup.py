"""Cleaning up forgotten resources, by plan and apply.

``make_plan`` reads ``queries.inventory.forgotten`` (idle as it measures it: up to the newest stored event,
or ``as_of``) and writes one step per resource, the safest first: tag it with the planned date, then the
action its type declares in ``CLEANUPS`` (stop an instance or a database, snapshot a volume then delete it;
types not in the table are only tagged, through the Resource Groups Tagging API). It talks to no AWS API.

``review`` re-checks every step of a plan at apply time, against the store (nobody touched the resource
after the plan's last activity; tagging alone, which cleanup does itself, does not count) and a live
describe (it exists and its state is still one the action applies to); before a step's grace period ends
only the tag is written. ``carry_out`` then does what the review allows, and nothing a plan does not name.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from cloudblame.catalog import TYPES
from cloudblame.catalog.live import Describe
from cloudblame.core.errors import BadInput
from cloudblame.core.jpath import first
from cloudblame.core.timeutil import iso_z, parse_duration, parse_event_time
from cloudblame.normalize.tags import TAGGING_EVENTS, UNTAGGING_EVENTS
from cloudblame.queries.inventory import forgotten
from cloudblame.store.db import Store

__all__ = ["CLEANUPS", "DEFAULT_TAG_KEY", "Clients", "Review", "carry_out", "load_plan", "make_plan", "review",
           "summary_of", "write_plan"]

PLAN_KIND = "cloudblame-cleanup-plan"
PLAN_VERSION = 1
DEFAULT_TAG_KEY = "cloudblame:cleanup"
# Calls that only tag: cleanup writes them itself, so they are not someone touching the resource.
TAG_EVENTS = (*TAGGING_EVENTS, *UNTAGGING_EVENTS)


@dataclass(frozen=True)
class Call:
    """One boto3 call on a resource: the operation and the parameter naming it (its id or ARN, alone or
    as a one-item list), plus fixed arguments."""

    operation: str
    param: str
    by: Literal["id", "arn"] = "id"
    as_list: bool = False
    args: Mapping[str, Any] = field(default_factory=dict)

    def kwargs(self, resource_id: str, arn: str | None) -> dict[str, Any]:
        target = resource_id if self.by == "id" else arn
        if target is None:
            raise BadInput(f"{self.operation} needs the resource's ARN, which the store does not know")
        return {self.param: [target] if self.as_list else target, **self.args}


@dataclass(frozen=True)
class TypeCleanup:
    """What cleanup does to one resource type: ``action`` (``stop``, ``terminate``, ``snapshot-and-delete``)
    by the calls ``steps`` of the type's client, once its catalog entry's describe (``live``: its state, its
    tags, the error codes and states of a resource that no longer exists) says the resource exists in a state
    of ``acts_on``; ``tag`` writes the cleanup tag (``Tags`` as Key/Value pairs)."""

    action: str
    live: Describe
    acts_on: tuple[str, ...]
    tag: Call
    steps: tuple[Call, ...]
    irreversible: bool = False

    @property
    def service(self) -> str:
        return self.live.service


def _live(resource_type: str) -> Describe:
    """The describe call the catalog declares for ``resource_type``."""
    found = TYPES[resource_type].live
    if found is None:
        raise ValueError(f"{resource_type} has no describe call in the catalog")
    return found


# The table: a CloudFormation-style type -> its cleanup. Every other type is only tagged (TAG_ONLY).
CLEANUPS: dict[str, TypeCleanup] = {
    "AWS::EC2::Instance": TypeCleanup(
        action="stop", live=_live("AWS::EC2::Instance"), acts_on=("running",),
        tag=Call("create_tags", "Resources", as_list=True),
        steps=(Call("stop_instances", "InstanceIds", as_list=True),)),
    "AWS::EC2::Volume": TypeCleanup(
        action="snapshot-and-delete", live=_live("AWS::EC2::Volume"), acts_on=("available",),
        tag=Call("create_tags", "Resources", as_list=True),
        steps=(Call("create_snapshot", "VolumeId"), Call("delete_volume", "VolumeId")), irreversible=True),
    "AWS::RDS::DBInstance": TypeCleanup(
        action="stop", live=_live("AWS::RDS::DBInstance"), acts_on=("available",),
        tag=Call("add_tags_to_resource", "ResourceName", "arn"),
        steps=(Call("stop_db_instance", "DBInstanceIdentifier"),)),
}
# --terminate at plan time: instances are terminated, not stopped (running or stopped ones).
TERMINATE = replace(CLEANUPS["AWS::EC2::Instance"], action="terminate", acts_on=("running", "stopped"),
                    steps=(Call("terminate_instances", "InstanceIds", as_list=True),), irreversible=True)
TAG_ONLY = "tag"
# Safe first: the order of a plan's steps by action.
SAFETY = {TAG_ONLY: 0, "stop": 1, "snapshot-and-delete": 2, "terminate": 3}
DONE = {TAG_ONLY: "tagged", "stop": "stopped", "snapshot-and-delete": "deleted", "terminate": "terminated"}


def cleanup_of(resource_type: str, action: str) -> TypeCleanup | None:
    """The cleanup a plan's step names (None: tag only)."""
    if action == TAG_ONLY:
        return None
    found = TERMINATE if action == "terminate" else CLEANUPS.get(resource_type)
    if found is None or found.action != action:
        raise BadInput(f"the plan asks to {action} a {resource_type}: cloudblame does not do that")
    return found


# --- plan


def make_plan(store: Store, *, idle: str = "30d", as_of: datetime | None = None, owner: Iterable[str] = (),
              resource_type: Iterable[str] = (), grace: str = "7d", terminate: bool = False,
              tag_key: str = DEFAULT_TAG_KEY, now: datetime | None = None) -> dict[str, Any]:
    """The plan for the forgotten resources (of ``owner`` and ``resource_type`` when given): one step each,
    safe first, to be carried out when ``grace`` has passed from ``now``."""
    now = now or datetime.now(UTC).replace(tzinfo=None)
    grace_end = now + parse_duration(grace)
    found = forgotten(store, idle=idle, as_of=as_of, limit=None)
    owners = {o.lower() for o in owner}
    types = {t.lower() for t in resource_type}
    items = [i for i in found["resources"] if (not owners or (i["owner"] or "").lower() in owners)
             and (not types or i["type"].lower() in types)]
    steps = sorted((_step(i, terminate, grace_end) for i in items),
                   key=lambda s: (SAFETY[s["action"]], -(s["usd_per_month"] or 0), s["type"], s["id"]))
    snapshot = store.snapshot
    return {"kind": PLAN_KIND, "version": PLAN_VERSION, "planned_at": iso_z(now), "idle": idle,
            "as_of": found["as_of"], "store": {"path": store.path, "snapshot": snapshot.snapshot if snapshot else None,
                                               "newest_event": iso_z(store.newest_event_time())},
            "filters": {"owner": sorted(owners), "type": sorted(types)}, "grace": grace,
            "grace_end": iso_z(grace_end), "tag": {"key": tag_key, "value": grace_end.date().isoformat()},
            "terminate": terminate, "steps": steps, "count": len(steps), **_money(steps)}


def _step(item: Mapping[str, Any], terminate: bool, grace_end: datetime) -> dict[str, Any]:
    kind = TERMINATE if terminate and item["type"] == "AWS::EC2::Instance" else CLEANUPS.get(item["type"])
    return {"type": item["type"], "id": item["id"], "arn": item["arn"], "name": item["name"],
            "region": item["region"], "account": item["account"], "owner": item["owner"],
            "last_activity": item["last_activity"]["time"], "usd_per_month": item["cost"]["usd_per_month"],
            "cost_basis": item["cost"]["basis"], "action": kind.action if kind else TAG_ONLY,
            "expected_state": list(kind.acts_on) if kind else None, "grace_end": iso_z(grace_end),
            "reasons": item.get("reasons", [])}


def _money(steps: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """The known part of the monthly cost of ``steps`` (None: none known) and how many it leaves out."""
    costs = [s["usd_per_month"] for s in steps]
    known = [c for c in costs if c is not None]
    return {"total_usd_per_month": round(sum(known), 2) if known or not costs else None,
            "unpriced": len(costs) - len(known)}


def write_plan(plan: Mapping[str, Any], path: Path) -> None:
    path.write_text(json.dumps(plan, indent=2) + "\n")


def load_plan(path: Path) -> dict[str, Any]:
    """A plan file written by ``write_plan``; BadInput for anything else."""
    try:
        plan = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise BadInput(f"cannot read the plan {path}: {exc}") from None
    if not isinstance(plan, dict) or plan.get("kind") != PLAN_KIND or plan.get("version") != PLAN_VERSION:
        raise BadInput(f"{path} is not a cloudblame cleanup plan (version {PLAN_VERSION})")
    if not isinstance(plan.get("steps"), list) or not isinstance(plan.get("tag"), dict):
        raise BadInput(f"{path}: a plan has steps and a tag")
    for step in plan["steps"]:
        if not isinstance(step, dict) or not all(isinstance(step.get(k), str) for k in ("type", "id", "action")):
            raise BadInput(f"{path}: every step names a type, an id and an action")
        cleanup_of(step["type"], step["action"])
    return plan


# --- apply

Clients = Callable[[str, str | None], Any]  # (boto3 service name, region) -> a client


def boto3_clients(*, profile: str | None = None, region: str | None = None,
                  endpoint_url: str | None = None) -> Clients:
    """Clients of the standard credential chain (``profile``), one per service and region (a step's own
    region, else ``region``), retrying throttled calls."""
    import boto3
    from botocore.config import Config

    session = boto3.Session(profile_name=profile, region_name=region)
    config = Config(retries={"mode": "standard", "max_attempts": 8})
    made: dict[tuple[str, str | None], Any] = {}

    def client(service: str, step_region: str | None) -> Any:
        key = (service, step_region or region)
        if key not in made:
            made[key] = session.client(service, region_name=key[1], endpoint_url=endpoint_url, config=config)
        return made[key]

    return client


Verdict = Literal["act", "tag", "wait", "skip"]


@dataclass
class Review:
    """A step of the plan as checked now: ``act`` (tag, then its action), ``tag`` (its grace period has not
    ended: only the tag), ``wait`` (tagged already, grace not ended: nothing) or ``skip`` (``reason``)."""

    step: dict[str, Any]
    verdict: Verdict
    reason: str = ""
    state: str | None = None


def review(plan: Mapping[str, Any], store: Store, clients: Clients, *, now: datetime | None = None) -> list[Review]:
    """Every step of ``plan`` checked against the store and a live describe, as of ``now``."""
    now = now or datetime.now(UTC).replace(tzinfo=None)
    return [_review_step(step, plan["tag"], store, clients, now) for step in plan["steps"]]


def _review_step(step: dict[str, Any], tag: Mapping[str, str], store: Store, clients: Clients,
                 now: datetime) -> Review:
    touched = touched_since(store, step)
    if touched:
        return Review(step, "skip", f"touched since the plan: {touched}")
    kind = cleanup_of(step["type"], step["action"])
    try:
        live = _describe(kind, step, clients)
    except _Gone:
        return Review(step, "skip", "gone: no longer exists")
    except Exception as exc:  # noqa: BLE001 - an AWS error (denied, throttled...): this step only
        return Review(step, "skip", f"cannot describe it: {_message(exc)}")
    state, tags = live
    tagged = tags.get(tag["key"]) == tag["value"]
    if kind is not None and state not in kind.acts_on:
        return Review(step, "skip", f"state {state}, planned {' or '.join(kind.acts_on)}", state)
    grace_end = parse_event_time(step.get("grace_end"))
    if kind is not None and (grace_end is None or now < grace_end):
        return Review(step, "wait" if tagged else "tag", f"grace period until {step.get('grace_end')}", state)
    if kind is None and tagged:
        return Review(step, "skip", "tagged already", state)
    return Review(step, "act", "", state)


def touched_since(store: Store, step: Mapping[str, Any]) -> str | None:
    """The newest event (not a failed call, not tagging) touching the step's resource after its last
    activity in the plan, as text; None when there is none."""
    last = parse_event_time(step.get("last_activity"))
    if last is None:
        return None
    params = {"type": step["type"], "id": step["id"], "account": step.get("account"), "last": last,
              **{f"t{i}": name for i, name in enumerate(TAG_EVENTS)}}
    rows = store.query(
        "SELECT event_name, actor, event_time FROM event_resources WHERE resource_type = $type AND resource_id = $id "
        "AND account_id IS NOT DISTINCT FROM $account AND NOT coalesce(failed, false) "
        f"AND date_trunc('second', event_time) > $last AND event_name NOT IN ({', '.join(f'$t{i}' for i in range(len(TAG_EVENTS)))}) "
        "ORDER BY event_time DESC LIMIT 1", params)
    if not rows:
        return None
    row = rows[0]
    return f"{row['event_name']} by {row['actor'] or 'unknown'} at {iso_z(row['event_time'])}"


class _Gone(Exception):
    pass


def _error_code(exc: Exception) -> str:
    response = getattr(exc, "response", None)
    return str(first(response, "Error.Code") or "") if isinstance(response, dict) else ""


def _message(exc: Exception) -> str:
    return " ".join(str(exc).split())[:300]


def _describe(kind: TypeCleanup | None, step: Mapping[str, Any], clients: Clients) -> tuple[str | None, dict[str, str]]:
    """The resource's live state and tags; raises _Gone when AWS says it does not exist."""
    if kind is None:
        return None, _tagging_api_tags(step, clients)
    live = kind.live
    client = clients(live.service, step.get("region"))
    try:
        answer = getattr(client, live.operation)(**live.kwargs([step["id"]]))
    except Exception as exc:
        if _error_code(exc) in live.missing:
            raise _Gone from None
        raise
    items = live.items_of(answer)
    state = live.state_of(items[0]) if items else None
    if state is None or live.is_gone(state):
        raise _Gone
    return state, live.tags_of(items[0])


def _tagging_api_tags(step: Mapping[str, Any], clients: Clients) -> dict[str, str]:
    """A resource's tags as the Resource Groups Tagging API lists them (it lists only some resources: one
    it does not list may still exist)."""
    if not step.get("arn"):
        return {}
    answer = clients("resourcegroupstaggingapi", step.get("region")).get_resources(ResourceARNList=[step["arn"]])
    tags = first(answer, "ResourceTagMappingList[0].Tags") or []
    return {str(t.get("Key")): str(t.get("Value")) for t in tags if isinstance(t, dict)}


def carry_out(reviews: Iterable[Review], plan: Mapping[str, Any], clients: Clients, *,
              snapshot_wait: Mapping[str, int] | None = None) -> list[dict[str, Any]]:
    """Do what each review allows: the tag, then (``act``) the step's action. One result per step:
    the step, its ``outcome`` (stopped, deleted, terminated, tagged, waiting, skipped, failed) and ``detail``."""
    results = []
    for r in reviews:
        if r.verdict in ("skip", "wait"):
            outcome, detail = ("skipped" if r.verdict == "skip" else "waiting"), r.reason
        else:
            outcome, detail = _do(r, plan["tag"], clients, snapshot_wait or {})
        results.append({**r.step, "outcome": outcome, "detail": detail})
    return results


def _do(r: Review, tag: Mapping[str, str], clients: Clients, snapshot_wait: Mapping[str, int]) -> tuple[str, str]:
    step = r.step
    kind = cleanup_of(step["type"], step["action"])
    try:
        _write_tag(kind, step, tag, clients)
        if r.verdict == "tag" or kind is None:
            return "tagged", r.reason or f"{tag['key']}={tag['value']}"
        detail = _act(kind, step, tag, clients(kind.service, step.get("region")), snapshot_wait)
    except Exception as exc:  # noqa: BLE001 - an AWS error fails this step, not the others
        return "failed", _message(exc)
    return DONE[kind.action], detail


def _write_tag(kind: TypeCleanup | None, step: Mapping[str, Any], tag: Mapping[str, str], clients: Clients) -> None:
    if kind is not None:
        client = clients(kind.service, step.get("region"))
        getattr(client, kind.tag.operation)(**kind.tag.kwargs(step["id"], step.get("arn")),
                                            Tags=[{"Key": tag["key"], "Value": tag["value"]}])
        return
    if not step.get("arn"):
        raise BadInput("no ARN to tag it by (the store does not know it)")
    answer = clients("resourcegroupstaggingapi", step.get("region")).tag_resources(
        ResourceARNList=[step["arn"]], Tags={tag["key"]: tag["value"]})
    if failed := answer.get("FailedResourcesMap"):
        raise BadInput(f"not tagged: {json.dumps(failed, default=str)[:300]}")


def _act(kind: TypeCleanup, step: Mapping[str, Any], tag: Mapping[str, str], client: Any,
         snapshot_wait: Mapping[str, int]) -> str:
    """The action's calls in order; a volume is deleted only once its snapshot is complete."""
    done = []
    for call in kind.steps:
        kwargs = call.kwargs(step["id"], step.get("arn"))
        if call.operation == "create_snapshot":
            kwargs.update(Description=f"cloudblame cleanup: {step['id']} before it is deleted",
                          TagSpecifications=[{"ResourceType": "snapshot",
                                              "Tags": [{"Key": tag["key"], "Value": tag["value"]}]}])
        answer = getattr(client, call.operation)(**kwargs)
        if call.operation == "create_snapshot":
            snapshot = answer["SnapshotId"]
            client.get_waiter("snapshot_completed").wait(SnapshotIds=[snapshot], WaiterConfig=dict(snapshot_wait))
            done.append(f"snapshot {snapshot}")
        done.append(call.operation)
    return ", ".join(done)


SAVING = ("stopped", "deleted", "terminated")


def summary_of(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Counts by outcome and the money saved a month: the known costs of what was stopped, deleted or
    terminated (None: none known) and how many of them have no known cost."""
    counts = {name: 0 for name in ("stopped", "deleted", "terminated", "tagged", "waiting", "skipped", "failed")}
    for r in results:
        counts[r["outcome"]] += 1
    saving = _money(r for r in results if r["outcome"] in SAVING)
    return {"counts": counts, "saved_usd_per_month": saving["total_usd_per_month"],
            "saved_unpriced": saving["unpriced"]}

