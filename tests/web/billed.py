"""A store of the sample trail with a bill imported (a legacy CUR written by tests/bill_exports.py): two
periods, each billed resource's usage and credits, tax, data transfer, an instance the store does not know
and hostile text where the bill holds free text (usage types and resource ids are untrusted input)."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

from cloudblame.pipeline.bill import import_bills
from cloudblame.store import Store
from tests.bill_exports import Line, data_transfer, tax, write_cur_csv

MARCH, FEBRUARY = date(2026, 3, 1), date(2026, 2, 1)
UNKNOWN = "i-0badc0ffee0000dead"  # an instance no event names
HOSTILE_USAGE = '"><script>alert(1)</script><img src=x onerror=alert(2)>'
HOSTILE_ID = "<b>arn:aws:ec2:us-east-1:111122223333:instance/" + "x" * 120 + "</b>"
BILLED_TYPES = ("AWS::EC2::Instance", "AWS::EC2::Volume", "AWS::S3::Bucket", "AWS::RDS::DBInstance")


def billed_resources(store: Store) -> dict[tuple[str, str], str]:
    """(type, id) -> how the bill names it (the ARN for RDS, the bare id or name elsewhere), alive or not."""
    rows = store.query("SELECT resource_type, resource_id, arn FROM inventory WHERE resource_type IN "
                       f"({', '.join(repr(t) for t in BILLED_TYPES)}) ORDER BY 1, 2")
    return {(r["resource_type"], r["resource_id"]): r["arn"] if r["resource_type"] == "AWS::RDS::DBInstance"
            else r["resource_id"] for r in rows}


def bill_lines(named: dict[tuple[str, str], str]) -> list[Line]:
    """February and March: each resource's usage (some not billed in March, some with a credit), tax,
    data transfer, an unknown instance and the hostile line."""
    lines: list[Line] = []
    for n, ((rtype, _), name) in enumerate(sorted(named.items())):
        code = {"AWS::RDS::DBInstance": "AmazonRDS", "AWS::S3::Bucket": "AmazonS3"}.get(rtype, "AmazonEC2")
        lines.append(Line(FEBRUARY, name, 3.0 + n, product_code=code))
        if n % 3 != 2:
            lines.append(Line(MARCH, name, 10.0 + 1.25 * n, product_code=code, day=1 + n % 27))
        if n % 3 == 0:
            lines.append(Line(MARCH, name, -0.5, product_code=code, line_type="Credit", day=2))
    return lines + [tax(MARCH, 4.2), tax(FEBRUARY, 3.1), data_transfer(MARCH, 1.75), Line(MARCH, UNKNOWN, 6.5),
                    Line(MARCH, HOSTILE_ID, 0.8, usage_type=HOSTILE_USAGE)]


def billed_copy(db: Path, into: Path) -> tuple[Path, list[Line], dict[tuple[str, str], str]]:
    """A copy of the store at ``db`` under ``into`` with the bill imported: (its path, the lines, the
    resources billed and how the bill names them)."""
    copy = into / "billed-store"
    shutil.copytree(db, copy)
    with Store.open(copy) as store:
        named = billed_resources(store)
        lines = bill_lines(named)
        write_cur_csv(into / "cur" / "20260301-20260401" / "report-1.csv.gz", lines)
        summary = import_bills(store.lake, [str(into / "cur")])
    assert (summary["imported"], summary["failed"], summary["problems"]) == (1, 0, []), summary
    return copy, lines, named
