"""classify_tool / user_agent_extras (reference cloudtrail.md §6).

The table mixes the example strings of reference §6.2 with agents copied verbatim from the real
records in ../shared/datasets; a second test walks every record of those datasets (skipped, saying
why, when the folder is absent).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cloudblame.normalize.model import Tool
from cloudblame.normalize.useragent import RULES, TOOL_IDS, classify_tool, user_agent_extras
from tests.datasets import read_records

DATASETS = (Path(__file__).resolve().parents[2] / ".." / "shared" / "datasets").resolve()

# invictus-aws: bert-jan's Terraform, and a Stratus Red Team warm-up (Terraform with the run's token appended)
TF_INVICTUS = ("APN/1.0 HashiCorp/1.0 Terraform/1.1.2 (+https://www.terraform.io) terraform-provider-aws/3.76.1 "
               "(+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go/1.44.157 (go1.19.3; linux; amd64) "
               "HashiCorp-terraform-exec/0.17.3")
TF_STRATUS = TF_INVICTUS.replace("HashiCorp-", "stratus-red-team_11a6ef34-e130-4579-a1d3-79c915cee6ec HashiCorp-")
TF_V2 = ("APN/1.0 HashiCorp/1.0 Terraform/1.11.0 (+https://www.terraform.io) terraform-provider-aws/5.98.0 "
         "(+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.36.3 ua/2.1 os/linux "
         "lang/go#1.23.8 md/GOOS#linux md/GOARCH#amd64 api/apigatewayv2#1.27.1 m/g")
CLI_CLOUDSHELL = ("aws-cli/2.31.1 md/awscrt#0.27.6 ua/2.1 os/linux#6.1.147-172.266.amzn2023.x86_64 md/arch#x86_64 "
                  "lang/python#3.13.7 md/pyimpl#CPython exec-env/CloudShell m/b,Z,E cfg/retry-mode#standard "
                  "md/installer#exe md/distrib#amzn.2023 md/prompt#off md/command#ec2.describe-hosts")
S3_CONSOLE = ("[S3Console/0.4, aws-internal/3 aws-sdk-java/1.12.488 Linux/5.10.184-153.731.amzn2int.x86_64 "
              "OpenJDK_64-Bit_Server_VM/25.372-b08 java/1.8.0_372 vendor/Oracle_Corporation cfg/retry-mode/standard]")
CFN = "cloudformation.amazonaws.com"

# (user_agent, invoked_by, source_ip, expected slug, expected version)
CASES = [
    # Terraform / OpenTofu / Pulumi / Crossplane (tool tokens beat the aws-sdk-go they contain)
    (TF_INVICTUS, None, "84.86.202.169", "terraform", "1.1.2"),
    ("[" + TF_INVICTUS[:190], None, None, "terraform", "1.1.2"),  # S3 bracket, truncated
    (TF_V2, None, None, "terraform", "1.11.0"),
    ("aws-sdk-go/1.29.7 (go1.13.7; darwin; amd64) APN/1.0 HashiCorp/1.0 Terraform/0.12.24 (+https://www.terraform.io)",
     None, None, "terraform", "0.12.24"),
    ("APN/1.0 HashiCorp/1.0 Terraform/ (+https://www.terraform.io/)", None, None, "terraform", None),
    ("APN/1.0 HashiCorp/1.0 OpenTofu/1.8.2 (+https://opentofu.org) terraform-provider-aws/5.70.0", None, None,
     "opentofu", "1.8.2"),
    ("APN/1.0 Pulumi/1.0 Pulumi-Aws/6.52.0 (+https://www.pulumi.com) aws-sdk-go-v2/1.30.3 ua/2.1", None, None,
     "pulumi", "6.52.0"),
    ("aws-sdk-go-v2/1.30.3 APN/1.0 Pulumi/3.9.1 PulumiAwsNative/0.112.0", None, None, "pulumi", "0.112.0"),
    ("aws-sdk-go-v2/1.26.1 os/linux lang/go#1.21 crossplane-provider-aws/v0.47.0", None, None, "crossplane", "0.47.0"),
    ("APN/1.0 HashiCorp/1.0 Terraform/1.5.7 terraform-provider-aws/5.31.0 crossplane-provider-aws-upbound/v1.1.0",
     None, None, "crossplane", "1.1.0"),
    # Stratus Red Team: plain and bracketed by S3; its Terraform warm-ups are Terraform (what created the
    # resources; tests/integration/test_invictus.py expects them so)
    ("stratus-red-team_ea782787-a65d-4fc4-9fca-1c97869a9a25", None, None, "stratus-red-team", None),
    ("[stratus-red-team_b1d7e3ac-1a0f-40b2-b062-a4297558e42f]", None, None, "stratus-red-team", None),
    (TF_STRATUS, None, None, "terraform", "1.1.2"),
    # Other tools appended to SDK strings
    ("Boto3/1.28.57 Python/3.11.5 Linux/6.2.0 Botocore/1.31.57 APN/1.0 Ansible/2.15.4 amazon.aws/7.0.0", None, None,
     "ansible", "2.15.4"),
    ("Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#6.1.0 lang/python#3.12.2 Botocore/1.34.69 aws-sam-cli/1.120.0",
     None, None, "sam", "1.120.0"),
    ("Boto3/1.34.69 Botocore/1.34.69 aws-sam-cli/1.120.0/6b2c7a1e-installation-id", None, None, "sam", "1.120.0"),
    ("aws-sdk-nodejs/2.1586.0 linux/v20.15.1 aws-cdk/2.135.0 promise", None, None, "cdk", "2.135.0"),
    ("aws-sdk-js/3.552.0 ua/2.1 os/linux#5.15.0 lang/js md/nodejs#20.11.1 api/cloudformation#3.552.0 aws-cdk/2.1118.0",
     None, None, "cdk", "2.1118.0"),
    ("aws-sdk-js/3.966.0 ua/2.1 os/linux lang/js api/cloudformation#3.966.0 m/E,T,s,r serverless-framework/4.31.0",
     None, None, "serverless", "4.31.0"),
    ("aws-sdk-go-v2/1.30.1 os/linux lang/go#1.22.4 md/GOOS#linux md/GOARCH#amd64 api/cloudformation#1.53.0 eksctl/0.190.0",
     None, None, "eksctl", "0.190.0"),
    ("aws-sdk-go/1.44.0 (go1.19; linux; amd64) karpenter.sh-v0.31.0", None, None, "karpenter", "0.31.0"),
    # AWS CLI v1 and v2 (real agents)
    (CLI_CLOUDSHELL, None, None, "aws-cli", "2.31.1"),
    ("aws-cli/2.13.5 Python/3.11.4 Linux/4.14.255-314-253.539.amzn2.x86_64 exec-env/CloudShell exe/x86_64.amzn.2 "
     "prompt/off command/ec2.start-instances", None, None, "aws-cli", "2.13.5"),
    ("aws-cli/2.13.0", None, None, "aws-cli", "2.13.0"),
    ("aws-cli/1.15.42 Python/3.6.1 Darwin/17.7.0 botocore/1.10.42", None, None, "aws-cli", "1.15.42"),
    ("aws-cli/1.7.36 Python/2.6.6 Linux/2.6.32-573.8.1.el6.x86_64", None, None, "aws-cli", "1.7.36"),
    # Python: Boto3, and botocore-only tools (Cloud Custodian)
    ("[Boto3/1.26.165 Python/3.10.6 Linux/5.19.0-46-generic Botocore/1.29.165]", None, None, "boto3", "1.26.165"),
    ("Boto3/1.26.2 Python/3.10.8 Linux/4.14.294-220.533.amzn2.x86_64 exec-env/AWS_ECS_FARGATE Botocore/1.29.2",
     None, None, "boto3", "1.26.2"),
    ("CloudCustodian(net-change-encryption)/0.9.2 Python/3.8.3 Linux/4.14.165-102.205.amzn2.x86_64 "
     "exec-env/AWS_Lambda_python3.8 Botocore/1.15.49", None, None, "boto3", "1.15.49"),
    # Other SDKs
    ("aws-sdk-go/1.15.12 (go1.12.6; linux; amd64)", None, None, "sdk-go", "1.15.12"),
    ("aws-sdk-go-v2/1.17.0 os/linux lang/go/1.18.10 md/GOOS/linux md/GOARCH/amd64 api/ec2/1.63.1", None, None,
     "sdk-go", "1.17.0"),
    ("aws-sdk-java/2.30.21 md/io#async md/http#NettyNio ua/2.1 os/Linux#5.10 lang/java#17.0.13", None, None,
     "sdk-java", "2.30.21"),
    ("aws-sdk-java/1.12.488 Linux/5.10 OpenJDK_64-Bit_Server_VM/25.372-b08 java/1.8.0_372 vendor/Oracle_Corporation",
     None, None, "sdk-java", "1.12.488"),
    ("aws-sdk-js/3.552.0 ua/2.1 os/linux#5.15.0 lang/js md/nodejs#20.11.1 api/s3#3.552.0", None, None,
     "sdk-js", "3.552.0"),
    ("aws-sdk-nodejs/2.1586.0 linux/v20.15.1 exec-env/AWS_Lambda_nodejs18.x", None, None, "sdk-js", "2.1586.0"),
    ("aws-sdk-dotnet-coreclr/3.7.300.1 aws-sdk-dotnet-core/3.7.300.1 .NET_Core/6.0 OS/Linux", None, None,
     "sdk-dotnet", "3.7.300.1"),
    ("aws-sdk-ruby3/3.187.0 ruby/3.2.0 x86_64-linux aws-sdk-ec2/1.400.0", None, None, "sdk-ruby", "3.187.0"),
    ("aws-sdk-php/3.300.0 OS/Linux/5.15.0 GuzzleHttp/7 curl/7.81.0 PHP/8.2.0", None, None, "sdk-php", "3.300.0"),
    ("aws-sdk-rust/1.3.0 os/linux lang/rust#1.75.0", None, None, "sdk-rust", "1.3.0"),
    # Console: S3 console backend, other console backends, console DNS names, browsers (masked ones too)
    (S3_CONSOLE, None, "84.86.202.169", "console", None),
    ("[S3Console/0.4]", None, None, "console", None),
    ("RDS Console, aws-internal/3 aws-sdk-java/1.11.975 Linux/5.10.184-153.731.amzn2int.x86_64 "
     "OpenJDK_64-Bit_Server_VM/25.242-b08 java/1.8.0_242 vendor/Oracle_Corporation cfg/retry-mode/legacy",
     None, None, "console", None),
    ("[AWSCloudTrail, aws-internal/3 aws-sdk-java/1.12.433 Linux/5.4.247-169.350.amzn2int.x86_64]", None, "10.8.8.10",
     "console", None),
    ("console.amazonaws.com", None, None, "console", None),
    ("console.ec2.amazonaws.com", None, None, "console", None),
    ("signin.amazonaws.com", None, None, "console", None),
    ("Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:102.0) Gecko/20100101 Firefox/102.0", None, None, "console", None),
    ("[Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 "
     "Safari/537.36]", None, None, "console", None),
    ("Mozilla", None, None, "console", None),
    ("aws-internal/3 aws-sdk-java/1.12.124 Linux/4.9.273", "signin.amazonaws.com", "40.185.186.6", "console", None),
    # CloudFormation: user agent, invokedBy, or source IP; the service wins over a tool agent it forwarded
    (CFN, None, CFN, "cloudformation", None),
    ("console.amazonaws.com", CFN, CFN, "cloudformation", None),
    (TF_V2, CFN, None, "cloudformation", None),
    (None, None, CFN, "cloudformation", None),
    # AWS services
    ("AWS Internal", None, "AWS Internal", "aws-service", None),
    ("AWS Internal/3", None, None, "aws-service", None),
    ("secretsmanager.amazonaws.com", "secretsmanager.amazonaws.com", "secretsmanager.amazonaws.com",
     "aws-service", None),
    ("trustedadvisor.amazonaws.com", None, "trustedadvisor.amazonaws.com", "aws-service", None),
    ("aws-cli/2.15.30 Python/3.11.8", "autoscaling.amazonaws.com", "autoscaling.amazonaws.com", "aws-service", None),
    (None, "eks.amazonaws.com", "eks.amazonaws.com", "aws-service", None),
    (None, None, "ec2.amazonaws.com", "aws-service", None),
    ("aws-sdk-go/1.41.4 (go1.18.3; linux; amd64) amazon-ssm-agent/", None, "10.0.1.50", "aws-service", None),
    ("awslambda-worker/1.0 rusoto/0.47.0 rust/1.55.0 linux", None, None, "aws-service", None),
    # Generic HTTP clients
    ("python-requests/2.28.0", None, None, "http-client", "2.28.0"),
    ("curl/7.81.0", None, None, "http-client", "7.81.0"),
    ("Go-http-client/1.1", None, None, "http-client", "1.1"),
    ("okhttp/4.12.0", None, None, "http-client", "4.12.0"),
    ("axios/1.6.8", None, None, "http-client", "1.6.8"),
    ("Jersey/${project.version} (HttpUrlConnection 17.0.12)", None, None, "http-client", None),
    # Unrecognised agents: "other", kept verbatim, no version
    ("<script>alert(document.cookie)</script>", None, None, "other", None),
    ("TruffleHog", None, None, "other", None),
    ("example-user-agent", None, None, "other", None),
    ("aws-sdk-go-v3", None, None, "other", None),  # no "/version": not an SDK token
    ("evil.amazonaws.com.attacker.io", None, None, "other", None),  # not a service DNS name
    # No agent at all
    (None, None, None, "unknown", None),
    ("", None, None, "unknown", None),
    ("   ", None, "203.0.113.7", "unknown", None),
]


@pytest.mark.parametrize(("user_agent", "invoked_by", "source_ip", "slug", "version"), CASES)
def test_classify_tool(user_agent, invoked_by, source_ip, slug, version):
    tool = classify_tool(user_agent, invoked_by=invoked_by, source_ip=source_ip)
    assert isinstance(tool, Tool)
    assert (tool.id, tool.version) == (slug, version), user_agent
    assert tool.user_agent == (user_agent if user_agent and user_agent.strip() else None)  # verbatim


def test_every_slug_is_covered_by_the_table_and_rules_are_data():
    assert {case[3] for case in CASES} == set(TOOL_IDS)
    assert len(TOOL_IDS) == len(set(TOOL_IDS)) == 26
    assert all(slug in TOOL_IDS and isinstance(rx, re.Pattern) for slug, rx in RULES)
    assert {slug for slug, _ in RULES} == set(TOOL_IDS) - {"unknown", "other"}
    assert all(set(rx.groupindex) <= {"v"} for _, rx in RULES)


def test_cli_versions_tell_v1_from_v2():
    v1 = classify_tool("aws-cli/1.18.103 Python/3.8.2 Linux/4.14.181 botocore/1.17.26")
    v2 = classify_tool("aws-cli/2.24.21 md/awscrt#0.23.8 ua/2.1 os/linux#6.1.127 md/command#ec2.run-instances")
    assert (v1.id, v1.version.split(".")[0]) == ("aws-cli", "1")
    assert (v2.id, v2.version.split(".")[0]) == ("aws-cli", "2")


class _Hostile:
    def __str__(self):
        raise RuntimeError("no")


@pytest.mark.parametrize("value", [42, 3.5, True, ["Boto3/1.0"], {"userAgent": "aws-cli/2.0"}, b"aws-cli/2.0",
                                   _Hostile()])
def test_non_string_agents_are_other_never_raise(value):
    tool = classify_tool(value, invoked_by=["x"], source_ip=12)  # type: ignore[arg-type]
    assert tool.id == "other" and tool.version is None
    assert isinstance(tool.user_agent, str) and tool.user_agent


@pytest.mark.parametrize("value", ["[", "]", "[]", "[[[", "\x00\xff\ud800", "Terraform/" * 500, "a" * 100_000,
                                   "aws-cli/" + "9." * 3000, "x.amazonaws.com" + "." * 5000, "é🚀/1.0"])
def test_odd_strings_never_raise(value):
    tool = classify_tool(value, invoked_by="", source_ip="")
    assert tool.id in TOOL_IDS
    assert extras_ok(user_agent_extras(value))


def extras_ok(extras) -> bool:
    return set(extras) == {"exec_env", "cli_command", "sdk_api", "tf_provider"}


def test_user_agent_extras():
    assert user_agent_extras(CLI_CLOUDSHELL) == {
        "exec_env": "CloudShell", "cli_command": "ec2.describe-hosts", "sdk_api": None, "tf_provider": None}
    old_cli = user_agent_extras("aws-cli/2.13.5 Python/3.11.4 exec-env/CloudShell prompt/off command/ec2.start-instances")
    assert (old_cli["exec_env"], old_cli["cli_command"]) == ("CloudShell", "ec2.start-instances")
    assert user_agent_extras(TF_V2) == {
        "exec_env": None, "cli_command": None, "sdk_api": "apigatewayv2", "tf_provider": "5.98.0"}
    assert user_agent_extras("[" + TF_INVICTUS + "]")["tf_provider"] == "3.76.1"
    assert user_agent_extras("aws-sdk-go-v2/1.17.0 os/linux md/GOARCH/amd64 api/sts/1.16.19")["sdk_api"] == "sts"
    lambda_boto = user_agent_extras("Boto3/1.34.0 md/Botocore#1.34.0 exec-env/AWS_Lambda_python3.12 Botocore/1.34.0")
    assert lambda_boto["exec_env"] == "AWS_Lambda_python3.12"
    assert user_agent_extras(None) == dict.fromkeys(("exec_env", "cli_command", "sdk_api", "tf_provider"))
    assert user_agent_extras(42) == dict.fromkeys(("exec_env", "cli_command", "sdk_api", "tf_provider"))  # type: ignore[arg-type]


# --- every record of the shared datasets -----------------------------------------------------------------

def _dataset_calls() -> list[tuple[object, object, object]]:
    if not DATASETS.is_dir():
        pytest.skip(f"../shared/datasets not present: {DATASETS} (tests on real user agents need it)")
    calls = []
    for path in sorted(DATASETS.rglob("*")):
        if path.is_file() and path.name.endswith((".json", ".json.gz", ".jsonl")):
            for rec in read_records(path):
                ui = rec.get("userIdentity") if isinstance(rec.get("userIdentity"), dict) else {}
                calls.append((rec.get("userAgent"), ui.get("invokedBy"), rec.get("sourceIPAddress")))
    return calls


def test_every_real_user_agent_is_classified():
    calls = _dataset_calls()
    assert len(calls) > 4000, "the datasets hold ~4,300 records; the reader lost some"
    tools = [(ua, classify_tool(ua, invoked_by=by, source_ip=ip)) for ua, by, ip in calls]
    assert all(t.id in TOOL_IDS for _, t in tools)
    others = sorted({str(ua) for ua, t in tools if t.id == "other"})
    n_other = sum(t.id == "other" for _, t in tools)
    assert n_other <= 0.01 * len(tools), f"{n_other} records classify as other; distinct agents: {others}"
    counts = {slug: sum(t.id == slug for _, t in tools) for slug in TOOL_IDS}
    minimum = {"terraform": 1900, "stratus-red-team": 500, "aws-cli": 600, "aws-service": 600, "console": 250,
               "boto3": 50, "cloudformation": 20, "sdk-go": 10, "http-client": 5}
    assert {s: counts[s] for s in minimum if counts[s] < minimum[s]} == {}, counts


def test_real_agents_agree_with_their_own_tokens():
    """Independent of the regexes: the obvious token of each real agent decides its slug."""
    for ua, by, ip in _dataset_calls():
        if not isinstance(ua, str) or by:
            continue
        tool = classify_tool(ua, invoked_by=by, source_ip=ip)
        if ip == CFN:
            assert tool.id == "cloudformation", ua
        elif "HashiCorp/1.0 Terraform/" in ua:
            assert (tool.id, tool.version) == ("terraform", ua.split("Terraform/")[1].split()[0]), ua
        elif "stratus-red-team_" in ua:
            assert (tool.id, tool.version) == ("stratus-red-team", None), ua
        elif ua.lstrip("[").startswith("aws-cli/"):
            assert (tool.id, tool.version) == ("aws-cli", ua.lstrip("[").split()[0].split("/")[1]), ua
        elif ua.lstrip("[").startswith(("S3Console/", "Mozilla/")):
            assert tool.id == "console", ua


def test_an_aws_internal_agent_in_a_console_session_is_the_console():
    from cloudblame.normalize.useragent import classify_tool

    assert classify_tool("AWS Internal").id == "aws-service"
    assert classify_tool("AWS Internal", from_console=True).id == "console"
    assert classify_tool(None, from_console=True).id == "console"
    assert classify_tool("AWS Internal", invoked_by="health.amazonaws.com", from_console=True).id == "console"
    assert classify_tool("AWS Internal", invoked_by="health.amazonaws.com").id == "aws-service"
    # CloudFormation's calls for a stack, or a real tool, stay what they are
    assert classify_tool("AWS Internal", invoked_by="cloudformation.amazonaws.com", from_console=True).id == "cloudformation"
    assert classify_tool("aws-cli/2.15.0 Python/3.11", from_console=True).id == "aws-cli"
