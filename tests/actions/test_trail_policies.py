"""Would a bucket policy or a KMS key policy let CloudTrail deliver (cloudblame.actions.trail_policies), on
composed policies: AWS's own templates pass; what is missing, scoped elsewhere, conditioned on another trail or
denied explicitly fails, saying which statement decided. moto stores these policies but enforces none of
them, so these checks are tested here, on the documents alone."""

from __future__ import annotations

import copy

import pytest

from cloudblame.actions.trail_policies import (
    Request,
    bucket_requests,
    evaluate,
    key_request,
    log_object_key,
)

ACCOUNT, OTHER = "111122223333", "444455556666"
BUCKET, REGION = "acme-cloudtrail", "eu-west-1"
TRAIL = f"arn:aws:cloudtrail:{REGION}:{ACCOUNT}:trail/main"
KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
SERVICE = {"Service": "cloudtrail.amazonaws.com"}

# AWS's template (CloudTrail user guide, "Amazon S3 bucket policy for CloudTrail"), for one trail.
TEMPLATE = {"Version": "2012-10-17", "Statement": [
    {"Sid": "AWSCloudTrailAclCheck20150319", "Effect": "Allow", "Principal": SERVICE, "Action": "s3:GetBucketAcl",
     "Resource": f"arn:aws:s3:::{BUCKET}", "Condition": {"StringEquals": {"aws:SourceArn": TRAIL}}},
    {"Sid": "AWSCloudTrailWrite20150319", "Effect": "Allow", "Principal": SERVICE, "Action": "s3:PutObject",
     "Resource": f"arn:aws:s3:::{BUCKET}/AWSLogs/{ACCOUNT}/*",
     "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": TRAIL}}}]}
# The key policy statement AWS's console adds for a trail's key.
KEY_STATEMENT = {"Sid": "Allow CloudTrail to encrypt logs", "Effect": "Allow", "Principal": SERVICE,
                 "Action": "kms:GenerateDataKey*", "Resource": "*",
                 "Condition": {"StringEquals": {"aws:SourceArn": TRAIL},
                               "StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn": f"arn:aws:cloudtrail:*:{ACCOUNT}:trail/*"}}}
ROOT_ONLY = {"Version": "2012-10-17", "Statement": [
    {"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
     "Action": "kms:*", "Resource": "*"}]}


def delivery(policy, *, prefix=None, org=None, trail=TRAIL):
    key = log_object_key(prefix, ACCOUNT, REGION, org)
    return [evaluate(policy, r) for r in bucket_requests(BUCKET, key, trail, ACCOUNT)]


def test_the_log_file_key_follows_the_s3_layout():
    assert log_object_key(None, ACCOUNT, REGION).startswith(f"AWSLogs/{ACCOUNT}/CloudTrail/{REGION}/")
    assert log_object_key("/logs/", ACCOUNT, REGION).startswith(f"logs/AWSLogs/{ACCOUNT}/CloudTrail/")
    assert log_object_key("logs", ACCOUNT, REGION, "o-abc123def4").startswith(f"logs/AWSLogs/o-abc123def4/{ACCOUNT}/")


def test_aws_template_lets_cloudtrail_deliver():
    acl, put = delivery(TEMPLATE)
    assert acl.allowed and "AWSCloudTrailAclCheck20150319" in acl.why
    assert put.allowed and "AWSCloudTrailWrite20150319" in put.why


def test_no_policy_stops_delivery():
    assert [v.allowed for v in delivery(None)] == [False, False]
    assert "no policy" in delivery({})[0].why


def test_a_grant_for_another_prefix_or_another_trail_is_no_grant():
    assert [v.allowed for v in delivery(TEMPLATE, prefix="logs")] == [True, False]
    other_trail = f"arn:aws:cloudtrail:{REGION}:{ACCOUNT}:trail/other"
    acl, put = delivery(TEMPLATE, trail=other_trail)
    assert not acl.allowed and not put.allowed and "no statement allows" in put.why


def test_an_organization_trail_needs_the_organization_folder():
    org = "o-abc123def4"
    assert not delivery(TEMPLATE, org=org)[1].allowed
    policy = copy.deepcopy(TEMPLATE)
    policy["Statement"][1]["Resource"] = [f"arn:aws:s3:::{BUCKET}/AWSLogs/{ACCOUNT}/*",
                                          f"arn:aws:s3:::{BUCKET}/AWSLogs/{org}/*"]
    assert delivery(policy, org=org)[1].allowed


def test_a_missing_acl_condition_value_refuses_the_write():
    policy = copy.deepcopy(TEMPLATE)
    policy["Statement"][1]["Condition"]["StringEquals"]["s3:x-amz-acl"] = "private"
    assert not delivery(policy)[1].allowed


def test_an_explicit_deny_wins_and_is_named():
    policy = copy.deepcopy(TEMPLATE)
    policy["Statement"].append({"Sid": "OnlyOurAccount", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
                                "Resource": f"arn:aws:s3:::{BUCKET}/*",
                                "Condition": {"StringNotEquals": {"aws:SourceAccount": OTHER}}})
    acl, put = delivery(policy)
    assert acl.allowed  # the deny is on objects only
    assert not put.allowed and "'OnlyOurAccount' denies s3:PutObject" in put.why


def test_denies_that_do_not_match_the_request_leave_delivery_alone():
    policy = copy.deepcopy(TEMPLATE)
    policy["Statement"] += [
        {"Sid": "TLSOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
         "Resource": [f"arn:aws:s3:::{BUCKET}", f"arn:aws:s3:::{BUCKET}/*"],
         "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
        {"Sid": "SameAccount", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject",
         "Resource": f"arn:aws:s3:::{BUCKET}/*", "Condition": {"StringNotEquals": {"aws:SourceAccount": ACCOUNT}}},
        {"Sid": "NotTheService", "Effect": "Deny", "NotPrincipal": SERVICE, "Action": "s3:PutObject",
         "Resource": f"arn:aws:s3:::{BUCKET}/*"}]
    assert [v.allowed for v in delivery(policy)] == [True, True]


def test_wildcards_in_actions_resources_and_principals():
    policy = {"Statement": {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": ["S3:Get*", "s3:Put?bject"],
                            "Resource": f"arn:aws:s3:::{BUCKET}*"}}
    assert [v.allowed for v in delivery(policy)] == [True, True]
    only_users = {"Statement": {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                                "Action": "s3:*", "Resource": "*"}}
    assert [v.allowed for v in delivery(only_users)] == [False, False]
    not_action = {"Statement": {"Effect": "Allow", "Principal": SERVICE, "NotAction": "s3:Delete*",
                                "NotResource": "arn:aws:s3:::other-bucket/*"}}
    assert [v.allowed for v in delivery(not_action)] == [True, True]


@pytest.mark.parametrize(("condition", "allowed"), [
    ({"ArnLike": {"aws:SourceArn": f"arn:aws:cloudtrail:*:{ACCOUNT}:trail/*"}}, True),
    ({"StringEqualsIfExists": {"aws:PrincipalOrgID": "o-abc123def4"}}, True),
    ({"StringEquals": {"aws:PrincipalOrgID": "o-abc123def4"}}, False),  # CloudTrail sends no such key
    ({"Null": {"aws:SourceArn": "false"}}, True),
    ({"NumericLessThan": {"s3:max-keys": "10"}}, False),  # not read here: not counted as a grant
    ({"ForAnyValue:StringEquals": {"aws:SourceAccount": [OTHER, ACCOUNT]}}, True),
])
def test_condition_operators(condition, allowed):
    policy = {"Statement": [{"Effect": "Allow", "Principal": SERVICE, "Action": "s3:*", "Resource": "*",
                             "Condition": condition}]}
    assert all(v.allowed == allowed for v in delivery(policy))


def test_kms_key_policy():
    assert not evaluate(ROOT_ONLY, key_request(KEY, TRAIL, ACCOUNT)).allowed
    with_trail = {**ROOT_ONLY, "Statement": [*ROOT_ONLY["Statement"], KEY_STATEMENT]}
    verdict = evaluate(with_trail, key_request(KEY, TRAIL, ACCOUNT))
    assert verdict.allowed and "Allow CloudTrail to encrypt logs" in verdict.why
    elsewhere = f"arn:aws:cloudtrail:{REGION}:{OTHER}:trail/main"
    assert not evaluate(with_trail, key_request(KEY, elsewhere, OTHER)).allowed


def test_a_request_for_another_principal_is_judged_as_its_own():
    request = Request("s3:PutObject", f"arn:aws:s3:::{BUCKET}/x", {}, principal="config.amazonaws.com")
    assert not evaluate(TEMPLATE, request).allowed
