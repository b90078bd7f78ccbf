"""A small hand-written trail (composed for the tests, shaped as AWS writes records)."""

from __future__ import annotations

ACCOUNT = "111122223333"
TF_UA = ("APN/1.0 HashiCorp/1.0 Terraform/1.9.8 (+https://www.terraform.io) terraform-provider-aws/5.80.0 "
         "(+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.32.6 ua/2.1 os/linux lang/go#1.23.3")
CLI_UA = "aws-cli/2.15.30 Python/3.11.8 Linux/5.15.0 exe/x86_64.amzn.2 prompt/off command/ec2.terminate-instances"


def sso(email: str, key: str) -> dict:
    role = "AWSReservedSSO_PlatformAdmin_0a1b2c3d4e5f6a7b"
    return {
        "type": "AssumedRole", "principalId": f"AROAEXAMPLEROLEID0001:{email}",
        "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/{role}/{email}", "accountId": ACCOUNT, "accessKeyId": key,
        "sessionContext": {
            "sessionIssuer": {"type": "Role", "principalId": "AROAEXAMPLEROLEID0001",
                              "arn": f"arn:aws:iam::{ACCOUNT}:role/aws-reserved/sso.amazonaws.com/eu-west-1/{role}",
                              "accountId": ACCOUNT, "userName": role},
            "attributes": {"creationDate": "2025-03-04T08:55:10Z", "mfaAuthenticated": "false"},
        },
    }


def iam_user(name: str, key: str) -> dict:
    return {"type": "IAMUser", "principalId": "AIDAEXAMPLEUSER00001", "arn": f"arn:aws:iam::{ACCOUNT}:user/{name}",
            "accountId": ACCOUNT, "accessKeyId": key, "userName": name}


def record(n: int, time: str, source: str, name: str, identity: dict, ua: str, request=None, response=None,
           region: str = "eu-west-1", read_only: bool = False, error: str | None = None) -> dict:
    rec = {
        "eventVersion": "1.10", "userIdentity": identity, "eventTime": time, "eventSource": source,
        "eventName": name, "awsRegion": region, "sourceIPAddress": "203.0.113.25", "userAgent": ua,
        "requestParameters": request, "responseElements": response,
        "requestID": f"req-{n:04d}", "eventID": f"7d3f2e10-aaaa-bbbb-cccc-{n:012d}", "readOnly": read_only,
        "eventType": "AwsApiCall", "managementEvent": True, "recipientAccountId": ACCOUNT,
        "eventCategory": "Management",
    }
    if error:
        rec["errorCode"], rec["errorMessage"] = error, "You are not authorized to perform this operation."
    return rec


def sample_records() -> tuple[list[dict], list[str]]:
    """Records and the resource ids the tests blame."""
    maria = sso("maria.lopez@example.com", "ASIAEXAMPLEKEY000001")
    tom = iam_user("tom", "AKIAEXAMPLEKEY000009")
    run = record(
        1, "2025-03-04T09:12:44Z", "ec2.amazonaws.com", "RunInstances", maria, TF_UA,
        {"instancesSet": {"items": [{"imageId": "ami-0abc1234def567890", "minCount": 1, "maxCount": 1}]},
         "instanceType": "t3.micro",
         "tagSpecificationSet": {"items": [{"resourceType": "instance",
                                            "tags": [{"key": "Name", "value": "build-runner"}]}]}},
        {"requestId": "5e0c9a57-1111", "reservationId": "r-0123456789abcdef0", "ownerId": ACCOUNT,
         "instancesSet": {"items": [{"instanceId": "i-0fedcba9876543210", "instanceState": {"code": 0, "name": "pending"}}]}},
    )
    failed = record(2, "2025-03-04T09:10:01Z", "ec2.amazonaws.com", "RunInstances", tom, CLI_UA,
                    {"instancesSet": {"items": [{"imageId": "ami-0abc1234def567890"}]}, "instanceType": "p3.2xlarge"},
                    None, error="Client.UnauthorizedOperation")
    stop = record(3, "2025-03-10T17:00:00Z", "ec2.amazonaws.com", "StopInstances", tom, CLI_UA,
                  {"instancesSet": {"items": [{"instanceId": "i-0fedcba9876543210"}]}, "force": False},
                  {"instancesSet": {"items": [{"instanceId": "i-0fedcba9876543210"}]}})
    terminate = record(4, "2025-03-20T08:30:00Z", "ec2.amazonaws.com", "TerminateInstances", tom, CLI_UA,
                       {"instancesSet": {"items": [{"instanceId": "i-0fedcba9876543210"}]}},
                       {"instancesSet": {"items": [{"instanceId": "i-0fedcba9876543210",
                                                    "currentState": {"code": 32, "name": "shutting-down"}}]}})
    bucket = record(5, "2025-03-05T10:00:00Z", "s3.amazonaws.com", "CreateBucket", tom, "[S3Console/0.4]",
                    {"bucketName": "sandbox-reports-2025", "Host": "sandbox-reports-2025.s3.amazonaws.com"}, None)
    describe = record(6, "2025-03-05T10:01:00Z", "ec2.amazonaws.com", "DescribeInstances", maria, TF_UA,
                      {"instancesSet": {"items": [{"instanceId": "i-0fedcba9876543210"}]}}, None, read_only=True)
    return [run, failed, stop, terminate, bucket, describe], ["i-0fedcba9876543210", "sandbox-reports-2025"]
