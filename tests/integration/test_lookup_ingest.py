"""`cloudblame ingest --lookup` against the local LookupEvents fake (paging, throttling, incremental)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

from cloudblame.store import Store
from tests.fake_cloudtrail import FakeCloudTrail

ENV = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1",
       "AWS_EC2_METADATA_DISABLED": "true"}


def _records(region: str, count: int, start: datetime) -> list[dict]:
    out = []
    for n in range(count):
        t = (start + timedelta(minutes=7 * n)).strftime("%Y-%m-%dT%H:%M:%SZ")
        out.append({"eventVersion": "1.09", "eventID": f"{region}-{n:04d}", "eventTime": t,
                    "eventSource": "ec2.amazonaws.com", "eventName": "CreateTags", "awsRegion": region,
                    "recipientAccountId": "111122223333", "readOnly": False,
                    "userIdentity": {"type": "IAMUser", "userName": "alice", "accountId": "111122223333",
                                     "arn": "arn:aws:iam::111122223333:user/alice", "accessKeyId": "AKIAALICE"},
                    "userAgent": "aws-cli/2.15.0",
                    "requestParameters": {"resourcesSet": {"items": [{"resourceId": f"i-0{n % 3:016x}"}]}},
                    "responseElements": {"_return": True}})
    return out


def _cli(*args):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(ENV)
    return subprocess.run([sys.executable, "-m", "cloudblame", *args], env=env, capture_output=True, text=True,
                          timeout=300)


def test_lookup_ingest_is_incremental_and_survives_a_denied_region(tmp_path):
    start = datetime.now(UTC).replace(tzinfo=None, microsecond=0) - timedelta(days=3)
    data = {"us-east-1": _records("us-east-1", 70, start), "eu-west-1": _records("eu-west-1", 30, start)}
    db = str(tmp_path / "lookup-store")
    with FakeCloudTrail(data) as fake:
        fake.deny("ap-south-1")
        args = ["ingest", "--lookup", "--endpoint-url", fake.url, "--db", db, "--format", "json",
                "--region", "us-east-1", "--region", "eu-west-1", "--region", "ap-south-1"]
        first = _cli(*args)
        assert first.returncode == 1, first.stderr  # a problem found (the denied region); the rest ingested
        summary = json.loads(first.stdout)
        assert (summary["records"], summary["new"]) == (100, 100)
        assert any("ap-south-1" in p["reason"] and "AccessDenied" in p["reason"] for p in summary["problems"])
        assert fake.throttled == 0  # the client stays under 2 requests/second/region
        requests_before = len(fake.requests)
        second = json.loads(_cli(*args).stdout)
        # incremental: from the newest stored event (minus a margin for late deliveries), not 90 days
        assert second["new"] == 0 and second["records"] < 10
        assert len(fake.requests) - requests_before <= 3
    with Store.open(db, read_only=True) as store:
        assert store.scalar("SELECT count(*) FROM events WHERE origin = 'lookup-events:eu-west-1'") == 30


def test_lookup_for_one_resource(tmp_path):
    start = datetime.now(UTC).replace(tzinfo=None, microsecond=0) - timedelta(days=1)
    with FakeCloudTrail({"us-east-1": _records("us-east-1", 30, start)}) as fake:
        result = _cli("ingest", "--lookup", "--resource-name", f"i-0{1:016x}", "--region", "us-east-1",
                      "--endpoint-url", fake.url, "--db", str(tmp_path / "one-store"), "--format", "json")
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout)["new"] == 10
        sent = [r for r in fake.requests if r["operation"] == "LookupEvents"]
        assert all(r["body"].get("LookupAttributes") for r in sent)
    blame = _cli("blame", f"i-0{1:016x}", "--db", str(tmp_path / "one-store"), "--format", "json")
    assert len(json.loads(blame.stdout)["timeline"]) == 10
