"""Tool classification from user agents (reference §6), on composed and real agents."""

from __future__ import annotations

import gzip
import json

import pytest

from cloudblame.normalize.useragent import TOOL_IDS, classify_tool, user_agent_extras
from tests.conftest import DATASETS

TF = ("APN/1.0 HashiCorp/1.0 Terraform/1.9.8 (+https://www.terraform.io) terraform-provider-aws/5.80.0 "
      "(+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.32.6 ua/2.1 os/linux lang/go#1.23.3")

CASES = [
    (TF, None, None, "terraform", "1.9.8"),
    ("[APN/1.0 HashiCorp/1.0 Terraform/1.1.2 (+https://www.terraform.io) terraform-provider-aws/4.0]", None, None, "terraform", "1.1.2"),
    ("aws-sdk-go/1.20.4 (go1.12.5; darwin; amd64) APN/1.0 HashiCorp/1.0 Terraform/0.12.2", None, None, "terraform", "0.12.2"),
    ("APN/1.0 HashiCorp/1.0 Terraform/ (+https://www.terraform.io/)", None, None, "terraform", None),
    ("APN/1.0 HashiCorp/1.0 OpenTofu/1.8.0 terraform-provider-aws/5.0.0", None, None, "opentofu", "1.8.0"),
    ("APN/1.0 Pulumi/1.0 Pulumi-Aws/6.52.0 (+https://www.pulumi.com) aws-sdk-go-v2/1.30.3", None, None, "pulumi", "6.52.0"),
    ("aws-sdk-go-v2/1.30 APN/1.0 Pulumi/3.9.1 PulumiAwsNative/0.112.0", None, None, "pulumi", "0.112.0"),
    ("aws-sdk-go-v2/1.26.1 crossplane-provider-aws/v0.47.0", None, None, "crossplane", "0.47.0"),
    ("Boto3/1.28.0 Python/3.11 Botocore/1.31.0 APN/1.0 Ansible/2.15.0 amazon.aws/7.0.0", None, None, "ansible", "2.15.0"),
    ("aws-sdk-go-v2/1.30.1 os/linux lang/go#1.22.4 eksctl/0.190.0", None, None, "eksctl", "0.190.0"),
    ("aws-sdk-nodejs/2.1586.0 linux/v20.15.1 aws-cdk/2.135.0 promise", None, None, "cdk", "2.135.0"),
    ("Boto3/1.34.0 md/Botocore#1.34.0 ua/2.0 Botocore/1.34.0 aws-sam-cli/1.120.0", None, None, "sam", "1.120.0"),
    ("aws-sdk-js/3.966.0 ua/2.1 api/cloudformation#3.966.0 m/E,T serverless-framework/4.31.0", None, None, "serverless", "4.31.0"),
    ("aws-sdk-go/1.44.0 (go1.19; linux; amd64) karpenter.sh-v0.31.0", None, None, "karpenter", "0.31.0"),
    ("aws-cli/2.17.32 md/awscrt#0.21.2 ua/2.0 os/linux#5.15 md/command#ec2.run-instances", None, None, "aws-cli", "2.17.32"),
    ("aws-cli/1.18.103 Python/3.8.2 Linux/4.14.181 botocore/1.17.26", None, None, "aws-cli", "1.18.103"),
    ("[Boto3/1.26.165 Python/3.10.6 Linux/5.19.0-46-generic Botocore/1.29.165]", None, None, "boto3", "1.26.165"),
    ("Botocore/1.29.0 Python/3.9", None, None, "boto3", "1.29.0"),
    ("aws-sdk-go/1.41.4 (go1.18.3; linux; amd64) amazon-ssm-agent/", None, None, "sdk-go", "1.41.4"),
    ("aws-sdk-go-v2/1.32.3 os/linux lang/go#1.23.1", None, None, "sdk-go", "1.32.3"),
    ("aws-sdk-java/2.20.0 Linux/5.10 OpenJDK_64-Bit_Server_VM/17", None, None, "sdk-java", "2.20.0"),
    ("aws-sdk-js/3.552.0 ua/2.1 os/linux#5.15.0 lang/js md/nodejs#20.11.1", None, None, "sdk-js", "3.552.0"),
    ("aws-sdk-dotnet-coreclr/3.7.300.1 aws-sdk-dotnet-core/3.7.300", None, None, "sdk-dotnet", "3.7.300.1"),
    ("aws-sdk-ruby3/3.187.0 ruby/3.2.0 x86_64-linux", None, None, "sdk-ruby", "3.187.0"),
    ("aws-sdk-php/3.300.0 OS/Linux/5.15.0 PHP/8.2.0", None, None, "sdk-php", "3.300.0"),
    ("aws-sdk-rust/1.3.0 os/linux lang/rust#1.75.0", None, None, "sdk-rust", "1.3.0"),
    ("[S3Console/0.4, aws-internal/3 aws-sdk-java/1.12.488 Linux/5.10.184]", None, None, "console", None),
    ("console.amazonaws.com", None, None, "console", None),
    ("console.ec2.amazonaws.com", None, None, "console", None),
    ("signin.amazonaws.com", None, None, "console", None),
    ("RDS Console, aws-internal/3 aws-sdk-java/1.11.975 Linux/5.10", None, None, "console", None),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 Chrome/120.0", None, None, "console", None),
    ("cloudformation.amazonaws.com", None, None, "cloudformation", None),
    ("cloudformation.amazonaws.com", "cloudformation.amazonaws.com", "cloudformation.amazonaws.com", "cloudformation", None),
    ("autoscaling.amazonaws.com", "autoscaling.amazonaws.com", None, "aws-service", None),
    (TF, "cloudformation.amazonaws.com", None, "cloudformation", None),
    ("AWS Internal", None, None, "aws-service", None),
    ("AWS Internal/3", None, None, "aws-service", None),
    ("secretsmanager.amazonaws.com", None, None, "aws-service", None),
    (None, None, "ec2.amazonaws.com", "aws-service", None),
    (None, None, "203.0.113.5", "unknown", None),
    ("", None, None, "unknown", None),
    ("stratus-red-team_61e3765a-ab18-4d3f-9d8e-0123456789ab", None, None, "stratus-red-team", None),
    ("[stratus-red-team_61e3765a-ab18-4d3f-9d8e-0123456789ab]", None, None, "stratus-red-team", None),
    ("CloudCustodian(net-change)/0.9.2 Python/3.8.3 exec-env/AWS_Lambda_python3.8 Botocore/1.15.49", None, None, "boto3", "1.15.49"),
    ("awslambda-worker/1.0 rusoto/0.47.0 rust/1.55.0 linux", None, None, "sdk-rust", "0.47.0"),
    ("python-requests/2.31.0", None, None, "http-client", "2.31.0"),
    ("curl/7.81.0", None, None, "http-client", "7.81.0"),
    ("<script>alert(1)</script>", None, None, "other", None),
    ("example-user-agent", None, None, "other", None),
]


@pytest.mark.parametrize("ua,invoked_by,source_ip,slug,version", CASES)
def test_classify(ua, invoked_by, source_ip, slug, version):
    tool = classify_tool(ua, invoked_by=invoked_by, source_ip=source_ip)
    assert (tool.id, tool.version) == (slug, version)
    if ua:
        assert tool.user_agent == ua  # kept verbatim


def test_every_slug_is_reachable():
    assert {c[3] for c in CASES} == set(TOOL_IDS)


@pytest.mark.parametrize("value", [42, 3.5, ["a"], {"k": "v"}, "x" * 5000, "\x00\xff"])
def test_odd_values_never_raise(value):
    assert classify_tool(value).id in TOOL_IDS


def test_extras():
    extras = user_agent_extras("aws-cli/2.24.21 ua/2.1 exec-env/CloudShell md/command#ec2.run-instances api/ec2#1.2")
    assert extras == {"exec_env": "CloudShell", "cli_command": "ec2.run-instances", "sdk_api": "ec2", "tf_provider": None}
    assert user_agent_extras(TF)["tf_provider"] == "5.80.0"


def _dataset_agents():
    if not DATASETS.is_dir():
        pytest.skip("../shared/datasets is not present (real user agents come from there)")
    agents = []
    for path in sorted(DATASETS.rglob("*")):
        if not path.is_file() or not path.name.endswith((".json", ".json.gz", ".jsonl")):
            continue
        data = gzip.decompress(path.read_bytes()) if path.name.endswith(".gz") else path.read_bytes()
        try:
            docs = [json.loads(data)] if not path.name.endswith(".jsonl") else [json.loads(x) for x in data.splitlines() if x.strip()]
        except ValueError:
            continue
        for doc in docs:
            items = doc.get("Records", [doc]) if isinstance(doc, dict) else doc
            for item in items:
                rec = item.get("detail", item) if isinstance(item, dict) else None
                if isinstance(rec, dict) and "eventName" in rec:
                    agents.append(rec.get("userAgent"))
    return agents


def test_real_agents_are_classified():
    agents = _dataset_agents()
    tools = [classify_tool(a).id for a in agents]
    assert len(agents) > 4000
    others = sorted({a for a, t in zip(agents, tools) if t == "other"})
    # what remains are placeholders and scanners ("example-user-agent", "<Victim browser user agent>",
    # "TruffleHog", "Jersey/${project.version}"...): "other", kept verbatim, is the right answer for them
    assert len(others) <= 16, others
    assert not [a for a in others if "Terraform" in a or "aws-cli" in a or "Boto3/" in a.split("(")[0]], others
    assert tools.count("terraform") >= 1900 and tools.count("stratus-red-team") >= 500
    assert tools.count("aws-cli") >= 500 and tools.count("console") >= 150
