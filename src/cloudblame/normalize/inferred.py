"""The fallback for creation events no catalog rule covers (pure).

A successful call whose name looks like a creation (Create*, Run*, Allocate*, Register*, Launch*,
Request*, Put* on a new resource) still yields a resource: its id comes from the response (a key
ending in ``Arn``/``ARN``, or ``Id``, or a nested object with an ``arn``) or else the request (a key
ending in ``Name``). The ref is marked ``via="inferred"`` and typed ``AWS::<Service>::<Noun>`` from
the event source and name, so `cloudblame catalog --inferred` can show which rules to add next.
"""

from __future__ import annotations

import re
from typing import Any

from cloudblame.normalize.model import ResourceRef

CREATION_VERBS = ("Create", "Run", "Allocate", "Register", "Launch", "Request", "Put")
CREATION_NAME = re.compile(r"^(?:" + "|".join(CREATION_VERBS)
                           + r")(?P<noun>[A-Z][A-Za-z0-9]*?)(?:\d{8}(?:v\d)?|\d{4}_\d{2}_\d{2})?$")
_SKIP_NOUNS = ("Tags", "Tag", "Token", "Presigned", "Session", "Logs", "LogEvents", "MetricData", "Events", "Record",
               "Records", "Object", "Image", "Item", "Attributes", "Policy", "Permission", "Configuration", "Settings")
_MAX_DEPTH = 3


_ACRONYMS = {"ec2": "EC2", "s3": "S3", "iam": "IAM", "rds": "RDS", "ecs": "ECS", "eks": "EKS", "ecr": "ECR",
             "efs": "EFS", "sqs": "SQS", "sns": "SNS", "kms": "KMS", "ssm": "SSM", "sso": "SSO", "emr": "EMR",
             "waf": "WAF", "wafv2": "WAFv2", "acm": "ACM", "mq": "MQ", "ses": "SES", "iot": "IoT"}


def _service(event_source: str) -> str:
    name = event_source.split(".", 1)[0]
    return "".join(_ACRONYMS.get(part, part.capitalize()) for part in re.split(r"[-_]", name)) or "Unknown"


def _find(obj: object, suffixes: tuple[str, ...], depth: int = 0) -> str | None:
    """The first scalar value whose key ends with one of ``suffixes`` (breadth first, shallow)."""
    if not isinstance(obj, dict) or depth > _MAX_DEPTH:
        return None
    for key, value in obj.items():
        if isinstance(key, str) and key.endswith(suffixes) and isinstance(value, (str, int)) and str(value):
            return str(value)
    for value in obj.values():
        found = _find(value, suffixes, depth + 1)
        if found:
            return found
    return None


def infer_creation(record: dict[str, Any], *, account: str | None, region: str | None) -> ResourceRef | None:
    """A resource for a creation-looking event no rule covers, or None."""
    name = record.get("eventName")
    if not isinstance(name, str) or record.get("errorCode"):
        return None
    m = CREATION_NAME.match(name)
    if not m or m["noun"] in _SKIP_NOUNS:
        return None
    response, request = record.get("responseElements"), record.get("requestParameters")
    arn = _find(response, ("Arn", "ARN", "arn"))
    rid = _find(response, ("Id", "ID")) or (arn.rsplit("/", 1)[-1].rsplit(":", 1)[-1] if arn else None)
    rid = rid or _find(request, ("Name", "name"))
    if not rid:
        return None
    rtype = f"AWS::{_service(str(record.get('eventSource', '')))}::{m['noun']}"
    return ResourceRef(rid[:1024], rtype, arn, _find(request, ("Name", "name")), "create", "inferred")
