"""Credential-issuing events (reference §2.7): which key, role session or federated user an event
issued, to whom. One row per successful issuing event; the chain walk over the store joins calls to
these rows (``store/identity.py``). Pure."""

from __future__ import annotations

from typing import Any

from cloudblame.core.jpath import first

# (eventSource, eventName) of events that issue credentials or keys.
ISSUERS = frozenset({
    ("sts.amazonaws.com", "AssumeRole"),
    ("sts.amazonaws.com", "AssumeRoleWithSAML"),
    ("sts.amazonaws.com", "AssumeRoleWithWebIdentity"),
    ("sts.amazonaws.com", "GetFederationToken"),
    ("sts.amazonaws.com", "GetSessionToken"),
    ("sts.amazonaws.com", "AssumeRoot"),
    ("sso.amazonaws.com", "GetRoleCredentials"),
    ("iam.amazonaws.com", "CreateAccessKey"),
})

CREDENTIAL_FIELDS = ("issued_key", "assumed_arn", "role_arn", "session_name", "source_identity", "subject",
                     "provider", "owner")
CREDENTIAL_COLUMNS = ("event_id", "event_time", "event_name", "account_id", "aws_region", "shared_event_id",
                      *CREDENTIAL_FIELDS)


def _section(record: dict[str, Any], name: str) -> dict[str, Any]:
    """One object section of the record (``requestParameters``...), empty when it is not an object."""
    value = record.get(name)
    return value if isinstance(value, dict) else {}


def _s(value: object) -> str | None:
    if value is None or isinstance(value, (dict, list, bool)):
        return None
    text = str(value).strip()
    return text[:2048] or None


def credential_row(record: dict[str, Any], event: dict[str, Any]) -> dict[str, Any] | None:
    """The credential row of ``record`` (already normalized into ``event``), or None."""
    if (event["event_source"], event["event_name"]) not in ISSUERS or event["error_code"]:
        return None
    req = _section(record, "requestParameters")
    resp = _section(record, "responseElements")
    name = event["event_name"]
    row = dict.fromkeys(CREDENTIAL_COLUMNS)
    row.update({k: event[k] for k in ("event_id", "event_time", "event_name", "account_id", "aws_region",
                                      "shared_event_id")})
    if name == "CreateAccessKey":
        row["issued_key"] = _s(first(resp, "accessKey.accessKeyId"))
        row["owner"] = _s(first(resp, "accessKey.userName")) or _s(req.get("userName")) or event["user_name"]
    elif name == "GetRoleCredentials":
        details = _section(record, "serviceEventDetails")
        row["role_arn"] = _s(details.get("role_name"))
        row["owner"] = _s(details.get("account_id"))
    else:
        row["issued_key"] = _s(first(resp, "credentials.accessKeyId"))
        row["assumed_arn"] = _s(first(resp, "assumedRoleUser.arn", "federatedUser.arn"))
        row["role_arn"] = _s(req.get("roleArn")) or _s(req.get("targetPrincipal"))
        row["session_name"] = _s(req.get("roleSessionName")) or _s(req.get("name"))
        row["source_identity"] = _s(resp.get("sourceIdentity")) or _s(req.get("sourceIdentity"))
        row["subject"] = _s(resp.get("subjectFromWebIdentityToken")) or _s(resp.get("subject"))
        row["provider"] = _s(resp.get("provider")) or _s(resp.get("issuer")) or _s(req.get("principalArn"))
    if not (row["issued_key"] or row["assumed_arn"] or row["role_arn"]):
        return None
    return row
