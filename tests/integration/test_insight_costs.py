"""Cost insights (issue 19): the creations table, cost bursts and resources without an Owner tag, found when the
events are published. Composed records are shaped as CloudTrail writes them (tests/unit/test_catalog_creations.py);
every price is read from the packaged price table, not typed here."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from cloudblame.derive.insight_costs import UNTAGGABLE
from cloudblame.derive.insight_creations import DEFAULT_THRESHOLDS
from cloudblame.pipeline.ingest import ingest_paths
from cloudblame.prices.table import HOURS_PER_MONTH, PriceTable
from cloudblame.store import Store
from tests.conftest import build_store, dataset

ACCOUNT, REGION = "111122223333", "us-east-1"
START = datetime(2025, 3, 4, 9, 0, tzinfo=UTC)
CLI_UA = "aws-cli/2.15.30 Python/3.11.8 Linux/5.15.0 exe/x86_64.amzn.2 prompt/off command/ec2.run-instances"
_serial = iter(range(1, 1_000_000))


def monthly(service: str, item: str) -> float:
    """A monthly list price (cents) from the packaged price table, as inventory computes it."""
    price = PriceTable.load().price(service, item, REGION)
    assert price is not None, f"the packaged price table has no {service} {item} in {REGION}"
    return round(price.usd * HOURS_PER_MONTH, 2)


def user(name: str) -> dict[str, Any]:
    return {"type": "IAMUser", "principalId": f"AIDA{name.upper():0<16}", "arn": f"arn:aws:iam::{ACCOUNT}:user/{name}",
            "accountId": ACCOUNT, "accessKeyId": f"AKIA{name.upper():0<16}", "userName": name}


def role_session(role: str, session: str, key: str) -> dict[str, Any]:
    return {"type": "AssumedRole", "principalId": f"AROAROLE{role.upper()}:{session}",
            "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/{role}/{session}", "accountId": ACCOUNT, "accessKeyId": key,
            "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": f"AROAROLE{role.upper()}",
                                                 "arn": f"arn:aws:iam::{ACCOUNT}:role/{role}", "accountId": ACCOUNT,
                                                 "userName": role},
                               "attributes": {"creationDate": "2025-03-04T08:00:00Z", "mfaAuthenticated": "false"}}}


def record(who: str | dict[str, Any], at: datetime, source: str, name: str, request: Any, response: Any,
           error: str | None = None) -> dict[str, Any]:
    n = next(_serial)
    rec = {"eventVersion": "1.10", "userIdentity": user(who) if isinstance(who, str) else who, "eventTime": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
           "eventSource": source, "eventName": name, "awsRegion": REGION, "sourceIPAddress": "203.0.113.25",
           "userAgent": CLI_UA, "requestParameters": request, "responseElements": response,
           "requestID": f"req-{n:06d}", "eventID": f"5c3f2e10-cost-4bbb-8ccc-{n:012d}", "readOnly": False,
           "eventType": "AwsApiCall", "managementEvent": True, "recipientAccountId": ACCOUNT,
           "eventCategory": "Management"}
    if error:
        rec["errorCode"], rec["errorMessage"] = error, "not authorized"
    return rec


def run_instances(who: str | dict[str, Any], at: datetime, itype: str, count: int = 1, tags: dict[str, str] | None = None,
                  error: str | None = None) -> dict[str, Any]:
    request: dict[str, Any] = {"instancesSet": {"items": [{"imageId": "ami-0abc1234def567890", "minCount": count,
                                                           "maxCount": count}]}, "instanceType": itype}
    if tags:
        request["tagSpecificationSet"] = {"items": [{"resourceType": "instance", "tags": [
            {"key": k, "value": v} for k, v in tags.items()]}]}
    items = [{"instanceId": f"i-{next(_serial):017x}", "instanceType": itype, "instanceState": {"code": 0, "name": "pending"}}
             for _ in range(count)]
    response = None if error else {"requestId": "r", "reservationId": f"r-{next(_serial):017x}", "ownerId": ACCOUNT,
                                   "instancesSet": {"items": items}}
    return record(who, at, "ec2.amazonaws.com", "RunInstances", request, response, error)


def nat_gateway(who: str, at: datetime) -> dict[str, Any]:
    nat = f"nat-{next(_serial):017x}"
    request = {"CreateNatGatewayRequest": {"ConnectivityType": "public", "AllocationId": "eipalloc-0123456789abcdef0",
                                           "SubnetId": "subnet-0123456789abcdef0", "ClientToken": "t"}}
    response = {"CreateNatGatewayResponse": {"xmlns": "http://ec2.amazonaws.com/doc/2016-11-15/", "natGateway": {
        "connectivityType": "public", "subnetId": "subnet-0123456789abcdef0", "natGatewayId": nat, "state": "pending",
        "vpcId": "vpc-0123456789abcdef0"}, "clientToken": "t"}}
    return record(who, at, "ec2.amazonaws.com", "CreateNatGateway", request, response)


def database(who: str, at: datetime, ident: str, cls: str, multi_az: bool = False) -> dict[str, Any]:
    request = {"dBInstanceIdentifier": ident, "allocatedStorage": 100, "dBInstanceClass": cls, "engine": "postgres",
               "masterUsername": "admin", "multiAZ": multi_az, "engineVersion": "16.4"}
    response = {"dBInstanceIdentifier": ident, "dBInstanceClass": cls, "engine": "postgres",
                "dBInstanceStatus": "creating", "multiAZ": multi_az, "allocatedStorage": 100,
                "dBInstanceArn": f"arn:aws:rds:{REGION}:{ACCOUNT}:db:{ident}"}
    return record(who, at, "rds.amazonaws.com", "CreateDBInstance", request, response)


def bucket(who: str, at: datetime, name: str) -> dict[str, Any]:
    return record(who, at, "s3.amazonaws.com", "CreateBucket", {"bucketName": name, "Host": f"{name}.s3.amazonaws.com"},
                  None)


def function(who: str, at: datetime, name: str) -> dict[str, Any]:
    arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"
    return record(who, at, "lambda.amazonaws.com", "CreateFunction20150331",
                  {"functionName": name, "runtime": "python3.12", "role": f"arn:aws:iam::{ACCOUNT}:role/fn",
                   "handler": "app.handler", "memorySize": 128},
                  {"functionName": name, "functionArn": arn, "runtime": "python3.12", "memorySize": 128})


def access_key(who: str, at: datetime) -> dict[str, Any]:
    return record(who, at, "iam.amazonaws.com", "CreateAccessKey", {"userName": who},
                  {"accessKey": {"userName": who, "accessKeyId": f"AKIA{next(_serial):016d}", "status": "Active",
                                 "createDate": at.strftime("%b %d, %Y %I:%M:%S %p")}})


def create_tags(who: str, at: datetime, resource_id: str, tags: dict[str, str]) -> dict[str, Any]:
    return record(who, at, "ec2.amazonaws.com", "CreateTags",
                  {"resourcesSet": {"items": [{"resourceId": resource_id}]},
                   "tagSet": {"items": [{"key": k, "value": v} for k, v in tags.items()]}}, {"_return": True})


def created_ids(rec: dict[str, Any]) -> list[str]:
    """The instance ids a RunInstances record names."""
    return [i["instanceId"] for i in rec["responseElements"]["instancesSet"]["items"]]


def trail(folder: Path, records: list[dict[str, Any]], name: str = "trail.json") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(json.dumps({"Records": records}))
    return path


def insights(store: Store, kind: str) -> list[dict[str, Any]]:
    rows = store.query("SELECT * FROM insights WHERE kind = ? ORDER BY start_time, insight_id", [kind])
    for r in rows:
        r["people"], r["details"] = json.loads(r["people"]), json.loads(r["details"])
    return rows


def published(tmp_path: Path, *batches: list[dict[str, Any]]) -> Store:
    """A store the batches were ingested into, one publish each."""
    store, _ = build_store(tmp_path / "store", trail(tmp_path / "b0", batches[0]))
    for i, batch in enumerate(batches[1:], start=1):
        ingest_paths(store, [str(trail(tmp_path / f"b{i}", batch))])
        store.refresh()
    return store


# --- cost bursts

def test_eight_large_instances_in_two_minutes_are_one_burst(tmp_path):
    launches = [run_instances("alice", START + timedelta(seconds=15 * i), "m4.16xlarge") for i in range(8)]
    with published(tmp_path, launches) as store:
        (burst,) = insights(store, "cost-burst")
        price = monthly("ec2", "m4.16xlarge")
        assert burst["monthly_cost_added"] == pytest.approx(8 * price)
        assert burst["people"] == ["alice"] and burst["account_id"] == ACCOUNT and burst["aws_region"] == REGION
        assert burst["severity"] == "high"  # above $5,000 a month
        assert burst["start_time"] == START.replace(tzinfo=None)
        assert burst["end_time"] == (START + timedelta(seconds=105)).replace(tzinfo=None)
        assert burst["duration_minutes"] == 2 and burst["event_source"] == "ec2.amazonaws.com"
        ids = {i for rec in launches for i in created_ids(rec)}
        resources = burst["details"]["resources"]
        assert {r["id"] for r in resources} == ids and len(resources) == 8
        assert all(r["type"] == "AWS::EC2::Instance" and r["usd_per_month"] == pytest.approx(price)
                   and r["why"] == "large instance m4.16xlarge" and r["region"] == REGION for r in resources)
        assert burst["details"]["event_ids"] == [r["eventID"] for r in launches]
        assert burst["summary"] == f"alice launched 8 m4.16xlarge instances in 2 minutes: +${8 * price:,.2f}/month"
        assert "at or above $1,000.00/month" in burst["details"]["reason"]
        assert store.scalar("SELECT count(*) FROM creations WHERE expensive IS NOT NULL") == 8


def test_nat_gateway_and_large_database_in_half_an_hour_are_one_burst(tmp_path):
    records = [nat_gateway("carol", START), database("carol", START + timedelta(minutes=30), "reports", "db.r5.8xlarge")]
    with published(tmp_path, records) as store:
        (burst,) = insights(store, "cost-burst")
        nat, rds = monthly("nat", "gateway"), monthly("rds", "postgres:db.r5.8xlarge:single-az")
        assert burst["monthly_cost_added"] == pytest.approx(nat + rds)
        assert burst["people"] == ["carol"] and burst["duration_minutes"] == 30 and burst["severity"] == "medium"
        whys = {r["type"]: r["why"] for r in burst["details"]["resources"]}
        assert whys == {"AWS::EC2::NatGateway": "NAT gateway", "AWS::RDS::DBInstance": "large instance db.r5.8xlarge"}
        assert "2 resources that count as expensive" in burst["details"]["reason"]
        assert burst["summary"].startswith("carol created 1 db.r5.8xlarge database and 1 NAT gateway in 30 minutes")


def test_a_nat_gateway_and_a_small_multi_az_database_raise_on_their_count_alone(tmp_path):
    """Two resources that count as expensive raise whatever they cost; a lone NAT gateway does not."""
    records = [nat_gateway("carol", START), database("carol", START + timedelta(minutes=20), "app", "db.t3.medium", True),
               nat_gateway("dave", START)]
    with published(tmp_path, records) as store:
        (burst,) = insights(store, "cost-burst")
        assert burst["people"] == ["carol"] and burst["monthly_cost_added"] < DEFAULT_THRESHOLDS.burst_usd
        assert {r["why"] for r in burst["details"]["resources"]} == {"NAT gateway", "Multi-AZ database db.t3.medium"}


def _small_day(day: datetime = START) -> list[dict[str, Any]]:
    """A normal working day: small instances, buckets and functions by three people, all day long."""
    out = []
    for i in range(24):
        at = day + timedelta(minutes=20 * i)
        if i % 3 == 0:
            out.append(run_instances("alice", at, "t3.micro"))
        elif i % 3 == 1:
            out.append(bucket("bob", at, f"reports-{day:%m%d}-{i}"))
        else:
            out.append(function("carol", at, f"fn-{day:%m%d}-{i}"))
    out.append(run_instances("alice", day + timedelta(hours=3), "t3.micro", count=4))
    out.append(run_instances("bob", day + timedelta(hours=4), "p3.2xlarge", error="Client.UnauthorizedOperation"))
    return out


def test_a_day_of_small_creations_raises_nothing(tmp_path):
    with published(tmp_path, _small_day()) as store:
        assert insights(store, "cost-burst") == []
        counts = store.query("SELECT resource_type, count(*) AS n, count(expensive) AS expensive, "
                             "sum(usd_per_month) AS usd FROM creations GROUP BY ALL ORDER BY ALL")
        assert {r["resource_type"]: r["n"] for r in counts} == {
            "AWS::EC2::Instance": 12, "AWS::Lambda::Function": 8, "AWS::S3::Bucket": 8}
        assert all(r["expensive"] == 0 for r in counts)  # the refused p3.2xlarge launch is no creation
        assert counts[0]["usd"] == pytest.approx(12 * monthly("ec2", "t3.micro"))
        assert {r["usd"] for r in counts[1:]} == {None}  # unpriced (charged by use / storage), never 0


def test_two_people_at_the_same_time_are_two_bursts(tmp_path):
    records = [run_instances(who, START + timedelta(seconds=10 * i), "m4.16xlarge")
               for i in range(4) for who in ("alice", "bob")]
    with published(tmp_path, records) as store:
        bursts = insights(store, "cost-burst")
        assert sorted(b["people"][0] for b in bursts) == ["alice", "bob"]
        for b in bursts:
            mine = {i for rec in records if rec["userIdentity"]["userName"] == b["people"][0] for i in created_ids(rec)}
            assert {r["id"] for r in b["details"]["resources"]} == mine
            assert b["monthly_cost_added"] == pytest.approx(4 * monthly("ec2", "m4.16xlarge"))
        assert len({b["insight_id"] for b in bursts}) == 2


def test_one_gpu_instance_raises_a_high_burst(tmp_path):
    """bob's p3.2xlarge of the demo story: one GPU instance is enough, and it is severe."""
    with published(tmp_path, [run_instances("bob", START, "p3.2xlarge", tags={"Name": "gpu"})]) as store:
        (burst,) = insights(store, "cost-burst")
        assert burst["severity"] == "high" and burst["duration_minutes"] == 0
        assert burst["details"]["resources"][0]["why"] == "GPU/accelerator instance p3.2xlarge"
        assert burst["summary"] == f"bob launched 1 p3.2xlarge instance: +${monthly('ec2', 'p3.2xlarge'):,.2f}/month"


def test_gaps_of_an_hour_split_bursts(tmp_path):
    records = [run_instances("alice", START, "m4.16xlarge"),
               run_instances("alice", START + timedelta(minutes=59), "m4.16xlarge"),
               run_instances("alice", START + timedelta(minutes=59 + 60), "m4.16xlarge"),
               run_instances("alice", START + timedelta(minutes=59 + 60 + 30), "t3.micro")]
    with published(tmp_path, records) as store:
        bursts = insights(store, "cost-burst")
        assert [len(b["details"]["resources"]) for b in bursts] == [2, 2]
        assert [b["duration_minutes"] for b in bursts] == [59, 30]


def test_an_automation_creating_all_day_gives_a_burst_a_day(tmp_path):
    """Creations every 30 minutes for two days are one island, cut every max_burst_hours (24)."""
    records = [run_instances("ci-bot", START + timedelta(minutes=30 * i), "m5.4xlarge") for i in range(96)]
    with published(tmp_path, records) as store:
        bursts = insights(store, "cost-burst")
        assert [len(b["details"]["event_ids"]) for b in bursts] == [48, 48]
        assert [b["start_time"] for b in bursts] == [START.replace(tzinfo=None), (START + timedelta(days=1)).replace(
            tzinfo=None)]
        assert all(b["monthly_cost_added"] == pytest.approx(48 * monthly("ec2", "m5.4xlarge")) for b in bursts)
        assert bursts[0]["summary"].startswith("ci-bot launched 48 m5.4xlarge instances in 23.5 hours")


def _stored(store: Store) -> dict[str, list[tuple]]:
    return {"creations": store.conn.execute("SELECT * FROM creations ORDER BY ALL").fetchall(),
            "insights": store.conn.execute("SELECT * FROM insights WHERE kind IN ('cost-burst', 'no-owner-tag') "
                                           "ORDER BY ALL").fetchall()}


def test_several_publishes_end_as_one(tmp_path):
    """Bursts computed again as creations arrive (out of order: the last batch joins two bursts into one, and
    starts one earlier) end as one publish of everything makes them."""
    early = [run_instances("alice", START + timedelta(minutes=i), "m4.16xlarge") for i in range(3)]
    late = [run_instances("alice", START + timedelta(minutes=100 + i), "m4.16xlarge") for i in range(3)]
    bridge = [run_instances("alice", START + timedelta(minutes=50), "t3.micro"),
              run_instances("alice", START - timedelta(minutes=30), "t3.micro")]
    others = [nat_gateway("carol", START), database("carol", START + timedelta(minutes=10), "db1", "db.r5.8xlarge"),
              *_small_day(START + timedelta(days=1))]
    batches = [early + others[:1], late + others[1:], bridge]
    with published(tmp_path / "one", [r for b in batches for r in b]) as one, \
            published(tmp_path / "many", *batches[:2]) as many:
        assert sorted(len(b["details"]["resources"]) for b in insights(many, "cost-burst")) == [2, 3, 3]
        ingest_paths(many, [str(trail(tmp_path / "many" / "b2", batches[2]))])
        many.refresh()
        assert _stored(many) == _stored(one)
        bursts = insights(many, "cost-burst")
        assert sorted((b["people"][0], len(b["details"]["resources"])) for b in bursts) == [("alice", 8), ("carol", 2)]


def test_deriving_again_from_every_event_keeps_them(tmp_path, monkeypatch):
    """A store published by an older schema has everything derived again (rows 'event_rows'): the same."""
    import cloudblame.derive.publish as publishing

    batches = [[run_instances("alice", START + timedelta(minutes=i), "m4.16xlarge") for i in range(3)],
               [nat_gateway("carol", START), database("carol", START + timedelta(minutes=10), "db1", "db.r5.8xlarge"),
                run_instances("erin", START, "m5.large")]]
    with published(tmp_path, *batches) as store:
        before = _stored(store)
        assert len(before["insights"]) == 5  # two bursts, three people without Owner tags
        monkeypatch.setattr(publishing, "_derived_by_older", lambda snap: True)
        assert publishing.publish(store.lake).snapshot is not None
        store.refresh()
        assert _stored(store) == before


def test_thresholds_of_the_store_apply_at_the_next_publish(tmp_path):
    """insights.toml's [costs] table: a change judges the stored creations again and finds the bursts again, as
    a store that had it from the start."""
    import cloudblame.derive.publish as publishing

    launches = [run_instances("alice", START + timedelta(seconds=15 * i), "m4.16xlarge") for i in range(8)]
    strict = "[costs]\nburst_usd = 20000\nexpensive_usd = 3000\nlarge_xlarge = 32\n"
    (tmp_path / "fresh" / "store").mkdir(parents=True)
    (tmp_path / "fresh" / "store" / "insights.toml").write_text(strict)
    with published(tmp_path / "fresh", launches) as fresh, published(tmp_path / "changed", launches) as changed:
        assert len(insights(changed, "cost-burst")) == 1 and insights(fresh, "cost-burst") == []
        (tmp_path / "changed" / "store" / "insights.toml").write_text(strict)
        assert publishing.publish(changed.lake, compact=True).snapshot is not None
        changed.refresh()
        assert insights(changed, "cost-burst") == []
        assert changed.scalar("SELECT count(*) FROM creations WHERE expensive IS NOT NULL") == 0
        assert _stored(changed) == _stored(fresh)
        (tmp_path / "changed" / "store" / "insights.toml").unlink()
        publishing.publish(changed.lake, compact=True)
        changed.refresh()
        assert len(insights(changed, "cost-burst")) == 1


def test_a_session_resolved_later_moves_its_creations_to_its_human(tmp_path):
    """The role session's launches are published before the AssumeRole that says alice is behind them: her
    burst is found again with them, and the session's own burst goes."""
    key = "ASIADEPLOYKEY0000001"
    session = role_session("deployer", "run-1", key)
    launches = [run_instances(session, START + timedelta(minutes=10 + i), "m4.16xlarge") for i in range(4)]
    own = [run_instances("alice", START + timedelta(minutes=i), "m4.16xlarge") for i in range(2)]
    assume = record("alice", START - timedelta(minutes=1), "sts.amazonaws.com", "AssumeRole",
                    {"roleArn": f"arn:aws:iam::{ACCOUNT}:role/deployer", "roleSessionName": "run-1"},
                    {"credentials": {"accessKeyId": key, "expiration": "Mar 4, 2025, 10:00:00 AM"},
                     "assumedRoleUser": {"assumedRoleId": "AROAROLEDEPLOYER:run-1",
                                         "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/deployer/run-1"}})
    with published(tmp_path / "one", [*own, *launches, assume]) as one, \
            published(tmp_path / "many", own + launches) as many:
        assert sorted(len(b["details"]["resources"]) for b in insights(many, "cost-burst")) == [2, 4]
        ingest_paths(many, [str(trail(tmp_path / "many" / "b1", [assume]))])
        many.refresh()
        (burst,) = insights(many, "cost-burst")
        assert burst["people"] == ["alice"] and len(burst["details"]["resources"]) == 6
        assert burst["details"]["principals"][0].endswith("assumed-role/deployer/run-1")  # 4 of the 6
        assert _stored(many) == _stored(one)


# --- no Owner tag

def test_resources_without_an_owner_tag(tmp_path):
    tagged = run_instances("erin", START, "m5.large", tags={"Owner": "erin", "Name": "web"})
    untagged = run_instances("erin", START + timedelta(minutes=5), "m5.large", tags={"Name": "scratch"})
    rds = database("erin", START + timedelta(minutes=6), "scratch-db", "db.r5.large")
    team = run_instances("frank", START + timedelta(hours=2), "t3.micro", tags={"team": "data"})
    key = access_key("frank", START + timedelta(hours=2, minutes=1))  # an access key takes no tags
    with published(tmp_path, [tagged, untagged, rds, team, key]) as store:
        (erin, frank) = insights(store, "no-owner-tag")
        assert erin["people"] == ["erin"] and erin["end_time"] is None
        assert {r["id"] for r in erin["details"]["resources"]} == {created_ids(untagged)[0], "scratch-db"}
        expected = monthly("ec2", "m5.large") + monthly("rds", "postgres:db.r5.large:single-az")
        assert erin["monthly_cost_added"] is None  # it holds money; it adds none (not a cost insight)
        assert sum(r["usd_per_month"] for r in erin["details"]["resources"]) == pytest.approx(expected)
        assert f"holding ${expected:,.2f}/month" in erin["summary"]
        assert erin["severity"] == ("medium" if expected >= DEFAULT_THRESHOLDS.untagged_usd else "low")
        assert erin["start_time"] == (START + timedelta(minutes=5)).replace(tzinfo=None)
        assert erin["details"]["event_ids"] == [untagged["eventID"], rds["eventID"]]
        # "team" is not one of the Owner tags (Team is: keys are matched as they are spelled)
        assert [r["id"] for r in frank["details"]["resources"]] == created_ids(team)


def test_tagging_the_last_resource_clears_the_finding(tmp_path):
    untagged = run_instances("erin", START, "m5.large")
    instance = created_ids(untagged)[0]
    with published(tmp_path, [untagged], [create_tags("erin", START + timedelta(days=1), instance, {"Team": "web"})]) \
            as store:
        assert insights(store, "no-owner-tag") == []
    with published(tmp_path / "again", [untagged]) as store:
        assert [len(i["details"]["resources"]) for i in insights(store, "no-owner-tag")] == [1]


# --- the demo and real data

@pytest.fixture(scope="module")
def demo_store(made_demo: Path):
    """The store `cloudblame demo` makes (the default sample trail), shared with the other tests of the demo."""
    with Store.open(made_demo / "cloudblame-store", read_only=True) as opened:
        yield opened


def test_the_demo_story_raises_its_three_bursts(demo_store):
    """alice's eight m4.16xlarge in one minute (demo/bursts.py); bob's GPU instance and, 30 minutes later, his
    database (one GPU instance is enough); tom's GPU notebook. maria's Terraform network (one NAT gateway
    among small things) and the CI's EKS cluster stay below the thresholds."""
    bursts = {b["people"][0]: b for b in insights(demo_store, "cost-burst")}
    assert set(bursts) == {"alice", "bob", "tom.becker@example.com"}
    alice = bursts["alice"]
    assert alice["monthly_cost_added"] == pytest.approx(8 * monthly("ec2", "m4.16xlarge"))
    assert alice["severity"] == "high" and alice["duration_minutes"] == 1
    assert alice["summary"].startswith("alice launched 8 m4.16xlarge instances in 1 minute")
    bob = bursts["bob"]
    assert bob["monthly_cost_added"] == pytest.approx(
        monthly("ec2", "p3.2xlarge") + monthly("rds", "postgres:db.r6g.xlarge:single-az"))
    assert bob["severity"] == "high" and bob["duration_minutes"] == 30
    assert [r["why"] for r in bob["details"]["resources"]] == ["GPU/accelerator instance p3.2xlarge", None]
    tom = bursts["tom.becker@example.com"]
    assert tom["monthly_cost_added"] == pytest.approx(monthly("sagemaker", "ml.p3.2xlarge"))
    assert tom["details"]["resources"][0]["why"] == "GPU/accelerator instance ml.p3.2xlarge"


def test_the_demo_owners_without_owner_tags(demo_store):
    """maria's Terraform tags every resource with Owner, but not her key pair, launch template, bucket, secret,
    the bot user or the instances her Auto Scaling group launched; bob and tom tag nothing; alice's pipeline."""
    found = {i["people"][0]: i for i in insights(demo_store, "no-owner-tag")}
    assert {"maria.lopez@example.com", "bob", "tom.becker@example.com", "alice"} <= set(found)
    assert found["bob"]["severity"] == "medium" and found["bob"]["monthly_cost_added"] is None
    assert sum(r["usd_per_month"] for r in found["bob"]["details"]["resources"]) == pytest.approx(
        monthly("ec2", "p3.2xlarge") + monthly("rds", "postgres:db.r6g.xlarge:single-az"))
    owner_keys = ("Owner", "owner", "CreatedBy", "Contact", "Team")
    rows = demo_store.query("SELECT resource_type, resource_id, coalesce(creator, created_by) AS person, tags "
                            "FROM inventory WHERE alive AND created_event_id IS NOT NULL")
    untagged = {(r["person"], r["resource_id"]) for r in rows if r["resource_type"] not in UNTAGGABLE
                and not set(json.loads(r["tags"])) & set(owner_keys)}
    listed = {(p, r["id"]) for p, i in found.items() for r in i["details"]["resources"]}
    assert listed == untagged
    assert sum(len(i["details"]["resources"]) for i in found.values()) == len(untagged)



def test_invictus_terraform_build_is_one_medium_burst(invictus_store):
    """bert-jan's Terraform build (2023-07-10): two NAT gateways among small instances, a small database, volumes
    and functions, less than an hour apart: one burst of two expensive resources; the stratus runs' refused
    p2.xlarge launches are no creation."""
    store, _ = invictus_store
    folder = dataset("invictus-aws")
    nats = {rec["responseElements"]["CreateNatGatewayResponse"]["natGateway"]["natGatewayId"]
            for path in sorted(folder.rglob("*.json")) for rec in json.loads(path.read_text())["Records"]
            if rec["eventName"] == "CreateNatGateway" and not rec.get("errorCode")}
    assert len(nats) == 2
    bursts = insights(store, "cost-burst")
    (burst,) = [b for b in bursts if b["people"] == ["bert-jan"]]
    assert burst["severity"] == "medium"
    listed = burst["details"]["resources"]
    assert {r["id"] for r in listed if r["why"] == "NAT gateway"} == nats
    assert [r["why"] for r in listed if r["why"]] == ["NAT gateway", "NAT gateway"]
    known = store.scalar("SELECT sum(c.usd_per_month) FROM creations c WHERE c.actor = 'bert-jan' AND "
                         "c.created_time BETWEEN ? AND ?", [burst["start_time"], burst["end_time"]])
    assert burst["monthly_cost_added"] == pytest.approx(known)
    assert 2 * monthly("nat", "gateway") < burst["monthly_cost_added"] < DEFAULT_THRESHOLDS.burst_usd
    assert all(b["people"] == ["bert-jan"] for b in bursts), [b["summary"] for b in bursts]


def test_invictus_in_batches_newest_first_ends_as_one_ingest(invictus_store, tmp_path):
    """Sessions' calls published before the STS calls that name their human, in three batches: the same
    creations and cost insights as one ingest."""
    one, _ = invictus_store
    files = sorted(dataset("invictus-aws").rglob("*.json"), reverse=True)
    store, _ = build_store(tmp_path / "store", *files[:20])
    with store:
        for batch in (files[20:40], files[40:]):
            ingest_paths(store, [str(f) for f in batch])
        store.refresh()
        assert _stored(store) == _stored(one)
