"""A composed trail for the hygiene insights (tests/integration/test_insight_hygiene.py), shaped as AWS writes
records: for each kind, calls that must raise it and near misses that must not. Ten days from START:

- account A (111122223333): alice (IAM user) calls with the AWS CLI in eu-west-1 every two hours, from day 0;
  on day 8 she uses Terraform for the first time, creates in ap-south-1 (never used), creates an access key for
  herself and one for ci-bot, stops and cuts trails; bob signs in without MFA (and with it); root signs in
  (with MFA) and creates a bucket; AWS acts as root for Auto Scaling; an SSO person signs in (MFA at the IdP);
  a role session creates a key, its AssumeRole (by carol) in another file.
- account B (444455556666): a service user calling 11 times an hour, day and night; nothing from day 8 01:00
  to 09:00 (a gap), nor on day 5 from 20:00 to 24:00 (too short); on day 9 it stops at 13:00, two late
  records at 19:00 (the end of the trail, not a gap: traffic never came back).
- account C (777788889999): 11 calls an hour from 08:00 to 20:00 only (quiet nights, never a gap).
- account D (121212121212): two days of calls, then a creation in a region it never used (too little history).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

START = datetime(2025, 3, 1)
A, B, C, D = "111122223333", "444455556666", "777788889999", "121212121212"
CLI = "aws-cli/2.15.30 Python/3.11.8 Linux/5.15.0 exe/x86_64.amzn.2 prompt/off command/ec2.describe-instances"
TF = ("APN/1.0 HashiCorp/1.0 Terraform/1.9.8 (+https://www.terraform.io) terraform-provider-aws/5.80.0 "
      "(+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.32.6 ua/2.1 os/linux lang/go#1.23.3")
BOTO = "Boto3/1.34.0 md/Botocore#1.34.0 ua/2.0 os/linux#5.15 md/arch#x86_64 lang/python#3.11.8 cfg/retry-mode#legacy"
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36"


def at(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return START + timedelta(days=day, hours=hour, minutes=minute, seconds=second)


def iam_user(name: str, account: str = A, key: str | None = None) -> dict:
    ident = {"type": "IAMUser", "principalId": "AIDA" + name.upper().ljust(16, "X")[:16],
             "arn": f"arn:aws:iam::{account}:user/{name}", "accountId": account, "userName": name}
    if key:
        ident["accessKeyId"] = key
    return ident


def root(account: str = A, invoked_by: str | None = None) -> dict:
    ident = {"type": "Root", "principalId": account, "arn": f"arn:aws:iam::{account}:root", "accountId": account}
    if invoked_by:
        ident["invokedBy"] = invoked_by
    return ident


def role_session(role: str, session: str, key: str, account: str = A) -> dict:
    return {"type": "AssumedRole", "principalId": f"AROA{role.upper()[:12]}:{session}",
            "arn": f"arn:aws:sts::{account}:assumed-role/{role}/{session}", "accountId": account, "accessKeyId": key,
            "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": f"AROA{role.upper()[:12]}",
                                                 "arn": f"arn:aws:iam::{account}:role/{role}", "accountId": account,
                                                 "userName": role},
                               "attributes": {"creationDate": "2025-03-01T00:00:00Z", "mfaAuthenticated": "false"}}}


class Trail:
    """Records numbered in order of making (the eventID says the number), by file (what tests ingest apart)."""

    def __init__(self) -> None:
        self.files: dict[str, list[dict]] = {}
        self.n = 0

    def call(self, file: str, when: datetime, source: str, name: str, identity: dict, *, ua: str = CLI,
             region: str = "eu-west-1", request: dict | None = None, response: dict | None = None,
             error: str | None = None, additional: dict | None = None, event_type: str = "AwsApiCall",
             read_only: bool = False) -> str:
        self.n += 1
        event_id = f"0e9a1c00-hyg0-4000-8000-{self.n:012d}"
        rec = {"eventVersion": "1.10", "userIdentity": identity, "eventTime": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
               "eventSource": source, "eventName": name, "awsRegion": region, "sourceIPAddress": "203.0.113.25",
               "userAgent": ua, "requestParameters": request, "responseElements": response,
               "requestID": f"req-{self.n:06d}", "eventID": event_id, "readOnly": read_only, "eventType": event_type,
               "managementEvent": True, "recipientAccountId": identity.get("accountId") or A,
               "eventCategory": "Management"}
        if error:
            rec["errorCode"], rec["errorMessage"] = error, "Access denied"
        if additional:
            rec["additionalEventData"] = additional
        self.files.setdefault(file, []).append(rec)
        return event_id

    def write(self, root: Path) -> list[str]:
        """One JSON file per name under ``root``; their paths, sorted."""
        root.mkdir(parents=True, exist_ok=True)
        for name, records in self.files.items():
            (root / f"{name}.json").write_text(json.dumps({"Records": records}))
        return sorted(str(root / f"{name}.json") for name in self.files)


def run_instances(trail: Trail, file: str, when: datetime, identity: dict, instance: str, region: str,
                  ua: str = CLI) -> str:
    return trail.call(file, when, "ec2.amazonaws.com", "RunInstances", identity, ua=ua, region=region,
                      request={"instancesSet": {"items": [{"imageId": "ami-0abc1234def567890", "minCount": 1,
                                                           "maxCount": 1}]}, "instanceType": "t3.micro"},
                      response={"reservationId": "r-0123456789abcdef0", "ownerId": identity["accountId"],
                                "instancesSet": {"items": [{"instanceId": instance,
                                                            "instanceState": {"code": 0, "name": "pending"}}]}})


def console_login(trail: Trail, file: str, when: datetime, identity: dict, *, mfa: str, success: bool = True) -> str:
    return trail.call(file, when, "signin.amazonaws.com", "ConsoleLogin", identity, ua=BROWSER, region="us-east-1",
                      response={"ConsoleLogin": "Success" if success else "Failure"},
                      event_type="AwsConsoleSignIn",
                      additional={"LoginTo": "https://console.aws.amazon.com/console/home", "MobileVersion": "No",
                                  "MFAUsed": mfa})


def background(trail: Trail) -> None:
    """alice's routine (account A), the busy account B, the daytime account C, the short account D."""
    alice = iam_user("alice", A, "AKIAALICE00000000001")
    for day in range(10):
        for hour in range(0, 24, 2):
            trail.call(f"a-day{day}", at(day, hour, 5), "ec2.amazonaws.com", "DescribeInstances", alice,
                       read_only=True, request={"instancesSet": {}})
        trail.call(f"a-day{day}", at(day, 12, 30), "iam.amazonaws.com", "GetUser", alice, region="us-east-1",
                   read_only=True)
    svc_b, svc_c = iam_user("svc-b", B, "AKIASVCB000000000001"), iam_user("svc-c", C, "AKIASVCC000000000001")
    for day in range(10):
        for hour in range(24):
            quiet_b = (day == 8 and 1 <= hour < 9) or (day == 5 and 20 <= hour) or (day == 9 and hour >= 13)
            for k in range(2 if day == 9 and hour == 19 else 0 if quiet_b else 11):
                trail.call(f"b-day{day}", at(day, hour, 5 * k + 1), "sqs.amazonaws.com", "SendMessage", svc_b, ua=BOTO,
                           region="us-west-2", request={"queueUrl": f"https://sqs.us-west-2.amazonaws.com/{B}/jobs"})
            for k in range(11 if 8 <= hour < 20 else 0):
                trail.call(f"c-day{day}", at(day, hour, 5 * k + 2), "sqs.amazonaws.com", "SendMessage", svc_c, ua=BOTO,
                           region="us-west-2", request={"queueUrl": f"https://sqs.us-west-2.amazonaws.com/{C}/jobs"})
    dave = iam_user("dave", D, "AKIADAVE000000000001")
    for day in (7, 8):
        for hour in range(0, 24, 3):
            trail.call(f"d-day{day}", at(day, hour, 7), "ec2.amazonaws.com", "DescribeInstances", dave, read_only=True,
                       region="eu-west-1", request={"instancesSet": {}})


def _keys(trail: Trail, f: str, ids: dict[str, str]) -> None:
    alice = iam_user("alice", A, "AKIAALICE00000000001")
    key = "iam.amazonaws.com", "CreateAccessKey"
    ids["key_own"] = trail.call(f, at(8, 11, 40), *key, alice, region="us-east-1", response={"accessKey": {
        "accessKeyId": "AKIANEWALICE00000001", "status": "Active", "userName": "alice"}})
    ids["key_other"] = trail.call(f, at(8, 11, 45), *key, alice, region="us-east-1", request={"userName": "ci-bot"},
                                  response={"accessKey": {"accessKeyId": "AKIANEWCIBOT00000001", "status": "Active",
                                                          "userName": "ci-bot"}})
    trail.call(f, at(8, 11, 50), *key, alice, region="us-east-1", request={"userName": "admin"}, error="AccessDenied")
    ids["key_root"] = trail.call(f, at(8, 13, 10), *key, root(A, "signin.amazonaws.com"), ua="signin.amazonaws.com",
                                 region="us-east-1", response={"accessKey": {"accessKeyId": "AKIANEWROOT000000001",
                                                                             "status": "Active"}})
    ops = role_session("ops", "ops-session", "ASIAOPSSESSION000001")
    ids["key_ops"] = trail.call(f, at(8, 16, 10), *key, ops, region="us-east-1", request={"userName": "deploy-bot"},
                                response={"accessKey": {"accessKeyId": "AKIANEWDEPLOY0000001", "status": "Active",
                                                        "userName": "deploy-bot"}})
    carol = iam_user("carol", A, "AKIACAROL00000000001")
    trail.call("a-day8-sts", at(8, 16, 0), "sts.amazonaws.com", "AssumeRole", carol, region="us-east-1", read_only=True,
               request={"roleArn": f"arn:aws:iam::{A}:role/ops", "roleSessionName": "ops-session"},
               response={"credentials": {"accessKeyId": "ASIAOPSSESSION000001", "expiration": "Mar 9, 2025, 5:00:00 PM"},
                         "assumedRoleUser": {"assumedRoleId": "AROAOPS:ops-session",
                                             "arn": f"arn:aws:sts::{A}:assumed-role/ops/ops-session"}})


# (eventName, requestParameters, raises): trail changes, successful unless said
TRAIL_CALLS = (
    ("StopLogging", {"name": "main-trail"}, True),
    ("PutEventSelectors", {"trailName": "main-trail", "eventSelectors": [
        {"includeManagementEvents": False, "readWriteType": "All", "dataResources": []}]}, True),
    ("PutEventSelectors", {"trailName": "main-trail", "eventSelectors": [
        {"includeManagementEvents": True, "readWriteType": "ReadOnly", "dataResources": []}]}, True),
    ("PutEventSelectors", {"trailName": "main-trail", "eventSelectors": [
        {"includeManagementEvents": True, "readWriteType": "All", "dataResources": []}]}, False),
    ("PutEventSelectors", {"trailName": "main-trail", "advancedEventSelectors": [
        {"name": "management", "fieldSelectors": [{"field": "eventCategory", "equals": ["Management"]}]}]}, False),
    ("PutEventSelectors", {"trailName": "main-trail", "advancedEventSelectors": [
        {"name": "s3 only", "fieldSelectors": [{"field": "eventCategory", "equals": ["Data"]},
                                               {"field": "resources.type", "equals": ["AWS::S3::Object"]}]}]}, True),
    ("UpdateTrail", {"name": "main-trail", "isMultiRegionTrail": False}, True),
    ("UpdateTrail", {"name": "main-trail", "s3BucketName": "new-trail-bucket"}, False),
    ("PutInsightSelectors", {"trailName": "main-trail", "insightSelectors": []}, True),
    ("PutInsightSelectors", {"trailName": "main-trail", "insightSelectors": [{"insightType": "ApiCallRateInsight"}]},
     False),
    ("DeleteTrail", {"name": "old-trail"}, True),
    ("DeleteEventDataStore", {"eventDataStore": "arn:aws:cloudtrail:eu-west-1:111122223333:eventdatastore/abc"}, True),
)


def _trails(trail: Trail, f: str, ids: dict[str, str]) -> None:
    alice = iam_user("alice", A, "AKIAALICE00000000001")
    for n, (name, request, raises) in enumerate(TRAIL_CALLS):
        event_id = trail.call(f, at(8, 14, n), "cloudtrail.amazonaws.com", name, alice, request=request)
        if raises:
            ids[f"trail_{n}"] = event_id
    trail.call(f, at(8, 14, 30), "cloudtrail.amazonaws.com", "StopLogging", alice, request={"name": "main-trail"},
               error="AccessDenied")


def _logins(trail: Trail, f: str, ids: dict[str, str]) -> None:
    bob = iam_user("bob", A)
    ids["login_bob"] = console_login(trail, f, at(8, 9, 0), bob, mfa="No")
    console_login(trail, f, at(8, 9, 30), bob, mfa="Yes")
    console_login(trail, f, at(8, 9, 40), bob, mfa="No", success=False)
    sso = role_session("AWSReservedSSO_Admin_0a1b2c3d4e5f6a7b", "maria@example.com", "ASIAMARIASSO00000001")
    console_login(trail, f, at(8, 9, 50), sso, mfa="No")
    ids["root_login_mfa"] = console_login(trail, f, at(8, 13, 0), root(A), mfa="Yes")
    ids["root_bucket"] = trail.call(f, at(8, 13, 5), "s3.amazonaws.com", "CreateBucket", root(A), ua="[S3Console/0.4]",
                                    request={"bucketName": "root-made-bucket", "Host": "root-made-bucket.s3.amazonaws.com"})
    ids["root_login"] = console_login(trail, f, at(8, 15, 0), root(A), mfa="No")
    run_instances(trail, f, at(8, 17, 0), root(A, "autoscaling.amazonaws.com"), "i-0byautoscaling00001", "eu-west-1",
                  ua="autoscaling.amazonaws.com")


def scenario(trail: Trail) -> dict[str, str]:
    """Day 8 of account A (and D's creation): the calls that raise, by name -> eventID, and near misses."""
    alice = iam_user("alice", A, "AKIAALICE00000000001")
    f, ids = "a-day8-scenario", {}
    ids["tf_describe"] = trail.call(f, at(8, 10, 0), "ec2.amazonaws.com", "DescribeInstances", alice, ua=TF,
                                    region="ap-south-1", read_only=True, request={"instancesSet": {}})
    ids["new_region_run"] = run_instances(trail, f, at(8, 10, 10), alice, "i-0newregion000000001", "ap-south-1", ua=TF)
    run_instances(trail, f, at(8, 11, 0), alice, "i-0oldregion000000001", "eu-west-1")
    trail.call(f, at(8, 11, 30), "sts.amazonaws.com", "GetCallerIdentity", alice, ua="my-internal-script/0.1",
               read_only=True)
    _keys(trail, f, ids)
    _trails(trail, f, ids)
    _logins(trail, f, ids)
    run_instances(trail, "d-day8", at(8, 12, 30), iam_user("dave", D, "AKIADAVE000000000001"), "i-0dave0000000000001",
                  "us-west-2")
    return ids


def composed_trail(root_dir: Path) -> tuple[list[str], dict[str, str]]:
    """The whole trail written under ``root_dir``: its files and the eventIDs of the calls that raise."""
    trail = Trail()
    background(trail)
    ids = scenario(trail)
    return trail.write(root_dir), ids
