"""One raw CloudTrail record in, one event row and its resource rows out (pure)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

import orjson

from cloudblame.catalog import RULES
from cloudblame.core.timeutil import parse_event_time
from cloudblame.normalize.credentials import CREDENTIAL_FIELDS, credential_row
from cloudblame.normalize.identity import Actor, Principal, actor_of, principal_of
from cloudblame.normalize.inferred import infer_creation
from cloudblame.normalize.model import ResourceRef, Tool
from cloudblame.normalize.resources import extract_resources
from cloudblame.normalize.useragent import classify_tool
from cloudblame.sources.records import is_insight_record
from cloudblame.sources.s3key import TrailKey

# Columns of the events table, in order (store/schema.py declares their SQL types).
EVENT_COLUMNS = (
    "event_id", "event_time", "event_source", "event_name", "aws_region", "account_id",
    "read_only", "error_code", "error_message", "source_ip", "user_agent",
    "event_type", "event_category", "event_version", "api_version", "shared_event_id",
    "identity_type", "principal", "principal_id", "principal_account", "user_name", "access_key_id",
    "session_name", "session_issuer_arn", "session_issuer_name", "source_identity", "invoked_by",
    "session_created", "actor", "actor_kind", "actor_confidence", "tool", "tool_version",
    "org_id", "origin", "raw",
)
INSIGHT_CATEGORY = "Insight"  # events.event_category of CloudTrail Insights records: not API calls
LINK_FIELDS = ("resource_id", "resource_type", "arn", "name", "action", "via")
_MAX_TEXT = 4096  # per text column (the raw record keeps everything)


class BadRecord(ValueError):
    """A record that cannot be stored (the reason is the message)."""


@dataclass(slots=True)
class NormalizedEvent:
    event: dict[str, Any]
    resources: list[dict[str, Any]]  # LINK_FIELDS of each resource the event touched
    credential: dict[str, Any] | None = None  # CREDENTIAL_FIELDS, when the event issued credentials or an access key


def _text(value: object, limit: int = _MAX_TEXT) -> str | None:
    if type(value) is str:  # the common case first
        return value[:limit] if value else None
    if value is None or isinstance(value, (dict, list)):
        return None
    s = str(value)
    return s[:limit] if s else None


def _bool(value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return None


def _event_id(record: dict[str, Any], raw: bytes) -> str:
    eid = _text(record.get("eventID"), 256)
    if eid:
        return eid
    return "synthetic-" + hashlib.sha1(raw).hexdigest()


_IDENTITY_MEMO: dict[bytes, tuple[Principal, Actor]] = {}
_MEMO_MAX = 10_000  # entries of ~2 KB: at 50,000 each worker grew by ~100 MB over a 10M ingest


def _identity(user_identity: object) -> tuple[Principal, Actor]:
    """principal_of and actor_of, memoized on the userIdentity's JSON: the calls of one session repeat
    it verbatim. (A memo of pure functions of their input: results are the same with or without.)"""
    try:
        key = orjson.dumps(user_identity)
    except (TypeError, orjson.JSONEncodeError):
        key = None
    found = _IDENTITY_MEMO.get(key) if key is not None else None
    if found is None:
        principal = principal_of(user_identity)
        found = (principal, actor_of(user_identity, principal))
        if key is not None:
            if len(_IDENTITY_MEMO) >= _MEMO_MAX:
                _IDENTITY_MEMO.clear()
            _IDENTITY_MEMO[key] = found
    return found


IDENTITY_COLUMNS = ("identity_type", "principal", "principal_id", "principal_account", "user_name", "access_key_id",
                    "session_name", "session_issuer_arn", "session_issuer_name", "source_identity", "invoked_by",
                    "session_created", "actor", "actor_kind", "actor_confidence")


def identity_columns(principal: Principal, actor: Actor) -> tuple[Any, ...]:
    """The IDENTITY_COLUMNS of an event, in order."""
    return (principal.identity_type, principal.arn, principal.principal_id, principal.account_id,
            principal.user_name, principal.access_key_id, principal.session_name, principal.session_issuer_arn,
            principal.session_issuer_name, principal.source_identity, principal.invoked_by,
            parse_event_time(principal.session_created), actor.human, actor.kind, actor.confidence)


@lru_cache(maxsize=16_384)
def tool_of(user_agent: str | None, invoked_by: str | None, source_ip: str | None, from_console: bool = False) -> Tool:
    """classify_tool, memoized: a few hundred agents make millions of calls."""
    return classify_tool(user_agent, invoked_by=invoked_by, source_ip=source_ip, from_console=from_console)


def from_console(flag: object) -> bool:
    """Whether a record's ``sessionCredentialFromConsole`` says its session is a console sign-in's."""
    return flag is True or (isinstance(flag, str) and flag.strip().lower() == "true")


def normalize_record(record: object, *, key: TrailKey | None = None, origin: str | None = None,
                     raw: bytes | None = None) -> NormalizedEvent:
    """Normalize one record (an API call's, or a CloudTrail Insights record: ``normalize_insight``). Raises
    BadRecord when it lacks what every event needs."""
    if not isinstance(record, dict):
        raise BadRecord(f"not a JSON object but {type(record).__name__}")
    event_time = parse_event_time(record.get("eventTime"))
    if event_time is None:
        raise BadRecord(f"eventTime missing or unreadable: {str(record.get('eventTime'))[:60]!r}")
    if is_insight_record(record):
        return normalize_insight(record, event_time, key=key, origin=origin, raw=raw)
    source, name = _text(record.get("eventSource"), 256), _text(record.get("eventName"), 256)
    if not source or not name:
        raise BadRecord("eventSource or eventName missing")
    raw = raw if raw is not None else orjson.dumps(record)
    principal, actor = _identity(record.get("userIdentity"))
    ua = _text(record.get("userAgent"), 1024)
    source_ip = _text(record.get("sourceIPAddress"), 256)
    tool = tool_of(ua, principal.invoked_by, source_ip, from_console(record.get("sessionCredentialFromConsole")))
    region = _text(record.get("awsRegion"), 64) or (key.region if key else None)
    account = (_text(record.get("recipientAccountId"), 64) or (key.account if key else None)
               or principal.account_id)
    error_code = _text(record.get("errorCode"), 1024)
    event = {
        "event_id": _event_id(record, raw), "event_time": event_time,
        "event_source": source, "event_name": name, "aws_region": region, "account_id": account,
        "read_only": _bool(record.get("readOnly")), "error_code": error_code,
        "error_message": _text(record.get("errorMessage")), "source_ip": source_ip, "user_agent": ua,
        "event_type": _text(record.get("eventType"), 64), "event_category": _text(record.get("eventCategory"), 64),
        "event_version": _text(record.get("eventVersion"), 16), "api_version": _text(record.get("apiVersion"), 32),
        "shared_event_id": _text(record.get("sharedEventID"), 256),
        **dict(zip(IDENTITY_COLUMNS, identity_columns(principal, actor))),
        "tool": tool.id, "tool_version": tool.version,
        "org_id": key.org_id if key else None, "origin": origin, "raw": raw.decode("utf-8", "replace"),
    }
    refs = resource_refs(record, source=source, name=name, account=account, region=region)
    return NormalizedEvent(event, link_rows(refs), credential_fields(credential_row(record, event)))


def normalize_insight(record: dict[str, Any], event_time: datetime, *, key: TrailKey | None = None,
                      origin: str | None = None, raw: bytes | None = None) -> NormalizedEvent:
    """A CloudTrail Insights record (reference §7.2) as an event of category ``Insight``: the API it is
    about (``insightDetails``), where and when; no caller, tool, error or resource (it is not an API call:
    derive.insight_aws makes it an insight). Raises BadRecord when it does not name its API."""
    details = record.get("insightDetails")
    details = details if isinstance(details, dict) else {}
    source, name = _text(details.get("eventSource"), 256), _text(details.get("eventName"), 256)
    if not source or not name:
        raise BadRecord("CloudTrail Insights record without insightDetails.eventSource or eventName")
    raw = raw if raw is not None else orjson.dumps(record)
    event = dict.fromkeys(EVENT_COLUMNS)
    event.update({
        "event_id": _event_id(record, raw), "event_time": event_time, "event_source": source, "event_name": name,
        "aws_region": _text(record.get("awsRegion"), 64) or (key.region if key else None),
        "account_id": _text(record.get("recipientAccountId"), 64) or (key.account if key else None),
        "event_type": _text(record.get("eventType"), 64), "event_category": INSIGHT_CATEGORY,
        "event_version": _text(record.get("eventVersion"), 16),
        "shared_event_id": _text(record.get("sharedEventID"), 256),
        "org_id": key.org_id if key else None, "origin": origin, "raw": raw.decode("utf-8", "replace"),
    })
    return NormalizedEvent(event, [], None)


def credential_fields(row: dict[str, Any] | None) -> dict[str, Any] | None:
    """The nested ``credential`` of an event: what a credential-issuing event issued, to whom."""
    return None if row is None else {k: row[k] for k in CREDENTIAL_FIELDS}


def resource_refs(record: dict[str, Any], *, source: str, name: str, account: str | None,
                  region: str | None) -> list[ResourceRef]:
    """The resources one record touched: the catalog's rules, and for a creation no rule knows, what the
    fallback infers it made."""
    refs = extract_resources(record, account=account, region=region)
    if (source, name) not in RULES:
        inferred = infer_creation(record, account=account, region=region)
        if inferred is not None:
            refs.append(inferred)
    return refs


def link_rows(refs: list[ResourceRef]) -> list[dict[str, Any]]:
    """The nested ``resources`` rows of an event: one per resource it touched."""
    return [{"resource_id": ref.resource_id[:1024], "resource_type": ref.resource_type, "arn": ref.arn,
             "name": ref.name, "action": ref.action, "via": ref.via} for ref in refs]
