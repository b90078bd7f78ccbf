"""`cloudblame tag` against a moto server on loopback: resources made in moto, a trail whose creation records
name those exact ids (an SSO user with Terraform, an IAM user in the console, an AWS service, a role session
naming nobody), ingested into a store; then dry runs, applies and re-runs, checked by describing in moto."""

from __future__ import annotations

import gzip
import io
import json
import uuid
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from typer.testing import CliRunner

from cloudblame.actions.tagging import Clients, plan_tags, tag_keys, tag_value
from cloudblame.cli import app
from cloudblame.core.errors import BadInput
from cloudblame.pipeline.ingest import ingest_paths
from cloudblame.store import Store

ACCOUNT, REGION, OTHER_REGION = "123456789012", "us-east-1", "us-west-2"  # moto's default account
CREDS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": REGION,
         "AWS_EC2_METADATA_DISABLED": "true"}
MARIA, BOB = "maria.lopez@example.com", "bob"
TERRAFORM = ("APN/1.0 HashiCorp/1.0 Terraform/1.5.7 (+https://www.terraform.io) terraform-provider-aws/5.31.0 "
             "(+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.24.0 os/linux lang/go#1.21.5")
AWS_CLI = "aws-cli/2.15.10 Python/3.11.6 Linux/6.5.0 exe/x86_64.ubuntu.22 prompt/off command/iam.create-user"
BOTO3 = "Boto3/1.34.20 md/Botocore#1.34.20 ua/2.0 os/linux#6.5.0 md/arch#x86_64 lang/python#3.11.6 Botocore/1.34.20"
CONSOLE = "[S3Console/0.4, aws-internal/3 aws-sdk-java/1.12.488 Linux/5.10 OpenJDK_64-Bit_Server_VM/25.372-b08]"
runner = CliRunner()


# --- the world: resources in moto, and the trail that made them

def sso(session: str = MARIA) -> dict[str, Any]:
    role = "AWSReservedSSO_Admin_0123456789abcdef"
    return {"type": "AssumedRole", "principalId": f"AROAEXAMPLESSO:{session}",
            "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/{role}/{session}", "accountId": ACCOUNT,
            "accessKeyId": "ASIAEXAMPLESSO000001",
            "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": "AROAEXAMPLESSO",
                                                 "arn": f"arn:aws:iam::{ACCOUNT}:role/aws-reserved/sso.amazonaws.com/"
                                                        f"{role}", "accountId": ACCOUNT, "userName": role},
                               "attributes": {"creationDate": "2025-03-01T09:00:00Z", "mfaAuthenticated": "false"}}}


def iam_user(name: str = BOB) -> dict[str, Any]:
    return {"type": "IAMUser", "principalId": "AIDAEXAMPLEBOB", "arn": f"arn:aws:iam::{ACCOUNT}:user/{name}",
            "accountId": ACCOUNT, "accessKeyId": "AKIAEXAMPLEBOB000001", "userName": name}


def github_actions() -> dict[str, Any]:
    """A role session named GitHubActions whose credentials no record issued: it names nobody."""
    return {"type": "AssumedRole", "principalId": "AROAEXAMPLEGHA:GitHubActions",
            "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/gha-deploy/GitHubActions", "accountId": ACCOUNT,
            "accessKeyId": "ASIAEXAMPLEGHA000001",
            "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": "AROAEXAMPLEGHA",
                                                 "arn": f"arn:aws:iam::{ACCOUNT}:role/gha-deploy",
                                                 "accountId": ACCOUNT, "userName": "gha-deploy"},
                               "attributes": {"creationDate": "2025-03-01T09:00:00Z", "mfaAuthenticated": "false"}}}


@dataclass
class World:
    url: str
    store_path: Path
    ids: dict[str, str] = field(default_factory=dict)
    records: list[dict[str, Any]] = field(default_factory=list)

    def client(self, service: str, region: str = REGION) -> Any:
        return boto3.client(service, endpoint_url=self.url, region_name=region, aws_access_key_id="testing",
                            aws_secret_access_key="testing")

    def record(self, source: str, name: str, identity: dict[str, Any], agent: str, req: Any, resp: Any,
               region: str = REGION) -> None:
        when = datetime(2025, 3, 1, 10) + timedelta(minutes=len(self.records))
        self.records.append({
            "eventVersion": "1.09", "userIdentity": identity, "eventTime": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "eventSource": source, "eventName": name, "awsRegion": region, "sourceIPAddress": "198.51.100.7",
            "userAgent": agent, "requestParameters": req, "responseElements": resp, "requestID": str(uuid.uuid4()),
            "eventID": str(uuid.uuid4()), "readOnly": False, "eventType": "AwsApiCall", "managementEvent": True,
            "recipientAccountId": ACCOUNT, "eventCategory": "Management"})

    def ingest(self) -> None:
        folder = self.store_path.parent / "trail" / "AWSLogs" / ACCOUNT / "CloudTrail" / REGION / "2025" / "03" / "01"
        folder.mkdir(parents=True)
        (folder / f"{ACCOUNT}_CloudTrail_{REGION}_20250301T1000Z_tag.json.gz").write_bytes(
            gzip.compress(json.dumps({"Records": self.records}).encode()))
        with Store.open(self.store_path) as store:
            ingest_paths(store, [str(self.store_path.parent / "trail")])


def _instance(world: World, key: str, identity: dict[str, Any], agent: str) -> None:
    iid = world.client("ec2").run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1,
                                            InstanceType="t3.micro")["Instances"][0]["InstanceId"]
    world.ids[key] = iid
    world.record("ec2.amazonaws.com", "RunInstances", identity, agent,
                 {"instanceType": "t3.micro", "instancesSet": {"items": [{"imageId": "ami-12c6146b"}]}},
                 {"instancesSet": {"items": [{"instanceId": iid, "instanceType": "t3.micro"}]}})


def _volume(world: World, key: str, identity: dict[str, Any], agent: str) -> None:
    vid = world.client("ec2").create_volume(AvailabilityZone="us-east-1a", Size=8, VolumeType="gp3")["VolumeId"]
    world.ids[key] = vid
    world.record("ec2.amazonaws.com", "CreateVolume", identity, agent,
                 {"size": 8, "zone": "us-east-1a", "volumeType": "gp3"}, {"volumeId": vid, "size": "8"})


def _function(world: World, key: str, name: str, region: str = REGION) -> None:
    iam = world.client("iam")
    try:
        role = iam.create_role(RoleName="fn-role", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    except iam.exceptions.EntityAlreadyExistsException:
        role = iam.get_role(RoleName="fn-role")["Role"]["Arn"]
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as z:
        z.writestr("handler.py", "def handle(event, context):\n    return event\n")
    arn = world.client("lambda", region).create_function(
        FunctionName=name, Runtime="python3.12", Role=role, Handler="handler.handle",
        Code={"ZipFile": code.getvalue()})["FunctionArn"]
    world.ids[key] = name
    world.record("lambda.amazonaws.com", "CreateFunction20150331", sso(), BOTO3,
                 {"functionName": name, "runtime": "python3.12", "role": role, "handler": "handler.handle"},
                 {"functionName": name, "functionArn": arn, "runtime": "python3.12"}, region=region)


@pytest.fixture
def world(fresh_moto, tmp_path) -> World:
    """Every test's own moto state (reset) and store."""
    w = World(fresh_moto, tmp_path / "store")
    _instance(w, "instance", sso(), TERRAFORM)
    _volume(w, "volume", sso(), TERRAFORM)
    _instance(w, "gha_instance", github_actions(), TERRAFORM)
    _volume(w, "service_volume", {"type": "AWSService", "invokedBy": "autoscaling.amazonaws.com"},
            "autoscaling.amazonaws.com")
    _instance(w, "pretagged", sso(), TERRAFORM)
    w.client("ec2").create_tags(Resources=[w.ids["pretagged"]], Tags=[{"Key": "CreatedBy", "Value": "platform-team"}])
    s3 = w.client("s3")
    s3.create_bucket(Bucket="tag-test-data")
    s3.put_bucket_tagging(Bucket="tag-test-data", Tagging={"TagSet": [{"Key": "team", "Value": "data"}]})
    w.ids["bucket"] = "tag-test-data"
    w.record("s3.amazonaws.com", "CreateBucket", iam_user(), CONSOLE,
             {"bucketName": "tag-test-data", "Host": "tag-test-data.s3.amazonaws.com"}, None)
    w.client("iam").create_user(UserName="svc-reporting")
    w.ids["user"] = "svc-reporting"
    w.record("iam.amazonaws.com", "CreateUser", sso(), AWS_CLI, {"userName": "svc-reporting"},
             {"user": {"userName": "svc-reporting", "arn": f"arn:aws:iam::{ACCOUNT}:user/svc-reporting",
                       "userId": "AIDAEXAMPLESVC", "path": "/", "createDate": "Mar 1, 2025 10:00:00 AM"}})
    _function(w, "function", "orders-handler")
    return w


def run(world: World, *args: str) -> tuple[int, dict[str, Any]]:
    result = runner.invoke(app, ["tag", "--db", str(world.store_path), "--endpoint-url", world.url,
                                 "--format", "json", *args], env=CREDS)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, json.loads(result.stdout)


def by_id(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in report["resources"]}


def ec2_tags(world: World, rid: str) -> dict[str, str]:
    tags = world.client("ec2").describe_tags(Filters=[{"Name": "resource-id", "Values": [rid]}])["Tags"]
    return {t["Key"]: t["Value"] for t in tags}


def all_tags(world: World) -> dict[str, dict[str, str]]:
    """Every resource's tags as moto describes them (each service's own read call)."""
    out = {key: ec2_tags(world, world.ids[key]) for key in ("instance", "volume", "gha_instance", "service_volume",
                                                            "pretagged")}
    out["bucket"] = {t["Key"]: t["Value"] for t in
                     world.client("s3").get_bucket_tagging(Bucket=world.ids["bucket"])["TagSet"]}
    out["user"] = {t["Key"]: t["Value"] for t in world.client("iam").list_user_tags(UserName=world.ids["user"])["Tags"]}
    fn_arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{world.ids['function']}"
    out["function"] = world.client("lambda").list_tags(Resource=fn_arn)["Tags"]
    return out


# --- the tests

def test_dry_run_plans_and_changes_nothing(world):
    world.ingest()
    before = all_tags(world)
    code, report = run(world)
    assert code == 0
    assert all_tags(world) == before
    assert report["applied"] is False and report["tagged"] == 0 and report["failed"] == 0
    rows = by_id(report)
    instance = rows[world.ids["instance"]]
    assert instance["status"] == "to tag" and instance["method"] == "tagging API"
    assert instance["tags"] == {"CreatedBy": MARIA, "CreatedWith": "terraform", "CreatedAt": "2025-03-01T10:00:00Z"}
    assert rows["tag-test-data"]["tags"]["CreatedBy"] == BOB and rows["tag-test-data"]["method"].startswith("s3:")
    assert rows["svc-reporting"]["method"] == "iam:TagUser"
    assert report["to_tag"] == 6  # instance, volume, bucket, user, function, and the pre-tagged one (its other tags)
    assert "role session" in rows[world.ids["gha_instance"]]["reason"]
    assert rows[world.ids["gha_instance"]]["status"] == "skipped"
    assert "AWS service" in rows[world.ids["service_volume"]]["reason"]
    table = runner.invoke(app, ["tag", "--db", str(world.store_path), "--endpoint-url", world.url],
                          env={**CREDS, "COLUMNS": "80"})
    assert table.exit_code == 0, table.output
    assert all(len(line) <= 80 for line in table.stdout.splitlines()), table.stdout
    assert world.ids["instance"] in table.stdout and "dry run: 6 to tag" in table.stdout


def test_apply_writes_exactly_the_plan_and_keeps_existing_tags(world):
    world.ingest()
    before = all_tags(world)
    _, plan = run(world)
    code, report = run(world, "--apply")
    assert code == 0, report
    assert report["tagged"] == plan["to_tag"] == 6 and report["failed"] == 0
    after = all_tags(world)
    planned = {r["id"]: r["tags"] for r in plan["resources"] if r["status"] == "to tag"}
    for key, rid in world.ids.items():
        assert after[key] == {**before[key], **planned.get(rid, {})}, key
    assert after["bucket"]["team"] == "data" and after["bucket"]["CreatedBy"] == BOB  # merged, not replaced
    assert after["user"]["CreatedWith"] == by_id(plan)["svc-reporting"]["tags"]["CreatedWith"]
    assert after["function"]["CreatedBy"] == MARIA
    assert after["pretagged"]["CreatedBy"] == "platform-team"  # not overwritten
    assert after["gha_instance"] == {} and after["service_volume"] == {}
    pretagged = by_id(report)[world.ids["pretagged"]]
    assert pretagged["kept"] == {"CreatedBy": "platform-team"} and set(pretagged["tags"]) == {"CreatedWith", "CreatedAt"}


def test_second_run_has_nothing_to_do_and_overwrite_replaces(world):
    world.ingest()
    assert run(world, "--apply")[0] == 0
    code, again = run(world, "--apply")
    assert code == 0 and again["tagged"] == 0 and again["to_tag"] == 0
    assert again["unchanged"] == 6
    assert by_id(again)[world.ids["pretagged"]]["reason"] == "keeps its own CreatedBy=platform-team"
    code, replaced = run(world, "--apply", "--overwrite", "--type", "AWS::EC2::Instance")
    assert code == 0 and replaced["tagged"] == 1
    assert ec2_tags(world, world.ids["pretagged"])["CreatedBy"] == MARIA


def test_a_resource_gone_from_aws_fails_alone_exit_1(world):
    _function(world, "gone", "gone-handler", region=OTHER_REGION)
    _function(world, "kept", "kept-handler", region=OTHER_REGION)
    world.client("lambda", OTHER_REGION).delete_function(FunctionName="gone-handler")
    world.client("s3", OTHER_REGION).create_bucket(
        Bucket="tag-test-west", CreateBucketConfiguration={"LocationConstraint": OTHER_REGION})
    world.record("s3.amazonaws.com", "CreateBucket", sso(), CONSOLE, {"bucketName": "tag-test-west"}, None,
                 region=OTHER_REGION)
    world.ingest()
    code, report = run(world, "--apply", "--region", OTHER_REGION)
    assert code == 1
    rows = by_id(report)
    assert report["failed"] == 1 and rows["gone-handler"]["status"] == "failed"
    assert "ResourceNotFound" in rows["gone-handler"]["reason"]
    assert rows["kept-handler"]["status"] == "tagged"  # in the same tag_resources batch as the failed one
    arn = f"arn:aws:lambda:{OTHER_REGION}:{ACCOUNT}:function:kept-handler"
    assert world.client("lambda", OTHER_REGION).list_tags(Resource=arn)["Tags"]["CreatedBy"] == MARIA
    west = world.client("s3", OTHER_REGION).get_bucket_tagging(Bucket="tag-test-west")["TagSet"]  # had none
    assert {t["Key"]: t["Value"] for t in west} == rows["tag-test-west"]["tags"]


def test_keys_and_via(world):
    world.ingest()
    code, report = run(world, "--keys", "by=Owner,at=", "--via", "--type", "AWS::EC2::Volume")
    assert code == 0
    tags = by_id(report)[world.ids["volume"]]["tags"]
    assert tags == {"Owner": MARIA, "CreatedWith": "terraform", "CreatedVia": "AWSReservedSSO_Admin / terraform"}
    with Store.open(world.store_path, read_only=True) as store:
        assert all(r.status in ("planned", "skipped") for r in plan_tags(store, tag_keys()))


def test_bad_keys_and_values():
    with pytest.raises(BadInput):
        tag_keys("owner=Owner")
    with pytest.raises(BadInput):
        tag_keys("by=aws:creator")
    with pytest.raises(BadInput):
        tag_keys("by=,with=,at=")
    assert tag_keys("at=") == {"by": "CreatedBy", "with": "CreatedWith"}
    assert tag_value("CN=Alice Smith,OU=Eng") == "CN=Alice Smith_OU=Eng"
    assert len(tag_value("x" * 300)) == 256


def test_no_credentials_is_a_user_error(tmp_path, monkeypatch):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    with pytest.raises(BadInput):
        Clients()
    result = runner.invoke(app, ["tag", "--db", str(tmp_path / "store")])
    assert result.exit_code == 2
