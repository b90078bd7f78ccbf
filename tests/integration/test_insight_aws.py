"""AWS's own CloudTrail Insights records (tests/fixtures/insights, composed as reference §7.2 shapes them): read
from trail files, S3 and LookupEvents, stored as events of category 'Insight' that nothing counts as an API
call, and made `insights` rows of source 'aws' (Start and End paired, an End delivered later rewriting its row)."""

from __future__ import annotations

import copy
import gzip
import hashlib
import json
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import orjson
import pytest

from cloudblame.normalize.batch import BatchBuilder
from cloudblame.pipeline.ingest import ingest_paths, ingest_s3
from cloudblame.queries.events import EventFilter, count_events, search_events
from cloudblame.queries.overview import overview
from cloudblame.queries.who import who
from cloudblame.sources.files import RawRecord, file_report, read_content
from cloudblame.sources.lookup import lookup_events
from cloudblame.sources.s3 import ObjectFilter
from cloudblame.store import Store
from tests.conftest import FIXTURES
from tests.fake_cloudtrail import FakeCloudTrail
from tests.integration.formats import write_trail_layout
from tests.integration.sample_records import ACCOUNT, iam_user, record

INSIGHTS = FIXTURES / "insights"
CALL_RATE, ERROR_RATE = "9e2d7c55-2222-4b4b-8c8c-222222222222", "4f6a1b3c-5555-4d4d-9e9e-555555555555"
LATE_END = "20250511T1045Z"  # the file holding the error-rate insight's End (delivered after its Start)
DEPLOYER = f"arn:aws:sts::{ACCOUNT}:assumed-role/deployer/terraform-run-17"
CREDS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1",
         "AWS_EC2_METADATA_DISABLED": "true"}


def insight_files() -> list[Path]:
    return sorted(INSIGHTS.rglob("*.json"))


def insight_records() -> list[dict]:
    return [r for p in insight_files() for r in json.loads(p.read_text())["Records"]]


def api_calls() -> list[dict]:
    """The calls behind the insights: IAM user tom assumes the deployer role (session terraform-run-17) and
    runs instances with it; IAM user alice is denied GetRole again and again."""
    tom, alice = iam_user("tom", "AKIAEXAMPLETOM00001"), iam_user("alice", "AKIAEXAMPLEALICE001")
    key = "ASIAEXAMPLEDEPLOY01"
    assume = record(1, "2025-05-10T02:13:30Z", "sts.amazonaws.com", "AssumeRole", tom, "aws-cli/2.22.0",
                    {"roleArn": f"arn:aws:iam::{ACCOUNT}:role/deployer", "roleSessionName": "terraform-run-17"},
                    {"credentials": {"accessKeyId": key, "expiration": "May 10, 2025, 3:13:30 AM"},
                     "assumedRoleUser": {"assumedRoleId": "AROADEPLOYER:terraform-run-17", "arn": DEPLOYER}},
                    region="us-east-1", read_only=True)
    session = {"type": "AssumedRole", "principalId": "AROADEPLOYER:terraform-run-17", "arn": DEPLOYER,
               "accountId": ACCOUNT, "accessKeyId": key,
               "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": "AROADEPLOYER", "userName": "deployer",
                                                    "arn": f"arn:aws:iam::{ACCOUNT}:role/deployer", "accountId": ACCOUNT},
                                  "attributes": {"creationDate": "2025-05-10T02:13:30Z", "mfaAuthenticated": "false"}}}
    runs = [record(10 + n, f"2025-05-10T02:14:{n:02d}Z", "ec2.amazonaws.com", "RunInstances", session, "Terraform/1.9.8",
                   {"instancesSet": {"items": [{"imageId": "ami-0abc1234def567890"}]}, "instanceType": "t3.micro"},
                   {"instancesSet": {"items": [{"instanceId": f"i-0{n:016x}"}]}}, region="us-east-1")
            for n in range(5)]
    denied = [record(20 + n, f"2025-05-11T09:30:{n:02d}Z", "iam.amazonaws.com", "GetRole", alice, "aws-cli/2.22.0",
                     {"roleName": "admin"}, None, region="us-east-1", read_only=True, error="AccessDenied")
              for n in range(4)]
    return [assume, *runs, *denied]


def trail_folder(root: Path, *, calls: bool = True, skip: str | None = None) -> Path:
    """The insight fixtures (but the files whose name holds ``skip``) and the calls, laid out as a bucket."""
    for path in insight_files():
        if skip is None or skip not in path.name:
            target = root / path.relative_to(INSIGHTS)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, target)
    if calls:
        write_trail_layout(root, api_calls())
    return root


def aws_insights(store: Store) -> dict[str, dict]:
    rows = store.query("SELECT * FROM insights WHERE source = 'aws' ORDER BY start_time")
    return {json.loads(r["details"])["shared_event_id"]: r for r in rows}


def insight_id(shared: str) -> str:
    return hashlib.md5(f"aws|{shared}".encode()).hexdigest()[:16]


def test_insights_from_trail_files_pair_start_and_end(tmp_path):
    with Store.open(tmp_path / "store") as store:
        summary = ingest_paths(store, [str(trail_folder(tmp_path / "trail"))])
        assert summary.problems == [] and summary.new == len(api_calls()) + len(insight_records())
        stored = store.query("SELECT event_id, event_type, account_id, aws_region, event_name, shared_event_id, "
                             "principal, access_key_id, actor, tool, user_agent, error_code, read_only, resources "
                             "FROM event_rows WHERE event_category = 'Insight'")
        found = aws_insights(store)
        linked = store.scalar("SELECT count(*) FROM event_resources WHERE event_id IN "
                              "(SELECT event_id FROM event_rows WHERE event_category = 'Insight')")
    assert sorted(e["event_id"] for e in stored) == sorted(r["eventID"] for r in insight_records())
    for event in stored:  # the API it is about, where and when; no caller, tool, error or resource
        assert (event["event_type"], event["account_id"], event["aws_region"]) == (
            "AwsCloudTrailInsight", ACCOUNT, "us-east-1")
        assert event["event_name"] in ("RunInstances", "GetRole") and event["shared_event_id"] in (CALL_RATE, ERROR_RATE)
        assert all(event[c] is None for c in ("principal", "access_key_id", "actor", "tool", "user_agent",
                                              "error_code", "read_only")) and event["resources"] == []
    assert linked == 0
    call, error = found[CALL_RATE], found[ERROR_RATE]
    assert (call["insight_id"], call["kind"], call["severity"]) == (insight_id(CALL_RATE), "api-call-rate", "medium")
    assert (call["start_time"], call["end_time"], call["duration_minutes"]) == (
        datetime(2025, 5, 10, 2, 14), datetime(2025, 5, 10, 2, 20), 6)
    assert (call["baseline"], call["value"]) == (0.0042, 24.5)  # the End's mean over the whole insight
    assert call["summary"] == "AWS Insights: RunInstances call rate 24.5/min vs 0.0042/min baseline"
    # the humans behind the attributed ARNs: tom behind the deployer session; an ARN without calls by its name
    assert json.loads(call["people"]) == ["tom", "pipeline-4711"]
    details = json.loads(call["details"])
    assert (details["insight_type"], details["baseline_minutes"], details["principals"][0]) == (
        "ApiCallRateInsight", 10080, DEPLOYER)
    end_record = next(r for r in insight_records() if r["insightDetails"]["state"] == "End"
                      and r["sharedEventID"] == CALL_RATE)
    assert details["attributions"] == end_record["insightDetails"]["insightContext"]["attributions"]
    assert details["reason"].startswith("AWS CloudTrail Insights found RunInstances")
    assert (error["kind"], error["severity"], error["error_code"]) == ("api-error-rate", "high", "AccessDenied")
    assert json.loads(error["people"]) == ["alice"]
    assert error["summary"] == "AWS Insights: GetRole AccessDenied error rate 12.25/min vs 0.01/min baseline"


def test_an_end_delivered_later_rewrites_its_insight(tmp_path):
    root = trail_folder(tmp_path / "trail", skip=LATE_END)
    late = next(p for p in insight_files() if LATE_END in p.name)
    with Store.open(tmp_path / "store") as store:
        ingest_paths(store, [str(root)])
        before = aws_insights(store)[ERROR_RATE]
        ingest_paths(store, [str(late)])
        after = aws_insights(store)
        assert store.scalar("SELECT count(*) FROM insights WHERE source = 'aws'") == 2
    assert (before["start_time"], before["end_time"], before["duration_minutes"], before["value"]) == (
        datetime(2025, 5, 11, 9, 30), None, None, 15.0)  # open: the Start's first minute
    row = after[ERROR_RATE]
    assert row["insight_id"] == before["insight_id"] == insight_id(ERROR_RATE)
    assert (row["start_time"], row["end_time"], row["duration_minutes"], row["value"]) == (
        datetime(2025, 5, 11, 9, 30), datetime(2025, 5, 11, 10, 15), 45, 12.25)
    assert after[CALL_RATE]["end_time"] == datetime(2025, 5, 10, 2, 20)  # the other insight as it was


def test_an_end_stored_before_its_start_gives_the_same_insight(tmp_path):
    start_file = next(p for p in insight_files() if "20250511T1000Z" in p.name)
    with Store.open(tmp_path / "one") as store:
        ingest_paths(store, [str(trail_folder(tmp_path / "whole"))])
        whole = aws_insights(store)[ERROR_RATE]
    with Store.open(tmp_path / "two") as store:
        ingest_paths(store, [str(trail_folder(tmp_path / "no-start", skip="20250511T1000Z"))])
        end_only = aws_insights(store)[ERROR_RATE]
        ingest_paths(store, [str(start_file)])
        both = aws_insights(store)[ERROR_RATE]
    # the End alone: its start is its time less its duration
    assert (end_only["start_time"], end_only["end_time"]) == (whole["start_time"], whole["end_time"])
    assert both == whole


def test_the_events_listing_leaves_insights_out_unless_asked(tmp_path):
    insight_ids = {r["eventID"] for r in insight_records()}
    with Store.open(tmp_path / "store") as store:
        ingest_paths(store, [str(trail_folder(tmp_path / "trail"))])
        listed = {e["event_id"] for e in search_events(store, EventFilter(limit=1000))}
        counted = count_events(store, EventFilter())
        by_name = search_events(store, EventFilter(event_name="RunInstances"))
        asked = search_events(store, EventFilter(insights=True))
        asked_count = count_events(store, EventFilter(insights=True))
        one_api = search_events(store, EventFilter(insights=True, event_name="GetRole"))
    assert listed == {r["eventID"] for r in api_calls()} and counted == {"count": len(api_calls()), "exact": True}
    assert {e["event_id"] for e in by_name}.isdisjoint(insight_ids) and len(by_name) == 5
    assert {e["event_id"] for e in asked} == insight_ids and asked_count == {"count": 4, "exact": True}
    assert {e["event_id"] for e in one_api} == {r["eventID"] for r in insight_records()
                                                if r["insightDetails"]["eventName"] == "GetRole"}
    assert EventFilter().active() == {} and EventFilter(insights=True).active() == {"insights": True}


def test_calls_activity_people_and_resources_are_unchanged_by_insights(tmp_path):
    def answers(name, folder):
        with Store.open(tmp_path / name) as store:
            ingest_paths(store, [str(folder)])
            tables = {t: store.query(f"SELECT * FROM {t} ORDER BY ALL") for t in (
                "calls", "activity", "identity_names", "event_resources", "resources", "session_keys",
                "session_actors", "console_sessions", "credentials")}
            return tables, overview(store), who(store, "tom"), who(store, "alice")

    without = answers("calls-only", trail_folder(tmp_path / "calls-only", skip="CloudTrail-Insight"))
    with_insights = answers("with-insights", trail_folder(tmp_path / "with-insights"))
    assert without[0]["calls"] and without[0]["session_actors"]  # there is something to compare
    assert with_insights == without


def test_fast_trail_path_equals_the_reference_path(tmp_path):
    """A trail document with Insights and API-call records: the fast decoder gives the rows normalize_record
    gives, record by record (the comparison test_formats makes on every shape, here on Insights records)."""
    records = [*insight_records(), *api_calls()]
    path = tmp_path / "AWSLogs/111122223333/CloudTrail-Insight/us-east-1/2025/05/11/mixed.json"
    path.parent.mkdir(parents=True)
    path.write_bytes(b'{"Records":[' + b",".join(orjson.dumps(r) for r in records) + b"]}")

    fast, reference = BatchBuilder(), BatchBuilder()
    report = file_report(path)
    content = read_content(path.read_bytes(), report)
    assert isinstance(content, list)  # the trail fast path
    fast.add_content(content, report)
    reference.add_items([RawRecord(copy.deepcopy(r), n) for n, r in enumerate(records, 1)], file_report(path))

    def rows(builder):
        out = builder.build().events.to_pylist()
        return sorted(({**r, "raw": orjson.loads(r["raw"])} for r in out), key=lambda r: r["event_id"])

    assert report.problems == [] and len(rows(fast)) == len(records)
    assert rows(fast) == rows(reference)
    assert {r["event_category"] for r in rows(fast) if r["event_type"] == "AwsCloudTrailInsight"} == {"Insight"}


def _s3(url):
    return boto3.client("s3", endpoint_url=url, region_name="us-east-1", aws_access_key_id="testing",
                        aws_secret_access_key="testing")


def test_insights_from_s3_are_listed_and_pruned_like_the_trail(moto_url, tmp_path):
    root = trail_folder(tmp_path / "trail")
    s3 = _s3(moto_url)
    s3.create_bucket(Bucket="insight-trail")
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        key = "logs/" + path.relative_to(root).as_posix()
        body = path.read_bytes()
        if not key.endswith(".gz"):  # AWS delivers the Insights files gzipped too
            key, body = key + ".gz", gzip.compress(body)
        s3.put_object(Bucket="insight-trail", Key=key, Body=body)
    with Store.open(tmp_path / "s3") as store:
        summary = ingest_s3(store, "s3://insight-trail/logs", client=s3)
        from_s3 = aws_insights(store)
    with Store.open(tmp_path / "local") as store:
        ingest_paths(store, [str(root)])
        local = aws_insights(store)
    assert summary.problems == [] and summary.new == len(api_calls()) + len(insight_records())
    assert from_s3 == local and set(from_s3) == {CALL_RATE, ERROR_RATE}
    # a time range lists the Insights prefix's day folders only around it (a day wider on each side)
    with Store.open(tmp_path / "pruned") as store:
        pruned = ingest_s3(store, "s3://insight-trail/logs", client=s3,
                           flt=ObjectFilter(since=datetime(2025, 5, 12), until=datetime(2025, 5, 12, 12)))
        kept = store.query("SELECT DISTINCT shared_event_id FROM event_rows WHERE event_category = 'Insight'")
    assert pruned.files == 2 and kept == [{"shared_event_id": ERROR_RATE}]


def _recent(records: list[dict], delta: timedelta) -> list[dict]:
    """The records moved by ``delta`` (LookupEvents holds the last 90 days)."""
    out = copy.deepcopy(records)
    for r in out:
        when = datetime.fromisoformat(r["eventTime"].replace("Z", "+00:00")) + delta
        r["eventTime"] = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    return out


def _cli(*args):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(CREDS)
    return subprocess.run([sys.executable, "-m", "cloudblame", *args], env=env, capture_output=True, text=True,
                          timeout=300)


def test_insights_from_lookup_events_when_asked(tmp_path):
    now = datetime.now(UTC).replace(microsecond=0)
    delta = (now - timedelta(days=2)) - datetime(2025, 5, 11, 10, 15, tzinfo=UTC)
    records = _recent(api_calls(), delta) + _recent(insight_records(), delta)
    with FakeCloudTrail({"us-east-1": records}) as fake:
        common = ["ingest", "--lookup", "--region", "us-east-1", "--endpoint-url", fake.url, "--format", "json"]
        plain = _cli(*common, "--db", str(tmp_path / "plain"))
        assert plain.returncode == 0, plain.stderr
        assert not any(r["body"].get("EventCategory") for r in fake.requests)
        first = _cli(*common, "--insights", "--db", str(tmp_path / "asked"))
        assert first.returncode == 0, first.stderr
        asked = [r["body"] for r in fake.requests if r["body"].get("EventCategory") == "insight"]
        assert len(asked) == 1 and json.loads(first.stdout)["new"] == len(records)
        second = _cli(*common, "--insights", "--db", str(tmp_path / "asked"))
        again = [r["body"] for r in fake.requests if r["body"].get("EventCategory") == "insight"][1:]
        assert fake.throttled == 0 and json.loads(second.stdout)["new"] == 0
    newest_insight = max(datetime.fromisoformat(r["eventTime"].replace("Z", "+00:00")) for r in records
                         if r.get("eventCategory") == "Insight")
    # incremental: from a day before the newest Insights event stored (an End arrives after its Start)
    assert len(again) == 1 and again[0]["StartTime"] == (newest_insight - timedelta(days=1)).timestamp()
    with Store.open(tmp_path / "plain", read_only=True) as store:
        assert store.scalar("SELECT count(*) FROM event_rows WHERE event_category = 'Insight'") == 0
    with Store.open(tmp_path / "asked", read_only=True) as store:
        found = aws_insights(store)
        assert store.scalar("SELECT count(*) FROM event_rows WHERE event_category = 'Insight' "
                            "AND origin = 'lookup-events:us-east-1'") == 4
    assert set(found) == {CALL_RATE, ERROR_RATE} and json.loads(found[CALL_RATE]["people"]) == ["tom", "pipeline-4711"]
    assert found[ERROR_RATE]["end_time"] - found[ERROR_RATE]["start_time"] == timedelta(minutes=45)


def test_a_lookup_of_one_resource_cannot_ask_for_insights():
    with pytest.raises(ValueError, match="resource name"):
        lookup_events(boto3.Session(region_name="us-east-1"), regions=["us-east-1"], resource_name="i-0abc",
                      insights=True)
