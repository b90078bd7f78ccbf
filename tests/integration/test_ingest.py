"""Ingest: idempotence, bad input reported and skipped, nothing already stored lost."""

from __future__ import annotations

import gzip
import json
import os

from cloudblame.pipeline.ingest import ingest_paths
from cloudblame.store import Store
from tests.conftest import dataset
from tests.integration.formats import write_trail_layout
from tests.integration.sample_records import sample_records


def test_ingesting_twice_adds_nothing_and_skips_unchanged_files(tmp_path):
    records, _ = sample_records()
    write_trail_layout(tmp_path / "trail", records, per_file=2)
    with Store.open(tmp_path / "s-store") as store:
        first = ingest_paths(store, [str(tmp_path / "trail")])
        second = ingest_paths(store, [str(tmp_path / "trail")])
        forced = ingest_paths(store, [str(tmp_path / "trail")], force=True)
        assert (first.new, first.duplicates) == (len(records), 0)
        assert (second.files_unchanged, second.records, second.new) == (first.files, 0, 0)
        assert not second.nothing_readable
        assert (forced.records, forced.new, forced.duplicates) == (len(records), 0, len(records))
        assert store.scalar("SELECT count(*) FROM events") == len(records)
        resource_rows = store.scalar("SELECT count(*) FROM event_resources")
        ingest_paths(store, [str(tmp_path / "trail")], force=True)
        assert store.scalar("SELECT count(*) FROM event_resources") == resource_rows


def test_same_record_twice_in_one_file_is_stored_once(tmp_path):
    records, _ = sample_records()
    (tmp_path / "dup.json").write_text(json.dumps({"Records": records + records[:3]}))
    with Store.open(tmp_path / "s-store") as store:
        s = ingest_paths(store, [str(tmp_path / "dup.json")])
        assert (s.records, s.new, s.duplicates) == (len(records) + 3, len(records), 3)


def test_a_changed_file_is_read_again(tmp_path):
    records, _ = sample_records()
    path = tmp_path / "t.json"
    path.write_text(json.dumps({"Records": records[:2]}))
    with Store.open(tmp_path / "s-store") as store:
        ingest_paths(store, [str(path)])
        path.write_text(json.dumps({"Records": records}))
        os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
        s = ingest_paths(store, [str(path)])
        assert (s.files_read, s.new, s.duplicates) == (1, len(records) - 2, 2)


def _bad_inputs(folder, records):
    folder.mkdir()
    good = json.dumps({"Records": records}).encode()
    (folder / "good.json").write_bytes(good)
    (folder / "truncated.json.gz").write_bytes(gzip.compress(good)[:-40])
    (folder / "invalid.json").write_text('{"Records": [ {"eventName": ')
    lines = [json.dumps(r) for r in records[:3]]
    (folder / "broken-line.jsonl").write_text(lines[0] + "\n{not json\n" + lines[1] + "\n" + lines[2] + "\n")
    missing = dict(records[0], eventID="missing-time")
    del missing["eventTime"]
    wrong = dict(records[1], eventID="wrong-types", userIdentity="alice", readOnly="maybe",
                 requestParameters="oops", responseElements=[1, 2], awsRegion=7)
    huge = dict(records[2], eventID="huge", requestParameters={"blob": "x" * 3_000_000})
    future = dict(records[3], eventID="future", eventVersion="9.99", brandNewField={"a": 1})
    (folder / "odd.json").write_text(json.dumps([missing, wrong, huge, future, 42]))
    (folder / "notes.json").write_text(json.dumps({"rules": []}))
    (folder / "empty.json").write_text("")


def test_bad_input_is_reported_and_the_rest_ingested(tmp_path):
    records, _ = sample_records()
    _bad_inputs(tmp_path / "in", records)
    with Store.open(tmp_path / "s-store") as store:
        s = ingest_paths(store, [str(tmp_path / "in")])
        ids = {r[0] for r in store.conn.execute("SELECT event_id FROM events").fetchall()}
        huge_raw = store.scalar("SELECT length(raw) FROM events WHERE event_id = 'huge'")
    reasons = {p: r for p, r in s.skipped_files}
    by_name = {os.path.basename(p): r for p, r in reasons.items()}
    failed = {os.path.basename(p): r for p, r in s.failed_files}  # not read completely: read again next time
    assert failed["invalid.json"].startswith("invalid JSON") and "truncated gzip" in failed["truncated.json.gz"]
    assert "invalid.json" not in by_name
    assert "no CloudTrail record" in by_name["notes.json"] or "not a CloudTrail record" in by_name["notes.json"]
    assert by_name["empty.json"] == "empty file"
    problems = [(os.path.basename(p.path), p.line, p.reason) for p in s.problems]
    assert any(name == "truncated.json.gz" and "truncated gzip" in reason for name, _, reason in problems)
    assert ("broken-line.jsonl", 2) in {(n, line) for n, line, _ in problems}
    assert any(n == "odd.json" and line == 1 and "eventTime" in r for n, line, r in problems)
    assert any(n == "odd.json" and "not a JSON object" in r for n, _, r in problems)
    assert {"wrong-types", "huge", "future"} <= ids
    assert {r["eventID"] for r in records} <= ids
    assert huge_raw > 3_000_000
    assert s.bad_records == 1


def test_nothing_stored_is_lost_when_a_later_ingest_meets_bad_files(tmp_path):
    records, _ = sample_records()
    (tmp_path / "a.json").write_text(json.dumps({"Records": records}))
    (tmp_path / "bad.json").write_text("{oops")
    with Store.open(tmp_path / "s-store") as store:
        ingest_paths(store, [str(tmp_path / "a.json")])
        s = ingest_paths(store, [str(tmp_path / "bad.json")])
        assert s.nothing_readable
        assert store.scalar("SELECT count(*) FROM events") == len(records)


def test_shared_datasets_bad_files_reported_and_rest_ingested(tmp_path):
    root = dataset("")
    with Store.open(tmp_path / "all-store") as store:
        s = ingest_paths(store, [str(root)])
        stored = store.scalar("SELECT count(*) FROM events")
    skipped = {os.path.relpath(p, root): r for p, r in s.skipped_files}
    # traildiscover-logexamples: 21 files hold an empty list
    empty = [p for p, r in skipped.items() if p.startswith("traildiscover-logexamples/")]
    assert len(empty) == 21 and all("no CloudTrail record" in skipped[p] for p in empty), empty
    # traildiscover-samples: unquoted keys (invalid JSON) and an empty document
    failed = {os.path.relpath(p, root): r for p, r in s.failed_files}
    samples = {os.path.basename(p): r for p, r in failed.items() if p.startswith("traildiscover-samples/")}
    assert any(r.startswith("invalid JSON") for r in samples.values()), samples
    # c7n-eventbridge: 13 of 37 files are other EventBridge events (Config, Security Hub, Health...)
    non_ct = [p for p in skipped if p.startswith("c7n-eventbridge/")]
    assert len(non_ct) == 37 - 24, non_ct
    assert all("not a CloudTrail record" in skipped[p] for p in non_ct)
    # cloudtrail2sightings: records missing the commas between them: reported, and recovered
    damaged = [p for p in s.problems if p.path.endswith("aws.execution.ec2-user-data.json")]
    assert damaged and "recovered 3 complete record(s)" in damaged[0].reason
    # panther: hand-edited records without an eventTime are reported with their line
    assert any(p.path.endswith(".jsonl") and p.line and "eventTime" in p.reason for p in s.problems)
    assert s.records >= 2900 + 310 + 21 + 400 + 500
    assert stored == s.new and s.records - s.duplicates == stored
    with Store.open(tmp_path / "all-store", read_only=True) as store:
        for folder in ("invictus-aws", "stratus-red-team", "cloud-snitch", "cloudtrail2sightings", "trailscraper"):
            n = store.scalar("SELECT count(*) FROM events WHERE origin LIKE ?", [f"%/datasets/{folder}/%"])
            assert n > 0, folder
