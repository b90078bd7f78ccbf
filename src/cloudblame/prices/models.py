"""The code of the price models a catalog entry names (:mod:`cloudblame.catalog.pricing`): a model, a size
and a region to a monthly on-demand estimate with its basis, from a table of prices.

Every estimate carries its basis; a price the table does not have, or a size dimension the model needs and
the size lacks, makes the cost unknown (``usd_per_month=None`` with the reason), never zero. A default a
model takes (gp2, an application load balancer, Single-AZ, redis) is stated in the basis.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol, TypeVar

from cloudblame.catalog.pricing import (
    CacheNodes,
    EbsVolume,
    FlatHourly,
    Hourly,
    LoadBalancerKind,
    NoCharge,
    PerGbMonth,
    PriceModel,
    RdsInstance,
    RedshiftNodes,
)

HOURS_PER_MONTH = 730
RDS_ENGINES = {"postgres": "postgres", "postgresql": "postgres", "mysql": "mysql"}
ELASTICACHE_ENGINES = {"redis": "redis", "valkey": "valkey", "memcached": "memcached"}
_ELBV2 = {"application": "Application Load Balancer", "network": "Network Load Balancer",
          "gateway": "Gateway Load Balancer"}

Size = Mapping[str, Any]


@dataclass(frozen=True)
class Price:
    usd: float
    unit: str
    price_list_date: str
    source: str
    note: str = ""


@dataclass(frozen=True)
class Cost:
    usd_per_month: float | None
    basis: str


class Prices(Protocol):
    """What the models read: one price by (service, item, region)."""

    def price(self, service: str, item: str, region: str) -> Price | None: ...


def fmt(x: float) -> str:
    """A number as short exact decimal text (0.0960 -> '0.096', 100.0 -> '100')."""
    text = format(Decimal(repr(float(x))), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _count(size: Size, key: str) -> int | None:
    value = size.get(key)
    if value is None or isinstance(value, bool):
        return None
    try:
        n = int(value)
    except (TypeError, ValueError):
        return None
    return n if n >= 0 and n == float(value) else None


def _number(size: Size, key: str) -> float | None:
    value = size.get(key)
    if value is None or isinstance(value, bool):
        return None
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return x if x >= 0 else None


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    return bool(value)


def hourly(prices: Prices, label: str, service: str, item: str, region: str, count: int = 1,
           extra: str = "") -> Cost:
    """``count`` x the hourly price of ``item`` x 730 hours."""
    p = prices.price(service, item, region)
    if p is None:
        return Cost(None, f"no price for {label} in {region}")
    if p.unit != "hour":
        return Cost(None, f"price for {label} in {region} is per {p.unit}, not per hour")
    usd = round(p.usd * HOURS_PER_MONTH * count, 6)
    prefix = f"{count} x " if count != 1 else ""
    basis = (f"{prefix}{label} on-demand ${fmt(p.usd)}/h x {HOURS_PER_MONTH} h "
             f"({region}, price list {p.price_list_date})")
    if p.note:
        basis += f"; note: {p.note}"
    if extra:
        basis += f"; {extra}"
    return Cost(usd, basis)


M = TypeVar("M")
Estimator = Callable[[Prices, Any, str, Size, str], Cost]
_ESTIMATORS: dict[type, Estimator] = {}


def _estimates(model: type[M]) -> Callable[[Callable[[Prices, M, str, Size, str], Cost]],
                                           Callable[[Prices, M, str, Size, str], Cost]]:
    def register(fn: Callable[[Prices, M, str, Size, str], Cost]) -> Callable[[Prices, M, str, Size, str], Cost]:
        _ESTIMATORS[model] = fn
        return fn
    return register


def estimate(prices: Prices, model: PriceModel, resource_type: str, size: Size, region: str) -> Cost:
    """The monthly estimate of a resource of ``resource_type`` charged by ``model``."""
    if isinstance(model, NoCharge):
        return Cost(0.0, f"no charge: AWS does not charge for a {resource_type.rsplit('::', 1)[-1]} itself")
    if not region:
        return Cost(None, f"no region for {resource_type}")
    return _ESTIMATORS[type(model)](prices, model, resource_type, size, region)


@_estimates(FlatHourly)
def _flat(prices: Prices, model: FlatHourly, resource_type: str, size: Size, region: str) -> Cost:
    return hourly(prices, model.label, model.service, model.item, region)


@_estimates(Hourly)
def _sized_hourly(prices: Prices, model: Hourly, resource_type: str, size: Size, region: str) -> Cost:
    """Per hour of the instance or node type the size names, times its count."""
    name = size.get(model.item)
    if not name:
        return Cost(None, f"{resource_type}: size has no {model.item}")
    name = str(name)
    count: int | None = 1
    if model.count is not None:
        count = _count(size, model.count) if size.get(model.count) is not None else model.count_default
    if count is None:
        return Cost(None, f"{resource_type}: size has no valid {model.count}")
    item = next((name[:-len(old)] + new for old, new in model.item_suffixes.items() if name.endswith(old)), name)
    return hourly(prices, name, model.service, item, region, count, "; ".join(model.notes))


@_estimates(CacheNodes)
def _cache_nodes(prices: Prices, model: CacheNodes, resource_type: str, size: Size, region: str) -> Cost:
    """ElastiCache nodes of one engine and node type; a cluster-mode group without a count has its shards
    times (replicas + 1)."""
    name = size.get("node_type")
    if not name:
        return Cost(None, f"{resource_type}: size has no node_type")
    count = _count(size, "count") if size.get("count") is not None else None
    if count is None and size.get("count") is None and model.sharded:
        groups, replicas = _count(size, "node_groups"), _count(size, "replicas_per_group")
        count = None if groups is None or replicas is None else groups * (replicas + 1)
    if count is None:
        return Cost(None, f"{resource_type}: size has no valid count")
    engine_given = size.get("engine")
    engine = ELASTICACHE_ENGINES.get(str(engine_given or "redis").lower())
    if engine is None:
        return Cost(None, f"no price for ElastiCache engine {engine_given}")
    notes = [] if engine_given else ["engine not given: assumed redis"]
    return hourly(prices, f"{name} ({engine})", "elasticache", f"{engine}:{name}", region, count, "; ".join(notes))


@_estimates(RedshiftNodes)
def _redshift(prices: Prices, model: RedshiftNodes, resource_type: str, size: Size, region: str) -> Cost:
    """Redshift nodes; a single-node cluster logs no node count."""
    name = size.get("node_type")
    if not name:
        return Cost(None, f"{resource_type}: size has no node_type")
    single = str(size.get("cluster_type") or "").lower() == "single-node"
    count = _count(size, "count") if size.get("count") is not None else (1 if single else None)
    if count is None:
        return Cost(None, f"{resource_type}: size has no valid count")
    return hourly(prices, str(name), "redshift", str(name), region, count)


@_estimates(LoadBalancerKind)
def _load_balancer(prices: Prices, model: LoadBalancerKind, resource_type: str, size: Size, region: str) -> Cost:
    lb_type = str(size.get("type") or "application").lower()
    if lb_type not in _ELBV2:
        return Cost(None, f"no price for load balancer type {lb_type}")
    extra = "" if size.get("type") else "type not given: assumed application"
    return hourly(prices, _ELBV2[lb_type], "elb", lb_type, region, 1,
                  "; ".join(x for x in (extra, "LCU charges not included") if x))


@_estimates(RdsInstance)
def _rds(prices: Prices, model: RdsInstance, resource_type: str, size: Size, region: str) -> Cost:
    cls_ = size.get("instance_class")
    if not cls_:
        return Cost(None, f"{resource_type}: size has no instance_class")
    engine_given = size.get("engine")
    if not engine_given:
        return Cost(None, f"{resource_type}: size has no engine")
    engine = RDS_ENGINES.get(str(engine_given).lower())
    if engine is None:
        return Cost(None, f"no price for RDS engine {engine_given} (table has postgres and mysql)")
    multi = _truthy(size.get("multi_az"))
    deployment = "multi-az" if multi else "single-az"
    notes = [] if size.get("multi_az") is not None else ["multi_az not given: assumed false"]
    notes.append("storage not included (no RDS storage prices in the table)")
    label = f"{cls_} {engine} {'Multi-AZ' if multi else 'Single-AZ'}"
    return hourly(prices, label, "rds", f"{engine}:{cls_}:{deployment}", region, 1, "; ".join(notes))


@_estimates(PerGbMonth)
def _per_gb_month(prices: Prices, model: PerGbMonth, resource_type: str, size: Size, region: str) -> Cost:
    gb = _number(size, "size_gb")
    if gb is None:
        return Cost(None, f"{resource_type}: size has no valid size_gb")
    p = prices.price(model.service, model.item, region)
    if p is None:
        return Cost(None, f"no price for {model.service.upper()} {model.label}s in {region}")
    basis = f"{fmt(gb)} GB {model.label} x ${fmt(p.usd)}/GB-month ({region}, price list {p.price_list_date})"
    return Cost(round(gb * p.usd, 6), "; ".join((basis, *model.notes)))


@_estimates(EbsVolume)
def _volume(prices: Prices, model: EbsVolume, resource_type: str, size: Size, region: str) -> Cost:
    """An EBS volume: its storage, plus provisioned IOPS (io1, io2; gp3 beyond its baseline) and throughput
    (gp3 beyond its baseline)."""
    gb = _number(size, "size_gb")
    if gb is None:
        return Cost(None, f"{resource_type}: size has no valid size_gb")
    vt = str(size.get("volume_type") or "gp2").lower()
    p = prices.price("ebs", vt, region)
    if p is None:
        return Cost(None, f"no price for EBS {vt} in {region}")
    usd, basis = gb * p.usd, f"{fmt(gb)} GB {vt} x ${fmt(p.usd)}/GB-month ({region}, price list {p.price_list_date})"
    if not size.get("volume_type"):
        basis += "; volume_type not given: assumed gp2"
    iops, mibps = _number(size, "iops") or 0.0, _number(size, "throughput") or 0.0
    extras = [] if vt not in ("io1", "io2", "gp3") else [
        ("iops", max(0.0, iops - model.gp3_baseline_iops) if vt == "gp3" else iops, 1.0, "IOPS", "IOPS-month")]
    if vt == "gp3":
        extras.append(("throughput", max(0.0, mibps - model.gp3_baseline_mibps), 1 / 1024, "MiB/s", "GiB/s-month"))
    for dimension, billable, scale, unit, per in extras:
        if not billable:
            continue
        extra = prices.price("ebs", f"{dimension}:{vt}", region)
        if extra is None:
            return Cost(None, f"no price for EBS {vt} provisioned {dimension} in {region}")
        usd += billable * scale * extra.usd
        basis += f" + {fmt(billable)} {unit} x ${fmt(extra.usd)}/{per}" + (" / 1024" if scale != 1 else "")
    if vt == "io2" and iops > 32000:
        basis += "; upper bound: io2 IOPS beyond 32,000 cost less (tiers not in the table)"
    return Cost(round(usd, 6), basis)
