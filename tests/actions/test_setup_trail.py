"""`cloudblame setup-trail` against a moto server on loopback: a dry run prints the exact calls (aws CLI lines,
or JSON), compared with what is there; --apply makes them, after which doctor finds none of what they mend and
a second run has nothing to do; what is there is kept (other policy statements, lifecycle rules, data event
selectors). Without credentials: the whole set-up. --terraform: the same set-up as HCL."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cloudblame.actions.doctor import run_doctor
from cloudblame.actions.setup_trail import Current, Target, apply_calls, cli_line, plan_setup
from cloudblame.actions.tagging import Clients
from cloudblame.actions.trail_terraform import terraform
from cloudblame.cli import app
from cloudblame.core.doctor_contracts import SetupPlan
from cloudblame.core.errors import BadInput
from cloudblame.store import Store
from tests.actions.test_doctor import Aws as DoctorAws
from tests.actions.test_doctor import event, make_store
from tests.integration.test_contracts import mismatches

ACCOUNT, REGION = "123456789012", "us-east-1"
MENDED = {"no-trail", "trail-not-multi-region", "trail-not-organization", "log-file-validation-off",
          "management-events-off", "management-events-partial", "logging-stopped", "bucket-missing",
          "bucket-policy-blocks-delivery", "bucket-lifecycle-short"}
ORDER = ["create_bucket", "put_public_access_block", "put_bucket_policy", "put_bucket_lifecycle_configuration",
         "create_trail", "put_event_selectors", "start_logging"]
runner = CliRunner()


class Aws(DoctorAws):
    """test_doctor's moto clients, plus setup-trail through the CLI and doctor's findings."""

    def setup(self, *args: str, fmt: str = "json"):
        result = runner.invoke(app, ["setup-trail", "--endpoint-url", self.url, "--format", fmt, *args])
        return result, (json.loads(result.stdout) if fmt == "json" and result.stdout.strip() else None)

    def findings(self, store: Path) -> set[str]:
        with Store.open(store, read_only=True) as opened:
            report = run_doctor(opened, Clients(region=REGION, endpoint_url=self.url), retention="400d")
        return {f["id"] for f in report["findings"]}


@pytest.fixture
def aws(fresh_moto) -> Aws:
    return Aws(fresh_moto)


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    return make_store(tmp_path_factory.mktemp("setup"), [event(n, f"2026-01-0{n}T10:00:00Z", REGION) for n in (1, 2)])


def operations(plan) -> list[str]:
    return [c["operation"] for c in plan["calls"]]


# --- against moto

def test_an_empty_account_gets_the_whole_set_up_and_doctor_then_finds_nothing_it_mends(aws, store):
    assert "no-trail" in aws.findings(store)
    result, plan = aws.setup("--bucket", "acme-cloudtrail")
    assert result.exit_code == 0 and not plan["applied"] and plan["account"] == ACCOUNT
    assert mismatches(plan, SetupPlan) == []
    assert operations(plan) == ORDER and {c["status"] for c in plan["calls"]} == {"planned"}
    create = plan["calls"][4]
    assert create["params"] == {"Name": "cloudblame-trail", "S3BucketName": "acme-cloudtrail",
                                "IsMultiRegionTrail": True, "IncludeGlobalServiceEvents": True,
                                "EnableLogFileValidation": True}
    assert create["cli"] == ("aws cloudtrail create-trail --name cloudblame-trail --s3-bucket-name acme-cloudtrail "
                             "--is-multi-region-trail --include-global-service-events --enable-log-file-validation "
                             f"--region {REGION}")
    assert aws.client("cloudtrail").list_trails()["Trails"] == []  # a dry run made nothing

    result, applied = aws.setup("--bucket", "acme-cloudtrail", "--apply")
    assert result.exit_code == 0 and applied["applied"] and mismatches(applied, SetupPlan) == []
    assert [c["status"] for c in applied["calls"]] == ["done"] * len(ORDER)
    assert aws.findings(store) & MENDED == set()
    status = aws.client("cloudtrail").get_trail_status(Name="cloudblame-trail")
    assert status["IsLogging"]
    rules = aws.client("s3").get_bucket_lifecycle_configuration(Bucket="acme-cloudtrail")["Rules"]
    assert [(r["Filter"]["Prefix"], r["Expiration"]["Days"]) for r in rules] == [("AWSLogs/", 400)]

    again, nothing = aws.setup("--bucket", "acme-cloudtrail", fmt="text")
    assert again.exit_code == 0 and again.stdout.startswith("# nothing to do")


def test_a_poor_set_up_is_mended_keeping_what_is_there(aws, store):
    s3, ct = aws.client("s3"), aws.client("cloudtrail")
    s3.create_bucket(Bucket="poor-trail-logs")
    reader = {"Sid": "AuditorsRead", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/auditor"},
              "Action": "s3:GetObject", "Resource": "arn:aws:s3:::poor-trail-logs/*"}
    s3.put_bucket_policy(Bucket="poor-trail-logs", Policy=json.dumps({"Version": "2012-10-17", "Statement": [reader]}))
    s3.put_bucket_lifecycle_configuration(Bucket="poor-trail-logs", LifecycleConfiguration={"Rules": [
        {"ID": "month", "Status": "Enabled", "Filter": {"Prefix": "AWSLogs/"}, "Expiration": {"Days": 30}},
        {"ID": "tmp", "Status": "Enabled", "Filter": {"Prefix": "tmp/"}, "Expiration": {"Days": 1}}]})
    ct.create_trail(Name="poor", S3BucketName="poor-trail-logs")
    data = {"ReadWriteType": "All", "IncludeManagementEvents": False,
            "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3:::payroll/"]}]}
    ct.put_event_selectors(TrailName="poor", EventSelectors=[data])
    assert {"trail-not-multi-region", "management-events-off", "logging-stopped", "bucket-policy-blocks-delivery",
            "bucket-lifecycle-short", "log-file-validation-off"} <= aws.findings(store)

    _, plan = aws.setup("--bucket", "poor-trail-logs", "--trail", "poor")
    assert operations(plan) == ["put_bucket_policy", "put_bucket_lifecycle_configuration", "update_trail",
                                "put_event_selectors", "start_logging"]
    assert plan["calls"][2]["params"] == {"Name": "poor", "IsMultiRegionTrail": True, "EnableLogFileValidation": True}
    result, applied = aws.setup("--bucket", "poor-trail-logs", "--trail", "poor", "--apply")
    assert result.exit_code == 0 and {c["status"] for c in applied["calls"]} == {"done"}
    assert aws.findings(store) & MENDED == set()

    policy = json.loads(s3.get_bucket_policy(Bucket="poor-trail-logs")["Policy"])
    assert [s.get("Sid") for s in policy["Statement"]] == ["AuditorsRead", "AWSCloudTrailAclCheck", "AWSCloudTrailWrite"]
    rules = {r["ID"]: r["Expiration"]["Days"] for r in
             s3.get_bucket_lifecycle_configuration(Bucket="poor-trail-logs")["Rules"]}
    assert rules == {"month": 400, "tmp": 1}
    selectors = ct.get_event_selectors(TrailName="poor")["EventSelectors"]
    assert {"ReadWriteType": "All", "IncludeManagementEvents": True} in selectors
    assert any(s.get("DataResources") == data["DataResources"] and not s["IncludeManagementEvents"] for s in selectors)
    assert aws.setup("--bucket", "poor-trail-logs", "--trail", "poor")[1]["calls"] == []


def test_advanced_selectors_are_mended_as_advanced_ones():
    from cloudblame.actions.setup_trail import selectors_call
    from cloudblame.actions.trail_checks import TrailFacts

    data = {"Name": "S3 writes", "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Data"]},
                                                    {"Field": "resources.type", "Equals": ["AWS::S3::Object"]}]}
    reads = {"Name": "reads", "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]},
                                                 {"Field": "readOnly", "Equals": ["true"]}]}
    trail = TrailFacts("arn:aws:cloudtrail:us-east-1:1:trail/t", "t", REGION, "b", None, True, False, True, None,
                       selectors={"AdvancedEventSelectors": [reads, data]})
    call = selectors_call(trail)
    assert call["params"]["AdvancedEventSelectors"] == [
        {"Name": "Management events", "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}]}, data]


def test_an_organization_trail(aws, store):
    aws.client("organizations").create_organization(FeatureSet="ALL")
    org = aws.client("organizations").describe_organization()["Organization"]["Id"]
    assert "trail-not-organization" not in aws.findings(store)  # no trail at all: no-trail says it
    result, plan = aws.setup("--bucket", "org-cloudtrail", "--org", "--apply")
    assert result.exit_code == 0, result.output
    policy = json.loads(next(c for c in plan["calls"] if c["operation"] == "put_bucket_policy")["params"]["Policy"])
    assert f"arn:aws:s3:::org-cloudtrail/AWSLogs/{org}/*" in policy["Statement"][1]["Resource"]
    assert aws.client("cloudtrail").get_trail(Name="cloudblame-trail")["Trail"]["IsOrganizationTrail"]
    assert aws.findings(store) & MENDED == set()


def test_a_failed_call_stops_the_rest(aws):
    target = Target("half-cloudtrail", "half", REGION, 400)
    plan = plan_setup(target, Current(account=ACCOUNT))
    plan["calls"] = [c for c in plan["calls"] if c["operation"] != "create_trail"]  # the trail is never made
    done = apply_calls(plan, Clients(region=REGION, endpoint_url=aws.url))
    assert [c["status"] for c in done["calls"]] == ["done"] * 4 + ["failed", "not run"]
    assert "TrailNotFound" in done["calls"][4]["error"]


# --- without credentials, and Terraform

def test_without_credentials_the_whole_set_up_is_shown(monkeypatch, tmp_path):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    result = runner.invoke(app, ["setup-trail", "--bucket", "acme-cloudtrail", "--region", "eu-west-1",
                                 "--prefix", "audit", "--retention", "2w"])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if line.startswith("aws ")]
    assert [line.split()[2] for line in lines] == ["create-bucket", "put-public-access-block", "put-bucket-policy",
                                                   "put-bucket-lifecycle-configuration", "create-trail",
                                                   "put-event-selectors", "start-logging"]
    assert all(line.endswith("--region eu-west-1") for line in lines)
    assert "LocationConstraint" in lines[0] and '"Days":14' in lines[3] and '"Prefix":"audit/AWSLogs/"' in lines[3]
    policy = json.loads(shlex.split(lines[2])[shlex.split(lines[2]).index("--policy") + 1])
    assert policy["Statement"][1]["Resource"] == "arn:aws:s3:::acme-cloudtrail/audit/AWSLogs/ACCOUNT_ID/*"
    assert "no AWS credentials" in result.stderr and "dry run" in result.stderr
    refused = runner.invoke(app, ["setup-trail", "--bucket", "acme-cloudtrail", "--apply"])
    assert refused.exit_code == 2 and "--apply needs AWS credentials" in refused.stderr


def test_cli_lines():
    line = cli_line("cloudtrail", "update_trail", "eu-west-1", {"Name": "t x", "IsMultiRegionTrail": True,
                                                                  "IsOrganizationTrail": False, "S3BucketName": "b"})
    assert line == ("aws cloudtrail update-trail --name 't x' --is-multi-region-trail --no-is-organization-trail "
                    "--s3-bucket-name b --region eu-west-1")
    s3 = cli_line("s3", "put_bucket_policy", REGION, {"Bucket": "b", "Policy": '{"a": "it\'s"}'})
    assert s3.startswith("aws s3api put-bucket-policy --bucket b --policy ")
    assert shlex.split(s3)[6] == '{"a": "it\'s"}'


@pytest.mark.parametrize(("bucket", "trail"), [("Acme_Logs", "main"), ("ab", "main"), ("acme-logs", "-bad-"),
                                               ("acme..logs", "main")])
def test_names_aws_refuses_are_refused_first(bucket, trail):
    with pytest.raises(BadInput):
        Target(bucket, trail, REGION, 400)


def _blocks(hcl: str) -> dict[str, str]:
    """resource/data "TYPE" "NAME" -> its body, braces balanced (a parse good enough to check a snippet)."""
    found = {}
    for m in re.finditer(r'^(resource|data|provider) "([^"]+)"(?: "([^"]+)")? \{', hcl, re.MULTILINE):
        depth, i = 0, m.end() - 1
        while True:
            depth += {"{": 1, "}": -1}.get(hcl[i], 0)
            if depth == 0:
                break
            i += 1
        found[f"{m[1]}.{m[2]}" + (f".{m[3]}" if m[3] else "")] = hcl[m.end():i]
    return found


def test_terraform_names_every_resource_and_attribute():
    hcl = terraform(Target("acme-cloudtrail", "main", "eu-west-1", 400, org=True, prefix="audit"))
    assert hcl.count("{") == hcl.count("}") and hcl.count("[") == hcl.count("]")
    blocks = _blocks(hcl)
    assert set(blocks) == {"provider.aws", "data.aws_caller_identity.current",
                           "data.aws_organizations_organization.current", "resource.aws_s3_bucket.cloudtrail",
                           "resource.aws_s3_bucket_public_access_block.cloudtrail",
                           "resource.aws_s3_bucket_policy.cloudtrail",
                           "resource.aws_s3_bucket_lifecycle_configuration.cloudtrail",
                           "resource.aws_cloudtrail.cloudblame"}
    trail = blocks["resource.aws_cloudtrail.cloudblame"]
    for attribute in ('name                          = "main"', "is_multi_region_trail         = true",
                      "enable_log_file_validation    = true", "is_organization_trail         = true",
                      "include_global_service_events = true", "enable_logging                = true",
                      's3_key_prefix                 = "audit"', "include_management_events = true",
                      "s3_bucket_name                = aws_s3_bucket.cloudtrail.id"):
        assert attribute in trail, attribute
    policy = blocks["resource.aws_s3_bucket_policy.cloudtrail"]
    assert "jsonencode(" in policy and '"aws:SourceArn" = "arn:aws:cloudtrail:eu-west-1:' \
        "${data.aws_caller_identity.current.account_id}:trail/main\"" in policy
    assert "audit/AWSLogs/${data.aws_organizations_organization.current.id}/*" in policy
    lifecycle = blocks["resource.aws_s3_bucket_lifecycle_configuration.cloudtrail"]
    assert "days = 400" in lifecycle and 'prefix = "audit/AWSLogs/"' in lifecycle
    single = terraform(Target("acme-cloudtrail", "main", REGION, 30))
    assert "aws_organizations_organization" not in single and "is_organization_trail         = false" in single


def test_terraform_from_the_cli_needs_no_aws():
    result = runner.invoke(app, ["setup-trail", "--bucket", "acme-cloudtrail", "--terraform", "--prefix", "x${y}"])
    assert result.exit_code == 0 and 'resource "aws_cloudtrail" "cloudblame"' in result.stdout
    assert 's3_key_prefix                 = "x$${y}"' in result.stdout  # literal, not an interpolation
    assert runner.invoke(app, ["setup-trail", "--bucket", "acme-cloudtrail", "--terraform", "--apply"]).exit_code == 2
