"""invictus-aws: bert-jan builds an environment with Terraform; every resource he created blames him."""

from __future__ import annotations

import json

from cloudblame.core.jpath import resolve
from cloudblame.queries.blame import blame
from cloudblame.queries.events import EventFilter, search_events
from tests.conftest import dataset

# (eventName, where the test reads the created resource's id or name from the raw record)
CREATIONS = {
    "RunInstances": "responseElements.instancesSet.items[].instanceId",
    "CreateVpc": "responseElements.vpc.vpcId",
    "CreateSubnet": "responseElements.subnet.subnetId",
    "CreateNatGateway": "responseElements.CreateNatGatewayResponse.natGateway.natGatewayId",
    "CreateSecret": "requestParameters.name",
    "CreateBucket": "requestParameters.bucketName",
}


def _terraform_creations():
    folder = dataset("invictus-aws")
    found = []
    for path in sorted(folder.rglob("*.json")):
        for rec in json.loads(path.read_text())["Records"]:
            path_expr = CREATIONS.get(rec["eventName"])
            if path_expr and not rec.get("errorCode") and "Terraform" in rec.get("userAgent", ""):
                for rid in resolve(rec, path_expr):
                    found.append((rec["eventName"], rid, rec["eventID"]))
    return found


def test_every_terraform_creation_blames_bert_jan_with_terraform(invictus_store):
    store, _ = invictus_store
    creations = _terraform_creations()
    kinds = {name for name, _, _ in creations}
    assert kinds == set(CREATIONS), f"dataset lacks some creation kinds: {set(CREATIONS) - kinds}"
    assert len(creations) >= 40
    for event_name, rid, event_id in creations:
        result = blame(store, rid)
        created = result["created"]
        assert created is not None, f"{event_name} {rid}: no creation found"
        assert created["event_id"] == event_id, f"{rid}: created by the wrong event"
        assert created["actor"]["human"] == "bert-jan"
        assert created["actor"]["identity_type"] == "IAMUser"
        assert created["tool"]["id"] == "terraform", (rid, created["tool"])
        assert created["tool"]["version"] == "1.1.2"
        assert created["time"].startswith("2023-07-10T") and created["time"].endswith("Z")


def test_blame_shape_and_timeline_order(invictus_store):
    store, _ = invictus_store
    (_, instance_id, _) = next(c for c in _terraform_creations() if c[0] == "RunInstances")
    result = blame(store, instance_id)
    assert set(result) == {"resource", "created", "deleted", "timeline", "alive", "tags", "size", "purpose", "cost",
                           "last_activity", "related", "attempted", "status", "cost_while_alive", "evidence"}
    assert result["evidence"] is None  # CloudWatch never read for it
    assert result["status"] == "deleted" and result["attempted"] is None  # terminated within the hour
    assert result["size"]["instance_type"] and result["purpose"]["managed_by"] == "terraform"
    assert result["related"] and all(r["relation"] == "referenced at creation" for r in result["related"])
    assert result["cost"] is None  # a deleted resource has no monthly cost; what it cost while it ran:
    assert result["cost_while_alive"]["usd_per_month"] > 0
    assert result["size"]["instance_type"] in result["cost_while_alive"]["basis"]
    assert set(result["resource"]) == {"id", "arn", "type", "account", "region", "name"}
    assert result["resource"] == {
        **result["resource"], "id": instance_id, "type": "AWS::EC2::Instance",
        "account": "123837392027", "region": "us-east-1",
        "arn": f"arn:aws:ec2:us-east-1:123837392027:instance/{instance_id}",
    }
    times = [t["time"] for t in result["timeline"]]
    assert times == sorted(times) and result["timeline"][0]["action"] == "create"
    assert set(result["timeline"][0]) == {"time", "event_id", "event_name", "actor", "tool", "error_code", "action"}
    # blame by ARN gives the same answer as blame by id
    assert blame(store, result["resource"]["arn"])["created"] == result["created"]


def test_stratus_runs_are_told_apart_from_terraform(invictus_store):
    store, _ = invictus_store
    rows = search_events(store, EventFilter(tool="stratus-red-team", limit=1000))
    assert rows and all(r["tool"]["id"] == "stratus-red-team" for r in rows)
    assert {r["actor"]["human"] for r in rows} >= {"bert-jan"}


def test_benjamin_works_through_boto3_and_console(invictus_store):
    store, _ = invictus_store
    rows = search_events(store, EventFilter(username="benjamin", limit=5000))
    assert rows, "benjamin's events are missing"
    tools = {r["tool"]["id"] for r in rows}
    assert "boto3" in tools and "console" in tools, tools


def test_every_record_is_ingested_once(invictus_store):
    store, summary = invictus_store
    assert summary.records == 2900 and summary.new == 2900 and summary.bad_records == 0
    assert store.scalar("SELECT count(*) FROM events") == 2900
