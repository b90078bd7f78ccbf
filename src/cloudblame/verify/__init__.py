"""CloudTrail log file integrity validation (what ``aws cloudtrail validate-logs`` does).

CloudTrail writes, per trail, account and region, an hourly *digest* file next to the logs
(``AWSLogs/[o-org/]<acct>/CloudTrail-Digest/<region>/YYYY/MM/DD/...json.gz``). Each digest lists the
SHA-256 of every log file delivered in its hour, is signed (RSA PKCS#1 v1.5, SHA-256) with a regional
CloudTrail key, and links to its predecessor (``previousDigestS3Object`` + ``previousDigestSignature``),
so deleting, changing or moving a log file or a digest is detectable.

Two entry points, both returning a :class:`VerifyReport` (never printing, never raising because of one
bad object; raising ``OSError`` when the place cannot be read at all):

* :func:`verify_s3` reads the trail bucket with a boto3 S3 client (``s3_bucket``): the newest digest's
  signature is its S3 metadata, public keys come from ``ListPublicKeys`` in the region that signed it.
* :func:`verify_local` reads a local copy of the bucket (``local_copy``, which says where the newest
  digests' signatures come from); public keys are passed in (:func:`load_public_keys`).

Chains are walked per (folder, account, region, trail), newest digest first (``chain``); then every log
file no digest listed is accounted for (``log_files``). Every log file and digest asked about gets an
outcome (``report``), its worst finding's:

============================ ================ ========================================================
``digest-valid``             verified         signature verified (and, when reached by the chain, its
                                              hash matches the successor's ``previousDigestHashValue``)
``log-valid``                verified         listed in a verified digest, and its SHA-256 matches
``no-public-key``            not verifiable   no public key with the digest's fingerprint
``no-signature``             not verifiable   no signature for the digest (no metadata, ``.sig`` or
                                              successor)
``digest-not-in-layout``     not verifiable   a digest outside the ``AWSLogs/`` layout
``log-unverified``           not verifiable   SHA-256 matches a digest that did not verify
``log-not-covered``          not verifiable   no digest lists it, though delivered inside the span of
                                              the checked digests
``log-no-digest``            not verifiable   no digest lists it: none for its folder, or it was
                                              delivered outside their span
``log-not-in-layout``        not verifiable   a log file outside the ``AWSLogs/`` layout
``digest-invalid-signature`` invalid          signature does not verify, or the hash link is broken
``digest-moved``             invalid          not at the location it names (``digestS3Bucket/Object``)
``digest-missing``           invalid          a digest named by ``previousDigestS3Object`` is missing
``digest-unreadable``        invalid          a digest cannot be read, inflated or parsed
``chain-gap``                invalid          a missing/unreadable predecessor, or digests in the range
                                              the chain from the newest digest does not reach
``log-modified``             invalid          SHA-256 differs from the digest's (or cannot be inflated)
``log-missing``              invalid          a log file a digest lists does not exist
``log-unreadable``           invalid          a log file no digest lists cannot be read or inflated
                                              (local copies: S3 objects no digest lists are not read)
============================ ================ ========================================================

``VerifyReport.ok`` is true only when something was asked about and all of it was verified. Time filters
(``since``/``until``, naive datetimes are UTC) select digests and log files by their delivery stamp: the
walk starts at the newest digest delivered at or before ``until`` and stops before the first digest that
ended before ``since``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cloudblame.verify.keys import CloudTrailKeys, StaticKeys, load_public_keys
from cloudblame.verify.local_copy import LocalCopy
from cloudblame.verify.objects import SourceUnreadable
from cloudblame.verify.report import (
    FAILURE_KINDS,
    INVALID,
    KINDS,
    NOT_VERIFIABLE,
    OUTCOMES,
    VERIFIED,
    Finding,
    VerifyReport,
)
from cloudblame.verify.s3_bucket import S3Bucket
from cloudblame.verify.verifier import Scope, Verifier

__all__ = [
    "FAILURE_KINDS",
    "INVALID",
    "KINDS",
    "NOT_VERIFIABLE",
    "OUTCOMES",
    "VERIFIED",
    "Finding",
    "SourceUnreadable",
    "VerifyReport",
    "load_public_keys",
    "verify_local",
    "verify_s3",
]

Names = str | Iterable[str] | None


def verify_local(root: Path, public_keys: dict[str, bytes], *, signatures: dict[str, str] | None = None,
                 account: Names = None, region: Names = None, since: datetime | None = None,
                 until: datetime | None = None) -> VerifyReport:
    """Validate a local copy of a trail bucket (see ``local_copy`` for signatures). Raises
    ``SourceUnreadable`` (an OSError) when ``root`` is not a folder."""
    source = LocalCopy(Path(root), signatures)
    return Verifier(source, StaticKeys(public_keys), Scope.of(account, region, since, until)).run()


def verify_s3(s3_client: Any, bucket: str, prefix: str, cloudtrail_client_factory: Callable[[str], object] | None,
              *, account: Names = None, region: Names = None, since: datetime | None = None,
              until: datetime | None = None) -> VerifyReport:
    """Validate the trail in ``s3://bucket/prefix``. Raises ``SourceUnreadable`` when it cannot be listed.

    ``cloudtrail_client_factory(region)`` returns an object with ``list_public_keys(StartTime, EndTime)``
    (a boto3 CloudTrail client); it is called once per region whose digests are checked.
    """
    scope = Scope.of(account, region, since, until)
    now = datetime.now(UTC)
    start = scope.since or datetime(2014, 1, 1, tzinfo=UTC)  # before digests existed
    end = min(scope.until or now, now)
    keys = CloudTrailKeys(cloudtrail_client_factory, start - timedelta(days=1), end)
    return Verifier(S3Bucket(s3_client, bucket, prefix), keys, scope).run()
