#!/usr/bin/env python3
"""Build src/cloudblame/prices/prices.csv.gz from the reference price CSVs.

    python tools/build_price_table.py [INPUT_DIR] [--out FILE]

INPUT_DIR defaults to ../shared/reference/prices (relative to the repository root). Only used at build
time: the package reads the generated file, never INPUT_DIR. See cloudblame/prices/table.py for the items.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from cloudblame.prices.table import write_table

DEFAULT_INPUT = ROOT / ".." / "shared" / "reference" / "prices"
DEFAULT_OUT = ROOT / "src" / "cloudblame" / "prices" / "prices.csv.gz"

# network_serverless_misc item -> (service, item, unit)
MISC = {
    "nat_gateway_hour": ("nat", "gateway", "hour"),
    "nat_gateway_data_processed": ("nat", "data", "gb"),
    "public_ipv4_in_use(elastic_ip)": ("eip", "in-use", "hour"),
    "public_ipv4_idle(elastic_ip)": ("eip", "idle", "hour"),
    "alb_hour": ("elb", "application", "hour"),
    "alb_lcu_hour": ("elb", "application-lcu", "lcu-hour"),
    "nlb_hour": ("elb", "network", "hour"),
    "nlb_lcu_hour": ("elb", "network-lcu", "lcu-hour"),
    "clb_hour": ("elb", "classic", "hour"),
    "clb_data_GB": ("elb", "classic-data", "gb"),
    "gwlb_hour": ("elb", "gateway", "hour"),
    "eks_cluster_hour(standard_support)": ("eks", "cluster", "hour"),
    "eks_cluster_hour(extended_support)": ("eks", "cluster-extended", "hour"),
    "lambda_x86_GB_second(first_6B)": ("lambda", "x86-gb-second", "gb-second"),
    "lambda_arm_GB_second(first_7.5B)": ("lambda", "arm-gb-second", "gb-second"),
    "lambda_request": ("lambda", "request", "request"),
    "dynamodb_RCU_hour": ("dynamodb", "rcu", "rcu-hour"),
    "dynamodb_WCU_hour": ("dynamodb", "wcu", "wcu-hour"),
    "dynamodb_ondemand_read_request_unit": ("dynamodb", "read-request", "request-unit"),
    "dynamodb_ondemand_write_request_unit": ("dynamodb", "write-request", "request-unit"),
    "dynamodb_storage_GB_month": ("dynamodb", "storage", "gb-month"),
}

EBS_ITEMS = {
    "volume_storage": ("{}", "gb-month"),
    "snapshot_storage": ("snapshot:{}", "gb-month"),
    "provisioned_iops": ("iops:{}", "iops-month"),
    "provisioned_throughput": ("throughput:{}", "gibps-month"),
}

RDS_DEPLOYMENTS = {
    "Single-AZ": "single-az",
    "Multi-AZ": "multi-az",
    "Multi-AZ-cluster(readable standbys)": "multi-az-cluster",
}


def _csv(path: Path) -> Iterator[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        yield from csv.DictReader(fh)


def _row(service: str, r: dict[str, str], item: str, unit: str, usd: str, note: str = "") -> dict[str, str]:
    return {
        "service": service,
        "region": r["region"].strip(),
        "item": item,
        "unit": unit,
        "usd": usd.strip(),
        "price_list_date": r["price_list_date"].strip(),
        "source": r["source"].strip(),
        "note": note,
    }


def _keep_note(note: str) -> str:
    """Keep notes that warn about a price (stale values), drop provenance chatter."""
    note = (note or "").strip()
    return note if "stale" in note.lower() else ""


def rows(src: Path) -> Iterator[dict[str, str]]:
    for r in _csv(src / "ec2_linux_ondemand_all_regions.csv"):
        yield _row("ec2", r, r["instance_type"], "hour", r["usd_per_hour"], _keep_note(r.get("note", "")))

    for r in _csv(src / "ebs_all_regions.csv"):
        spec = EBS_ITEMS.get(r["item"])
        if spec is None:
            raise SystemExit(f"ebs: unknown item {r['item']!r}; add it to EBS_ITEMS")
        pattern, unit = spec
        yield _row("ebs", r, pattern.format(r["volume_type"]), unit, r["usd"])

    for r in _csv(src / "network_serverless_misc_all_regions.csv"):
        spec = MISC.get(r["item"])
        if spec is None:
            raise SystemExit(f"network_serverless_misc: unknown item {r['item']!r}; add it to MISC")
        service, item, unit = spec
        yield _row(service, r, item, unit, r["usd"])

    for r in _csv(src / "rds_postgres_mysql_all_regions.csv"):
        deployment = RDS_DEPLOYMENTS.get(r["deployment"])
        if deployment is None:
            raise SystemExit(f"rds: unknown deployment {r['deployment']!r}")
        engine = r["engine"].strip().lower()
        engine = "postgres" if engine.startswith("postgres") else engine
        yield _row("rds", r, f"{engine}:{r['instance_class']}:{deployment}", "hour", r["usd_per_hour"])

    for r in _csv(src / "elasticache_all_regions.csv"):
        yield _row("elasticache", r, f"{r['engine'].strip().lower()}:{r['node_type']}", "hour", r["usd_per_hour"])

    for r in _csv(src / "opensearch_all_regions.csv"):
        yield _row("opensearch", r, r["instance_type"], "hour", r["usd_per_hour"])

    for r in _csv(src / "redshift_all_regions.csv"):
        yield _row("redshift", r, r["node_type"], "hour", r["usd_per_hour"])

    for r in _csv(src / "sagemaker_studio_notebook_all_regions.csv"):
        yield _row("sagemaker", r, r["instance_type"], "hour", r["usd_per_hour"])


def build(src: Path, out: Path) -> int:
    if not (src / "README.md").is_file() and not any(src.glob("*.csv")):
        raise SystemExit(f"{src}: no price CSVs here")
    return write_table(rows(src), out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("input", nargs="?", type=Path, default=DEFAULT_INPUT, help="folder of reference CSVs")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="gzip CSV to write")
    args = ap.parse_args(argv)
    n = build(args.input.resolve(), args.out)
    print(f"{args.out}: {n} prices, {args.out.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
