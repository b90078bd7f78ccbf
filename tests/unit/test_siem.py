"""SIEM, log pipeline and Security Lake shapes: the mappings back to CloudTrail, and the reasons given for
what is not CloudTrail."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from cloudblame.sources import ocsf, siem
from cloudblame.sources.files import discover, file_report, iter_file, read_content, unwrap_kind

REC = {"eventVersion": "1.08", "eventTime": "2025-01-01T00:00:00Z", "eventSource": "ec2.amazonaws.com",
       "eventName": "RunInstances", "eventID": "e-1", "awsRegion": "us-east-1",
       "requestParameters": {"instanceType": "t3.micro", "disableApiTermination": False}}


def _read(path: Path):
    report = file_report(path)
    return report, [r.record for r in iter_file(path, report)]


def _write(tmp_path: Path, name: str, content) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content if isinstance(content, str) else json.dumps(content))
    return path


def _lines(*docs) -> str:
    return "".join(json.dumps(d) + "\n" for d in docs)


def test_restore_time_from_timestamp():
    assert siem.restore_time("2025-01-01T00:00:00.000Z") == "2025-01-01T00:00:00Z"
    assert siem.restore_time("2025-01-01T00:00:00.120Z") == "2025-01-01T00:00:00.120Z"
    assert siem.restore_time("2025-01-01T00:00:00+00:00") == "2025-01-01T00:00:00Z"
    assert siem.restore_time(None) is None


def test_logstash_codec_event_is_mapped_back():
    event = {**{k: v for k, v in REC.items() if k != "eventTime"}, "@timestamp": "2025-01-01T00:00:00.000Z",
             "@version": "1", "tags": ["ct"], "host": "ls-1", "type": "cloudtrail",
             "requestParameters": {"instanceType": "t3.micro", "disableApiTermination": {"value": False}}}
    assert siem.from_logstash(event) == REC
    assert event["requestParameters"]["disableApiTermination"] == {"value": False}  # pure: input untouched
    support = siem.from_logstash({**event, "sourceHost": "support.amazonaws.com"})
    assert support["sourceIPAddress"] == "support.amazonaws.com"


def test_logstash_message_and_event_original():
    no_time = {k: v for k, v in REC.items() if k != "eventTime"}
    stamp = {"@timestamp": "2025-01-01T00:00:00.000Z"}
    assert siem.logstash_record({**stamp, "message": json.dumps(REC)}) == REC
    assert siem.logstash_record({**stamp, "message": no_time}) == REC
    assert siem.logstash_record({**stamp, "event": {"original": json.dumps(REC)}}) == REC


def test_elastic_ecs_document_without_original_says_how_to_keep_it():
    hit = {"_source": {"@timestamp": "2025-01-01T00:00:00.000Z", "aws": {"cloudtrail": {"event_version": "1.08"}},
                       "event": {"action": "RunInstances"}}}
    record, reason, kind = unwrap_kind(hit)
    assert record is None and kind == "elastic-hits" and "preserve_original_event" in reason


def test_splunk_hec_and_results_page(tmp_path):
    assert unwrap_kind({"time": 1735689600, "sourcetype": "aws:cloudtrail", "event": REC}) == (REC, "", "splunk")
    page = {"preview": False, "init_offset": 0, "messages": [], "fields": [{"name": "_raw"}],
            "results": [{"_raw": json.dumps(REC), "_time": "2025-01-01T00:00:00.000+00:00"}]}
    report, records = _read(_write(tmp_path, "results.json", page))
    assert (report.shape, records) == ("splunk", [REC])


def test_splunk_export_metadata_lines_are_skipped_silently(tmp_path):
    text = _lines({"preview": False, "messages": [{"type": "INFO", "text": "search started"}]},
                  {"preview": False, "offset": 0, "result": {"_raw": json.dumps(REC)}},
                  {"preview": False, "offset": 1, "result": {"_raw": "Jan  1 00:00:00 host sshd[1]: hello"}})
    report, records = _read(_write(tmp_path, "export.json", text))
    assert records == [REC] and report.shape == "splunk" and report.ignored == 1
    assert [(p.line, p.reason[:54]) for p in report.problems] == [
        (3, "a Splunk event whose _raw is not a CloudTrail record (")]
    assert "text, not JSON: 'Jan  1" in report.problems[0].reason


def test_cloudwatch_insights_results(tmp_path):
    doc = {"status": "Complete", "statistics": {}, "results": [
        [{"field": "@timestamp", "value": "2025-01-01 00:00:00.000"}, {"field": "@message", "value": json.dumps(REC)}]]}
    report, records = _read(_write(tmp_path, "insights.json", doc))
    assert (report.shape, records) == ("cloudwatch-logs", [REC])


def test_cloudwatch_control_messages_only(tmp_path):
    control = {"messageType": "CONTROL_MESSAGE", "owner": "CloudwatchLogs", "logGroup": "", "logStream": "",
               "subscriptionFilters": [], "logEvents": [{"id": "", "timestamp": 1, "message": "CWL CONTROL MESSAGE"}]}
    report, records = _read(_write(tmp_path, "cw.gz", gzip.compress(json.dumps(control).encode()) * 2))
    assert records == [] and report.problems == [] and report.ignored == 2
    assert "CONTROL_MESSAGE" in report.skipped_reason
    report, _ = _read(_write(tmp_path, "one.json", control))
    assert report.ignored == 1 and "CONTROL_MESSAGE" in report.skipped_reason


def test_cloudwatch_payload_of_other_logs_is_named(tmp_path):
    payload = {"messageType": "DATA_MESSAGE", "owner": "111122223333", "logGroup": "/aws/lambda/f",
               "logStream": "s", "subscriptionFilters": ["x"],
               "logEvents": [{"id": "1", "timestamp": 1, "message": "START RequestId: 1"}]}
    report, records = _read(_write(tmp_path, "payload.json", payload))
    assert records == [] and report.skipped_reason.startswith("a CloudWatch Logs payload without CloudTrail records")
    assert "a CloudWatch Logs event whose message is not a CloudTrail record" in report.skipped_reason


def test_cloudwatch_export_lines(tmp_path):
    text = f"2025-01-01T00:00:00.000Z {json.dumps(REC)}\nnot an export line\n"
    report, records = _read(_write(tmp_path, "000000.gz", gzip.compress(text.encode())))
    assert (report.shape, records) == ("cloudwatch-export", [REC])
    assert [(p.line, p.reason) for p in report.problems] == [
        (2, "not a CloudWatch Logs export line (<timestamp> <message>)")]


def test_elasticsearch_response_without_cloudtrail(tmp_path):
    hit = {"_id": "1", "_source": {"@timestamp": "x", "message": "hi"}}
    doc = {"took": 1, "hits": {"total": {"value": 1}, "hits": [hit]}}
    report, records = _read(_write(tmp_path, "hits.json", doc))
    assert records == [] and report.skipped_reason.startswith("an Elasticsearch response without CloudTrail records")
    report, _ = _read(_write(tmp_path, "empty-hits.json", {"hits": {"hits": []}}))
    assert report.skipped_reason == "an Elasticsearch response without CloudTrail records: it holds no hits"


def test_other_json_object_names_its_keys(tmp_path):
    report, _ = _read(_write(tmp_path, "x.json", {"a": 1, "b": 2, "c": 3}))
    assert report.skipped_reason == "not a CloudTrail record (a JSON object with keys a, b, c)"


def test_concatenated_records_remain_damage(tmp_path):
    report, records = _read(_write(tmp_path, "cat.json", json.dumps(REC) + json.dumps(dict(REC, eventID="e-2"))))
    assert report.shape == "damaged" and len(records) == 2


def test_trail_fast_path_is_untouched():
    report = file_report(Path(__file__))
    content = read_content(json.dumps({"Records": [REC]}).encode(), report)
    assert isinstance(content, list) and report.shape == "trail"


def test_ocsf_rc2_row_maps_back():
    row = {"class_uid": 3005, "time": 1735689600000,
           "api": {"operation": "AssumeRole", "service": {"name": "sts.amazonaws.com"},
                   "request": {"uid": "r-1", "data": '{"roleArn":"arn:aws:iam::1:role/x"}'}, "response": {}},
           "actor": {"user": {"type": "AssumedRole", "uid": "AROA1:bob", "uuid": "arn:aws:sts::1:assumed-role/x/bob",
                              "account_uid": "111122223333", "credential_uid": "ASIA1"},
                     "session": {"created_time": 1735689000000, "mfa": True, "issuer": "arn:aws:iam::1:role/x"}},
           "cloud": {"region": "eu-west-1"}, "src_endpoint": {"domain": "ec2.amazonaws.com"},
           "metadata": {"uid": "e-9", "product": {"version": "1.08"}},
           "unmapped": [("readOnly", "false"), ("userIdentity.sessionContext.sessionIssuer.userName", "x"),
                        ("additionalEventData", '{"bytes":0}'), ("sharedEventId", "s-1")]}
    assert ocsf.to_cloudtrail(row) == {
        "readOnly": False, "additionalEventData": {"bytes": 0}, "sharedEventID": "s-1",
        "eventVersion": "1.08", "eventTime": "2025-01-01T00:00:00Z", "eventSource": "sts.amazonaws.com",
        "eventName": "AssumeRole", "awsRegion": "eu-west-1", "sourceIPAddress": "ec2.amazonaws.com",
        "requestParameters": {"roleArn": "arn:aws:iam::1:role/x"}, "requestID": "r-1", "eventID": "e-9",
        "userIdentity": {"type": "AssumedRole", "principalId": "AROA1:bob", "arn": "arn:aws:sts::1:assumed-role/x/bob",
                         "accountId": "111122223333", "accessKeyId": "ASIA1", "sessionContext": {
                             "sessionIssuer": {"type": "Role", "accountId": "1", "userName": "x",
                                               "arn": "arn:aws:iam::1:role/x"},
                             "attributes": {"creationDate": "2024-12-31T23:50:00Z", "mfaAuthenticated": "true"}}}}


def test_session_issuer_from_its_arn():
    assert ocsf.issuer_from_arn("arn:aws:iam::111122223333:role/service-role/Deployer") == {
        "type": "Role", "accountId": "111122223333", "userName": "Deployer"}
    assert ocsf.issuer_from_arn("arn:aws:iam::111122223333:root") == {"type": "Root", "accountId": "111122223333"}
    assert ocsf.issuer_from_arn("arn:aws:sts::111122223333:assumed-role/x/y") == {}


def test_ocsf_json_lines_and_other_classes(tmp_path):
    row = {"class_uid": 6003, "time": 1735689600000, "metadata": {"uid": "e-3"},
           "api": {"operation": "ListBuckets", "service": {"name": "s3.amazonaws.com"}}}
    other = {"class_uid": 4001, "class_name": "Network Activity", "time": 1}
    report, records = _read(_write(tmp_path, "ocsf.jsonl", _lines(row, other)))
    assert report.shape == "ocsf" and [r["eventID"] for r in records] == ["e-3"]
    assert report.problems[0].line == 2 and "class 4001 (Network Activity)" in report.problems[0].reason


def test_parquet_that_is_not_ocsf_or_is_damaged(tmp_path):
    path = tmp_path / "other.parquet"
    pq.write_table(pa.table({"a": [1], "b": ["x"]}), path)
    report, records = _read(path)
    assert records == [] and report.skipped_reason.startswith("a Parquet file with columns a, b: not OCSF")
    damaged = _write(tmp_path, "damaged.parquet", path.read_bytes()[:-20])
    assert _read(damaged)[0].skipped_reason.startswith("unreadable Parquet file")
    assert [Path(f).name for f in discover([str(tmp_path)])[0]] == ["damaged.parquet", "other.parquet"]


def test_parquet_rows_of_other_classes_are_reported_with_their_row(tmp_path):
    rows = [{"class_uid": 6003, "time": 1735689600000, "metadata": {"uid": "e-1"},
             "api": {"operation": "ListBuckets", "service": {"name": "s3.amazonaws.com"}}},
            {"class_uid": 6003, "time": 1735689600000, "metadata": {"uid": "e-2"}, "api": None}]
    path = tmp_path / "lake.parquet"
    pq.write_table(pa.Table.from_pylist(rows), path)
    report, records = _read(path)
    assert report.shape == "ocsf-parquet" and [r["eventID"] for r in records] == ["e-1"]
    assert [(p.line, "without api.operation" in p.reason) for p in report.problems] == [(2, True)]
