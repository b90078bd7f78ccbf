"""A trail whose values carry script and HTML: user agents, tags, names, user names, error messages,
source IPs (records are untrusted input; none of this may execute or break a page)."""

from __future__ import annotations

from pathlib import Path

from tests.integration.formats import write_trail_layout
from tests.integration.sample_records import iam_user, record

MARK = "window.__pwned=1"
SCRIPT = f"<script>{MARK}</script>"
IMG = f'<img src=x onerror="{MARK};alert(1)">'
CLOSE = f"</script><script>{MARK};alert(2)</script>"  # would end a JSON data block early if unescaped
ATTR = f'" onmouseover="{MARK}" x="'
SVG = f"<svg onload={MARK}>"

EVIL_USER = f"mallory{CLOSE}"
EVIL_BUCKET = f'reports"><svg onload={MARK}>'
EVIL_NAME = f"web{IMG}"
INSTANCE = "i-0badc0ffee0000001"
PAYLOADS = (SCRIPT, IMG, CLOSE, ATTR, SVG)


def hostile_records() -> list[dict]:
    mallory = iam_user(EVIL_USER, "AKIAEXAMPLEHOSTILE01")
    carol = iam_user("carol", "AKIAEXAMPLECAROL0001")
    run = record(
        101, "2025-01-02T10:00:00Z", "ec2.amazonaws.com", "RunInstances", mallory, f"aws-cli/2.15 {SCRIPT}",
        {"instancesSet": {"items": [{"imageId": "ami-0abc1234def567890", "minCount": 1, "maxCount": 1}]},
         "instanceType": "t3.micro",
         "tagSpecificationSet": {"items": [{"resourceType": "instance", "tags": [
             {"key": "Name", "value": EVIL_NAME}, {"key": "Owner", "value": ATTR},
             {"key": f"Project{SVG}", "value": SCRIPT}]}]}},
        {"instancesSet": {"items": [{"instanceId": INSTANCE, "instanceState": {"code": 0, "name": "pending"}}]}},
    )
    run["sourceIPAddress"] = f"203.0.113.9{SVG}"
    bucket = record(102, "2025-01-02T10:05:00Z", "s3.amazonaws.com", "CreateBucket", mallory, IMG,
                    {"bucketName": EVIL_BUCKET, "Host": "s3.amazonaws.com"}, None)
    denied = record(103, "2025-01-02T10:06:00Z", "iam.amazonaws.com", "CreateUser", mallory, ATTR,
                    {"userName": f"admin{SCRIPT}"}, None, error=f"<b>AccessDenied</b>{SCRIPT}")
    denied["errorMessage"] = f"not allowed {IMG} {CLOSE}"
    later = record(104, "2025-03-05T09:00:00Z", "sts.amazonaws.com", "GetCallerIdentity", carol,
                   "aws-cli/2.15.30 Python/3.11.8", None, None, read_only=True)
    return [run, bucket, denied, later]


def write_hostile_trail(root: Path) -> None:
    write_trail_layout(root, hostile_records(), per_file=10)


HOSTILE_RATE, HOSTILE_FINDING = "badbadbadbad0001", "badbadbadbad0002"


def hostile_insights() -> list[dict]:
    """Insight rows whose summaries, people, attributions, reasons and resources carry the payloads (the
    derive steps write record values into them), planted beside what the store's own publish found."""
    from datetime import datetime

    from tests.insight_rows import insight_row
    from tests.integration.sample_records import ACCOUNT

    attributions = [{"attribute": "userAgent", "insight": [{"value": SCRIPT, "average": 2.0}],
                     "baseline": [{"value": ATTR, "average": 0.5}]},
                    {"attribute": "userIdentityArn", "insight": [{"value": CLOSE, "average": 1.0}], "baseline": []}]
    return [
        insight_row(HOSTILE_RATE, "api-call-rate", datetime(2025, 1, 2, 10, 0), account=ACCOUNT, region="eu-west-1",
                    end=datetime(2025, 1, 2, 10, 5), event_source="ec2.amazonaws.com", event_name="RunInstances",
                    error_code=SVG, people=[EVIL_USER], summary=f"RunInstances burst by {EVIL_USER} {IMG}",
                    baseline=0.1, value=2.0, severity="high",
                    details={"attributions": attributions, "reason": IMG, "principals": [ATTR]}),
        insight_row(HOSTILE_FINDING, "cost-burst", datetime(2025, 1, 2, 10, 0), account=ACCOUNT, region="eu-west-1",
                    end=datetime(2025, 1, 2, 10, 6), people=[EVIL_USER], summary=SCRIPT + ATTR, cost=7.59,
                    details={"resources": [{"type": "AWS::EC2::Instance", "id": INSTANCE, "region": "eu-west-1",
                                            "usd_per_month": 7.59, "why": SVG}],
                             "event_ids": [f"7d3f2e10-aaaa-bbbb-cccc-{n:012d}" for n in (101, 102, 103)],
                             "reason": CLOSE}),
    ]
