"""Log files: those a digest lists (present, and the SHA-256 of their inflated content as listed) and
those none lists (damaged, or why no digest can vouch for them)."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from cloudblame.sources.files import inflate
from cloudblame.verify.objects import INSIGHT, Missing, ObjectInfo, parse_object

if TYPE_CHECKING:
    from cloudblame.verify.verifier import Verifier

LAYOUT = "AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/"


def check_listed_logs(v: Verifier, doc: dict[str, Any], digest: ObjectInfo, untrusted: str | None) -> None:
    """Every log file ``doc`` lists; ``untrusted``: why the digest itself did not verify (None: it did)."""
    entries = doc.get("logFiles") or []
    if not isinstance(entries, list):
        v.add("digest-unreadable", digest.obj, "logFiles is not a list", digest)
        return
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("s3Object"), str):
            v.add("digest-unreadable", digest.obj, f"bad logFiles entry: {entry!r}", digest)
            continue
        v.report.logs_checked += 1
        _check_listed_log(v, entry, digest, untrusted)


def _check_listed_log(v: Verifier, entry: dict[str, Any], digest: ObjectInfo, untrusted: str | None) -> None:
    key = entry["s3Object"]
    info = parse_object(key) or digest
    note = "" if untrusted is None else f" (listed in a digest that did not verify: {untrusted})"
    bucket = entry.get("s3Bucket") if isinstance(entry.get("s3Bucket"), str) else None
    resolved = v.src.resolve(bucket, key)
    if resolved is None:
        v.add("log-missing", key, "log file listed in the digest does not exist" + note, info)
        return
    bucket, obj = v.src.other_bucket(resolved[0]), resolved[1]
    subject = v.src.subject(bucket, obj)
    if bucket is None:
        v.covered.add(obj)
    try:
        raw = v.src.read(bucket, obj)
    except Missing:
        v.add("log-missing", subject, "log file listed in the digest does not exist" + note, info)
        return
    except Exception as exc:  # noqa: BLE001 - any failure to read is reported as a finding, never raised
        v.add("log-missing", subject, f"cannot read log file: {exc}" + note, info)
        return
    kind, detail = _hash_finding(raw, str(entry.get("hashValue") or "").lower(), note)
    v.add(kind, subject, detail, info)


def _hash_finding(raw: bytes, expected: str, note: str) -> tuple[str, str]:
    data, problem = inflate(raw)
    if problem:
        return "log-modified", f"cannot inflate log file: {problem}" + note
    actual = hashlib.sha256(data).hexdigest()
    if actual != expected:
        return "log-modified", f"SHA-256 {actual} differs from digest hashValue {expected}" + note
    if note:
        return "log-unverified", "SHA-256 matches the digest" + note
    return "log-valid", "SHA-256 matches the digest"


def check_unlisted_logs(v: Verifier, logs: list[ObjectInfo]) -> None:
    """Every selected log file in range that no checked digest listed: invalid when it cannot be read or
    inflated (sources that read them: a local copy), else not verifiable, saying why."""
    bounds = {group: _bounds(v, spans) for group, spans in v.spans.items()}
    for info in logs:
        if info.obj in v.covered or not v.scope.in_range(info.stamp):
            continue
        subject = v.src.subject(None, info.obj)
        damage = _damage(v, info) if v.src.reads_unlisted_logs else None
        if damage:
            v.add("log-unreadable", subject, damage, info)
        else:
            kind, detail = _why_unlisted(info, bounds.get(info.group or ""))
            v.add(kind, subject, detail, info)


def _bounds(v: Verifier, spans: list[tuple[datetime, datetime]]) -> tuple[datetime, datetime]:
    """The time the checked digests of one folder cover, within the range asked for."""
    lo, hi = min(s for s, _ in spans), max(e for _, e in spans)
    if v.scope.since and v.scope.since > lo:
        lo = v.scope.since
    if v.scope.until and v.scope.until < hi:
        hi = v.scope.until
    return lo, hi


def _damage(v: Verifier, info: ObjectInfo) -> str | None:
    try:
        raw = v.src.read(None, info.obj)
    except Exception as exc:  # noqa: BLE001 - any failure to read is reported as a finding, never raised
        return f"cannot read log file: {exc}"
    return inflate(raw)[1]


def _why_unlisted(info: ObjectInfo, bounds: tuple[datetime, datetime] | None) -> tuple[str, str]:
    if info.group is None:
        return "log-not-in-layout", f"not under {LAYOUT}, where its digest names it: cannot be matched to a digest"
    if info.kind == INSIGHT:
        return "log-no-digest", "CloudTrail Insights file that no checked digest lists"
    if bounds is None:
        return "log-no-digest", ("no digest for its account and region among the files checked (log file "
                                 "validation off, or the digests not copied)")
    span = f"{bounds[0]:%Y-%m-%dT%H:%M:%SZ}..{bounds[1]:%Y-%m-%dT%H:%M:%SZ}"
    if info.stamp is None:
        return "log-no-digest", "listed in no checked digest (its name gives no delivery time)"
    # the file name stamp is the delivery minute: the file was delivered in [stamp, stamp + 1m)
    if bounds[0] <= info.stamp and info.stamp + timedelta(minutes=1) <= bounds[1]:
        return "log-not-covered", f"delivered inside the span of the checked digests {span} but listed in none"
    if info.stamp + timedelta(minutes=1) > bounds[1]:
        return "log-no-digest", f"delivered after the span of the checked digests {span}: no digest lists it yet"
    return "log-no-digest", f"delivered before the span of the checked digests {span}, and listed in none"
