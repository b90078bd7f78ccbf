"""The set-up of `setup-trail` as a Terraform snippet (HCL, the AWS provider): the bucket with public access
blocked, its policy and lifecycle, and the trail (multi-region, log file validation, every management event,
logging; an organization trail with ``org``). The account (and organization) come from data sources, so it
needs no credentials to write; a bucket or trail that exists already is imported first (the snippet's
comments say how)."""

from __future__ import annotations

import json
import re
from typing import Any

from cloudblame.actions.setup_trail import (
    ACCOUNT_PLACEHOLDER,
    ORG_PLACEHOLDER,
    RULE_ID,
    Current,
    Target,
    policy_statements,
)
from cloudblame.actions.tagging import partition_of

ACCOUNT_REF = "${data.aws_caller_identity.current.account_id}"
ORG_REF = "${data.aws_organizations_organization.current.id}"
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def hcl_string(text: str) -> str:
    """``text`` as an HCL string: quotes and backslashes escaped, ``${``/``%{`` kept literal, except the
    account and organization references, which are interpolated."""
    escaped = json.dumps(text)[1:-1].replace("${", "$${").replace("%{", "%%{")
    for placeholder, ref in ((ACCOUNT_PLACEHOLDER, ACCOUNT_REF), (ORG_PLACEHOLDER, ORG_REF)):
        escaped = escaped.replace(placeholder, ref)
    return f'"{escaped}"'


def hcl_value(value: Any, indent: int = 0) -> str:
    """A JSON-like value as an HCL expression (objects with ``=``, lists in brackets)."""
    pad = "  " * (indent + 1)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return hcl_string(value)
    if isinstance(value, list):
        return "[\n" + ",\n".join(pad + hcl_value(v, indent + 1) for v in value) + "\n" + "  " * indent + "]"
    lines = [f"{pad}{k if _IDENTIFIER.match(k) else hcl_string(k)} = {hcl_value(v, indent + 1)}" for k, v in value.items()]
    return "{\n" + "\n".join(lines) + "\n" + "  " * indent + "}"


def terraform(target: Target) -> str:
    """The HCL of the whole set-up of ``target``."""
    current = Current(partition=partition_of(target.region))  # placeholders, filled by the data sources
    policy = {"Version": "2012-10-17", "Statement": policy_statements(target, current)}
    org_data = 'data "aws_organizations_organization" "current" {}\n' if target.org else ""
    prefix = f"  s3_key_prefix                 = {hcl_string(target.prefix.strip('/'))}\n" \
        if target.prefix and target.prefix.strip("/") else ""
    return f"""# cloudblame setup-trail: {target.trail} writing to {target.bucket} in {target.region}
# A bucket or trail that exists already: terraform import aws_s3_bucket.cloudtrail {target.bucket}
#   terraform import aws_cloudtrail.cloudblame arn:{current.partition}:cloudtrail:{target.region}:ACCOUNT:trail/{target.trail}

# The trail's home region (drop this block in a configuration that has one for it).
provider "aws" {{
  region = {hcl_string(target.region)}
}}

data "aws_caller_identity" "current" {{}}
{org_data}
resource "aws_s3_bucket" "cloudtrail" {{
  bucket = {hcl_string(target.bucket)}
}}

resource "aws_s3_bucket_public_access_block" "cloudtrail" {{
  bucket                  = aws_s3_bucket.cloudtrail.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}}

resource "aws_s3_bucket_policy" "cloudtrail" {{
  bucket = aws_s3_bucket.cloudtrail.id
  policy = jsonencode({hcl_value(policy, 1)})
}}

resource "aws_s3_bucket_lifecycle_configuration" "cloudtrail" {{
  bucket = aws_s3_bucket.cloudtrail.id

  rule {{
    id     = {hcl_string(RULE_ID)}
    status = "Enabled"

    filter {{
      prefix = {hcl_string(target.logs_prefix)}
    }}

    expiration {{
      days = {target.retention_days}
    }}
  }}
}}

resource "aws_cloudtrail" "cloudblame" {{
  name                          = {hcl_string(target.trail)}
  s3_bucket_name                = aws_s3_bucket.cloudtrail.id
{prefix}  is_multi_region_trail         = true
  include_global_service_events = true
  enable_log_file_validation    = true
  is_organization_trail         = {"true" if target.org else "false"}
  enable_logging                = true

  event_selector {{
    read_write_type           = "All"
    include_management_events = true
  }}

  depends_on = [aws_s3_bucket_policy.cloudtrail]
}}
"""
