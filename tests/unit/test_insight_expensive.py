"""Why a created resource counts as expensive (cloudblame.derive.insight_creations.EXPENSIVE_RULES), and that the
rules' tables name what the catalog has."""

from __future__ import annotations

import pytest

from cloudblame.catalog import CATALOG, TYPES, ResourceType
from cloudblame.core.errors import BadInput
from cloudblame.derive.details import cost_of, price_table, size_of
from cloudblame.derive.insight_costs import NOUNS, UNTAGGABLE
from cloudblame.derive.insight_creations import (
    EXPENSIVE_TYPES,
    INSTANCE_DIMENSIONS,
    CostThresholds,
    Priced,
    load_cost_thresholds,
    why_expensive,
)
from cloudblame.prices.table import HOURS_PER_MONTH, PriceTable

EC2, RDS = "AWS::EC2::Instance", "AWS::RDS::DBInstance"


def _priced(resource_type: str, size: dict, region: str = "us-east-1") -> Priced:
    """A resource priced as the creations table prices it (the packaged price table)."""
    return Priced(resource_type, size, cost_of(resource_type, size, region, price_table())["usd_per_month"])


@pytest.mark.parametrize(("resource_type", "size", "why"), [
    (EC2, {"instance_type": "p3.2xlarge", "count": 1}, "GPU/accelerator instance p3.2xlarge"),
    (EC2, {"instance_type": "g4dn.xlarge", "count": 1}, "GPU/accelerator instance g4dn.xlarge"),
    (EC2, {"instance_type": "inf2.xlarge", "count": 1}, "GPU/accelerator instance inf2.xlarge"),
    (EC2, {"instance_type": "trn1.32xlarge", "count": 1}, "GPU/accelerator instance trn1.32xlarge"),
    (EC2, {"instance_type": "dl1.24xlarge", "count": 1}, "GPU/accelerator instance dl1.24xlarge"),
    ("AWS::SageMaker::NotebookInstance", {"instance_type": "ml.g5.xlarge"}, "GPU/accelerator instance ml.g5.xlarge"),
    ("AWS::EKS::Nodegroup", {"instance_type": "g5.2xlarge", "count": 2}, "GPU/accelerator instance g5.2xlarge"),
    (EC2, {"instance_type": "m4.16xlarge", "count": 1}, "large instance m4.16xlarge"),
    (EC2, {"instance_type": "c5.metal", "count": 1}, "large instance c5.metal"),
    (RDS, {"instance_class": "db.r5.8xlarge", "engine": "postgres", "multi_az": False}, "large instance db.r5.8xlarge"),
    (RDS, {"instance_class": "db.t3.medium", "engine": "postgres", "multi_az": True},
     "Multi-AZ database db.t3.medium"),
    ("AWS::EC2::NatGateway", {}, "NAT gateway"),
    ("AWS::EMR::Cluster", {}, "EMR cluster"),  # unpriced, expensive all the same
    ("AWS::Redshift::Cluster", {"node_type": "dc2.large", "count": 1}, "Redshift cluster dc2.large"),
    ("AWS::EKS::Nodegroup", {"instance_type": "m5.large", "count": 20}, "price"),  # 20 nodes: the price rule
])
def test_expensive(resource_type, size, why):
    priced = _priced(resource_type, size)
    assert why_expensive(priced) == (f"${priced.usd_per_month:,.2f}/month" if why == "price" else why)
    if why == "price":
        hourly = PriceTable.load().price("ec2", "m5.large", "us-east-1")
        assert hourly is not None and priced.usd_per_month == pytest.approx(20 * hourly.usd * HOURS_PER_MONTH)


@pytest.mark.parametrize(("resource_type", "size"), [
    (EC2, {"instance_type": "t3.micro", "count": 1}),
    (EC2, {"instance_type": "m6g.large", "count": 1}),  # a Graviton "g" is no GPU
    (EC2, {"instance_type": "d3.xlarge", "count": 1}),  # dense storage, not dl
    (EC2, {"instance_type": "m5.4xlarge", "count": 1}),
    (RDS, {"instance_class": "db.r6g.xlarge", "engine": "postgres", "multi_az": False}),
    ("AWS::EC2::EIP", {}),
    ("AWS::S3::Bucket", {}),
    ("AWS::Lambda::Function", {}),
    ("AWS::EC2::Volume", {"size_gb": 100, "volume_type": "gp3"}),
])
def test_not_expensive(resource_type, size):
    assert why_expensive(_priced(resource_type, size)) is None


def test_thresholds_move_the_rules():
    m5 = _priced(EC2, {"instance_type": "m5.4xlarge", "count": 1})
    assert why_expensive(m5, CostThresholds(large_xlarge=4)) == "large instance m5.4xlarge"
    assert why_expensive(m5, CostThresholds(expensive_usd=500)) == f"${m5.usd_per_month:,.2f}/month"


def test_size_from_a_creation_record_drives_the_rules():
    record = {"requestParameters": {"instanceType": "p4d.24xlarge"}}
    size = size_of(EC2, record)
    assert why_expensive(_priced(EC2, size)) == "GPU/accelerator instance p4d.24xlarge"


def test_the_rules_tables_name_catalog_types_and_dimensions():
    for name in (*EXPENSIVE_TYPES, *UNTAGGABLE, *NOUNS):
        assert name in TYPES and TYPES[name].create, name
    machine_like = {d for e in CATALOG if isinstance(e, ResourceType) for d in e.size
                    if "instance" in d or d.endswith("node_type")}
    assert machine_like <= set(INSTANCE_DIMENSIONS), machine_like - set(INSTANCE_DIMENSIONS)


def test_thresholds_file(tmp_path):
    assert load_cost_thresholds(tmp_path) == CostThresholds()
    (tmp_path / "insights.toml").write_text("[rates]\nmin_count = 5\n[costs]\nburst_usd = 2500\ngap_minutes = 30\n")
    assert load_cost_thresholds(tmp_path) == CostThresholds(burst_usd=2500.0, gap_minutes=30)
    for bad in ("[costs]\nburst_usd = -1\n", "[costs]\ngap_minutes = 0.5\n", "[costs]\nburst = 3\n",
                "[costs]\nlarge_xlarge = true\n", "[costs\n"):
        (tmp_path / "insights.toml").write_text(bad)
        with pytest.raises(BadInput):
            load_cost_thresholds(tmp_path)
