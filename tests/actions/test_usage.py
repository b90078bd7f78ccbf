"""`forgotten --metrics` and `blame --metrics` against CloudWatch in moto (server mode, on loopback): metric data
is put for resources a trail created, some busy, some idle, some without any; the readings are stored in the
store, judge what is forgotten, and are shown afterwards without AWS."""

from __future__ import annotations

import gzip
import json
import shutil
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import pytest
from typer.testing import CliRunner

from cloudblame.cli import app
from cloudblame.demo.envelope import iam_user_identity
from cloudblame.pipeline.ingest import ingest_paths
from cloudblame.store import Store

ACCOUNT, REGION = "123456789012", "us-east-1"
CREDS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": REGION,
         "AWS_EC2_METADATA_DISABLED": "true"}
NOW = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
CREATED = NOW - timedelta(days=60)
AS_OF = NOW - timedelta(days=1)  # alice's last call: the newest event, what forgotten judges as of
MB = 1_000_000


@pytest.fixture(autouse=True)
def fake_credentials(monkeypatch):
    for key, value in CREDS.items():
        monkeypatch.setenv(key, value)


def record(who: str, when: datetime, name: str, req: dict, resp: dict | None, source: str = "ec2.amazonaws.com") -> dict:
    return {"eventVersion": "1.09", "userIdentity": iam_user_identity(ACCOUNT, who, f"AIDA{who.upper():0>17}",
                                                                      f"AKIA{who.upper():0>16}"),
            "eventTime": when.isoformat() + "Z", "eventSource": source, "eventName": name, "awsRegion": REGION,
            "sourceIPAddress": "203.0.113.7", "userAgent": "aws-cli/2.22.4 md/command#ec2", "requestParameters": req,
            "responseElements": resp, "requestID": str(uuid.uuid4()), "eventID": str(uuid.uuid4()), "readOnly": False,
            "eventType": "AwsApiCall", "managementEvent": True, "recipientAccountId": ACCOUNT,
            "eventCategory": "Management"}


def run_instance(who: str, when: datetime, iid: str) -> dict:
    return record(who, when, "RunInstances", {"instanceType": "m5.large", "instancesSet": {"items": [{}]}},
                  {"instancesSet": {"items": [{"instanceId": iid, "instanceType": "m5.large"}]}})


def write_trail(folder: Path, records: list[dict]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{ACCOUNT}_CloudTrail_{REGION}_{uuid.uuid4().hex[:8]}.json.gz"
    path.write_bytes(gzip.compress(json.dumps({"Records": records}).encode()))
    return path


def put_daily(cw, namespace: str, metric: str, dimensions: dict[str, str], values: list[float], end: datetime) -> None:
    """One datapoint a day for the days before ``end``, the newest first."""
    cw.put_metric_data(Namespace=namespace, MetricData=[
        {"MetricName": metric, "Dimensions": [{"Name": k, "Value": v} for k, v in dimensions.items()],
         "Timestamp": end - timedelta(days=day, hours=2), "Value": value} for day, value in enumerate(values)])


class World:
    """bob (quiet since he made them, 60 days ago) left six instances and a database; alice worked yesterday."""

    def __init__(self, url: str, root: Path):
        self.url, self.db = url, str(root / "store")
        self.ids = {name: f"i-{uuid.uuid4().hex[:17]}" for name in
                    ("busy_cpu", "busy_network", "idle", "idle_cpu_only", "silent", "later_busy")}
        self.database = f"bob-db-{uuid.uuid4().hex[:6]}"
        records = [run_instance("bob", CREATED, iid) for iid in self.ids.values()]
        records.append(record("bob", CREATED, "CreateDBInstance", {"dBInstanceIdentifier": self.database,
                              "dBInstanceClass": "db.t3.micro", "engine": "postgres", "allocatedStorage": 20},
                              {"dBInstanceIdentifier": self.database}, source="rds.amazonaws.com"))
        records.append(run_instance("alice", AS_OF, f"i-{uuid.uuid4().hex[:17]}"))
        write_trail(root / "trail", records)
        with Store.open(self.db) as store:
            ingest_paths(store, [str(root / "trail")])
        self.root = root
        self.cw = boto3.client("cloudwatch", endpoint_url=url, region_name=REGION)
        self.put_metrics()

    def put_metrics(self) -> None:
        ids, end = self.ids, AS_OF
        cpu = {"busy_cpu": [3.0, 62.0, 4.0], "busy_network": [1.0] * 10, "idle": [0.4, 0.2, 0.3] * 4,
               "idle_cpu_only": [2.0, 1.5], "later_busy": [0.5] * 5}
        for name, values in cpu.items():
            put_daily(self.cw, "AWS/EC2", "CPUUtilization", {"InstanceId": ids[name]}, values, end)
        for name, per_day in (("busy_cpu", MB), ("busy_network", 400 * MB), ("idle", MB // 2), ("later_busy", MB)):
            for metric in ("NetworkIn", "NetworkOut"):
                put_daily(self.cw, "AWS/EC2", metric, {"InstanceId": ids[name]}, [per_day] * 10, end)
        put_daily(self.cw, "AWS/RDS", "DatabaseConnections", {"DBInstanceIdentifier": self.database}, [0.0] * 20, end)

    def cli(self, *args: str, metrics: bool = False):
        aws = ["--metrics", "--endpoint-url", self.url, "--region", REGION] if metrics else []
        result = CliRunner().invoke(app, [*args, "--db", self.db, *aws])
        assert result.exit_code == 0, result.output
        return result

    def forgotten(self, *, metrics: bool = False) -> dict:
        out = self.cli("forgotten", "-f", "json", "-n", "0", metrics=metrics).stdout
        return json.loads(out[out.index("{"):])


@pytest.fixture
def world(moto_url, tmp_path):
    return World(moto_url, tmp_path)


def test_forgotten_with_metrics_leaves_out_the_busy_and_keeps_the_idle_with_their_evidence(world):
    ids = world.ids
    before = world.forgotten()
    assert {r["id"] for r in before["resources"]} == {*ids.values(), world.database}
    assert before["in_use"] == 0 and all(r["evidence"] is None for r in before["resources"])

    found = world.forgotten(metrics=True)
    rows = {r["id"]: r for r in found["resources"]}
    assert set(rows) == {ids["idle"], ids["idle_cpu_only"], ids["silent"], ids["later_busy"], world.database}
    assert found["in_use"] == 2 and found["count"] == 5

    idle = rows[ids["idle"]]["evidence"]
    assert idle["verdict"] == "idle" and idle["window"]["days"] == 30
    assert idle["window"]["end"] == AS_OF.isoformat() + "Z"
    cpu = idle["metrics"][0]
    assert (cpu["namespace"], cpu["metric"], cpu["statistic"], cpu["value"]) == ("AWS/EC2", "CPUUtilization", "Maximum",
                                                                                 0.4)
    assert cpu["dimensions"] == {"InstanceId": ids["idle"]} and cpu["datapoints"] == 12
    assert idle["words"] == "max CPU 0.4%, 5.0 MB network in, 5.0 MB network out over 30 days"
    assert any(r.startswith("CloudWatch: max CPU 0.4%") for r in rows[ids["idle"]]["reasons"])

    partly = rows[ids["idle_cpu_only"]]["evidence"]  # CPU only: network has no data, which is not 0
    assert partly["verdict"] == "idle" and [m["value"] for m in partly["metrics"]] == [2.0, None, None]
    assert [m["verdict"] for m in partly["metrics"]] == ["idle", "no data", "no data"]
    silent = rows[ids["silent"]]["evidence"]
    assert silent["verdict"] == "unknown" and silent["words"] == "no data over 30 days"
    assert {m["value"] for m in silent["metrics"]} == {None}
    assert rows[world.database]["evidence"]["words"] == "0 connections over 30 days"


def test_stored_evidence_answers_without_aws_and_survives_the_next_ingest(world):
    read = world.forgotten(metrics=True)
    write_trail(world.root / "later", [record("alice", AS_OF + timedelta(minutes=5), "CreateTags",
                                              {"resourcesSet": {"items": [{"resourceId": "i-0alice"}]}}, None)])
    with Store.open(world.db) as store:
        ingest_paths(store, [str(world.root / "later")])
    again = world.forgotten()  # no --metrics: the stored readings, with when they were made
    assert {r["id"] for r in again["resources"]} == {r["id"] for r in read["resources"]}
    assert again["in_use"] == 2
    assert [r["evidence"] for r in again["resources"]] == [r["evidence"] for r in read["resources"]]
    blamed = json.loads(world.cli("blame", world.ids["busy_cpu"], "-f", "json").stdout)
    assert blamed["evidence"]["verdict"] == "used" and blamed["evidence"]["metrics"][0]["value"] == 62.0
    assert blamed["evidence"]["words"].startswith("max CPU 62.0%, 10.0 MB network in")


def test_the_latest_reading_counts(world):
    world.forgotten(metrics=True)
    later = world.ids["later_busy"]
    put_daily(world.cw, "AWS/EC2", "CPUUtilization", {"InstanceId": later}, [97.0], AS_OF - timedelta(hours=1))
    found = world.forgotten(metrics=True)
    assert later not in {r["id"] for r in found["resources"]} and found["in_use"] == 3
    with Store.open(world.db, read_only=True) as store:
        readings = store.query("SELECT DISTINCT read_at FROM usage_evidence WHERE resource_id = ?", [later])
    assert len(readings) == 2  # both kept; the newer one counts


def test_blame_with_metrics_reads_the_one_resource(world):
    result = world.cli("blame", world.ids["idle"], metrics=True)
    assert "use (CloudWatch)  idle: max CPU 0.4%" in result.stdout
    assert "CloudWatch: 1 resource(s) read in 1 call(s)" in result.stderr
    with Store.open(world.db, read_only=True) as store:
        read = store.query("SELECT DISTINCT resource_id, window_end - window_start AS span FROM usage_evidence")
    assert read == [{"resource_id": world.ids["idle"], "span": timedelta(days=14)}]


def test_the_demo_store_busy_instance_is_no_longer_forgotten(made_demo, moto_url, tmp_path):
    db = tmp_path / "store"
    shutil.copytree(made_demo / "cloudblame-store", db)  # the shared demo store stays as it was
    runner = CliRunner()
    out = runner.invoke(app, ["forgotten", "--db", str(db), "-f", "json", "-n", "0"]).stdout
    before = json.loads(out)
    by_type = {r["type"]: r for r in before["resources"]}
    instance, database = by_type["AWS::EC2::Instance"], by_type["AWS::RDS::DBInstance"]
    alb = by_type["AWS::ElasticLoadBalancingV2::LoadBalancer"]
    end = datetime.fromisoformat(before["as_of"].rstrip("Z"))
    cw = boto3.client("cloudwatch", endpoint_url=moto_url, region_name=REGION)
    put_daily(cw, "AWS/EC2", "CPUUtilization", {"InstanceId": instance["id"]}, [71.0, 88.0, 64.0], end)
    put_daily(cw, "AWS/RDS", "DatabaseConnections", {"DBInstanceIdentifier": database["id"]}, [0.0] * 25, end)
    result = runner.invoke(app, ["forgotten", "--db", str(db), "-f", "json", "-n", "0", "--metrics", "--endpoint-url",
                                 moto_url, "--region", REGION])
    assert result.exit_code == 0, result.output
    after = json.loads(result.stdout)
    rows = {r["id"]: r for r in after["resources"]}
    assert instance["id"] not in rows and after["in_use"] == 1 and after["count"] == before["count"] - 1
    assert rows[database["id"]]["evidence"]["words"] == "0 connections over 30 days"
    assert rows[alb["id"]]["evidence"]["verdict"] == "unknown"  # no request data: unknown, not idle
    assert rows[alb["id"]]["evidence"]["metrics"][0]["dimensions"] == {"LoadBalancer": alb["arn"].split(":loadbalancer/")[1]}
    assert rows["sandbox-eks"]["evidence"] is None  # a type without usage metrics is not read
