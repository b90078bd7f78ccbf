"""The shapes of the records the sample generator writes.

Field names, nesting and quirks follow real CloudTrail records (reference cloudtrail.md §1, §2, §5.4,
§6.2 and the public datasets in ../shared/datasets): EC2 ``items`` lists, the wrapped PascalCase
``CreateNatGatewayRequest``/``CreateNatGatewayResponse``, RDS ``dBInstanceIdentifier``, S3 ``Host`` and
``additionalEventData``, the ``[...]`` S3 user agents, locale-formatted dates in IAM/STS responses. All the
values are made up here. Nothing in this module is random by itself: every id comes from :class:`Ids`,
which draws from the generator's seeded ``random.Random``.

Each ``*_shape`` function returns ``(requestParameters, responseElements)`` for one API call.
"""

from __future__ import annotations

import calendar
import re
import time

ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
UPPER_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
KEY_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"  # access key ids look base32
LOWER_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789"

REGIONS = ("us-east-1", "eu-west-1", "us-west-2")

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
LAMBDA_BOTO3_UA = ("Boto3/1.34.145 md/Botocore#1.34.145 ua/2.0 os/linux#5.10.227-239.884.amzn2.x86_64 "
                   "md/arch#x86_64 lang/python#3.12.7 md/pyimpl#CPython exec-env/AWS_Lambda_python3.12 "
                   "cfg/retry-mode#legacy Botocore/1.34.145")
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
        self._cache: dict[tuple, str] = {}

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

_TLS_CACHE: dict[tuple[str, int], dict] = {}


def tls_details(host: str, modern: int) -> dict:
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


# --- time ------------------------------------------------------------------------------------------

_DAY_CACHE: dict[int, str] = {}


def iso(t: int) -> str:
    """``YYYY-MM-DDTHH:MM:SSZ`` for an epoch second."""
    day, sod = divmod(t, 86400)
    prefix = _DAY_CACHE.get(day)
    if prefix is None:
        prefix = _DAY_CACHE[day] = time.strftime("%Y-%m-%dT", time.gmtime(day * 86400))
    h, rem = divmod(sod, 3600)
    m, s = divmod(rem, 60)
    return f"{prefix}{h:02d}:{m:02d}:{s:02d}Z"


def parse_day(day: str) -> int:
    """Epoch second of ``YYYY-MM-DD`` 00:00 UTC."""
    return calendar.timegm(time.strptime(day, "%Y-%m-%d"))


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def locale_date(t: int, comma: bool = True) -> str:
    """The Java-locale dates of IAM/STS/RDS responses: ``Oct 1, 2026, 9:05:03 PM``."""
    g = time.gmtime(t)
    h12 = g.tm_hour % 12 or 12
    ampm = "AM" if g.tm_hour < 12 else "PM"
    sep = ", " if comma else " "
    return f"{_MONTHS[g.tm_mon - 1]} {g.tm_mday}, {g.tm_year}{sep}{h12}:{g.tm_min:02d}:{g.tm_sec:02d} {ampm}"


def iso_ms(t: int) -> str:
    return iso(t)[:-1] + ".000Z"


# --- ids -------------------------------------------------------------------------------------------


class Ids:
    """Id generators over the generator's seeded ``random.Random`` (deterministic, never uuid4)."""

    __slots__ = ("rng", "_bits", "_choices")

    def __init__(self, rng) -> None:
        self.rng = rng
        self._bits = rng.getrandbits
        self._choices = rng.choices

    def uuid(self) -> str:
        h = f"{self._bits(128):032x}"
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-{h[20:32]}"

    def hexid(self, n: int = 17) -> str:
        return f"{self._bits(4 * n):0{n}x}"

    def ec2(self, prefix: str) -> str:
        return f"{prefix}-{self._bits(68):017x}"

    def alnum(self, n: int) -> str:
        return "".join(self._choices(ALNUM, k=n))

    def upper(self, n: int) -> str:
        return "".join(self._choices(UPPER_ALNUM, k=n))

    def lower(self, n: int) -> str:
        return "".join(self._choices(LOWER_ALNUM, k=n))

    def key(self, prefix: str) -> str:
        """An access key id (``AKIA``/``ASIA``) or unique id (``AIDA``/``AROA``): prefix + 16/17 chars."""
        n = 16 if prefix in ("AKIA", "ASIA") else 17
        return prefix + "".join(self._choices(KEY_CHARS, k=n))

    def s3_request_id(self) -> str:
        return "".join(self._choices(UPPER_ALNUM, k=16))

    def token(self) -> str:
        """A client token as Terraform writes them."""
        return self.uuid().upper()


# --- identity objects (reference §2) --------------------------------------------------------------


def iam_user_identity(account: str, name: str, principal_id: str, key: str | None,
                      session_created: str | None = None, mfa: bool = False) -> dict:
    ui = {"type": "IAMUser", "principalId": principal_id, "arn": f"arn:aws:iam::{account}:user/{name}",
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
                          ec2_delivery: str | None = None, mfa: bool = False) -> dict:
    ctx = {"sessionIssuer": {"type": "Role", "principalId": role_id,
                             "arn": f"arn:aws:iam::{account}:role{role_path}{role_name}",
                             "accountId": account, "userName": role_name}}
    ctx["webIdFederationData"] = ({"federatedProvider": web_provider, "attributes": {}} if web_provider else {})
    ctx["attributes"] = {"creationDate": created, "mfaAuthenticated": "true" if mfa else "false"}
    if ec2_delivery:
        ctx["ec2RoleDelivery"] = ec2_delivery
    ui = {"type": "AssumedRole", "principalId": f"{role_id}:{session}",
          "arn": f"arn:aws:sts::{account}:assumed-role/{role_name}/{session}", "accountId": account,
          "accessKeyId": key, "sessionContext": ctx}
    if invoked_by:
        ui["invokedBy"] = invoked_by
    return ui


def service_identity(service: str) -> dict:
    return {"type": "AWSService", "invokedBy": service}


# --- STS (reference §2.7) ---------------------------------------------------------------------------


def assume_role_shape(role_arn: str, session: str, role_id: str, account: str, key: str, expires: int,
                      duration: int | None = None) -> tuple[dict, dict]:
    role_name = role_arn.rsplit("/", 1)[-1]
    req = {"roleArn": role_arn, "roleSessionName": session}
    if duration:
        req["durationSeconds"] = duration
    resp = {"credentials": {"accessKeyId": key, "expiration": locale_date(expires)},
            "assumedRoleUser": {"assumedRoleId": f"{role_id}:{session}",
                                "arn": f"arn:aws:sts::{account}:assumed-role/{role_name}/{session}"}}
    return req, resp


def assume_role_with_saml_shape(role_arn: str, provider_arn: str, session: str, role_id: str, account: str,
                                key: str, expires: int, assertion_id: str, name_qualifier: str,
                                idc_region: str, issuer_id: str) -> tuple[dict, dict]:
    role_name = role_arn.rsplit("/", 1)[-1]
    req = {"sAMLAssertionID": assertion_id, "roleSessionName": session, "roleArn": role_arn,
           "principalArn": provider_arn, "durationSeconds": 43200}
    resp = {"credentials": {"accessKeyId": key, "expiration": locale_date(expires)},
            "assumedRoleUser": {"assumedRoleId": f"{role_id}:{session}",
                                "arn": f"arn:aws:sts::{account}:assumed-role/{role_name}/{session}"},
            "packedPolicySize": 0, "subject": session, "subjectType": "persistent",
            "issuer": f"https://portal.sso.{idc_region}.amazonaws.com/saml/assertion/{issuer_id}",
            "audience": "https://signin.aws.amazon.com/saml", "nameQualifier": name_qualifier}
    return req, resp


def assume_role_with_web_identity_shape(role_arn: str, session: str, role_id: str, account: str, key: str,
                                        expires: int, subject: str, provider_arn: str) -> tuple[dict, dict]:
    role_name = role_arn.rsplit("/", 1)[-1]
    req = {"roleArn": role_arn, "roleSessionName": session, "durationSeconds": 3600}
    resp = {"credentials": {"accessKeyId": key, "expiration": locale_date(expires)},
            "subjectFromWebIdentityToken": subject,
            "assumedRoleUser": {"assumedRoleId": f"{role_id}:{session}",
                                "arn": f"arn:aws:sts::{account}:assumed-role/{role_name}/{session}"},
            "provider": provider_arn, "audience": "sts.amazonaws.com"}
    return req, resp


# --- EC2 (reference §5.4) ---------------------------------------------------------------------------


def tag_list(tags: dict) -> list[dict]:
    return [{"key": k, "value": v} for k, v in tags.items()]


def private_dns(region: str, ip: str) -> str:
    dashed = ip.replace(".", "-")
    return f"ip-{dashed}.ec2.internal" if region == "us-east-1" else f"ip-{dashed}.{region}.compute.internal"


def run_instances_shape(ids: Ids, *, account: str, region: str, t: int, image: str, itype: str, subnet: str,
                        vpc: str, sg: str, az: str, tags: dict | None, client_token: str, count: int = 1,
                        launch_template: str | None = None, profile: str | None = None) -> tuple[dict, dict]:
    req: dict = {"instancesSet": {"items": [{"imageId": image, "minCount": count, "maxCount": count}]}}
    if launch_template:
        req = {"instancesSet": {"items": [{"minCount": count, "maxCount": count}]},
               "launchTemplate": {"launchTemplateId": launch_template, "version": "1"}}
    req.update({"instanceType": itype, "blockDeviceMapping": {}, "monitoring": {"enabled": False},
                "subnetId": subnet, "disableApiTermination": False, "disableApiStop": False,
                "clientToken": client_token, "groupSet": {"items": [{"groupId": sg}]}})
    if profile:
        req["iamInstanceProfile"] = {"name": profile}
    tag_set = {"items": tag_list(tags)} if tags else {}
    if tags:
        req["tagSpecificationSet"] = {"items": [{"resourceType": "instance", "tags": tag_list(tags)},
                                                {"resourceType": "volume", "tags": tag_list(tags)}]}
    req["metadataOptions"] = {"httpTokens": "required", "httpPutResponseHopLimit": 2, "httpEndpoint": "enabled"}
    items = []
    for i in range(count):
        ip = f"10.0.{ids.rng.randrange(1, 4)}.{ids.rng.randrange(4, 250)}"
        items.append({
            "instanceId": ids.ec2("i"), "imageId": image, "currentInstanceBootMode": "legacy-bios",
            "instanceState": {"code": 0, "name": "pending"}, "privateDnsName": private_dns(region, ip),
            "amiLaunchIndex": i, "productCodes": {}, "instanceType": itype, "launchTime": t * 1000,
            "placement": {"availabilityZone": az, "tenancy": "default"}, "monitoring": {"state": "disabled"},
            "subnetId": subnet, "vpcId": vpc, "privateIpAddress": ip,
            "stateReason": {"code": "pending", "message": "pending"}, "architecture": "x86_64",
            "rootDeviceType": "ebs", "rootDeviceName": "/dev/xvda", "blockDeviceMapping": {},
            "virtualizationType": "hvm", "hypervisor": "xen", "tagSet": tag_set, "clientToken": client_token,
            "groupSet": {"items": [{"groupId": sg}]}, "sourceDestCheck": True,
            "networkInterfaceSet": {"items": [{
                "networkInterfaceId": ids.ec2("eni"), "subnetId": subnet, "vpcId": vpc, "ownerId": account,
                "status": "in-use", "privateIpAddress": ip, "sourceDestCheck": True, "interfaceType": "interface",
                "groupSet": {"items": [{"groupId": sg}]},
                "attachment": {"attachmentId": ids.ec2("eni-attach"), "deviceIndex": 0, "networkCardIndex": 0,
                               "status": "attaching", "attachTime": t * 1000, "deleteOnTermination": True},
                "privateIpAddressesSet": {"item": [{"privateIpAddress": ip, "primary": True}]},
                "ipv6AddressesSet": {}, "tagSet": {}}]},
            "ebsOptimized": False, "enaSupport": True, "cpuOptions": {"coreCount": 1, "threadsPerCore": 2},
            "capacityReservationSpecification": {"capacityReservationPreference": "open"},
            "hibernationOptions": {"configured": False}, "enclaveOptions": {"enabled": False},
            "metadataOptions": {"state": "pending", "httpTokens": "required", "httpPutResponseHopLimit": 2,
                                "httpEndpoint": "enabled", "httpProtocolIpv4": "enabled",
                                "httpProtocolIpv6": "disabled", "instanceMetadataTags": "disabled"},
            "maintenanceOptions": {"autoRecovery": "default"},
            "privateDnsNameOptions": {"hostnameType": "ip-name", "enableResourceNameDnsARecord": False,
                                      "enableResourceNameDnsAAAARecord": False}})
    resp = {"requestId": None, "reservationId": ids.ec2("r"), "ownerId": account, "groupSet": {},
            "instancesSet": {"items": items}}
    return req, resp


def instance_ids_of(resp: dict) -> list[str]:
    return [i["instanceId"] for i in resp["instancesSet"]["items"]]


_STATES = {"running": (16, "running"), "stopping": (64, "stopping"), "stopped": (80, "stopped"),
           "pending": (0, "pending"), "shutting-down": (32, "shutting-down")}


def state_change_shape(instance_ids: list[str], current: str, previous: str, force: bool | None = None) -> tuple[dict, dict]:
    req: dict = {"instancesSet": {"items": [{"instanceId": i} for i in instance_ids]}}
    if force is not None:
        req["force"] = force
    c, p = _STATES[current], _STATES[previous]
    resp = {"requestId": None, "instancesSet": {"items": [
        {"instanceId": i, "currentState": {"code": c[0], "name": c[1]}, "previousState": {"code": p[0], "name": p[1]}}
        for i in instance_ids]}}
    return req, resp


def create_tags_shape(resource_ids: list[str], tags: dict) -> tuple[dict, dict]:
    return ({"resourcesSet": {"items": [{"resourceId": r} for r in resource_ids]}, "tagSet": {"items": tag_list(tags)}},
            {"requestId": None, "_return": True})


def create_volume_shape(ids: Ids, *, t: int, az: str, size: int, vtype: str, tags: dict | None,
                        client_token: str, encrypted: bool = False) -> tuple[dict, dict]:
    req: dict = {"size": str(size), "zone": az, "volumeType": vtype, "encrypted": encrypted}
    if tags:
        req["tagSpecificationSet"] = {"items": [{"resourceType": "volume", "tags": tag_list(tags)}]}
    req["clientToken"] = client_token
    resp = {"requestId": None, "volumeId": ids.ec2("vol"), "size": str(size), "zone": az, "status": "creating",
            "createTime": t * 1000, "volumeType": vtype, "iops": 3000 if vtype == "gp3" else 100,
            "encrypted": encrypted, "tagSet": {"items": tag_list(tags)} if tags else {}, "multiAttachEnabled": False}
    if vtype == "gp3":
        resp["throughput"] = 125
    return req, resp


def ec2_return_shape(req: dict) -> tuple[dict, dict]:
    return req, {"requestId": None, "_return": True}


def create_vpc_shape(ids: Ids, *, account: str, cidr: str, tags: dict) -> tuple[dict, dict]:
    req = {"cidrBlock": cidr, "instanceTenancy": "default", "amazonProvidedIpv6CidrBlock": False,
           "tagSpecificationSet": {"items": [{"resourceType": "vpc", "tags": tag_list(tags)}]}}
    resp = {"requestId": None, "vpc": {
        "vpcId": ids.ec2("vpc"), "state": "pending", "ownerId": account, "cidrBlock": cidr,
        "cidrBlockAssociationSet": {"items": [{"cidrBlock": cidr, "associationId": ids.ec2("vpc-cidr-assoc"),
                                               "cidrBlockState": {"state": "associated"}}]},
        "ipv6CidrBlockAssociationSet": {}, "dhcpOptionsId": ids.ec2("dopt"), "instanceTenancy": "default",
        "tagSet": {"items": tag_list(tags)}, "isDefault": False}}
    return req, resp


def create_subnet_shape(ids: Ids, *, account: str, region: str, vpc: str, cidr: str, az: str, az_id: str,
                        tags: dict) -> tuple[dict, dict]:
    sid = ids.ec2("subnet")
    req = {"vpcId": vpc, "cidrBlock": cidr, "availabilityZone": az,
           "tagSpecificationSet": {"items": [{"resourceType": "subnet", "tags": tag_list(tags)}]}}
    resp = {"requestId": None, "subnet": {
        "subnetId": sid, "subnetArn": f"arn:aws:ec2:{region}:{account}:subnet/{sid}", "state": "available",
        "vpcId": vpc, "cidrBlock": cidr, "ipv6CidrBlockAssociationSet": {}, "availableIpAddressCount": 251,
        "availabilityZone": az, "availabilityZoneId": az_id, "ownerId": account, "defaultForAz": False,
        "mapPublicIpOnLaunch": False, "assignIpv6AddressOnCreation": False, "tagSet": {"items": tag_list(tags)},
        "privateDnsNameOptionsOnLaunch": {"hostnameType": "ip-name", "enableResourceNameDnsARecord": False,
                                          "enableResourceNameDnsAAAARecord": False},
        "ipv6Native": False, "enableDns64": False}}
    return req, resp


def create_security_group_shape(ids: Ids, *, name: str, description: str, vpc: str,
                                tags: dict | None) -> tuple[dict, dict]:
    req: dict = {"groupName": name, "groupDescription": description, "vpcId": vpc}
    resp: dict = {"requestId": None, "_return": True, "groupId": ids.ec2("sg")}
    if tags:
        req["tagSpecificationSet"] = {"items": [{"resourceType": "security-group", "tags": tag_list(tags)}]}
        resp["tagSet"] = {"items": tag_list(tags)}
    return req, resp


def authorize_ingress_shape(ids: Ids, *, account: str, group: str, port: int, cidr: str,
                            description: str) -> tuple[dict, dict]:
    req = {"groupId": group, "ipPermissions": {"items": [{
        "ipProtocol": "tcp", "fromPort": port, "toPort": port, "groups": {},
        "ipRanges": {"items": [{"cidrIp": cidr, "description": description}]}, "ipv6Ranges": {},
        "prefixListIds": {}}]}}
    resp = {"requestId": None, "_return": True, "securityGroupRuleSet": {"items": [{
        "groupOwnerId": account, "groupId": group, "securityGroupRuleId": ids.ec2("sgr"), "description": description,
        "isEgress": False, "ipProtocol": "tcp", "fromPort": port, "toPort": port, "cidrIpv4": cidr}]}}
    return req, resp


def allocate_address_shape(ids: Ids, *, region: str, tags: dict | None) -> tuple[dict, dict]:
    req: dict = {"domain": "vpc"}
    if tags:
        req["tagSpecificationSet"] = {"items": [{"resourceType": "elastic-ip", "tags": tag_list(tags)}]}
    rng = ids.rng
    resp = {"requestId": None, "publicIp": f"{rng.choice((3, 18, 34, 44, 52, 54))}.{rng.randrange(256)}."
                                          f"{rng.randrange(256)}.{rng.randrange(1, 255)}",
            "domain": "vpc", "allocationId": ids.ec2("eipalloc"), "publicIpv4Pool": "amazon",
            "networkBorderGroup": region}
    return req, resp


def release_address_shape(allocation: str, region: str) -> tuple[dict, dict]:
    return {"allocationId": allocation, "networkBorderGroup": region}, {"requestId": None, "_return": True}


def create_nat_gateway_shape(ids: Ids, *, t: int, subnet: str, vpc: str, allocation: str, tags: dict,
                             client_token: str) -> tuple[dict, dict]:
    req_tags = [{"Value": v, "tag": i + 1, "Key": k} for i, (k, v) in enumerate(tags.items())]
    req = {"CreateNatGatewayRequest": {
        "ConnectivityType": "public", "AllocationId": allocation, "SubnetId": subnet, "ClientToken": client_token,
        "TagSpecification": {"ResourceType": "natgateway", "tag": 1, "Tag": req_tags}}}
    nat = ids.ec2("nat")
    resp = {"CreateNatGatewayResponse": {
        "xmlns": "http://ec2.amazonaws.com/doc/2016-11-15/",
        "natGateway": {"connectivityType": "public", "subnetId": subnet,
                       "tagSet": {"item": [{"value": v, "key": k} for k, v in tags.items()]},
                       "natGatewayAddressSet": {"item": {"isPrimary": True, "allocationId": allocation,
                                                         "status": "associating"}},
                       "createTime": iso_ms(t), "vpcId": vpc, "natGatewayId": nat, "state": "pending"},
        "requestId": None, "clientToken": client_token}}
    return req, resp


def create_launch_template_shape(ids: Ids, *, t: int, name: str, image: str, itype: str, sg: str,
                                 created_by: str, client_token: str) -> tuple[dict, dict]:
    req = {"CreateLaunchTemplateRequest": {
        "LaunchTemplateName": name, "ClientToken": client_token,
        "LaunchTemplateData": {"ImageId": image, "InstanceType": itype,
                               "SecurityGroupId": {"tag": 1, "content": sg},
                               "MetadataOptions": {"HttpTokens": "required", "HttpEndpoint": "enabled"}}}}
    resp = {"CreateLaunchTemplateResponse": {
        "xmlns": "http://ec2.amazonaws.com/doc/2016-11-15/", "requestId": None,
        "launchTemplate": {"launchTemplateId": ids.ec2("lt"), "launchTemplateName": name,
                           "createTime": iso_ms(t), "createdBy": created_by,
                           "defaultVersionNumber": 1, "latestVersionNumber": 1}}}
    return req, resp


def create_snapshot_shape(ids: Ids, *, account: str, t: int, volume: str, size: int, description: str) -> tuple[dict, dict]:
    req = {"volumeId": volume, "description": description}
    resp = {"requestId": None, "snapshotId": ids.ec2("snap"), "volumeId": volume, "status": "pending",
            "startTime": t * 1000, "progress": "", "ownerId": account, "volumeSize": size,
            "description": description, "encrypted": False}
    return req, resp


def create_key_pair_shape(ids: Ids, *, name: str) -> tuple[dict, dict]:
    fp = ":".join(ids.hexid(2) for _ in range(20))
    return ({"keyName": name, "keyType": "ed25519", "keyFormat": "pem"},
            {"requestId": None, "keyName": name, "keyFingerprint": fp, "keyPairId": ids.ec2("key"),
             "keyMaterial": "<sensitiveDataRemoved>"})


# --- S3 ---------------------------------------------------------------------------------------------


def s3_host(bucket: str | None, region: str) -> str:
    if bucket is None:
        return "s3.amazonaws.com" if region == "us-east-1" else f"s3.{region}.amazonaws.com"
    return f"{bucket}.s3.amazonaws.com" if region == "us-east-1" else f"{bucket}.s3.{region}.amazonaws.com"


def s3_additional(ids: Ids, bytes_in: int = 0, bytes_out: int = 0) -> dict:
    return {"SignatureVersion": "SigV4", "CipherSuite": "TLS_AES_128_GCM_SHA256", "bytesTransferredIn": bytes_in,
            "AuthenticationMethod": "AuthHeader", "x-amz-id-2": ids.alnum(56) + "=", "bytesTransferredOut": bytes_out}


def create_bucket_shape(bucket: str, region: str) -> tuple[dict, None]:
    req: dict = {"bucketName": bucket, "Host": s3_host(bucket, region)}
    if region != "us-east-1":
        req["CreateBucketConfiguration"] = {"LocationConstraint": region,
                                            "xmlns": "http://s3.amazonaws.com/doc/2006-03-01/"}
    return req, None


def bucket_policy(bucket: str, account: str) -> dict:
    return {"Version": "2012-10-17", "Statement": [
        {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
         "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
         "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
        {"Sid": "AllowAccountRead", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
         "Action": ["s3:GetObject", "s3:ListBucket"],
         "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"]}]}


# --- IAM --------------------------------------------------------------------------------------------

_TRUST = {
    "lambda": '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}',
    "ec2": '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}',
    "eks": '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"eks.amazonaws.com"},"Action":"sts:AssumeRole"}]}',
    "sagemaker": '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"sagemaker.amazonaws.com"},"Action":"sts:AssumeRole"}]}',
}


def _url_quote(text: str) -> str:
    out = []
    for ch in text:
        out.append(ch if ch.isalnum() or ch in "-_.~" else "%" + format(ord(ch), "02X"))
    return "".join(out)


def create_role_shape(ids: Ids, *, account: str, t: int, name: str, service: str, tags: dict | None = None,
                      path: str = "/", description: str | None = None) -> tuple[dict, dict]:
    doc = _TRUST[service]
    req: dict = {"path": path, "roleName": name, "assumeRolePolicyDocument": doc}
    if description:
        req["description"] = description
    if tags:
        req["tags"] = tag_list(tags)
    role = {"path": path, "roleName": name, "roleId": ids.key("AROA"), "arn": f"arn:aws:iam::{account}:role{path}{name}",
            "createDate": locale_date(t, comma=False), "assumeRolePolicyDocument": _url_quote(doc)}
    if tags:
        role["tags"] = tag_list(tags)
    return req, {"role": role}


def create_user_shape(ids: Ids, *, account: str, t: int, name: str, tags: dict | None = None) -> tuple[dict, dict]:
    req: dict = {"userName": name}
    if tags:
        req["tags"] = tag_list(tags)
    user = {"path": "/", "userName": name, "userId": ids.key("AIDA"), "arn": f"arn:aws:iam::{account}:user/{name}",
            "createDate": locale_date(t, comma=False)}
    if tags:
        user["tags"] = tag_list(tags)
    return req, {"user": user}


def create_access_key_shape(ids: Ids, *, t: int, user: str) -> tuple[dict, dict]:
    return ({"userName": user}, {"accessKey": {"accessKeyId": ids.key("AKIA"), "status": "Active", "userName": user,
                                               "createDate": locale_date(t, comma=False)}})


# --- Lambda -----------------------------------------------------------------------------------------


def _function_configuration(ids: Ids, *, account: str, region: str, t: int, name: str, role_arn: str,
                            runtime: str, handler: str, memory: int, timeout: int, env: dict | None) -> dict:
    """The FunctionConfiguration Lambda returns from create and update calls."""
    return {"functionName": name, "functionArn": f"arn:aws:lambda:{region}:{account}:function:{name}",
            "runtime": runtime, "role": role_arn, "handler": handler, "codeSize": ids.rng.randrange(900, 90000),
            "description": "", "timeout": timeout, "memorySize": memory,
            "lastModified": iso(t)[:-1] + ".000+0000", "codeSha256": ids.alnum(43) + "=", "version": "$LATEST",
            "environment": {"variables": env} if env else {}, "tracingConfig": {"mode": "PassThrough"},
            "revisionId": ids.uuid(), "packageType": "Zip", "architectures": ["arm64"],
            "ephemeralStorage": {"size": 512}, "snapStart": {"applyOn": "None", "optimizationStatus": "Off"}}


def create_function_shape(ids: Ids, *, account: str, region: str, t: int, name: str, role_arn: str, runtime: str,
                          handler: str, memory: int, timeout: int, bucket: str, key: str,
                          env: dict | None = None, tags: dict | None = None) -> tuple[dict, dict]:
    req = {"functionName": name, "runtime": runtime, "role": role_arn, "handler": handler,
           "code": {"s3Bucket": bucket, "s3Key": key}, "description": "", "timeout": timeout, "memorySize": memory,
           "publish": False, "packageType": "Zip", "environment": {"variables": env} if env else {},
           "architectures": ["arm64"]}
    if tags:
        req["tags"] = tags
    resp = _function_configuration(ids, account=account, region=region, t=t, name=name, role_arn=role_arn,
                                   runtime=runtime, handler=handler, memory=memory, timeout=timeout, env=env)
    resp.update({"state": "Pending", "stateReason": "The function is being created.", "stateReasonCode": "Creating",
                 "loggingConfig": {"logFormat": "Text", "logGroup": f"/aws/lambda/{name}"}})
    return req, resp


def update_function_configuration_shape(ids: Ids, *, account: str, region: str, t: int, name: str,
                                        role_arn: str, runtime: str, handler: str, memory: int, timeout: int,
                                        env: dict | None) -> tuple[dict, dict]:
    req = {"functionName": name, "timeout": timeout, "memorySize": memory,
           "environment": {"variables": env} if env else {}}
    resp = _function_configuration(ids, account=account, region=region, t=t, name=name, role_arn=role_arn,
                                   runtime=runtime, handler=handler, memory=memory, timeout=timeout, env=env)
    resp.update({"state": "Active", "lastUpdateStatus": "InProgress",
                 "lastUpdateStatusReason": "The function is being updated.", "lastUpdateStatusReasonCode": "Updating"})
    return req, resp


# --- RDS --------------------------------------------------------------------------------------------


def create_db_instance_shape(ids: Ids, *, account: str, region: str, ident: str, cls: str, engine: str,
                             version: str, storage: int, subnet_group: str, vpc: str, sg: str,
                             tags: dict | None) -> tuple[dict, dict]:
    req = {"dBInstanceIdentifier": ident, "allocatedStorage": storage, "dBInstanceClass": cls, "engine": engine,
           "masterUsername": "sandboxadmin", "masterUserPassword": "HIDDEN_DUE_TO_SECURITY_REASONS",
           "vpcSecurityGroupIds": [sg], "dBSubnetGroupName": subnet_group, "backupRetentionPeriod": 1,
           "multiAZ": False, "engineVersion": version, "autoMinorVersionUpgrade": True, "publiclyAccessible": False,
           "storageType": "gp3", "storageEncrypted": True, "copyTagsToSnapshot": True, "deletionProtection": False,
           "tags": [{"key": k, "value": v} for k, v in (tags or {}).items()]}
    resp = {"dBInstanceIdentifier": ident, "dBInstanceClass": cls, "engine": engine, "dBInstanceStatus": "creating",
            "masterUsername": "sandboxadmin", "allocatedStorage": storage, "preferredBackupWindow": "03:12-03:42",
            "backupRetentionPeriod": 1, "dBSecurityGroups": [],
            "vpcSecurityGroups": [{"vpcSecurityGroupId": sg, "status": "active"}],
            "dBParameterGroups": [{"dBParameterGroupName": f"default.{engine}{version.split('.')[0]}",
                                   "parameterApplyStatus": "in-sync"}],
            "dBSubnetGroup": {"dBSubnetGroupName": subnet_group, "dBSubnetGroupDescription": "sandbox databases",
                              "vpcId": vpc, "subnetGroupStatus": "Complete"},
            "preferredMaintenanceWindow": "sun:05:07-sun:05:37", "pendingModifiedValues": {
                "masterUserPassword": "HIDDEN_DUE_TO_SECURITY_REASONS"},
            "multiAZ": False, "engineVersion": version, "autoMinorVersionUpgrade": True,
            "readReplicaDBInstanceIdentifiers": [], "licenseModel": "postgresql-license",
            "optionGroupMemberships": [{"optionGroupName": f"default:{engine}-{version.split('.')[0]}",
                                        "status": "in-sync"}],
            "publiclyAccessible": False, "storageType": "gp3", "dbInstancePort": 0, "storageEncrypted": True,
            "kmsKeyId": f"arn:aws:kms:{region}:{account}:key/{ids.uuid()}",
            "dbiResourceId": "db-" + ids.upper(26), "cACertificateIdentifier": "rds-ca-rsa2048-g1",
            "domainMemberships": [], "copyTagsToSnapshot": True, "monitoringInterval": 0,
            "dBInstanceArn": f"arn:aws:rds:{region}:{account}:db:{ident}", "iAMDatabaseAuthenticationEnabled": False,
            "performanceInsightsEnabled": False, "deletionProtection": False, "associatedRoles": [],
            "tagList": [{"key": k, "value": v} for k, v in (tags or {}).items()], "customerOwnedIpEnabled": False,
            "networkType": "IPV4", "backupTarget": "region", "dedicatedLogVolume": False}
    return req, resp


def delete_db_instance_shape(*, account: str, region: str, ident: str, cls: str, engine: str) -> tuple[dict, dict]:
    req = {"dBInstanceIdentifier": ident, "skipFinalSnapshot": True, "deleteAutomatedBackups": True}
    resp = {"dBInstanceIdentifier": ident, "dBInstanceClass": cls, "engine": engine, "dBInstanceStatus": "deleting",
            "dBInstanceArn": f"arn:aws:rds:{region}:{account}:db:{ident}", "deletionProtection": False}
    return req, resp


# --- DynamoDB, SQS, SNS, Logs -----------------------------------------------------------------------


def create_table_shape(ids: Ids, *, account: str, region: str, t: int, name: str, pk: str,
                       sk: str | None = None, tags: dict | None = None) -> tuple[dict, dict]:
    attrs = [{"attributeName": pk, "attributeType": "S"}]
    keys = [{"attributeName": pk, "keyType": "HASH"}]
    if sk:
        attrs.append({"attributeName": sk, "attributeType": "S"})
        keys.append({"attributeName": sk, "keyType": "RANGE"})
    req: dict = {"attributeDefinitions": attrs, "tableName": name, "keySchema": keys,
                 "billingMode": "PAY_PER_REQUEST", "deletionProtectionEnabled": False}
    if tags:
        req["tags"] = [{"key": k, "value": v} for k, v in tags.items()]
    resp = {"tableDescription": {
        "attributeDefinitions": attrs, "tableName": name, "keySchema": keys, "tableStatus": "CREATING",
        "creationDateTime": locale_date(t),
        "provisionedThroughput": {"numberOfDecreasesToday": 0, "readCapacityUnits": 0, "writeCapacityUnits": 0},
        "tableSizeBytes": 0, "itemCount": 0, "tableArn": f"arn:aws:dynamodb:{region}:{account}:table/{name}",
        "tableId": ids.uuid(), "billingModeSummary": {"billingMode": "PAY_PER_REQUEST"},
        "deletionProtectionEnabled": False}}
    return req, resp


def queue_url(account: str, region: str, name: str) -> str:
    return f"https://sqs.{region}.amazonaws.com/{account}/{name}"


def create_queue_shape(*, account: str, region: str, name: str, tags: dict | None = None,
                       attributes: dict | None = None) -> tuple[dict, dict]:
    req: dict = {"queueName": name}
    if attributes:
        req["attributes"] = attributes
    if tags:
        req["tags"] = tags
    return req, {"queueUrl": queue_url(account, region, name)}


def create_topic_shape(*, account: str, region: str, name: str, tags: dict | None = None) -> tuple[dict, dict]:
    req: dict = {"name": name}
    if tags:
        req["tags"] = tag_list(tags)
    return req, {"topicArn": f"arn:aws:sns:{region}:{account}:{name}"}


# --- EKS, ELBv2, CloudFormation, Secrets Manager, KMS, SageMaker, Auto Scaling ----------------------


def create_cluster_shape(ids: Ids, *, account: str, region: str, t: int, name: str, version: str, role_arn: str,
                         subnets: list[str], sg: str, vpc: str, tags: dict) -> tuple[dict, dict]:
    req = {"name": name, "version": version, "roleArn": role_arn,
           "resourcesVpcConfig": {"subnetIds": subnets, "securityGroupIds": [sg], "endpointPublicAccess": True,
                                  "endpointPrivateAccess": True},
           "kubernetesNetworkConfig": {"ipFamily": "ipv4"},
           "accessConfig": {"authenticationMode": "API", "bootstrapClusterCreatorAdminPermissions": True},
           "tags": tags, "clientRequestToken": ids.uuid()}
    resp = {"cluster": {
        "name": name, "arn": f"arn:aws:eks:{region}:{account}:cluster/{name}", "createdAt": locale_date(t),
        "version": version, "roleArn": role_arn,
        "resourcesVpcConfig": {"subnetIds": subnets, "securityGroupIds": [sg], "vpcId": vpc,
                               "endpointPublicAccess": True, "endpointPrivateAccess": True,
                               "publicAccessCidrs": ["0.0.0.0/0"]},
        "kubernetesNetworkConfig": {"serviceIpv4Cidr": "172.20.0.0/16", "ipFamily": "ipv4"},
        "logging": {"clusterLogging": [{"types": ["api", "audit", "authenticator", "controllerManager", "scheduler"],
                                        "enabled": False}]},
        "status": "CREATING", "certificateAuthority": {}, "platformVersion": "eks.12", "tags": tags,
        "accessConfig": {"authenticationMode": "API"}, "upgradePolicy": {"supportType": "STANDARD"}}}
    return req, resp


def create_nodegroup_shape(ids: Ids, *, account: str, region: str, t: int, cluster: str, name: str,
                           version: str, node_role: str, subnets: list[str], itype: str, size: int,
                           tags: dict) -> tuple[dict, dict]:
    scaling = {"minSize": 1, "maxSize": size + 1, "desiredSize": size}
    req = {"name": cluster, "nodegroupName": name, "scalingConfig": scaling, "diskSize": 50, "subnets": subnets,
           "instanceTypes": [itype], "amiType": "AL2023_x86_64_STANDARD", "nodeRole": node_role,
           "capacityType": "ON_DEMAND", "tags": tags, "clientRequestToken": ids.uuid()}
    resp = {"nodegroup": {
        "nodegroupName": name, "nodegroupArn": f"arn:aws:eks:{region}:{account}:nodegroup/{cluster}/{name}/{ids.uuid()}",
        "clusterName": cluster, "version": version, "releaseVersion": "1.31.3-20241121",
        "createdAt": locale_date(t), "modifiedAt": locale_date(t), "status": "CREATING", "capacityType": "ON_DEMAND",
        "scalingConfig": scaling, "instanceTypes": [itype], "subnets": subnets, "amiType": "AL2023_x86_64_STANDARD",
        "nodeRole": node_role, "diskSize": 50, "health": {"issues": []}, "updateConfig": {"maxUnavailable": 1},
        "tags": tags}}
    return req, resp


def create_load_balancer_shape(ids: Ids, *, account: str, region: str, t: int, name: str, subnets: list[str],
                               azs: list[str], sg: str, vpc: str) -> tuple[dict, dict]:
    req = {"name": name, "subnets": subnets, "securityGroups": [sg], "scheme": "internet-facing",
           "type": "application", "ipAddressType": "ipv4"}
    resp = {"loadBalancers": [{
        "loadBalancerArn": f"arn:aws:elasticloadbalancing:{region}:{account}:loadbalancer/app/{name}/{ids.hexid(16)}",
        "dNSName": f"{name}-{ids.rng.randrange(10**8, 10**10)}.{region}.elb.amazonaws.com",
        "canonicalHostedZoneId": "Z35SXDOTRQ7X7K", "createdTime": locale_date(t), "loadBalancerName": name,
        "scheme": "internet-facing", "vpcId": vpc, "state": {"code": "provisioning"}, "type": "application",
        "availabilityZones": [{"zoneName": az, "subnetId": s, "loadBalancerAddresses": []} for az, s in zip(azs, subnets)],
        "securityGroups": [sg], "ipAddressType": "ipv4"}]}
    return req, resp


def create_stack_shape(ids: Ids, *, account: str, region: str, name: str, template_url: str) -> tuple[dict, dict]:
    req = {"stackName": name, "templateURL": template_url,
           "parameters": [{"parameterKey": "BootstrapVersion", "parameterValue": "/cdk-bootstrap/hnb659fds/version"}],
           "capabilities": ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"],
           "tags": [], "clientRequestToken": f"exec{ids.uuid()}"}
    return req, {"stackId": f"arn:aws:cloudformation:{region}:{account}:stack/{name}/{ids.uuid()}"}


def create_secret_shape(ids: Ids, *, account: str, region: str, name: str, description: str,
                        kms_key: str | None = None) -> tuple[dict, dict]:
    req = {"name": name, "clientRequestToken": ids.uuid(), "description": description,
           "secretString": "HIDDEN_DUE_TO_SECURITY_REASONS", "forceOverwriteReplicaSecret": False}
    if kms_key:
        req["kmsKeyId"] = kms_key
    return req, {"arn": f"arn:aws:secretsmanager:{region}:{account}:secret:{name}-{ids.alnum(6)}"}


def create_key_shape(ids: Ids, *, account: str, region: str, t: int, description: str,
                     tags: dict | None) -> tuple[dict, dict, str]:
    key_id = ids.uuid()
    arn = f"arn:aws:kms:{region}:{account}:key/{key_id}"
    req = {"description": description, "keyUsage": "ENCRYPT_DECRYPT", "keySpec": "SYMMETRIC_DEFAULT",
           "bypassPolicyLockoutSafetyCheck": False,
           "tags": [{"tagKey": k, "tagValue": v} for k, v in (tags or {}).items()]}
    resp = {"keyMetadata": {"aWSAccountId": account, "keyId": key_id, "arn": arn, "creationDate": locale_date(t),
                            "enabled": True, "description": description, "keyUsage": "ENCRYPT_DECRYPT",
                            "keyState": "Enabled", "origin": "AWS_KMS", "keyManager": "CUSTOMER",
                            "customerMasterKeySpec": "SYMMETRIC_DEFAULT", "keySpec": "SYMMETRIC_DEFAULT",
                            "encryptionAlgorithms": ["SYMMETRIC_DEFAULT"], "multiRegion": False}}
    return req, resp, arn


def schedule_key_deletion_shape(*, key_id: str, arn: str, t: int, days: int) -> tuple[dict, dict]:
    end = (t // 86400 + days + 1) * 86400
    return ({"keyId": key_id, "pendingWindowInDays": days},
            {"keyId": arn, "deletionDate": locale_date(end), "keyState": "PendingDeletion", "pendingWindowInDays": days})


def create_notebook_shape(*, account: str, region: str, name: str, itype: str, role_arn: str) -> tuple[dict, dict]:
    req = {"notebookInstanceName": name, "instanceType": itype, "roleArn": role_arn, "volumeSizeInGB": 50,
           "directInternetAccess": "Enabled", "rootAccess": "Enabled", "platformIdentifier": "notebook-al2-v3",
           "instanceMetadataServiceConfiguration": {"minimumInstanceMetadataServiceVersion": "2"}}
    return req, {"notebookInstanceArn": f"arn:aws:sagemaker:{region}:{account}:notebook-instance/{name.lower()}"}


def create_asg_shape(*, name: str, launch_template: str, subnets: list[str], size: int, tags: dict) -> tuple[dict, None]:
    req = {"autoScalingGroupName": name, "launchTemplate": {"launchTemplateId": launch_template, "version": "$Latest"},
           "minSize": size, "maxSize": size * 2, "desiredCapacity": size, "vPCZoneIdentifier": ",".join(subnets),
           "healthCheckType": "EC2", "healthCheckGracePeriod": 300,
           "tags": [{"resourceId": name, "resourceType": "auto-scaling-group", "key": k, "value": v,
                     "propagateAtLaunch": True} for k, v in tags.items()]}
    return req, None
