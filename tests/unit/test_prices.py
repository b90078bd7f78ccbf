"""The bundled price table, monthly cost estimates, the build script and the Price List API refresh."""

from __future__ import annotations

import gzip
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from cloudblame.prices import SUPPORTED_TYPES, Cost, Price, PriceTable, monthly_cost, price
from cloudblame.prices.refresh import QUERIES, refresh
from cloudblame.prices.table import read_rows

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = (ROOT / ".." / "shared" / "reference" / "prices").resolve()
PACKAGED = ROOT / "src" / "cloudblame" / "prices" / "prices.csv.gz"
BUILD_SCRIPT = ROOT / "tools" / "build_price_table.py"


# --------------------------------------------------------------------------- packaged table


def test_packaged_table_loads_without_shared_folder(tmp_path):
    """Load the table in a fresh interpreter that cannot open anything under /work/shared."""
    code = (
        "import builtins, io\n"
        "real = builtins.open\n"
        "def guarded(f, *a, **k):\n"
        "    if 'shared' in str(f) and 'reference' in str(f): raise AssertionError(f'opened {f}')\n"
        "    return real(f, *a, **k)\n"
        "builtins.open = guarded\n"
        "io.open = guarded\n"
        "from cloudblame.prices import PriceTable\n"
        "t = PriceTable.load()\n"
        "print(len(t), t.price('ec2', 't3.micro', 'us-east-1').usd)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True)
    n, usd = out.stdout.split()
    assert int(n) > 40000
    assert float(usd) == 0.0104


def test_packaged_file_is_small_and_well_formed():
    assert PACKAGED.stat().st_size < 400_000
    rows = read_rows(PACKAGED.read_bytes())
    assert list(rows[0]) == ["service", "region", "item", "unit", "usd", "price_list_date", "source", "note"]
    keys = [(r["service"], r["region"], r["item"]) for r in rows]
    assert len(keys) == len(set(keys)), "duplicate (service, region, item)"
    for r in rows:
        assert float(r["usd"]) > 0, r
        assert len(r["price_list_date"]) == 10 and r["price_list_date"][4] == "-", r
        assert r["source"], r


def test_load_is_cached():
    assert PriceTable.load() is PriceTable.load()


def test_services_and_regions():
    t = PriceTable.load()
    services = t.services()
    for s in ("ec2", "ebs", "rds", "elasticache", "opensearch", "redshift", "sagemaker", "nat", "eip", "elb", "eks"):
        assert services.get(s, 0) > 0, s
    assert len(t.regions("ec2")) >= 100  # incl. local zones
    assert {"us-east-1", "eu-west-1", "ap-southeast-2", "af-south-1"} <= set(t.regions("rds"))


@pytest.mark.parametrize(
    ("service", "item", "region", "usd", "unit", "date", "source"),
    [
        ("ec2", "t3.micro", "us-east-1", 0.0104, "hour", "2025-10-28", "lamngockhuong/aws-price@508fb45"),
        ("ec2", "t3.micro", "eu-west-1", 0.0114, "hour", "2025-10-28", "lamngockhuong/aws-price@508fb45"),
        ("ec2", "m5.large", "eu-west-1", 0.107, "hour", "2025-10-28", "lamngockhuong/aws-price@508fb45"),
        ("ec2", "p5en.48xlarge", "us-east-1", 63.296, "hour", "2026-07-20", "aws/karpenter-provider-aws@1d92708"),
        ("ec2", "p4d.24xlarge", "us-east-1", 21.957642, "hour", None, None),
        ("ebs", "gp3", "us-east-1", 0.08, "gb-month", "2024-07-18", "yeo/ec2.shop@74c9fd8"),
        ("ebs", "gp2", "us-east-1", 0.10, "gb-month", "2024-07-18", None),
        ("ebs", "gp3", "eu-west-1", 0.088, "gb-month", "2024-07-18", None),
        ("ebs", "snapshot:standard", "us-east-1", 0.05, "gb-month", None, None),
        ("ebs", "iops:io2", "us-east-1", 0.065, "iops-month", None, None),
        ("nat", "gateway", "us-east-1", 0.045, "hour", "2025-10-28", "lamngockhuong/aws-price@508fb45"),
        ("nat", "gateway", "eu-west-1", 0.048, "hour", None, None),
        ("nat", "data", "us-east-1", 0.045, "gb", None, None),
        ("eip", "in-use", "us-east-1", 0.005, "hour", "2025-11-04", None),
        ("elb", "application", "us-east-1", 0.0225, "hour", "2025-06-05", "QuinnyPig/aws-price-watcher@a6645eb"),
        ("elb", "network", "eu-west-1", 0.0252, "hour", None, None),
        ("elb", "classic", "us-east-1", 0.025, "hour", None, None),
        ("eks", "cluster", "us-east-1", 0.10, "hour", None, None),
        ("eks", "cluster-extended", "eu-west-1", 0.5, "hour", None, None),
        ("rds", "postgres:db.m5.large:single-az", "us-east-1", 0.178, "hour", "2025-06-05", None),
        ("rds", "postgres:db.m5.large:multi-az", "us-east-1", 0.356, "hour", None, None),
        ("rds", "mysql:db.t3.micro:single-az", "us-east-1", 0.017, "hour", None, None),
        ("elasticache", "redis:cache.m5.large", "us-east-1", 0.156, "hour", None, None),
        ("elasticache", "redis:cache.t3.micro", "eu-west-1", 0.018, "hour", None, None),
        ("opensearch", "m5.large.search", "us-east-1", 0.142, "hour", "2025-06-17", None),
        ("redshift", "ra3.xlplus", "us-east-1", 1.086, "hour", "2025-10-27", None),
        ("sagemaker", "ml.t3.medium", "us-east-1", 0.05, "hour", "2025-06-06", None),
    ],
)
def test_known_prices(service, item, region, usd, unit, date, source):
    p = price(service, item, region)
    assert isinstance(p, Price)
    assert p.usd == usd
    assert p.unit == unit
    if date:
        assert p.price_list_date == date
    if source:
        assert p.source == source


def test_unknown_prices_are_none():
    assert price("ec2", "t3.micro", "mars-north-1") is None
    assert price("ec2", "x99.huge", "us-east-1") is None
    assert price("nosuch", "t3.micro", "us-east-1") is None


def test_stale_price_keeps_its_warning():
    p = price("ec2", "p5en.48xlarge", "us-west-2")
    assert p is not None and "stale" in p.note
    assert "stale" in monthly_cost("AWS::EC2::Instance", {"instance_type": "p5en.48xlarge"}, "us-west-2").basis


# --------------------------------------------------------------------------- monthly cost

US = "us-east-1"

KNOWN_COSTS = [
    ("AWS::EC2::Instance", {"instance_type": "p3.2xlarge", "count": 1}, 2233.8,
     "p3.2xlarge on-demand $3.06/h x 730 h (us-east-1, price list 2025-10-28)"),
    ("AWS::EC2::Instance", {"instance_type": "m5.large", "count": 3}, 210.24,
     "3 x m5.large on-demand $0.096/h x 730 h (us-east-1, price list 2025-10-28)"),
    ("AWS::EC2::Volume", {"size_gb": 100, "volume_type": "gp3"}, 8.0,
     "100 GB gp3 x $0.08/GB-month (us-east-1, price list 2024-07-18)"),
    ("AWS::EC2::Volume", {"size_gb": 100, "volume_type": "io2", "iops": 1000}, 12.5 + 65.0,
     "100 GB io2 x $0.125/GB-month (us-east-1, price list 2024-07-18) + 1000 IOPS x $0.065/IOPS-month"),
    ("AWS::EC2::Snapshot", {"size_gb": 50}, 2.5,
     "50 GB snapshot x $0.05/GB-month (us-east-1, price list 2024-07-18); upper bound: snapshots are incremental"),
    ("AWS::EC2::NatGateway", {}, 32.85,
     "NAT gateway on-demand $0.045/h x 730 h (us-east-1, price list 2025-10-28)"),
    ("AWS::EC2::EIP", {}, 3.65,
     "public IPv4 address on-demand $0.005/h x 730 h (us-east-1, price list 2025-11-04)"),
    ("AWS::ElasticLoadBalancingV2::LoadBalancer", {"type": "application"}, 16.425,
     "Application Load Balancer on-demand $0.0225/h x 730 h (us-east-1, price list 2025-06-05); "
     "LCU charges not included"),
    ("AWS::ElasticLoadBalancingV2::LoadBalancer", {"type": "network"}, 16.425,
     "Network Load Balancer on-demand $0.0225/h x 730 h (us-east-1, price list 2025-06-05); "
     "LCU charges not included"),
    ("AWS::ElasticLoadBalancing::LoadBalancer", {}, 18.25,
     "Classic Load Balancer on-demand $0.025/h x 730 h (us-east-1, price list 2025-06-05)"),
    ("AWS::RDS::DBInstance", {"instance_class": "db.m5.large", "engine": "postgres", "multi_az": True,
                              "storage_gb": 100}, 259.88,
     "db.m5.large postgres Multi-AZ on-demand $0.356/h x 730 h (us-east-1, price list 2025-06-05); "
     "storage not included (no RDS storage prices in the table)"),
    ("AWS::RDS::DBInstance", {"instance_class": "db.t3.micro", "engine": "mysql", "multi_az": False,
                              "storage_gb": 20}, 12.41,
     "db.t3.micro mysql Single-AZ on-demand $0.017/h x 730 h (us-east-1, price list 2025-06-05); "
     "storage not included (no RDS storage prices in the table)"),
    ("AWS::EKS::Cluster", {}, 73.0,
     "EKS cluster (standard support) on-demand $0.1/h x 730 h (us-east-1, price list 2025-06-05)"),
    ("AWS::EKS::Nodegroup", {"instance_type": "m5.large", "count": 2}, 140.16,
     "2 x m5.large on-demand $0.096/h x 730 h (us-east-1, price list 2025-10-28); EC2 instances of the node group"),
    ("AWS::ElastiCache::CacheCluster", {"node_type": "cache.m5.large", "count": 1}, 113.88,
     "cache.m5.large (redis) on-demand $0.156/h x 730 h (us-east-1, price list 2025-06-05); "
     "engine not given: assumed redis"),
    ("AWS::ElastiCache::ReplicationGroup", {"node_type": "cache.m5.large", "count": 2}, 227.76,
     "2 x cache.m5.large (redis) on-demand $0.156/h x 730 h (us-east-1, price list 2025-06-05); "
     "engine not given: assumed redis"),
    ("AWS::OpenSearchService::Domain", {"instance_type": "m5.large.search", "count": 3}, 310.98,
     "3 x m5.large.search on-demand $0.142/h x 730 h (us-east-1, price list 2025-06-17)"),
    ("AWS::Redshift::Cluster", {"node_type": "ra3.xlplus", "count": 2}, 1585.56,
     "2 x ra3.xlplus on-demand $1.086/h x 730 h (us-east-1, price list 2025-10-27)"),
    ("AWS::SageMaker::NotebookInstance", {"instance_type": "ml.t3.medium"}, 36.5,
     "ml.t3.medium on-demand $0.05/h x 730 h (us-east-1, price list 2025-06-06)"),
]


@pytest.mark.parametrize(("rtype", "size", "usd", "basis"), KNOWN_COSTS, ids=[c[0] + str(i) for i, c in enumerate(KNOWN_COSTS)])
def test_monthly_cost_known(rtype, size, usd, basis):
    cost = monthly_cost(rtype, size, US)
    assert isinstance(cost, Cost)
    assert cost.basis == basis
    assert cost.usd_per_month == pytest.approx(usd, abs=1e-6)


def test_every_supported_type_has_a_known_cost_case():
    assert {c[0] for c in KNOWN_COSTS} == set(SUPPORTED_TYPES)


def test_monthly_cost_other_region_and_engine():
    c = monthly_cost("AWS::EC2::Instance", {"instance_type": "m5.xlarge", "count": 1}, "eu-west-1")
    assert c.usd_per_month == pytest.approx(0.214 * 730)
    assert "(eu-west-1, price list 2025-10-28)" in c.basis
    v = monthly_cost("AWS::ElastiCache::CacheCluster", {"node_type": "cache.m5.large", "count": 1, "engine": "valkey"}, US)
    r = monthly_cost("AWS::ElastiCache::CacheCluster", {"node_type": "cache.m5.large", "count": 1, "engine": "redis"}, US)
    assert v.usd_per_month is not None and r.usd_per_month is not None and v.usd_per_month < r.usd_per_month
    assert "assumed" not in r.basis


def test_monthly_cost_defaults_are_stated():
    c = monthly_cost("AWS::EC2::Instance", {"instance_type": "t3.micro"}, US)
    assert c.usd_per_month == pytest.approx(0.0104 * 730)
    c = monthly_cost("AWS::EC2::Volume", {"size_gb": 10}, US)
    assert c.usd_per_month == pytest.approx(1.0) and "assumed gp2" in c.basis
    c = monthly_cost("AWS::RDS::DBInstance", {"instance_class": "db.m5.large", "engine": "postgres"}, US)
    assert c.usd_per_month == pytest.approx(0.178 * 730) and "multi_az not given" in c.basis
    c = monthly_cost("AWS::ElasticLoadBalancingV2::LoadBalancer", {}, US)
    assert c.usd_per_month == pytest.approx(16.425) and "assumed application" in c.basis


@pytest.mark.parametrize(
    ("rtype", "size", "region", "reason"),
    [
        ("AWS::Lambda::Function", {}, US, "no price model for AWS::Lambda::Function: charged by use (requests, data, "
         "run time), which its events do not record"),
        ("AWS::Nope::Thing", {}, US, "no price model for AWS::Nope::Thing"),
        ("AWS::SageMaker::Endpoint", {"instance_type": "ml.m5.xlarge", "count": 2}, US,
         "no price model for AWS::SageMaker::Endpoint: its instance type and count are in its endpoint config, "
         "not in its own events"),
        ("AWS::RDS::DBInstance", {"instance_class": "db.x9.large", "engine": "postgres"}, "ap-east-1",
         "no price for db.x9.large postgres Single-AZ in ap-east-1"),
        ("AWS::EC2::Instance", {"instance_type": "t3.micro", "count": 1}, "mars-north-1",
         "no price for t3.micro in mars-north-1"),
        ("AWS::EC2::NatGateway", {}, "mars-north-1", "no price for NAT gateway in mars-north-1"),
        ("AWS::EC2::Instance", {"count": 2}, US, "AWS::EC2::Instance: size has no instance_type"),
        ("AWS::EC2::Instance", {"instance_type": "t3.micro", "count": "many"}, US,
         "AWS::EC2::Instance: size has no valid count"),
        ("AWS::EKS::Nodegroup", {"instance_type": "m5.large"}, US, "AWS::EKS::Nodegroup: size has no valid count"),
        ("AWS::Redshift::Cluster", {"node_type": "ra3.xlplus"}, US, "AWS::Redshift::Cluster: size has no valid count"),
        ("AWS::EC2::Volume", {"volume_type": "gp3"}, US, "AWS::EC2::Volume: size has no valid size_gb"),
        ("AWS::EC2::Volume", {"size_gb": 10, "volume_type": "gp9"}, US, "no price for EBS gp9 in us-east-1"),
        ("AWS::EC2::Snapshot", {}, US, "AWS::EC2::Snapshot: size has no valid size_gb"),
        ("AWS::RDS::DBInstance", {"engine": "mysql"}, US, "AWS::RDS::DBInstance: size has no instance_class"),
        ("AWS::RDS::DBInstance", {"instance_class": "db.m5.large"}, US, "AWS::RDS::DBInstance: size has no engine"),
        ("AWS::RDS::DBInstance", {"instance_class": "db.r5.large", "engine": "aurora-postgresql"}, US,
         "no price for RDS engine aurora-postgresql (table has postgres and mysql)"),
        ("AWS::SageMaker::NotebookInstance", {}, US, "AWS::SageMaker::NotebookInstance: size has no instance_type"),
        ("AWS::ElasticLoadBalancingV2::LoadBalancer", {"type": "weird"}, US, "no price for load balancer type weird"),
        ("AWS::EC2::Instance", {"instance_type": "t3.micro"}, "", "no region for AWS::EC2::Instance"),
    ],
)
def test_monthly_cost_unknown(rtype, size, region, reason):
    cost = monthly_cost(rtype, size, region)
    assert cost.usd_per_month is None
    assert cost.basis == reason


def test_monthly_cost_none_size():
    assert monthly_cost("AWS::EC2::NatGateway", None, US).usd_per_month == pytest.approx(32.85)
    assert monthly_cost("AWS::EC2::Volume", None, US).usd_per_month is None


# --------------------------------------------------------------------------- build script


def _load_build_module():
    spec = importlib.util.spec_from_file_location("build_price_table", BUILD_SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_build_script_reproduces_packaged_file(tmp_path):
    if not REFERENCE.is_dir():
        pytest.skip(f"{REFERENCE} is not present (the reference price CSVs are only needed to rebuild the table)")
    out = tmp_path / "prices.csv.gz"
    proc = subprocess.run([sys.executable, str(BUILD_SCRIPT), str(REFERENCE), "--out", str(out)],
                          capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert gzip.decompress(out.read_bytes()) == gzip.decompress(PACKAGED.read_bytes()), \
        "packaged prices.csv.gz is out of date: run tools/build_price_table.py"


def test_build_keeps_all_input_regions_and_rows(tmp_path):
    if not REFERENCE.is_dir():
        pytest.skip(f"{REFERENCE} is not present")
    import csv

    t = PriceTable.load()
    ec2 = list(csv.DictReader(open(REFERENCE / "ec2_linux_ondemand_all_regions.csv", newline="")))
    assert set(t.regions("ec2")) == {r["region"] for r in ec2}
    for r in ec2[::997]:
        p = t.price("ec2", r["instance_type"], r["region"])
        assert p is not None and p.usd == float(r["usd_per_hour"]) and p.price_list_date == r["price_list_date"]
    rds = list(csv.DictReader(open(REFERENCE / "rds_postgres_mysql_all_regions.csv", newline="")))
    assert set(t.regions("rds")) == {r["region"] for r in rds}


def test_build_dedupes_preferring_newest(tmp_path):
    mod = _load_build_module()
    src = tmp_path / "in"
    src.mkdir()
    header = {
        "ec2_linux_ondemand_all_regions.csv": "region,instance_type,usd_per_hour,source,price_list_date,note\n"
        "us-east-1,t3.micro,0.0200,old@1,2024-01-01,\n"
        "us-east-1,t3.micro,0.0104,new@2,2025-10-28,\n"
        "us-east-1,t3.micro,0.0300,older@0,2023-01-01,\n",
        "ebs_all_regions.csv": "region,item,volume_type,unit,usd,source,price_list_date\n",
        "network_serverless_misc_all_regions.csv": "region,item,unit,usd,source,price_list_date\n",
        "rds_postgres_mysql_all_regions.csv": "region,engine,instance_class,deployment,usd_per_hour,source,price_list_date\n",
        "elasticache_all_regions.csv": "region,engine,node_type,usd_per_hour,source,price_list_date\n",
        "opensearch_all_regions.csv": "region,instance_type,storage,usd_per_hour,source,price_list_date\n",
        "redshift_all_regions.csv": "region,node_type,usd_per_hour,source,price_list_date\n",
        "sagemaker_studio_notebook_all_regions.csv": "region,instance_type,component,usd_per_hour,source,price_list_date\n",
    }
    for name, text in header.items():
        (src / name).write_text(text)
    out = tmp_path / "p.csv.gz"
    assert mod.build(src, out) == 1
    p = PriceTable.from_path(out).price("ec2", "t3.micro", "us-east-1")
    assert p == Price(0.0104, "hour", "2025-10-28", "new@2")


# --------------------------------------------------------------------------- refresh (fake Price List API)


def _product(sku, attrs, usd, unit="Hrs", tiers=None, date="2025-11-01T00:00:00Z"):
    dims = {}
    for i, (begin, end, price_) in enumerate(tiers or [("0", "Inf", usd)]):
        dims[f"{sku}.JRTCKXETXF.6YS6EN2CT7.{i}"] = {
            "unit": unit, "endRange": end, "beginRange": begin,
            "description": f"${price_} per {unit}", "appliesTo": [],
            "rateCode": f"{sku}.JRTCKXETXF.6YS6EN2CT7.{i}",
            "pricePerUnit": {"USD": price_},
        }
    return json.dumps({
        "product": {"productFamily": attrs.pop("_family", "Compute Instance"), "attributes": attrs, "sku": sku},
        "serviceCode": attrs.get("servicecode", "AmazonEC2"),
        "terms": {"OnDemand": {f"{sku}.JRTCKXETXF": {
            "priceDimensions": dims, "sku": sku, "effectiveDate": "2025-10-01T00:00:00Z",
            "offerTermCode": "JRTCKXETXF", "termAttributes": {}}}},
        "version": "20251101000000",
        "publicationDate": date,
    })


def _ec2(sku, it, region, usd):
    return _product(sku, {"instanceType": it, "regionCode": region, "location": "US East (N. Virginia)",
                          "operatingSystem": "Linux", "tenancy": "Shared", "preInstalledSw": "NA",
                          "capacitystatus": "Used", "usagetype": f"BoxUsage:{it}", "servicecode": "AmazonEC2"}, usd)


class FakePricing:
    """get_products with two pages per query, like the Price List API (PriceList entries are JSON strings)."""

    def __init__(self):
        self.calls = []

    def get_products(self, **kw):
        self.calls.append(kw)
        f = {x["Field"]: x["Value"] for x in kw["Filters"]}
        assert all(x["Type"] == "TERM_MATCH" for x in kw["Filters"])
        region = f.get("regionCode", "us-east-1")
        fam, code, token = f.get("productFamily"), kw["ServiceCode"], kw.get("NextToken")
        pages: list[list[str]] = [[], []]
        if code == "AmazonEC2" and fam == "Compute Instance":
            assert f["operatingSystem"] == "Linux" and f["tenancy"] == "Shared"
            pages = [[_ec2("SKU1", "t3.micro", region, "0.0104000000"), _ec2("SKU2", "m5.large", region, "0.0960000000")],
                     [_ec2("SKU3", "p3.2xlarge", region, "3.0600000000"),
                      _ec2("SKU0", "t3.nano", region, "0.0000000000")]]  # zero price: skipped
        elif code == "AmazonEC2" and fam == "Storage":
            pages = [[_product("V1", {"volumeApiName": "gp3", "regionCode": region, "usagetype": "EBS:VolumeUsage.gp3"},
                               "0.0800000000", "GB-Mo")],
                     [_product("V2", {"volumeApiName": "gp2", "regionCode": region, "usagetype": "EBS:VolumeUsage.gp2"},
                               "0.1000000000", "GB-Mo")]]
        elif code == "AmazonEC2" and fam == "NAT Gateway":
            pages = [[_product("N1", {"regionCode": region, "usagetype": "NatGateway-Hours"}, "0.0450000000")],
                     [_product("N2", {"regionCode": region, "usagetype": "NatGateway-Bytes"}, "0.0450000000", "GB")]]
        elif code == "AmazonRDS":
            eng = f["databaseEngine"]
            usd = "0.1780000000" if eng == "PostgreSQL" else "0.1710000000"
            pages = [[_product("R1" + eng, {"instanceType": "db.m5.large", "databaseEngine": eng, "regionCode": region,
                                            "deploymentOption": "Single-AZ"}, usd)],
                     [_product("R2" + eng, {"instanceType": "db.m5.large", "databaseEngine": eng, "regionCode": region,
                                            "deploymentOption": "Multi-AZ"}, "0.3560000000")]]
        elif code == "AmazonElastiCache":
            pages = [[_product("C1", {"instanceType": "cache.m5.large", "cacheEngine": "Redis", "regionCode": region},
                               "0.1560000000")], []]
        elif code == "AWSELB" and fam == "Load Balancer-Application":
            pages = [[_product("L1", {"regionCode": region, "usagetype": "LoadBalancerUsage"}, "0.0225000000")],
                     [_product("L2", {"regionCode": region, "usagetype": "LCUUsage"}, "0.0080000000", "LCU-Hrs")]]
        elif code == "AmazonEKS":
            pages = [[_product("K1", {"regionCode": region, "usagetype": "USE1-AmazonEKS-Hours:perCluster"}, "0.1000000000")],
                     [_product("K2", {"regionCode": region, "usagetype": "USE1-AmazonEKS-Hours:extendedSupport"},
                               "0.6000000000")]]
        elif code == "AmazonVPC":
            # tiered: first tier free, then charged: the non-zero tier is the price
            pages = [[_product("E1", {"regionCode": region, "usagetype": "USE1-PublicIPv4:InUseAddress"}, None,
                               tiers=[("0", "1", "0.0000000000"), ("1", "Inf", "0.0050000000")])], []]
        if token is None:
            return {"FormatVersion": "aws_v1", "PriceList": pages[0], "NextToken": f"tok-{code}-{fam}-{region}"}
        assert token == f"tok-{code}-{fam}-{region}"
        return {"FormatVersion": "aws_v1", "PriceList": pages[1]}


def test_refresh_with_fake_client_writes_a_readable_table(tmp_path):
    client = FakePricing()
    out = tmp_path / "prices.csv.gz"
    n = refresh(client, regions=["us-east-1", "eu-west-1"], out=out)
    t = PriceTable.from_path(out)
    assert n == len(t)
    # two pages were read for every query and region
    assert len(client.calls) == 2 * 2 * len(QUERIES)
    assert sum(1 for c in client.calls if "NextToken" in c) == 2 * len(QUERIES)
    for region in ("us-east-1", "eu-west-1"):
        assert t.price("ec2", "t3.micro", region) == Price(0.0104, "hour", "2025-11-01", "aws-pricing-api")
        assert t.price("ec2", "p3.2xlarge", region).usd == 3.06  # from the second page
        assert t.price("ec2", "t3.nano", region) is None
        assert t.price("ebs", "gp3", region).unit == "gb-month"
        assert t.price("ebs", "gp2", region).usd == 0.10
        assert t.price("nat", "gateway", region).usd == 0.045
        assert t.price("nat", "data", region).unit == "gb"
        assert t.price("rds", "postgres:db.m5.large:single-az", region).usd == 0.178
        assert t.price("rds", "mysql:db.m5.large:single-az", region).usd == 0.171
        assert t.price("rds", "postgres:db.m5.large:multi-az", region).usd == 0.356
        assert t.price("elasticache", "redis:cache.m5.large", region).usd == 0.156
        assert t.price("elb", "application", region).usd == 0.0225
        assert t.price("elb", "application-lcu", region).usd == 0.008
        assert t.price("eks", "cluster", region).usd == 0.1
        assert t.price("eks", "cluster-extended", region).usd == 0.6
        assert t.price("eip", "in-use", region).usd == 0.005
    c = t.monthly_cost("AWS::EC2::Instance", {"instance_type": "p3.2xlarge", "count": 1}, "eu-west-1")
    assert c.basis == "p3.2xlarge on-demand $3.06/h x 730 h (eu-west-1, price list 2025-11-01)"
    assert t.monthly_cost("AWS::EC2::Volume", {"size_gb": 100, "volume_type": "gp3"}, "us-east-1").usd_per_month == 8.0
    raw = gzip.decompress(out.read_bytes()).decode()
    assert raw.splitlines()[0] == "service,region,item,unit,usd,price_list_date,source,note"
    assert "0.0104," in raw and "0.0104000000" not in raw


def test_refresh_without_regions_sends_no_region_filter(tmp_path):
    client = FakePricing()
    refresh(client, out=tmp_path / "p.csv.gz")
    assert all("regionCode" not in {x["Field"] for x in c["Filters"]} for c in client.calls)


def test_refresh_refuses_to_write_an_empty_table(tmp_path):
    class Empty:
        def get_products(self, **kw):
            return {"PriceList": []}

    out = tmp_path / "p.csv.gz"
    with pytest.raises(RuntimeError):
        refresh(Empty(), regions=["us-east-1"], out=out)
    assert not out.exists()


# --------------------------------------------------------------------------- every charged dimension


def test_provisioned_iops_and_throughput_are_priced():
    """A 100 GB io2 volume with 1,000 provisioned IOPS costs $12.50 of storage and $65 of IOPS; gp3 is
    charged for IOPS beyond 3,000 and throughput beyond 125 MiB/s."""
    io2 = monthly_cost("AWS::EC2::Volume", {"size_gb": 100, "volume_type": "io2", "iops": 1000}, US)
    assert io2.usd_per_month == pytest.approx(77.50) and "1000 IOPS" in io2.basis
    gp3 = monthly_cost("AWS::EC2::Volume", {"size_gb": 100, "volume_type": "gp3", "iops": 4000, "throughput": 250}, US)
    assert gp3.usd_per_month == pytest.approx(8.0 + 1000 * 0.005 + 125 * 0.04)
    baseline = monthly_cost("AWS::EC2::Volume", {"size_gb": 100, "volume_type": "gp3", "iops": 3000, "throughput": 125}, US)
    assert baseline.usd_per_month == pytest.approx(8.0) and "IOPS" not in baseline.basis


# Creation records as CloudTrail writes them, with the size each gives (derive.details.size_of):
# (eventSource, eventName, requestParameters, responseElements, type, size). Every size path is carried by one.
SIZED_CREATIONS = [
    ("ec2.amazonaws.com", "RunInstances",
     {"instancesSet": {"items": [{"imageId": "ami-029eb80bc237bec6f", "minCount": 1, "maxCount": 1}]},
      "instanceType": "m5.large"},
     {"instancesSet": {"items": [{"instanceId": "i-0123456789abcdef0", "instanceType": "m5.large"}]}},
     "AWS::EC2::Instance", {"instance_type": "m5.large", "count": 1}),
    ("ec2.amazonaws.com", "CreateVolume", {"size": 100, "volumeType": "io2", "iops": 1000, "zone": "us-east-1a"},
     {"volumeId": "vol-0123456789abcdef0", "size": "100", "volumeType": "io2", "iops": 1000, "status": "creating"},
     "AWS::EC2::Volume", {"size_gb": 100, "volume_type": "io2", "iops": 1000}),
    ("ec2.amazonaws.com", "CreateVolume",
     {"size": "200", "volumeType": "gp3", "iops": 4000, "throughput": 250, "zone": "us-east-1a"},
     {"volumeId": "vol-0223456789abcdef0", "size": "200", "volumeType": "gp3", "iops": 4000, "throughput": 250},
     "AWS::EC2::Volume", {"size_gb": 200, "volume_type": "gp3", "iops": 4000, "throughput": 250}),
    # from a snapshot: the size, IOPS and throughput are only in the response
    ("ec2.amazonaws.com", "CreateVolume", {"snapshotId": "snap-083d3b857c13988bc", "zone": "us-east-1a",
                                           "volumeType": "gp3"},
     {"volumeId": "vol-0323456789abcdef0", "size": "8", "volumeType": "gp3", "iops": 3000, "throughput": 125,
      "snapshotId": "snap-083d3b857c13988bc", "status": "creating"},
     "AWS::EC2::Volume", {"size_gb": 8, "volume_type": "gp3", "iops": 3000, "throughput": 125}),
    # invictus-aws: the request names no type (the default, gp2), the response does
    ("ec2.amazonaws.com", "CreateVolume",
     {"size": "1", "zone": "us-east-1a", "clientToken": "11144C0B-5E54-4ADA-A081-FCBDBEE74AAE"},
     {"volumeId": "vol-0fc2e34e74650e145", "size": "1", "zone": "us-east-1a", "status": "creating",
      "createTime": 1688991075000, "volumeType": "gp2", "iops": 100, "encrypted": False, "multiAttachEnabled": False},
     "AWS::EC2::Volume", {"size_gb": 1, "volume_type": "gp2", "iops": 100}),
    ("ec2.amazonaws.com", "CreateSnapshot", {"volumeId": "vol-0fc2e34e74650e145"},
     {"snapshotId": "snap-083d3b857c13988bc", "volumeId": "vol-0fc2e34e74650e145", "status": "pending",
      "volumeSize": "1", "ownerId": "123456789012"},
     "AWS::EC2::Snapshot", {"size_gb": 1}),
    ("rds.amazonaws.com", "CreateDBInstance",
     {"dBInstanceIdentifier": "orders-db", "dBInstanceClass": "db.m5.large", "engine": "postgres",
      "multiAZ": True, "allocatedStorage": 100, "masterUsername": "admin"},
     {"dBInstanceIdentifier": "orders-db", "dBInstanceArn": "arn:aws:rds:us-east-1:123456789012:db:orders-db",
      "dBInstanceStatus": "creating"},
     "AWS::RDS::DBInstance",
     {"instance_class": "db.m5.large", "engine": "postgres", "multi_az": True, "storage_gb": 100}),
    ("elasticache.amazonaws.com", "CreateCacheCluster",
     {"cacheClusterId": "sessions-cache", "engine": "memcached", "cacheNodeType": "cache.t3.micro",
      "numCacheNodes": 2},
     {"cacheClusterId": "sessions-cache", "cacheClusterStatus": "creating"},
     "AWS::ElastiCache::CacheCluster", {"node_type": "cache.t3.micro", "count": 2, "engine": "memcached"}),
    ("elasticache.amazonaws.com", "CreateReplicationGroup",
     {"replicationGroupId": "sessions", "replicationGroupDescription": "sessions", "engine": "redis",
      "cacheNodeType": "cache.r6g.large", "numCacheClusters": 2},
     {"replicationGroupId": "sessions", "status": "creating"},
     "AWS::ElastiCache::ReplicationGroup", {"node_type": "cache.r6g.large", "count": 2, "engine": "redis"}),
    ("elasticache.amazonaws.com", "CreateReplicationGroup",  # cluster mode: shards x (replicas + 1)
     {"replicationGroupId": "carts", "replicationGroupDescription": "carts", "engine": "redis",
      "cacheNodeType": "cache.m5.large", "numNodeGroups": 3, "replicasPerNodeGroup": 2},
     {"replicationGroupId": "carts", "status": "creating"},
     "AWS::ElastiCache::ReplicationGroup",
     {"node_type": "cache.m5.large", "node_groups": 3, "replicas_per_group": 2, "engine": "redis"}),
    ("redshift.amazonaws.com", "CreateCluster",
     {"clusterIdentifier": "analytics", "nodeType": "ra3.xlplus", "clusterType": "multi-node", "numberOfNodes": 2,
      "masterUserPassword": "HIDDEN_DUE_TO_SECURITY_REASONS"},
     {"clusterIdentifier": "analytics", "clusterStatus": "creating"},
     "AWS::Redshift::Cluster", {"node_type": "ra3.xlplus", "cluster_type": "multi-node", "count": 2}),
    ("es.amazonaws.com", "CreateDomain",
     {"domainName": "logs", "engineVersion": "OpenSearch_2.11",
      "clusterConfig": {"instanceType": "r6g.large.search", "instanceCount": 3}},
     {"domainStatus": {"domainName": "logs", "aRN": "arn:aws:es:us-east-1:123456789012:domain/logs"}},
     "AWS::OpenSearchService::Domain", {"instance_type": "r6g.large.search", "count": 3}),
    ("es.amazonaws.com", "CreateElasticsearchDomain",  # the legacy API
     {"domainName": "audit", "elasticsearchVersion": "7.10",
      "elasticsearchClusterConfig": {"instanceType": "m5.large.elasticsearch", "instanceCount": 2}},
     {"domainStatus": {"domainName": "audit", "aRN": "arn:aws:es:us-east-1:123456789012:domain/audit"}},
     "AWS::OpenSearchService::Domain", {"instance_type": "m5.large.elasticsearch", "count": 2}),
    ("sagemaker.amazonaws.com", "CreateNotebookInstance",
     {"notebookInstanceName": "research-nb", "instanceType": "ml.t3.medium", "roleArn": "r"},
     {"notebookInstanceArn": "arn:aws:sagemaker:us-east-1:123456789012:notebook-instance/research-nb"},
     "AWS::SageMaker::NotebookInstance", {"instance_type": "ml.t3.medium"}),
    # the instance type and count are in CreateEndpointConfig's productionVariants, not in this record
    ("sagemaker.amazonaws.com", "CreateEndpoint", {"endpointName": "churn", "endpointConfigName": "churn-config"},
     {"endpointArn": "arn:aws:sagemaker:us-east-1:123456789012:endpoint/churn"},
     "AWS::SageMaker::Endpoint", {}),
    ("sagemaker.amazonaws.com", "CreateEndpointConfig",
     {"endpointConfigName": "churn-config",
      "productionVariants": [{"variantName": "main", "modelName": "churn", "instanceType": "ml.m5.xlarge",
                              "initialInstanceCount": 2}]},
     {"endpointConfigArn": "arn:aws:sagemaker:us-east-1:123456789012:endpoint-config/churn-config"},
     "AWS::SageMaker::EndpointConfig", {}),
    ("eks.amazonaws.com", "CreateNodegroup",
     {"clusterName": "prod", "nodegroupName": "workers", "instanceTypes": ["m5.xlarge"],
      "scalingConfig": {"minSize": 1, "maxSize": 6, "desiredSize": 3}},
     {"nodegroup": {"nodegroupName": "workers", "clusterName": "prod", "status": "CREATING",
                    "nodegroupArn": "arn:aws:eks:us-east-1:123456789012:nodegroup/prod/workers/8ec6a9c0"}},
     "AWS::EKS::Nodegroup", {"instance_type": "m5.xlarge", "count": 3}),
    ("elasticloadbalancing.amazonaws.com", "CreateLoadBalancer", {"name": "edge", "type": "network"},
     {"loadBalancers": [{"loadBalancerArn": "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/"
                                            "net/edge/50dc6c495c0c9188", "type": "network"}]},
     "AWS::ElasticLoadBalancingV2::LoadBalancer", {"type": "network"}),
]


def _sized_record(row) -> dict:
    source, event, req, resp, *_ = row
    return {"eventVersion": "1.09", "eventSource": source, "eventName": event, "awsRegion": US,
            "recipientAccountId": "123456789012", "eventType": "AwsApiCall", "requestParameters": req,
            "responseElements": resp, **({"apiVersion": "2015-12-01"} if source.startswith("elasticload") else {})}


@pytest.mark.parametrize("row", SIZED_CREATIONS, ids=lambda row: f"{row[4]}:{row[1]}")
def test_a_creation_record_gives_its_size(row):
    from cloudblame.derive.details import size_of
    from cloudblame.normalize.resources import extract_resources

    record, rtype, size = _sized_record(row), row[4], row[5]
    created = {r.resource_type for r in extract_resources(record, account="123456789012", region=US)
               if r.action == "create" and r.via == "catalog"}
    assert rtype in created, created
    assert size_of(rtype, record) == size


def _size_paths() -> list[tuple[str, str, int, str]]:
    from cloudblame.catalog import CATALOG, ResourceType

    return [(e.type, dimension, i, path) for e in CATALOG if isinstance(e, ResourceType)
            for dimension, paths in e.size_paths().items() for i, path in enumerate(paths)]


@pytest.mark.parametrize("rtype,attr,index,path", _size_paths(), ids=lambda v: str(v))
def test_every_size_path_appears_in_a_test(rtype, attr, index, path):
    """A meta-test over the catalog entries' ``size``: each path of each size dimension is the one that gives
    the dimension's size in some row of SIZED_CREATIONS (the dimension's earlier paths absent there)."""
    from cloudblame.catalog import TYPES
    from cloudblame.core.jpath import first

    earlier = TYPES[rtype].size_paths()[attr][:index]
    deciding = [(first(record, path), row[5].get(attr)) for row in SIZED_CREATIONS if row[4] == rtype
                for record in [_sized_record(row)] if first(record, path) is not None
                and (not earlier or first(record, *earlier) is None)]
    assert deciding, f"no row of SIZED_CREATIONS gives {rtype} {attr} from {path}"
    assert all(str(value) == str(size) for value, size in deciding), deciding


def test_the_size_paths_are_many():
    """The meta-test above runs over the catalog (not an empty list)."""
    assert len(_size_paths()) >= 30


def test_a_create_volume_record_gives_every_charged_dimension():
    from cloudblame.derive.details import size_of

    io2 = next(row for row in SIZED_CREATIONS if row[1] == "CreateVolume")
    size = size_of("AWS::EC2::Volume", _sized_record(io2))
    assert size == {"size_gb": 100, "volume_type": "io2", "iops": 1000}
    assert monthly_cost("AWS::EC2::Volume", size, US).usd_per_month == pytest.approx(77.50)


def test_every_priced_dimension_is_extracted_or_defaulted():
    """A meta-test over the catalog: each size dimension an entry's price model reads comes from the creation
    record (the entry's ``size``) or has a default (``size_defaults``); every supported type has a model."""
    from cloudblame.catalog import CATALOG, TYPES, ResourceType

    priced = [e for e in CATALOG if isinstance(e, ResourceType) and e.price is not None]
    missing = [(e.type, key) for e in priced for key in e.price.reads()
               if key not in e.size and key not in e.size_defaults]
    assert not missing
    assert all(TYPES[t].price is not None for t in SUPPORTED_TYPES) and len(SUPPORTED_TYPES) >= 14


class _Recording(dict):
    """A size that records which dimensions an estimate reads."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.read: set[str] = set()

    def get(self, key, default=None):
        self.read.add(key)
        return super().get(key, default)

    def __getitem__(self, key):
        self.read.add(key)
        return super().__getitem__(key)

    def __contains__(self, key):
        self.read.add(key)
        return super().__contains__(key)


def _priced_sizes() -> list[tuple[str, dict]]:
    from cloudblame.catalog import TYPES

    sizes = [(c[0], c[1]) for c in KNOWN_COSTS] + [(row[4], row[5]) for row in SIZED_CREATIONS]
    return [(t, size) for t, size in sizes + [(t, {}) for t in sorted(SUPPORTED_TYPES)] if TYPES[t].price is not None]


@pytest.mark.parametrize("rtype,size", _priced_sizes(), ids=lambda v: str(v))
def test_a_model_reads_only_the_dimensions_it_declares(rtype, size):
    """The code of a price model (prices.models) reads no size key its model's ``reads()`` leaves out, so the
    meta-test above holds every dimension an estimate depends on to an extraction or a default."""
    from cloudblame.catalog import TYPES

    model = TYPES[rtype].price
    recording = _Recording(size)
    PriceTable.load().monthly_cost(rtype, recording, US)
    assert recording.read <= set(model.reads())


def test_types_aws_does_not_charge_for_cost_a_known_zero():
    from cloudblame.catalog import CATALOG, ResourceType
    from cloudblame.catalog.pricing import NoCharge

    free = {e.type for e in CATALOG if isinstance(e, ResourceType) and isinstance(e.price, NoCharge)}
    assert {"AWS::EC2::VPC", "AWS::IAM::Role", "AWS::ElasticLoadBalancingV2::TargetGroup"} <= free
    assert not free & set(SUPPORTED_TYPES)
    vpc = monthly_cost("AWS::EC2::VPC", {}, US)
    assert vpc.usd_per_month == 0.0 and vpc.basis.startswith("no charge")
    bucket = monthly_cost("AWS::S3::Bucket", {}, US)  # storage unknown, not zero
    assert bucket.usd_per_month is None and "per GB stored" in bucket.basis


def test_node_counts_a_call_implies_are_priced():
    """A single-node Redshift cluster has no numberOfNodes; a cluster-mode ElastiCache group counts its
    shards times (replicas + 1); without the replicas the count stays unknown."""
    single = monthly_cost("AWS::Redshift::Cluster", {"node_type": "ra3.xlplus", "cluster_type": "single-node"}, US)
    assert single.usd_per_month == pytest.approx(1.086 * 730)
    assert monthly_cost("AWS::Redshift::Cluster", {"node_type": "ra3.xlplus", "cluster_type": "multi-node"}, US).usd_per_month is None
    sharded = monthly_cost("AWS::ElastiCache::ReplicationGroup",
                           {"node_type": "cache.m5.large", "node_groups": 3, "replicas_per_group": 2}, US)
    assert sharded.usd_per_month == pytest.approx(9 * 0.156 * 730) and sharded.basis.startswith("9 x ")
    assert monthly_cost("AWS::ElastiCache::ReplicationGroup", {"node_type": "cache.m5.large", "node_groups": 3},
                        US).usd_per_month is None


# --------------------------------------------------------------------------- found while moving sizes to the catalog


def _sized(event: str, rtype: str, resource: str = "") -> dict:
    """The size derive.details reads from the SIZED_CREATIONS row of ``event`` (whose response names
    ``resource``)."""
    from cloudblame.derive.details import size_of

    row = next(r for r in SIZED_CREATIONS if r[1] == event and r[4] == rtype and resource in json.dumps(r[3]))
    return size_of(rtype, _sized_record(row))


def test_a_volume_type_only_in_the_response_is_read():
    """invictus-aws's CreateVolume names no volumeType; its response says gp2: no type is assumed."""
    size = _sized("CreateVolume", "AWS::EC2::Volume", "vol-0fc2e34e74650e145")
    assert size["volume_type"] == "gp2"
    cost = monthly_cost("AWS::EC2::Volume", size, US)
    assert cost.usd_per_month == pytest.approx(0.10) and "assumed" not in cost.basis


def test_a_legacy_elasticsearch_domain_is_priced():
    """CreateElasticsearchDomain logs elasticsearchClusterConfig; its .elasticsearch instance types cost what
    the same .search ones do."""
    size = _sized("CreateElasticsearchDomain", "AWS::OpenSearchService::Domain")
    cost = monthly_cost("AWS::OpenSearchService::Domain", size, US)
    assert cost.usd_per_month == pytest.approx(2 * 0.142 * 730)
    assert cost.basis.startswith("2 x m5.large.elasticsearch on-demand $0.142/h")


def test_the_cache_engine_is_read_and_priced():
    """A memcached cluster is priced as memcached, not as an assumed redis."""
    size = _sized("CreateCacheCluster", "AWS::ElastiCache::CacheCluster")
    cost = monthly_cost("AWS::ElastiCache::CacheCluster", size, US)
    memcached = price("elasticache", "memcached:cache.t3.micro", US)
    assert memcached is not None
    assert cost.usd_per_month == pytest.approx(2 * memcached.usd * 730) and "(memcached)" in cost.basis
    assert "assumed" not in cost.basis


def test_an_endpoint_says_its_size_is_in_its_config():
    """A SageMaker endpoint's instance type and count are in CreateEndpointConfig, which its catalog entry
    says instead of reading paths its records never have."""
    from cloudblame.catalog import TYPES

    endpoint = TYPES["AWS::SageMaker::Endpoint"]
    assert endpoint.price is None and not endpoint.size and "endpoint config" in (endpoint.unpriced_reason or "")
    assert _sized("CreateEndpoint", "AWS::SageMaker::Endpoint") == {}
    assert monthly_cost("AWS::SageMaker::Endpoint", {}, US).basis.endswith("not in its own events")


def test_every_price_model_has_its_code():
    """Each model a catalog entry can name has an estimator in prices.models (NoCharge needs none)."""
    import typing

    from cloudblame.catalog.pricing import NoCharge, PriceModel
    from cloudblame.prices.models import _ESTIMATORS

    assert set(typing.get_args(PriceModel)) - {NoCharge} == set(_ESTIMATORS)
    snapshot = monthly_cost("AWS::EC2::Snapshot", {"size_gb": 1}, "mars-north-1")
    assert (snapshot.usd_per_month, snapshot.basis) == (None, "no price for EBS snapshots in mars-north-1")
