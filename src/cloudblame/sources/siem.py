"""CloudTrail records as SIEMs and log pipelines keep them, mapped back to the records AWS wrote.

Pure functions, detection from content (docs/formats.md lists what maps to what, and what is lost):

- Elastic / Logstash: events with ``@timestamp``; the record under ``message`` (JSON text or object) or
  ``event.original``, or its fields at the top level next to Logstash's own (``@version``, ``tags``,
  ``host``...) as the ``cloudtrail`` codec writes them; Elasticsearch hits (``_source``), one by one or as a
  search response (``{"hits": {"hits": [...]}}``).
- Splunk: export rows (``{"result": {"_raw": "<record>"}}``, ``output_mode=json``), ``_raw`` at the top
  level, HTTP Event Collector events (``{"event": <record>}``) and ``{"results": [...]}`` pages.
- CloudWatch Logs: subscription payloads (``messageType``/``logEvents``, gzip and concatenated as Kinesis
  Firehose delivers them, or plain), ``aws logs filter-log-events``/``get-log-events`` output
  (``{"events": [...]}``), Logs Insights results and S3 exports (``<timestamp> <message>`` lines).

``open_envelope`` opens one item (what it holds is then unwrapped again: a ``_source`` may hold a
Logstash event); ``container`` finds the items of a document of many; ``ignorable`` names documents
skipped on purpose (CloudWatch Logs health checks, Splunk export metadata).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import orjson

# Keys Logstash, Beats and Elastic Agent add next to an event's own fields (no CloudTrail record has them).
LOGSTASH_KEYS = frozenset({
    "@timestamp", "@version", "@metadata", "tags", "host", "type", "path", "message", "event", "log", "agent",
    "ecs", "input", "fields", "data_stream", "cloud", "aws", "sourceHost",
})
# Top-level keys that make a record-shaped object worth opening as an envelope first.
ENVELOPE_KEYS = frozenset({"@timestamp", "@version", "@message", "_raw", "_source", "result", "message", "class_uid"})

_TIMESTAMP = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]00:?00)$")
_EXPORT_LINE = re.compile(rb"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z) ")


def parse_json(value: object) -> object:
    """JSON text parsed (an object or list already decoded is returned as is); text that is not JSON is
    returned as text, for the caller to say so."""
    if isinstance(value, (bytes, str)) and value.lstrip()[:1] in ("{", "[", b"{", b"["):
        try:
            return orjson.loads(value)
        except orjson.JSONDecodeError:
            return value
    return value


def restore_time(stamp: object) -> str | None:
    """CloudTrail's ``eventTime`` from an ``@timestamp`` (``2023-07-10T11:54:42.000Z`` gives
    ``2023-07-10T11:54:42Z``; a fraction that is not zero, or another form, is kept as is)."""
    if not isinstance(stamp, str) or not stamp.strip():
        return None
    m = _TIMESTAMP.match(stamp.strip())
    if m is None:
        return stamp.strip()
    fraction = m[2] if m[2] and m[2].strip(".0") else ""
    return f"{m[1]}{fraction}Z"


def from_logstash(doc: dict[str, Any]) -> dict[str, Any]:
    """A Logstash/Elastic event holding a CloudTrail record's fields at its top level, as the record:
    Logstash's and Beats' own keys dropped, ``eventTime`` restored from ``@timestamp`` when missing, and the
    ``cloudtrail`` codec's rewrites undone (``requestParameters.disableApiTermination`` ``{"value": x}``
    back to ``x``; ``sourceHost`` back to ``sourceIPAddress``)."""
    record = {k: v for k, v in doc.items() if k not in LOGSTASH_KEYS}
    if "eventTime" not in record and (when := restore_time(doc.get("@timestamp"))):
        record["eventTime"] = when
    if "sourceIPAddress" not in record and isinstance(doc.get("sourceHost"), str):
        record["sourceIPAddress"] = doc["sourceHost"]
    params = record.get("requestParameters")
    if isinstance(params, dict) and isinstance(params.get("disableApiTermination"), dict):
        wrapped = params["disableApiTermination"]
        if set(wrapped) == {"value"}:
            record["requestParameters"] = {**params, "disableApiTermination": wrapped["value"]}
    return record


def _original(doc: dict[str, Any]) -> object:
    """What a Logstash/Elastic event keeps of the line it was made from: ``message`` or ``event.original``."""
    if "message" in doc:
        return parse_json(doc["message"])
    event = doc.get("event")
    original = event.get("original") if isinstance(event, dict) else doc.get("event.original")
    return None if original is None else parse_json(original)


def logstash_record(doc: dict[str, Any]) -> object:
    """The CloudTrail record of a Logstash/Elastic event: the original (``message``, ``event.original``)
    when it is one, with ``eventTime`` from ``@timestamp`` if it lacks it; else the fields at the top
    level (``from_logstash``); else what the event holds, for the caller to say why it is no record."""
    original = _original(doc)
    if isinstance(original, dict) and "eventName" in original:
        if "eventTime" not in original and (when := restore_time(doc.get("@timestamp"))):
            return {**original, "eventTime": when}
        return original
    if "eventName" in doc:
        return from_logstash(doc)
    return original


def _is_ecs_cloudtrail(doc: dict[str, Any]) -> bool:
    aws = doc.get("aws")
    return (isinstance(aws, dict) and "cloudtrail" in aws) or any(k.startswith("aws.cloudtrail.") for k in doc)


def _logstash_envelope(item: dict[str, Any]) -> tuple[Any, ...]:
    inner = logstash_record(item)
    if inner is None and _is_ecs_cloudtrail(item):
        return None, "logstash", ("an Elastic (ECS) CloudTrail document without its original record: "
                                  "keep it with the preserve_original_event tag (event.original)")
    if inner is None:
        keys = ", ".join(sorted(k for k in map(str, item) if k not in LOGSTASH_KEYS)[:6]) or "none"
        return None, "logstash", f"a Logstash event without a CloudTrail record (no message; own keys: {keys})"
    return inner, "logstash", "a Logstash event whose message"


def open_envelope(item: dict[str, Any]) -> tuple[Any, ...] | None:
    """``(inner, kind, what)`` when ``item`` wraps one record: ``inner`` is what it holds (to unwrap in
    turn), ``kind`` the shape it names, ``what`` the start of the reason when ``inner`` is no record.
    ``inner`` None: there is nothing inside, and ``what`` is the whole reason. None: not an envelope."""
    if "_raw" in item:
        return parse_json(item["_raw"]), "splunk", "a Splunk event whose _raw"
    result = item.get("result")
    if isinstance(result, dict) and ("preview" in item or "_raw" in result):
        return result, "splunk", "a Splunk export row whose result"
    if "_source" in item:
        return item["_source"], "elastic-hits", "an Elasticsearch hit whose _source"
    if "@message" in item:
        return parse_json(item["@message"]), "cloudwatch-logs", "a CloudWatch Logs Insights row whose @message"
    if "@timestamp" in item or "@version" in item:
        return _logstash_envelope(item)
    if "message" in item and ("timestamp" in item or "ingestionTime" in item):
        return parse_json(item["message"]), "cloudwatch-logs", "a CloudWatch Logs event whose message"
    if "event" in item and ("sourcetype" in item or "time" in item) and not isinstance(item.get("detail"), dict):
        return parse_json(item["event"]), "splunk", "a Splunk HEC event whose event"
    return None


def _insights_row(row: object) -> dict[str, Any] | object:
    """A CloudWatch Logs Insights result row (``[{"field": "@message", "value": ...}, ...]``) as a dict."""
    if isinstance(row, list) and all(isinstance(c, dict) and "field" in c for c in row):
        return {c["field"]: c.get("value") for c in row}
    return row


def _log_events(doc: dict[str, Any]) -> bool:
    """``{"events": [...]}`` as ``aws logs filter-log-events`` or ``get-log-events`` print it."""
    events = doc["events"]
    return ("searchedLogStreams" in doc or "nextForwardToken" in doc
            or all(isinstance(e, dict) and "message" in e for e in events[:10]))


def container(doc: dict[str, Any]) -> tuple[str, list[Any], str, str] | None:
    """``(shape, items, what, item_name)`` when ``doc`` holds many items (each unwrapped like a record);
    None when it is no such document."""
    hits = doc.get("hits")
    if isinstance(hits, dict) and isinstance(hits.get("hits"), list):
        return "elastic-hits", hits["hits"], "an Elasticsearch response", "hits"
    if isinstance(doc.get("logEvents"), list) and doc.get("messageType", "CONTROL_MESSAGE") != "CONTROL_MESSAGE":
        return "cloudwatch-logs", doc["logEvents"], "a CloudWatch Logs payload", "log events"
    if isinstance(doc.get("events"), list) and _log_events(doc):
        return "cloudwatch-logs", doc["events"], "CloudWatch Logs events", "events"
    results = doc.get("results")
    if isinstance(results, list) and results and isinstance(results[0], list):
        return "cloudwatch-logs", [_insights_row(r) for r in results], "CloudWatch Logs Insights results", "rows"
    if isinstance(results, list) and ("preview" in doc or "fields" in doc or "init_offset" in doc):
        return "splunk", results, "Splunk search results", "results"
    return None


def ignorable(doc: dict[str, Any]) -> str | None:
    """What ``doc`` is when it is skipped on purpose (counted, not a problem), else None."""
    if doc.get("messageType") == "CONTROL_MESSAGE":
        return "CloudWatch Logs CONTROL_MESSAGE (a subscription's health check)"
    if "preview" in doc and "result" not in doc and ("messages" in doc or "lastrow" in doc or "offset" in doc):
        return "Splunk export metadata"
    return None


def concatenated(data: bytes) -> list[tuple[int, dict[str, Any]]] | None:
    """The JSON objects of ``data`` written one after another (Kinesis Firehose concatenates CloudWatch Logs
    payloads, each its own gzip member), with the line each starts on; None unless all of ``data`` is such
    objects, two or more, one of them a CloudWatch Logs payload (other run-together text is damage)."""
    text = data.decode("utf-8", "replace")
    decoder, docs, pos, seen, line = json.JSONDecoder(), [], 0, 0, 1
    while (pos := _skip_space(text, pos)) < len(text):
        try:
            doc, end = decoder.raw_decode(text, pos)
        except ValueError:
            return None
        if not isinstance(doc, dict):
            return None
        line, seen = line + text.count("\n", seen, pos), pos
        docs.append((line, doc))
        pos = end
    payloads = any(container(d) or ignorable(d) for _, d in docs)
    return docs if len(docs) > 1 and payloads else None


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\r\n":
        pos += 1
    return pos


def is_cloudwatch_export(text: bytes) -> bool:
    """A CloudWatch Logs export to S3 (``CreateExportTask``): lines of ``<timestamp> <message>``."""
    return _EXPORT_LINE.match(text[:64]) is not None


def export_lines(data: bytes) -> Iterator[tuple[int, object, str | None]]:
    """``(line, message, why_not)`` for each line of a CloudWatch Logs export: the message parsed (with
    ``eventTime`` from the line's timestamp when the record lacks one), or why the line is no message."""
    for number, line in enumerate(data.split(b"\n"), start=1):
        if not line.strip():
            continue
        m = _EXPORT_LINE.match(line)
        if m is None:
            yield number, None, "not a CloudWatch Logs export line (<timestamp> <message>)"
            continue
        message = parse_json(line[m.end():].strip().decode("utf-8", "replace"))
        if isinstance(message, dict) and "eventName" in message and "eventTime" not in message:
            message = {**message, "eventTime": restore_time(m[1].decode())}
        yield number, message, None
