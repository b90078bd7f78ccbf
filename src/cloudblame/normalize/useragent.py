"""Which tool made a call: classify a CloudTrail ``userAgent`` (plus ``invokedBy`` / ``sourceIPAddress``).

Reference: cloudtrail.md §6. The classifier is data: ``RULES`` is an ordered tuple of
``(slug, regex)``, first match wins, and the tool's own version is the regex's named group ``v``.
Order matters because tools built on an SDK *append* their token to the SDK's string (Terraform's
agent contains ``aws-sdk-go``, CDK's ``aws-sdk-js``, SAM's and Ansible's ``Boto3``...): console and
AWS-service agents come first, then IaC / tool tokens, then CLIs and SDKs, then plain HTTP clients.

Identity signals outrank the agent: a call with ``invokedBy`` was made by that service (CloudFormation
-> ``cloudformation``, console sign-in -> ``console``, any other -> ``aws-service``), and so was one whose
``sourceIPAddress`` is ``cloudformation.amazonaws.com``. A service DNS name as source IP is used only
when there is no user agent at all. ``unknown`` means no evidence; ``other`` means an agent that no rule
knows (kept verbatim in ``Tool.user_agent``, version None).

The agent is client-controlled (spoofable, up to 1 KB, possibly truncated, S3 wraps it in ``[...]``):
it is a hint, and these functions never raise on any input.
"""

from __future__ import annotations

import re

from cloudblame.normalize.model import Tool

TOOL_IDS: tuple[str, ...] = (
    "terraform", "opentofu", "console", "aws-cli", "cloudformation", "cdk", "pulumi", "boto3",
    "sdk-go", "sdk-java", "sdk-js", "sdk-dotnet", "sdk-ruby", "sdk-php", "sdk-rust", "sam",
    "serverless", "eksctl", "karpenter", "crossplane", "ansible", "stratus-red-team", "aws-service",
    "http-client", "unknown", "other",
)

_V = r"v?(?P<v>\d[\w.+-]*)"  # a version token (leading "v" dropped): 1.1.2, 0.38.0, 1.0.0-beta+abc
_FLAGS = re.IGNORECASE | re.ASCII
_MAX_LEN = 4096  # CloudTrail truncates agents to 1 KB; never scan more than this

# Ordered: first match wins. Matched against the agent with surrounding "[ ]" removed.
RULES: tuple[tuple[str, re.Pattern[str]], ...] = tuple((slug, re.compile(rx, _FLAGS)) for slug, rx in (
    # Console first: console.<svc>.amazonaws.com would otherwise hit the generic service rule.
    ("console", r"^S3Console/"),  # console versions are not tool versions: None
    ("console", r"^(?:console|signin|console\.[a-z0-9-]+)\.amazonaws\.com$"),
    ("console", r"\baws-internal/\d"),  # console backends: "RDS Console, aws-internal/3 aws-sdk-java/..."
    ("console", r"^Mozilla(?:/|$)"),  # a browser (also the bare "Mozilla" of masked logs)
    # AWS services acting on your behalf.
    ("cloudformation", r"^cloudformation\.amazonaws\.com$"),
    ("aws-service", r"^[a-z0-9-]+(?:\.[a-z0-9-]+)*\.amazonaws\.com(?:\.cn)?$"),
    ("aws-service", r"^AWS Internal(?:/\d+)?$"),
    ("aws-service", r"^awslambda-worker/|\bamazon-ssm-agent/"),  # Lambda's log writer, SSM Agent
    # Tools: before SDKs, since they append their token to an SDK string.
    ("crossplane", r"\bcrossplane-provider-(?:aws(?:-upbound)?|jet-aws|upjet-aws)/" + _V),
    ("pulumi", r"^(?:.*?\bPulumi-?Aws(?:-?Native)?/" + _V + r"|.*?\bAPN/1\.0 Pulumi/)"),  # provider version first
    ("opentofu", r"\bOpenTofu/" + _V),
    ("terraform", r"\bTerraform/(?P<v>[\w.+-]*)"),  # empty version: Terraform or old pulumi-aws
    # Stratus Red Team detonations; its warm-ups run Terraform (token appended) and stay "terraform".
    ("stratus-red-team", r"\bstratus-red-team_"),
    ("ansible", r"\bAnsible/" + _V),
    ("eksctl", r"\beksctl/" + _V),
    ("cdk", r"\baws-cdk/" + _V),
    ("sam", r"\baws-sam-cli/" + _V),
    ("serverless", r"\bserverless-framework/" + _V),
    ("karpenter", r"\bkarpenter\.sh[-/]" + _V),
    # CLIs and SDKs.
    ("aws-cli", r"\baws-cli/(?P<v>[\w.]+)"),  # v1 and v2: the version tells
    ("boto3", r"\bBoto3/(?P<v>[\w.]+)"),
    ("boto3", r"\b(?:Botocore|aws-sdk-python)/(?P<v>[\w.]+)"),  # botocore-only agents
    ("sdk-go", r"\baws-sdk-go(?:-v2)?/(?P<v>[\w.]+)"),
    ("sdk-java", r"\baws-sdk-java/(?P<v>[\w.]+)"),
    ("sdk-js", r"\baws-sdk-(?:nodejs|js)/(?P<v>[\w.]+)"),
    ("sdk-dotnet", r"\baws-sdk-dotnet[\w-]*/(?P<v>[\w.]+)"),
    ("sdk-ruby", r"\baws-sdk-ruby\d?/(?P<v>[\w.]+)"),
    ("sdk-php", r"\baws-sdk-php/(?P<v>[\w.]+)"),
    ("sdk-rust", r"\b(?:aws-sdk-rust|rusoto)/(?P<v>[\w.]+)"),
    # Generic HTTP libraries (unusual against AWS APIs).
    ("http-client", (r"^(?:python-requests|curl|Go-http-client|okhttp|axios|Python-httplib2|python-urllib3?"
                     r"|Apache-HttpClient|Jersey|Wget|node-fetch)/(?P<v>[\w.]+)?")),
))

# Orthogonal facts carried by modern agents (reference §6.3 EXTRAS), each in the named group ``x``.
EXTRAS: dict[str, re.Pattern[str]] = {
    "exec_env": re.compile(r"exec-env/(?P<x>[\w.-]+)", re.ASCII),  # AWS_Lambda_python3.12, CloudShell
    "cli_command": re.compile(r"(?:md/command#|\bcommand/)(?P<x>[\w.-]+)", re.ASCII),  # ec2.run-instances
    "sdk_api": re.compile(r"\bapi/(?P<x>[\w-]+)[#/]", re.ASCII),  # ec2, sts, cloudformation
    "tf_provider": re.compile(r"terraform-provider-aws/(?P<x>[\w.+-]+)", re.ASCII),  # 5.80.0
}

_SERVICE_SLUGS = frozenset({"console", "cloudformation", "aws-service"})
_CFN = "cloudformation.amazonaws.com"


def _clean(text: str) -> str:
    """The agent without surrounding blanks and the ``[ ]`` S3 adds (either may be cut by truncation)."""
    text = text.strip()[:_MAX_LEN]
    text = text.removeprefix("[")
    text = text.removesuffix("]")
    return text.strip()


def _match(text: str) -> tuple[str, str | None] | None:
    """(slug, version) of the first rule matching ``text``, or None."""
    cleaned = _clean(text)
    for slug, rx in RULES:
        m = rx.search(cleaned)
        if m:
            return slug, m.groupdict().get("v") or None
    return None


def _service_slug(name: str) -> str:
    """The tool an ``invokedBy`` service stands for: console sign-in, CloudFormation, or a service."""
    hit = _match(name)
    return hit[0] if hit and hit[0] in ("console", "cloudformation") else "aws-service"


def _as_text(value: object) -> str | None:
    """The agent as text: None for None/blank, ``str()`` of a non-str value."""
    if value is None:
        return None
    if not isinstance(value, str):
        try:
            value = str(value)
        except Exception:  # noqa: BLE001 - a hostile __str__: still never raise
            value = f"<{type(value).__name__}>"
    return value if value.strip() else None


def _str_or_none(value: object) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def tool_source_ip(user_agent: str | None, source_ip: str | None) -> str | None:
    """What of ``source_ip`` the tool depends on: all of it for a call without an agent, else only whether
    it is CloudFormation's name (so calls from many addresses share one classification)."""
    if source_ip is None or _as_text(user_agent) is None or source_ip.strip().lower() == _CFN:
        return source_ip
    return None


def _classify(user_agent: object, invoked_by: object, source_ip: object) -> Tool:
    ua = _as_text(user_agent)
    service, ip = _str_or_none(invoked_by), _str_or_none(source_ip)
    if service:  # the service made the call, whatever agent it forwarded
        return Tool(_service_slug(service), None, ua)
    if ip and ip.lower() == _CFN:
        return Tool("cloudformation", None, ua)
    if ua is None:
        hit = _match(ip) if ip else None
        slug = hit[0] if hit and hit[0] in _SERVICE_SLUGS else "unknown"
        return Tool(slug, None, None)
    hit = _match(ua) if isinstance(user_agent, str) else None
    slug, version = hit or ("other", None)
    return Tool(slug, version, ua)


# Tools that stand for an AWS-internal agent rather than a tool a person chose: within a console session
# they are the console (here, and for calls of a console session: store.tables.session_tool).
CONSOLE_BACKENDS = ("aws-service", "other", "unknown")


def classify_tool(user_agent: str | None, *, invoked_by: str | None = None, source_ip: str | None = None,
                  from_console: bool = False) -> Tool:
    """The tool behind one call: a slug of ``TOOL_IDS``, the tool's own version, the agent verbatim.
    ``from_console``: the record's ``sessionCredentialFromConsole`` - a call of a console session that an
    AWS-internal agent (``AWS Internal``, a service's console backend, a service such as AWS Health invoked
    for the page) made for the person is the console's; CloudFormation's calls for a stack stay its own."""
    try:
        tool = _classify(user_agent, invoked_by, source_ip)
    except Exception:  # noqa: BLE001 - client-controlled input must never break ingest
        tool = Tool("other", None, _as_text(user_agent) if isinstance(user_agent, str) else None)
    if from_console and tool.id in CONSOLE_BACKENDS:
        return Tool("console", None, tool.user_agent)
    return tool


def user_agent_extras(user_agent: str | None) -> dict[str, str | None]:
    """exec_env, cli_command, sdk_api and tf_provider read from the agent (None when absent)."""
    text = _clean(user_agent) if isinstance(user_agent, str) else ""
    found = {key: rx.search(text) for key, rx in EXTRAS.items()}
    return {key: (m.group("x") if m else None) for key, m in found.items()}
