"""Estimated monthly cost of a resource from the bundled on-demand USD list prices.

Every estimate carries its basis (price, unit, hours, region, price-list date); a price the table does
not have is unknown (None, with the reason), never zero.
"""

from __future__ import annotations

import csv
import gzip
import io
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

HOURS_PER_MONTH = 730


@dataclass(frozen=True)
class Price:
    usd: float
    unit: str
    price_list_date: str
    source: str


@dataclass(frozen=True)
class Cost:
    usd_per_month: float | None
    basis: str


# resource type -> (service in the table, how to name the item from the size, count key or None)
HOURLY = {
    "AWS::EC2::Instance": ("ec2", lambda s: s.get("instance_type"), "count"),
    "AWS::EKS::Nodegroup": ("ec2", lambda s: s.get("instance_type"), "count"),
    "AWS::SageMaker::NotebookInstance": ("sagemaker", lambda s: s.get("instance_type"), None),
    "AWS::SageMaker::Endpoint": ("sagemaker", lambda s: s.get("instance_type"), "count"),
    "AWS::Redshift::Cluster": ("redshift", lambda s: s.get("node_type"), "count"),
    "AWS::OpenSearchService::Domain": ("opensearch", lambda s: s.get("instance_type"), "count"),
    "AWS::ElastiCache::CacheCluster": ("elasticache", lambda s: s.get("node_type") and f"redis:{s['node_type']}", "count"),
    "AWS::ElastiCache::ReplicationGroup": ("elasticache", lambda s: s.get("node_type") and f"redis:{s['node_type']}", "count"),
    "AWS::RDS::DBInstance": ("rds", lambda s: s.get("instance_class") and "{}:{}:{}".format(
        "postgres" if "postgres" in str(s.get("engine", "")).lower() else "mysql", s["instance_class"],
        "multi-az" if str(s.get("multi_az")).lower() == "true" else "single-az"), None),
    "AWS::EC2::NatGateway": ("nat", lambda s: "gateway", None),
    "AWS::EC2::EIP": ("eip", lambda s: "address", None),
    "AWS::EKS::Cluster": ("eks", lambda s: "cluster", None),
    "AWS::ElasticLoadBalancingV2::LoadBalancer": ("elb", lambda s: s.get("type") or "application", None),
    "AWS::ElasticLoadBalancing::LoadBalancer": ("elb", lambda s: "classic", None),
}
STORAGE = {"AWS::EC2::Volume": lambda s: s.get("volume_type") or "gp2", "AWS::EC2::Snapshot": lambda s: "snapshot"}
SUPPORTED_TYPES = frozenset(HOURLY) | frozenset(STORAGE)


class PriceTable:
    def __init__(self, prices: dict[tuple[str, str, str], Price]):
        self.prices = prices

    @classmethod
    @lru_cache(maxsize=1)
    def load(cls) -> "PriceTable":
        data = resources.files("cloudblame.pricing").joinpath("prices.csv.gz").read_bytes()
        rows = csv.DictReader(io.StringIO(gzip.decompress(data).decode()))
        return cls({(r["service"], r["region"], r["item"]): Price(float(r["usd"]), r["unit"], r["price_list_date"],
                                                                   r["source"]) for r in rows})

    def price(self, service: str, item: str, region: str) -> Price | None:
        return self.prices.get((service, region, item))

    def monthly_cost(self, resource_type: str, size: dict, region: str) -> Cost:
        if resource_type in STORAGE:
            return self._storage(resource_type, size, region)
        rule = HOURLY.get(resource_type)
        if rule is None:
            return Cost(None, f"no price model for {resource_type}")
        service, item_of, count_key = rule
        item = item_of(size)
        if not item:
            return Cost(None, f"size unknown for {resource_type} (the creation record does not say)")
        price = self.price(service, item, region)
        if price is None:
            return Cost(None, f"no {service} price for {item} in {region}")
        count = _count(size.get(count_key)) if count_key else 1
        usd = price.usd * HOURS_PER_MONTH * count
        times = f" x {count}" if count != 1 else ""
        return Cost(usd, f"{item} on-demand ${price.usd:g}/h x {HOURS_PER_MONTH} h{times} "
                         f"({region}, price list {price.price_list_date})")

    def _storage(self, resource_type: str, size: dict, region: str) -> Cost:
        item = STORAGE[resource_type](size)
        gb = size.get("size_gb")
        if gb in (None, ""):
            return Cost(None, f"size unknown for {resource_type} (the creation record does not say)")
        price = self.price("ebs", item, region)
        if price is None:
            return Cost(None, f"no ebs price for {item} in {region}")
        return Cost(price.usd * float(gb), f"{gb} GB {item} x ${price.usd:g}/GB-month ({region}, price list "
                                           f"{price.price_list_date})")


def _count(value) -> int:
    try:
        return max(1, int(value))
    except (TypeError, ValueError):
        return 1
