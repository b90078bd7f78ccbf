"""Generate a realistic sample trail of a shared sandbox account, in the S3 key layout.

The story (``scenario.py``) holds the resources with known answers; around it, routine traffic
(reads, service calls, sign-ins, short-lived resources) fills the trail up to the requested size.
Generation streams hour by hour, so memory stays bounded whatever the size, and is deterministic
for a given seed (same seed, byte-identical files).
"""

from __future__ import annotations

import heapq
import random
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cloudblame.demo.catalog_traffic import CatalogTraffic
from cloudblame.demo.ec2_shapes import create_security_group_shape
from cloudblame.demo.people import (
    Caller,
    Person,
    caller,
    make_crowd,
    make_people,
    service_caller,
)
from cloudblame.demo.scenario import REGION, Expected, Story, build_scenario
from cloudblame.demo.service_shapes import (
    assume_role_shape,
    create_queue_shape,
    queue_url,
)
from cloudblame.demo.trail import TrailWriter, build_record
from cloudblame.demo.values import REGIONS, Ids, parse_day

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
    event_counts: dict[tuple[str, str], int] = field(default_factory=dict)  # (eventSource, eventName) -> records


# Routine reads: (eventSource, eventName, requestParameters); responses are null for reads.
READS: tuple[tuple[str, str, dict[str, Any] | None], ...] = (
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

    def __init__(self, gen: _Generation) -> None:
        self.g = gen
        self.pending: list[tuple[int, int, dict[str, Any]]] = []  # (time, seq, call) of scheduled follow-ups
        self.seq = 0
        self._active: tuple[int, list[Any]] = (-1, [])  # (hour, people active then)

    def active_people(self, t: int) -> list[Any]:
        hour = t // 3600
        if self._active[0] != hour:
            g = self.g
            self._active = (hour, [p for p in g.people
                                   if p.kind != "github" and t < g.start + p.active_until * g.span])
        return self._active[1]

    def schedule(self, t: int, person: Person, flavour: str, account: str, region: str, call: tuple[Any, ...],
                 **kw: Any) -> None:
        """A follow-up call by ``person`` at ``t``: (eventSource, eventName, request, response)."""
        self.seq += 1
        heapq.heappush(self.pending, (t, self.seq, {"person": person, "flavour": flavour, "account": account,
                                                    "region": region, "call": call, "kw": kw}))

    def one(self, t: int, account: str) -> list[tuple[int, dict[str, Any]]]:
        g, rng = self.g, self.g.rng
        hour = t // 3600 % 24
        weekday = (t // 86400 + 4) % 7 < 5  # 1970-01-01 was a Thursday
        if not (weekday and 8 <= hour < 19) or rng.random() < 0.3:
            return [self._service(t, account)]
        active = self.active_people(t)
        person = active[rng.randrange(len(active))]
        flavour = rng.choices(list(person.tools), weights=list(person.tools.values()))[0]
        c, issue = caller(person, account, t, flavour, g.ids, rng)
        out = []
        if issue:
            out.append((issue["t"], g.fields_record(issue, account)))
        region = REGION if rng.random() < 0.7 else g.regions[rng.randrange(len(g.regions))]
        if rng.random() < 0.06:
            out.extend(self._churn(t, c, account, region))
        elif g.catalog is not None and rng.random() < g.catalog_share:
            out.extend(self._catalog_life(t, c, account, region))
        else:
            source, name, req = READS[rng.randrange(len(READS))]
            out.append((t, g.record(t, account, region, source, name, c, req, None, read_only=True)))
        return out

    def _service(self, t: int, account: str) -> tuple[int, dict[str, Any]]:
        g = self.g
        service, source, name = SERVICE_CALLS[g.rng.randrange(len(SERVICE_CALLS))]
        c = service_caller(service, account, t, g.ids)
        region = g.regions[g.rng.randrange(len(g.regions))]
        if name == "AssumeRole":
            role = f"arn:aws:iam::{account}:role/{service}-exec-{g.rng.randrange(6)}"
            session = g.ids.hexid(32) if service == "ecs" else f"{service}-session-{g.rng.randrange(1000)}"
            req, resp = assume_role_shape(role, session, "AROA" + g.ids.upper(17), account, g.ids.key("ASIA"), t + 3600)
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

    def _churn(self, t: int, c: Caller, account: str, region: str) -> list[tuple[int, dict[str, Any]]]:
        """A short-lived resource: created now, deleted by the same person hours later."""
        g, rng = self.g, self.g.rng
        assert c.person is not None  # people make short-lived things, services do not
        later = t + 3600 * rng.randrange(1, 30)
        kind = rng.randrange(4)
        gone: tuple[str, str, dict[str, Any], dict[str, Any] | None]
        if kind == 0:
            name = f"/tmp/{c.person.name.split('@')[0]}/{g.ids.lower(8)}"
            made = g.record(t, account, region, "logs.amazonaws.com", "CreateLogGroup", c, {"logGroupName": name}, None)
            gone = ("logs.amazonaws.com", "DeleteLogGroup", {"logGroupName": name}, None)
        elif kind == 1:
            req, resp = create_security_group_shape(g.ids, name=f"tmp-{g.ids.lower(6)}", description="temporary",
                                                    vpc=g.ids.ec2("vpc"), tags=None)
            made = g.record(t, account, region, "ec2.amazonaws.com", "CreateSecurityGroup", c, req, resp)
            gone = ("ec2.amazonaws.com", "DeleteSecurityGroup", {"groupId": resp["groupId"]}, {"requestId": None, "_return": True})
        elif kind == 2:
            name = f"scratch-{g.ids.lower(10)}"
            req, resp = create_queue_shape(account=account, region=region, name=name)
            made = g.record(t, account, region, "sqs.amazonaws.com", "CreateQueue", c, req, resp)
            gone = ("sqs.amazonaws.com", "DeleteQueue", {"queueUrl": queue_url(account, region, name)}, None)
        else:
            param = f"/sandbox/{c.person.name.split('@')[0]}/{g.ids.lower(6)}"
            made = g.record(t, account, region, "ssm.amazonaws.com", "PutParameter",
                            c, {"name": param, "type": "String", "value": "HIDDEN_DUE_TO_SECURITY_REASONS",
                                "overwrite": False}, {"version": 1, "tier": "Standard"})
            gone = ("ssm.amazonaws.com", "DeleteParameter", {"name": param}, None)
        self.schedule(later, c.person, c.flavour, account, region, gone)
        return [(t, made)]

    def _catalog_life(self, t: int, c: Caller, account: str, region: str) -> list[tuple[int, dict[str, Any]]]:
        """A resource of the next catalog type: made now by ``c``, changed, described, maybe deleted later,
        now and then by someone else."""
        g, rng = self.g, self.g.rng
        assert g.catalog is not None and c.person is not None  # catalog traffic is asked for, people make it
        steps = g.catalog.lifecycle(t, account, region, end=g.start + g.span - 1)
        (first_t, first), rest = steps[0], steps[1:]
        out = [(first_t, g.record(first_t, account, region, first.source, first.name, c, first.req, first.resp,
                                  **first.kw))]
        for when, call in rest:
            person, flavour = c.person, c.flavour
            if rng.random() < 0.3:
                active = self.active_people(t)
                person = active[rng.randrange(len(active))]
                flavour = rng.choices(list(person.tools), weights=list(person.tools.values()))[0]
            self.schedule(when, person, flavour, account, region, (call.source, call.name, call.req, call.resp),
                          **call.kw)
        return out

    def due(self, until: int) -> list[tuple[int, dict[str, Any]]]:
        out = []
        while self.pending and self.pending[0][0] < until:
            t, _, item = heapq.heappop(self.pending)
            source, name, req, resp = item["call"]
            c, issue = caller(item["person"], item["account"], t, item["flavour"], self.g.ids, self.g.rng)
            if issue:
                out.append((issue["t"], self.g.fields_record(issue, item["account"])))
            out.append((t, self.g.record(t, item["account"], item["region"], source, name, c, req, resp,
                                         **item["kw"])))
        return out


class _Generation:
    def __init__(self, root: Path, *, records: int, seed: int, start: str, days: int, accounts: int,
                 organization: bool | str, people: int = 0, people_seed: int | None = None,
                 catalog_share: float = 0.0) -> None:
        self.rng = random.Random(seed)
        self.ids = Ids(self.rng)
        self.target, self.days = records, days
        self.start, self.span = parse_day(start), days * 86400
        self.accounts = [MAIN_ACCOUNT] + [f"{444455550000 + 1111 * i:012d}" for i in range(1, accounts)]
        self.regions = list(REGIONS)
        people_ids = self.ids if people_seed is None else Ids(random.Random(people_seed))
        self.people = make_people(people_ids) + (make_crowd(people_ids, people) if people else [])
        self.kms_keys = [self.ids.uuid() for _ in range(4)]
        self.catalog_share = catalog_share
        self.catalog = CatalogTraffic(self.ids, self.rng) if catalog_share > 0 else None
        window = int(min(6 * 3600, max(300, 50 * self.span / max(records, 1))))
        org: str | None
        if isinstance(organization, str):
            org = organization
        else:
            org = f"o-{self.ids.lower(10)}" if organization else None
        self.writer = TrailWriter(root, self.ids, self.rng, window=window, org_id=org)

    def record(self, t: int, account: str, region: str, source: str, name: str, c: Caller, req: Any,
               resp: Any, **kw: Any) -> dict[str, Any]:
        return build_record(self.ids, t=t, account=account, region=region, source=source, name=name, caller=c,
                            req=req, resp=resp, **kw)

    def fields_record(self, f: dict[str, Any], account: str) -> dict[str, Any]:
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
            batch: list[tuple[int, dict[str, Any]]] = []
            while next_scenario < len(scenario) and scenario[next_scenario][0] < t0 + 3600:
                batch.append(scenario[next_scenario])
                next_scenario += 1
            batch.extend(filler.due(t0 + 3600))
            remaining = self.target - self.writer.records - len(batch) - (len(scenario) - next_scenario)
            if self.catalog is not None:  # its many follow-ups, already scheduled, count (the demo's trail stays)
                remaining -= len(filler.pending)
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
                             sorted(story.expected.values(), key=lambda e: e.created), spotlight,
                             event_counts=dict(w.event_counts))


def generate_sample_trail(root: Path, *, records: int = 5000, seed: int = 7, start: str = "2026-10-01",
                          days: int = 42, accounts: int = 1, organization: bool | str = False, people: int = 0,
                          people_seed: int | None = None, catalog_share: float = 0.0) -> SampleSummary:
    """Write a sample trail of about ``records`` records under ``root`` (see the module doc).

    For benchmark corpora: ``organization`` may be an organization id (``o-...``) so that shards share it;
    ``people`` adds that many more people (:func:`~cloudblame.demo.people.make_crowd`); ``people_seed``
    draws everyone's ids (roles, users, long-term keys) from their own seed, so shards share them too;
    ``catalog_share`` is the share of people's calls that start the life of a resource of the next catalog
    type (:mod:`~cloudblame.demo.catalog_traffic`), so every service the catalog knows shows up. The
    defaults write the demo's trail, whose known answers the tests check.
    """
    if days < 2 or records < 1 or accounts < 1:
        raise ValueError("need days >= 2, records >= 1 and accounts >= 1")
    if isinstance(organization, str) and not re.fullmatch(r"o-[a-z0-9]{10,32}", organization):
        raise ValueError(f"organization id {organization!r} is not o- and 10 to 32 lower-case letters or digits")
    if not 0.0 <= catalog_share <= 1.0:
        raise ValueError("catalog_share is a share: between 0 and 1")
    started = time.perf_counter()
    summary = _Generation(Path(root), records=records, seed=seed, start=start, days=days, accounts=accounts,
                          organization=organization, people=people, people_seed=people_seed,
                          catalog_share=catalog_share).run()
    summary.seconds = time.perf_counter() - started
    return summary
