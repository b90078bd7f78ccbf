"""The calling tool, classified from the user agent (and ``invokedBy`` / source IP for services).

Reference: cloudtrail.md §6. The rules are data: an ordered table of (slug, regex), first match wins,
with the tool's own version in the group ``v``. Tools built on an SDK append their token to the SDK's
string (Terraform's agent contains ``aws-sdk-go``, CDK's ``aws-sdk-js``, SAM's ``Boto3``), so tool
tokens come before SDK tokens. The user agent is client-controlled and may hold anything: nothing
here raises, and an unrecognised agent is ``other`` with the agent kept verbatim.
"""

from __future__ import annotations

import re

from cloudblame.normalize.model import Tool

_V = r"(?P<v>[0-9][\w.+-]*)"

# (slug, pattern); searched in order over the agent with S3's surrounding brackets removed.
UA_RULES: tuple[tuple[str, str], ...] = (
    # console first: console.<svc>.amazonaws.com must not fall to the generic service rule
    ("console", r"^S3Console/|^(?:console|signin)\.amazonaws\.com$|^console\.[a-z0-9-]+\.amazonaws\.com$"),
    ("console", r"^[A-Za-z0-9 ]+ Console, aws-internal/|^Mozilla/\d|^Mozilla$|^AWS-Console"),
    ("cloudformation", r"^cloudformation\.amazonaws\.com$"),
    ("aws-service", r"^[a-z0-9-]+(?:\.[a-z0-9-]+)*\.amazonaws\.com$|^AWS Internal(?:/\d+)?$"),
    ("aws-service", r"^aws-internal/\d"),
    # attack simulation (invictus-aws, stratus-red-team datasets)
    ("stratus-red-team", r"^stratus-red-team_[0-9a-fA-F-]+"),
    # infrastructure as code and orchestration: before the SDKs they are built on
    ("crossplane", rf"crossplane-provider-(?:aws(?:-upbound)?|jet-aws)/v?{_V}"),
    ("pulumi", rf"Pulumi-?Aws(?:Native)?/{_V}|PulumiAwsNative/{_V.replace('P<v>', 'P<v2>')}"),
    ("opentofu", rf"\bOpenTofu/{_V}"),
    ("terraform", r"HashiCorp/1\.0 Terraform/(?P<v>[0-9][\w.+-]*)?"),
    ("ansible", rf"APN/1\.0 Ansible/{_V}"),
    ("eksctl", rf"\beksctl/v?{_V}"),
    ("cdk", rf"\baws-cdk/{_V}"),
    ("sam", rf"\baws-sam-cli/{_V}"),
    ("serverless", rf"\bserverless-framework/{_V}"),
    ("karpenter", rf"\bkarpenter\.sh[-/]v?{_V}"),
    # command-line and SDKs
    ("aws-cli", rf"^aws-cli/{_V}"),
    ("boto3", rf"\bBoto3/{_V}|\b[Bb]otocore/{_V.replace('P<v>', 'P<v2>')}"),
    ("sdk-go", rf"aws-sdk-go(?:-v2)?/{_V}"),
    ("sdk-java", rf"aws-sdk-java/{_V}"),
    ("sdk-js", rf"aws-sdk-(?:js|nodejs)/{_V}"),
    ("sdk-dotnet", rf"aws-sdk-dotnet[\w-]*/{_V}"),
    ("sdk-ruby", rf"aws-sdk-ruby\d?/{_V}"),
    ("sdk-php", rf"aws-sdk-php/{_V}"),
    ("sdk-rust", rf"aws-sdk-rust/{_V}|\brusoto/{_V.replace('P<v>', 'P<v2>')}"),
    ("http-client", r"^(?:python-requests|curl|Go-http-client|okhttp|axios|Python-httplib2|Python-urllib)/(?P<v>[\w.]+)?"),
)
_COMPILED = tuple((slug, re.compile(pattern)) for slug, pattern in UA_RULES)

TOOL_IDS: tuple[str, ...] = tuple(dict.fromkeys([slug for slug, _ in UA_RULES] + ["other", "unknown"]))

_EXTRAS = {
    "exec_env": re.compile(r"exec-env/(?P<x>[\w.-]+)"),
    "cli_command": re.compile(r"(?:md/command#|command/)(?P<x>[\w.-]+)"),
    "sdk_api": re.compile(r"\bapi/(?P<x>[\w-]+)[#/]"),
    "tf_provider": re.compile(r"terraform-provider-aws/(?P<x>[\w.+-]+)"),
}
_SERVICE_HOST = re.compile(r"^[a-z0-9-]+(?:\.[a-z0-9-]+)*\.amazonaws\.com$")


def _clean(user_agent) -> str:
    if user_agent is None:
        return ""
    text = user_agent if isinstance(user_agent, str) else str(user_agent)
    text = text.strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1].strip()
    return text


def _service_tool(invoked_by: str | None) -> Tool | None:
    if not invoked_by or not isinstance(invoked_by, str):
        return None
    slug = "cloudformation" if invoked_by.strip() == "cloudformation.amazonaws.com" else "aws-service"
    return Tool(slug, None, invoked_by)


def classify_tool(user_agent, *, invoked_by: str | None = None, source_ip: str | None = None) -> Tool:
    """The tool slug and version for one call (see TOOL_IDS for the slugs)."""
    service = _service_tool(invoked_by)
    text = _clean(user_agent)
    raw = user_agent if isinstance(user_agent, str) or user_agent is None else str(user_agent)
    if service is not None:
        return Tool(service.id, None, raw or service.user_agent)
    if not text:
        if isinstance(source_ip, str) and _SERVICE_HOST.match(source_ip):
            slug = "cloudformation" if source_ip == "cloudformation.amazonaws.com" else "aws-service"
            return Tool(slug, None, None)
        return Tool("unknown", None, raw or None)
    for slug, pattern in _COMPILED:
        m = pattern.search(text)
        if m:
            groups = m.groupdict()
            return Tool(slug, groups.get("v") or groups.get("v2"), raw)
    return Tool("other", None, raw)


def user_agent_extras(user_agent) -> dict[str, str | None]:
    """Facts orthogonal to the tool: execution environment, CLI command, SDK API, Terraform provider."""
    text = _clean(user_agent)
    out: dict[str, str | None] = {}
    for key, pattern in _EXTRAS.items():
        m = pattern.search(text)
        out[key] = m["x"] if m else None
    return out
