"""How a resource type is charged, as data: the price model a catalog entry names, and why a type has none.

A model names the price-table items (``service`` and item, see :mod:`cloudblame.prices.table`) and the size
dimensions (keys of the entry's ``size``) it reads; :mod:`cloudblame.prices.models` holds the code that turns
a model, a size and a region into a monthly estimate. Nothing here reads prices or records.

- :class:`NoCharge` AWS charges nothing for the resource itself (a VPC, an IAM role): a known 0.
- :class:`FlatHourly` one fixed item per hour (a NAT gateway).
- :class:`Hourly` per hour of the item a dimension names (an instance type), times a count dimension.
- :class:`PerGbMonth` per GB-month of a size dimension (an EBS snapshot).
- The real exceptions, named: :class:`EbsVolume` (storage plus provisioned IOPS and throughput tiers),
  :class:`RdsInstance` (instance class, engine and deployment), :class:`LoadBalancerKind` (the ELBv2 type),
  :class:`CacheNodes` (ElastiCache node type and engine, shards x replicas), :class:`RedshiftNodes` (a
  single-node cluster has no node count).

A type with create events and no model says why in ``unpriced_reason``; the reasons shared by many types
are the constants below.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

# Size dimensions read as numbers (a record may log "100" or 100); the others are kept as logged.
NUMERIC_DIMENSIONS = frozenset({"size_gb", "count", "storage_gb", "iops", "throughput", "node_groups",
                                "replicas_per_group"})

# Why a type has no price model, where many types share the reason.
BY_USE = "charged by use (requests, data, run time), which its events do not record"
BY_STORAGE = "charged per GB stored, which its events do not record"
NOT_IN_TABLE = "charged per hour or month, but the bundled price table has no price for it"
BY_CAPACITY = "charged for capacity set after creation or scaled by AWS, which its events do not record"


@dataclass(frozen=True)
class NoCharge:
    """AWS charges nothing for the resource itself (what runs in it or through it is priced on its own)."""

    def reads(self) -> tuple[str, ...]:
        return ()


@dataclass(frozen=True)
class FlatHourly:
    """One ``item`` of ``service`` per hour; ``label`` names it in the basis."""

    service: str
    item: str
    label: str

    def reads(self) -> tuple[str, ...]:
        return ()


@dataclass(frozen=True)
class Hourly:
    """Per hour of the item the dimension ``item`` names (an instance or node type), times the dimension
    ``count`` (None: one). ``count_default`` is the count a size without one implies (an instance is one).
    ``item_suffixes`` rewrites an item's suffix to the table's (a legacy ``.elasticsearch`` instance type is
    priced as ``.search``). ``notes`` go into every basis."""

    service: str
    item: str
    count: str | None = None
    count_default: int | None = None
    item_suffixes: Mapping[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "item_suffixes", MappingProxyType(dict(self.item_suffixes)))

    def reads(self) -> tuple[str, ...]:
        return (self.item,) + ((self.count,) if self.count else ())


@dataclass(frozen=True)
class PerGbMonth:
    """Per GB-month of ``item`` of ``service`` for the dimension ``size_gb``; ``label`` names it, ``notes``
    go into every basis."""

    service: str
    item: str
    label: str
    notes: tuple[str, ...] = ()

    def reads(self) -> tuple[str, ...]:
        return ("size_gb",)


@dataclass(frozen=True)
class EbsVolume:
    """An EBS volume: storage per GB-month of its volume type (gp2 when not given), plus provisioned IOPS
    (io1, io2; gp3 beyond its baseline) and throughput (gp3 beyond its baseline)."""

    gp3_baseline_iops: int = 3000
    gp3_baseline_mibps: int = 125

    def reads(self) -> tuple[str, ...]:
        return ("size_gb", "volume_type", "iops", "throughput")


@dataclass(frozen=True)
class RdsInstance:
    """An RDS instance: per hour of its class, engine and deployment (Single-AZ when not given); storage is
    not priced (no RDS storage prices in the table)."""

    def reads(self) -> tuple[str, ...]:
        return ("instance_class", "engine", "multi_az")


@dataclass(frozen=True)
class LoadBalancerKind:
    """An ELBv2 load balancer: per hour of its type (application when not given); LCUs are not priced."""

    def reads(self) -> tuple[str, ...]:
        return ("type",)


@dataclass(frozen=True)
class CacheNodes:
    """ElastiCache nodes: per hour of ``engine:node_type`` (redis when the engine is not given), times
    ``count``; without a count, a cluster-mode group has ``node_groups`` x (``replicas_per_group`` + 1)."""

    sharded: bool = False

    def reads(self) -> tuple[str, ...]:
        return ("node_type", "count", "engine") + (("node_groups", "replicas_per_group") if self.sharded else ())


@dataclass(frozen=True)
class RedshiftNodes:
    """A Redshift cluster: per hour of its node type, times its node count (one for a single-node cluster,
    which logs no count)."""

    def reads(self) -> tuple[str, ...]:
        return ("node_type", "count", "cluster_type")


PriceModel = (NoCharge | FlatHourly | Hourly | PerGbMonth | EbsVolume | RdsInstance | LoadBalancerKind | CacheNodes
              | RedshiftNodes)
