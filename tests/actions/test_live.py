"""`inventory --live` and `sync`'s reconcile against moto in server mode on loopback: resources made in moto and
a trail that created them, plus resources the trail created that moto does not have (gone without a delete
event); one instance stopped, one resized, one terminated (a spot reclaim), a volume grown, a database stopped."""

from __future__ import annotations

import gzip
import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import pytest
from botocore.exceptions import ClientError
from typer.testing import CliRunner

from cloudblame.actions.cleanup import boto3_clients
from cloudblame.actions.live import live_targets, refresh_live
from cloudblame.cli import app
from cloudblame.core.timeutil import iso_z
from cloudblame.demo.envelope import iam_user_identity
from cloudblame.pipeline.ingest import ingest_paths
from cloudblame.queries.inventory import forgotten, inventory
from cloudblame.store import Store
from cloudblame.store.lake import Lake

ACCOUNT, OTHER, REGION = "123456789012", "210987654321", "us-east-1"
CREDS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": REGION,
         "AWS_EC2_METADATA_DISABLED": "true"}
CREATED = datetime.now(UTC).replace(tzinfo=None, microsecond=0) - timedelta(days=10)
EC2, RDS, S3, DDB = "ec2.amazonaws.com", "rds.amazonaws.com", "s3.amazonaws.com", "dynamodb.amazonaws.com"
# what moto does not have: made by the trail, gone since without a delete event
GONE_INSTANCE, GONE_NAT = "i-0123456789abcdef0", "nat-0123456789abcdef0"


@pytest.fixture(scope="module", autouse=True)
def fake_credentials():
    with pytest.MonkeyPatch.context() as mp:
        for key, value in CREDS.items():
            mp.setenv(key, value)
        yield


def record(source: str, name: str, req: dict, resp: dict | None, account: str = ACCOUNT) -> dict:
    return {"eventVersion": "1.09", "userIdentity": iam_user_identity(account, "bob", "AIDABOB", "AKIABOB"),
            "eventTime": CREATED.isoformat() + "Z", "eventSource": source, "eventName": name, "awsRegion": REGION,
            "sourceIPAddress": "203.0.113.7", "userAgent": "aws-cli/2.22.4", "requestParameters": req,
            "responseElements": resp, "requestID": str(uuid.uuid4()), "eventID": str(uuid.uuid4()),
            "readOnly": False, "eventType": "AwsApiCall", "managementEvent": True, "recipientAccountId": account,
            "eventCategory": "Management"}


class World:
    """The resources in moto, the trail that created them (and those moto does not have), and a store of it."""

    def __init__(self, url: str, root: Path):
        self.url, self.root, self.records = url, root, []
        self.ec2 = boto3.client("ec2", endpoint_url=url, region_name=REGION)
        self.running, self.stopped, self.resized, self.terminated = (self.instance() for _ in range(4))
        self.ec2.stop_instances(InstanceIds=[self.stopped, self.resized])
        self.ec2.modify_instance_attribute(InstanceId=self.resized, InstanceType={"Value": "m5.xlarge"})
        self.ec2.start_instances(InstanceIds=[self.resized])
        self.ec2.terminate_instances(InstanceIds=[self.terminated])
        self.instance_record(GONE_INSTANCE)
        self.instance_record("i-0fedcba9876543210", account=OTHER)  # not the credentials' account: not described
        self.volume, self.grown = self.make_volume(), self.make_volume()
        self.ec2.modify_volume(VolumeId=self.grown, Size=200)
        self.database = self.make_database()
        self.nat = self.make_nat(self.ec2)
        self.nat_record(GONE_NAT)
        self.bucket, self.gone_bucket = f"live-{uuid.uuid4().hex[:10]}", f"gone-{uuid.uuid4().hex[:10]}"
        boto3.client("s3", endpoint_url=url, region_name=REGION).create_bucket(Bucket=self.bucket)
        for bucket in (self.bucket, self.gone_bucket):
            self.records.append(record(S3, "CreateBucket", {"bucketName": bucket}, None))
        self.table, self.gone_table = f"live-{uuid.uuid4().hex[:6]}", f"gone-{uuid.uuid4().hex[:6]}"
        boto3.client("dynamodb", endpoint_url=url, region_name=REGION).create_table(
            TableName=self.table, KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST")
        for table in (self.table, self.gone_table):
            self.records.append(record(DDB, "CreateTable", {"tableName": table}, {"tableDescription": {
                "tableName": table, "tableStatus": "CREATING"}}))
        (root / "trail").mkdir(parents=True, exist_ok=True)
        (root / "trail" / f"{ACCOUNT}_CloudTrail_{REGION}_live.json.gz").write_bytes(
            gzip.compress(json.dumps({"Records": self.records}).encode()))

    def instance(self) -> str:
        iid: str = self.ec2.run_instances(ImageId="ami-12c6146b", InstanceType="m5.large", MinCount=1,
                                          MaxCount=1)["Instances"][0]["InstanceId"]
        self.instance_record(iid)
        return iid

    def instance_record(self, iid: str, account: str = ACCOUNT) -> None:
        self.records.append(record(EC2, "RunInstances", {"instanceType": "m5.large"},
                                   {"instancesSet": {"items": [{"instanceId": iid, "instanceType": "m5.large"}]}},
                                   account))

    def make_volume(self) -> str:
        vid: str = self.ec2.create_volume(AvailabilityZone=f"{REGION}a", Size=100, VolumeType="gp3")["VolumeId"]
        self.records.append(record(EC2, "CreateVolume", {"size": 100, "volumeType": "gp3", "zone": f"{REGION}a"},
                                   {"volumeId": vid, "size": "100", "volumeType": "gp3", "status": "creating"}))
        return vid

    def make_database(self) -> str:
        name = f"db-{uuid.uuid4().hex[:6]}"
        rds = boto3.client("rds", endpoint_url=self.url, region_name=REGION)
        rds.create_db_instance(DBInstanceIdentifier=name, DBInstanceClass="db.t3.micro", Engine="postgres",
                               AllocatedStorage=20, MasterUsername="admin", MasterUserPassword="secret-pw-1")
        rds.stop_db_instance(DBInstanceIdentifier=name)
        self.records.append(record(RDS, "CreateDBInstance", {"dBInstanceIdentifier": name, "dBInstanceClass":
                                                            "db.t3.micro", "engine": "postgres", "allocatedStorage": 20},
                                   {"dBInstanceIdentifier": name, "dBInstanceStatus": "creating"}))
        return name

    def make_nat(self, ec2) -> str:
        vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.9.1.0/24")["Subnet"]["SubnetId"]
        allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
        nat: str = ec2.create_nat_gateway(SubnetId=subnet, AllocationId=allocation)["NatGateway"]["NatGatewayId"]
        self.nat_record(nat)
        return nat

    def nat_record(self, nat: str) -> None:
        self.records.append(record(EC2, "CreateNatGateway", {"CreateNatGatewayRequest": {"SubnetId": "subnet-1"}},
                                   {"CreateNatGatewayResponse": {"natGateway": {"natGatewayId": nat}}}))

    def store_at(self, name: str) -> Path:
        """A store of the trail, in its own folder."""
        path = self.root / name
        with Store.open(path) as store:
            ingest_paths(store, [str(self.root / "trail")])
        return path

    def clients(self):
        return boto3_clients(region=REGION, endpoint_url=self.url)


@pytest.fixture(scope="module")
def world(moto_url, tmp_path_factory):
    return World(moto_url, tmp_path_factory.mktemp("live"))


@pytest.fixture(scope="module")
def checked(world):
    """A store of the trail whose alive resources were described once."""
    path = world.store_at("checked")
    check = refresh_live(Lake.open(path), world.clients(), region=REGION)
    return path, check


def live_of(store_path: Path, **kwargs) -> dict:
    with Store.open(store_path, read_only=True) as store:
        return inventory(store, limit=None, **kwargs)


def by_id(result: dict) -> dict[str, dict]:
    return {i["id"]: i for i in result["resources"]}


def test_a_check_finds_what_is_gone_stopped_and_resized(world, checked):
    path, check = checked
    states = {o.target.resource_id: o.state for o in check.observations}
    assert states == {
        world.running: "present", world.stopped: "stopped", world.resized: "resized", world.terminated: "gone",
        GONE_INSTANCE: "gone", world.volume: "present", world.grown: "resized", world.database: "stopped",
        world.nat: "present", GONE_NAT: "gone", world.bucket: "present", world.gone_bucket: "gone",
        world.table: "present", world.gone_table: "gone"}
    assert check.caller == ACCOUNT and check.problems == []
    assert dict(check.skipped) == {"of another account than the credentials'": 1}
    resized = next(o for o in check.observations if o.target.resource_id == world.resized)
    assert resized.changed == {"instance_type": {"events": "m5.large", "live": "m5.xlarge"}}
    assert resized.aws_state == "running"
    grown = next(o for o in check.observations if o.target.resource_id == world.grown)
    assert grown.changed == {"size_gb": {"events": 100, "live": 200}}
    terminated = next(o for o in check.observations if o.target.resource_id == world.terminated)
    assert terminated.aws_state == "terminated"


def test_inventory_shows_the_stores_view_by_default_and_says_so(world, checked):
    path, check = checked
    result = live_of(path)
    items = by_id(result)
    assert result["view"]["kind"] == "events"
    assert {GONE_INSTANCE, world.terminated, world.gone_bucket, world.gone_table, GONE_NAT} <= set(items)
    assert items[GONE_INSTANCE]["live"]["state"] == "gone"
    assert items[world.stopped]["live"] == {
        "state": "stopped", "checked_at": check.checked_at.isoformat() + "Z", "aws_state": "stopped",
        "size": {"instance_type": "m5.large"}, "changed": {}, "detail": None}
    assert items["i-0fedcba9876543210"]["live"] is None  # another account's: not described
    assert result["view"]["states"]["gone"] == 5 and result["view"]["states"]["unchecked"] == 1
    assert result["view"]["left_out"] == 0 and result["view"]["checked_at"] == check.checked_at.isoformat() + "Z"


def test_the_live_view_leaves_the_gone_out_and_counts_them(world, checked):
    path, _ = checked
    events, live = live_of(path), live_of(path, view="live")
    items = by_id(live)
    assert live["view"]["kind"] == "live"
    assert not {GONE_INSTANCE, world.terminated, world.gone_bucket, world.gone_table, GONE_NAT} & set(items)
    assert live["count"] == events["count"] - 5 == len(items)
    assert live["view"]["left_out"] == 5
    # two m5.large instances (one a spot reclaim) and a NAT gateway the store still prices
    assert live["view"]["left_out_usd_per_month"] > 0
    assert live["total_usd_per_month"] < events["total_usd_per_month"]
    assert items[world.resized]["live"]["state"] == "resized" and items[world.database]["live"]["state"] == "stopped"
    narrowed = live_of(path, view="live", resource_type="AWS::EC2::Instance")
    assert narrowed["view"]["left_out"] == 2 and narrowed["view"]["states"]["stopped"] == 1


def test_a_check_publishes_only_its_table_and_a_later_ingest_keeps_it(world, checked, tmp_path):
    path, _ = checked
    lake = Lake.open(path)
    with Store.open(path, read_only=True) as store:
        assert store.snapshot is not None
        before, events = dict(store.snapshot.versions), store.snapshot.events
    refresh_live(lake, world.clients(), resource_type=["AWS::S3::Bucket"])
    after = lake.latest_snapshot()
    assert after is not None and after.events == events
    assert {k for k in after.versions if after.versions[k] != before.get(k)} == {"live_state"}
    later = tmp_path / "later"
    later.mkdir()
    (later / "more.json.gz").write_bytes(gzip.compress(json.dumps({"Records": [
        record(EC2, "RebootInstances", {"instancesSet": {"items": [{"instanceId": world.running}]}}, None)]}).encode()))
    with Store.open(path) as store:
        ingest_paths(store, [str(later)])
    assert by_id(live_of(path))[world.stopped]["live"]["state"] == "stopped"


class Denying:
    """boto3 clients of moto, except that DynamoDB says access denied."""

    def __init__(self, world: World):
        self.clients = world.clients()

    def __call__(self, service: str, region: str | None):
        client = self.clients(service, region)
        if service == "dynamodb":
            def denied(**_kwargs):
                raise ClientError({"Error": {"Code": "AccessDeniedException", "Message": "not allowed"}},
                                  "DescribeTable")
            client.describe_table = denied
        return client


def test_a_describe_error_is_unknown_never_gone(world):
    path = world.store_at("denied")
    check = refresh_live(Lake.open(path), Denying(world), resource_type=["AWS::DynamoDB::Table", "AWS::S3::Bucket"])
    states = {o.target.resource_id: o.state for o in check.observations}
    assert states == {world.table: "unknown", world.gone_table: "unknown", world.bucket: "present",
                      world.gone_bucket: "gone"}
    assert len(check.problems) == 1 and "AccessDeniedException" in check.problems[0]
    items = by_id(live_of(path, view="live"))
    assert items[world.gone_table]["live"]["state"] == "unknown"  # kept in the live view: it may be there
    assert "AccessDeniedException" in items[world.table]["live"]["detail"]


def test_inventory_live_on_the_command_line(world):
    db = str(world.store_at("cli"))
    runner = CliRunner()
    shown = runner.invoke(app, ["inventory", "--db", db, "--format", "json", "--live", "--endpoint-url", world.url,
                                "--aws-region", REGION, "--type", "AWS::EC2::Instance"])
    assert shown.exit_code == 0, shown.output
    result = json.loads(shown.stdout)
    assert result["view"]["kind"] == "live" and result["view"]["left_out"] == 2
    assert {i["id"]: i["live"]["state"] for i in result["resources"] if i["live"]} == {
        world.running: "present", world.stopped: "stopped", world.resized: "resized"}
    table = runner.invoke(app, ["inventory", "--db", db, "--limit", "0", "--wide"])
    assert table.exit_code == 0, table.output
    assert "the store's view" in table.stdout and "resized (instance_type m5.large -> m5.xlarge)" in table.stdout
    live_table = runner.invoke(app, ["inventory", "--db", db, "--live", "--endpoint-url", world.url, "--type",
                                     "AWS::S3::Bucket"])
    assert live_table.exit_code == 0, live_table.output
    assert "live view" in live_table.stdout and "1 gone left out" in live_table.stdout
    assert world.gone_bucket not in live_table.stdout and world.bucket in live_table.stdout


def test_sync_reconciles_after_ingesting(world, tmp_path):
    config = tmp_path / "cloudblame.toml"
    config.write_text(f'db = "store"\n\n[reconcile]\nendpoint_url = "{world.url}"\naws_region = "{REGION}"\n'
                      f'types = ["AWS::EC2::NatGateway", "AWS::DynamoDB::Table"]\n\n'
                      f'[[path]]\npath = "{world.root / "trail"}"\n')
    done = CliRunner().invoke(app, ["sync", "--config", str(config), "--quiet"])
    assert done.exit_code == 0, done.output
    assert "live: 4 resource(s) described" in done.stdout and "2 gone" in done.stdout
    with Store.open(tmp_path / "store", read_only=True) as store:
        assert len(live_targets(store)) == 15
        rows = store.query("SELECT resource_id, state FROM live_state ORDER BY resource_id")
    assert {r["resource_id"]: r["state"] for r in rows} == {
        world.nat: "present", GONE_NAT: "gone", world.table: "present", world.gone_table: "gone"}


def test_forgotten_leaves_out_what_was_found_gone_and_counts_it(world, checked):
    path, check = checked
    as_of = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    gone = {GONE_INSTANCE, world.terminated, world.gone_bucket, world.gone_table, GONE_NAT}
    with Store.open(world.store_at("never-described"), read_only=True) as store:
        unchecked = forgotten(store, idle="5d", as_of=as_of, limit=None)
    with Store.open(path, read_only=True) as store:
        found = forgotten(store, idle="5d", as_of=as_of, limit=None)
        # the newest check that found them gone (other tests of this module may have checked the store again)
        newest = store.scalar("SELECT max(checked_at) FROM live_state WHERE state = 'gone'")
    assert newest >= check.checked_at.replace(microsecond=0)
    assert unchecked["gone"] == 0 and unchecked["gone_checked_at"] is None
    assert gone <= {i["id"] for i in unchecked["resources"]}
    assert not gone & {i["id"] for i in found["resources"]}
    assert found["gone"] == 5 and found["count"] == unchecked["count"] - 5 == len(found["resources"])
    assert found["gone_checked_at"] == iso_z(newest)
    # their cost (two m5.large instances and a NAT gateway the store still prices) is not in the total
    gone_cost = sum(i["cost"]["usd_per_month"] or 0 for i in unchecked["resources"] if i["id"] in gone)
    assert gone_cost > 0
    assert found["total_usd_per_month"] == pytest.approx(unchecked["total_usd_per_month"] - gone_cost, abs=0.02)
    assert by_id(found)[world.stopped]["live"]["state"] == "stopped"
    shown = CliRunner().invoke(app, ["forgotten", "--db", str(path), "--idle", "5d", "--as-of", as_of.isoformat()])
    assert shown.exit_code == 0, shown.output
    assert f"5 left out: gone when described on {newest.date().isoformat()}" in shown.stdout
