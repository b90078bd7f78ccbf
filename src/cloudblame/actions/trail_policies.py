"""Would a resource policy (an S3 bucket policy, a KMS key policy) let CloudTrail deliver? Pure functions over
the policy document, as IAM evaluates it for one request of the ``cloudtrail.amazonaws.com`` service
principal: the request is allowed when a statement allows it and none denies it.

An approximation, on the safe side for what CloudTrail needs: principals (``*``, ``{"AWS": "*"}``,
``{"Service": ...}``, ``NotPrincipal``), actions and resources with ``*``/``?`` wildcards (``Not...`` too), and
the condition operators of string, ARN, ``Bool`` and ``Null`` kind (with ``...IfExists``; ``ForAnyValue:`` and
``ForAllValues:`` over the single values CloudTrail sends) against the request's context keys. A condition
this module cannot read (numeric, date, IP operators) is taken as not met: an Allow that needs it is not
counted, a Deny that needs it does not apply."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

CLOUDTRAIL = "cloudtrail.amazonaws.com"
DELIVERY_ACL = "bucket-owner-full-control"  # the ACL CloudTrail sets on each object it writes


@dataclass(frozen=True)
class Request:
    """What the service principal asks: ``action`` on ``resource``, with the condition ``context`` it sends."""

    action: str
    resource: str
    context: Mapping[str, str]
    principal: str = CLOUDTRAIL


@dataclass(frozen=True)
class Verdict:
    """Whether the policy lets ``request`` through; ``why``: the statement that decided, or what is missing."""

    allowed: bool
    why: str


def statements(policy: Mapping[str, Any] | None) -> Iterator[Mapping[str, Any]]:
    """The policy's statements (a statement alone, or a list), malformed entries left out."""
    found = (policy or {}).get("Statement") or []
    for statement in found if isinstance(found, list) else [found]:
        if isinstance(statement, Mapping):
            yield statement


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _wildcard(pattern: str, value: str, *, case: bool) -> bool:
    """IAM's wildcards: ``*`` any run of characters, ``?`` one (fnmatch's [..] classes escaped)."""
    translated = fnmatch.translate(pattern.replace("[", "[[]"))
    return re.fullmatch(translated, value, 0 if case else re.IGNORECASE) is not None


def _names_principal(principal: Any, service: str) -> bool:
    if principal == "*":
        return True
    if not isinstance(principal, Mapping):
        return False
    return "*" in _as_list(principal.get("AWS")) or service in _as_list(principal.get("Service"))


def _principal_applies(statement: Mapping[str, Any], service: str) -> bool:
    if "NotPrincipal" in statement:
        return not _names_principal(statement["NotPrincipal"], service)
    return _names_principal(statement.get("Principal"), service)


def _matches_any(patterns: Any, value: str, *, case: bool) -> bool:
    return any(isinstance(p, str) and _wildcard(p, value, case=case) for p in _as_list(patterns))


def _scope_applies(statement: Mapping[str, Any], key: str, value: str, *, case: bool) -> bool:
    """Action/NotAction (``key`` Action, case-insensitive) or Resource/NotResource over ``value``."""
    if f"Not{key}" in statement:
        return not _matches_any(statement[f"Not{key}"], value, case=case)
    return _matches_any(statement.get(key), value, case=case)


_STRING_TESTS: dict[str, Callable[[str, str], bool]] = {
    "StringEquals": lambda p, v: p == v, "StringEqualsIgnoreCase": lambda p, v: p.lower() == v.lower(),
    "StringLike": lambda p, v: _wildcard(p, v, case=True), "ArnEquals": lambda p, v: _wildcard(p, v, case=True),
    "ArnLike": lambda p, v: _wildcard(p, v, case=True), "Bool": lambda p, v: p.lower() == v.lower(),
}
_NEGATED = {"StringNotEquals": "StringEquals", "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
            "StringNotLike": "StringLike", "ArnNotEquals": "ArnEquals", "ArnNotLike": "ArnLike"}


def _condition_met(operator: str, key: str, wanted: Any, context: Mapping[str, str]) -> bool:
    """One operator's test of one key (IAM: a key absent from the request fails a positive test, passes a
    negated one and an ``...IfExists`` one)."""
    operator = operator.split(":", 1)[-1]  # ForAnyValue:/ForAllValues: over a single value: the same test
    if_exists = operator.endswith("IfExists")
    operator = operator.removesuffix("IfExists")
    value = next((v for k, v in context.items() if k.lower() == key.lower()), None)
    if operator == "Null":
        return any(str(w).lower() == ("true" if value is None else "false") for w in _as_list(wanted))
    positive = _NEGATED.get(operator, operator)
    test = _STRING_TESTS.get(positive)
    if test is None:
        return False  # an operator read here is not known: not met
    if value is None:
        return if_exists or positive != operator
    hit = any(test(str(w), value) for w in _as_list(wanted))
    return hit != (positive != operator)


def _conditions_met(statement: Mapping[str, Any], context: Mapping[str, str]) -> bool:
    conditions = statement.get("Condition") or {}
    if not isinstance(conditions, Mapping):
        return False
    return all(isinstance(tests, Mapping) and all(_condition_met(op, k, w, context) for k, w in tests.items())
               for op, tests in conditions.items())


def _applies(statement: Mapping[str, Any], request: Request) -> bool:
    return (_principal_applies(statement, request.principal)
            and _scope_applies(statement, "Action", request.action, case=False)
            and _scope_applies(statement, "Resource", request.resource, case=True)
            and _conditions_met(statement, request.context))


def _label(statement: Mapping[str, Any], index: int) -> str:
    sid = statement.get("Sid")
    return f"statement {sid!r}" if sid else f"statement #{index + 1}"


def evaluate(policy: Mapping[str, Any] | None, request: Request) -> Verdict:
    """Whether ``policy`` allows ``request``: an explicit Deny that applies wins; else an Allow that applies."""
    if not policy:
        return Verdict(False, "there is no policy")
    allowed_by = None
    for index, statement in enumerate(statements(policy)):
        if not _applies(statement, request):
            continue
        if statement.get("Effect") == "Deny":
            return Verdict(False, f"{_label(statement, index)} denies {request.action} on {request.resource}")
        if statement.get("Effect") == "Allow" and allowed_by is None:
            allowed_by = _label(statement, index)
    if allowed_by:
        return Verdict(True, f"{allowed_by} allows {request.action}")
    return Verdict(False, f"no statement allows {request.principal} {request.action} on {request.resource}")


# --- what CloudTrail asks of the bucket and the key

def log_object_key(prefix: str | None, account: str, region: str, org_id: str | None = None) -> str:
    """The key of a log file CloudTrail writes for ``account`` in ``region`` (an organization trail's under
    its organization's folder), as docs/doctor.md and the S3 key layout say."""
    base = f"{prefix.strip('/')}/" if prefix and prefix.strip("/") else ""
    org = f"{org_id}/" if org_id else ""
    return (f"{base}AWSLogs/{org}{account}/CloudTrail/{region}/2026/01/01/"
            f"{account}_CloudTrail_{region}_20260101T0000Z_cloudblameCheck.json.gz")


def bucket_requests(bucket: str, key: str, trail_arn: str, account: str, partition: str = "aws") -> list[Request]:
    """The two requests delivery makes of the bucket: GetBucketAcl on it and PutObject of the log file ``key``."""
    context = {"aws:SourceArn": trail_arn, "aws:SourceAccount": account, "aws:SecureTransport": "true"}
    return [Request("s3:GetBucketAcl", f"arn:{partition}:s3:::{bucket}", context),
            Request("s3:PutObject", f"arn:{partition}:s3:::{bucket}/{key}", {**context, "s3:x-amz-acl": DELIVERY_ACL})]


def key_request(key_arn: str, trail_arn: str, account: str) -> Request:
    """What delivery asks of the trail's KMS key: GenerateDataKey with the trail's encryption context."""
    context = {"kms:EncryptionContext:aws:cloudtrail:arn": trail_arn, "aws:SourceArn": trail_arn,
               "aws:SourceAccount": account, "kms:CallerAccount": account}
    return Request("kms:GenerateDataKey", key_arn, context)
