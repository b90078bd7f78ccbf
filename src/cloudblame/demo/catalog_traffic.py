"""Traffic for every rule of the resource catalog, so a corpus touches all the services cloudblame knows.

The story and the routine traffic of the sample trail cover a score of services; the catalog knows many
more (``cloudblame.catalog``). :class:`CatalogTraffic` plays short lives of resources of every catalog type
in turn: a create, a few modifications (and references, and tagging calls through the service's tagging
API), describes, sometimes a failed call, often a delete, each carrying the resource's id at the path its
catalog rule reads (``requestParameters.functionName``, ``responseElements.loadBalancers[].loadBalancerArn``,
composite ids such as ``{requestParameters.clusterName}/{requestParameters.addonName}``...), its ARN where
a field holds an ARN, and around it the kind of fields real calls carry (tags in the service's own style,
client tokens, descriptions, creation times). Types are taken round-robin and each type's events too, so
every rule shows up once the corpus is a few tens of thousands of records.

The generator uses this only when asked (``catalog_share`` > 0), so the demo's known answers stay as
they are. Everything random comes from the generator's seeded ``random.Random``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from cloudblame.catalog import (
    CATALOG,
    EC2_ID_PREFIXES,
    EC2_PREFIXES_NOT_CANONICAL,
    RULES,
    AnyResource,
    ResourceType,
    Rule,
)
from cloudblame.catalog.base import IdSpec
from cloudblame.core.jpath import compile_path
from cloudblame.demo.service_shapes import queue_url
from cloudblame.demo.values import Ids, iso, iso_ms, locale_date

_ROOTS = ("requestParameters", "responseElements", "additionalEventData")
_PROJECTS = ("orders", "billing", "search", "catalog", "payments", "analytics", "ml", "platform", "web", "api",
             "etl", "auth", "reports", "ingest", "notify", "media", "ledger", "geo")
_STAGES = ("prod", "staging", "dev", "test", "sandbox")
# eventSources whose read calls are Get* rather than Describe*
_GET_SOURCES = frozenset({"iam.amazonaws.com", "lambda.amazonaws.com", "s3.amazonaws.com", "sqs.amazonaws.com",
                          "sns.amazonaws.com", "ssm.amazonaws.com", "apigateway.amazonaws.com", "glue.amazonaws.com",
                          "amplify.amazonaws.com", "appsync.amazonaws.com", "guardduty.amazonaws.com",
                          "cloudfront.amazonaws.com", "route53.amazonaws.com", "codecommit.amazonaws.com",
                          "codepipeline.amazonaws.com", "bedrock.amazonaws.com", "scheduler.amazonaws.com",
                          "athena.amazonaws.com", "backup.amazonaws.com", "lightsail.amazonaws.com",
                          "wafv2.amazonaws.com", "aoss.amazonaws.com"})
_ERRORS = ("AccessDenied", "ValidationException", "ThrottlingException", "ResourceInUseException")

# ARNs of types the catalog cannot rebuild from an id (random parts): {id} is the resource's id,
# {parent}/{name} its parts, {hex}/{uuid}/{alnum6} random, {region}/{account} the call's.
_ARN_FORMATS = {
    "AWS::ElasticLoadBalancingV2::LoadBalancer":
        "arn:aws:elasticloadbalancing:{region}:{account}:loadbalancer/app/{id}/{hex}",
    "AWS::ElasticLoadBalancingV2::TargetGroup": "arn:aws:elasticloadbalancing:{region}:{account}:targetgroup/{id}/{hex}",
    "AWS::ElasticLoadBalancingV2::Listener":
        "arn:aws:elasticloadbalancing:{region}:{account}:listener/app/{name}/{hex}/{hex2}",
    "AWS::ElasticLoadBalancingV2::ListenerRule":
        "arn:aws:elasticloadbalancing:{region}:{account}:listener-rule/app/{name}/{hex}/{hex2}/{hex3}",
    "AWS::AutoScaling::AutoScalingGroup":
        "arn:aws:autoscaling:{region}:{account}:autoScalingGroup:{uuid}:autoScalingGroupName/{id}",
    "AWS::AutoScaling::LaunchConfiguration":
        "arn:aws:autoscaling:{region}:{account}:launchConfiguration:{uuid}:launchConfigurationName/{id}",
    "AWS::CloudFormation::Stack": "arn:aws:cloudformation:{region}:{account}:stack/{id}/{uuid}",
    "AWS::SecretsManager::Secret": "arn:aws:secretsmanager:{region}:{account}:secret:{id}-{alnum6}",
    "AWS::MSK::Cluster": "arn:aws:kafka:{region}:{account}:cluster/{id}/{uuid}-2",
    "AWS::EKS::Nodegroup": "arn:aws:eks:{region}:{account}:nodegroup/{parent}/{name}/{uuid}",
    "AWS::EKS::FargateProfile": "arn:aws:eks:{region}:{account}:fargateprofile/{parent}/{name}/{uuid}",
    "AWS::EKS::Addon": "arn:aws:eks:{region}:{account}:addon/{parent}/{name}/{uuid}",
    "AWS::SNS::Subscription": "arn:aws:sns:{region}:{account}:{name}:{id}",
    "AWS::DMS::Endpoint": "arn:aws:dms:{region}:{account}:endpoint:{id}",
    "AWS::DMS::ReplicationInstance": "arn:aws:dms:{region}:{account}:rep:{id}",
    "AWS::DMS::ReplicationTask": "arn:aws:dms:{region}:{account}:task:{id}",
    "AWS::AmazonMQ::Broker": "arn:aws:mq:{region}:{account}:broker:{name}:{id}",
    "AWS::AmazonMQ::Configuration": "arn:aws:mq:{region}:{account}:configuration:{id}",
    "AWS::AppRunner::Service": "arn:aws:apprunner:{region}:{account}:service/{id}/{hex}",
    "AWS::AppRunner::Connection": "arn:aws:apprunner:{region}:{account}:connection/{id}/{hex}",
    "AWS::AppRunner::VpcConnector": "arn:aws:apprunner:{region}:{account}:vpcconnector/{id}/1/{hex}",
    "AWS::AppRunner::AutoScalingConfiguration":
        "arn:aws:apprunner:{region}:{account}:autoscalingconfiguration/{id}/1/{hex}",
    "AWS::ImageBuilder::ImagePipeline": "arn:aws:imagebuilder:{region}:{account}:image-pipeline/{id}",
    "AWS::ImageBuilder::ImageRecipe": "arn:aws:imagebuilder:{region}:{account}:image-recipe/{id}/1.0.0",
    "AWS::ImageBuilder::InfrastructureConfiguration":
        "arn:aws:imagebuilder:{region}:{account}:infrastructure-configuration/{id}",
    "AWS::ImageBuilder::Component": "arn:aws:imagebuilder:{region}:{account}:component/{id}/1.0.0/1",
    "AWS::ECS::TaskSet": "arn:aws:ecs:{region}:{account}:task-set/{name}/{name}/{id}",
    "AWS::FSx::StorageVirtualMachine": "arn:aws:fsx:{region}:{account}:storage-virtual-machine/fs-{hex}/{id}",
    "AWS::ServiceCatalog::CloudFormationProvisionedProduct":
        "arn:aws:servicecatalog:{region}:{account}:stack/{name}/{id}",
    "AWS::WAFv2::WebACL": "arn:aws:wafv2:{region}:{account}:regional/webacl/{name}/{id}",
    "AWS::WAFv2::IPSet": "arn:aws:wafv2:{region}:{account}:regional/ipset/{name}/{id}",
    "AWS::WAFv2::RuleGroup": "arn:aws:wafv2:{region}:{account}:regional/rulegroup/{name}/{id}",
    "AWS::WAFv2::RegexPatternSet": "arn:aws:wafv2:{region}:{account}:regional/regexpatternset/{name}/{id}",
    "AWS::Bedrock::CustomModel": "arn:aws:bedrock:{region}:{account}:custom-model/{id}",
    "AWS::Bedrock::ModelCustomizationJob": "arn:aws:bedrock:{region}:{account}:model-customization-job/{id}",
    "AWS::KafkaConnect::Connector": "arn:aws:kafkaconnect:{region}:{account}:connector/{id}/{uuid}-3",
    "AWS::KafkaConnect::CustomPlugin": "arn:aws:kafkaconnect:{region}:{account}:custom-plugin/{id}/{uuid}-3",
    "AWS::KafkaConnect::WorkerConfiguration":
        "arn:aws:kafkaconnect:{region}:{account}:worker-configuration/{id}/{uuid}-3",
    "AWS::Events::Connection": "arn:aws:events:{region}:{account}:connection/{id}/{uuid}",
    "AWS::Events::ApiDestination": "arn:aws:events:{region}:{account}:api-destination/{id}/{uuid}",
}
# ids the catalog only accepts in one form (strict types): how to make one
_STRICT_IDS = {
    "AWS::EFS::FileSystem": lambda ids: "fs-" + ids.hexid(17),
    "AWS::EFS::AccessPoint": lambda ids: "fsap-" + ids.hexid(17),
    "AWS::KMS::Key": lambda ids: ids.uuid(),
    "AWS::SNS::Subscription": lambda ids: ids.uuid(),
    "AWS::FSx::StorageVirtualMachine": lambda ids: "svm-" + ids.hexid(17),
    "AWS::FSx::Volume": lambda ids: "fsvol-" + ids.hexid(17),
    "AWS::ServiceCatalog::CloudFormationProvisionedProduct": lambda ids: "pp-" + ids.lower(13),
    "AWS::Route53::HostedZone": lambda ids: "Z" + ids.upper(20),
}
_EC2_PREFIX_OF = {t: p[:-1] for p, t in EC2_ID_PREFIXES.items() if p not in EC2_PREFIXES_NOT_CANONICAL}


class Call(NamedTuple):
    """One API call of a resource's life, ready for ``build_record``."""

    source: str
    name: str
    req: dict[str, Any] | None
    resp: dict[str, Any] | None
    kw: dict[str, Any]  # build_record keywords: read_only, error, api_version


# --- writing values at catalog paths -----------------------------------------------------------------


def place(obj: dict[str, Any], path: str, value: object) -> None:
    """Set ``value`` at a catalog path in ``obj`` (the inverse of reading it: ``[]`` makes a one-element list,
    ``[N]`` a list long enough), creating the objects and lists on the way."""
    segs = compile_path(path)
    cur = obj
    for i, (key, index) in enumerate(segs):
        last = i == len(segs) - 1
        if index is None:
            if last:
                cur[key] = value
                return
            if not isinstance(cur.get(key), dict):
                cur[key] = {}
            cur = cur[key]
            continue
        n = int(index) if index else 0
        seq = cur.get(key)
        if not isinstance(seq, list):
            seq = cur[key] = []
        while len(seq) <= n:
            seq.append(None if last else {})
        if last:
            seq[n] = value
            return
        if not isinstance(seq[n], dict):
            seq[n] = {}
        cur = seq[n]


def _leaf(path: str) -> str:
    keys = [k for k, _ in compile_path(path) if k]
    return keys[-1].lower() if keys else ""


def _path_of(spec: IdSpec) -> str:
    """The path of a plain (not composite) id spec."""
    if spec.path is None:
        raise ValueError("a composite id template has no single path")
    return spec.path


def _is_arn_key(path: str) -> bool:
    return _leaf(path).endswith(("arn", "arns"))


# --- the plan of one resource type -----------------------------------------------------------------------


@dataclass
class TypePlan:
    """The events of one catalog type, by action, with round-robin cursors (so every rule gets its turn)."""

    entry: ResourceType
    creates: list[tuple[str, Rule]]
    changes: list[tuple[str, Rule]]  # modify and reference
    deletes: list[tuple[str, Rule]]
    taggers: list[tuple[str, Rule]] = field(default_factory=list)  # the source's any-type tagging rules
    cursors: dict[str, int] = field(default_factory=dict)
    template: IdSpec | None = None  # the first composite-id template of the type's rules (None: one-part ids)
    arn_only: bool = False  # every rule reads the id from an ARN field: the id is what the ARN says
    arn_fields: bool = False  # some rule reads the id from an ARN field

    def __post_init__(self) -> None:
        firsts = [rule.ids[0] for _, rule in self.creates + self.changes + self.deletes]
        self.template = next((s for s in firsts if s.is_template), None)
        arn_keys = [s.path is not None and _is_arn_key(s.path) for s in firsts]
        self.arn_only = bool(arn_keys) and all(arn_keys)
        self.arn_fields = any(arn_keys)

    def next(self, kind: str) -> tuple[str, Rule] | None:
        pool: list[tuple[str, Rule]] = getattr(self, kind)
        if not pool:
            return None
        i = self.cursors.get(kind, 0)
        self.cursors[kind] = i + 1
        return pool[i % len(pool)]


def _rules_of(entry: ResourceType | AnyResource, action: str) -> list[tuple[str, Rule]]:
    out = []
    for event in getattr(entry, action):
        for rule in RULES.get((entry.source, event), ()):
            if rule.entry is entry and rule.action == action and rule.ids \
                    and not any(p.startswith("userIdentity") for p in rule.ids[0].paths()):
                out.append((event, rule))
    return out


def build_plans() -> list[TypePlan]:
    """One plan per catalog type; each source's any-type rules (tagging) go to its types that have ARNs."""
    plans = [TypePlan(e, _rules_of(e, "create"), _rules_of(e, "modify") + _rules_of(e, "reference"),
                      _rules_of(e, "delete")) for e in CATALOG if isinstance(e, ResourceType)]
    plans = [p for p in plans if p.creates or p.changes or p.deletes]
    for any_entry in (e for e in CATALOG if isinstance(e, AnyResource)):
        fits = [p for p in plans if p.entry.source == any_entry.source
                and (p.entry.arn or p.entry.type in _ARN_FORMATS or p.entry.type in _EC2_PREFIX_OF)
                and (not any_entry.types or p.entry.type in any_entry.types)]
        rules = _rules_of(any_entry, "modify") + _rules_of(any_entry, "reference")
        for i, rule in enumerate(rules if fits else ()):
            fits[i % len(fits)].taggers.append(rule)
    return plans


# --- one resource ---------------------------------------------------------------------------------------


_STRICT_ARN = frozenset({"AWS::SNS::Subscription"})  # ids the catalog only accepts inside their ARN


@dataclass
class Resource:
    plan: TypePlan
    value: str  # what a plain id field holds
    arn: str | None
    name: str
    account: str
    region: str

    def value_at(self, path: str) -> str:
        """The id as the field at ``path`` holds it: the ARN in ARN fields, the queue URL in URL fields."""
        if self.arn and (self.plan.arn_only or _is_arn_key(path) or self.plan.entry.type in _STRICT_ARN):
            return self.arn
        if self.plan.entry.type == "AWS::SQS::Queue" and _leaf(path).endswith("url"):
            return queue_url(self.account, self.region, self.value)
        return self.value


def _slug(ids: Ids, rng: random.Random) -> str:
    return f"{_PROJECTS[rng.randrange(len(_PROJECTS))]}-{_STAGES[rng.randrange(len(_STAGES))]}-{ids.lower(5)}"


def _part(ids: Ids, rng: random.Random, path: str | None, entry: ResourceType, account: str) -> str:
    """One id (or id part) in the form its field suggests: numbers, ids, role ARNs, names."""
    leaf = _leaf(path) if path else "name"
    if leaf.endswith(("version", "revision", "number")):
        return str(rng.randrange(1, 12))
    if leaf.endswith("arn"):
        return f"arn:aws:iam::{account}:role/{_slug(ids, rng)}"
    if leaf == "id":
        return ids.uuid()
    if leaf.endswith("id"):
        return ids.hexid(16)
    if entry.id_transform == "strip-leading-slash":
        return f"/{_PROJECTS[rng.randrange(len(_PROJECTS))]}/{ids.lower(6)}/{ids.lower(4)}"
    return _slug(ids, rng)


def _first_path(spec: IdSpec) -> str | None:
    if spec.path is not None:
        return spec.path
    return next((v for _, alts in spec.parts for kind, v in alts if kind == "path"), None)


def new_resource(plan: TypePlan, ids: Ids, rng: random.Random, account: str, region: str) -> Resource:
    """A new resource of ``plan``'s type: its id (composite when the type's rules compose one), ARN, name."""
    entry, template = plan.entry, plan.template
    if template is not None:
        parts = [_part(ids, rng, next((v for k, v in alts if k == "path"), None), entry, account)
                 for _, alts in template.parts]
        shown = [p.rsplit("/", 1)[-1] if p.startswith("arn:") else p for p in parts]
        value = "".join(lit + p for (lit, _), p in zip(template.parts, shown)) + template.tail
    else:
        first = (plan.creates or plan.changes or plan.deletes)[0][1]
        maker = _STRICT_IDS.get(entry.type)
        prefix = _EC2_PREFIX_OF.get(entry.type) if entry.source == "ec2.amazonaws.com" else None
        path = _first_path(first.ids[0])
        value = maker(ids) if maker else ids.ec2(prefix) if prefix else \
            _part(ids, rng, None if path is None or _is_arn_key(path) else path, entry, account)
    name = _slug(ids, rng)
    return Resource(plan, value, _arn_of(plan, value, name, ids, account, region), name, account, region)


def _arn_of(plan: TypePlan, value: str, name: str, ids: Ids, account: str, region: str) -> str | None:
    entry = plan.entry
    canonical = value[1:] if entry.id_transform == "strip-leading-slash" and value.startswith("/") else value
    parent, _, child = canonical.partition("/")
    fill = {"partition": "aws", "region": "" if entry.global_ else region, "account": account, "id": canonical,
            "parent": parent, "name": child or name}
    if entry.arn:
        return entry.arn.format(**fill)
    fmt = _ARN_FORMATS.get(entry.type)
    if fmt:
        fill.update(hex=ids.hexid(16), hex2=ids.hexid(16), hex3=ids.hexid(16), uuid=ids.uuid(), alnum6=ids.alnum(6))
        return fmt.format(**fill)
    if plan.arn_fields:
        kind = entry.type.rsplit("::", 1)[-1].lower()
        return f"arn:aws:{entry.source.split('.', 1)[0]}:{fill['region']}:{account}:{kind}/{canonical}"
    return None


# --- the calls of a resource's life -----------------------------------------------------------------------


def _tags(rng: random.Random, res: Resource, style: int, with_name: bool) -> dict[str, Any] | list[Any]:
    tags = {"Project": res.name.split("-", 1)[0], "Environment": res.name.split("-")[1]}
    if with_name:
        tags["Name"] = res.name
    if rng.random() < 0.5:
        tags["CostCenter"] = f"cc-{rng.randrange(100, 999)}"
    if style == 0:
        return tags
    if style == 1:
        return [{"key": k, "value": v} for k, v in tags.items()]
    return [{"Key": k, "Value": v} for k, v in tags.items()]


class CatalogTraffic:
    """Short lives of resources of every catalog type, in turn (see the module doc)."""

    def __init__(self, ids: Ids, rng: random.Random) -> None:
        self.ids, self.rng = ids, rng
        self.plans = build_plans()
        self._queue: list[int] = []

    def _next_plan(self) -> TypePlan:
        if not self._queue:
            self._queue = list(range(len(self.plans)))
            self.rng.shuffle(self._queue)
        return self.plans[self._queue.pop()]

    def lifecycle(self, t: int, account: str, region: str, end: int) -> list[tuple[int, Call]]:
        """The calls of one new resource's life, time-ordered, the first at ``t``, none after ``end``:
        its create, changes (a few failing), perhaps a tagging call and a delete, and describes between."""
        rng = self.rng
        plan = self._next_plan()
        res = new_resource(plan, self.ids, rng, account, region)
        steps: list[tuple[int, Call]] = []
        when = t

        def then(kind: str, gap: tuple[int, int], error: str | None = None) -> None:
            nonlocal when
            when = t if not steps else min(end, when + rng.randrange(*gap))
            picked = plan.next(kind)
            assert picked is not None  # called only for the kinds of call the plan has
            steps.append((when, self._call(res, picked[0], picked[1], when, error=error)))

        if plan.creates:
            then("creates", (0, 1))
        for _ in range(rng.randint(1, max(1, -(-len(plan.changes) // 3))) if plan.changes else 0):
            then("changes", (300, 2 * 86400), _ERRORS[rng.randrange(len(_ERRORS))] if rng.random() < 0.03 else None)
        if plan.taggers and rng.random() < 0.5:
            then("taggers", (60, 86400))
        if plan.deletes and (not plan.creates or rng.random() < 0.45):
            then("deletes", (3600, 4 * 86400))
        last = max(when, min(end, t + 86400))
        steps += [(t + rng.randrange(30, max(31, last - t)), self._describe(res)) for _ in range(rng.randrange(3))]
        steps.sort(key=lambda step: step[0])
        return steps

    def _call(self, res: Resource, event: str, rule: Rule, t: int, error: str | None = None) -> Call:
        record: dict[str, Any] = {"requestParameters": {}, "responseElements": {}}
        self._decorate(record, res, rule, t)
        tagging = isinstance(rule.entry, AnyResource)
        if rule.action == "create":
            for spec in rule.names[:1]:
                if spec.path is not None:
                    place(record, spec.path, res.name)
            for spec in rule.arns[:1]:
                if res.arn and spec.path is not None:
                    place(record, spec.path, res.arn)
        self._place_id(record, rule.ids[0], res, tagging)
        kw: dict[str, Any] = {}
        for key, value in rule.when:  # the catalog only conditions on apiVersion (classic ELB vs ELBv2)
            if key == "apiVersion":
                kw["api_version"] = value
        if error:
            kw["error"] = error
        if record.get("additionalEventData"):
            kw["additional"] = record["additionalEventData"]
        return Call(res.plan.entry.source, event, record["requestParameters"] or None,
                    record["responseElements"] or None, kw)

    def _place_id(self, record: dict[str, Any], spec: IdSpec, res: Resource, tagging: bool) -> None:
        if tagging:  # EC2 tags resources by id, other services by ARN
            ec2 = res.plan.entry.source == "ec2.amazonaws.com"
            place(record, _path_of(spec), res.value if ec2 or not res.arn else res.arn)
        elif spec.path is not None:
            place(record, spec.path, res.value_at(spec.path))
        else:
            for i, (_, alts) in enumerate(spec.parts):
                path = next((v for kind, v in alts if kind == "path"), None)
                if path is not None:
                    place(record, path, self._template_part(res, spec, i))

    @staticmethod
    def _template_part(res: Resource, spec: IdSpec, i: int) -> str:
        """Part ``i`` of a composite id, cut out of the joined value by the template's literals."""
        rest = res.value
        for j, (literal, _) in enumerate(spec.parts):
            rest = rest[len(literal):] if literal and rest.startswith(literal) else rest
            nxt = spec.parts[j + 1][0] if j + 1 < len(spec.parts) else spec.tail
            piece, _, after = rest.partition(nxt) if nxt else (rest, "", "")
            if j == i:
                return piece
            rest = nxt + after if nxt else after
        return res.value

    def _decorate(self, record: dict[str, Any], res: Resource, rule: Rule, t: int) -> None:
        """The fields around the id that real calls carry, varying by action and service."""
        rng, ids = self.rng, self.ids
        req, resp = record["requestParameters"], record["responseElements"]
        source = res.plan.entry.source
        style = sum(map(ord, source)) % 3
        if source == "ec2.amazonaws.com":
            resp["requestId"] = None
        if isinstance(rule.entry, AnyResource):
            if source == "ec2.amazonaws.com":
                req["tagSet"] = {"items": _tags(rng, res, 1, False)}
            else:
                req["tags"] = _tags(rng, res, style, False)
        elif rule.action == "create":
            if source == "ec2.amazonaws.com":
                kind = res.plan.entry.tag_type or res.plan.entry.type.rsplit("::", 1)[-1].lower()
                req["tagSpecificationSet"] = {"items": [{"resourceType": kind,
                                                         "tags": _tags(rng, res, 1, rng.random() < 0.7)}]}
                req["clientToken"] = ids.token()
            else:
                if rng.random() < 0.7:
                    req["tags"] = _tags(rng, res, style, rng.random() < 0.3)
                if rng.random() < 0.4:
                    req["description"] = f"{res.name.split('-')[0]} {res.plan.entry.type.rsplit('::', 1)[-1]}"
                if rng.random() < 0.3:
                    req["clientRequestToken"] = ids.uuid()
                if rng.random() < 0.6:
                    resp["createdAt" if style else "creationDate"] = locale_date(t) if style == 2 else iso_ms(t)
                    resp["status"] = "CREATING"
        elif rule.action == "delete":
            if rng.random() < 0.3:
                req["force"] = rng.random() < 0.5
        else:
            choice = rng.randrange(4)
            if choice == 0:
                req["description"] = f"updated {iso(t)[:10]}"
            elif choice == 1:
                req["enabled"] = rng.random() < 0.8
            elif choice == 2:
                req["settings"] = {"retentionDays": rng.choice((7, 14, 30, 90)), "logging": rng.random() < 0.5}

    def _describe(self, res: Resource) -> Call:
        entry = res.plan.entry
        noun = entry.type.rsplit("::", 1)[-1]
        ec2 = entry.source == "ec2.amazonaws.com"
        name = ("Get" if entry.source in _GET_SOURCES else "Describe") + noun + ("s" if ec2 else "")
        if (entry.source, name) in RULES:
            name = f"List{noun}s"
        record: dict[str, Any] = {"requestParameters": {}}
        spec = next((r.ids[0] for _, r in res.plan.changes + res.plan.deletes
                     if (r.ids[0].path or "").startswith("requestParameters")), None)
        if spec is not None:
            place(record, _path_of(spec), res.value_at(_path_of(spec)))
        else:
            record["requestParameters"][noun[0].lower() + noun[1:] + "Name"] = res.value
        return Call(entry.source, name, record["requestParameters"], None, {"read_only": True})
