"""`cloudblame doctor`: the trail set-up checked through the API of a moto server on loopback (what moto
serves: trails, their status and selectors, buckets' policies and lifecycles, KMS keys, organizations), the
judgements moto cannot serve (delivery errors, advanced selectors...) on composed answers, and the store's
gap report on composed stores and on stores of ../shared/datasets."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from datetime import date, datetime
from pathlib import Path

import boto3
import pytest
from typer.testing import CliRunner

from cloudblame.actions.doctor import crossed_findings, run_doctor, store_findings
from cloudblame.actions.doctor_findings import KINDS
from cloudblame.actions.trail_checks import (
    SetupFacts,
    TrailFacts,
    account_findings,
    key_findings,
    lifecycle_findings,
    management_coverage,
    policy_findings,
    status_findings,
)
from cloudblame.cli import app
from cloudblame.core.doctor_contracts import Coverage, DoctorReport
from cloudblame.queries import coverage as coverage_module
from cloudblame.queries.coverage import coverage
from cloudblame.store import Store
from tests.conftest import ROOT, build_store, dataset
from tests.datasets import read_records
from tests.integration.test_contracts import mismatches

ACCOUNT, OTHER, REGION = "123456789012", "210987654321", "us-east-1"  # moto's default account
TRAIL_ARN = f"arn:aws:cloudtrail:{REGION}:{ACCOUNT}:trail/main"
runner = CliRunner()


def trail(**changes) -> TrailFacts:
    facts = TrailFacts(TRAIL_ARN, "main", REGION, "acme-cloudtrail", None, True, False, True, None)
    for name, value in changes.items():
        setattr(facts, name, value)
    return facts


def ids(findings) -> set[str]:
    return {f["id"] for f in findings}


# --- judgements on composed answers

@pytest.mark.parametrize(("selectors", "state", "left_out"), [
    ({"EventSelectors": [], "AdvancedEventSelectors": []}, "all", []),
    ({"EventSelectors": [{"ReadWriteType": "All", "IncludeManagementEvents": True}]}, "all", []),
    ({"EventSelectors": [{"ReadWriteType": "WriteOnly", "IncludeManagementEvents": True}]}, "partial", ["read calls"]),
    ({"EventSelectors": [{"ReadWriteType": "ReadOnly"}, {"ReadWriteType": "WriteOnly"}]}, "all", []),
    ({"EventSelectors": [{"ReadWriteType": "All", "IncludeManagementEvents": False,
                          "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3"]}]}]}, "off",
     ["every management event"]),
    ({"EventSelectors": [{"ReadWriteType": "All", "ExcludeManagementEventSources": ["kms.amazonaws.com"]}]},
     "partial", ["read calls from kms.amazonaws.com", "write calls from kms.amazonaws.com"]),
    ({"AdvancedEventSelectors": [{"FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}]}]}, "all", []),
    ({"AdvancedEventSelectors": [{"FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]},
                                                     {"Field": "readOnly", "Equals": ["false"]}]}]},
     "partial", ["read calls"]),
    ({"AdvancedEventSelectors": [
        {"FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}, {"Field": "readOnly", "Equals": ["true"]}]},
        {"FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}, {"Field": "readOnly", "Equals": ["false"]}]}]},
     "all", []),
    ({"AdvancedEventSelectors": [{"FieldSelectors": [{"Field": "eventCategory", "Equals": ["Data"]},
                                                     {"Field": "resources.type", "Equals": ["AWS::S3::Object"]}]}]},
     "off", ["every management event"]),
    ({"AdvancedEventSelectors": [{"FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]},
                                                     {"Field": "eventSource", "NotEquals": ["rdsdata.amazonaws.com"]}]}]},
     "partial", ["read calls from rdsdata.amazonaws.com", "write calls from rdsdata.amazonaws.com"]),
])
def test_management_events_captured_by_the_selectors(selectors, state, left_out):
    assert management_coverage(selectors) == (state, left_out)


def test_trail_status_findings():
    assert status_findings(trail(status={"IsLogging": True})) == []
    stopped = status_findings(trail(status={"IsLogging": False, "TimeLoggingStopped": "2026-01-02T03:04:05Z"}))
    assert ids(stopped) == {"logging-stopped"} and "2026-01-02T03:04:05Z" in stopped[0]["message"]
    assert stopped[0]["fix"] == f"aws cloudtrail start-logging --name main --region {REGION}"
    failing = status_findings(trail(status={"IsLogging": True, "LatestDeliveryError": "AccessDenied",
                                            "LatestDigestDeliveryError": "NoSuchBucket"}))
    assert {(f["id"], f["severity"]) for f in failing} == {("delivery-error", "error"),
                                                          ("digest-delivery-error", "warning")}
    assert "AccessDenied" in next(f for f in failing if f["id"] == "delivery-error")["message"]


@pytest.mark.parametrize(("rules", "short"), [
    ([], False),
    ([{"ID": "all", "Status": "Enabled", "Filter": {}, "Expiration": {"Days": 90}}], True),
    ([{"ID": "old", "Status": "Enabled", "Prefix": "", "Expiration": {"Days": 90}}], True),  # the legacy form
    ([{"ID": "off", "Status": "Disabled", "Filter": {}, "Expiration": {"Days": 90}}], False),
    ([{"ID": "tmp", "Status": "Enabled", "Filter": {"Prefix": "tmp/"}, "Expiration": {"Days": 1}}], False),
    ([{"ID": "tagged", "Status": "Enabled", "Filter": {"Tag": {"Key": "t", "Value": "1"}}, "Expiration": {"Days": 1}}],
     False),
    ([{"ID": "region", "Status": "Enabled", "Filter": {"Prefix": f"AWSLogs/{ACCOUNT}/CloudTrail/eu-west-1/"},
       "Expiration": {"Days": 30}}], True),
    ([{"ID": "date", "Status": "Enabled", "Filter": {"Prefix": "AWSLogs/"}, "Expiration": {"Date": "2027-01-01T00:00:00Z"}}],
     True),
    ([{"ID": "long", "Status": "Enabled", "Filter": {"Prefix": "AWSLogs/"}, "Expiration": {"Days": 400}}], False),
    ([{"ID": "markers", "Status": "Enabled", "Filter": {}, "Expiration": {"ExpiredObjectDeleteMarker": True}}], False),
])
def test_lifecycle_rules_that_delete_the_trail_files_sooner(rules, short):
    found = lifecycle_findings(trail(), rules, 400)
    assert bool(found) == short
    if short:
        assert found[0]["id"] == "bucket-lifecycle-short" and found[0]["resource"] == "acme-cloudtrail"
        assert "--retention 400d" in found[0]["fix"]


def test_lifecycle_under_the_trail_prefix():
    rule = [{"ID": "logs", "Status": "Enabled", "Filter": {"Prefix": "audit/AWSLogs/"}, "Expiration": {"Days": 30}}]
    assert lifecycle_findings(trail(prefix="audit"), rule, 400)
    assert not lifecycle_findings(trail(), rule, 400)


def test_a_disabled_key_or_a_policy_without_cloudtrail():
    key = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/k-1"
    with_key = trail(kms_key=key)
    allows = {"Statement": [{"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
                             "Action": "kms:GenerateDataKey*", "Resource": "*"}]}
    assert key_findings(with_key, {"KeyState": "Enabled"}, allows) == []
    disabled = key_findings(with_key, {"KeyState": "Disabled"}, allows)
    assert ids(disabled) == {"kms-key-blocks-delivery"} and "Disabled" in disabled[0]["message"]
    assert f"aws kms enable-key --key-id {key}" in disabled[0]["fix"]
    assert "no statement allows" in key_findings(with_key, {"KeyState": "Enabled"}, {"Statement": []})[0]["message"]


def test_an_organization_trail_policy_is_judged_on_the_organization_folder():
    org = "o-abc123def4"
    service = {"Service": "cloudtrail.amazonaws.com"}
    policy = {"Statement": [
        {"Effect": "Allow", "Principal": service, "Action": "s3:GetBucketAcl", "Resource": "arn:aws:s3:::acme-cloudtrail"},
        {"Effect": "Allow", "Principal": service, "Action": "s3:PutObject",
         "Resource": f"arn:aws:s3:::acme-cloudtrail/AWSLogs/{org}/*"}]}
    org_trail = trail(organization=True)
    assert policy_findings(org_trail, policy, org) == []
    assert policy_findings(org_trail, policy, None) == []  # the organization unknown: its folder is not judged
    (found,) = policy_findings(org_trail, policy, "o-otherorg00")
    assert found["id"] == "bucket-policy-blocks-delivery"
    assert [r["action"] for r in found["evidence"]["refused"]] == ["s3:PutObject"]
    assert ids(policy_findings(trail(), policy, org)) == {"bucket-policy-blocks-delivery"}  # not an org trail


def test_account_level_findings():
    assert ids(account_findings(SetupFacts(ACCOUNT, "aws", REGION))) == {"no-trail"}
    single = SetupFacts(ACCOUNT, "aws", REGION, trails=[trail(multi_region=False)])
    found = account_findings(single)
    assert ids(found) == {"trail-not-multi-region"}
    assert found[0]["fix"].startswith(f"aws cloudtrail update-trail --name main --is-multi-region-trail --region {REGION}")
    manager = SetupFacts(ACCOUNT, "aws", REGION, org_id="o-abc123def4", management_account=True, trails=[trail()])
    assert ids(account_findings(manager)) == {"trail-not-organization"}
    manager.trails = [trail(organization=True)]
    assert account_findings(manager) == []


def test_every_finding_is_documented_with_its_severity():
    doc = (ROOT / "docs" / "doctor.md").read_text()
    documented = dict(re.findall(r"^\| `([a-z-]+)` \| (error|warning|info) \|", doc, re.MULTILINE))
    assert documented == {kind: k.severity for kind, k in KINDS.items()}


# --- the store

def event(n: int, when: str, region: str, account: str = ACCOUNT, resources: list | None = None) -> dict:
    rec = {"eventVersion": "1.09", "eventTime": when, "eventSource": "ec2.amazonaws.com",
           "eventName": "DescribeInstances", "awsRegion": region, "sourceIPAddress": "203.0.113.7",
           "userAgent": "aws-cli/2.22.4", "requestParameters": None, "responseElements": None,
           "userIdentity": {"type": "IAMUser", "principalId": "AIDAEXAMPLE", "arn": f"arn:aws:iam::{account}:user/ann",
                            "accountId": account, "accessKeyId": "AKIAEXAMPLE", "userName": "ann"},
           "eventID": f"00000000-0000-0000-0000-{n:012d}", "readOnly": True, "eventType": "AwsApiCall",
           "managementEvent": True, "recipientAccountId": account, "eventCategory": "Management"}
    if resources:
        rec["resources"] = resources
    return rec


def make_store(folder: Path, records: list[dict]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "trail.json").write_text(json.dumps({"Records": records}))
    store, _ = build_store(folder / "store", folder / "trail.json")
    store.close()
    return folder / "store"


@pytest.fixture(scope="module")
def gap_store(tmp_path_factory) -> Path:
    """Account ACCOUNT: us-east-1 on 2026-01-01, 02 and 05 (03 and 04 missing); eu-west-1 on 01 and 05 (02
    missing while the account logged in us-east-1); a call naming a snapshot in ap-southeast-2, a region no
    event came from. Account OTHER: one day."""
    snapshot = f"arn:aws:ec2:ap-southeast-2:{ACCOUNT}:snapshot/snap-0abc"
    days = [("2026-01-01", REGION), ("2026-01-02", REGION), ("2026-01-05", REGION), ("2026-01-01", "eu-west-1"),
            ("2026-01-05", "eu-west-1")]
    records = [event(n, f"{d}T10:0{n}:00Z", r) for n, (d, r) in enumerate(days)]
    records.append(event(10, "2026-01-02T11:00:00Z", REGION,
                         resources=[{"ARN": snapshot, "accountId": ACCOUNT, "type": "AWS::EC2::Snapshot"}]))
    records.append(event(11, "2026-01-03T09:00:00Z", "eu-west-1", account=OTHER))
    return make_store(tmp_path_factory.mktemp("gaps"), records)


def test_gap_report_of_a_composed_store(gap_store):
    with Store.open(gap_store, read_only=True) as store:
        cov = coverage(store)
        report = run_doctor(store, None, now=datetime(2026, 1, 6), store_only=True, api_note="--store-only")
    assert mismatches(cov, Coverage) == [] and mismatches(report, DoctorReport) == []
    assert report["findings"] == sorted(report["findings"], key=lambda f: ["error", "warning", "info"].index(
        f["severity"])) and report["failing"] and report["counts"] == {"error": 0, "warning": 2, "info": 1}
    found = store_findings(cov, now=datetime(2026, 1, 6))
    by_id = defaultdict(list)
    for f in found:
        by_id[f["id"]].append(f)
    assert set(by_id) == {"days-missing", "region-days-missing", "region-never-seen"}
    (days,) = by_id["days-missing"]
    assert days["resource"] == ACCOUNT and days["severity"] == "warning"
    assert days["evidence"]["gaps"] == [{"start": "2026-01-03", "end": "2026-01-04", "days": 2}]
    assert "2026-01-03..2026-01-04" in days["message"] and "--since 2026-01-03" in days["fix"]
    (region,) = by_id["region-days-missing"]
    assert region["resource"] == f"{ACCOUNT}/eu-west-1" and region["severity"] == "info"
    assert region["evidence"]["missing_days"] == 1  # the 2nd; the 3rd and 4th are the account's own gap
    (named,) = by_id["region-never-seen"]
    assert named["resource"] == f"{ACCOUNT}/ap-southeast-2"
    assert named["evidence"]["example"].endswith("snapshot/snap-0abc") and named["evidence"]["source"] == "arn"
    assert f"AWSLogs/{ACCOUNT}/CloudTrail/ap-southeast-2/" in named["fix"]
    later = store_findings(cov, now=datetime(2026, 2, 1))
    assert "store-not-current" in ids(later) and "--since 2026-01-05" in next(
        f["fix"] for f in later if f["id"] == "store-not-current")


def test_coverage_reads_the_same_from_the_events_as_from_event_hours(gap_store, monkeypatch):
    with Store.open(gap_store, read_only=True) as store:
        assert coverage_module.day_source(store)[0] == "event_hours"
        from_hours = coverage(store)
        monkeypatch.setattr(coverage_module, "day_source", lambda s: ("events", coverage_module._DAYS_FROM_EVENTS))
        from_events = coverage(store)
    assert from_events["source"] == "events"
    assert {**from_hours, "source": "events"} == from_events


def test_an_empty_store(tmp_path):
    with Store.open(tmp_path / "empty") as store:
        found = store_findings(coverage(store), now=datetime(2026, 1, 1))
    assert ids(found) == {"store-empty"}


def test_opted_in_regions_never_seen_and_an_account_not_in_the_store(gap_store):
    with Store.open(gap_store, read_only=True) as store:
        cov = coverage(store)
    facts = SetupFacts(ACCOUNT, "aws", REGION, trails=[trail()], opted_in=["af-south-1", "eu-west-1"])
    found = crossed_findings(facts, cov)
    assert [(f["id"], f["resource"]) for f in found] == [("region-never-seen", f"{ACCOUNT}/af-south-1")]
    assert found[0]["evidence"]["source"] == "opted-in"
    stranger = crossed_findings(SetupFacts("999999999999", "aws", REGION, trails=[trail()]), cov)
    assert ids(stranger) == {"account-not-in-store"} and "s3://acme-cloudtrail" in stranger[0]["fix"]


# --- the store, on real data

def test_invictus_has_no_missing_day_nor_region(invictus_store):
    store, _ = invictus_store
    cov = coverage(store)
    (account,) = cov["accounts"]
    assert account["account"] == "123837392027" and account["days_spanned"] == 1 and account["missing_days"] == 0
    assert [(r["region"], r["events"]) for r in account["regions"]] == [("us-east-1", 2900)]
    assert cov["regions_named_not_seen"] == []
    found = store_findings(cov, now=datetime(2023, 7, 10, 13))
    assert found == []


def _expected_days(folders: list[Path]) -> dict[str, set[date]]:
    """Days with events per account, read independently of cloudblame (recipientAccountId, eventTime)."""
    days: dict[str, set[date]] = defaultdict(set)
    for folder in folders:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            for rec in read_records(path):
                when, account = rec.get("eventTime"), rec.get("recipientAccountId")
                if isinstance(when, str) and isinstance(account, str) and account:
                    days[account].add(datetime.fromisoformat(when.replace("Z", "+00:00")).date())
    return days


def test_gap_report_of_several_datasets(tmp_path_factory):
    folders = [dataset(n) for n in ("invictus-aws", "stratus-red-team", "traildiscover-logexamples")]
    store, _ = build_store(tmp_path_factory.mktemp("several") / "store", *folders)
    try:
        cov = coverage(store)
    finally:
        store.close()
    expected = _expected_days(folders)
    got = {a["account"]: a for a in cov["accounts"]}
    checked = 0
    for account, days in expected.items():
        span = (max(days) - min(days)).days + 1
        assert got[account]["days_spanned"] == span, account
        assert got[account]["missing_days"] == span - len(days), account
        assert got[account]["days_with_events"] == len(days), account
        checked += 1
    assert checked >= 30  # stratus: one fake account per technique; traildiscover: many
    gappy = [a for a in cov["accounts"] if a["missing_days"]]
    assert gappy, "traildiscover's examples are spread over years: some account has whole days missing"
    found = store_findings(cov, now=datetime(2026, 1, 1))
    assert {f["resource"] for f in found if f["id"] == "days-missing"} == {a["account"] for a in gappy}
    assert "123837392027" not in {f["resource"] for f in found}  # invictus: 55 minutes, nothing missing


# --- through the API: a moto server on loopback

class Aws:
    def __init__(self, url: str) -> None:
        self.url = url

    def client(self, service: str, region: str = REGION):
        return boto3.client(service, endpoint_url=self.url, region_name=region, aws_access_key_id="testing",
                            aws_secret_access_key="testing")


@pytest.fixture
def aws(fresh_moto) -> Aws:
    """Every test's own moto state (reset), fake credentials in the environment."""
    return Aws(fresh_moto)


@pytest.fixture(scope="module")
def account_store(tmp_path_factory) -> Path:
    """Moto's account in us-east-1, every day of 2026-01-01..03."""
    return make_store(tmp_path_factory.mktemp("account"),
                      [event(n, f"2026-01-0{n}T10:00:00Z", REGION) for n in (1, 2, 3)])


def sound_setup(aws: Aws, bucket: str = "acme-cloudtrail", name: str = "main") -> str:
    """A bucket with AWS's policy and a 400-day lifecycle; a multi-region trail, validated, logging."""
    s3 = aws.client("s3")
    s3.create_bucket(Bucket=bucket)
    arn = f"arn:aws:cloudtrail:{REGION}:{ACCOUNT}:trail/{name}"
    service = {"Service": "cloudtrail.amazonaws.com"}
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": service, "Action": "s3:GetBucketAcl", "Resource": f"arn:aws:s3:::{bucket}",
         "Condition": {"StringEquals": {"aws:SourceArn": arn}}},
        {"Effect": "Allow", "Principal": service, "Action": "s3:PutObject",
         "Resource": f"arn:aws:s3:::{bucket}/AWSLogs/{ACCOUNT}/*",
         "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": arn}}}]}))
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [
        {"ID": "keep", "Status": "Enabled", "Filter": {"Prefix": "AWSLogs/"}, "Expiration": {"Days": 400}}]})
    ct = aws.client("cloudtrail")
    ct.create_trail(Name=name, S3BucketName=bucket, IsMultiRegionTrail=True, EnableLogFileValidation=True)
    ct.start_logging(Name=name)
    return arn


def doctor_json(aws: Aws, store: Path, *args: str):
    result = runner.invoke(app, ["doctor", "--db", str(store), "--endpoint-url", aws.url, "--format", "json", *args])
    return result.exit_code, json.loads(result.stdout)


def test_a_sound_set_up_has_no_finding(aws, account_store):
    sound_setup(aws)
    code, report = doctor_json(aws, account_store)
    assert report["checked"]["api"] and report["checked"]["account"] == ACCOUNT and report["checked"]["store"]
    assert ids(report["findings"]) <= {"store-not-current"}, report["findings"]
    assert code == 0 and not report["failing"]


def test_a_poor_set_up_is_found_and_each_finding_says_its_fix(aws, account_store):
    s3, ct = aws.client("s3"), aws.client("cloudtrail")
    s3.create_bucket(Bucket="poor-trail-logs")
    s3.put_bucket_lifecycle_configuration(Bucket="poor-trail-logs", LifecycleConfiguration={"Rules": [
        {"ID": "month", "Status": "Enabled", "Filter": {"Prefix": ""}, "Expiration": {"Days": 30}}]})
    ct.create_trail(Name="poor", S3BucketName="poor-trail-logs")  # one region, no validation, not started
    ct.put_event_selectors(TrailName="poor", EventSelectors=[{"ReadWriteType": "WriteOnly",
                                                              "IncludeManagementEvents": True}])
    code, report = doctor_json(aws, account_store)
    assert mismatches(report, DoctorReport) == []
    found = {f["id"]: f for f in report["findings"]}
    assert set(found) - {"store-not-current"} == {
        "trail-not-multi-region", "log-file-validation-off", "management-events-partial", "logging-stopped",
        "bucket-policy-blocks-delivery", "bucket-lifecycle-short"}
    assert code == 1 and report["failing"] and report["counts"]["error"] == 3
    assert [f["severity"] for f in report["findings"]] == sorted(
        (f["severity"] for f in report["findings"]), key=["error", "warning", "info"].index)
    poor_arn = f"arn:aws:cloudtrail:{REGION}:{ACCOUNT}:trail/poor"
    assert found["logging-stopped"]["resource"] == poor_arn
    assert found["log-file-validation-off"]["fix"] == ("aws cloudtrail update-trail --name poor "
                                                       f"--enable-log-file-validation --region {REGION}")
    assert found["bucket-policy-blocks-delivery"]["resource"] == "poor-trail-logs"
    assert "there is no policy" in found["bucket-policy-blocks-delivery"]["message"]
    assert found["bucket-lifecycle-short"]["evidence"]["rules"][0]["ID"] == "month"
    assert found["management-events-partial"]["evidence"]["left_out"] == ["read calls"]
    for f in report["findings"]:
        assert set(f) == {"id", "severity", "resource", "message", "fix", "evidence"} and f["fix"]


def test_no_trail_and_a_trail_whose_bucket_is_gone(aws, account_store):
    code, report = doctor_json(aws, account_store)
    assert ids(report["findings"]) - {"store-not-current"} == {"no-trail"} and code == 1
    sound_setup(aws, bucket="gone-trail-logs")
    aws.client("s3").delete_bucket(Bucket="gone-trail-logs")
    _, report = doctor_json(aws, account_store)
    assert ids(report["findings"]) - {"store-not-current"} == {"bucket-missing"}


def test_the_kms_key_of_a_trail(aws, account_store):
    arn = sound_setup(aws)
    kms = aws.client("kms")
    created = kms.create_key()["KeyMetadata"]  # moto's default policy: the account's root only
    key = created["Arn"]
    aws.client("cloudtrail").update_trail(Name="main", KmsKeyId=key)
    _, report = doctor_json(aws, account_store)
    (found,) = [f for f in report["findings"] if f["id"] == "kms-key-blocks-delivery"]
    assert found["resource"] == key and "no statement allows" in found["message"]
    policy = json.loads(kms.get_key_policy(KeyId=key, PolicyName="default")["Policy"])
    policy["Statement"].append({"Sid": "CloudTrail", "Effect": "Allow",
                                "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "kms:GenerateDataKey*",
                                "Resource": "*", "Condition": {"StringEquals": {"aws:SourceArn": arn}}})
    kms.put_key_policy(KeyId=key, PolicyName="default", Policy=json.dumps(policy))
    _, report = doctor_json(aws, account_store)
    assert "kms-key-blocks-delivery" not in ids(report["findings"])
    kms.disable_key(KeyId=created["KeyId"])
    _, report = doctor_json(aws, account_store)
    (found,) = [f for f in report["findings"] if f["id"] == "kms-key-blocks-delivery"]
    assert "Disabled" in found["message"]


def test_the_management_account_of_an_organization(aws, account_store):
    aws.client("organizations").create_organization(FeatureSet="ALL")
    sound_setup(aws)
    _, report = doctor_json(aws, account_store)
    (found,) = [f for f in report["findings"] if f["id"] == "trail-not-organization"]
    assert found["severity"] == "info" and found["resource"] == ACCOUNT


def test_exit_status_follows_fail_on(aws, account_store):
    sound_setup(aws)
    aws.client("cloudtrail").update_trail(Name="main", EnableLogFileValidation=False)  # a warning alone
    assert doctor_json(aws, account_store)[0] == 1
    assert doctor_json(aws, account_store, "--fail-on", "error")[0] == 0
    assert doctor_json(aws, account_store, "--fail-on", "info")[0] == 1
    table = runner.invoke(app, ["doctor", "--db", str(account_store), "--endpoint-url", aws.url, "--fail-on", "error"],
                          env={"COLUMNS": "120"})
    assert table.exit_code == 0 and "log-file-validation-off" in table.stdout
    assert f"checked the trail set-up of account {ACCOUNT}" in table.stdout


def test_a_failing_call_is_a_finding_not_a_crash(aws, account_store):
    sound_setup(aws)
    with Store.open(account_store, read_only=True) as store:
        report = run_doctor(store, _BrokenS3(aws.url), retention="400d")  # type: ignore[arg-type]
    failed = [f for f in report["findings"] if f["id"] == "check-failed"]
    assert {f["resource"] for f in failed} == {"s3:get_bucket_policy", "s3:get_bucket_lifecycle_configuration"}
    assert all("AccessDenied" in f["message"] and f["severity"] == "info" for f in failed)
    assert not {"bucket-policy-blocks-delivery", "bucket-lifecycle-short"} & ids(report["findings"])


class _BrokenS3:
    """Clients whose S3 answers AccessDenied to every call (a role without s3:GetBucketPolicy)."""

    def __init__(self, url: str) -> None:
        from botocore.exceptions import ClientError

        self.default_region, self.url, self.error = REGION, url, ClientError
        self.made: dict = {}

    def get(self, service: str, region: str | None):
        if service != "s3":
            return boto3.client(service, endpoint_url=self.url, region_name=region or REGION,
                                aws_access_key_id="testing", aws_secret_access_key="testing")
        error = self.error

        class Denied:
            def __getattr__(self, operation):
                def call(**_):
                    raise error({"Error": {"Code": "AccessDenied", "Message": "Access Denied"}}, operation)
                return call
        return Denied()


# --- without AWS, and the user's errors

@pytest.fixture
def no_credentials(monkeypatch, tmp_path):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
                 "AWS_DEFAULT_PROFILE", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                 "AWS_WEB_IDENTITY_TOKEN_FILE", "CLOUDBLAME_DB"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


def test_without_credentials_the_store_checks_run_alone_and_say_so(no_credentials, gap_store):
    result = runner.invoke(app, ["doctor", "--db", str(gap_store), "--format", "json"])
    report = json.loads(result.stdout)
    assert not report["checked"]["api"] and "no AWS credentials" in report["checked"]["api_note"]
    assert "api-not-checked" in ids(report["findings"]) and "days-missing" in ids(report["findings"])
    assert result.exit_code == 1  # days-missing is a warning
    table = runner.invoke(app, ["doctor", "--db", str(gap_store), "--store-only", "--fail-on", "error"])
    assert table.exit_code == 0 and "not the trail set-up: --store-only" in table.stdout
    assert "api-not-checked" not in table.stdout


@pytest.mark.parametrize("args", [["--fail-on", "critical"], ["--retention", "soon"], ["--retention", "0d"]])
def test_user_errors_exit_2(args, gap_store):
    result = runner.invoke(app, ["doctor", "--db", str(gap_store), "--store-only", *args])
    assert result.exit_code == 2, result.output


def test_nothing_to_check_is_a_user_error(no_credentials, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["doctor"])
    assert result.exit_code == 2 and "nothing to check" in result.stderr


def test_no_store_at_the_default_path_checks_the_set_up_alone(aws, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CLOUDBLAME_DB", raising=False)
    sound_setup(aws)
    result = runner.invoke(app, ["doctor", "--endpoint-url", aws.url, "--format", "json"])
    report = json.loads(result.stdout)
    assert result.exit_code == 0 and report["checked"]["api"] and not report["checked"]["store"]
    assert "no store at" in report["checked"]["store_note"] and report["findings"] == []

