"""The shape of a catalog entry: one AWS resource type described as data.

Modelled on cloud-custodian's ``TypeInfo`` (c7n/query.py) and the id paths of c7n/cwe.py: an entry says
which events of one ``eventSource`` create, delete, modify or merely reference resources of one type,
where in the record the resource's id (and ARN, and human name) is, and how to rebuild its ARN. Nothing
here reads records; :mod:`cloudblame.normalize.resources` applies the entries.

Paths use :mod:`cloudblame.core.jpath` syntax (dotted, case-insensitive keys, ``[]`` fans out and
coerces a lone object to a list, ``[N]`` indexes), rooted at the record, e.g.
``responseElements.instancesSet.items[].instanceId``. Several paths are tried in order; the first that
yields a value wins (put service-generated response ids first, client-chosen request names after, so a
failed call, whose response is null, still names its target).

A path may also be a *composite id template* for resources named inside a parent (an ECS service in
a cluster, an EKS node group, an API Gateway stage): ``"{requestParameters.cluster|=default}/{requestParameters.service}"``.
Each ``{...}`` holds alternatives separated by ``|`` (paths, or ``=literal`` for a default); the first
that yields a scalar is used, and a value that is an ARN contributes its last ``/`` segment. A template
yields one id, ``parent/name``, or nothing when a part is missing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import cast

from cloudblame.catalog.live import Describe
from cloudblame.catalog.pricing import PriceModel
from cloudblame.catalog.usage import UsageMetric
from cloudblame.core.jpath import compile_path as _compile_path

Paths = str | tuple[str, ...]

# Where a path may start: the parts of a record that name resources.
PATH_ROOTS = ("requestParameters", "responseElements", "userIdentity", "additionalEventData",
              "serviceEventDetails")

# Placeholders an ARN template may use. {parent} and {name} split a composite id "parent/name".
ARN_PLACEHOLDERS = ("partition", "region", "account", "id", "parent", "name")

ID_TRANSFORMS = (None, "lower", "strip-leading-slash")

_TEMPLATE_PART = re.compile(r"\{([^{}]+)\}")
_PLACEHOLDER = re.compile(r"\{(\w+)\}")
# The service of an ARN-matching id pattern written as "^arn:[^:]+:<service>:..." (or with a group).
_PATTERN_SERVICE = re.compile(r"^\^?(?:\(\?P<arn>)?arn:(?:\[\^:\]\+|\(\?P<partition>\[\^:\]\+\)):([a-z0-9-]+):")


# One part of a composite template: (literal before it, its alternatives); an alternative is ("path", path)
# or ("lit", literal).
TemplatePart = tuple[str, tuple[tuple[str, str], ...]]
# Paths as the catalog's entries hold them once frozen: eventName -> paths tried in order.
FrozenPaths = Mapping[str, tuple[str, ...]]
# A size dimension's value as a record logs it or a default gives it.
SizeValue = str | int | float | bool


@dataclass(frozen=True, slots=True)
class IdSpec:
    """One compiled id path: a plain jpath path, or a composite template (see the module doc)."""

    path: str | None
    parts: tuple[TemplatePart, ...]  # a template's parts (empty for a plain path)
    tail: str = ""

    @property
    def is_template(self) -> bool:
        return self.path is None

    def paths(self) -> tuple[str, ...]:
        if self.path is not None:
            return (self.path,)
        return tuple(v for _, alts in self.parts for kind, v in alts if kind == "path")


def compile_spec(spec: str) -> IdSpec:
    """Compile one path or composite template; raise ValueError on a malformed one."""
    if not isinstance(spec, str) or not spec:
        raise ValueError(f"empty or non-string path {spec!r}")
    if "{" not in spec and "}" not in spec:
        _check_path(spec)
        return IdSpec(spec, ())
    parts: list[TemplatePart] = []
    pos = 0
    for m in _TEMPLATE_PART.finditer(spec):
        literal = spec[pos:m.start()]
        if "{" in literal or "}" in literal:
            raise ValueError(f"unbalanced braces in template {spec!r}")
        alts: list[tuple[str, str]] = []
        for alt in m.group(1).split("|"):
            alt = alt.strip()
            if alt.startswith("="):
                alts.append(("lit", alt[1:]))
            else:
                _check_path(alt)
                alts.append(("path", alt))
        parts.append((literal, tuple(alts)))
        pos = m.end()
    tail = spec[pos:]
    if not parts or "{" in tail or "}" in tail:
        raise ValueError(f"bad template {spec!r}")
    return IdSpec(None, tuple(parts), tail)


def _check_path(path: str) -> None:
    root = path.split(".", 1)[0].split("[", 1)[0]
    if root not in PATH_ROOTS:
        raise ValueError(f"path {path!r} does not start at one of {PATH_ROOTS}")
    _compile_path(path)  # raises ValueError on a bad segment (and warms jpath's cache)


def _as_tuple(value: Paths) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    return tuple(value)


def _freeze(mapping: Mapping[str, Paths] | None) -> Mapping[str, tuple[str, ...]]:
    return MappingProxyType({k: _as_tuple(v) for k, v in (mapping or {}).items()})


def arn_template_regex(template: str) -> str:
    """The regex matching ARNs built by ``template`` (groups: partition, region, account, id or parent+name)."""
    out = ["^"]
    pos = 0
    for m in _PLACEHOLDER.finditer(template):
        out.append(re.escape(template[pos:m.start()]))
        name = m.group(1)
        if name == "partition":
            out.append(r"(?P<partition>[^:]+)")
        elif name in ("region", "account"):
            out.append(rf"(?P<{name}>[^:]*)")
        else:  # id, parent, name: one segment
            out.append(rf"(?P<{name}>[^/:]+)")
        pos = m.end()
    out.append(re.escape(template[pos:]) + "$")
    return "".join(out)


def composite_id(parent: str, name: str, sep: str = "/") -> str:
    """The composite id template ``{parent}<sep>{name}``; each side holds ``|``-separated alternatives."""
    return "{" + parent + "}" + sep + "{" + name + "}"


def regional_arn(service: str, rest: str) -> str:
    """An ARN template of a regional resource: ``arn:{partition}:<service>:{region}:{account}:<rest>``."""
    return "arn:{partition}:" + service + ":{region}:{account}:" + rest


def regional_arn_pattern(service: str, middle: str, tail: str = "") -> str:
    """An ARN-matching id pattern for ``id_pattern``: ``middle`` holds the ``(?P<id>...)`` group."""
    return rf"^(?P<arn>arn:(?P<partition>[^:]+):{service}:(?P<region>[^:]*):(?P<account>\d*):{middle}){tail}$"


@dataclass(frozen=True)
class ResourceType:
    """One resource type and the events that touch it, as data.

    ``type``       CloudFormation-style type (``AWS::EC2::Instance``); the Config / Event-history name when
                   CloudFormation has none (``AWS::EC2::Snapshot``, ``AWS::EC2::Ami``).
    ``source``     the ``eventSource`` of the events below (``ec2.amazonaws.com``).
    ``arn``        ARN template with ``{partition}``, ``{region}``, ``{account}``, ``{id}`` (or ``{parent}``
                   and ``{name}`` for a composite id); None when the ARN cannot be rebuilt from the id
                   (random suffix, UUID) and is only taken from the record.
    ``create`` / ``delete`` / ``modify`` / ``reference``
                   eventName -> id path(s), tried in order. ``reference`` is for events that use the
                   resource without changing it (a role added to an instance profile).
    ``arn_paths``  eventName -> path(s) of the resource's ARN in the record, when the service returns one.
    ``name_paths`` eventName -> path(s) of a human name when the id is not the name (a security group's
                   ``groupName``). Otherwise the name is the ``Name`` tag set by the call, if any.
    ``id_pattern`` regex(es) recovering the id from an ARN, URL or partial ARN given instead of the id.
                   Groups: ``id`` (or ``parent`` + ``name``), and optionally ``arn`` (the canonical ARN
                   inside a longer string, e.g. without a Lambda qualifier), ``partition``, ``region``,
                   ``account`` (override the record's, e.g. a queue URL of another account). The regex
                   derived from the ``arn`` template is always tried too. A value starting with ``arn:``
                   that matches no pattern is not an id of this type (the ARN of a sibling type).
    ``strict_ids`` when True, any value matching no pattern is rejected (a KMS alias is not a key id).
    ``id_transform`` None, ``"lower"`` (RDS, ElastiCache, Redshift: AWS stores identifiers lower-cased)
                   or ``"strip-leading-slash"`` (SSM parameter ``/a/b`` is ``parameter/a/b`` in its ARN).
    ``when``       top-level record fields that must equal the given value when present (classic ELB
                   ``apiVersion`` 2012-06-01 vs ELBv2 2015-12-01: same source and event names). When the
                   field is absent every candidate is tried and only those whose paths match yield ids.
    ``upsert_flags`` eventName -> path of a request flag that, when true, makes a create event a
                   modification (SSM ``PutParameter`` with ``overwrite``).
    ``global_``    the ARN has no region (IAM, S3, CloudFront, Route 53).
    ``tag_type``   the EC2 ``tagSpecificationSet`` resourceType whose ``Name`` tag names this resource.
    ``aliases``    other type strings for the same type (Config/Event-history names) met in records.
    ``no_delete_reason`` why a type with create events has no delete event, when it has none.
    ``size``       size dimension -> path(s) into the creation record, tried in order: what drives the
                   resource's cost (``instance_type``, ``size_gb``, ``count``...). Dimensions in
                   :data:`~cloudblame.catalog.pricing.NUMERIC_DIMENSIONS` are read as numbers.
    ``size_defaults`` dimension -> value a size has when its record does not give one (an instance is one).
    ``price``      how the type is charged (:mod:`cloudblame.catalog.pricing`): ``NoCharge()``, ``Hourly(...)``,
                   ``PerGbMonth(...)``, or a named exception (``EbsVolume()``...); every dimension it reads is
                   in ``size`` or ``size_defaults``.
    ``unpriced_reason`` why a type with create events has no price model (e.g. ``BY_USE``: charged per
                   request, which no event records).
    ``usage``      the CloudWatch metrics that show a resource of the type in real use
                   (:mod:`cloudblame.catalog.usage`): what ``forgotten --metrics`` reads.
    ``live``       the describe call that says whether a resource of the type is still there, stopped or resized
                   (:mod:`cloudblame.catalog.live`): what ``inventory --live`` and cleanup ask AWS.
    """

    type: str
    source: str
    arn: str | None = None
    create: Mapping[str, Paths] = field(default_factory=dict)
    delete: Mapping[str, Paths] = field(default_factory=dict)
    modify: Mapping[str, Paths] = field(default_factory=dict)
    reference: Mapping[str, Paths] = field(default_factory=dict)
    arn_paths: Mapping[str, Paths] = field(default_factory=dict)
    name_paths: Mapping[str, Paths] = field(default_factory=dict)
    id_pattern: str | tuple[str, ...] | None = None
    strict_ids: bool = False
    id_transform: str | None = None
    when: Mapping[str, str] = field(default_factory=dict)
    upsert_flags: Mapping[str, str] = field(default_factory=dict)
    global_: bool = False
    tag_type: str | None = None
    aliases: tuple[str, ...] = ()
    no_delete_reason: str | None = None
    size: Mapping[str, Paths] = field(default_factory=dict)
    size_defaults: Mapping[str, SizeValue] = field(default_factory=dict)
    price: PriceModel | None = None
    unpriced_reason: str | None = None
    usage: tuple[UsageMetric, ...] = ()
    live: Describe | None = None
    # derived (compiled at construction)
    patterns: tuple[re.Pattern[str], ...] = field(init=False, repr=False, compare=False, default=())
    arn_services: frozenset[str] = field(init=False, repr=False, compare=False, default=frozenset())

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        for name in ("create", "delete", "modify", "reference", "arn_paths", "name_paths", "size"):
            set_(self, name, _freeze(getattr(self, name)))
        for paths in self.size.values():
            for path in _as_tuple(paths):
                _check_path(path)
        if self.price is not None and self.unpriced_reason:
            raise ValueError(f"{self.type}: a price model and an unpriced_reason")
        set_(self, "size_defaults", MappingProxyType(dict(self.size_defaults)))
        set_(self, "when", MappingProxyType(dict(self.when)))
        set_(self, "upsert_flags", MappingProxyType(dict(self.upsert_flags)))
        if self.id_transform not in ID_TRANSFORMS:
            raise ValueError(f"{self.type}: id_transform must be one of {ID_TRANSFORMS}")
        sources: list[str] = []
        if self.id_pattern:
            sources.extend(_as_tuple(self.id_pattern))
        services: set[str] = set()
        if self.arn:
            bad = set(_PLACEHOLDER.findall(self.arn)) - set(ARN_PLACEHOLDERS)
            if bad:
                raise ValueError(f"{self.type}: unknown ARN placeholders {bad}")
            sources.append(arn_template_regex(self.arn))
            services.add(self.arn.split(":")[2])
        compiled: list[re.Pattern[str]] = []
        for src in sources:
            pat = re.compile(src)
            if "id" not in pat.groupindex and not {"parent", "name"} <= set(pat.groupindex):
                raise ValueError(f"{self.type}: id pattern {src!r} has no 'id' (or 'parent'+'name') group")
            compiled.append(pat)
            m = _PATTERN_SERVICE.match(src)
            if m:
                services.add(m.group(1))
        set_(self, "patterns", tuple(compiled))
        set_(self, "arn_services", frozenset(services))

    def size_paths(self) -> FrozenPaths:
        """dimension -> paths tried in order (frozen by __post_init__)."""
        return cast(FrozenPaths, self.size)

    def events(self) -> dict[str, FrozenPaths]:
        """action -> {eventName: paths} for the four actions."""
        # __post_init__ froze every path to a tuple
        return {"create": cast(FrozenPaths, self.create), "delete": cast(FrozenPaths, self.delete),
                "modify": cast(FrozenPaths, self.modify), "reference": cast(FrozenPaths, self.reference)}


@dataclass(frozen=True)
class AnyResource:
    """Events whose target can be a resource of any type (tagging APIs, console sign-in).

    The type of each id is resolved per value: an EC2-style id by its prefix (:data:`EC2_ID_PREFIXES`),
    an ARN by matching it against every catalog type's patterns for the ARN's service. ``types``, when
    given, keeps only ids resolved to those types; otherwise an unresolved ARN is kept with no type.
    """

    source: str
    modify: Mapping[str, Paths] = field(default_factory=dict)
    reference: Mapping[str, Paths] = field(default_factory=dict)
    types: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "modify", _freeze(self.modify))
        object.__setattr__(self, "reference", _freeze(self.reference))

    def events(self) -> dict[str, FrozenPaths]:
        # __post_init__ froze every path to a tuple
        return {"modify": cast(FrozenPaths, self.modify), "reference": cast(FrozenPaths, self.reference)}


def any_resource_tags(source: str, path: str = "requestParameters.resourceArn", tag: str = "TagResource",
                      untag: str = "UntagResource") -> AnyResource:
    """The tagging events of one service, whose target (at ``path``) can be a resource of any of its types."""
    return AnyResource(source=source, modify={tag: path, untag: path})


# EC2-style id prefix -> type. Ids are "<prefix><8 or 17 hex digits>".
EC2_ID_PREFIXES: Mapping[str, str] = MappingProxyType({
    "i-": "AWS::EC2::Instance",
    "vol-": "AWS::EC2::Volume",
    "snap-": "AWS::EC2::Snapshot",
    "sg-": "AWS::EC2::SecurityGroup",
    "subnet-": "AWS::EC2::Subnet",
    "vpc-": "AWS::EC2::VPC",
    "ami-": "AWS::EC2::Ami",
    "eni-": "AWS::EC2::NetworkInterface",
    "igw-": "AWS::EC2::InternetGateway",
    "eigw-": "AWS::EC2::EgressOnlyInternetGateway",
    "nat-": "AWS::EC2::NatGateway",
    "rtb-": "AWS::EC2::RouteTable",
    "acl-": "AWS::EC2::NetworkAcl",
    "eipalloc-": "AWS::EC2::EIP",
    "lt-": "AWS::EC2::LaunchTemplate",
    "key-": "AWS::EC2::KeyPair",
    "sir-": "AWS::EC2::SpotInstanceRequest",
    "fleet-": "AWS::EC2::EC2Fleet",
    "pcx-": "AWS::EC2::VPCPeeringConnection",
    "tgw-": "AWS::EC2::TransitGateway",
    "tgw-attach-": "AWS::EC2::TransitGatewayAttachment",
    "vpce-": "AWS::EC2::VPCEndpoint",
    "dopt-": "AWS::EC2::DHCPOptions",
    "vgw-": "AWS::EC2::VPNGateway",
    "cgw-": "AWS::EC2::CustomerGateway",
    "vpn-": "AWS::EC2::VPNConnection",
    "fl-": "AWS::EC2::FlowLog",
    "tmt-": "AWS::EC2::TrafficMirrorTarget",
    "tmf-": "AWS::EC2::TrafficMirrorFilter",
    "tms-": "AWS::EC2::TrafficMirrorSession",
})

# Prefixes whose id is not the type's canonical id (a key pair is known by its name; ``key-...`` is
# its secondary id): refs found by these prefixes get no ARN rebuilt from the template.
EC2_PREFIXES_NOT_CANONICAL = frozenset({"key-"})
