"""A local fake of CloudTrail ``LookupEvents`` for tests: a threaded HTTP server on 127.0.0.1 that speaks the
AWS JSON 1.1 protocol the way botocore sends it, so a real boto3 client pointed at ``fake.url`` works.

- The region comes from the SigV4 credential scope of the ``Authorization`` header.
- Events are the records given per region, served newest first (``eventTime``, then ``eventID``),
  filtered by ``StartTime``/``EndTime`` (inclusive, epoch seconds in the body) and by at most one
  lookup attribute, in pages of ``MaxResults`` (1-50, default 50) with an opaque ``NextToken`` that
  must be replayed with the same other parameters.
- ``ResourceName`` matches a record when the value equals a string anywhere inside its
  ``requestParameters``, ``responseElements`` or ``resources`` (exact match, as the API does);
  ``Username`` is ``userIdentity.userName``, the session name of an assumed role, or ``root``.
- Throttling is enforced: more than ``rate_limit`` accepted requests (default 2) within any 1-second
  window in a region answers ``ThrottlingException`` (HTTP 400) and counts it in ``throttled``.
  Rejected requests do not use up the window. ``rate_limit=None`` turns the limit off.
- ``EventCategory`` ``insight`` serves the CloudTrail Insights records (``eventCategory: Insight``) alone;
  without it, every other record (as the API does).
- ``deny(region)`` answers ``AccessDeniedException`` there; unknown tokens get ``InvalidNextTokenException``.
- ``cloudtrail_event_overrides[event_id] = "text"`` serves ``text`` as that event's ``CloudTrailEvent``
  (to test malformed records).

``requests`` logs every request as a dict (region, operation, body, status, error, at).
"""

from __future__ import annotations

import json
import re
import secrets
import threading
import time
from collections import defaultdict, deque
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TARGET_PREFIX = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101."
ATTRIBUTE_KEYS = ("EventId", "EventName", "ReadOnly", "Username", "ResourceType", "ResourceName",
                  "EventSource", "AccessKeyId")
_CREDENTIAL = re.compile(r"Credential=[^/,\s]+/\d{8}/(?P<region>[^/]+)/(?P<service>[^/]+)/aws4_request")
_REFERENCE = re.compile(r"^(i|vol|snap|sg|subnet|vpc|ami|eni|igw|nat|rtb|acl|eipalloc|lt|key|sir|fleet|pcx|tgw|"
                        r"vpce)-[0-9a-zA-Z]+$")
_PREFIX_TYPES = {"i": "AWS::EC2::Instance", "vol": "AWS::EC2::Volume", "snap": "AWS::EC2::Snapshot",
                 "sg": "AWS::EC2::SecurityGroup", "subnet": "AWS::EC2::Subnet", "vpc": "AWS::EC2::VPC",
                 "ami": "AWS::EC2::Ami", "eni": "AWS::EC2::NetworkInterface", "key": "AWS::EC2::KeyPair"}


class FakeError(Exception):
    def __init__(self, code: str, message: str, status: int = 400):
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


def epoch(value: str) -> float:
    """``2025-01-01T00:00:00Z`` → epoch seconds."""
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC).timestamp()


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def username(record: dict) -> str | None:
    ident = record.get("userIdentity") or {}
    if ident.get("type") == "Root":
        return "root"
    if ident.get("userName"):
        return ident["userName"]
    if ident.get("type") == "AssumedRole" and ident.get("arn"):
        return ident["arn"].rsplit("/", 1)[-1]
    return None


def resource_names(record: dict) -> set[str]:
    """Every string under requestParameters / responseElements / resources (what ResourceName matches)."""
    return set(_strings([record.get("requestParameters"), record.get("responseElements"),
                         record.get("resources")]))


def derived_resources(record: dict) -> list[dict]:
    """A rough version of the console's derived Resources list."""
    out: list[dict] = []
    for res in record.get("resources") or []:
        if isinstance(res, dict) and res.get("ARN"):
            out.append({"ResourceType": res.get("type"), "ResourceName": res["ARN"]})
    for s in sorted(set(_strings([record.get("requestParameters"), record.get("responseElements")]))):
        m = _REFERENCE.match(s)
        if m:
            out.append({"ResourceType": _PREFIX_TYPES.get(m.group(1)), "ResourceName": s})
    return out


class FakeCloudTrail:
    def __init__(self, records: dict[str, list[dict]] | None = None, *, rate_limit: int | None = 2,
                 window: float = 1.0):
        self.events: dict[str, list[dict]] = {}
        for region, recs in (records or {}).items():
            self.load(region, recs)
        self.rate_limit, self.window = rate_limit, window
        self.denied: set[str] = set()
        self.cloudtrail_event_overrides: dict[str, str] = {}
        self.requests: list[dict] = []
        self.throttled = 0
        self._accepted: dict[str, deque] = defaultdict(deque)
        self._tokens: dict[str, tuple[str, str, int]] = {}
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ---- set-up ------------------------------------------------------------------------------------

    def load(self, region: str, records: list[dict]) -> None:
        events = self.events.setdefault(region, [])
        events.extend(records)
        events.sort(key=lambda r: (epoch(r["eventTime"]), r.get("eventID", "")), reverse=True)

    def deny(self, region: str) -> None:
        self.denied.add(region)

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the fake is not started")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeCloudTrail:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                status, payload = fake._handle(self.headers, raw)
                body = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/x-amz-json-1.1")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("x-amzn-RequestId", secrets.token_hex(8))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):  # quiet
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), name="fake-cloudtrail", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)
            self._server = self._thread = None

    def __enter__(self) -> FakeCloudTrail:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # ---- inspection ---------------------------------------------------------------------------------

    def calls(self, region: str | None = None, *, status: int | None = None) -> list[dict]:
        with self._lock:
            return [r for r in self.requests if (region is None or r["region"] == region)
                    and (status is None or r["status"] == status)]

    # ---- protocol -----------------------------------------------------------------------------------

    def _handle(self, headers, raw: bytes) -> tuple[int, dict]:
        now = time.monotonic()
        m = _CREDENTIAL.search(headers.get("Authorization") or "")
        region = m["region"] if m else None
        target = headers.get("X-Amz-Target") or ""
        operation = target.removeprefix(TARGET_PREFIX)
        entry = {"region": region, "operation": operation, "body": None, "status": 200, "error": None, "at": now}
        with self._lock:
            self.requests.append(entry)
            try:
                try:
                    body = json.loads(raw or b"{}")
                except ValueError:
                    raise FakeError("SerializationException", "body is not JSON") from None
                entry["body"] = body
                if region is None:
                    raise FakeError("MissingAuthenticationTokenException", "no SigV4 credential scope", 403)
                if operation != "LookupEvents":
                    raise FakeError("UnknownOperationException", f"unknown operation {target!r}")
                if region in self.denied:
                    raise FakeError("AccessDeniedException", f"User is not authorized to perform: "
                                    f"cloudtrail:LookupEvents in {region}")
                self._check_rate(region, now)
                return 200, self._lookup(region, body)
            except FakeError as exc:
                entry["status"], entry["error"] = exc.status, exc.code
                return exc.status, {"__type": exc.code, "message": exc.message}

    def _check_rate(self, region: str, now: float) -> None:
        accepted = self._accepted[region]
        while accepted and now - accepted[0] >= self.window:
            accepted.popleft()
        if self.rate_limit is not None and len(accepted) >= self.rate_limit:
            self.throttled += 1
            raise FakeError("ThrottlingException", "Rate exceeded")
        accepted.append(now)

    def _lookup(self, region: str, body: dict) -> dict:
        max_results = body.get("MaxResults", 50)
        if not isinstance(max_results, int) or not 1 <= max_results <= 50:
            raise FakeError("InvalidMaxResultsException", f"MaxResults must be 1-50, not {max_results!r}")
        start, end = _time(body.get("StartTime")), _time(body.get("EndTime"))
        if start is not None and end is not None and start > end:
            raise FakeError("InvalidTimeRangeException", "StartTime is after EndTime")
        attrs = body.get("LookupAttributes") or []
        if len(attrs) > 1:
            raise FakeError("InvalidLookupAttributesException", "only one lookup attribute is allowed")
        attr = attrs[0] if attrs else None
        if attr is not None and attr.get("AttributeKey") not in ATTRIBUTE_KEYS:
            raise FakeError("InvalidLookupAttributesException", f"unknown key {attr.get('AttributeKey')!r}")
        if body.get("EventCategory") not in (None, "insight"):
            raise FakeError("InvalidEventCategoryException", "EventCategory must be insight")
        query = json.dumps({k: v for k, v in body.items() if k not in ("NextToken", "MaxResults")},
                           sort_keys=True)
        offset = 0
        if body.get("NextToken") is not None:
            known = self._tokens.get(body["NextToken"])
            if known is None or known[:2] != (region, query):
                raise FakeError("InvalidNextTokenException", "Invalid NextToken")
            offset = known[2]
        insight = body.get("EventCategory") == "insight"
        matching = [r for r in self.events.get(region, []) if _in_range(r, start, end) and _matches(r, attr)
                    and (r.get("eventCategory") == "Insight") == insight]
        page = matching[offset:offset + max_results]
        answer: dict = {"Events": [self._event(r) for r in page]}
        if offset + max_results < len(matching):
            token = secrets.token_urlsafe(24)
            self._tokens[token] = (region, query, offset + max_results)
            answer["NextToken"] = token
        return answer

    def _event(self, record: dict) -> dict:
        event_id = record.get("eventID", "")
        event = {
            "EventId": event_id,
            "EventName": record.get("eventName"),
            "ReadOnly": str(bool(record.get("readOnly", False))).lower(),
            "AccessKeyId": (record.get("userIdentity") or {}).get("accessKeyId"),
            "EventTime": epoch(record["eventTime"]),
            "EventSource": record.get("eventSource"),
            "Username": username(record),
            "Resources": derived_resources(record),
            "CloudTrailEvent": self.cloudtrail_event_overrides.get(event_id, json.dumps(record)),
        }
        return {k: v for k, v in event.items() if v is not None}


def _time(value) -> float | None:
    if value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    return epoch(str(value))  # ISO 8601 (botocore sends epoch seconds; be lenient)


def _in_range(record: dict, start: float | None, end: float | None) -> bool:
    t = epoch(record["eventTime"])
    return (start is None or t >= start) and (end is None or t <= end)


def _matches(record: dict, attr: dict | None) -> bool:
    if attr is None:
        return True
    key, value = attr.get("AttributeKey"), attr.get("AttributeValue")
    if key == "ResourceName":
        return value in resource_names(record) or any(
            r["ResourceName"] == value for r in derived_resources(record))
    if key == "ResourceType":
        return any(r["ResourceType"] == value for r in derived_resources(record))
    if key == "Username":
        return username(record) == value
    if key == "ReadOnly":
        return str(bool(record.get("readOnly", False))).lower() == value
    if key == "AccessKeyId":
        return (record.get("userIdentity") or {}).get("accessKeyId") == value
    field = {"EventId": "eventID", "EventName": "eventName", "EventSource": "eventSource"}[key]
    return record.get(field) == value
