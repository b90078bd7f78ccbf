"""What is a CloudTrail record, and the record inside an item: a record as AWS writes it, an EventBridge
envelope, a LookupEvents entry, or an envelope of a SIEM or log pipeline (``sources.siem``) or of Security
Lake (OCSF, ``sources.ocsf``). Pure: an item in, the record (or why there is none) out.

A CloudTrail Insights record (``eventCategory: Insight``, reference §7.2: no ``eventName`` nor identity at
its top level, the API it is about in ``insightDetails``) is a record too: normalization stores it as an
event of category ``Insight``, which nothing counts as an API call."""

from __future__ import annotations

from typing import Any, TypeGuard

import orjson

from cloudblame.sources import ocsf, siem

_RECORD_KEYS = ("eventSource", "eventTime", "eventID", "userIdentity", "eventVersion")
_NOT_A_RECORD = "not a CloudTrail record"


def is_record(obj: object) -> TypeGuard[dict[str, Any]]:
    """Looks like a CloudTrail record, an API call's or an Insights record (normalization then says which
    required field is missing)."""
    if not isinstance(obj, dict):
        return False
    return ("eventName" in obj and any(k in obj for k in _RECORD_KEYS)) or is_insight_record(obj)


def is_insight_record(obj: dict[str, Any]) -> bool:
    """A CloudTrail Insights record (reference §7.2) rather than an API call's."""
    return obj.get("eventCategory") == "Insight" or obj.get("eventType") == "AwsCloudTrailInsight"


def unwrap(item: object) -> tuple[dict[str, Any] | None, str]:
    """The CloudTrail record inside an item (record, EventBridge envelope, LookupEvents entry, or one of
    the envelopes of ``unwrap_kind``), or None and why there is none."""
    record, reason, _ = unwrap_kind(item)
    return record, reason


def unwrap_kind(item: object, depth: int = 0) -> tuple[dict[str, Any] | None, str, str | None]:
    """As ``unwrap``, with the shape of the envelope the record came in: None for a record as AWS writes
    it, an EventBridge envelope or a LookupEvents entry; else ``logstash``, ``elastic-hits``, ``splunk``,
    ``cloudwatch-logs`` (``sources.siem``) or ``ocsf`` (``sources.ocsf``)."""
    if is_record(item) and item.keys().isdisjoint(siem.ENVELOPE_KEYS):
        return item, "", None
    if not isinstance(item, dict):
        if isinstance(item, str):
            return None, f"text, not JSON: {item[:60]!r}", None
        return None, f"not a JSON object but {type(item).__name__}", None
    if "CloudTrailEvent" in item or "detail" in item:
        return (*_aws_envelope(item), None)
    opened = siem.open_envelope(item) or ocsf.open_envelope(item)
    if opened is not None and depth < 4:
        inner, kind, what = opened
        if inner is None:
            return None, what, kind
        record, reason, inner_kind = unwrap_kind(inner, depth + 1)
        if record is not None:
            return record, "", kind
        return None, reason if inner_kind is not None else _inside(what, reason), kind
    if is_record(item):
        return item, "", None
    return None, _not_a_record(item), None


def _aws_envelope(item: dict[str, Any]) -> tuple[dict[str, Any] | None, str]:
    """The record in a LookupEvents entry (``CloudTrailEvent``) or an EventBridge event (``detail``)."""
    if "CloudTrailEvent" in item:
        inner = item["CloudTrailEvent"]
        try:
            inner = orjson.loads(inner) if isinstance(inner, (str, bytes)) else inner
        except orjson.JSONDecodeError as exc:
            return None, f"LookupEvents entry whose CloudTrailEvent is not valid JSON: {exc}"
        return (inner, "") if is_record(inner) else (None, "LookupEvents entry without a CloudTrail record")
    detail = item.get("detail")
    if is_record(detail):
        return detail, ""
    kind = item.get("detail-type") or "?"
    return None, f"EventBridge event of type {kind!r} from {item.get('source', '?')!r} is not a CloudTrail record"


def _inside(what: str, reason: str) -> str:
    """Why an envelope (``what``: "a Splunk event whose _raw"...) holds no record."""
    if reason.startswith(_NOT_A_RECORD + " ("):
        reason = reason.removeprefix(_NOT_A_RECORD + " (").removesuffix(")")
    return f"{what} is {_NOT_A_RECORD} ({reason})"


def _not_a_record(item: dict[str, Any]) -> str:
    if not item:
        return "empty JSON object"
    if "logFiles" in item and "digestEndTime" in item:
        return "CloudTrail digest file (log integrity validation): holds no events"
    keys = ", ".join(sorted(map(str, item))[:6])
    return f"{_NOT_A_RECORD} (a JSON object with keys {keys})"
