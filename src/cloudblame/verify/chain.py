"""Walking a chain of digests, newest first: each digest is read, placed, authenticated (signature, and
the hash its successor recorded), its log files checked, then its predecessor followed."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from cloudblame.sources.files import inflate
from cloudblame.verify.keys import signature_problem
from cloudblame.verify.log_files import check_listed_logs
from cloudblame.verify.objects import Missing, ObjectInfo, parse_object, utc_time

if TYPE_CHECKING:
    from cloudblame.verify.verifier import Verifier

HEAD_SIGNATURE = "S3 metadata / signatures / .sig sidecar"
LINK_SIGNATURE = "previousDigestSignature of the next digest"
REQUIRED = ("digestEndTime", "digestS3Bucket", "digestS3Object", "digestPublicKeyFingerprint")
GAP_REASONS = {
    "start": "older digest not reached from the newer chain (the newer chain begins with a starting digest: "
             "validation or logging was stopped and restarted)",
    "since": "digest not reached by the chain from the newest digest",
    "broken": None,  # the gap has been reported where the chain broke
}


@dataclass
class Link:
    """A digest to check, with what vouches for it: a signature and, below the head, its successor's hash."""

    bucket: str | None  # None: the source's own bucket
    obj: str
    info: ObjectInfo
    signature: str | None
    signature_source: str
    expected_hash: str | None = None
    is_link: bool = False  # reached from a newer digest (not a head)


def _text(doc: dict[str, Any], name: str) -> str | None:
    value = doc.get(name)
    return value if isinstance(value, str) else None


def walk_chain(v: Verifier, digests: list[ObjectInfo]) -> None:
    """Follow one chain from its newest digest in range; digests the walk did not reach start new
    segments, each reported as a gap."""
    far_past = datetime.min.replace(tzinfo=UTC)
    pending = sorted((d for d in digests if v.scope.in_range(d.stamp)),
                     key=lambda d: (d.stamp or far_past, d.obj), reverse=True)
    visited: set[str] = set()
    gap_reason: str | None = None
    while pending:
        head = pending[0]
        if gap_reason is not None:
            v.add("chain-gap", v.src.subject(None, head.obj), gap_reason, head)
        link = Link(None, head.obj, head, v.src.signature(None, head.obj), HEAD_SIGNATURE)
        end = follow(v, link, visited)
        pending = [d for d in pending if d.obj not in visited]
        gap_reason = GAP_REASONS[end] if pending else None


def follow(v: Verifier, link: Link, visited: set[str]) -> str:
    """Check ``link`` and the older digests it leads to; return why the walk stopped:
    "start" (a starting digest), "since" (start of the range) or "broken"."""
    while True:
        visited.add(link.obj)
        read = read_digest(v, link)
        if read is None:
            return "broken"
        raw, doc = read
        end_time = utc_time(doc.get("digestEndTime"))
        if link.is_link and v.scope.since and end_time and end_time < v.scope.since:
            v.report.digests_checked -= 1  # a link whose key had no stamp, ending before the range
            return "since"
        untrusted = check_digest(v, link, raw, doc)
        _record_span(v, link.info, doc)
        check_listed_logs(v, doc, link.info, untrusted)
        step = next_link(v, link, doc, visited)
        if isinstance(step, str):
            return step
        link = step


def read_digest(v: Verifier, link: Link) -> tuple[bytes, dict[str, Any]] | None:
    """The digest's inflated bytes and document; None (reported, with the gap) when it cannot be had."""
    subject = v.src.subject(link.bucket, link.obj)
    v.report.digests_checked += 1
    try:
        raw, problem = inflate(v.src.read(link.bucket, link.obj))
        if problem:
            raise ValueError(problem)
    except Missing:  # only chain links can be missing (heads were listed)
        v.report.digests_checked -= 1
        _broken(v, "digest-missing", subject, "previous digest named by the chain does not exist", link.info)
        return None
    except Exception as exc:  # noqa: BLE001 - any failure to read is reported as a finding, never raised
        _broken(v, "digest-unreadable", subject, f"cannot read digest: {exc}", link.info)
        return None
    try:
        doc = _digest_document(raw)
    except ValueError as exc:
        _broken(v, "digest-unreadable", subject, f"cannot parse digest: {exc}", link.info)
        return None
    return raw, doc


def _digest_document(raw: bytes) -> dict[str, Any]:
    doc = json.loads(raw)
    if not isinstance(doc, dict):
        raise ValueError("digest is not a JSON object")  # noqa: TRY004 - bad data, not a bad call
    for name in REQUIRED:
        if not isinstance(doc.get(name), str):
            raise ValueError(f"missing field {name}")  # noqa: TRY004 - bad data, not a bad call
    return doc


def _broken(v: Verifier, kind: str, subject: str, detail: str, info: ObjectInfo) -> None:
    v.add(kind, subject, detail, info)
    why = {"digest-missing": "previous digest is missing"}.get(kind, "digest cannot be read or parsed")
    v.add("chain-gap", subject, f"chain broken: {why}", info)


def check_digest(v: Verifier, link: Link, raw: bytes, doc: dict[str, Any]) -> str | None:
    """Location, hash link and signature of one digest, reported; None when its content is authenticated,
    else why it is not (for the log files it lists)."""
    subject = v.src.subject(link.bucket, link.obj)
    moved = v.src.location_error(link.bucket, link.obj, doc["digestS3Bucket"], doc["digestS3Object"])
    if moved:
        v.add("digest-moved", subject, moved, link.info)
    digest_hash = hashlib.sha256(raw).hexdigest()
    problems = []
    if link.expected_hash is not None and link.expected_hash.lower() != digest_hash:
        problems.append(f"SHA-256 {digest_hash} differs from previousDigestHashValue {link.expected_hash} "
                        "of the next digest")
    unverifiable = _signature_check(v, link, doc, digest_hash, problems)
    if problems:
        if unverifiable:
            problems.append(unverifiable[1])
        v.add("digest-invalid-signature", subject, "; ".join(problems), link.info)
        return "its signature or hash link does not verify"
    if unverifiable:
        v.add(unverifiable[0], subject, unverifiable[1], link.info)
        return unverifiable[1]
    if moved:
        return "it is not where it says CloudTrail delivered it"
    v.add("digest-valid", subject, f"signature verified with key {doc['digestPublicKeyFingerprint']} "
          f"({link.signature_source})", link.info)
    return None


def _signature_check(v: Verifier, link: Link, doc: dict[str, Any], digest_hash: str,
                     problems: list[str]) -> tuple[str, str] | None:
    """Check the signature, adding to ``problems`` when it fails; (kind, why) when it cannot be checked."""
    fp = doc["digestPublicKeyFingerprint"]
    if link.signature is None:
        return "no-signature", f"no signature available (looked in {link.signature_source})"
    der, why = v.keys.lookup(fp, [link.info.region, link.info.home])
    if der is None:
        return "no-public-key", why
    prev_sig = doc.get("previousDigestSignature") or "null"
    message = "\n".join([doc["digestEndTime"], f"{doc['digestS3Bucket']}/{doc['digestS3Object']}", digest_hash,
                         str(prev_sig)]).encode("utf-8")
    bad = signature_problem(der, link.signature, message)
    if bad:
        problems.append(f"signature from {link.signature_source} {bad} with key {fp}")
    return None


def _record_span(v: Verifier, info: ObjectInfo, doc: dict[str, Any]) -> None:
    start, end = utc_time(doc.get("digestStartTime")), utc_time(doc.get("digestEndTime"))
    if start and end and info.group:
        v.spans.setdefault(info.group, []).append((start, end))


def next_link(v: Verifier, link: Link, doc: dict[str, Any], visited: set[str]) -> Link | str:
    """The predecessor to check next, or why the walk ends ("start", "since", "broken")."""
    prev_key = doc.get("previousDigestS3Object")
    if not prev_key:
        return "start"
    prev_info = parse_object(str(prev_key))
    if v.scope.since and prev_info and prev_info.stamp and prev_info.stamp < v.scope.since:
        return "since"
    resolved = v.src.resolve(_text(doc, "previousDigestS3Bucket"), str(prev_key))
    if resolved is None:
        v.add("digest-missing", str(prev_key), "previous digest named by the chain does not exist", prev_info or link.info)
        v.add("chain-gap", str(prev_key), "chain broken: previous digest is missing", prev_info or link.info)
        return "broken"
    bucket, obj = v.src.other_bucket(resolved[0]), resolved[1]
    if obj in visited:
        v.add("chain-gap", v.src.subject(bucket, obj), "chain loops back to an already checked digest", link.info)
        return "broken"
    return Link(bucket, obj, parse_object(obj) or prev_info or link.info, _text(doc, "previousDigestSignature"),
                LINK_SIGNATURE, _text(doc, "previousDigestHashValue"), is_link=True)
