"""Rebuild the price table from the AWS Price List API (``pricing.get_products``).

``refresh(boto3.client("pricing", region_name="us-east-1"), regions=[...], out=path)`` writes a file in
the same format as the bundled ``prices.csv.gz`` (load it with ``PriceTable.from_path``). Needs
``pricing:GetProducts``. The client only has to provide ``get_products(**kwargs) -> dict``.

Queries (all filters are TERM_MATCH; ``regionCode`` is added per region when ``regions`` is given, else
every region is fetched):

==================  ==============================================================  =====================
table service       ServiceCode + filters                                           item from
==================  ==============================================================  =====================
ec2                 AmazonEC2: productFamily=Compute Instance, operatingSystem=Linux,  instanceType
                    tenancy=Shared, preInstalledSw=NA, capacitystatus=Used,
                    licenseModel=No License required
ebs                 AmazonEC2: productFamily=Storage                                 volumeApiName
ebs snapshot        AmazonEC2: productFamily=Storage Snapshot (usagetype *EBS:SnapshotUsage)  snapshot:standard
rds                 AmazonRDS: productFamily=Database Instance, databaseEngine=PostgreSQL | MySQL
                    (one query each); deploymentOption Single-AZ / Multi-AZ /
                    Multi-AZ (readable standbys)                                    engine:instanceType:deployment
elasticache         AmazonElastiCache: productFamily=Cache Instance                 cacheEngine:instanceType
opensearch          AmazonES: productFamily=Amazon OpenSearch Service Instance       instanceType
redshift            AmazonRedshift: productFamily=Compute Instance                  instanceType
nat                 AmazonEC2: productFamily=NAT Gateway                            usagetype *NatGateway-Hours / -Bytes
eip                 AmazonVPC: productFamily=VpcPublicIPv4Address                   usagetype *InUseAddress / *IdleAddress
elb                 AWSELB: productFamily=Load Balancer-Application | -Network |    LoadBalancerUsage / LCUUsage /
                    -Gateway | Load Balancer (classic)                              DataProcessing-Bytes
eks                 AmazonEKS: productFamily=Compute                                usagetype *AmazonEKS-Hours:perCluster
                                                                                    / *extendedSupport
==================  ==============================================================  =====================

The price is the OnDemand price dimension with the lowest beginRange that is not zero; the
price_list_date is the product's ``publicationDate`` (else the offer's ``effectiveDate``); the source
is ``aws-pricing-api``. SageMaker, Lambda and DynamoDB are not fetched.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from cloudblame.prices.table import normalize_usd, write_table

log = logging.getLogger(__name__)

SOURCE = "aws-pricing-api"

Row = dict[str, str]
Mapper = Callable[[dict[str, str]], "tuple[str, str, str] | None"]  # attrs -> (service, item, unit)


@dataclass(frozen=True)
class Query:
    service_code: str
    filters: dict[str, str]
    mapper: Mapper


def _ec2(a: dict[str, str]) -> tuple[str, str, str] | None:
    it = a.get("instanceType")
    return ("ec2", it, "hour") if it else None


def _ebs(a: dict[str, str]) -> tuple[str, str, str] | None:
    v = a.get("volumeApiName")
    return ("ebs", v, "gb-month") if v else None


def _snapshot(a: dict[str, str]) -> tuple[str, str, str] | None:
    return ("ebs", "snapshot:standard", "gb-month") if a.get("usagetype", "").endswith("EBS:SnapshotUsage") else None


_RDS_DEPLOYMENT = {"Single-AZ": "single-az", "Multi-AZ": "multi-az", "Multi-AZ (readable standbys)": "multi-az-cluster"}
_RDS_ENGINE = {"PostgreSQL": "postgres", "MySQL": "mysql"}


def _rds(a: dict[str, str]) -> tuple[str, str, str] | None:
    engine = _RDS_ENGINE.get(a.get("databaseEngine", ""))
    dep = _RDS_DEPLOYMENT.get(a.get("deploymentOption", ""))
    it = a.get("instanceType")
    if not (engine and dep and it):
        return None
    return ("rds", f"{engine}:{it}:{dep}", "hour")


def _elasticache(a: dict[str, str]) -> tuple[str, str, str] | None:
    engine, it = a.get("cacheEngine", "").lower(), a.get("instanceType")
    if engine not in ("redis", "valkey", "memcached") or not it:
        return None
    return ("elasticache", f"{engine}:{it}", "hour")


def _plain(service: str) -> Mapper:
    def m(a: dict[str, str]) -> tuple[str, str, str] | None:
        it = a.get("instanceType")
        return (service, it, "hour") if it else None

    return m


def _nat(a: dict[str, str]) -> tuple[str, str, str] | None:
    u = a.get("usagetype", "")
    if u.endswith("NatGateway-Hours"):
        return ("nat", "gateway", "hour")
    if u.endswith("NatGateway-Bytes"):
        return ("nat", "data", "gb")
    return None


def _eip(a: dict[str, str]) -> tuple[str, str, str] | None:
    u = a.get("usagetype", "")
    if u.endswith("InUseAddress"):
        return ("eip", "in-use", "hour")
    if u.endswith("IdleAddress"):
        return ("eip", "idle", "hour")
    return None


def _elb(kind: str) -> Mapper:
    def m(a: dict[str, str]) -> tuple[str, str, str] | None:
        u = a.get("usagetype", "")
        if "LoadBalancerUsage" in u:
            return ("elb", kind, "hour")
        if "LCUUsage" in u and kind in ("application", "network"):
            return ("elb", f"{kind}-lcu", "lcu-hour")
        if kind == "classic" and "DataProcessing-Bytes" in u:
            return ("elb", "classic-data", "gb")
        return None

    return m


def _eks(a: dict[str, str]) -> tuple[str, str, str] | None:
    u = a.get("usagetype", "")
    if u.endswith("AmazonEKS-Hours:perCluster"):
        return ("eks", "cluster", "hour")
    if u.endswith("AmazonEKS-Hours:extendedSupport"):
        return ("eks", "cluster-extended", "hour")
    return None


QUERIES: list[Query] = [
    Query("AmazonEC2", {"productFamily": "Compute Instance", "operatingSystem": "Linux", "tenancy": "Shared",
                        "preInstalledSw": "NA", "capacitystatus": "Used",
                        "licenseModel": "No License required"}, _ec2),
    Query("AmazonEC2", {"productFamily": "Storage"}, _ebs),
    Query("AmazonEC2", {"productFamily": "Storage Snapshot"}, _snapshot),
    Query("AmazonEC2", {"productFamily": "NAT Gateway"}, _nat),
    Query("AmazonRDS", {"productFamily": "Database Instance", "databaseEngine": "PostgreSQL"}, _rds),
    Query("AmazonRDS", {"productFamily": "Database Instance", "databaseEngine": "MySQL"}, _rds),
    Query("AmazonElastiCache", {"productFamily": "Cache Instance"}, _elasticache),
    Query("AmazonES", {"productFamily": "Amazon OpenSearch Service Instance"}, _plain("opensearch")),
    Query("AmazonRedshift", {"productFamily": "Compute Instance"}, _plain("redshift")),
    Query("AmazonVPC", {"productFamily": "VpcPublicIPv4Address"}, _eip),
    Query("AWSELB", {"productFamily": "Load Balancer-Application"}, _elb("application")),
    Query("AWSELB", {"productFamily": "Load Balancer-Network"}, _elb("network")),
    Query("AWSELB", {"productFamily": "Load Balancer-Gateway"}, _elb("gateway")),
    Query("AWSELB", {"productFamily": "Load Balancer"}, _elb("classic")),
    Query("AmazonEKS", {"productFamily": "Compute"}, _eks),
]


def _filters(filters: dict[str, str], region: str | None) -> list[dict[str, str]]:
    out = [{"Type": "TERM_MATCH", "Field": k, "Value": v} for k, v in filters.items()]
    if region:
        out.append({"Type": "TERM_MATCH", "Field": "regionCode", "Value": region})
    return out


def _pages(client: Any, service_code: str, filters: list[dict[str, str]]) -> Iterator[str]:
    kwargs: dict[str, Any] = {"ServiceCode": service_code, "Filters": filters, "FormatVersion": "aws_v1",
                              "MaxResults": 100}
    seen: set[str] = set()
    while True:
        resp = client.get_products(**kwargs)
        yield from resp.get("PriceList", [])
        token = resp.get("NextToken")
        if not token or token in seen:
            return
        seen.add(token)
        kwargs["NextToken"] = token


def on_demand_usd(product: dict[str, Any]) -> tuple[str, str] | None:
    """(usd, effective date) of a product's on-demand price: lowest non-zero tier; None when there is none."""
    best: tuple[Decimal, Decimal, str] | None = None  # (beginRange, usd, effectiveDate)
    for offer in (product.get("terms", {}).get("OnDemand") or {}).values():
        for dim in (offer.get("priceDimensions") or {}).values():
            usd = (dim.get("pricePerUnit") or {}).get("USD")
            if usd is None:
                continue
            try:
                value, begin = Decimal(usd), Decimal(dim.get("beginRange") or "0")
            except ArithmeticError:
                continue
            if value <= 0:
                continue
            if best is None or begin < best[0]:
                best = (begin, value, str(offer.get("effectiveDate") or ""))
    if best is None:
        return None
    return normalize_usd(str(best[1])), best[2]


def product_row(entry: str | dict[str, Any], mapper: Mapper) -> Row | None:
    """One table row from a PriceList entry (a JSON string), or None when it does not map."""
    product = json.loads(entry) if isinstance(entry, (str, bytes)) else entry
    attrs = (product.get("product") or {}).get("attributes") or {}
    region = attrs.get("regionCode")
    if not region:
        return None
    mapped = mapper(attrs)
    if mapped is None:
        return None
    priced = on_demand_usd(product)
    if priced is None:
        return None
    service, item, unit = mapped
    usd, effective = priced
    date = str(product.get("publicationDate") or effective or "")[:10]
    return {"service": service, "region": region, "item": item, "unit": unit, "usd": usd,
            "price_list_date": date, "source": SOURCE, "note": ""}


def fetch(pricing_client: Any, regions: Iterable[str] | None = None,
          queries: list[Query] | None = None) -> Iterator[Row]:
    region_list: list[str | None] = list(regions) if regions else [None]
    for q in queries or QUERIES:
        for region in region_list:
            n = 0
            for entry in _pages(pricing_client, q.service_code, _filters(q.filters, region)):
                row = product_row(entry, q.mapper)
                if row is not None:
                    n += 1
                    yield row
            log.info("%s %s %s: %d prices", q.service_code, q.filters.get("productFamily"), region or "*", n)


def refresh(pricing_client: Any, *, regions: list[str] | None = None, out: Path) -> int:
    """Fetch on-demand prices and write them to ``out`` (gzip CSV). Returns the number of prices written.

    Several products can map to the same (service, region, item) (e.g. two usage types for one
    instance); the one with the newest date wins, ties keep the first seen.
    """
    rows = list(fetch(pricing_client, regions))
    if not rows:
        raise RuntimeError("the Price List API returned no usable prices; the table was not replaced")
    return write_table(rows, Path(out))
