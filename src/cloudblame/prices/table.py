"""The bundled on-demand USD price table and monthly cost estimates.

The table is one gzip CSV packaged with cloudblame (``prices.csv.gz``), with columns
``service,region,item,unit,usd,price_list_date,source,note``. It is built from public price lists by
``tools/build_price_table.py`` or from the AWS Price List API by :func:`cloudblame.prices.refresh.refresh`.

Items per service (units in brackets)::

    ec2          <instance type>                         [hour]   Linux, shared tenancy
    ebs          gp2|gp3|io1|io2|st1|sc1|standard         [gb-month] volume storage
                 snapshot:standard|snapshot:archive        [gb-month]
                 iops:gp3|iops:io1|iops:io2                [iops-month]
                 throughput:gp3                            [gibps-month]
    rds          <engine>:<class>:<deployment>             [hour]   engine postgres|mysql,
                                                                    deployment single-az|multi-az|multi-az-cluster
    elasticache  <engine>:<node type>                      [hour]   engine redis|valkey|memcached
    opensearch   <instance type>  (e.g. m5.large.search)   [hour]
    redshift     <node type>                               [hour]
    sagemaker    <ml. instance type>                       [hour]   Studio notebook prices
    nat          gateway [hour], data [gb]
    eip          in-use, idle                              [hour]   public IPv4 address
    elb          application|network|classic|gateway [hour], application-lcu|network-lcu [lcu-hour],
                 classic-data [gb]
    eks          cluster, cluster-extended                 [hour]
    lambda       x86-gb-second, arm-gb-second [gb-second], request [request]
    dynamodb     rcu [rcu-hour], wcu [wcu-hour], read-request|write-request [request-unit], storage [gb-month]

:meth:`PriceTable.monthly_cost` turns a CloudFormation resource type and a size dict into a monthly
estimate (730 hours a month). Every estimate carries its basis; a price the table does not have is
unknown (``usd_per_month=None`` with the reason), never zero.

Defaults taken where CloudFormation has one (each is stated in the basis): ``AWS::EC2::Instance`` count 1,
``AWS::EC2::Volume`` volume_type gp2, ``AWS::ElasticLoadBalancingV2::LoadBalancer`` type application,
``AWS::RDS::DBInstance`` multi_az false, ElastiCache engine redis (optional ``engine`` key). Every other
missing size key makes the cost unknown. Types AWS charges nothing for by themselves (``NO_CHARGE_TYPES``:
VPCs, subnets, security groups, IAM...) cost a known 0.0; an EBS volume is charged for every dimension the
table prices (storage, io1/io2 IOPS, gp3 IOPS beyond 3,000 and throughput beyond 125 MiB/s).
``PRICED_DIMENSIONS`` names the size keys each estimate reads (a test holds each to its extraction).
"""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

HOURS_PER_MONTH = 730
# Raised whenever an estimate changes for the same size and prices (a new model, a dimension priced): a
# store's inventory priced under another version is priced again at its next publish.
PRICE_MODELS_VERSION = 3
DATA_FILE = "prices.csv.gz"
COLUMNS = ("service", "region", "item", "unit", "usd", "price_list_date", "source", "note")


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


# --------------------------------------------------------------------------- file format


def normalize_usd(value: str | float) -> str:
    """A price as a short exact decimal string ('0.0960000000' -> '0.096', '1E-7' -> '0.0000001')."""
    try:
        d = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise ValueError(f"not a price: {value!r}") from exc
    text = format(d.normalize(), "f")
    return text if text != "-0" else "0"


def _newer(a: Mapping[str, str], b: Mapping[str, str]) -> bool:
    return a["price_list_date"] > b["price_list_date"]


def dedupe(rows: Iterable[Mapping[str, str]]) -> list[dict[str, str]]:
    """One row per (service, region, item): the newest price_list_date wins; sorted."""
    best: dict[tuple[str, str, str], dict[str, str]] = {}
    for row in rows:
        r = {c: str(row.get(c) or "") for c in COLUMNS}
        key = (r["service"], r["region"], r["item"])
        old = best.get(key)
        if old is None or _newer(r, old):
            best[key] = r
    return [best[k] for k in sorted(best)]


def encode_table(rows: Iterable[Mapping[str, str]]) -> bytes:
    """The CSV text (deduped, sorted, normalized) of a price table, uncompressed."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(COLUMNS)
    for r in dedupe(rows):
        r["usd"] = normalize_usd(r["usd"])
        writer.writerow([r[c] for c in COLUMNS])
    return buf.getvalue().encode("utf-8")


def write_table(rows: Iterable[Mapping[str, str]], out: Path) -> int:
    """Write a price table (gzip CSV, reproducible: no name or mtime in the header). Returns rows written."""
    data = encode_table(rows)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    with open(tmp, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as gz:
        gz.write(data)
    tmp.replace(out)
    return data.count(b"\n") - 1


def read_rows(data: bytes) -> list[dict[str, str]]:
    """Rows of a gzip CSV price table."""
    text = gzip.decompress(data).decode("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


# --------------------------------------------------------------------------- lookups


def _fmt(x: float) -> str:
    text = format(Decimal(repr(float(x))), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


_UNIT_SHORT = {"hour": "h"}

RDS_ENGINES = {
    "postgres": "postgres",
    "postgresql": "postgres",
    "mysql": "mysql",
}

ELASTICACHE_ENGINES = {"redis": "redis", "valkey": "valkey", "memcached": "memcached"}

# resource type -> (service, key naming the item, noun for the basis, count key or None)
_HOURLY: dict[str, tuple[str, str, str | None]] = {
    "AWS::EC2::Instance": ("ec2", "instance_type", "count"),
    "AWS::EKS::Nodegroup": ("ec2", "instance_type", "count"),
    "AWS::OpenSearchService::Domain": ("opensearch", "instance_type", "count"),
    "AWS::Redshift::Cluster": ("redshift", "node_type", "count"),
    "AWS::SageMaker::NotebookInstance": ("sagemaker", "instance_type", None),
    "AWS::SageMaker::Endpoint": ("sagemaker", "instance_type", "count"),
    "AWS::ElastiCache::CacheCluster": ("elasticache", "node_type", "count"),
    "AWS::ElastiCache::ReplicationGroup": ("elasticache", "node_type", "count"),
}

# resource type -> (service, item, label) for flat hourly charges
_FLAT: dict[str, tuple[str, str, str]] = {
    "AWS::EC2::NatGateway": ("nat", "gateway", "NAT gateway"),
    "AWS::EC2::EIP": ("eip", "in-use", "public IPv4 address"),
    "AWS::EKS::Cluster": ("eks", "cluster", "EKS cluster (standard support)"),
    "AWS::ElasticLoadBalancing::LoadBalancer": ("elb", "classic", "Classic Load Balancer"),
}

# Types AWS charges nothing for by themselves (what runs in them or through them is priced on its own).
NO_CHARGE_TYPES: frozenset[str] = frozenset({
    "AWS::EC2::VPC", "AWS::EC2::Subnet", "AWS::EC2::SecurityGroup", "AWS::EC2::RouteTable", "AWS::EC2::NetworkAcl",
    "AWS::EC2::InternetGateway", "AWS::EC2::EgressOnlyInternetGateway", "AWS::EC2::DHCPOptions", "AWS::EC2::KeyPair",
    "AWS::EC2::LaunchTemplate", "AWS::EC2::CustomerGateway", "AWS::EC2::NetworkInterface",
    "AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group", "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy",
    "AWS::IAM::InstanceProfile", "AWS::IAM::AccessKey", "AWS::IAM::OIDCProvider", "AWS::IAM::SAMLProvider",
    "AWS::IAM::VirtualMFADevice", "AWS::RDS::DBSubnetGroup",
    "AWS::SSM::Association", "AWS::SSM::Document", "AWS::SNS::Subscription", "AWS::Lambda::Alias",
    "AWS::Lambda::EventSourceMapping", "AWS::AutoScaling::AutoScalingGroup", "AWS::AutoScaling::LaunchConfiguration",
    "AWS::CloudFormation::Stack",
})
# The size keys each priced type's estimate reads (tests hold every one to an extraction path or a default).
PRICED_DIMENSIONS: dict[str, tuple[str, ...]] = {
    **{t: (key,) + ((count,) if count else ()) for t, (_, key, count) in _HOURLY.items()},
    "AWS::Redshift::Cluster": ("node_type", "count", "cluster_type"),
    "AWS::ElastiCache::ReplicationGroup": ("node_type", "count", "node_groups", "replicas_per_group"),
    "AWS::EC2::Volume": ("size_gb", "volume_type", "iops", "throughput"),
    "AWS::EC2::Snapshot": ("size_gb",),
    "AWS::ElasticLoadBalancingV2::LoadBalancer": ("type",),
    "AWS::RDS::DBInstance": ("instance_class", "engine", "multi_az"),
}
GP3_BASELINE_IOPS, GP3_BASELINE_MIBPS = 3000, 125  # included in a gp3 volume's price

SUPPORTED_TYPES: frozenset[str] = frozenset(
    set(_HOURLY)
    | set(_FLAT)
    | {
        "AWS::EC2::Volume",
        "AWS::EC2::Snapshot",
        "AWS::ElasticLoadBalancingV2::LoadBalancer",
        "AWS::RDS::DBInstance",
    }
)

# Notes every estimate of a type carries.
_HOURLY_NOTES = {
    "AWS::SageMaker::Endpoint": ["approximate: SageMaker notebook price (endpoint prices are usually within 1%)"],
    "AWS::EKS::Nodegroup": ["EC2 instances of the node group"],
}

_ELBV2 = {"application": "Application Load Balancer", "network": "Network Load Balancer",
          "gateway": "Gateway Load Balancer"}


def _count(size: Mapping[str, Any], key: str) -> int | None:
    value = size.get(key)
    if value is None or isinstance(value, bool):
        return None
    try:
        n = int(value)
    except (TypeError, ValueError):
        return None
    return n if n >= 0 and n == float(value) else None


def _number(size: Mapping[str, Any], key: str) -> float | None:
    value = size.get(key)
    if value is None or isinstance(value, bool):
        return None
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return x if x >= 0 else None


def _implied_count(resource_type: str, size: Mapping[str, Any]) -> int | None:
    """How many instances or nodes a size without a count has, where the call implies it: one instance;
    a single-node Redshift cluster; a cluster-mode ElastiCache group's shards times (replicas + 1)."""
    if resource_type == "AWS::EC2::Instance":
        return 1
    if resource_type == "AWS::Redshift::Cluster" and str(size.get("cluster_type") or "").lower() == "single-node":
        return 1
    if resource_type == "AWS::ElastiCache::ReplicationGroup":
        groups, replicas = _count(size, "node_groups"), _count(size, "replicas_per_group")
        if groups is not None and replicas is not None:
            return groups * (replicas + 1)
    return None


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    return bool(value)


class PriceTable:
    """An in-memory price table: (service, region, item) -> Price."""

    def __init__(self, rows: Iterable[Mapping[str, str]], origin: str = "") -> None:
        self.origin = origin
        self._prices: dict[tuple[str, str, str], Price] = {}
        for r in rows:
            self._prices[(r["service"], r["region"], r["item"])] = Price(
                usd=float(r["usd"]),
                unit=r["unit"],
                price_list_date=r["price_list_date"],
                source=r.get("source") or "",
                note=r.get("note") or "",
            )

    # -- loading

    @classmethod
    def load(cls) -> PriceTable:
        """The table packaged with cloudblame (read once, then cached)."""
        return _packaged()

    @classmethod
    def from_path(cls, path: Path | str) -> PriceTable:
        """A table from a gzip CSV file (e.g. one written by ``prices refresh``)."""
        return cls(read_rows(Path(path).read_bytes()), origin=str(path))

    # -- queries

    def __len__(self) -> int:
        return len(self._prices)

    def price(self, service: str, item: str, region: str) -> Price | None:
        return self._prices.get((service, region, item))

    def services(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for service, _, _ in self._prices:
            out[service] = out.get(service, 0) + 1
        return dict(sorted(out.items()))

    def regions(self, service: str | None = None) -> list[str]:
        return sorted({r for s, r, _ in self._prices if service is None or s == service})

    # -- estimates

    def _hourly(self, label: str, service: str, item: str, region: str, count: int = 1,
                extra: str = "") -> Cost:
        p = self.price(service, item, region)
        if p is None:
            return Cost(None, f"no price for {label} in {region}")
        if p.unit != "hour":
            return Cost(None, f"price for {label} in {region} is per {p.unit}, not per hour")
        usd = round(p.usd * HOURS_PER_MONTH * count, 6)
        prefix = f"{count} x " if count != 1 else ""
        basis = (f"{prefix}{label} on-demand ${_fmt(p.usd)}/h x {HOURS_PER_MONTH} h "
                 f"({region}, price list {p.price_list_date})")
        if p.note:
            basis += f"; note: {p.note}"
        if extra:
            basis += f"; {extra}"
        return Cost(usd, basis)

    def monthly_cost(self, resource_type: str, size: Mapping[str, Any] | None, region: str) -> Cost:
        """Estimated on-demand USD per month for a resource, with its basis or the reason it is unknown."""
        size = size or {}
        if resource_type in NO_CHARGE_TYPES:
            return Cost(0.0, f"no charge: AWS does not charge for a {resource_type.rsplit('::', 1)[-1]} itself")
        if resource_type not in SUPPORTED_TYPES:
            return Cost(None, f"no price model for {resource_type}")
        if not region:
            return Cost(None, f"no region for {resource_type}")
        if resource_type in _FLAT:
            service, item, label = _FLAT[resource_type]
            return self._hourly(label, service, item, region)
        if resource_type in _HOURLY:
            return self._sized_hourly(resource_type, size, region)
        model = {"AWS::ElasticLoadBalancingV2::LoadBalancer": self._load_balancer, "AWS::RDS::DBInstance": self._rds,
                 "AWS::EC2::Volume": self._volume, "AWS::EC2::Snapshot": self._snapshot}[resource_type]
        return model(size, region)

    def _sized_hourly(self, resource_type: str, size: Mapping[str, Any], region: str) -> Cost:
        """A type charged per hour of its instance or node type (times its count)."""
        service, key, count_key = _HOURLY[resource_type]
        name = size.get(key)
        if not name:
            return Cost(None, f"{resource_type}: size has no {key}")
        name = str(name)
        count: int | None = 1
        notes: list[str] = []
        if count_key is not None:
            count = _count(size, count_key) if size.get(count_key) is not None else _implied_count(resource_type, size)
        if count is None:
            return Cost(None, f"{resource_type}: size has no valid {count_key}")
        item, label = name, name
        if service == "elasticache":
            engine_given = size.get("engine")
            engine = ELASTICACHE_ENGINES.get(str(engine_given or "redis").lower())
            if engine is None:
                return Cost(None, f"no price for ElastiCache engine {engine_given}")
            item, label = f"{engine}:{name}", f"{name} ({engine})"
            if not engine_given:
                notes.append("engine not given: assumed redis")
        notes += _HOURLY_NOTES.get(resource_type, [])
        return self._hourly(label, service, item, region, count, "; ".join(notes))

    def _load_balancer(self, size: Mapping[str, Any], region: str) -> Cost:
        lb_type = str(size.get("type") or "application").lower()
        if lb_type not in _ELBV2:
            return Cost(None, f"no price for load balancer type {lb_type}")
        extra = "" if size.get("type") else "type not given: assumed application"
        return self._hourly(_ELBV2[lb_type], "elb", lb_type, region, 1,
                            "; ".join(x for x in (extra, "LCU charges not included") if x))

    def _rds(self, size: Mapping[str, Any], region: str) -> Cost:
        cls_ = size.get("instance_class")
        if not cls_:
            return Cost(None, "AWS::RDS::DBInstance: size has no instance_class")
        engine_given = size.get("engine")
        if not engine_given:
            return Cost(None, "AWS::RDS::DBInstance: size has no engine")
        engine = RDS_ENGINES.get(str(engine_given).lower())
        if engine is None:
            return Cost(None, f"no price for RDS engine {engine_given} (table has postgres and mysql)")
        multi = _truthy(size.get("multi_az"))
        deployment = "multi-az" if multi else "single-az"
        notes = [] if "multi_az" in size and size["multi_az"] is not None else ["multi_az not given: assumed false"]
        notes.append("storage not included (no RDS storage prices in the table)")
        label = f"{cls_} {engine} {'Multi-AZ' if multi else 'Single-AZ'}"
        return self._hourly(label, "rds", f"{engine}:{cls_}:{deployment}", region, 1, "; ".join(notes))

    def _snapshot(self, size: Mapping[str, Any], region: str) -> Cost:
        gb = _number(size, "size_gb")
        if gb is None:
            return Cost(None, "AWS::EC2::Snapshot: size has no valid size_gb")
        p = self.price("ebs", "snapshot:standard", region)
        if p is None:
            return Cost(None, f"no price for EBS snapshots in {region}")
        return Cost(round(gb * p.usd, 6),
                    f"{_fmt(gb)} GB snapshot x ${_fmt(p.usd)}/GB-month ({region}, price list "
                    f"{p.price_list_date}); upper bound: snapshots are incremental")


    def _volume(self, size: Mapping[str, Any], region: str) -> Cost:
        """An EBS volume: its storage, plus provisioned IOPS (io1, io2; gp3 beyond 3,000) and throughput
        (gp3 beyond 125 MiB/s)."""
        gb = _number(size, "size_gb")
        if gb is None:
            return Cost(None, "AWS::EC2::Volume: size has no valid size_gb")
        vt = str(size.get("volume_type") or "gp2").lower()
        p = self.price("ebs", vt, region)
        if p is None:
            return Cost(None, f"no price for EBS {vt} in {region}")
        usd, basis = gb * p.usd, f"{_fmt(gb)} GB {vt} x ${_fmt(p.usd)}/GB-month ({region}, price list {p.price_list_date})"
        if not size.get("volume_type"):
            basis += "; volume_type not given: assumed gp2"
        iops, mibps = _number(size, "iops") or 0.0, _number(size, "throughput") or 0.0
        extras = [] if vt not in ("io1", "io2", "gp3") else [
            ("iops", max(0.0, iops - GP3_BASELINE_IOPS) if vt == "gp3" else iops, 1.0, "IOPS", "IOPS-month")]
        if vt == "gp3":
            extras.append(("throughput", max(0.0, mibps - GP3_BASELINE_MIBPS), 1 / 1024, "MiB/s", "GiB/s-month"))
        for dimension, billable, scale, unit, per in extras:
            if not billable:
                continue
            extra = self.price("ebs", f"{dimension}:{vt}", region)
            if extra is None:
                return Cost(None, f"no price for EBS {vt} provisioned {dimension} in {region}")
            usd += billable * scale * extra.usd
            basis += f" + {_fmt(billable)} {unit} x ${_fmt(extra.usd)}/{per}" + (" / 1024" if scale != 1 else "")
        if vt == "io2" and iops > 32000:
            basis += "; upper bound: io2 IOPS beyond 32,000 cost less (tiers not in the table)"
        return Cost(round(usd, 6), basis)


@lru_cache(maxsize=1)
def _packaged() -> PriceTable:
    ref = resources.files("cloudblame.prices").joinpath(DATA_FILE)
    return PriceTable(read_rows(ref.read_bytes()), origin=f"cloudblame.prices/{DATA_FILE}")


def price(service: str, item: str, region: str) -> Price | None:
    """A price from the packaged table."""
    return PriceTable.load().price(service, item, region)


def monthly_cost(resource_type: str, size: Mapping[str, Any] | None, region: str) -> Cost:
    """A monthly cost estimate from the packaged table."""
    return PriceTable.load().monthly_cost(resource_type, size, region)
