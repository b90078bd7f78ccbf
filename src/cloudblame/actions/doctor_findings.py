"""Every finding `cloudblame doctor` can report: its stable id, severity and fix (docs/doctor.md lists the
same, and a test holds the two together), and ``finding`` to make one. A fix names the trail, bucket,
account, region... it is about (``{trail}`` and the like in its text, filled where the finding is made;
what is not known stays a word in capitals: BUCKET)."""

from __future__ import annotations

import string
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from cloudblame.core.doctor_contracts import SEVERITIES, Finding, Severity


@dataclass(frozen=True)
class Kind:
    """A kind of finding: its severity and the fix, a template over the finding's names."""

    severity: Severity
    fix: str


_SETUP = "cloudblame setup-trail --bucket {bucket} --trail {trail} --region {home}"
KINDS: dict[str, Kind] = {
    # the set-up, through the API
    "no-trail": Kind("error", "cloudblame setup-trail --bucket BUCKET --apply: a multi-region trail of every "
                     "management event, log file validation on, into a bucket that keeps the files --retention long"),
    "trail-not-multi-region": Kind("error", "aws cloudtrail update-trail --name {trail} --is-multi-region-trail "
                                   "--region {home} (or " + _SETUP + " --apply)"),
    "trail-not-organization": Kind("info", "from the management account: cloudblame setup-trail --bucket BUCKET --org "
                                   "--apply (or aws cloudtrail update-trail --name {trail} --is-organization-trail)"),
    "log-file-validation-off": Kind("warning", "aws cloudtrail update-trail --name {trail} "
                                    "--enable-log-file-validation --region {home}"),
    "management-events-off": Kind("error", _SETUP + " --apply: puts a selector of all management events, keeping "
                                  "the trail's data event selectors"),
    "management-events-partial": Kind("warning", _SETUP + " --apply: puts a selector of all management events "
                                      "(reads and writes, no source left out), keeping the data event selectors"),
    "logging-stopped": Kind("error", "aws cloudtrail start-logging --name {trail} --region {home}"),
    "delivery-error": Kind("error", "mend what the error names: the bucket {bucket} must exist and its policy allow "
                           "cloudtrail.amazonaws.com s3:GetBucketAcl and s3:PutObject (" + _SETUP + " writes it); a "
                           "KMS key must allow it kms:GenerateDataKey*"),
    "digest-delivery-error": Kind("warning", "mend what the error names (as for delivery-error): digest files go "
                                  "to the same bucket under CloudTrail-Digest/"),
    "bucket-missing": Kind("error", _SETUP + " --apply: creates the bucket with the policy CloudTrail needs"),
    "bucket-policy-blocks-delivery": Kind("error", _SETUP + ": prints the put-bucket-policy call (the statements "
                                          "AWSCloudTrailAclCheck and AWSCloudTrailWrite added to the policy); "
                                          "--apply makes it"),
    "bucket-lifecycle-short": Kind("warning", _SETUP + " --retention {retention} --apply: the expiration of the "
                                   "trail's files raised to {retention}"),
    "kms-key-blocks-delivery": Kind("error", "the key policy of {key} must allow Service cloudtrail.amazonaws.com "
                                    "kms:GenerateDataKey* on * (condition StringLike "
                                    "kms:EncryptionContext:aws:cloudtrail:arn arn:aws:cloudtrail:*:{account}:trail/*), "
                                    "and the key be enabled (aws kms enable-key --key-id {key})"),
    "check-failed": Kind("info", "give doctor the read permissions docs/doctor.md lists (the error says which "
                         "one was missing), or run it with a role that has them"),
    "region-never-seen": Kind("warning", "log {region} (a multi-region or organization trail: doctor with AWS access "
                              "checks), then ingest it: cloudblame ingest s3://BUCKET/AWSLogs/{account}/CloudTrail/{region}/"),
    "account-not-in-store": Kind("info", "ingest this account's trail files (cloudblame ingest s3://{bucket}), or "
                                 "point --db at the store that holds them"),
    "api-not-checked": Kind("info", "give AWS credentials (environment, --profile, an instance role) with the read "
                            "permissions docs/doctor.md lists to check the trail set-up too"),
    # the store
    "store-empty": Kind("warning", "cloudblame ingest s3://BUCKET (or a copy of the trail files, or --lookup)"),
    "days-missing": Kind("warning", "look for these days under s3://BUCKET/AWSLogs/{account}/CloudTrail/REGION/YYYY/MM/DD/ "
                         "and ingest them (cloudblame ingest s3://BUCKET --since {since}); when they are not there the "
                         "trail was not logging then (doctor with AWS access: logging-stopped, delivery-error)"),
    "region-days-missing": Kind("info", "look for these days under s3://BUCKET/AWSLogs/{account}/CloudTrail/{region}/ "
                                "and ingest them; a region little used may well have quiet days"),
    "store-not-current": Kind("info", "ingest the newest files (cloudblame sync, or cloudblame ingest s3://BUCKET "
                              "--since {since}); when none came, check logging-stopped and delivery-error"),
}


class _Names(string.Formatter):
    """Fills the names a finding knows; the others stay as their word in capitals."""

    def get_value(self, key: Any, args: Any, kwargs: Any) -> Any:
        value = kwargs.get(key) if isinstance(key, str) else None
        return value if value else str(key).upper()


def finding(kind: str, resource: str | None, message: str, evidence: dict[str, Any] | None = None,
            **names: str | None) -> Finding:
    """A finding of ``kind`` (a key of KINDS) about ``resource``, its fix filled with ``names``."""
    known = KINDS[kind]
    return {"id": kind, "severity": known.severity, "resource": resource, "message": message,
            "fix": _Names().format(known.fix, **names), "evidence": evidence or {}}


def rank(severity: str) -> int:
    """0 for the worst severity (error), up."""
    return SEVERITIES.index(severity)


def worst_first(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (rank(f["severity"]), f["id"], f["resource"] or ""))


def at_or_above(findings: Iterable[Finding], severity: str) -> list[Finding]:
    """The findings of ``severity`` or worse."""
    return [f for f in findings if rank(f["severity"]) <= rank(severity)]
