"""Per-file shape detection and the reasons given for files without CloudTrail records."""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

from cloudblame.sources.files import discover, file_report, iter_file

REC = {"eventVersion": "1.08", "eventTime": "2025-01-01T00:00:00Z", "eventSource": "s3.amazonaws.com",
       "eventName": "ListBuckets", "eventID": "e-1", "awsRegion": "us-east-1"}


def _read(path: Path):
    report = file_report(path)
    records = list(iter_file(path, report))
    return report, records


def test_digest_file_is_told_apart(tmp_path):
    p = tmp_path / "AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2025/01/01/d.json.gz"
    p.parent.mkdir(parents=True)
    p.write_bytes(gzip.compress(json.dumps({"awsAccountId": "111122223333", "logFiles": []}).encode()))
    report, records = _read(p)
    assert records == [] and "digest" in report.skipped_reason
    q = tmp_path / "digest-elsewhere.json"
    q.write_text(json.dumps({"logFiles": [], "digestEndTime": "2025-01-01T01:00:00Z"}))
    assert "digest" in _read(q)[0].skipped_reason


def test_insights_records_are_read_as_records(tmp_path):
    # an Insights record has no eventName nor userIdentity at its top level (reference §7.2)
    insight = {"eventVersion": "1.08", "eventTime": "2025-01-01T00:00:00Z", "awsRegion": "us-east-1",
               "eventID": "i-1", "eventType": "AwsCloudTrailInsight", "recipientAccountId": "111122223333",
               "sharedEventID": "s-1", "eventCategory": "Insight",
               "insightDetails": {"state": "Start", "eventSource": "ec2.amazonaws.com", "eventName": "RunInstances",
                                  "insightType": "ApiCallRateInsight"}}
    p = tmp_path / "AWSLogs/111122223333/CloudTrail-Insight/us-east-1/2025/01/01/insight.json"
    p.parent.mkdir(parents=True)
    p.write_text(json.dumps({"Records": [insight, REC]}))
    report, records = _read(p)
    assert (report.shape, report.key.kind, report.skipped_reason) == ("trail", "CloudTrail-Insight", None)
    assert [r.record["eventID"] for r in records] == ["i-1", "e-1"]


def test_non_cloudtrail_eventbridge_event(tmp_path):
    p = tmp_path / "eb.json"
    p.write_text(json.dumps({"detail-type": "EC2 Instance State-change Notification", "source": "aws.ec2",
                             "detail": {"instance-id": "i-1", "state": "running"}}))
    report, _ = _read(p)
    assert "'EC2 Instance State-change Notification'" in report.skipped_reason


def test_key_layout_gives_account_and_region(tmp_path):
    p = tmp_path / "AWSLogs/o-abcdefghij/222233334444/CloudTrail/eu-central-1/2025/01/01/f.json.gz"
    p.parent.mkdir(parents=True)
    p.write_bytes(gzip.compress(json.dumps({"Records": [REC]}).encode()))
    report, records = _read(p)
    assert (report.shape, report.key.account, report.key.org_id, len(records)) == ("trail", "222233334444", "o-abcdefghij", 1)


def test_concatenated_gzip_members(tmp_path):
    p = tmp_path / "two.jsonl.gz"
    p.write_bytes(gzip.compress((json.dumps(REC) + "\n").encode())
                  + gzip.compress((json.dumps(dict(REC, eventID="e-2")) + "\n").encode()))
    report, records = _read(p)
    assert [r.record["eventID"] for r in records] == ["e-1", "e-2"] and report.problems == []


def test_discover_walks_folders_and_globs(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    for name in ("a/x.json", "a/b/y.json.gz", "a/b/z.jsonl", "a/README.md", "a/LICENSE"):
        (tmp_path / name).write_text("{}")
    files, problems = discover([str(tmp_path / "a")])
    assert sorted(os.path.basename(f) for f in files) == ["x.json", "y.json.gz", "z.jsonl"]
    files, problems = discover([str(tmp_path / "a" / "**" / "*.jsonl"), str(tmp_path / "missing")])
    assert [os.path.basename(f) for f in files] == ["z.jsonl"]
    assert [p.reason for p in problems] == ["no such file or folder"]
