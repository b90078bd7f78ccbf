"""Generate a realistic sample trail of a shared sandbox account, in the S3 key layout.

The story (``scenario.py``) holds the resources with known answers; around it, routine traffic
(reads, service calls, sign-ins, short-lived resources) fills the trail up to the requested size.
Generation streams hour by hour, so memory stays bounded whatever the size, and is deterministic
for a given seed (same seed, byte-identical files).
"""

from __future__ import annotations

import heapq
import random
import time
from dataclasses import dataclass, field
from pathlib import Path

from cloudblame.demo import shapes as S
from cloudblame.demo.people import Caller, caller, make_people, service_caller
from cloudblame.demo.scenario import REGION, Expected, Story, build_scenario
from cloudblame.demo.trail import TrailWriter, build_record

MAIN_ACCOUNT = "111122223333"


@dataclass
class SampleSummary:
    root: Path
    files: int
    records: int
    bytes: int
    accounts: list[str]
    regions: list[str]
    expected: list[Expected] = field(default_factory=list)
    spotlight: str = ""
    seconds: float = 0.0


# Routine reads: (eventSource, eventName, requestParameters); responses are null for reads.
READS: tuple[tuple[str, str, dict | None], ...] = (
    ("ec2.amazonaws.com", "DescribeInstances", {"instancesSet": {}, "filterSet": {}}),
    ("ec2.amazonaws.com", "DescribeVpcs", {"vpcSet": {}, "filterSet": {}}),
    ("ec2.amazonaws.com", "DescribeSecurityGroups", {"securityGroupSet": {}, "filterSet": {}}),
    ("ec2.amazonaws.com", "DescribeSubnets", {"subnetSet": {}, "filterSet": {}}),
    ("ec2.amazonaws.com", "DescribeVolumes", {"volumeSet": {}, "filterSet": {}}),
    ("s3.amazonaws.com", "ListBuckets", {"Host": "s3.amazonaws.com"}),
    ("iam.amazonaws.com", "ListRoles", None),
    ("iam.amazonaws.com", "GetUser", None),
    ("sts.amazonaws.com", "GetCallerIdentity", None),
    ("rds.amazonaws.com", "DescribeDBInstances", None),
    ("lambda.amazonaws.com", "ListFunctions20150331", None),
    ("logs.amazonaws.com", "DescribeLogGroups", {"limit": 50}),
    ("dynamodb.amazonaws.com", "DescribeTable", {"tableName": "orders"}),
    ("eks.amazonaws.com", "DescribeCluster", {"name": "sandbox-eks"}),
    ("cloudformation.amazonaws.com", "DescribeStacks", None),
    ("secretsmanager.amazonaws.com", "ListSecrets", None),
    ("monitoring.amazonaws.com", "DescribeAlarms", {"maxRecords": 100}),
    ("ssm.amazonaws.com", "GetParameter", {"name": "/sandbox/feature-flags", "withDecryption": False}),
)
# Services that call on their own: (service, eventSource, eventName)
SERVICE_CALLS = (
    ("lambda", "sts.amazonaws.com", "AssumeRole"),
    ("ec2", "sts.amazonaws.com", "AssumeRole"),
    ("secretsmanager", "kms.amazonaws.com", "Decrypt"),
    ("s3", "kms.amazonaws.com", "GenerateDataKey"),
    ("config", "ec2.amazonaws.com", "DescribeInstances"),
    ("cloudtrail", "s3.amazonaws.com", "GetBucketAcl"),
)


class Filler:
    """Routine traffic: people reading and making short-lived things, and services at work."""

    def __init__(self, gen: "_Generation") -> None:
        self.g = gen
        self.pending: list[tuple[int, int, dict]] = []  # (time, seq, record) of scheduled follow-ups
        self.seq = 0

    def one(self, t: int, account: str) -> list[tuple[int, dict]]:
        g, rng = self.g, self.g.rng
        hour = t // 3600 % 24
        weekday = (t // 86400 + 4) % 7 < 5  # 1970-01-01 was a Thursday
        if not (weekday and 8 <= hour < 19) or rng.random() < 0.3:
            return [self._service(t, account)]
        active = [p for p in g.people if p.kind != "github" and t < g.start + p.active_until * g.span]
        person = active[rng.randrange(len(active))]
        flavour = rng.choices(list(person.tools), weights=list(person.tools.values()))[0]
        c, issue = caller(person, account, t, flavour, g.ids, rng)
        out = []
        if issue:
            out.append((issue["t"], g.fields_record(issue, account)))
        region = REGION if rng.random() < 0.7 else g.regions[rng.randrange(len(g.regions))]
        if rng.random() < 0.06:
            out.extend(self._churn(t, c, account, region))
        else:
            source, name, req = READS[rng.randrange(len(READS))]
            out.append((t, g.record(t, account, region, source, name, c, req, None, read_only=True)))
        return out

    def _service(self, t: int, account: str) -> tuple[int, dict]:
        g = self.g
        service, source, name = SERVICE_CALLS[g.rng.randrange(len(SERVICE_CALLS))]
        c = service_caller(service, account, t, g.ids)
        region = g.regions[g.rng.randrange(len(g.regions))]
        if name == "AssumeRole":
            role = f"arn:aws:iam::{account}:role/{service}-exec-{g.rng.randrange(6)}"
            session = g.ids.hexid(32) if service == "ecs" else f"{service}-session-{g.rng.randrange(1000)}"
            req, resp = S.assume_role_shape(role, session, "AROA" + g.ids.upper(17), account, g.ids.key("ASIA"), t + 3600)
            return t, g.record(t, account, region, source, name, c, req, resp, read_only=True,
                               resources=[{"accountId": account, "type": "AWS::IAM::Role", "ARN": role}])
        if source == "kms.amazonaws.com":
            key = f"arn:aws:kms:{region}:{account}:key/{g.kms_keys[g.rng.randrange(len(g.kms_keys))]}"
            req = {"encryptionAlgorithm": "SYMMETRIC_DEFAULT", "encryptionContext": {"SecretARN": "x"}} \
                if name == "Decrypt" else {"keyId": key, "keySpec": "AES_256"}
            return t, g.record(t, account, region, source, name, c, req, None, read_only=True,
                               resources=[{"accountId": account, "type": "AWS::KMS::Key", "ARN": key}])
        return t, g.record(t, account, region, source, name, c, {"bucketName": f"trail-{account}"} if source == "s3.amazonaws.com" else None,
                           None, read_only=True)

    def _churn(self, t: int, c: Caller, account: str, region: str) -> list[tuple[int, dict]]:
        """A short-lived resource: created now, deleted by the same person hours later."""
        g, rng = self.g, self.g.rng
        later = t + 3600 * rng.randrange(1, 30)
        kind = rng.randrange(4)
        if kind == 0:
            name = f"/tmp/{c.person.name.split('@')[0]}/{g.ids.lower(8)}"
            made = g.record(t, account, region, "logs.amazonaws.com", "CreateLogGroup", c, {"logGroupName": name}, None)
            gone = ("logs.amazonaws.com", "DeleteLogGroup", {"logGroupName": name}, None)
        elif kind == 1:
            req, resp = S.create_security_group_shape(g.ids, name=f"tmp-{g.ids.lower(6)}", description="temporary",
                                                      vpc=g.ids.ec2("vpc"), tags=None)
            made = g.record(t, account, region, "ec2.amazonaws.com", "CreateSecurityGroup", c, req, resp)
            gone = ("ec2.amazonaws.com", "DeleteSecurityGroup", {"groupId": resp["groupId"]}, {"requestId": None, "_return": True})
        elif kind == 2:
            name = f"scratch-{g.ids.lower(10)}"
            req, resp = S.create_queue_shape(account=account, region=region, name=name)
            made = g.record(t, account, region, "sqs.amazonaws.com", "CreateQueue", c, req, resp)
            gone = ("sqs.amazonaws.com", "DeleteQueue", {"queueUrl": S.queue_url(account, region, name)}, None)
        else:
            param = f"/sandbox/{c.person.name.split('@')[0]}/{g.ids.lower(6)}"
            made = g.record(t, account, region, "ssm.amazonaws.com", "PutParameter",
                            c, {"name": param, "type": "String", "value": "HIDDEN_DUE_TO_SECURITY_REASONS",
                                "overwrite": False}, {"version": 1, "tier": "Standard"})
            gone = ("ssm.amazonaws.com", "DeleteParameter", {"name": param}, None)
        self.seq += 1
        heapq.heappush(self.pending, (later, self.seq, {"c": c, "account": account, "region": region, "call": gone}))
        return [(t, made)]

    def due(self, until: int) -> list[tuple[int, dict]]:
        out = []
        while self.pending and self.pending[0][0] < until:
            t, _, item = heapq.heappop(self.pending)
            source, name, req, resp = item["call"]
            c, issue = caller(item["c"].person, item["account"], t, item["c"].flavour, self.g.ids, self.g.rng)
            if issue:
                out.append((issue["t"], self.g.fields_record(issue, item["account"])))
            out.append((t, self.g.record(t, item["account"], item["region"], source, name, c, req, resp)))
        return out


class _Generation:
    def __init__(self, root: Path, *, records: int, seed: int, start: str, days: int, accounts: int,
                 organization: bool) -> None:
        self.rng = random.Random(seed)
        self.ids = S.Ids(self.rng)
        self.target, self.days = records, days
        self.start, self.span = S.parse_day(start), days * 86400
        self.accounts = [MAIN_ACCOUNT] + [f"{444455550000 + 1111 * i:012d}" for i in range(1, accounts)]
        self.regions = list(S.REGIONS)
        self.people = make_people(self.ids)
        self.kms_keys = [self.ids.uuid() for _ in range(4)]
        window = int(min(6 * 3600, max(300, 50 * self.span / max(records, 1))))
        org = f"o-{self.ids.lower(10)}" if organization else None
        self.writer = TrailWriter(root, self.ids, self.rng, window=window, org_id=org)

    def record(self, t, account, region, source, name, c, req, resp, **kw) -> dict:
        return build_record(self.ids, t=t, account=account, region=region, source=source, name=name, caller=c,
                            req=req, resp=resp, **kw)

    def fields_record(self, f: dict, account: str) -> dict:
        c = Caller(None, f["identity"], "fixed", f["ua"], f["ip"])
        return self.record(f["t"], account, REGION, f["source"], f["name"], c, f["req"], f["resp"],
                           read_only=f["read_only"], event_type=f.get("event_type", "AwsApiCall"),
                           resources=f.get("resources"), additional=f.get("additional"), ua=f["ua"])

    def run(self) -> SampleSummary:
        story = Story(self.ids, self.rng, {p.name: p for p in self.people}, MAIN_ACCOUNT, self.start, self.days)
        spotlight = build_scenario(story)
        scenario = story.records
        filler = Filler(self)
        hours = self.days * 24
        next_scenario = 0
        for h in range(hours):
            t0 = self.start + h * 3600
            batch: list[tuple[int, dict]] = []
            while next_scenario < len(scenario) and scenario[next_scenario][0] < t0 + 3600:
                batch.append(scenario[next_scenario])
                next_scenario += 1
            batch.extend(filler.due(t0 + 3600))
            remaining = self.target - self.writer.records - len(batch) - (len(scenario) - next_scenario)
            quota = remaining / (hours - h)
            count = int(quota) + (1 if self.rng.random() < quota - int(quota) else 0)
            for _ in range(max(count, 0)):
                account = self.accounts[self.rng.randrange(len(self.accounts))]
                batch.extend(filler.one(t0 + self.rng.randrange(3600), account))
            batch.sort(key=lambda item: item[0])
            for t, rec in batch:
                self.writer.add(rec, t)
            self.writer.flush_before(t0 + 3600)
        for t, rec in scenario[next_scenario:] + filler.due(self.start + self.span + 86400 * 60):
            self.writer.add(rec, t)
        self.writer.close()
        w = self.writer
        return SampleSummary(w.root, w.files, w.records, w.bytes, self.accounts, self.regions,
                             sorted(story.expected.values(), key=lambda e: e.created), spotlight)


def generate_sample_trail(root: Path, *, records: int = 5000, seed: int = 7, start: str = "2026-10-01",
                          days: int = 42, accounts: int = 1, organization: bool = False) -> SampleSummary:
    """Write a sample trail of about ``records`` records under ``root`` (see the module doc)."""
    if days < 2 or records < 1 or accounts < 1:
        raise ValueError("need days >= 2, records >= 1 and accounts >= 1")
    started = time.perf_counter()
    summary = _Generation(Path(root), records=records, seed=seed, start=start, days=days, accounts=accounts,
                          organization=organization).run()
    summary.seconds = time.perf_counter() - started
    return summary
