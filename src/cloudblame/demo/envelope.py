"""The parts of a record around the API call: event version, endpoint host, user agent, TLS details and
the ``userIdentity`` object (reference cloudtrail.md §2 and §6.2)."""

from __future__ import annotations

import re
from typing import Any

# eventVersion by eventSource (1.08 - 1.10, as current trails mix them)
_EVENT_VERSION = {
    "ec2.amazonaws.com": "1.10", "s3.amazonaws.com": "1.10", "kms.amazonaws.com": "1.10",
    "lambda.amazonaws.com": "1.08", "rds.amazonaws.com": "1.09", "dynamodb.amazonaws.com": "1.09",
    "sqs.amazonaws.com": "1.09", "sns.amazonaws.com": "1.09", "logs.amazonaws.com": "1.09",
    "eks.amazonaws.com": "1.09", "elasticloadbalancing.amazonaws.com": "1.10",
    "cloudformation.amazonaws.com": "1.10", "secretsmanager.amazonaws.com": "1.10",
    "sagemaker.amazonaws.com": "1.09", "autoscaling.amazonaws.com": "1.09", "ssm.amazonaws.com": "1.09",
    "iam.amazonaws.com": "1.08", "sts.amazonaws.com": "1.08", "signin.amazonaws.com": "1.08",
}


def event_version(source: str) -> str:
    return _EVENT_VERSION.get(source, "1.09")


# The service part of the endpoint host, when it differs from the eventSource's.
_HOST_SERVICE = {
    "monitoring.amazonaws.com": "monitoring", "elasticloadbalancing.amazonaws.com": "elasticloadbalancing",
    "cloudformation.amazonaws.com": "cloudformation", "ce.amazonaws.com": "ce",
    "health.amazonaws.com": "health", "sagemaker.amazonaws.com": "api.sagemaker",
    "ecr.amazonaws.com": "api.ecr",
}
_GLOBAL_HOSTS = {"iam.amazonaws.com": "iam.amazonaws.com", "sts.amazonaws.com": "sts.amazonaws.com",
                 "signin.amazonaws.com": "signin.aws.amazon.com", "ce.amazonaws.com": "ce.us-east-1.amazonaws.com",
                 "health.amazonaws.com": "health.us-east-1.amazonaws.com",
                 "cloudfront.amazonaws.com": "cloudfront.amazonaws.com",
                 "route53.amazonaws.com": "route53.amazonaws.com"}


def endpoint_host(source: str, region: str) -> str:
    host = _GLOBAL_HOSTS.get(source)
    if host:
        return host
    svc = _HOST_SERVICE.get(source) or source.split(".", 1)[0]
    return f"{svc}.{region}.amazonaws.com"


# Services whose events are logged in us-east-1 whatever the caller's region (global endpoints).
GLOBAL_SOURCES = frozenset({"iam.amazonaws.com", "sts.amazonaws.com", "signin.amazonaws.com",
                            "ce.amazonaws.com", "health.amazonaws.com", "cloudfront.amazonaws.com",
                            "route53.amazonaws.com"})

# --- user agents (reference §6.2) ------------------------------------------------------------------

_SDK_GO_API = {
    "ec2.amazonaws.com": "ec2#1.190.0", "s3.amazonaws.com": "s3#1.68.0", "iam.amazonaws.com": "iam#1.38.1",
    "sts.amazonaws.com": "sts#1.33.2", "rds.amazonaws.com": "rds#1.91.0", "dynamodb.amazonaws.com": "dynamodb#1.37.1",
    "lambda.amazonaws.com": "lambda#1.69.1", "kms.amazonaws.com": "kms#1.37.7", "sqs.amazonaws.com": "sqs#1.37.1",
    "sns.amazonaws.com": "sns#1.33.7", "logs.amazonaws.com": "cloudwatchlogs#1.44.0", "eks.amazonaws.com": "eks#1.53.0",
    "elasticloadbalancing.amazonaws.com": "elasticloadbalancingv2#1.43.1",
    "secretsmanager.amazonaws.com": "secretsmanager#1.34.7", "ssm.amazonaws.com": "ssm#1.56.0",
    "autoscaling.amazonaws.com": "autoscaling#1.51.0", "cloudformation.amazonaws.com": "cloudformation#1.56.0",
    "monitoring.amazonaws.com": "cloudwatch#1.43.2", "ecr.amazonaws.com": "ecr#1.36.6",
    "sagemaker.amazonaws.com": "sagemaker#1.168.1",
}
_CLI_SERVICE = {
    "s3.amazonaws.com": "s3api", "monitoring.amazonaws.com": "cloudwatch",
    "elasticloadbalancing.amazonaws.com": "elbv2",
}
TERRAFORM_UA = ("APN/1.0 HashiCorp/1.0 Terraform/1.9.8 (+https://www.terraform.io) terraform-provider-aws/5.80.0 "
                "(+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.32.6 ua/2.1 {os} "
                "lang/go#1.23.3 md/GOOS#{goos} md/GOARCH#{arch} api/{api} m/E")
TERRAFORM_OS = {"mac": ("os/macos", "darwin", "arm64"), "linux": ("os/linux", "linux", "amd64")}
CLI_UA = {
    "mac": ("aws-cli/2.22.4 md/awscrt#0.22.0 ua/2.0 os/macos#24.1.0 md/arch#arm64 lang/python#3.12.6 "
            "md/pyimpl#CPython cfg/retry-mode#standard md/installer#source md/prompt#off md/command#{cmd}"),
    "linux": ("aws-cli/2.17.52 md/awscrt#0.21.5 ua/2.0 os/linux#6.8.0-45-generic md/arch#x86_64 lang/python#3.11.9 "
              "md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.24 md/prompt#off "
              "md/command#{cmd}"),
}
BOTO3_UA = ("Boto3/1.35.71 md/Botocore#1.35.71 ua/2.0 os/linux#6.8.0-49-generic md/arch#x86_64 lang/python#3.12.3 "
            "md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.35.71")
CDK_UA = ("aws-sdk-js/3.741.0 ua/2.1 os/darwin#24.3.0 lang/js md/nodejs#22.13.1 api/cloudformation#3.741.0 "
          "m/E,N,e aws-cdk/2.178.1")
GITHUB_STS_UA = ("aws-sdk-js/3.693.0 ua/2.1 os/linux#6.5.0-1025-azure lang/js md/nodejs#20.18.0 api/sts#3.693.0 "
                 "m/N,E,e configure-aws-credentials-for-github-actions")
S3_CONSOLE_UA = ("[S3Console/0.4, aws-internal/3 aws-sdk-java/1.12.750 Linux/5.10.227-198.884.amzn2int.x86_64 "
                 "OpenJDK_64-Bit_Server_VM/25.432-b08 java/1.8.0_432 vendor/Oracle_Corporation cfg/retry-mode/standard]")
BROWSERS = {
    "chrome-mac": ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
                   "Chrome/130.0.0.0 Safari/537.36"),
    "firefox-win": "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:132.0) Gecko/20100101 Firefox/132.0",
    "edge-win": ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                 "Chrome/130.0.0.0 Safari/537.36 Edg/130.0.0.0"),
}
# services whose consoles call the API through a console backend with its own user agent
_CONSOLE_BACKEND = {"ec2.amazonaws.com": "console.ec2.amazonaws.com", "s3.amazonaws.com": S3_CONSOLE_UA,
                    "iam.amazonaws.com": "console.amazonaws.com", "signin.amazonaws.com": None}

_VERSIONED = re.compile(r"\d{8}(?:v\d)?$")
_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")
_CLI_CMD_CACHE: dict[tuple[str, str], str] = {}


def cli_command(source: str, name: str) -> str:
    key = (source, name)
    cmd = _CLI_CMD_CACHE.get(key)
    if cmd is None:
        svc = _CLI_SERVICE.get(source) or source.split(".", 1)[0]
        op = _CAMEL.sub("-", _VERSIONED.sub("", name)).lower()
        cmd = _CLI_CMD_CACHE[key] = f"{svc}.{op}"
    return cmd


class UserAgents:
    """The user agent of a call, by tool flavour, cached (the hot path only does dict lookups)."""

    def __init__(self) -> None:
        self._cache: dict[tuple[Any, ...], str] = {}

    def get(self, flavour: str, variant: str, source: str, name: str) -> str:
        key = (flavour, variant, source, name) if flavour == "cli" else (flavour, variant, source)
        ua = self._cache.get(key)
        if ua is None:
            ua = self._cache[key] = self._build(flavour, variant, source, name)
        return ua

    @staticmethod
    def _build(flavour: str, variant: str, source: str, name: str) -> str:
        s3 = source == "s3.amazonaws.com"
        if flavour == "terraform":
            os_, goos, arch = TERRAFORM_OS[variant]
            api = _SDK_GO_API.get(source) or f"{source.split('.', 1)[0]}#1.30.0"
            ua = TERRAFORM_UA.format(os=os_, goos=goos, arch=arch, api=api)
        elif flavour == "cli":
            ua = CLI_UA[variant].format(cmd=cli_command(source, name))
        elif flavour == "boto3":
            ua = BOTO3_UA
        elif flavour == "console":
            backend = _CONSOLE_BACKEND.get(source, "")
            if backend:
                return backend
            return BROWSERS[variant]
        else:  # fixed agents: the variant is the agent
            ua = variant
        return f"[{ua}]" if s3 and not ua.startswith("[") else ua


# --- TLS -------------------------------------------------------------------------------------------

_TLS_CACHE: dict[tuple[str, int], dict[str, Any]] = {}


def tls_details(host: str, modern: int) -> dict[str, Any]:
    """A shared tlsDetails object (never mutated by the writer)."""
    key = (host, modern)
    d = _TLS_CACHE.get(key)
    if d is None:
        if modern == 2:
            d = {"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256",
                 "clientProvidedHostHeader": host, "keyExchange": "X25519MLKEM768"}
        elif modern == 1:
            d = {"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256", "clientProvidedHostHeader": host}
        else:
            d = {"tlsVersion": "TLSv1.2", "cipherSuite": "ECDHE-RSA-AES128-GCM-SHA256", "clientProvidedHostHeader": host}
        if len(_TLS_CACHE) < 4096:
            _TLS_CACHE[key] = d
    return d


# --- identity objects (reference §2) --------------------------------------------------------------


def iam_user_identity(account: str, name: str, principal_id: str, key: str | None,
                      session_created: str | None = None, mfa: bool = False) -> dict[str, Any]:
    ui: dict[str, Any] = {"type": "IAMUser", "principalId": principal_id, "arn": f"arn:aws:iam::{account}:user/{name}",
          "accountId": account}
    if key:
        ui["accessKeyId"] = key
    ui["userName"] = name
    if session_created:
        ui["sessionContext"] = {"sessionIssuer": {}, "webIdFederationData": {},
                                "attributes": {"creationDate": session_created,
                                               "mfaAuthenticated": "true" if mfa else "false"}}
    return ui


def assumed_role_identity(account: str, role_name: str, role_path: str, role_id: str, session: str, key: str,
                          created: str, *, web_provider: str | None = None, invoked_by: str | None = None,
                          ec2_delivery: str | None = None, mfa: bool = False) -> dict[str, Any]:
    ctx: dict[str, Any] = {"sessionIssuer": {"type": "Role", "principalId": role_id,
                                           "arn": f"arn:aws:iam::{account}:role{role_path}{role_name}",
                                           "accountId": account, "userName": role_name}}
    ctx["webIdFederationData"] = ({"federatedProvider": web_provider, "attributes": {}} if web_provider else {})
    ctx["attributes"] = {"creationDate": created, "mfaAuthenticated": "true" if mfa else "false"}
    if ec2_delivery:
        ctx["ec2RoleDelivery"] = ec2_delivery
    ui: dict[str, Any] = {"type": "AssumedRole", "principalId": f"{role_id}:{session}",
          "arn": f"arn:aws:sts::{account}:assumed-role/{role_name}/{session}", "accountId": account,
          "accessKeyId": key, "sessionContext": ctx}
    if invoked_by:
        ui["invokedBy"] = invoked_by
    return ui


def service_identity(service: str) -> dict[str, Any]:
    return {"type": "AWSService", "invokedBy": service}
