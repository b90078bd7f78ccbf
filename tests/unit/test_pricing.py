"""The bundled price table and monthly cost estimates (list prices checked against AWS's pages)."""

from __future__ import annotations

import gzip
import importlib.util
from pathlib import Path

import pytest

from cloudblame.pricing import PriceTable
from cloudblame.pricing.table import HOURS_PER_MONTH, SUPPORTED_TYPES
from tests.conftest import SHARED

TABLE = PriceTable.load()


@pytest.mark.parametrize("service,item,region,usd", [
    ("ec2", "m5.large", "us-east-1", 0.096), ("ec2", "t3.micro", "us-east-1", 0.0104),
    ("ebs", "gp3", "us-east-1", 0.08), ("ebs", "gp2", "us-east-1", 0.10), ("nat", "gateway", "us-east-1", 0.045),
    ("eip", "address", "us-east-1", 0.005), ("elb", "application", "us-east-1", 0.0225),
    ("eks", "cluster", "us-east-1", 0.10), ("rds", "postgres:db.m5.large:single-az", "us-east-1", 0.178),
    ("rds", "postgres:db.m5.large:multi-az", "us-east-1", 0.356),
    ("elasticache", "redis:cache.m5.large", "us-east-1", 0.156),
    ("opensearch", "m5.large.search", "us-east-1", 0.142),
])
def test_spot_checked_list_prices(service, item, region, usd):
    assert TABLE.price(service, item, region).usd == pytest.approx(usd)


def test_monthly_costs_with_their_basis():
    gpu = TABLE.monthly_cost("AWS::EC2::Instance", {"instance_type": "m5.large", "count": 2}, "us-east-1")
    assert gpu.usd_per_month == pytest.approx(0.096 * HOURS_PER_MONTH * 2)
    assert gpu.basis.startswith("m5.large on-demand $0.096/h x 730 h x 2 (us-east-1, price list ")
    vol = TABLE.monthly_cost("AWS::EC2::Volume", {"size_gb": 200, "volume_type": "gp3"}, "us-east-1")
    assert vol.usd_per_month == pytest.approx(16.0) and "200 GB gp3" in vol.basis
    nat = TABLE.monthly_cost("AWS::EC2::NatGateway", {}, "eu-west-1")
    assert nat.usd_per_month > 30
    for rtype in SUPPORTED_TYPES:  # every supported type prices something in us-east-1 with a plausible size
        size = {"instance_type": "m5.large", "node_type": "cache.m5.large", "instance_class": "db.m5.large",
                "engine": "postgres", "size_gb": 10, "volume_type": "gp2", "count": 1}
        if rtype == "AWS::Redshift::Cluster":
            size["node_type"] = "ra3.xlplus"
        if rtype == "AWS::OpenSearchService::Domain":
            size["instance_type"] = "m5.large.search"
        if rtype.startswith("AWS::SageMaker"):
            size["instance_type"] = "ml.t3.medium"
        cost = TABLE.monthly_cost(rtype, size, "us-east-1")
        assert cost.usd_per_month and cost.usd_per_month > 0, (rtype, cost)


def test_unknown_is_none_with_a_reason_never_zero():
    assert TABLE.monthly_cost("AWS::SQS::Queue", {}, "us-east-1").usd_per_month is None
    no_size = TABLE.monthly_cost("AWS::EC2::Instance", {}, "us-east-1")
    assert no_size.usd_per_month is None and "size unknown" in no_size.basis
    no_price = TABLE.monthly_cost("AWS::EC2::Instance", {"instance_type": "m5.large"}, "xx-nowhere-1")
    assert no_price.usd_per_month is None and "no ec2 price for m5.large in xx-nowhere-1" == no_price.basis


def test_build_script_reproduces_the_packaged_table():
    prices = SHARED / "reference" / "prices"
    if not prices.is_dir():
        pytest.skip("../shared/reference/prices is not present (the table's source facts)")
    script = Path(__file__).resolve().parents[2] / "scripts" / "build_price_table.py"
    spec = importlib.util.spec_from_file_location("build_price_table", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    packaged = module.OUT.read_bytes()
    assert gzip.decompress(module.build(prices)) == gzip.decompress(packaged)
    assert len(packaged) < 400_000
