"""Write CloudTrail records as SIEMs, log pipelines and Security Lake keep them (used by the format tests,
and to build tests/fixtures/formats/: ``python -m tests.integration.siem_formats``).

Each writer follows the format's public description: Logstash's ``cloudtrail`` codec (eventTime moved to
``@timestamp``, ``disableApiTermination`` wrapped in ``{"value": ...}``) and json_lines output;
Elasticsearch search responses and elasticdump lines (``_source``); Splunk's search export with
``output_mode=json`` (``{"preview": false, "offset": n, "result": {"_raw": ...}}``); CloudWatch Logs
subscription payloads (gzip members one after another as Kinesis Firehose writes them to S3),
``aws logs filter-log-events`` output and CreateExportTask files (``<timestamp> <message>`` lines); and
Security Lake's OCSF 1.1.0 API Activity rows in Parquet (the OCSF project's CloudTrail mapping, with the
unmapped fields under ``unmapped`` keyed by their dotted path).
"""

from __future__ import annotations

import gzip
import json
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "formats"
# Records of the invictus-aws dataset the fixtures hold: an assumed role denied, an IAM user creating a
# VPC and a bucket, an AWS service assuming a role (resources, credentials issued), a service event
# without an identity type.
FIXTURE_EVENT_IDS = (
    "fbd91225-39aa-4c00-822c-9f0b96e7758f",
    "f5e4b2d3-a4a2-4a78-b81f-9036f12b623e",
    "a4a7b25e-c2d5-436f-8a7e-ea89f50541ab",
    "68c99c97-c191-4329-b210-82ca8631066d",
    "d2ba211c-a040-45b6-86d0-33249cc21647",
)


def _text(obj) -> str:
    return json.dumps(obj, separators=(",", ":"))


def _stamp(event_time: str) -> str:
    """An eventTime as Logstash/Elasticsearch write ``@timestamp`` (milliseconds)."""
    return event_time.replace("Z", ".000Z") if "." not in event_time else event_time


def _millis(event_time: str) -> int:
    return int(datetime.fromisoformat(event_time.replace("Z", "+00:00")).timestamp() * 1000)


def _codec(rec: dict) -> dict:
    """A record as Logstash's cloudtrail codec makes an event of it (before Logstash adds its fields)."""
    event = dict(rec)
    event["@timestamp"] = _stamp(event.pop("eventTime"))
    params = event.get("requestParameters")
    if isinstance(params, dict) and "disableApiTermination" in params:
        event["requestParameters"] = {**params, "disableApiTermination": {"value": params["disableApiTermination"]}}
    return event


def logstash_event(rec: dict, n: int) -> dict:
    """Three ways a Logstash pipeline keeps a record: the codec's fields at the top level; the line
    under ``message`` (JSON text: a plain json_lines input); ``message`` parsed into an object."""
    extra = {"@version": "1", "host": {"name": "logstash-01"}, "tags": ["cloudtrail"], "type": "cloudtrail"}
    if n % 3 == 0:
        return {**_codec(rec), **extra}
    message = _text(rec) if n % 3 == 1 else rec
    return {"@timestamp": _stamp(rec["eventTime"]), "message": message, **extra,
            "log": {"file": {"path": "/var/log/cloudtrail/events.jsonl"}}}


def write_logstash(root: Path, records: list[dict]) -> None:
    root.mkdir(parents=True, exist_ok=True)
    (root / "logstash.jsonl").write_text("".join(_text(logstash_event(r, n)) + "\n" for n, r in enumerate(records)))


def _hit(rec: dict, n: int) -> dict:
    source = logstash_event(rec, n)
    if n % 3 == 2:  # Elastic Agent's AWS integration keeps the line as event.original (preserve_original_event)
        source = {"@timestamp": source["@timestamp"], "event": {"original": _text(rec), "kind": "event"},
                  "ecs": {"version": "8.11.0"}, "cloud": {"provider": "aws"}}
    return {"_index": "cloudtrail-2023.07.10", "_id": f"doc-{n:05d}", "_score": 1.0, "_source": source}


def write_elastic_hits(root: Path, records: list[dict]) -> None:
    root.mkdir(parents=True, exist_ok=True)
    hits = [_hit(r, n) for n, r in enumerate(records)]
    response = {"took": 3, "timed_out": False, "_shards": {"total": 1, "successful": 1, "skipped": 0, "failed": 0},
                "hits": {"total": {"value": len(hits), "relation": "eq"}, "max_score": 1.0, "hits": hits}}
    (root / "elastic-hits.json").write_text(json.dumps(response, indent=2))


def write_elastic_docs(root: Path, records: list[dict]) -> None:
    """elasticdump's output: one hit per line."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "elastic-docs.ndjson").write_text("".join(_text(_hit(r, n)) + "\n" for n, r in enumerate(records)))


def _splunk_result(rec: dict, n: int) -> dict:
    return {"_bkt": "aws~12~5D2E1B3C", "_cd": f"12:{n}", "_indextime": str(_millis(rec["eventTime"]) // 1000 + 60),
            "_raw": _text(rec), "_serial": str(n), "_si": ["splunk-idx-01", "aws"], "_sourcetype": "aws:cloudtrail",
            "_time": rec["eventTime"].replace("Z", ".000+00:00"), "host": "splunk-hf-01", "index": "aws",
            "linecount": "1", "source": "s3://trail-bucket/AWSLogs/", "sourcetype": "aws:cloudtrail",
            "splunk_server": "splunk-idx-01"}


def write_splunk_export(root: Path, records: list[dict]) -> None:
    """``/services/search/jobs/export?output_mode=json``: one row per line, the last with ``lastrow``."""
    root.mkdir(parents=True, exist_ok=True)
    rows = [{"preview": False, "offset": n, **({"lastrow": True} if n == len(records) - 1 else {}),
             "result": _splunk_result(r, n)} for n, r in enumerate(records)]
    (root / "splunk-export.json").write_text("".join(_text(row) + "\n" for row in rows))


def write_splunk_raw(root: Path, records: list[dict]) -> None:
    """Events saved with ``_raw`` at the top level (``| table _time host source sourcetype _raw``)."""
    root.mkdir(parents=True, exist_ok=True)
    rows = [{k: v for k, v in _splunk_result(r, n).items() if not k.startswith("_") or k in ("_raw", "_time")}
            for n, r in enumerate(records)]
    (root / "splunk-raw.jsonl").write_text("".join(_text(row) + "\n" for row in rows))


def _payload(records: list[dict], account: str) -> dict:
    return {"messageType": "DATA_MESSAGE", "owner": account, "logGroup": "aws-cloudtrail-logs-org",
            "logStream": f"{account}_CloudTrail_us-east-1", "subscriptionFilters": ["to-firehose"],
            "logEvents": [{"id": f"{_millis(r['eventTime']):d}{n:040d}", "timestamp": _millis(r["eventTime"]),
                           "message": _text(r)} for n, r in enumerate(records)]}


CONTROL_MESSAGE = {"messageType": "CONTROL_MESSAGE", "owner": "CloudwatchLogs", "logGroup": "", "logStream": "",
                   "subscriptionFilters": [], "logEvents": [{"id": "", "timestamp": 1688990000000,
                   "message": "CWL CONTROL MESSAGE: Checking health of destination Firehose."}]}


def write_cloudwatch_firehose(root: Path, records: list[dict]) -> None:
    """What Firehose writes to S3 from a subscription: each payload its own gzip member, one after another."""
    root.mkdir(parents=True, exist_ok=True)
    account = records[0].get("recipientAccountId", "123456789012")
    half = max(1, len(records) // 2)
    members = [CONTROL_MESSAGE, _payload(records[:half], account), _payload(records[half:], account)]
    (root / "cloudwatch-firehose.gz").write_bytes(b"".join(gzip.compress(_text(m).encode()) for m in members))


def write_cloudwatch_payload(root: Path, records: list[dict]) -> None:
    """One subscription payload, decoded (as a Lambda function receives it after base64 and gunzip)."""
    root.mkdir(parents=True, exist_ok=True)
    payload = _payload(records, records[0].get("recipientAccountId", "123456789012"))
    (root / "cloudwatch-payload.json").write_text(json.dumps(payload, indent=2))


def write_filter_log_events(root: Path, records: list[dict]) -> None:
    root.mkdir(parents=True, exist_ok=True)
    stream = f"{records[0].get('recipientAccountId', '123456789012')}_CloudTrail_us-east-1"
    events = [{"logStreamName": stream, "timestamp": _millis(r["eventTime"]), "message": _text(r),
               "ingestionTime": _millis(r["eventTime"]) + 9000, "eventId": f"{n:056d}"} for n, r in enumerate(records)]
    doc = {"events": events, "searchedLogStreams": [{"logStreamName": stream, "searchedCompletely": True}]}
    (root / "filter-log-events.json").write_text(json.dumps(doc, indent=4))


def write_cloudwatch_export(root: Path, records: list[dict]) -> None:
    root.mkdir(parents=True, exist_ok=True)
    lines = "".join(f"{_stamp(r['eventTime'])} {_text(r)}\n" for r in records)
    (root / "cloudwatch-export-000000.gz").write_bytes(gzip.compress(lines.encode()))


# --- Security Lake: OCSF 1.1.0 API Activity ------------------------------------------------------------

_STR = pa.string()
_ACCOUNT = pa.struct([("uid", _STR)])
OCSF_SCHEMA = pa.schema([
    ("time", pa.int64()), ("time_dt", pa.timestamp("ms", tz="UTC")),
    ("class_uid", pa.int32()), ("class_name", _STR), ("category_uid", pa.int32()), ("category_name", _STR),
    ("activity_id", pa.int32()), ("activity_name", _STR), ("type_uid", pa.int64()), ("type_name", _STR),
    ("severity_id", pa.int32()), ("severity", _STR), ("status", _STR), ("status_id", pa.int32()),
    ("metadata", pa.struct([("product", pa.struct([("name", _STR), ("vendor_name", _STR), ("version", _STR),
                                                   ("feature", pa.struct([("name", _STR)]))])),
                            ("uid", _STR), ("version", _STR), ("event_code", _STR), ("profiles", pa.list_(_STR))])),
    ("actor", pa.struct([("user", pa.struct([("type", _STR), ("uid", _STR), ("uid_alt", _STR), ("name", _STR),
                                            ("credential_uid", _STR), ("account", _ACCOUNT)])),
                         ("session", pa.struct([("created_time", pa.int64()),
                                                ("created_time_dt", pa.timestamp("ms", tz="UTC")),
                                                ("is_mfa", pa.bool_()), ("issuer", _STR)])),
                         ("invoked_by", _STR), ("idp", pa.struct([("name", _STR)]))])),
    ("api", pa.struct([("operation", _STR), ("version", _STR), ("service", pa.struct([("name", _STR)])),
                       ("request", pa.struct([("uid", _STR), ("data", _STR)])),
                       ("response", pa.struct([("error", _STR), ("message", _STR), ("data", _STR)]))])),
    ("cloud", pa.struct([("provider", _STR), ("region", _STR), ("account", _ACCOUNT)])),
    ("src_endpoint", pa.struct([("ip", _STR), ("domain", _STR), ("uid", _STR)])),
    ("http_request", pa.struct([("user_agent", _STR)])),
    ("resources", pa.list_(pa.struct([("uid", _STR), ("type", _STR), ("owner", pa.struct([("account", _ACCOUNT)]))]))),
    ("unmapped", pa.map_(_STR, _STR)),
    ("observables", pa.list_(pa.struct([("name", _STR), ("type", _STR), ("type_id", pa.int32()), ("value", _STR)]))),
    ("accountid", _STR), ("region", _STR),
])
_MAPPED = {"eventVersion", "userIdentity", "eventTime", "eventSource", "eventName", "awsRegion", "sourceIPAddress",
           "userAgent", "errorCode", "errorMessage", "requestParameters", "responseElements", "requestID", "eventID",
           "eventType", "eventCategory", "apiVersion", "vpcEndpointId", "recipientAccountId", "resources"}
_IDENTITY_MAPPED = {"type", "principalId", "arn", "accountId", "accessKeyId", "userName", "invokedBy"}
_FLATTENED = ("userIdentity", "tlsDetails")  # unmapped by path; other objects are kept as JSON text
_ACTIVITIES = ((1, "Create", ("Create", "Run", "Generate")), (2, "Read", ("Get", "List", "Describe", "Lookup")),
               (4, "Delete", ("Delete", "Terminate")), (3, "Update", ("Update", "Put", "Modify", "Start", "Stop")))


def _flat(prefix: str, value, out: list) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            _flat(f"{prefix}.{key}", inner, out)
    elif value is not None:
        out.append((prefix, value if isinstance(value, str) else _text(value)))


def _unmapped(rec: dict) -> list[tuple[str, str]]:
    out: list = []
    for key, value in rec.items():
        if key in _MAPPED or value is None:
            continue
        if key in _FLATTENED:
            _flat(key, value, out)
        else:
            out.append((key, value if isinstance(value, str) else _text(value)))
    identity = dict(rec.get("userIdentity") or {})
    context = dict(identity.pop("sessionContext", None) or {})
    issuer = {k: v for k, v in (context.pop("sessionIssuer", None) or {}).items() if k != "arn"}
    context.pop("attributes", None)
    rest = {k: v for k, v in identity.items() if k not in _IDENTITY_MAPPED}
    _flat("userIdentity", {**rest, "sessionContext": {**context, "sessionIssuer": issuer}}, out)
    return out


def _session(identity: dict) -> dict | None:
    context = identity.get("sessionContext") or {}
    attributes, issuer = context.get("attributes") or {}, context.get("sessionIssuer") or {}
    if not attributes and not issuer:
        return None
    created = attributes.get("creationDate")
    mfa = attributes.get("mfaAuthenticated")
    return {"created_time": _millis(created) if created else None,
            "created_time_dt": datetime.fromisoformat(created.replace("Z", "+00:00")) if created else None,
            "is_mfa": None if mfa is None else mfa == "true", "issuer": issuer.get("arn")}


def _activity(name: str) -> tuple[int, str]:
    for number, label, prefixes in _ACTIVITIES:
        if name.startswith(prefixes):
            return number, label
    return 99, "Other"


def to_ocsf(rec: dict) -> dict:
    """A CloudTrail record as Security Lake (source version 2) writes it: OCSF 1.1.0 API Activity."""
    identity, ip = rec.get("userIdentity") or {}, rec.get("sourceIPAddress")
    numeric = bool(ip) and (ip[:1].isdigit() or ":" in ip)  # an IP address (v4 or v6), else a service's name
    activity, label = _activity(rec["eventName"])
    failed = bool(rec.get("errorCode"))
    return {
        "time": _millis(rec["eventTime"]), "time_dt": datetime.fromisoformat(rec["eventTime"].replace("Z", "+00:00")),
        "class_uid": 6003, "class_name": "API Activity", "category_uid": 6, "category_name": "Application Activity",
        "activity_id": activity, "activity_name": label, "type_uid": 600300 + activity,
        "type_name": f"API Activity: {label}", "severity_id": 1, "severity": "Informational",
        "status": "Failure" if failed else "Success", "status_id": 2 if failed else 1,
        "metadata": {"product": {"name": "CloudTrail", "vendor_name": "AWS", "version": rec.get("eventVersion"),
                                 "feature": {"name": rec.get("eventCategory")}},
                     "uid": rec.get("eventID"), "version": "1.1.0", "event_code": rec.get("eventType"),
                     "profiles": ["cloud", "datetime"]},
        "actor": _actor(identity), "api": _api(rec),
        "cloud": {"provider": "AWS", "region": rec.get("awsRegion"), "account": {"uid": rec.get("recipientAccountId")}},
        "src_endpoint": {"ip": ip if numeric else None, "domain": None if numeric else ip,
                         "uid": rec.get("vpcEndpointId")},
        "http_request": {"user_agent": rec.get("userAgent")},
        "resources": [{"uid": r.get("ARN"), "type": r.get("type"), "owner": {"account": {"uid": r.get("accountId")}}}
                      for r in rec.get("resources") or []] or None,
        "unmapped": _unmapped(rec),
        "observables": [{"name": "src_endpoint.ip", "type": "IP Address", "type_id": 2, "value": ip}] if ip else None,
        "accountid": rec.get("recipientAccountId"), "region": rec.get("awsRegion"),
    }


def _actor(identity: dict) -> dict:
    return {"user": {"type": identity.get("type"), "uid": identity.get("arn"), "uid_alt": identity.get("principalId"),
                     "name": identity.get("userName"), "credential_uid": identity.get("accessKeyId"),
                     "account": {"uid": identity.get("accountId")}},
            "session": _session(identity), "invoked_by": identity.get("invokedBy"), "idp": None}


def _api(rec: dict) -> dict:
    return {"operation": rec["eventName"], "version": rec.get("apiVersion"), "service": {"name": rec["eventSource"]},
            "request": {"uid": rec.get("requestID"), "data": _json_or_none(rec.get("requestParameters"))},
            "response": {"error": rec.get("errorCode"), "message": rec.get("errorMessage"),
                         "data": _json_or_none(rec.get("responseElements"))}}


def _json_or_none(value) -> str | None:
    return None if value is None else _text(value)


def write_security_lake(root: Path, records: list[dict]) -> None:
    root.mkdir(parents=True, exist_ok=True)
    table = pa.Table.from_pylist([to_ocsf(r) for r in records], schema=OCSF_SCHEMA)
    pq.write_table(table, root / "security-lake.parquet", compression="zstd")


WRITERS = {
    "logstash": write_logstash,
    "elastic-hits": write_elastic_hits,
    "elastic-docs": write_elastic_docs,
    "splunk-export": write_splunk_export,
    "splunk-raw": write_splunk_raw,
    "cloudwatch-firehose": write_cloudwatch_firehose,
    "cloudwatch-payload": write_cloudwatch_payload,
    "filter-log-events": write_filter_log_events,
    "cloudwatch-export": write_cloudwatch_export,
    "security-lake": write_security_lake,
}


def build_fixtures(dataset: Path, out: Path = FIXTURES) -> None:
    """Write the fixture of every format, and the plain trail of the same records (``trail.json``)."""
    records = {r["eventID"]: r for p in sorted(dataset.rglob("*.json")) for r in json.loads(p.read_text())["Records"]}
    chosen = [records[i] for i in FIXTURE_EVENT_IDS]
    out.mkdir(parents=True, exist_ok=True)
    (out / "trail.json").write_text(json.dumps({"Records": chosen}, indent=1))
    for write in WRITERS.values():
        write(out, chosen)


if __name__ == "__main__":
    from tests.conftest import DATASETS

    build_fixtures(DATASETS / "invictus-aws")
