"""doctor's checks of the CloudTrail set-up through the AWS API (read-only calls): the account's trails
(ListTrails, GetTrail, GetTrailStatus, GetEventSelectors), the bucket each writes to (policy, lifecycle), the
KMS key it encrypts with (state, policy), the organization (DescribeOrganization) and the regions enabled
(DescribeRegions). Reading (``Reader``, ``read_setup``) is apart from judging (``*_findings``: pure functions
of what was read, unit-tested on composed answers). A call that fails becomes a ``check-failed`` finding."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cloudblame.actions.doctor_findings import finding
from cloudblame.actions.tagging import Clients
from cloudblame.actions.trail_policies import bucket_requests, evaluate, key_request, log_object_key
from cloudblame.core.doctor_contracts import Finding

Response = dict[str, Any]


@dataclass
class Answer:
    """A call's response (``body``), or the error code of what is not there (``absent``: no policy, no
    bucket...), or a failure (``failed``: a check-failed finding was kept)."""

    body: Response | None = None
    absent: str | None = None
    failed: bool = False


class Reader:
    """Read-only calls through ``clients``; their failures kept as findings."""

    def __init__(self, clients: Clients) -> None:
        self.clients = clients
        self.failures: list[Finding] = []

    def call(self, service: str, region: str | None, operation: str, *, absent: tuple[str, ...] = (),
             **params: Any) -> Answer:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return Answer(getattr(self.clients.get(service, region), operation)(**params))
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code in absent:
                return Answer(absent=code)
            self._failed(service, operation, region, f"{code}: {exc.response.get('Error', {}).get('Message', '')}")
        except BotoCoreError as exc:
            self._failed(service, operation, region, f"{type(exc).__name__}: {exc}")
        return Answer(failed=True)

    def _failed(self, service: str, operation: str, region: str | None, error: str) -> None:
        where = region or self.clients.default_region
        self.failures.append(finding("check-failed", f"{service}:{operation}", f"{service} {operation} in {where} "
                                     f"failed, so what it reads was not checked: {error.strip()}",
                                     {"service": service, "operation": operation, "region": where, "error": error}))


# --- what was read

@dataclass
class TrailFacts:
    """A trail as GetTrail describes it, with its status and event selectors (None: not read)."""

    arn: str
    name: str
    home_region: str
    bucket: str | None
    prefix: str | None
    multi_region: bool
    organization: bool
    validation: bool
    kms_key: str | None
    status: Response | None = None
    selectors: Response | None = None

    @classmethod
    def from_api(cls, trail: Mapping[str, Any], home_region: str) -> TrailFacts:
        return cls(trail["TrailARN"], trail["Name"], trail.get("HomeRegion") or home_region, trail.get("S3BucketName"),
                   trail.get("S3KeyPrefix") or None, bool(trail.get("IsMultiRegionTrail")),
                   bool(trail.get("IsOrganizationTrail")), bool(trail.get("LogFileValidationEnabled")),
                   trail.get("KmsKeyId") or None)

    @property
    def account(self) -> str:
        return self.arn.split(":")[4]


@dataclass
class SetupFacts:
    """The account (``account``, ``partition``), its organization (id, whether this is its management account;
    None: not in one, or not known), its trails, and the regions enabled by opting in (None: not read)."""

    account: str
    partition: str
    region: str
    org_id: str | None = None
    management_account: bool = False
    trails: list[TrailFacts] = field(default_factory=list)
    opted_in: list[str] | None = None


def read_account(reader: Reader) -> SetupFacts | None:
    """Who the credentials are (STS GetCallerIdentity) and their organization; None when STS fails."""
    me = reader.call("sts", None, "get_caller_identity")
    if me.body is None:
        return None
    facts = SetupFacts(me.body["Account"], me.body["Arn"].split(":")[1], reader.clients.default_region)
    org = reader.call("organizations", None, "describe_organization",
                      absent=("AWSOrganizationsNotInUseException", "AccessDeniedException"))
    if org.body is not None:
        facts.org_id = org.body["Organization"]["Id"]
        facts.management_account = org.body["Organization"].get("MasterAccountId") == facts.account
    return facts


def read_trails(reader: Reader, region: str) -> list[TrailFacts]:
    """Every trail ListTrails shows from ``region`` (those of every region, and an organization's), each
    read in its home region with its status and selectors."""
    listed = reader.call("cloudtrail", region, "list_trails")
    found: list[TrailFacts] = []
    for item in (listed.body or {}).get("Trails", []):
        home = item.get("HomeRegion") or region
        got = reader.call("cloudtrail", home, "get_trail", Name=item["TrailARN"])
        if got.body is None:
            continue
        trail = TrailFacts.from_api(got.body["Trail"], home)
        trail.status = reader.call("cloudtrail", home, "get_trail_status", Name=trail.arn).body
        trail.selectors = reader.call("cloudtrail", home, "get_event_selectors", TrailName=trail.arn).body
        found.append(trail)
    return found


def read_opted_in(reader: Reader) -> list[str] | None:
    """The regions enabled by opting in (EC2 DescribeRegions, OptInStatus opted-in)."""
    answer = reader.call("ec2", None, "describe_regions", AllRegions=True)
    if answer.body is None:
        return None
    return sorted(r["RegionName"] for r in answer.body["Regions"] if r.get("OptInStatus") == "opted-in")


def read_setup(reader: Reader, *, regions: bool = True) -> SetupFacts | None:
    """The account, its trails and (``regions``) the regions it opted in to."""
    facts = read_account(reader)
    if facts is None:
        return None
    facts.trails = read_trails(reader, facts.region)
    facts.opted_in = read_opted_in(reader) if regions else None
    return facts


# --- judging: the account's trails together

def account_findings(facts: SetupFacts) -> list[Finding]:
    """no-trail, trail-not-multi-region, trail-not-organization."""
    if not facts.trails:
        return [finding("no-trail", facts.account, f"no CloudTrail trail in account {facts.account}: nothing "
                        "but the 90-day Event History records its calls", {"region": facts.region}, home=facts.region)]
    found = []
    if not any(t.multi_region for t in facts.trails):
        first = facts.trails[0]
        found.append(finding(
            "trail-not-multi-region", facts.account, "no trail logs every region: calls in other regions than "
            + ", ".join(sorted({t.home_region for t in facts.trails})) + " are not recorded",
            {"trails": [{"arn": t.arn, "region": t.home_region} for t in facts.trails]},
            trail=first.name, home=first.home_region, bucket=first.bucket))
    if facts.management_account and not any(t.organization for t in facts.trails):
        first = facts.trails[0]
        found.append(finding("trail-not-organization", facts.account, f"account {facts.account} manages "
                             f"organization {facts.org_id} but no trail logs the organization's accounts",
                             {"organization": facts.org_id}, trail=first.name))
    return found


# --- judging: one trail

def trail_findings(trail: TrailFacts) -> list[Finding]:
    """log-file-validation-off, logging-stopped, delivery errors, management events left out."""
    names = {"trail": trail.name, "home": trail.home_region, "bucket": trail.bucket}
    found = []
    if not trail.validation:
        found.append(finding("log-file-validation-off", trail.arn, f"trail {trail.name} writes no digest files: "
                             "a log file deleted or changed cannot be detected", {}, **names))
    found += status_findings(trail)
    if trail.selectors is not None:
        found += selector_findings(trail, trail.selectors)
    return found


def status_findings(trail: TrailFacts) -> list[Finding]:
    """From GetTrailStatus: logging-stopped, delivery-error, digest-delivery-error."""
    status = trail.status
    if status is None:
        return []
    names = {"trail": trail.name, "home": trail.home_region, "bucket": trail.bucket}
    found = []
    if not status.get("IsLogging"):
        stopped = status.get("StopLoggingTime") or status.get("TimeLoggingStopped") or None
        found.append(finding("logging-stopped", trail.arn, f"trail {trail.name} is not logging"
                             + (f" (stopped {stopped})" if stopped else ""), {"stopped": _text(stopped)}, **names))
    for key, kind in (("LatestDeliveryError", "delivery-error"), ("LatestDigestDeliveryError", "digest-delivery-error")):
        if status.get(key):
            found.append(finding(kind, trail.arn, f"trail {trail.name}: the last delivery to {trail.bucket} failed: "
                                 f"{status[key]}", {key: status[key], "bucket": trail.bucket}, **names))
    return found


def _text(value: Any) -> str | None:
    return None if value in (None, "") else str(value)


def management_coverage(selectors: Mapping[str, Any]) -> tuple[str, list[str]]:
    """What of the management events a trail's selectors (GetEventSelectors) log: ``all``, ``partial`` or
    ``off``, and what is left out. A trail with no selectors logs them all (AWS's default)."""
    advanced = selectors.get("AdvancedEventSelectors") or []
    basic = selectors.get("EventSelectors") or []
    if not advanced and not basic:
        return "all", []
    caps = [c for s in advanced if (c := _advanced_capture(s)) is not None] if advanced else [
        _basic_capture(s) for s in basic if s.get("IncludeManagementEvents", True)]
    if not caps:
        return "off", ["every management event"]
    missing = []
    for kind in ("read", "write"):
        covering = [restriction for kinds, restriction in caps if kind in kinds]
        if not covering:
            missing.append(f"{kind} calls")
        elif None not in covering:
            missing.append(f"{kind} calls " + " or ".join(sorted(set(covering))))  # type: ignore[arg-type]
    return ("partial" if missing else "all"), missing


Capture = tuple[set[str], str | None]  # the kinds (read, write) a selector logs, and what it leaves out


def _basic_capture(selector: Mapping[str, Any]) -> Capture:
    kinds = {"All": {"read", "write"}, "ReadOnly": {"read"}, "WriteOnly": {"write"}}
    excluded = selector.get("ExcludeManagementEventSources") or []
    return (kinds.get(selector.get("ReadWriteType", "All"), {"read", "write"}),
            f"from {', '.join(excluded)}" if excluded else None)


def _advanced_capture(selector: Mapping[str, Any]) -> Capture | None:
    """What an advanced selector logs of the management events (None: it selects none)."""
    fields = selector.get("FieldSelectors") or []
    category = next((f for f in fields if f.get("Field") == "eventCategory"), None)
    if category is None or "Management" not in (category.get("Equals") or []):
        return None
    kinds, left_out = {"read", "write"}, []
    for f in fields:
        name = f.get("Field")
        if name == "eventCategory":
            continue
        if name == "readOnly" and f.get("Equals"):
            kinds = {"read" if str(v).lower() == "true" else "write" for v in f["Equals"]}
        elif name == "eventSource" and set(f) <= {"Field", "NotEquals"}:
            left_out.append("from " + ", ".join(f["NotEquals"]))
        else:
            left_out.append(f"but those its {name} selector picks")
    return kinds, ("; ".join(left_out) or None)


def selector_findings(trail: TrailFacts, selectors: Mapping[str, Any]) -> list[Finding]:
    state, missing = management_coverage(selectors)
    if state == "all":
        return []
    names = {"trail": trail.name, "home": trail.home_region, "bucket": trail.bucket}
    evidence = {"left_out": missing, "EventSelectors": selectors.get("EventSelectors") or [],
                "AdvancedEventSelectors": selectors.get("AdvancedEventSelectors") or []}
    if state == "off":
        return [finding("management-events-off", trail.arn, f"trail {trail.name} logs no management events: no "
                        "creation, change or deletion reaches the store from it", evidence, **names)]
    return [finding("management-events-partial", trail.arn, f"trail {trail.name} leaves out "
                    + "; ".join(missing), evidence, **names)]


# --- judging: the bucket and the key

def policy_findings(trail: TrailFacts, policy: Mapping[str, Any] | None, org_id: str | None,
                    partition: str = "aws") -> list[Finding]:
    """bucket-policy-blocks-delivery: the bucket policy does not let CloudTrail check the bucket's ACL and
    write the trail's files (an organization trail's under its organization's folder: when that is not known,
    only the ACL check is judged)."""
    key = log_object_key(trail.prefix, trail.account, trail.home_region, org_id if trail.organization else None)
    requests = bucket_requests(trail.bucket or "", key, trail.arn, trail.account, partition)
    if trail.organization and not org_id:
        requests = requests[:1]
    verdicts = [(r, evaluate(policy, r)) for r in requests]
    refused = [(r, v) for r, v in verdicts if not v.allowed]
    if not refused:
        return []
    return [finding("bucket-policy-blocks-delivery", trail.bucket, f"the policy of bucket {trail.bucket} would stop "
                    f"trail {trail.name}'s delivery: " + "; ".join(dict.fromkeys(v.why for _, v in refused)),
                    {"refused": [{"action": r.action, "resource": r.resource, "why": v.why} for r, v in refused],
                     "policy": policy, "trail": trail.arn},
                    trail=trail.name, home=trail.home_region, bucket=trail.bucket)]


def lifecycle_findings(trail: TrailFacts, rules: Sequence[Mapping[str, Any]], retention_days: int) -> list[Finding]:
    """bucket-lifecycle-short: an enabled rule over the trail's files expires them before ``retention_days``."""
    logs = f"{trail.prefix.strip('/')}/AWSLogs/" if trail.prefix and trail.prefix.strip("/") else "AWSLogs/"
    short = [r for r in rules if r.get("Status") == "Enabled" and _covers(r, logs) and _expires_before(r, retention_days)]
    if not short:
        return []
    said = ", ".join(f"{r.get('ID') or 'a rule'} after {_expiry(r)}" for r in short)
    return [finding("bucket-lifecycle-short", trail.bucket, f"bucket {trail.bucket} deletes trail {trail.name}'s "
                    f"files before the {retention_days} days wanted: {said}",
                    {"rules": short, "retention_days": retention_days, "prefix": logs},
                    trail=trail.name, home=trail.home_region, bucket=trail.bucket, retention=f"{retention_days}d")]


def _covers(rule: Mapping[str, Any], logs: str) -> bool:
    """Whether a lifecycle rule's filter takes in files under ``logs`` (trail files carry no tags: a rule
    that needs one takes in none)."""
    filt = rule.get("Filter") or {}
    if "Tag" in filt or (filt.get("And") or {}).get("Tags"):
        return False
    prefix = filt.get("Prefix", (filt.get("And") or {}).get("Prefix", rule.get("Prefix", ""))) or ""
    return logs.startswith(prefix) or prefix.startswith(logs)


def _expires_before(rule: Mapping[str, Any], days: int) -> bool:
    expiration = rule.get("Expiration") or {}
    return "Date" in expiration or (isinstance(expiration.get("Days"), int) and expiration["Days"] < days)


def _expiry(rule: Mapping[str, Any]) -> str:
    expiration = rule.get("Expiration") or {}
    return f"{expiration['Days']} days" if "Days" in expiration else f"the date {expiration.get('Date')}"


def key_findings(trail: TrailFacts, metadata: Mapping[str, Any] | None, policy: Mapping[str, Any] | None,
                 ) -> list[Finding]:
    """kms-key-blocks-delivery: the trail's key is not enabled, or its policy does not let CloudTrail
    generate data keys for the trail (``metadata``, ``policy``: None when not read)."""
    key = trail.kms_key or ""
    problems = []
    if metadata is not None and metadata.get("KeyState") != "Enabled":
        problems.append(f"the key is {metadata.get('KeyState')}")
    if policy is not None:
        verdict = evaluate(policy, key_request(key, trail.arn, trail.account))
        if not verdict.allowed:
            problems.append(f"its policy: {verdict.why}")
    if not problems:
        return []
    return [finding("kms-key-blocks-delivery", key, f"trail {trail.name} encrypts with KMS key {key} but "
                    + "; ".join(problems), {"key_state": (metadata or {}).get("KeyState"), "policy": policy},
                    key=key, account=trail.account, trail=trail.name)]


# --- reading the bucket and the key, then judging

def bucket_checks(reader: Reader, trail: TrailFacts, facts: SetupFacts, retention_days: int) -> list[Finding]:
    """The bucket's existence, policy and lifecycle, for ``trail``."""
    if not trail.bucket:
        return []
    names = {"trail": trail.name, "home": trail.home_region, "bucket": trail.bucket}
    got = reader.call("s3", trail.home_region, "get_bucket_policy", Bucket=trail.bucket,
                      absent=("NoSuchBucket", "NoSuchBucketPolicy"))
    if got.absent == "NoSuchBucket":
        return [finding("bucket-missing", trail.bucket, f"trail {trail.name} writes to bucket {trail.bucket}, which "
                        "does not exist: nothing is delivered", {"trail": trail.arn}, **names)]
    found = []
    if not got.failed:
        policy = json.loads(got.body["Policy"]) if got.body else None
        found += policy_findings(trail, policy, facts.org_id, facts.partition)
    rules = reader.call("s3", trail.home_region, "get_bucket_lifecycle_configuration", Bucket=trail.bucket,
                        absent=("NoSuchLifecycleConfiguration",))
    if not rules.failed:
        found += lifecycle_findings(trail, (rules.body or {}).get("Rules", []), retention_days)
    return found


def key_checks(reader: Reader, trail: TrailFacts) -> list[Finding]:
    if not trail.kms_key:
        return []
    region = trail.kms_key.split(":")[3] if trail.kms_key.startswith("arn:") else trail.home_region
    described = reader.call("kms", region, "describe_key", KeyId=trail.kms_key).body
    policy = reader.call("kms", region, "get_key_policy", KeyId=trail.kms_key, PolicyName="default").body
    return key_findings(trail, (described or {}).get("KeyMetadata"),
                        json.loads(policy["Policy"]) if policy else None)


def check_setup(reader: Reader, retention_days: int, *, regions: bool = True,
                ) -> tuple[SetupFacts | None, list[Finding]]:
    """Every check of the set-up: what was read (``regions``: the regions opted in to as well, for the store's
    checks), and the findings (those of failed calls included)."""
    facts = read_setup(reader, regions=regions)
    found: list[Finding] = []
    if facts is not None:
        found += account_findings(facts)
        for trail in facts.trails:
            found += trail_findings(trail)
            if trail.account == facts.account:  # an organization's trail seen from a member: not ours to check
                found += bucket_checks(reader, trail, facts, retention_days) + key_checks(reader, trail)
    return facts, found + reader.failures
