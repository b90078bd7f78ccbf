"""Cost exports read as bill lines (cloudblame.normalize.bill) and billed ids matched to resources
(cloudblame.derive.bill's SQL), on small hand-made inputs."""

from __future__ import annotations

from datetime import date, datetime

import duckdb
import pyarrow as pa
import pytest

from cloudblame.derive.bill import MATCHED_SQL, UNMATCHED
from cloudblame.normalize.bill import BILL_LINE_SCHEMA, BadBill, bill_format, bill_lines, column_map
from tests.bill_exports import CUR2_SCHEMA, CUR_COLUMNS, FOCUS_COLUMNS


def test_formats_are_told_by_their_columns():
    assert bill_format(CUR2_SCHEMA.names) == "cur2"
    assert bill_format(CUR_COLUMNS) == "cur"
    assert bill_format(FOCUS_COLUMNS) == "focus"
    legacy_parquet = [n for n in CUR2_SCHEMA.names if n not in ("product", "resource_tags", "bill_payer_account_name")]
    assert bill_format(legacy_parquet) == "cur"  # legacy CUR as Parquet: CUR 2.0's names, no map columns
    assert column_map("cur", legacy_parquet)["cost"] == "line_item_unblended_cost"
    assert bill_format(["name", "value"]) is None
    assert bill_format(["BilledCost"]) is None  # no billing period: not a bill this reads


def test_a_map_without_the_cost_column_is_refused():
    assert column_map("focus", ["BillingPeriodStart", "BilledCost"]) == {"period": "BillingPeriodStart",
                                                                         "cost": "BilledCost"}
    with pytest.raises(BadBill, match="cost"):
        column_map("focus", ["BillingPeriodStart", "EffectiveCost"])


def _texts(**columns: list[str | None]) -> pa.Table:
    return pa.table({k: pa.array(v, pa.string()) for k, v in columns.items()})


def test_text_values_become_times_numbers_and_nulls():
    rows = _texts(**{"bill/BillingPeriodStartDate": ["2026-03-01T00:00:00Z", "2026-03-01T00:00:00.000Z",
                                                     "2026-02-28T23:30:00-01:00", "2026-03-01"],
                     "lineItem/UsageStartDate": ["2026-03-05T10:00:00Z", "2026-03-05 10:00:00", "", None],
                     "lineItem/ResourceId": ["i-1", "", "   ", None],
                     "lineItem/UnblendedCost": ["1.5", "0.0000001", "-2E-3", ""]})
    columns = column_map("cur", list(rows.column_names))
    lines = bill_lines(rows, columns, fmt="cur", path="/x/report.csv.gz")
    assert lines.schema == BILL_LINE_SCHEMA
    out = lines.to_pydict()
    assert out["period"] == [date(2026, 3, 1)] * 4  # -01:00 is 00:30 UTC on the 1st
    assert out["usage_start"] == [datetime(2026, 3, 5, 10), datetime(2026, 3, 5, 10), None, None]
    assert out["bill_resource_id"] == ["i-1", None, None, None]
    assert out["cost"] == [1.5, 0.0000001, -0.002, None]
    assert out["source_format"] == ["cur"] * 4 and out["source_path"] == ["/x/report.csv.gz"] * 4
    assert out["usage_account_id"] == [None] * 4  # a column the file lacks


def test_typed_values_are_taken_as_they_are():
    rows = pa.table({"BillingPeriodStart": pa.array([datetime(2026, 3, 1)], pa.timestamp("ms", tz="UTC")),
                     "BilledCost": pa.array([2.25]), "ResourceId": pa.array(["vol-1"]).dictionary_encode()})
    lines = bill_lines(rows, column_map("focus", rows.column_names), fmt="focus", path="p")
    assert lines.to_pydict()["period"] == [date(2026, 3, 1)] and lines.column("bill_resource_id").to_pylist() == ["vol-1"]


@pytest.mark.parametrize(("column", "value"), [("lineItem/UnblendedCost", "12,50"),
                                               ("bill/BillingPeriodStartDate", "March 2026")])
def test_values_that_are_not_a_bill_are_refused(column, value):
    rows = _texts(**{"bill/BillingPeriodStartDate": ["2026-03-01T00:00:00Z"], "lineItem/UnblendedCost": ["1"]})
    rows = rows.set_column(rows.column_names.index(column), column, pa.array([value]))
    with pytest.raises(BadBill):
        bill_lines(rows, column_map("cur", rows.column_names), fmt="cur", path="p")


KEYS = [  # (key, type, id, account) as resource_keys holds them: ids, ARNs and names lower-cased
    ("i-0abc", "AWS::EC2::Instance", "i-0abc", "111122223333"),
    ("orders", "AWS::DynamoDB::Table", "orders", "111122223333"),
    ("orders", "AWS::S3::Bucket", "orders", None),
    ("bob-analytics", "AWS::RDS::DBInstance", "Bob-Analytics", "111122223333"),
    ("nat-1", "AWS::EC2::NatGateway", "nat-1", "111122223333"),
    ("arn:aws:ec2:us-east-1:111122223333:natgateway/nat-1", "AWS::EC2::NatGateway", "nat-1", "111122223333"),
    ("db-1", "AWS::EC2::Instance", "db-1", "111122223333"),  # a name that is also the tail of an RDS ARN
]


@pytest.mark.parametrize(("billed", "account", "service", "matched"), [
    ("i-0abc", "111122223333", "AmazonEC2", ("AWS::EC2::Instance", "i-0abc", "111122223333")),
    ("I-0ABC", "111122223333", "AmazonEC2", ("AWS::EC2::Instance", "i-0abc", "111122223333")),
    ("i-0abc", "444455556666", "AmazonEC2", None),  # another account's
    ("orders", "111122223333", "AmazonDynamoDB", ("AWS::DynamoDB::Table", "orders", "111122223333")),
    ("orders", "111122223333", "AmazonS3", ("AWS::S3::Bucket", "orders", None)),  # the line's service decides
    ("arn:aws:rds:us-east-1:111122223333:db:bob-analytics", "111122223333", "AmazonRDS",
     ("AWS::RDS::DBInstance", "Bob-Analytics", "111122223333")),  # by the ARN's resource part
    ("arn:aws:ec2:us-east-1:111122223333:natgateway/nat-1", "111122223333", "AmazonEC2",
     ("AWS::EC2::NatGateway", "nat-1", "111122223333")),
    ("arn:aws:rds:us-east-1:111122223333:db:db-1", "111122223333", "AmazonRDS", None),  # an RDS ARN names no instance
    ("i-0fff", "111122223333", "AmazonEC2", None),
])
def test_billed_ids_are_matched_by_spelling_account_and_service(billed, account, service, matched):
    conn = duckdb.connect()
    conn.execute("CREATE TABLE resource_keys (key VARCHAR, resource_type VARCHAR, resource_id VARCHAR, account_id VARCHAR)")
    conn.executemany("INSERT INTO resource_keys VALUES (?, ?, ?, ?)", KEYS)
    conn.execute("CREATE TABLE rows AS SELECT ?::VARCHAR AS bill_resource_id, ?::VARCHAR AS usage_account_id, "
                 f"?::VARCHAR AS service, 1.0 AS cost, {UNMATCHED}", [billed, account, service])
    found = conn.execute(f"SELECT resource_type, resource_id, account_id FROM ({MATCHED_SQL.format(rows='rows')})")
    assert found.fetchall() == [matched or (None, None, None)]
