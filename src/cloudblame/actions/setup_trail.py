"""setup-trail: create or mend what doctor finds missing: a bucket CloudTrail can deliver to (its policy, and a
lifecycle keeping the files ``retention`` long), and a multi-region trail (an organization trail with ``org``)
logging every management event, with log file validation, that is logging.

``read_current`` reads what is there (with credentials); ``plan_setup`` (pure) lists the calls that bring it
to that state, each with why (a dry run prints them as ``aws ...`` lines or JSON); ``apply_calls`` makes them
in order, stopping at the first that fails. Without credentials the plan is the whole set-up, the account
shown as ACCOUNT_ID. The same set-up as Terraform: cloudblame.actions.trail_terraform."""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass, field
from typing import Any

from cloudblame.actions.tagging import Clients, partition_of
from cloudblame.actions.trail_checks import (
    Reader,
    TrailFacts,
    lifecycle_findings,
    management_coverage,
    policy_findings,
    read_account,
    read_trails,
)
from cloudblame.core.doctor_contracts import SetupCall, SetupPlan
from cloudblame.core.errors import BadInput

DEFAULT_TRAIL = "cloudblame-trail"
ACCOUNT_PLACEHOLDER = "ACCOUNT_ID"
ORG_PLACEHOLDER = "o-ORGANIZATION_ID"
RULE_ID = "cloudtrail-retention"
ACL_SID, WRITE_SID = "AWSCloudTrailAclCheck", "AWSCloudTrailWrite"
MANAGEMENT_SELECTOR = {"ReadWriteType": "All", "IncludeManagementEvents": True}
MANAGEMENT_ADVANCED = {"Name": "Management events", "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}]}
_BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_TRAIL_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,126}[A-Za-z0-9]$")


@dataclass(frozen=True)
class Target:
    """The set-up wanted: ``trail`` in ``region`` writing to ``bucket`` (under ``prefix``), files kept
    ``retention_days``; an organization trail with ``org``."""

    bucket: str
    trail: str
    region: str
    retention_days: int
    org: bool = False
    prefix: str | None = None

    def __post_init__(self) -> None:
        if not _BUCKET_NAME.match(self.bucket) or ".." in self.bucket:
            raise BadInput(f"--bucket {self.bucket!r}: not an S3 bucket name (3-63 lower-case letters, digits, . and -)")
        if not _TRAIL_NAME.match(self.trail):
            raise BadInput(f"--trail {self.trail!r}: not a trail name (3-128 letters, digits, . _ and -, "
                           "starting and ending with a letter or digit)")

    @property
    def logs_prefix(self) -> str:
        """Where the trail's files go in the bucket: ``[prefix/]AWSLogs/``."""
        return f"{self.prefix.strip('/')}/AWSLogs/" if self.prefix and self.prefix.strip("/") else "AWSLogs/"


@dataclass
class Current:
    """What is there now (None: not read, or nothing read: the plan is the whole set-up)."""

    account: str = ACCOUNT_PLACEHOLDER
    partition: str = "aws"
    org_id: str | None = None
    bucket_exists: bool | None = None
    policy: dict[str, Any] | None = None
    rules: list[dict[str, Any]] = field(default_factory=list)
    trail: TrailFacts | None = None
    others: list[TrailFacts] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


# --- what is there

def read_current(clients: Clients, target: Target) -> Current:
    """The account, its organization, the bucket (policy, lifecycle) and the trails, through read-only calls."""
    reader = Reader(clients)
    found = Current(partition=partition_of(target.region))
    facts = read_account(reader)
    if facts is not None:
        found.account, found.partition, found.org_id = facts.account, facts.partition, facts.org_id
    _read_bucket(reader, target, found)
    trails = read_trails(reader, target.region)
    found.trail = next((t for t in trails if t.name == target.trail and t.account == found.account), None)
    found.others = [t for t in trails if t is not found.trail]
    found.notes += [f"not read: {f['message']}" for f in reader.failures]
    return found


def _read_bucket(reader: Reader, target: Target, found: Current) -> None:
    got = reader.call("s3", target.region, "get_bucket_policy", Bucket=target.bucket,
                      absent=("NoSuchBucket", "NoSuchBucketPolicy"))
    if got.failed:
        return
    found.bucket_exists = got.absent != "NoSuchBucket"
    if not found.bucket_exists:
        return
    found.policy = json.loads(got.body["Policy"]) if got.body else None
    rules = reader.call("s3", target.region, "get_bucket_lifecycle_configuration", Bucket=target.bucket,
                        absent=("NoSuchLifecycleConfiguration",))
    found.rules = (rules.body or {}).get("Rules", [])


# --- what to send

def trail_arn(target: Target, current: Current, region: str | None = None) -> str:
    return f"arn:{current.partition}:cloudtrail:{region or target.region}:{current.account}:trail/{target.trail}"


def policy_statements(target: Target, current: Current, region: str | None = None) -> list[dict[str, Any]]:
    """The two statements CloudTrail needs in the bucket policy (AWS's own template), for this trail only
    (aws:SourceArn); an organization trail's also write under the organization's folder."""
    arn, partition = trail_arn(target, current, region), current.partition
    base = f"arn:{partition}:s3:::{target.bucket}"
    writes = [f"{base}/{target.logs_prefix}{current.account}/*"]
    if target.org:
        writes.append(f"{base}/{target.logs_prefix}{current.org_id or ORG_PLACEHOLDER}/*")
    principal = {"Service": "cloudtrail.amazonaws.com"}
    return [
        {"Sid": ACL_SID, "Effect": "Allow", "Principal": principal, "Action": "s3:GetBucketAcl", "Resource": base,
         "Condition": {"StringEquals": {"aws:SourceArn": arn}}},
        {"Sid": WRITE_SID, "Effect": "Allow", "Principal": principal, "Action": "s3:PutObject",
         "Resource": writes if len(writes) > 1 else writes[0],
         "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": arn}}}]


def lifecycle_rule(target: Target) -> dict[str, Any]:
    return {"ID": RULE_ID, "Status": "Enabled", "Filter": {"Prefix": target.logs_prefix},
            "Expiration": {"Days": target.retention_days}}


def _call(service: str, operation: str, region: str, why: str, **params: Any) -> SetupCall:
    return {"service": service, "operation": operation, "region": region, "params": params, "why": why,
            "cli": cli_line(service, operation, region, params), "status": "planned", "error": None}


def _compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def _kebab(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "-", name).lower().replace("_", "-")


def cli_line(service: str, operation: str, region: str, params: dict[str, Any]) -> str:
    """The call as the AWS CLI writes it: ``aws cloudtrail create-trail --name T ... --region R``."""
    words = ["aws", {"s3": "s3api"}.get(service, service), _kebab(operation)]
    for name, value in params.items():
        if isinstance(value, bool):
            words.append(f"--{'' if value else 'no-'}{_kebab(name)}")
        else:
            text = value if isinstance(value, str) else _compact(value)
            words += [f"--{_kebab(name)}", shlex.quote(text)]
    return " ".join([*words, "--region", region])


def bucket_calls(target: Target, current: Current, region: str) -> list[SetupCall]:
    """CreateBucket (public access blocked) with its policy and lifecycle, or the policy and lifecycle of
    the bucket there is mended."""
    policy = {"Version": "2012-10-17", "Statement": policy_statements(target, current, region)}
    if current.bucket_exists is False or current.bucket_exists is None:
        config = {} if target.region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": target.region}}
        block = {k: True for k in ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")}
        return [_call("s3", "create_bucket", target.region, "the bucket the trail writes to", Bucket=target.bucket, **config),
                _call("s3", "put_public_access_block", target.region, "nobody outside the account reads the logs",
                      Bucket=target.bucket, PublicAccessBlockConfiguration=block),
                _call("s3", "put_bucket_policy", target.region, "CloudTrail may check the bucket and write the "
                      "trail's files", Bucket=target.bucket, Policy=_compact(policy)),
                _call("s3", "put_bucket_lifecycle_configuration", target.region, f"the files are kept "
                      f"{target.retention_days} days, then deleted", Bucket=target.bucket,
                      LifecycleConfiguration={"Rules": [lifecycle_rule(target)]})]
    return _mend_bucket(target, current, region)


def _mend_bucket(target: Target, current: Current, region: str) -> list[SetupCall]:
    calls = []
    wanted = TrailFacts(trail_arn(target, current, region), target.trail, region, target.bucket, target.prefix,
                        True, target.org, True, None)
    if policy_findings(wanted, current.policy, current.org_id, current.partition):
        mine = {ACL_SID, WRITE_SID}
        kept = [s for s in (current.policy or {}).get("Statement", []) if s.get("Sid") not in mine]
        merged = {"Version": "2012-10-17", "Statement": kept + policy_statements(target, current, region)}
        denies = policy_findings(wanted, merged, current.org_id, current.partition)
        if denies:
            current.notes.append(f"the bucket policy would still stop delivery with CloudTrail's statements added "
                                 f"({denies[0]['message']}): remove the statement that denies it")
        calls.append(_call("s3", "put_bucket_policy", target.region, "CloudTrail's two statements added to the "
                           "bucket policy (the others kept)", Bucket=target.bucket, Policy=_compact(merged)))
    short = lifecycle_findings(wanted, current.rules, target.retention_days)
    if short:
        raised = [_kept_longer(r, short[0]["evidence"]["rules"], target.retention_days) for r in current.rules]
        calls.append(_call("s3", "put_bucket_lifecycle_configuration", target.region, "the rules deleting the trail's "
                           f"files sooner keep them {target.retention_days} days (the other rules unchanged)",
                           Bucket=target.bucket, LifecycleConfiguration={"Rules": raised}))
    return calls


def _kept_longer(rule: dict[str, Any], short: list[dict[str, Any]], days: int) -> dict[str, Any]:
    if rule not in short:
        return rule
    return {**rule, "Expiration": {"Days": days}}


def trail_calls(target: Target, current: Current) -> list[SetupCall]:
    """CreateTrail, or UpdateTrail of what differs; PutEventSelectors unless every management event is
    logged; StartLogging unless it logs."""
    trail = current.trail
    if trail is None:
        org = {"IsOrganizationTrail": True} if target.org else {}
        prefix = {"S3KeyPrefix": target.prefix.strip("/")} if target.prefix and target.prefix.strip("/") else {}
        return [_call("cloudtrail", "create_trail", target.region, "a multi-region trail with log file validation",
                      Name=target.trail, S3BucketName=target.bucket, **prefix, IsMultiRegionTrail=True,
                      IncludeGlobalServiceEvents=True, EnableLogFileValidation=True, **org),
                _call("cloudtrail", "put_event_selectors", target.region, "every management event, reads and writes",
                      TrailName=target.trail, EventSelectors=[MANAGEMENT_SELECTOR]),
                _call("cloudtrail", "start_logging", target.region, "a new trail does not log until started",
                      Name=target.trail)]
    return _mend_trail(target, trail)


def _mend_trail(target: Target, trail: TrailFacts) -> list[SetupCall]:
    changes: dict[str, Any] = {}
    if not trail.multi_region:
        changes["IsMultiRegionTrail"] = True
    if not trail.validation:
        changes["EnableLogFileValidation"] = True
    if target.org and not trail.organization:
        changes["IsOrganizationTrail"] = True
    if trail.bucket != target.bucket:
        changes["S3BucketName"] = target.bucket
    calls = []
    if changes:
        calls.append(_call("cloudtrail", "update_trail", trail.home_region, "the trail made " + ", ".join(changes),
                           Name=trail.name, **changes))
    if trail.selectors is not None and management_coverage(trail.selectors)[0] != "all":
        calls.append(selectors_call(trail))
    if trail.status is not None and not trail.status.get("IsLogging"):
        calls.append(_call("cloudtrail", "start_logging", trail.home_region, "the trail is not logging", Name=trail.name))
    return calls


def selectors_call(trail: TrailFacts) -> SetupCall:
    """PutEventSelectors of all management events, keeping the data (and other) selectors the trail has."""
    selectors = trail.selectors or {}
    why = "every management event, reads and writes (the data event selectors kept)"
    if selectors.get("AdvancedEventSelectors"):
        kept = [s for s in selectors["AdvancedEventSelectors"]
                if not any(f.get("Field") == "eventCategory" and "Management" in (f.get("Equals") or [])
                           for f in s.get("FieldSelectors", []))]
        return _call("cloudtrail", "put_event_selectors", trail.home_region, why, TrailName=trail.name,
                     AdvancedEventSelectors=[MANAGEMENT_ADVANCED, *kept])
    data = [{**s, "IncludeManagementEvents": False, "ExcludeManagementEventSources": []}
            for s in selectors.get("EventSelectors") or [] if s.get("DataResources")]
    return _call("cloudtrail", "put_event_selectors", trail.home_region, why, TrailName=trail.name,
                 EventSelectors=[MANAGEMENT_SELECTOR, *data])


def plan_setup(target: Target, current: Current) -> SetupPlan:
    """The calls, in order, that bring what is there (``current``) to ``target``; notes on what is kept."""
    region = current.trail.home_region if current.trail else target.region
    calls = bucket_calls(target, current, region) + trail_calls(target, current)
    notes = list(current.notes)
    if current.account == ACCOUNT_PLACEHOLDER:
        notes.append("no AWS credentials: the whole set-up is shown, nothing compared with what is there; "
                     f"{ACCOUNT_PLACEHOLDER} stands for the account")
    if target.org and current.org_id is None:
        notes.append(f"the organization could not be read: {ORG_PLACEHOLDER} stands for its id; an organization "
                     "trail is created from the management account (or a delegated administrator)")
    covering = [t.name for t in current.others if t.multi_region and (t.status or {}).get("IsLogging")]
    if covering and current.trail is None:
        notes.append(f"trail(s) {', '.join(covering)} already log every region: a second trail's copy of the "
                     "management events is charged")
    return {"applied": False, "account": None if current.account == ACCOUNT_PLACEHOLDER else current.account,
            "region": region, "trail": target.trail, "bucket": target.bucket, "organization": target.org,
            "retention_days": target.retention_days, "calls": calls, "notes": notes}


def apply_calls(plan: SetupPlan, clients: Clients) -> SetupPlan:
    """Make the plan's calls in order: each ``done`` or ``failed`` (AWS's error); after a failure the rest
    are ``not run`` (each needs the ones before)."""
    from botocore.exceptions import BotoCoreError, ClientError

    failed = False
    for call in plan["calls"]:
        if failed:
            call["status"] = "not run"
            continue
        try:
            getattr(clients.get(call["service"], call["region"]), call["operation"])(**call["params"])
            call["status"] = "done"
        except (BotoCoreError, ClientError) as exc:
            call["status"], call["error"], failed = "failed", _error_text(exc), True
    return {**plan, "applied": True}


def _error_text(exc: Exception) -> str:
    response = getattr(exc, "response", None)
    if isinstance(response, dict) and response.get("Error"):
        return f"{response['Error'].get('Code', '?')}: {response['Error'].get('Message', '')}".strip()
    return f"{type(exc).__name__}: {exc}"
