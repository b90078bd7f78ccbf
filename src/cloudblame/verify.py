"""CloudTrail log file integrity validation (what ``aws cloudtrail validate-logs`` does).

CloudTrail writes, per trail, account and region, an hourly *digest* file next to the logs
(``AWSLogs/[o-org/]<acct>/CloudTrail-Digest/<region>/YYYY/MM/DD/...json.gz``). Each digest lists the
SHA-256 of every log file delivered in its hour, is signed (RSA PKCS#1 v1.5, SHA-256) with a regional
CloudTrail key, and links to its predecessor (``previousDigestS3Object`` + ``previousDigestSignature``),
so deleting, changing or moving a log file or a digest is detectable.

Two entry points, both returning a :class:`VerifyReport` (never printing, never raising because of one
bad object):

* :func:`verify_s3` reads the trail bucket with a boto3 S3 client. The newest digest's signature comes
  from its S3 metadata (``x-amz-meta-signature``), public keys from ``ListPublicKeys`` in the region
  that signed the digest.
* :func:`verify_local` reads a local copy of the bucket (any directory containing the ``AWSLogs/``
  tree, or the ``AWSLogs`` directory itself). S3 keys named in digests are mapped onto the local tree
  by their part from ``AWSLogs/`` on. S3 metadata is not kept by ``aws s3 sync``, so the signature of
  the newest digest of each chain must be supplied, either in ``signatures`` (digest key -> hex; the
  key may be the S3 key, the local path relative to ``root``, or the part from ``AWSLogs/`` on) or in a
  sidecar file next to the digest named ``<digest file name>.sig`` holding the hex signature, e.g.
  ``aws s3api head-object --bucket B --key K --query Metadata.signature --output text > K.sig``.
  Older digests are verified with the ``previousDigestSignature`` of their successor. Public keys are
  passed in (see :func:`load_public_keys`).

Chains are walked per (folder, account, region, trail), newest digest first. Findings:

=========================== =====================================================================
``digest-valid``            digest signature verified (and, when reached by the chain, its hash
                            matches the successor's ``previousDigestHashValue``)
``digest-invalid-signature`` signature does not verify, hash link broken, or no signature available
``digest-moved``            the digest is not at the location it names (``digestS3Bucket/Object``)
``digest-missing``          a digest named by ``previousDigestS3Object`` does not exist
``digest-unreadable``       a digest cannot be read, inflated or parsed
``log-valid``               a listed log file exists and its SHA-256 matches
``log-modified``            a listed log file's SHA-256 differs (or it cannot be inflated)
``log-missing``             a listed log file does not exist (or cannot be read)
``chain-gap``               the chain is broken: a missing/unreadable predecessor, or digests in
                            the range that the chain from the newest digest does not reach
``no-public-key``           no public key with the digest's ``digestPublicKeyFingerprint``
``log-not-covered``         a log file in ``CloudTrail/`` delivered inside the verified time span
                            that no digest lists
=========================== =====================================================================

Only ``digest-valid`` and ``log-valid`` are successes; any other kind makes ``VerifyReport.ok`` false.
Time filters (``since``/``until``, naive datetimes are UTC) select digests by their delivery stamp:
the walk starts at the newest digest delivered at or before ``until`` and stops before the first
digest that ended before ``since``.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import hashlib
import json
import os
import re
import zlib
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

__all__ = [
    "FAILURE_KINDS",
    "KINDS",
    "Finding",
    "VerifyReport",
    "load_public_keys",
    "verify_local",
    "verify_s3",
]

KINDS = (
    "digest-valid",
    "digest-invalid-signature",
    "digest-moved",
    "digest-missing",
    "digest-unreadable",
    "log-valid",
    "log-modified",
    "log-missing",
    "chain-gap",
    "no-public-key",
    "log-not-covered",
)
SUCCESS_KINDS = frozenset({"digest-valid", "log-valid"})
FAILURE_KINDS = frozenset(KINDS) - SUCCESS_KINDS

# §3.1 of the reference: CloudTrail object keys.
KEY_RE = re.compile(
    r"^(?:(?P<prefix>.+)/)?AWSLogs/(?:(?P<org>o-[a-z0-9]{10,32})/)?(?P<acct>\d{12})/"
    r"(?P<kind>CloudTrail|CloudTrail-Digest|CloudTrail-Insight)/(?P<region>[a-z0-9-]+)/"
    r"(?P<y>\d{4})/(?P<m>\d{2})/(?P<d>\d{2})/(?P=acct)_(?P=kind)_(?P=region)_"
    r"(?:(?P<trail>.+)_(?P<home>[a-z0-9-]+)_(?P<dstamp>\d{8}T\d{6}Z)|(?P<stamp>\d{8}T\d{4}Z)_(?P<rand>[A-Za-z0-9]+))"
    r"\.json\.gz$"
)


# --------------------------------------------------------------------------------------------------
# Report


@dataclass
class Finding:
    kind: str
    subject: str
    detail: str
    account: str | None = None
    region: str | None = None


@dataclass
class VerifyReport:
    findings: list[Finding] = field(default_factory=list)
    digests_checked: int = 0
    logs_checked: int = 0

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for f in self.findings:
            out[f.kind] = out.get(f.kind, 0) + 1
        return dict(sorted(out.items()))

    @property
    def ok(self) -> bool:
        return not any(f.kind in FAILURE_KINDS for f in self.findings)

    def failures(self) -> list[Finding]:
        return [f for f in self.findings if f.kind in FAILURE_KINDS]

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "digests_checked": self.digests_checked,
            "logs_checked": self.logs_checked,
            "counts": self.counts(),
            "findings": [asdict(f) for f in self.findings],
        }


# --------------------------------------------------------------------------------------------------
# Public keys


def _b64_or_bytes(value: Any) -> bytes:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    return base64.b64decode(str(value))


def load_public_keys(path: Path) -> dict[str, bytes]:
    """Read public keys from a JSON file: ``fingerprint (lower hex) -> DER bytes``.

    Accepts the output of ``aws cloudtrail list-public-keys``
    (``{"PublicKeyList": [{"Value": base64 DER, "Fingerprint": hex, ...}]}``, several such outputs in
    a JSON list also work) or a plain ``{fingerprint: base64 DER}`` object.
    """
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    out: dict[str, bytes] = {}
    docs = data if isinstance(data, list) else [data]
    for doc in docs:
        if not isinstance(doc, dict):
            raise ValueError(f"{path}: unexpected JSON shape")
        if "PublicKeyList" in doc:
            for entry in doc["PublicKeyList"] or []:
                out[str(entry["Fingerprint"]).lower()] = _b64_or_bytes(entry["Value"])
        else:
            for fp, value in doc.items():
                out[str(fp).lower()] = _b64_or_bytes(value)
    return out


# --------------------------------------------------------------------------------------------------
# Helpers


def _utc(dt: datetime | None) -> datetime | None:
    if dt is None:
        return None
    return dt.replace(tzinfo=timezone.utc) if dt.tzinfo is None else dt.astimezone(timezone.utc)


def _parse_iso(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return _utc(datetime.fromisoformat(value.replace("Z", "+00:00")))
    except ValueError:
        return None


def _parse_stamp(stamp: str | None) -> datetime | None:
    if not stamp:
        return None
    for fmt in ("%Y%m%dT%H%M%SZ", "%Y%m%dT%H%MZ"):
        try:
            return datetime.strptime(stamp, fmt).replace(tzinfo=timezone.utc)
        except ValueError:
            continue
    return None


def _awslogs_suffix(key: str) -> str | None:
    """The part of a key/path from ``AWSLogs/`` on (how S3 keys map onto a local copy)."""
    key = key.replace("\\", "/")
    m = KEY_RE.match(key)
    if m:
        return key[len(m.group("prefix")) + 1 :] if m.group("prefix") is not None else key
    i = key.rfind("AWSLogs/")
    if i == 0 or (i > 0 and key[i - 1] == "/"):
        return key[i:]
    return None


@dataclass
class _KeyInfo:
    obj: str  # object id (S3 key, or local path relative to root)
    group: str  # folder up to and including the region: one log folder
    org: str | None
    account: str
    region: str
    kind: str
    trail: str | None
    home: str | None
    stamp: datetime | None

    @property
    def chain(self) -> tuple[str, str | None, str | None]:
        return (self.group, self.trail, self.home)


def _parse_key(obj: str) -> _KeyInfo | None:
    m = KEY_RE.match(obj.replace("\\", "/"))
    if not m:
        return None
    prefix = m.group("prefix")
    group = "/".join(
        p for p in (prefix, "AWSLogs", m.group("org"), m.group("acct"), m.group("region")) if p
    )
    return _KeyInfo(
        obj=obj,
        group=group,
        org=m.group("org"),
        account=m.group("acct"),
        region=m.group("region"),
        kind=m.group("kind"),
        trail=m.group("trail"),
        home=m.group("home"),
        stamp=_parse_stamp(m.group("dstamp") or m.group("stamp")),
    )


class _Missing(Exception):
    """The object does not exist."""


def _is_not_found(exc: Exception) -> bool:
    resp = getattr(exc, "response", None)
    if isinstance(resp, dict):
        code = str(resp.get("Error", {}).get("Code", ""))
        status = resp.get("ResponseMetadata", {}).get("HTTPStatusCode")
        return code in {"NoSuchKey", "404", "NotFound", "NoSuchBucket"} or status == 404
    return False


def _inflate(data: bytes) -> bytes:
    if data[:2] == b"\x1f\x8b":
        return gzip.decompress(data)
    return data  # already inflated (e.g. a copy transparently decompressed on download)


# --------------------------------------------------------------------------------------------------
# Object sources


class _Source:
    label = ""

    def list_objects(self) -> list[str]:
        raise NotImplementedError

    def resolve(self, bucket: str | None, key: str) -> tuple[str | None, str] | None:
        """Map an S3 location named in a digest to (bucket, object id); None if it cannot exist."""
        raise NotImplementedError

    def read(self, bucket: str | None, obj: str) -> bytes:
        raise NotImplementedError

    def signature(self, bucket: str | None, obj: str) -> str | None:
        raise NotImplementedError

    def location_error(self, bucket: str | None, obj: str, d_bucket: Any, d_key: Any) -> str | None:
        raise NotImplementedError

    def subject(self, bucket: str | None, obj: str) -> str:
        return obj


class _LocalSource(_Source):
    def __init__(self, root: Path, signatures: dict[str, str] | None):
        self.root = Path(root)
        self._by_suffix: dict[str, str] = {}
        self._objects: list[str] = []
        self._sigs: dict[str, str] = {}
        base = "AWSLogs/" if self.root.name == "AWSLogs" else ""
        self._base = base
        if self.root.is_dir():
            for dirpath, _dirs, files in os.walk(self.root):
                for name in files:
                    if not name.endswith(".json.gz"):
                        continue
                    rel = base + (Path(dirpath) / name).relative_to(self.root).as_posix()
                    self._objects.append(rel)
                    suffix = _awslogs_suffix(rel)
                    if suffix is not None:
                        self._by_suffix.setdefault(suffix, rel)
        self._objects.sort()
        for key, sig in (signatures or {}).items():
            norm = key.replace("\\", "/")
            self._sigs[norm] = sig
            suffix = _awslogs_suffix(norm)
            if suffix is not None:
                self._sigs.setdefault("suffix:" + suffix, sig)

    def list_objects(self) -> list[str]:
        return list(self._objects)

    def parse(self, obj: str) -> _KeyInfo | None:
        return _parse_key(obj)

    def _path(self, obj: str) -> Path:
        """Object ids are paths relative to root, prefixed with ``AWSLogs/`` when root is that folder."""
        return self.root / obj[len(self._base) :]

    def resolve(self, bucket, key):
        suffix = _awslogs_suffix(str(key))
        if suffix is None:
            return None
        rel = self._by_suffix.get(suffix)
        return (None, rel) if rel is not None else None

    def read(self, bucket, obj):
        path = self._path(obj)
        try:
            return path.read_bytes()
        except FileNotFoundError as exc:
            raise _Missing(str(path)) from exc

    def signature(self, bucket, obj):
        for cand in (obj, obj[len(self._base) :], self._path(obj).as_posix()):
            if cand in self._sigs:
                return self._sigs[cand].strip()
        suffix = _awslogs_suffix(obj)
        if suffix is not None and "suffix:" + suffix in self._sigs:
            return self._sigs["suffix:" + suffix].strip()
        path = self._path(obj)
        sidecar = path.with_name(path.name + ".sig")
        try:
            text = sidecar.read_text(encoding="utf-8").strip()
        except OSError:
            return None
        return text or None

    def location_error(self, bucket, obj, d_bucket, d_key):
        want = _awslogs_suffix(str(d_key)) if isinstance(d_key, str) else None
        have = _awslogs_suffix(obj)
        if want is None or want != have:
            return f"digest names s3://{d_bucket}/{d_key} but is stored at {obj}"
        return None


class _S3Source(_Source):
    def __init__(self, client: Any, bucket: str, prefix: str):
        self.client = client
        self.bucket = bucket
        self.prefix = prefix or ""
        self._meta: dict[tuple[str | None, str], dict[str, str]] = {}

    def list_objects(self) -> list[str]:
        out: list[str] = []
        token = None
        while True:
            kw: dict[str, Any] = {"Bucket": self.bucket, "Prefix": self.prefix}
            if token:
                kw["ContinuationToken"] = token
            resp = self.client.list_objects_v2(**kw)
            out.extend(o["Key"] for o in resp.get("Contents", []) or [])
            if not resp.get("IsTruncated"):
                break
            token = resp.get("NextContinuationToken")
            if not token:
                break
        return sorted(k for k in out if k.endswith(".json.gz"))

    def parse(self, obj: str) -> _KeyInfo | None:
        return _parse_key(obj)

    def resolve(self, bucket, key):
        return (bucket or self.bucket, str(key))

    def read(self, bucket, obj):
        b = bucket or self.bucket
        try:
            resp = self.client.get_object(Bucket=b, Key=obj)
        except Exception as exc:  # botocore ClientError; keep botocore optional here
            if _is_not_found(exc):
                raise _Missing(f"s3://{b}/{obj}") from exc
            raise
        self._meta[(b, obj)] = {str(k).lower(): v for k, v in (resp.get("Metadata") or {}).items()}
        return resp["Body"].read()

    def signature(self, bucket, obj):
        b = bucket or self.bucket
        meta = self._meta.get((b, obj))
        if meta is None:
            try:
                meta = self.client.head_object(Bucket=b, Key=obj).get("Metadata") or {}
            except Exception:
                return None
            meta = {str(k).lower(): v for k, v in meta.items()}
        sig = meta.get("signature")
        return sig.strip() if isinstance(sig, str) and sig.strip() else None

    def location_error(self, bucket, obj, d_bucket, d_key):
        b = bucket or self.bucket
        if (d_bucket, d_key) != (b, obj):
            return f"digest names s3://{d_bucket}/{d_key} but is stored at s3://{b}/{obj}"
        return None

    def subject(self, bucket, obj):
        b = bucket or self.bucket
        return obj if b == self.bucket else f"s3://{b}/{obj}"


# --------------------------------------------------------------------------------------------------
# Public key providers


class _KeyProvider:
    def lookup(self, fingerprint: str, regions: Iterable[str]) -> tuple[bytes | None, str]:
        raise NotImplementedError


class _StaticKeys(_KeyProvider):
    def __init__(self, keys: dict[str, bytes]):
        self.keys = {str(k).lower(): _b64_or_bytes(v) for k, v in (keys or {}).items()}

    def lookup(self, fingerprint, regions):
        key = self.keys.get(fingerprint.lower())
        return key, ("" if key else f"no public key with fingerprint {fingerprint} among {len(self.keys)} given")


class _CloudTrailKeys(_KeyProvider):
    def __init__(self, factory: Callable[[str], Any] | None, start: datetime, end: datetime):
        self.factory = factory
        self.start, self.end = start, end
        self._cache: dict[str, tuple[dict[str, bytes], str]] = {}

    def narrow(self, start: datetime, end: datetime) -> None:
        """Ask ListPublicKeys only for the span of the digests being checked."""
        self.start = max(self.start, start)
        self.end = max(min(self.end, end), self.start)

    def _region_keys(self, region: str) -> tuple[dict[str, bytes], str]:
        if region in self._cache:
            return self._cache[region]
        keys: dict[str, bytes] = {}
        err = ""
        if self.factory is None:
            err = "no CloudTrail client factory given"
        else:
            try:
                client = self.factory(region)
                token = None
                while True:
                    kw: dict[str, Any] = {"StartTime": self.start, "EndTime": self.end}
                    if token:
                        kw["NextToken"] = token
                    resp = client.list_public_keys(**kw)
                    for entry in resp.get("PublicKeyList", []) or []:
                        keys[str(entry["Fingerprint"]).lower()] = _b64_or_bytes(entry["Value"])
                    token = resp.get("NextToken")
                    if not token:
                        break
            except Exception as exc:
                err = f"ListPublicKeys in {region} failed: {exc}"
        self._cache[region] = (keys, err)
        return keys, err

    def lookup(self, fingerprint, regions):
        errors = []
        for region in dict.fromkeys(r for r in regions if r):
            keys, err = self._region_keys(region)
            if fingerprint.lower() in keys:
                return keys[fingerprint.lower()], ""
            if err:
                errors.append(err)
        tried = ", ".join(dict.fromkeys(r for r in regions if r))
        msg = f"no public key with fingerprint {fingerprint} from ListPublicKeys in {tried}"
        return None, "; ".join([msg, *errors])


# --------------------------------------------------------------------------------------------------
# The verifier


@dataclass
class _Digest:
    raw: bytes
    doc: dict[str, Any]


class _Verifier:
    def __init__(self, source, keys: _KeyProvider, *, account, region, since, until):
        self.src = source
        self.keys = keys
        self.accounts = _as_set(account)
        self.regions = _as_set(region)
        self.since = _utc(since)
        self.until = _utc(until)
        self.report = VerifyReport()

    # -- findings
    def add(self, kind, subject, detail, info: _KeyInfo | None = None, account=None, region=None):
        self.report.findings.append(
            Finding(
                kind=kind,
                subject=subject,
                detail=detail,
                account=account or (info.account if info else None),
                region=region or (info.region if info else None),
            )
        )

    def _selected(self, info: _KeyInfo) -> bool:
        if self.accounts and info.account not in self.accounts:
            return False
        if self.regions and info.region not in self.regions:
            return False
        return True

    def _in_range(self, stamp: datetime | None) -> bool:
        if stamp is None:
            return True
        if self.until and stamp > self.until:
            return False
        if self.since and stamp < self.since:
            return False
        return True

    # -- main
    def run(self) -> VerifyReport:
        try:
            objects = self.src.list_objects()
        except Exception as exc:
            self.add("digest-unreadable", self.src.label or "listing", f"cannot list objects: {exc}")
            return self.report
        chains: dict[tuple, list[_KeyInfo]] = {}
        logs: dict[str, list[_KeyInfo]] = {}
        for obj in objects:
            info = self.src.parse(obj)
            if info is None or not self._selected(info):
                continue
            if info.kind == "CloudTrail-Digest":
                chains.setdefault(info.chain, []).append(info)
            elif info.kind == "CloudTrail":
                logs.setdefault(info.group, []).append(info)

        stamps = [d.stamp for ds in chains.values() for d in ds if d.stamp and self._in_range(d.stamp)]
        if stamps and hasattr(self.keys, "narrow"):
            self.keys.narrow(min(stamps) - timedelta(hours=2), max(stamps) + timedelta(hours=1))
        self.covered: dict[str, set[str]] = {}  # group -> covered object ids
        self.spans: dict[str, list[tuple[datetime, datetime]]] = {}
        for chain_id in sorted(chains, key=lambda c: tuple(x or "" for x in c)):
            self._walk_chain(chains[chain_id])
        self._uncovered_logs(logs)
        return self.report

    def _walk_chain(self, digests: list[_KeyInfo]) -> None:
        far_past = datetime.min.replace(tzinfo=timezone.utc)
        pending = sorted(
            (d for d in digests if self._in_range(d.stamp)),
            key=lambda d: (d.stamp or far_past, d.obj),
            reverse=True,
        )
        visited: set[str] = set()
        head_reason: str | None = None  # why the next segment head was not reached by the chain
        while pending:
            head = pending[0]
            if head.obj in visited:
                pending.pop(0)
                continue
            if head_reason is not None:
                self.add("chain-gap", self.src.subject(None, head.obj), head_reason, head)
            sig = self.src.signature(None, head.obj)
            end_reason = self._follow(head, sig, visited)
            pending = [d for d in pending if d.obj not in visited]
            head_reason = None
            if pending:
                if end_reason == "start":
                    head_reason = (
                        "older digest not reached from the newer chain (the newer chain begins with a "
                        "starting digest: validation or logging was stopped and restarted)"
                    )
                elif end_reason == "since":
                    head_reason = "digest not reached by the chain from the newest digest"
                # "broken": the gap has been reported where the chain broke

    def _follow(self, info: _KeyInfo, sig: str | None, visited: set[str]) -> str:
        """Walk from ``info`` to older digests; return why the walk stopped:
        "start" (a starting digest), "since" (start of range) or "broken"."""
        bucket: str | None = None
        obj = info.obj
        expected_hash: str | None = None
        sig_source = "S3 metadata / signatures / .sig sidecar"
        is_link = False
        while True:
            visited.add(obj)
            subject = self.src.subject(bucket, obj)
            self.report.digests_checked += 1
            try:
                raw_gz = self.src.read(bucket, obj)
            except _Missing:
                # only reachable for chain links (listed heads exist)
                self.add("digest-missing", subject, "previous digest named by the chain does not exist", info)
                self.add("chain-gap", subject, "chain broken: previous digest is missing", info)
                self.report.digests_checked -= 1
                return "broken"
            except Exception as exc:
                self.add("digest-unreadable", subject, f"cannot read digest: {exc}", info)
                self.add("chain-gap", subject, "chain broken: digest cannot be read", info)
                return "broken"
            try:
                raw = _inflate(raw_gz)
                doc = json.loads(raw)
                if not isinstance(doc, dict):
                    raise ValueError("digest is not a JSON object")
                for name in ("digestEndTime", "digestS3Bucket", "digestS3Object", "digestPublicKeyFingerprint"):
                    if not isinstance(doc.get(name), str):
                        raise ValueError(f"missing field {name}")
            except Exception as exc:
                self.add("digest-unreadable", subject, f"cannot inflate/parse digest: {exc}", info)
                self.add("chain-gap", subject, "chain broken: digest cannot be parsed", info)
                return "broken"

            end_time = _parse_iso(doc.get("digestEndTime"))
            if is_link and self.since and end_time and end_time < self.since:
                # a chain link whose key had no parsable stamp, and that ends before the range
                self.report.digests_checked -= 1
                return "since"
            trusted = self._check_digest(subject, bucket, obj, raw, doc, sig, expected_hash, sig_source, info)
            self._record_span(info, doc)
            self._check_logs(doc, info, trusted)

            prev_key = doc.get("previousDigestS3Object")
            if not prev_key:
                return "start"
            prev_bucket = doc.get("previousDigestS3Bucket")
            prev_info = _parse_key(str(prev_key))
            if self.since and prev_info and prev_info.stamp and prev_info.stamp < self.since:
                return "since"
            resolved = self.src.resolve(prev_bucket if isinstance(prev_bucket, str) else None, str(prev_key))
            if resolved is None:
                subject = str(prev_key)
                self.add("digest-missing", subject, "previous digest named by the chain does not exist", prev_info or info)
                self.add("chain-gap", subject, "chain broken: previous digest is missing", prev_info or info)
                return "broken"
            bucket, obj = resolved
            if bucket is not None and getattr(self.src, "bucket", None) == bucket:
                bucket = None
            if obj in visited:
                self.add("chain-gap", self.src.subject(bucket, obj), "chain loops back to an already checked digest", info)
                return "broken"
            sig = doc.get("previousDigestSignature") if isinstance(doc.get("previousDigestSignature"), str) else None
            sig_source = "previousDigestSignature of the next digest"
            is_link = True
            expected_hash = doc.get("previousDigestHashValue") if isinstance(doc.get("previousDigestHashValue"), str) else None
            parsed = self.src.parse(obj) if bucket is None else _parse_key(obj)
            info = parsed or prev_info or info

    def _check_digest(self, subject, bucket, obj, raw, doc, sig, expected_hash, sig_source, info) -> bool:
        """Location, hash link and signature. Returns True when the content is authenticated."""
        ok = True
        loc_err = self.src.location_error(bucket, obj, doc["digestS3Bucket"], doc["digestS3Object"])
        if loc_err:
            self.add("digest-moved", subject, loc_err, info)
            ok = False
        digest_hash = hashlib.sha256(raw).hexdigest()
        problems = []
        if expected_hash is not None and expected_hash.lower() != digest_hash:
            problems.append(
                f"SHA-256 {digest_hash} differs from previousDigestHashValue {expected_hash} of the next digest"
            )
        fp = doc["digestPublicKeyFingerprint"]
        if sig is None:
            problems.append(f"no signature available (looked in {sig_source})")
            self.add("digest-invalid-signature", subject, "; ".join(problems), info)
            return False
        regions = [info.region, info.home] if info else []
        der, why = self.keys.lookup(fp, regions)
        if der is None:
            self.add("no-public-key", subject, why, info)
            if problems:
                self.add("digest-invalid-signature", subject, "; ".join(problems), info)
            return False
        prev_sig = doc.get("previousDigestSignature") or "null"
        message = "\n".join(
            [doc["digestEndTime"], f"{doc['digestS3Bucket']}/{doc['digestS3Object']}", digest_hash, str(prev_sig)]
        ).encode("utf-8")
        try:
            pub = serialization.load_der_public_key(der)
            pub.verify(bytes.fromhex(sig), message, padding.PKCS1v15(), hashes.SHA256())  # type: ignore[union-attr,call-arg,arg-type]
        except InvalidSignature:
            problems.append(f"signature from {sig_source} does not verify with key {fp}")
        except (ValueError, TypeError, binascii.Error) as exc:
            problems.append(f"cannot verify signature ({sig_source}) with key {fp}: {exc}")
        if problems:
            self.add("digest-invalid-signature", subject, "; ".join(problems), info)
            return False
        if ok:
            self.add("digest-valid", subject, f"signature verified with key {fp} ({sig_source})", info)
        return ok

    def _record_span(self, info: _KeyInfo, doc: dict) -> None:
        start = _parse_iso(doc.get("digestStartTime"))
        end = _parse_iso(doc.get("digestEndTime"))
        if start and end:
            self.spans.setdefault(info.group, []).append((start, end))

    def _check_logs(self, doc: dict, info: _KeyInfo, trusted: bool) -> None:
        entries = doc.get("logFiles") or []
        if not isinstance(entries, list):
            self.add("digest-unreadable", info.obj, "logFiles is not a list", info)
            return
        note = "" if trusted else " (listed in a digest that did not verify)"
        for entry in entries:
            if not isinstance(entry, dict) or not isinstance(entry.get("s3Object"), str):
                self.add("digest-unreadable", info.obj, f"bad logFiles entry: {entry!r}", info)
                continue
            key = entry["s3Object"]
            lbucket = entry.get("s3Bucket") if isinstance(entry.get("s3Bucket"), str) else None
            linfo = _parse_key(key)
            self.report.logs_checked += 1
            resolved = self.src.resolve(lbucket, key)
            if resolved is None:
                self.add("log-missing", key, "log file listed in the digest does not exist" + note, linfo or info)
                continue
            b, obj = resolved
            if b is not None and getattr(self.src, "bucket", None) == b:
                b = None
            subject = self.src.subject(b, obj)
            if b is None:
                self.covered.setdefault(info.group, set()).add(obj)
                lk = self.src.parse(obj)
                if lk is not None:
                    self.covered.setdefault(lk.group, set()).add(obj)
            try:
                data = self.src.read(b, obj)
            except _Missing:
                self.add("log-missing", subject, "log file listed in the digest does not exist" + note, linfo or info)
                continue
            except Exception as exc:
                self.add("log-missing", subject, f"cannot read log file: {exc}" + note, linfo or info)
                continue
            try:
                actual = hashlib.sha256(_inflate(data)).hexdigest()
            except (OSError, EOFError, zlib.error) as exc:
                self.add("log-modified", subject, f"cannot inflate log file: {exc}" + note, linfo or info)
                continue
            expected = str(entry.get("hashValue") or "").lower()
            if actual != expected:
                self.add("log-modified", subject, f"SHA-256 {actual} differs from digest hashValue {expected}" + note, linfo or info)
            else:
                self.add("log-valid", subject, "SHA-256 matches the digest" + note, linfo or info)

    def _uncovered_logs(self, logs: dict[str, list[_KeyInfo]]) -> None:
        for group, infos in sorted(logs.items()):
            spans = self.spans.get(group)
            if not spans:
                continue
            lo = min(s for s, _ in spans)
            hi = max(e for _, e in spans)
            if self.since and self.since > lo:
                lo = self.since
            if self.until and self.until < hi:
                hi = self.until
            covered = self.covered.get(group, set())
            for li in infos:
                if li.obj in covered or li.stamp is None:
                    continue
                # the file name stamp is the delivery minute: the file was delivered in [stamp, stamp+1m)
                if li.stamp >= lo and li.stamp + timedelta(minutes=1) <= hi:
                    self.add(
                        "log-not-covered",
                        self.src.subject(None, li.obj),
                        f"delivered inside the verified span {lo:%Y-%m-%dT%H:%M:%SZ}..{hi:%Y-%m-%dT%H:%M:%SZ} "
                        "but listed in no digest",
                        li,
                    )


def _as_set(value: Any) -> set[str]:
    if value is None:
        return set()
    if isinstance(value, str):
        return {value}
    return {str(v) for v in value}


# --------------------------------------------------------------------------------------------------
# Entry points


def verify_local(
    root: Path,
    public_keys: dict[str, bytes],
    *,
    signatures: dict[str, str] | None = None,
    account: str | Iterable[str] | None = None,
    region: str | Iterable[str] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> VerifyReport:
    """Validate a local copy of a trail bucket (see the module docstring for signatures)."""
    src = _LocalSource(Path(root), signatures)
    src.label = str(root)
    return _Verifier(src, _StaticKeys(public_keys), account=account, region=region, since=since, until=until).run()


def verify_s3(
    s3_client: Any,
    bucket: str,
    prefix: str,
    cloudtrail_client_factory: Callable[[str], object] | None,
    *,
    account: str | Iterable[str] | None = None,
    region: str | Iterable[str] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> VerifyReport:
    """Validate the trail in ``s3://bucket/prefix``.

    ``cloudtrail_client_factory(region)`` returns an object with ``list_public_keys(StartTime, EndTime)``
    (a boto3 CloudTrail client); it is called once per region whose digests are checked.
    """
    src = _S3Source(s3_client, bucket, prefix)
    src.label = f"s3://{bucket}/{prefix or ''}"
    now = datetime.now(timezone.utc)
    start = _utc(since) or datetime(2014, 1, 1, tzinfo=timezone.utc)  # before digests existed
    end = _utc(until) or now
    if end > now:
        end = now
    keys = _CloudTrailKeys(cloudtrail_client_factory, start - timedelta(days=1), end)
    return _Verifier(src, keys, account=account, region=region, since=since, until=until).run()
