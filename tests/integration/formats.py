"""Write the same records in every input shape cloudblame reads (used by the format tests)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

TRAIL_KEY = "AWSLogs/{account}/CloudTrail/{region}/2023/07/10/{account}_CloudTrail_{region}_20230710T1200Z_{n:016d}.json.gz"


def _dump(obj) -> str:
    return json.dumps(obj)


def write_trail_layout(root: Path, records: list[dict], per_file: int = 200) -> None:
    for n, start in enumerate(range(0, len(records), per_file)):
        chunk = records[start:start + per_file]
        first = chunk[0]
        key = TRAIL_KEY.format(account=first.get("recipientAccountId", "123456789012"),
                               region=first.get("awsRegion", "us-east-1"), n=n)
        path = root / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(gzip.compress(_dump({"Records": chunk}).encode()))


def write_records_json(root: Path, records: list[dict]) -> None:
    root.mkdir(parents=True, exist_ok=True)
    (root / "trail.json").write_text(_dump({"Records": records}))


def write_array(root: Path, records: list[dict]) -> None:
    root.mkdir(parents=True, exist_ok=True)
    (root / "array.json").write_text(json.dumps(records, indent=2))


def write_single_records(root: Path, records: list[dict]) -> None:
    root.mkdir(parents=True, exist_ok=True)
    for i, rec in enumerate(records):
        (root / f"record-{i:05d}.json").write_text(json.dumps(rec, indent=4))


def write_jsonl(root: Path, records: list[dict]) -> None:
    root.mkdir(parents=True, exist_ok=True)
    (root / "events.jsonl").write_text("".join(_dump(r) + "\n" for r in records))


def write_jsonl_gz(root: Path, records: list[dict]) -> None:
    root.mkdir(parents=True, exist_ok=True)
    (root / "events.jsonl.gz").write_bytes(gzip.compress("".join(_dump(r) + "\n" for r in records).encode()))


def write_lookup_events(root: Path, records: list[dict]) -> None:
    """As `aws cloudtrail lookup-events` prints it (pages of 50)."""
    root.mkdir(parents=True, exist_ok=True)
    for page, start in enumerate(range(0, len(records), 50)):
        events = [{
            "EventId": r["eventID"], "EventName": r["eventName"], "ReadOnly": str(r.get("readOnly", False)).lower(),
            "EventTime": r["eventTime"], "EventSource": r["eventSource"],
            "Username": (r.get("userIdentity") or {}).get("userName"), "Resources": [],
            "CloudTrailEvent": _dump(r),
        } for r in records[start:start + 50]]
        (root / f"lookup-{page:04d}.json").write_text(json.dumps({"Events": events, "NextToken": "x"}, indent=4))


def write_eventbridge(root: Path, records: list[dict]) -> None:
    root.mkdir(parents=True, exist_ok=True)
    for i, rec in enumerate(records):
        envelope = {"version": "0", "id": f"eb-{i}", "detail-type": "AWS API Call via CloudTrail",
                    "source": "aws." + rec["eventSource"].split(".")[0], "account": rec.get("recipientAccountId"),
                    "time": rec["eventTime"], "region": rec.get("awsRegion"), "resources": [], "detail": rec}
        (root / f"eb-{i:05d}.json").write_text(json.dumps(envelope))


WRITERS = {
    "trail-layout-gz": write_trail_layout,
    "records-json": write_records_json,
    "array": write_array,
    "single-records": write_single_records,
    "jsonl": write_jsonl,
    "jsonl-gz": write_jsonl_gz,
    "lookup-events": write_lookup_events,
    "eventbridge": write_eventbridge,
}
