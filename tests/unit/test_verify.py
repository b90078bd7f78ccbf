"""CloudTrail log file integrity validation (cloudblame.verify).

Each test builds a small signed trail (RSA 2048 key generated here, digests signed the way AWS signs
them) and checks what the validator reports after tampering with it.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from cloudblame.verify import (
    FAILURE_KINDS,
    Finding,
    VerifyReport,
    load_public_keys,
    verify_local,
    verify_s3,
)

BUCKET = "my-trail-bucket"
PREFIX = "myprefix"
ACCT = "111111111111"
ORG = "o-abc1234567"
ORG_ACCT = "222222222222"
REGION = "us-east-1"
TRAIL = "mytrail"
T0 = datetime(2024, 1, 1, 0, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def rsa_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def other_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def der(key) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.PKCS1)


def fingerprint(key) -> str:
    return hashlib.md5(der(key)).hexdigest()


def iso(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def sign(key, digest_doc: dict, raw: bytes) -> str:
    msg = "\n".join(
        [
            digest_doc["digestEndTime"],
            f"{digest_doc['digestS3Bucket']}/{digest_doc['digestS3Object']}",
            hashlib.sha256(raw).hexdigest(),
            digest_doc["previousDigestSignature"] or "null",
        ]
    ).encode()
    return key.sign(msg, padding.PKCS1v15(), hashes.SHA256()).hex()


@dataclass
class Trail:
    """An in-memory trail bucket: key -> gzipped bytes, plus the newest digest's signature per chain."""

    objects: dict[str, bytes] = field(default_factory=dict)
    signatures: dict[str, str] = field(default_factory=dict)  # newest digest key -> hex
    digests: dict[str, list[str]] = field(default_factory=dict)  # account -> digest keys, oldest first
    logs: dict[str, list[str]] = field(default_factory=dict)  # account -> log keys, oldest first

    def write_local(self, root: Path, sidecars: bool = True) -> Path:
        for key, data in self.objects.items():
            path = root / key
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        if sidecars:
            for key, sig in self.signatures.items():
                (root / (key + ".sig")).write_text(sig + "\n")
        return root


def add_chain(
    trail: Trail, key, account: str, n: int, org: str | None = None, fp: str | None = None, bucket: str = BUCKET
) -> None:
    base = "/".join(p for p in (PREFIX, "AWSLogs", org, account) if p)
    prev: tuple[str, str, str] | None = None  # key, hash, signature
    trail.digests[account] = []
    trail.logs[account] = []
    for i in range(n):
        start = T0 + timedelta(hours=i)
        end = start + timedelta(hours=1)
        delivered = start + timedelta(minutes=5)
        day = delivered.strftime("%Y/%m/%d")
        log_key = (
            f"{base}/CloudTrail/{REGION}/{day}/"
            f"{account}_CloudTrail_{REGION}_{delivered:%Y%m%dT%H%M}Z_abcdefgh{i:08d}.json.gz"
        )
        records = {"Records": [{"eventVersion": "1.08", "eventTime": iso(delivered), "eventName": f"Ev{i}"}]}
        log_raw = json.dumps(records).encode()
        trail.objects[log_key] = gzip.compress(log_raw, mtime=0)
        trail.logs[account].append(log_key)
        dkey = (
            f"{base}/CloudTrail-Digest/{REGION}/{end:%Y/%m/%d}/"
            f"{account}_CloudTrail-Digest_{REGION}_{TRAIL}_{REGION}_{end:%Y%m%dT%H%M%S}Z.json.gz"
        )
        doc = {
            "awsAccountId": account,
            "digestStartTime": iso(start),
            "digestEndTime": iso(end),
            "digestS3Bucket": bucket,
            "digestS3Object": dkey,
            "digestPublicKeyFingerprint": fp or fingerprint(key),
            "digestSignatureAlgorithm": "SHA256withRSA",
            "newestEventTime": iso(delivered),
            "oldestEventTime": iso(delivered),
            "previousDigestS3Bucket": bucket if prev else None,
            "previousDigestS3Object": prev[0] if prev else None,
            "previousDigestHashValue": prev[1] if prev else None,
            "previousDigestHashAlgorithm": "SHA-256" if prev else None,
            "previousDigestSignature": prev[2] if prev else None,
            "logFiles": [
                {
                    "s3Bucket": bucket,
                    "s3Object": log_key,
                    "hashValue": hashlib.sha256(log_raw).hexdigest(),
                    "hashAlgorithm": "SHA-256",
                    "newestEventTime": iso(delivered),
                    "oldestEventTime": iso(delivered),
                }
            ],
        }
        raw = json.dumps(doc).encode()
        sig = sign(key, doc, raw)
        trail.objects[dkey] = gzip.compress(raw, mtime=0)
        trail.digests[account].append(dkey)
        prev = (dkey, hashlib.sha256(raw).hexdigest(), sig)
    trail.signatures[prev[0]] = prev[2]


def make_trail(key, fp: str | None = None, bucket: str = BUCKET) -> Trail:
    trail = Trail()
    add_chain(trail, key, ACCT, 3, fp=fp, bucket=bucket)
    add_chain(trail, key, ORG_ACCT, 2, org=ORG, fp=fp, bucket=bucket)
    return trail


def keys_file(tmp_path: Path, *keys) -> Path:
    path = tmp_path / "public-keys.json"
    path.write_text(
        json.dumps(
            {
                "PublicKeyList": [
                    {
                        "Value": base64.b64encode(der(k)).decode(),
                        "ValidityStartTime": "2023-12-01T00:00:00+00:00",
                        "ValidityEndTime": "2024-02-01T00:00:00+00:00",
                        "Fingerprint": fingerprint(k),
                    }
                    for k in keys
                ]
            }
        )
    )
    return path


@pytest.fixture
def local(tmp_path, rsa_key):
    """A valid trail on disk: (trail, bucket root, public keys)."""
    trail = make_trail(rsa_key)
    root = trail.write_local(tmp_path / "bucket")
    return trail, root, load_public_keys(keys_file(tmp_path, rsa_key))


def kinds_for(report: VerifyReport, kind: str) -> list[Finding]:
    return [f for f in report.findings if f.kind == kind]


def rewrite_gz(path: Path, transform) -> None:
    path.write_bytes(gzip.compress(transform(gzip.decompress(path.read_bytes())), mtime=0))


# ---------------------------------------------------------------------------------------------- local


def test_valid_chain_passes(local):
    trail, root, keys = local
    report = verify_local(root, keys)
    assert report.ok, report.failures()
    assert report.counts() == {"digest-valid": 5, "log-valid": 5}
    assert report.digests_checked == 5 and report.logs_checked == 5
    org = [f for f in report.findings if f.account == ORG_ACCT]
    assert {f.kind for f in org} == {"digest-valid", "log-valid"} and len(org) == 4
    assert all(f.region == REGION for f in report.findings)
    assert all(f.subject.startswith(PREFIX + "/AWSLogs/") for f in report.findings)
    d = json.loads(json.dumps(report.as_dict()))
    assert set(d) == {"ok", "summary", "outcomes", "digests", "log_files", "ignored", "digests_checked",
                      "logs_checked", "counts", "findings"}
    assert d["ok"] is True and d["counts"] == {"digest-valid": 5, "log-valid": 5}
    assert d["outcomes"] == {"verified": 10, "not_verifiable": 0, "invalid": 0}
    assert d["summary"] == "verify: 10 checked (5 digests, 5 log files): 10 verified, 0 not verifiable, 0 invalid"
    assert set(d["findings"][0]) == {"kind", "subject", "detail", "account", "region", "outcome"}
    assert {f["outcome"] for f in d["findings"]} == {"verified"}


def test_root_may_be_the_awslogs_folder(local):
    trail, root, keys = local
    report = verify_local(root / PREFIX / "AWSLogs", keys)
    assert report.ok and report.counts() == {"digest-valid": 5, "log-valid": 5}


def test_modified_log_content(local):
    trail, root, keys = local
    log = root / trail.logs[ACCT][1]
    rewrite_gz(log, lambda b: b.replace(b"Ev1", b"Ev9"))
    report = verify_local(root, keys)
    assert not report.ok
    bad = kinds_for(report, "log-modified")
    assert [f.subject for f in bad] == [trail.logs[ACCT][1]]
    assert bad[0].account == ACCT and bad[0].region == REGION
    assert report.counts()["log-valid"] == 4


def test_flipped_byte_in_compressed_log(local):
    trail, root, keys = local
    log = root / trail.logs[ORG_ACCT][0]
    data = bytearray(log.read_bytes())
    data[len(data) // 2] ^= 0xFF
    log.write_bytes(bytes(data))
    report = verify_local(root, keys)
    assert [f.subject for f in kinds_for(report, "log-modified")] == [trail.logs[ORG_ACCT][0]]
    assert not report.ok


def test_deleted_log(local):
    trail, root, keys = local
    (root / trail.logs[ACCT][0]).unlink()
    report = verify_local(root, keys)
    assert not report.ok
    assert [f.subject for f in kinds_for(report, "log-missing")] == [trail.logs[ACCT][0]]
    assert "digest-valid" in report.counts() and report.counts()["digest-valid"] == 5


def test_deleted_middle_digest(local):
    trail, root, keys = local
    middle = trail.digests[ACCT][1]
    (root / middle).unlink()
    report = verify_local(root, keys)
    assert not report.ok
    assert [f.subject for f in kinds_for(report, "digest-missing")] == [middle]
    gaps = kinds_for(report, "chain-gap")
    assert gaps and all(f.account == ACCT for f in gaps)
    # the newest digest still verifies; the oldest cannot be authenticated without its signature
    valid = {f.subject for f in kinds_for(report, "digest-valid")}
    assert trail.digests[ACCT][2] in valid and trail.digests[ACCT][0] not in valid
    # the log listed only in the deleted digest is no longer covered
    assert [f.subject for f in kinds_for(report, "log-not-covered")] == [trail.logs[ACCT][1]]


def test_deleted_middle_digest_with_all_signatures_known(tmp_path, rsa_key):
    trail = make_trail(rsa_key)
    root = trail.write_local(tmp_path / "bucket")
    keys = load_public_keys(keys_file(tmp_path, rsa_key))
    oldest = trail.digests[ACCT][0]
    # the oldest digest's signature, as the deleted middle digest carried it
    mid_doc = json.loads(gzip.decompress(trail.objects[trail.digests[ACCT][1]]))
    (root / trail.digests[ACCT][1]).unlink()
    report = verify_local(root, keys, signatures={oldest: mid_doc["previousDigestSignature"]})
    assert oldest in {f.subject for f in kinds_for(report, "digest-valid")}
    assert len(kinds_for(report, "digest-missing")) == 1
    assert not kinds_for(report, "digest-invalid-signature")
    assert kinds_for(report, "chain-gap")


def test_forged_signature_other_key(local, other_key):
    trail, root, keys = local
    newest = trail.digests[ACCT][2]
    doc = json.loads(gzip.decompress(trail.objects[newest]))
    raw = gzip.decompress(trail.objects[newest])
    (root / (newest + ".sig")).write_text(sign(other_key, doc, raw))
    report = verify_local(root, keys)
    assert not report.ok
    assert [f.subject for f in kinds_for(report, "digest-invalid-signature")] == [newest]


def test_flipped_byte_in_newest_digest(local):
    trail, root, keys = local
    newest = trail.digests[ORG_ACCT][1]
    rewrite_gz(root / newest, lambda b: b.replace(b'"awsAccountId": "2', b'"awsAccountId": "3'))
    report = verify_local(root, keys)
    bad = kinds_for(report, "digest-invalid-signature")
    assert [f.subject for f in bad] == [newest]


def test_modified_middle_digest_breaks_link(local):
    trail, root, keys = local
    middle = trail.digests[ACCT][1]
    # retarget the middle digest's log entry hash: content changes, so hash link and signature fail
    rewrite_gz(root / middle, lambda b: b.replace(b'"oldestEventTime": "2024', b'"oldestEventTime": "2023', 1))
    report = verify_local(root, keys)
    bad = kinds_for(report, "digest-invalid-signature")
    assert [f.subject for f in bad] == [middle]
    assert "previousDigestHashValue" in bad[0].detail
    assert not report.ok


def test_unknown_fingerprint(tmp_path, rsa_key):
    trail = make_trail(rsa_key, fp="00" * 16)
    root = trail.write_local(tmp_path / "bucket")
    report = verify_local(root, load_public_keys(keys_file(tmp_path, rsa_key)))
    assert not report.ok
    assert len(kinds_for(report, "no-public-key")) == 5
    assert "00" * 16 in kinds_for(report, "no-public-key")[0].detail
    assert not kinds_for(report, "digest-valid")


def test_no_public_keys_at_all(local):
    trail, root, _keys = local
    report = verify_local(root, {})
    assert report.counts().get("no-public-key") == 5 and not report.ok


def test_missing_newest_signature(local):
    trail, root, keys = local
    newest = trail.digests[ACCT][2]
    (root / (newest + ".sig")).unlink()
    report = verify_local(root, keys)
    assert not kinds_for(report, "digest-invalid-signature")  # nothing says it is wrong: it cannot be checked
    bad = kinds_for(report, "no-signature")
    assert [f.subject for f in bad] == [newest] and "no signature" in bad[0].detail
    assert report.objects()[newest].outcome == "not verifiable" and not report.ok
    # the log files it lists match its hashes, but the digest is not authenticated
    assert report.objects()[trail.logs[ACCT][2]].kind == "log-unverified"
    # signatures= replaces the sidecar (key given as the S3 key)
    report = verify_local(root, keys, signatures={newest: trail.signatures[newest]})
    assert report.ok, report.failures()


def test_moved_digest(local):
    trail, root, keys = local
    newest = trail.digests[ACCT][2]
    moved = newest.replace("T030000Z", "T040000Z")
    (root / newest).rename(root / moved)
    (root / (newest + ".sig")).rename(root / (moved + ".sig"))
    report = verify_local(root, keys)
    assert [f.subject for f in kinds_for(report, "digest-moved")] == [moved]
    assert not report.ok


def test_unreadable_digest(local):
    trail, root, keys = local
    newest = trail.digests[ACCT][2]
    (root / newest).write_bytes(b"\x1f\x8bnot really gzip")
    report = verify_local(root, keys)
    assert [f.subject for f in kinds_for(report, "digest-unreadable")] == [newest]
    # it never raises, and the older digests are still looked at
    assert report.digests_checked >= 3


def test_log_not_covered(local):
    trail, root, keys = local
    extra = trail.logs[ACCT][1].replace("T0105Z_abcdefgh00000001", "T0130Z_zzzzzzzz00000009")
    (root / extra).write_bytes(gzip.compress(b'{"Records": []}', mtime=0))
    # delivered after the newest digest: not yet covered, not reported
    later = trail.logs[ACCT][2].replace("T0205Z_abcdefgh00000002", "T0310Z_yyyyyyyy00000009")
    (root / later).write_bytes(gzip.compress(b'{"Records": []}', mtime=0))
    report = verify_local(root, keys)
    assert [f.subject for f in kinds_for(report, "log-not-covered")] == [extra]
    assert not report.ok


def test_account_and_time_filters(local):
    trail, root, keys = local
    report = verify_local(root, keys, account=ORG_ACCT)
    assert report.ok and report.counts() == {"digest-valid": 2, "log-valid": 2}
    assert {f.account for f in report.findings} == {ORG_ACCT}
    # only the newest hour of the main account; older digests are outside the range
    report = verify_local(root, keys, account=ACCT, since=datetime(2024, 1, 1, 2, 30))
    assert report.ok and report.counts() == {"digest-valid": 1, "log-valid": 1}
    # until: the chain starts at the 02:00 digest, whose signature is then unknown locally
    report = verify_local(root, keys, account=ACCT, until=datetime(2024, 1, 1, 2, 30))
    assert report.digests_checked == 2
    assert trail.digests[ACCT][2] not in {f.subject for f in report.findings}
    assert [f.subject for f in kinds_for(report, "no-signature")] == [trail.digests[ACCT][1]]
    assert report.counts()["digest-valid"] == 1
    assert verify_local(root, keys, region="eu-west-1").counts() == {}


def test_restarted_chain_reports_gap(tmp_path, rsa_key):
    trail = Trail()
    add_chain(trail, rsa_key, ACCT, 3)
    root = trail.write_local(tmp_path / "bucket")
    keys = load_public_keys(keys_file(tmp_path, rsa_key))
    # make the newest digest a starting digest (logging restarted), re-signed correctly
    newest = trail.digests[ACCT][2]
    doc = json.loads(gzip.decompress(trail.objects[newest]))
    for k in list(doc):
        if k.startswith("previousDigest"):
            doc[k] = None
    raw = json.dumps(doc).encode()
    (root / newest).write_bytes(gzip.compress(raw, mtime=0))
    (root / (newest + ".sig")).write_text(sign(rsa_key, doc, raw))
    report = verify_local(root, keys)
    gaps = kinds_for(report, "chain-gap")
    assert [f.subject for f in gaps] == [trail.digests[ACCT][1]]
    assert not report.ok


def test_load_public_keys_formats(tmp_path, rsa_key, other_key):
    a = load_public_keys(keys_file(tmp_path, rsa_key, other_key))
    assert a == {fingerprint(rsa_key): der(rsa_key), fingerprint(other_key): der(other_key)}
    plain = tmp_path / "plain.json"
    plain.write_text(json.dumps({fingerprint(rsa_key).upper(): base64.b64encode(der(rsa_key)).decode()}))
    assert load_public_keys(plain) == {fingerprint(rsa_key): der(rsa_key)}


def test_failure_kinds_are_the_documented_ones():
    assert FAILURE_KINDS == {
        "digest-invalid-signature", "digest-moved", "digest-missing", "digest-unreadable",
        "log-modified", "log-missing", "chain-gap", "no-public-key", "log-not-covered",
        # not verifiable, or damaged where no digest lists them
        "no-signature", "digest-not-in-layout", "log-unverified", "log-no-digest", "log-not-in-layout",
        "log-unreadable",
    }
    assert not VerifyReport().ok  # nothing was verified
    report = VerifyReport(findings=[Finding("log-valid", "x", "", None, None)])
    assert report.ok
    report.findings.append(Finding("chain-gap", "y", "", None, None))
    assert not report.ok and report.counts() == {"chain-gap": 1, "log-valid": 1}


# ---------------------------------------------------------------------------------------------- S3 (moto)


@pytest.fixture(scope="module")
def moto_endpoint():
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def s3(moto_endpoint, request):
    import boto3

    client = boto3.client(
        "s3",
        endpoint_url=moto_endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    bucket = f"{BUCKET}-{abs(hash(request.node.name)) % 10**8}"
    client.create_bucket(Bucket=bucket)
    return client, bucket


class FakeCloudTrail:
    def __init__(self, keys):
        self.keys = keys
        self.calls: list[dict] = []

    def list_public_keys(self, **kw):
        self.calls.append(kw)
        return {
            "PublicKeyList": [
                {
                    "Value": der(k),  # boto3 returns bytes
                    "ValidityStartTime": datetime(2023, 12, 1, tzinfo=UTC),
                    "ValidityEndTime": datetime(2024, 2, 1, tzinfo=UTC),
                    "Fingerprint": fingerprint(k),
                }
                for k in self.keys
            ]
        }


def test_verify_s3(s3, rsa_key):
    client, bucket = s3
    trail = make_trail(rsa_key, bucket=bucket)
    for key, data in trail.objects.items():
        extra = {}
        if key in trail.signatures:
            extra["Metadata"] = {"signature": trail.signatures[key], "signature-algorithm": "SHA256withRSA"}
        client.put_object(Bucket=bucket, Key=key, Body=data, **extra)
    fakes: dict[str, FakeCloudTrail] = {}

    def factory(region):
        return fakes.setdefault(region, FakeCloudTrail([rsa_key]))

    report = verify_s3(client, bucket, PREFIX + "/", factory)
    assert report.ok, report.failures()
    assert report.counts() == {"digest-valid": 5, "log-valid": 5}
    assert set(fakes) == {REGION} and len(fakes[REGION].calls) == 1
    call = fakes[REGION].calls[0]
    assert call["StartTime"] <= T0 + timedelta(hours=1) and call["EndTime"] >= T0 + timedelta(hours=3)

    # tamper: delete a log, overwrite another, drop the middle digest of the org account
    client.delete_object(Bucket=bucket, Key=trail.logs[ACCT][0])
    client.put_object(Bucket=bucket, Key=trail.logs[ACCT][2], Body=gzip.compress(b'{"Records": []}'))
    client.delete_object(Bucket=bucket, Key=trail.digests[ORG_ACCT][0])
    report = verify_s3(client, bucket, PREFIX + "/", factory)
    assert not report.ok
    assert [f.subject for f in kinds_for(report, "log-missing")] == [trail.logs[ACCT][0]]
    assert [f.subject for f in kinds_for(report, "log-modified")] == [trail.logs[ACCT][2]]
    missing = kinds_for(report, "digest-missing")
    assert [f.subject for f in missing] == [trail.digests[ORG_ACCT][0]] and missing[0].account == ORG_ACCT
    assert kinds_for(report, "chain-gap")


def test_verify_s3_without_key_factory_and_moved_digest(s3, rsa_key):
    client, bucket = s3
    trail = make_trail(rsa_key, bucket=bucket)
    newest = trail.digests[ACCT][2]
    moved = newest.replace("T030000Z", "T040000Z")
    for key, data in trail.objects.items():
        meta = {"Metadata": {"signature": trail.signatures[key]}} if key in trail.signatures else {}
        client.put_object(Bucket=bucket, Key=moved if key == newest else key, Body=data, **meta)
    report = verify_s3(client, bucket, "", None)
    assert report.counts().get("no-public-key") == 5
    assert report.counts().get("log-unverified") == 5  # the log hashes are still compared
    assert "log-valid" not in report.counts()  # but without a key their digests are not authenticated
    assert [f.subject for f in kinds_for(report, "digest-moved")] == [moved]
    assert not report.ok
    assert verify_s3(client, bucket, "", None, account="333333333333").counts() == {}


def test_verify_s3_bucket_that_cannot_be_listed(s3):
    client, bucket = s3
    with pytest.raises(OSError, match="cannot list s3://no-such-bucket-here/"):
        verify_s3(client, "no-such-bucket-here", "", None)


# ------------------------------------------------------------------------------------------------ CLI


def test_verify_command_on_a_local_copy(tmp_path, rsa_key):
    from typer.testing import CliRunner

    from cloudblame.cli import app

    trail = make_trail(rsa_key)
    root = trail.write_local(tmp_path / "bucket")
    keys = keys_file(tmp_path, rsa_key)
    runner = CliRunner()
    ok = runner.invoke(app, ["verify", str(root), "--public-keys", str(keys), "-f", "json"])
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.stdout)["ok"] is True
    log = next(p for p in root.rglob("*.json.gz") if "/CloudTrail/" in p.as_posix())
    log.unlink()
    bad = runner.invoke(app, ["verify", str(root), "--public-keys", str(keys)])
    assert bad.exit_code == 1 and "log-missing" in bad.stdout
    assert runner.invoke(app, ["verify", str(root)]).exit_code == 2  # a local copy needs the keys


# ------------------------------------------------------------------------ outcomes and exit statuses


def run_verify(*args):
    from typer.testing import CliRunner

    from cloudblame.cli import app

    return CliRunner().invoke(app, ["verify", *map(str, args)])


def summary_line(result) -> str:
    return next(line for line in result.stdout.splitlines() if line.startswith("verify: "))


@pytest.fixture
def real_logs_without_digests(tmp_path):
    """A bucket copy of real trail files and no digest: three invictus-aws files placed in the AWSLogs
    layout (gzipped, as CloudTrail delivers them), one left outside it, and cloud-snitch's account file."""
    from tests.conftest import dataset

    invictus = sorted((dataset("invictus-aws") / "CloudTrail").glob("*.json"))[:4]
    snitch = dataset("cloud-snitch") / "aws-cloudtrail-logs"
    root = tmp_path / "bucket"
    day = root / "AWSLogs/218007301253/CloudTrail/us-east-1/2023/07/10"
    day.mkdir(parents=True)
    for src in invictus[:3]:
        (day / (src.name + ".gz")).write_bytes(gzip.compress(src.read_bytes(), mtime=0))
    (root / "loose").mkdir()
    (root / "loose" / invictus[3].name).write_bytes(invictus[3].read_bytes())
    acct = next((snitch / "AWSLogs/333333333333").rglob("*.json.gz"))
    target = root / acct.relative_to(snitch)
    target.parent.mkdir(parents=True)
    target.write_bytes(acct.read_bytes())
    return root, day


def test_folder_without_digests_is_not_verifiable(real_logs_without_digests, tmp_path, rsa_key):
    root, day = real_logs_without_digests
    report = verify_local(root, {})
    assert not report.ok and report.outcome_counts() == {"verified": 0, "not verifiable": 5, "invalid": 0}
    assert report.counts() == {"log-no-digest": 4, "log-not-in-layout": 1}
    assert "no digest for its account and region" in kinds_for(report, "log-no-digest")[0].detail
    result = run_verify(root, "--public-keys", keys_file(tmp_path, rsa_key))
    assert result.exit_code == 1, result.output
    assert summary_line(result) == ("verify: 5 checked (0 digests, 5 log files): 0 verified, "
                                    "5 not verifiable (log-no-digest 4, log-not-in-layout 1), 0 invalid")
    as_json = run_verify(root, "--public-keys", keys_file(tmp_path, rsa_key), "-f", "json")
    assert as_json.exit_code == 1 and json.loads(as_json.stdout)["outcomes"]["not_verifiable"] == 5
    assert as_json.stderr.startswith("verify: 5 checked")  # the summary line, beside the JSON


def test_truncated_gzip_is_invalid(real_logs_without_digests, tmp_path, rsa_key):
    root, day = real_logs_without_digests
    damaged = sorted(day.iterdir())[0]
    damaged.write_bytes(damaged.read_bytes()[:-40])
    report = verify_local(root, {})
    bad = kinds_for(report, "log-unreadable")
    assert [f.subject for f in bad] == [damaged.relative_to(root).as_posix()]
    assert "truncated gzip" in bad[0].detail and bad[0].outcome == "invalid"
    result = run_verify(root, "--public-keys", keys_file(tmp_path, rsa_key))
    assert result.exit_code == 1
    assert summary_line(result) == ("verify: 5 checked (0 digests, 5 log files): 0 verified, "
                                    "4 not verifiable (log-no-digest 3, log-not-in-layout 1), "
                                    "1 invalid (log-unreadable 1)")


def test_truncated_gzip_listed_in_a_digest_is_invalid(local):
    trail, root, keys = local
    log = root / trail.logs[ACCT][1]
    log.write_bytes(log.read_bytes()[:-10])
    report = verify_local(root, keys)
    bad = kinds_for(report, "log-modified")
    assert [f.subject for f in bad] == [trail.logs[ACCT][1]] and "truncated gzip" in bad[0].detail
    assert report.outcome_counts() == {"verified": 9, "not verifiable": 0, "invalid": 1}


def test_usage_errors_exit_2(tmp_path, rsa_key):
    root = make_trail(rsa_key).write_local(tmp_path / "bucket")
    keys = keys_file(tmp_path, rsa_key)
    no_keys = run_verify(root)
    assert no_keys.exit_code == 2 and no_keys.stdout == ""
    assert "a local copy needs --public-keys" in no_keys.stderr
    for args, message in [((tmp_path / "nowhere", "--public-keys", keys), "no such folder"),
                          ((root, "--public-keys", tmp_path / "nokeys.json"), "nokeys.json"),
                          ((root, "--public-keys", keys, "--since", "last tuesday"), "cannot read time"),
                          (("s3:/bucket", "--public-keys", keys), "no such folder")]:
        result = run_verify(*args)
        assert result.exit_code == 2 and message in result.stderr and result.stdout == "", (args, result.output)


def test_valid_chain_exits_0_and_nothing_to_verify_exits_1(local, tmp_path, rsa_key):
    trail, root, _keys = local
    keys = keys_file(tmp_path, rsa_key)
    ok = run_verify(root, "--public-keys", keys)
    assert ok.exit_code == 0, ok.output
    assert summary_line(ok) == "verify: 10 checked (5 digests, 5 log files): 10 verified, 0 not verifiable, 0 invalid"
    assert run_verify(root, "--public-keys", keys, "--account", ACCT, "--account", ORG_ACCT).exit_code == 0
    only_org = run_verify(root, "--public-keys", keys, "--account", ORG_ACCT, "-f", "json")
    assert json.loads(only_org.stdout)["outcomes"] == {"verified": 4, "not_verifiable": 0, "invalid": 0}
    empty = tmp_path / "empty"
    empty.mkdir()
    nothing = run_verify(empty, "--public-keys", keys)
    assert nothing.exit_code == 1 and "nothing to verify" in summary_line(nothing)
    assert run_verify(root, "--public-keys", keys, "--region", "eu-west-1").exit_code == 1
