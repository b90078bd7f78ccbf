"""Build the package's price table (src/cloudblame/pricing/prices.csv.gz) from the price facts in
../shared/reference/prices (on-demand USD list prices, with source and price-list date per row).

    python scripts/build_price_table.py [PRICES_DIR]
"""

from __future__ import annotations

import csv
import gzip
import io
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "src" / "cloudblame" / "pricing" / "prices.csv.gz"
COLUMNS = ("service", "region", "item", "unit", "usd", "price_list_date", "source")
MISC = {  # network_serverless_misc item -> (service, item, unit)
    "nat_gateway_hour": ("nat", "gateway", "hour"), "alb_hour": ("elb", "application", "hour"),
    "nlb_hour": ("elb", "network", "hour"), "clb_hour": ("elb", "classic", "hour"),
    "gwlb_hour": ("elb", "gateway", "hour"), "eks_cluster_hour(standard_support)": ("eks", "cluster", "hour"),
    "public_ipv4_idle(elastic_ip)": ("eip", "address", "hour"),
}


def _rows(folder: Path):
    def read(name):
        with open(folder / name, newline="") as fh:
            yield from csv.DictReader(fh)

    for r in read("ec2_linux_ondemand_all_regions.csv"):
        yield "ec2", r["region"], r["instance_type"], "hour", r["usd_per_hour"], r
    for r in read("ebs_all_regions.csv"):
        if r["item"] == "volume_storage":
            yield "ebs", r["region"], r["volume_type"], "gb-month", r["usd"], r
        elif r["item"] == "snapshot_storage":
            yield "ebs", r["region"], "snapshot", "gb-month", r["usd"], r
    for r in read("rds_postgres_mysql_all_regions.csv"):
        deployment = {"Multi-AZ": "multi-az", "Single-AZ": "single-az"}.get(r["deployment"])
        if deployment:
            yield "rds", r["region"], f"{r['engine'].lower()}:{r['instance_class']}:{deployment}", "hour", r["usd_per_hour"], r
    for r in read("elasticache_all_regions.csv"):
        yield "elasticache", r["region"], f"{r['engine'].lower()}:{r['node_type']}", "hour", r["usd_per_hour"], r
    for r in read("opensearch_all_regions.csv"):
        yield "opensearch", r["region"], r["instance_type"], "hour", r["usd_per_hour"], r
    for r in read("redshift_all_regions.csv"):
        yield "redshift", r["region"], r["node_type"], "hour", r["usd_per_hour"], r
    for r in read("sagemaker_studio_notebook_all_regions.csv"):
        yield "sagemaker", r["region"], r["instance_type"], "hour", r["usd_per_hour"], r
    for r in read("network_serverless_misc_all_regions.csv"):
        if r["item"] in MISC:
            service, item, unit = MISC[r["item"]]
            yield service, r["region"], item, unit, r["usd"], r


def build(folder: Path) -> bytes:
    best: dict[tuple, tuple] = {}
    for service, region, item, unit, usd, row in _rows(folder):
        try:
            price = float(usd)
        except ValueError:
            continue
        key = (service, region, item)
        candidate = (service, region, item, unit, f"{price:g}", row["price_list_date"], row["source"].split("@")[0])
        if key not in best or candidate[5] > best[key][5]:
            best[key] = candidate
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(sorted(best.values()))
    return gzip.compress(out.getvalue().encode(), compresslevel=9, mtime=0)


if __name__ == "__main__":
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "shared" / "reference" / "prices"
    data = build(source)
    OUT.write_bytes(data)
    print(f"wrote {OUT} ({len(data):,} bytes)")
