"""Who made a call: the principal as recorded, and the actor (the human or automation behind it).

Reference: cloudtrail.md §2. Pure functions over ``userIdentity`` (plus a few top-level fields).
The full credential-chain walk through STS events is done later over the store; here each record is
resolved on its own evidence, and the evidence kind and confidence are kept so the chain walk can
upgrade weak answers (``actor_kind`` ``role-session`` with confidence ``low``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

SSO_ROLE = re.compile(r"^AWSReservedSSO_(?P<ps>.+)_(?P<hash>[0-9a-f]{16})$")
_SERVICE_SESSIONS = {
    "AWSCloudFormation": "cloudformation",
    "AutoScaling": "autoscaling",
}
_INSTANCE_SESSION = re.compile(r"^i-[0-9a-f]{8,17}$")


@dataclass(frozen=True, slots=True)
class Principal:
    """The identity exactly as the record states it."""

    identity_type: str | None
    arn: str | None  # ARN, or a name when there is no ARN (AWSService, SAMLUser...)
    principal_id: str | None
    account_id: str | None
    access_key_id: str | None
    user_name: str | None  # what the console's Event History calls "User name"
    session_name: str | None
    session_issuer_arn: str | None
    session_issuer_name: str | None
    source_identity: str | None
    invoked_by: str | None
    mfa: bool | None
    session_created: str | None


@dataclass(frozen=True, slots=True)
class Actor:
    """The human or automation behind a call, with how it was found."""

    human: str | None
    kind: str  # iam-user | root | sso | source-identity | identity-center | saml | web-identity | federated | role-session | service | account | unknown
    confidence: str  # high | low


def _text(value: object) -> str | None:
    if value is None or isinstance(value, (dict, list, bool)):
        return None
    s = str(value).strip()
    return s or None


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _truthy(value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


def session_name_of(arn: str | None) -> str | None:
    """The session name at the end of an assumed-role or federated-user ARN."""
    if not arn or ":assumed-role/" not in arn and ":federated-user/" not in arn:
        return None
    return arn.rsplit("/", 1)[-1] or None


def principal_of(user_identity: object, invoked_by_fallback: str | None = None) -> Principal:
    """Flatten ``userIdentity`` (tolerating missing parts and wrong types)."""
    ui = _dict(user_identity)
    ctx = _dict(ui.get("sessionContext"))
    issuer = _dict(ctx.get("sessionIssuer"))
    attrs = _dict(ctx.get("attributes"))
    itype = _text(ui.get("type"))
    arn = _text(ui.get("arn"))
    session = session_name_of(arn)
    if session is None and itype == "AssumedRole":
        pid = _text(ui.get("principalId")) or ""
        session = pid.split(":", 1)[1] if ":" in pid else None
    user_name = _text(ui.get("userName"))
    if itype == "Root":
        user_name = "root"
    elif itype in ("AssumedRole", "FederatedUser") and session:
        user_name = session
    return Principal(
        identity_type=itype,
        arn=arn or _text(ui.get("invokedBy")) or user_name or _text(ui.get("principalId")),
        principal_id=_text(ui.get("principalId")),
        account_id=_text(ui.get("accountId")),
        access_key_id=_text(ui.get("accessKeyId")),
        user_name=user_name,
        session_name=session,
        session_issuer_arn=_text(issuer.get("arn")),
        session_issuer_name=_text(issuer.get("userName")),
        source_identity=_text(ctx.get("sourceIdentity")),
        invoked_by=_text(ui.get("invokedBy")) or invoked_by_fallback,
        mfa=_truthy(attrs.get("mfaAuthenticated")),
        session_created=_text(attrs.get("creationDate")),
    )


def actor_of(user_identity: object, principal: Principal) -> Actor:
    """Resolve the human on this record's own evidence (reference §2.4, rules 1-8)."""
    ui = _dict(user_identity)
    itype = principal.identity_type
    if itype == "IAMUser":
        return Actor(principal.user_name or _last_segment(principal.arn), "iam-user", "high")
    if itype == "Root":
        return Actor(f"root@{principal.account_id}" if principal.account_id else "root", "root", "high")
    if principal.source_identity:
        return Actor(principal.source_identity, "source-identity", "high")
    on_behalf = _text(_dict(ui.get("onBehalfOf")).get("userId"))
    if on_behalf:
        return Actor(f"idc:{on_behalf}", "identity-center", "high")
    if itype == "IdentityCenterUser":
        return Actor(principal.user_name or principal.principal_id, "identity-center", "high")
    if itype == "AssumedRole":
        return _assumed_role_actor(ui, principal)
    if itype == "FederatedUser":
        # sessionIssuer of a federated session is the IAM user (or root) that called GetFederationToken.
        issuer = principal.session_issuer_name or _last_segment(principal.session_issuer_arn)
        if issuer:
            return Actor(issuer, "federated", "high")
        return Actor(principal.session_name, "federated", "low")
    if itype == "SAMLUser":
        return Actor(principal.user_name, "saml", "high")
    if itype == "WebIdentityUser":
        subject = web_identity_subject(principal.user_name, _text(ui.get("identityProvider")))
        return Actor(subject, "web-identity", "high")
    if itype == "AWSService":
        return Actor(principal.invoked_by or principal.arn, "service", "high")
    if itype == "AWSAccount":
        return Actor(f"account:{principal.account_id}" if principal.account_id else principal.principal_id, "account", "low")
    return Actor(principal.user_name or principal.arn, "unknown", "low")


def _assumed_role_actor(ui: dict[str, Any], principal: Principal) -> Actor:
    issuer = principal.session_issuer_name or _role_of(principal.arn)
    session = principal.session_name
    m = SSO_ROLE.match(issuer or "")
    if m and session:
        return Actor(session, "sso", "high")
    web = _dict(_dict(ui.get("sessionContext")).get("webIdFederationData"))
    provider = _text(web.get("federatedProvider"))
    if provider and "token.actions.githubusercontent.com" in provider:
        return Actor(f"github-actions:{issuer}", "web-identity", "low")
    service = _SERVICE_SESSIONS.get(session or "")
    if service or (issuer or "").startswith("AWSServiceRoleFor"):
        return Actor(f"aws-service:{service or (issuer or '')[len('AWSServiceRoleFor'):].lower()}", "service", "low")
    if session and _INSTANCE_SESSION.match(session):
        return Actor(f"ec2:{session}", "instance", "low")
    inscope = _text(_dict(ui.get("inScopeOf")).get("credentialsIssuedTo"))
    if inscope:
        return Actor(inscope, "resource", "low")
    return Actor(f"{issuer}/{session}" if issuer and session else session or issuer, "role-session", "low")


_GITHUB_SUB = re.compile(r"^repo:(?P<repo>[^:]+/[^:]+):(?P<kind>ref|environment|pull_request)(?::(?P<value>.+))?$")
_K8S_SUB = re.compile(r"^system:serviceaccount:(?P<ns>[^:]+):(?P<sa>[^:]+)$")


def web_identity_subject(subject: str | None, provider: str | None) -> str | None:
    """A readable name for a web-identity token subject: the GitHub repository and ref, the Kubernetes
    namespace/service account of an EKS pod (IRSA), else the subject as given (Cognito, Google...)."""
    if not subject:
        return provider
    m = _GITHUB_SUB.match(subject)
    if m:
        detail = {"ref": m["value"], "environment": f"environment:{m['value']}"}.get(m["kind"], m["kind"])
        return f"github:{m['repo']} ({detail})"
    m = _K8S_SUB.match(subject)
    if m:
        return f"k8s:{m['ns']}/{m['sa']}"
    return subject


def _last_segment(arn: str | None) -> str | None:
    if not arn:
        return None
    return arn.rsplit("/", 1)[-1].rsplit(":", 1)[-1] or None


def _role_of(arn: str | None) -> str | None:
    if arn and ":assumed-role/" in arn:
        parts = arn.split(":assumed-role/", 1)[1].split("/")
        return parts[0] or None
    return None
