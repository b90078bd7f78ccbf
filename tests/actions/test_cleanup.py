"""`cloudblame cleanup plan` / `apply` against moto in server mode on loopback: a world where bob (an IAM
user who went quiet 60 days ago) left two instances, two volumes and a database, and alice (active
yesterday) runs one of each; the trail naming their exact ids is ingested into a store."""

from __future__ import annotations

import gzip
import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import pytest
from typer.testing import CliRunner

from cloudblame.actions.cleanup import boto3_clients, carry_out, load_plan, make_plan, review, summary_of, write_plan
from cloudblame.cli import app
from cloudblame.demo.envelope import iam_user_identity
from cloudblame.pipeline.ingest import ingest_paths
from cloudblame.store import Store

ACCOUNT, REGION = "123456789012", "us-east-1"
CREDS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": REGION,
         "AWS_EC2_METADATA_DISABLED": "true"}
NOW = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
CREATED = NOW - timedelta(days=60)
CLI_UA = "aws-cli/2.22.4 md/awscrt#0.22.0 ua/2.0 os/linux#6.8.0 md/arch#x86_64 lang/python#3.12.6 md/command#ec2"
FAST_SNAPSHOTS = {"Delay": 1, "MaxAttempts": 5}


@pytest.fixture(autouse=True)
def fake_credentials(monkeypatch):
    for key, value in CREDS.items():
        monkeypatch.setenv(key, value)


def record(who: str, when: datetime, source: str, name: str, req: dict, resp: dict | None) -> dict:
    return {"eventVersion": "1.09", "userIdentity": iam_user_identity(ACCOUNT, who, f"AIDA{who.upper():0>17}",
                                                                      f"AKIA{who.upper():0>16}"),
            "eventTime": when.isoformat() + "Z", "eventSource": source, "eventName": name, "awsRegion": REGION,
            "sourceIPAddress": "203.0.113.7", "userAgent": CLI_UA, "requestParameters": req,
            "responseElements": resp, "requestID": str(uuid.uuid4()), "eventID": str(uuid.uuid4()),
            "readOnly": False, "eventType": "AwsApiCall", "managementEvent": True, "recipientAccountId": ACCOUNT,
            "eventCategory": "Management"}


def write_trail(folder: Path, records: list[dict]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{ACCOUNT}_CloudTrail_{REGION}_{uuid.uuid4().hex[:8]}.json.gz"
    path.write_bytes(gzip.compress(json.dumps({"Records": records}).encode()))
    return path


class World:
    """The resources in moto and the store whose trail created them."""

    def __init__(self, url: str, root: Path):
        self.url, self.root = url, root
        self.ec2 = boto3.client("ec2", endpoint_url=url, region_name=REGION)
        self.rds = boto3.client("rds", endpoint_url=url, region_name=REGION)
        self.records: list[dict] = []
        self.bob_instances = [self.instance("bob", CREATED) for _ in range(2)]
        self.alice_instance = self.instance("alice", CREATED)
        self.bob_volumes = [self.volume("bob", CREATED) for _ in range(2)]
        self.alice_volume = self.volume("alice", CREATED)
        self.bob_db = self.database("bob", f"bob-db-{uuid.uuid4().hex[:6]}", CREATED)
        self.alice_db = self.database("alice", f"alice-db-{uuid.uuid4().hex[:6]}", CREATED)
        yesterday = NOW - timedelta(days=1)  # alice works on hers: active, and so is she
        self.touch("alice", yesterday, self.alice_instance)
        self.records.append(record("alice", yesterday, "ec2.amazonaws.com", "ModifyVolume",
                                   {"ModifyVolumeRequest": {"VolumeId": self.alice_volume, "Size": 20}}, None))
        self.records.append(record("alice", yesterday, "rds.amazonaws.com", "RebootDBInstance",
                                   {"dBInstanceIdentifier": self.alice_db}, None))
        write_trail(root / "trail", self.records)
        self.store = Store.open(root / "store")
        ingest_paths(self.store, [str(root / "trail")])

    def instance(self, who: str, when: datetime) -> str:
        iid = self.ec2.run_instances(ImageId="ami-12c6146b", InstanceType="m5.large", MinCount=1,
                                     MaxCount=1)["Instances"][0]["InstanceId"]
        self.records.append(record(who, when, "ec2.amazonaws.com", "RunInstances",
                                   {"instanceType": "m5.large", "instancesSet": {"items": [{"imageId": "ami-12c6146b"}]}},
                                   {"instancesSet": {"items": [{"instanceId": iid, "instanceType": "m5.large"}]}}))
        return iid

    def volume(self, who: str, when: datetime) -> str:
        vid = self.ec2.create_volume(AvailabilityZone=f"{REGION}a", Size=100, VolumeType="gp3")["VolumeId"]
        self.records.append(record(who, when, "ec2.amazonaws.com", "CreateVolume",
                                   {"size": 100, "volumeType": "gp3", "zone": f"{REGION}a"},
                                   {"volumeId": vid, "size": "100", "volumeType": "gp3", "status": "creating"}))
        return vid

    def database(self, who: str, name: str, when: datetime) -> str:
        db = self.rds.create_db_instance(DBInstanceIdentifier=name, DBInstanceClass="db.t3.micro", Engine="postgres",
                                         AllocatedStorage=20, MasterUsername="admin", MasterUserPassword="secret-pw-1")
        arn = db["DBInstance"]["DBInstanceArn"]
        self.records.append(record(who, when, "rds.amazonaws.com", "CreateDBInstance",
                                   {"dBInstanceIdentifier": name, "dBInstanceClass": "db.t3.micro",
                                    "engine": "postgres", "allocatedStorage": 20},
                                   {"dBInstanceIdentifier": name, "dBInstanceArn": arn, "dBInstanceStatus": "creating"}))
        return name

    def touch(self, who: str, when: datetime, iid: str) -> dict:
        r = record(who, when, "ec2.amazonaws.com", "RebootInstances", {"instancesSet": {"items": [{"instanceId": iid}]}},
                   None)
        self.records.append(r)
        return r

    def later_event(self, who: str, when: datetime, iid: str) -> None:
        """An event touching ``iid`` after the plan, ingested into the store."""
        write_trail(self.root / "later", [self.touch(who, when, iid)])
        ingest_paths(self.store, [str(self.root / "later")])

    def states(self) -> dict[str, str]:
        """Every resource's live state: what a dry run must leave as it was."""
        out = {i["InstanceId"]: i["State"]["Name"] for r in self.ec2.describe_instances()["Reservations"]
               for i in r["Instances"]}
        out.update({v["VolumeId"]: v["State"] for v in self.ec2.describe_volumes()["Volumes"]})
        out.update({d["DBInstanceIdentifier"]: d["DBInstanceStatus"] for d in self.rds.describe_db_instances()["DBInstances"]})
        return out

    def clients(self):
        return boto3_clients(region=REGION, endpoint_url=self.url)


@pytest.fixture
def world(moto_url, tmp_path):
    w = World(moto_url, tmp_path)
    yield w
    w.store.close()


def forgotten_ids(w: World) -> set[str]:
    return {*w.bob_instances, *w.bob_volumes, w.bob_db}


def test_plan_names_exactly_the_forgotten_with_their_actions_and_changes_nothing(world):
    before = world.states()
    plan = make_plan(world.store, idle="30d", grace="7d", now=NOW)
    assert world.states() == before
    mine = [s for s in plan["steps"] if s["id"] in forgotten_ids(world) | {world.alice_instance, world.alice_db,
                                                                          world.alice_volume}]
    assert {s["id"] for s in mine} == forgotten_ids(world)
    actions = {s["id"]: s["action"] for s in mine}
    assert {actions[i] for i in world.bob_instances} == {"stop"}
    assert {actions[v] for v in world.bob_volumes} == {"snapshot-and-delete"}
    assert actions[world.bob_db] == "stop"
    step = next(s for s in mine if s["id"] == world.bob_instances[0])
    assert step["owner"] == "bob" and step["account"] == ACCOUNT and step["region"] == REGION
    assert step["arn"].endswith(f"instance/{world.bob_instances[0]}")
    assert step["last_activity"] == CREATED.isoformat() + "Z" and step["usd_per_month"] > 0
    assert step["grace_end"] == (NOW + timedelta(days=7)).isoformat() + "Z"
    assert plan["store"]["snapshot"] is not None and plan["store"]["newest_event"]
    order = [s["action"] for s in plan["steps"]]
    assert order == sorted(order, key=["tag", "stop", "snapshot-and-delete", "terminate"].index)  # safe first
    assert make_plan(world.store, owner=["alice"], now=NOW)["steps"] == []
    only = make_plan(world.store, resource_type=["AWS::EC2::Volume"], now=NOW)["steps"]
    assert {s["id"] for s in only} == set(world.bob_volumes)
    assert {s["action"] for s in make_plan(world.store, terminate=True, resource_type=["AWS::EC2::Instance"],
                                           now=NOW)["steps"]} == {"terminate"}


def _apply(world, plan, now):
    reviews = review(plan, world.store, world.clients(), now=now)
    results = carry_out(reviews, plan, world.clients(), snapshot_wait=FAST_SNAPSHOTS)
    return {r["id"]: r for r in results}, summary_of(list(results))


def test_before_the_grace_period_ends_apply_only_tags(world):
    plan = make_plan(world.store, grace="7d", now=NOW)
    before = world.states()
    results, summary = _apply(world, plan, NOW + timedelta(days=1))
    assert world.states() == before
    assert {results[i]["outcome"] for i in forgotten_ids(world)} == {"tagged"}
    tags = {t["Key"]: t["Value"] for t in world.ec2.describe_volumes(VolumeIds=[world.bob_volumes[0]])["Volumes"][0]["Tags"]}
    assert tags == {"cloudblame:cleanup": (NOW + timedelta(days=7)).date().isoformat()}
    assert summary["counts"]["stopped"] == summary["counts"]["deleted"] == 0
    again, _ = _apply(world, plan, NOW + timedelta(days=2))
    assert {again[i]["outcome"] for i in forgotten_ids(world)} == {"waiting"}


def test_after_the_grace_period_apply_stops_snapshots_deletes_and_skips(world):
    plan = make_plan(world.store, grace="0d", now=NOW)
    gone_volume, touched = world.bob_volumes[1], world.bob_instances[1]
    world.ec2.delete_volume(VolumeId=gone_volume)  # gone in AWS since the plan
    world.later_event("carol", NOW - timedelta(hours=1), touched)  # touched since the plan
    results, summary = _apply(world, plan, NOW + timedelta(minutes=1))
    states = world.states()
    assert results[world.bob_instances[0]]["outcome"] == "stopped" and states[world.bob_instances[0]] == "stopped"
    assert results[world.bob_db]["outcome"] == "stopped" and states[world.bob_db] == "stopped"
    assert results[touched]["outcome"] == "skipped" and "touched since" in results[touched]["detail"]
    assert "RebootInstances by carol" in results[touched]["detail"] and states[touched] == "running"
    assert results[gone_volume]["outcome"] == "skipped" and "gone" in results[gone_volume]["detail"]
    deleted = world.bob_volumes[0]
    assert results[deleted]["outcome"] == "deleted" and deleted not in states
    snapshots = world.ec2.describe_snapshots(Filters=[{"Name": "volume-id", "Values": [deleted]}])["Snapshots"]
    assert len(snapshots) == 1 and snapshots[0]["State"] == "completed"
    for alive in (world.alice_instance, world.alice_volume, world.alice_db):
        assert alive not in results and states[alive] in ("running", "available")
    assert summary["counts"]["stopped"] == 2 and summary["counts"]["deleted"] == 1
    saved = sum(results[i]["usd_per_month"] for i in (world.bob_instances[0], world.bob_db, deleted))
    assert summary["saved_usd_per_month"] == pytest.approx(saved, abs=0.01)
    again, second = _apply(world, plan, NOW + timedelta(minutes=2))  # a second apply does nothing
    assert world.states() == states
    assert second["counts"]["stopped"] == second["counts"]["deleted"] == second["counts"]["tagged"] == 0
    assert {again[i]["outcome"] for i in forgotten_ids(world)} == {"skipped"}


def test_an_instance_is_terminated_only_when_the_plan_says_so(world):
    plan = make_plan(world.store, grace="0d", terminate=True, resource_type=["AWS::EC2::Instance"], now=NOW)
    results, summary = _apply(world, plan, NOW + timedelta(minutes=1))
    assert {results[i]["outcome"] for i in world.bob_instances} == {"terminated"}
    assert {world.states()[i] for i in world.bob_instances} == {"terminated"}
    assert world.states()[world.alice_instance] == "running"


def test_cli_plan_then_apply_asks_for_confirmation(world, tmp_path, moto_url):
    world.store.close()
    runner = CliRunner()
    db, plan_path = str(tmp_path / "store"), tmp_path / "plan.json"
    made = runner.invoke(app, ["cleanup", "plan", "--db", db, "--grace", "0d", "--out", str(plan_path)],
                         env={"COLUMNS": "120"})
    assert made.exit_code == 0, made.output
    assert world.bob_db in made.stdout and plan_path.exists()
    assert {s["id"] for s in load_plan(plan_path)["steps"]} >= forgotten_ids(world)
    base = ["cleanup", "apply", str(plan_path), "--db", db, "--endpoint-url", moto_url, "--region", REGION]
    refused = runner.invoke(app, base, input="")
    assert refused.exit_code == 2 and "--yes" in refused.stderr
    assert world.states()[world.bob_instances[0]] == "running"
    done = runner.invoke(app, [*base, "--yes", "--format", "json"])
    assert done.exit_code == 0, done.output
    out = json.loads(done.stdout)
    assert out["counts"]["stopped"] == 3 and out["counts"]["deleted"] == 2
    assert world.states()[world.bob_instances[0]] == "stopped"


def test_a_plan_file_is_checked(tmp_path, world):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"kind": "something else"}))
    with pytest.raises(ValueError, match="not a cloudblame cleanup plan"):
        load_plan(bad)
    plan = make_plan(world.store, now=NOW)
    plan["steps"].append({"type": "AWS::S3::Bucket", "id": "x", "action": "snapshot-and-delete"})
    write_plan(plan, bad)
    with pytest.raises(ValueError, match="does not do that"):
        load_plan(bad)
