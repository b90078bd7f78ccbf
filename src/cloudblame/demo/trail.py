"""Records as AWS writes them, and trail files as CloudTrail delivers them to S3 (streaming)."""

from __future__ import annotations

import gzip
import random
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from cloudblame.demo.envelope import (
    GLOBAL_SOURCES,
    UserAgents,
    endpoint_host,
    event_version,
    tls_details,
)
from cloudblame.demo.people import Caller
from cloudblame.demo.values import Ids, iso

try:
    import orjson

    def _dumps(obj: object) -> bytes:
        return orjson.dumps(obj)
except ImportError:  # pragma: no cover - orjson is a dependency
    import json

    def _dumps(obj: object) -> bytes:
        return json.dumps(obj, separators=(",", ":")).encode()

_UA = UserAgents()


def build_record(ids: Ids, *, t: int, account: str, region: str, source: str, name: str, caller: Caller,
                 req: Any, resp: Any, read_only: bool = False, error: str | None = None, event_type: str = "AwsApiCall",
                 resources: list[Any] | None = None, additional: dict[str, Any] | None = None, ua: str | None = None,
                 api_version: str | None = None) -> dict[str, Any]:
    """One CloudTrail record (eventVersion 1.08-1.10 shape) for a call made by ``caller``."""
    if source in GLOBAL_SOURCES:
        region = "us-east-1"
    request_id = ids.s3_request_id() if source == "s3.amazonaws.com" else ids.uuid()
    if isinstance(resp, dict) and "requestId" in resp and resp["requestId"] is None:
        resp = dict(resp, requestId=request_id)
    agent = ua or _UA.get(caller.flavour, caller.variant, source, name)
    rec: dict[str, Any] = {
        "eventVersion": event_version(source), "userIdentity": caller.identity, "eventTime": iso(t),
        "eventSource": source, "eventName": name, "awsRegion": region, "sourceIPAddress": caller.ip,
        "userAgent": agent,
    }
    if error:
        rec["errorCode"] = error
        rec["errorMessage"] = _ERROR_MESSAGES.get(error, "The request failed.")
        resp = None
    rec["requestParameters"] = req
    rec["responseElements"] = resp
    if additional:
        rec["additionalEventData"] = additional
    rec.update({"requestID": request_id, "eventID": ids.uuid(), "readOnly": read_only})
    if resources:
        rec["resources"] = resources
    if api_version:
        rec["apiVersion"] = api_version
    rec.update({"eventType": event_type, "managementEvent": True, "recipientAccountId": account,
                "eventCategory": "Management"})
    if caller.console:
        rec["sessionCredentialFromConsole"] = "true"
    if caller.flavour != "fixed":
        rec["tlsDetails"] = tls_details(endpoint_host(source, region), 1 if caller.flavour != "console" else 2)
    return rec


_ERROR_MESSAGES = {
    "Client.UnauthorizedOperation": "You are not authorized to perform this operation. User is not authorized "
                                    "to perform: ec2:RunInstances because no identity-based policy allows it",
    "Client.DryRunOperation": "Request would have succeeded, but DryRun flag is set.",
    "AccessDenied": "Access Denied",
}


class TrailWriter:
    """Groups records per (account, region, delivery window) and writes each group as one gzip trail
    file under ``AWSLogs/[o-ORG/]ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/``. Records must arrive in time
    order (give or take the window); windows are written as soon as they close."""

    def __init__(self, root: Path, ids: Ids, rng: random.Random, *, window: int, org_id: str | None) -> None:
        self.root, self.ids, self.rng, self.window, self.org_id = root, ids, rng, window, org_id
        self.open: dict[tuple[int, str, str], list[dict[str, Any]]] = defaultdict(list)
        self.files = self.records = self.bytes = 0
        self.event_counts: Counter[tuple[str, str]] = Counter()

    def add(self, rec: dict[str, Any], t: int) -> None:
        self.open[(t // self.window, rec["recipientAccountId"], rec["awsRegion"])].append(rec)
        self.records += 1
        self.event_counts[(rec["eventSource"], rec["eventName"])] += 1

    def flush_before(self, t: int) -> None:
        """Write every window that ended before ``t``."""
        current = t // self.window
        for key in sorted(k for k in self.open if k[0] < current):
            self._write(key, self.open.pop(key))

    def close(self) -> None:
        for key in sorted(self.open):
            self._write(key, self.open.pop(key))

    def _write(self, key: tuple[int, str, str], records: list[dict[str, Any]]) -> None:
        slot, account, region = key
        delivered = (slot + 1) * self.window + 60 + self.rng.randrange(240)
        stamp = iso(delivered)
        day, hhmm = stamp[:10], stamp[11:13] + stamp[14:16]
        org = f"{self.org_id}/" if self.org_id else ""
        folder = self.root / f"AWSLogs/{org}{account}/CloudTrail/{region}/{day.replace('-', '/')}"
        folder.mkdir(parents=True, exist_ok=True)
        name = f"{account}_CloudTrail_{region}_{day.replace('-', '')}T{hhmm}Z_{self.ids.alnum(16)}.json.gz"
        if len(records) > 2:  # records in a trail file are not sorted: swap a few neighbours
            for _ in range(len(records) // 4):
                i = self.rng.randrange(len(records) - 1)
                records[i], records[i + 1] = records[i + 1], records[i]
        body = b'{"Records":[' + b",".join(_dumps(r) for r in records) + b"]}"
        data = gzip.compress(body, compresslevel=6, mtime=0)
        (folder / name).write_bytes(data)
        self.files += 1
        self.bytes += len(data)
