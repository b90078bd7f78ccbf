"""The bill: AWS cost exports (CUR 2.0, legacy CUR, FOCUS: written from their public column specifications
by tests/bill_exports.py) imported into a store built from the demo trail, matched to its resources by id
or ARN, shown beside the estimates; what no known resource explains is unattributed, with its share."""

from __future__ import annotations

import gzip
import json
import os
import shutil
from collections import defaultdict
from datetime import date
from pathlib import Path

import boto3
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from cloudblame.cli import app
from cloudblame.demo import generate_sample_trail
from cloudblame.pipeline.bill import import_bills
from cloudblame.pipeline.ingest import ingest_paths
from cloudblame.queries.costs import costs
from cloudblame.queries.inventory import inventory
from cloudblame.store import Store
from cloudblame.store.tables import DERIVED
from tests.bill_exports import (
    Line,
    data_transfer,
    tax,
    write_cur2_csv,
    write_cur2_parquet,
    write_cur_csv,
    write_focus_csv,
    write_focus_parquet,
)

MARCH, FEBRUARY = date(2026, 3, 1), date(2026, 2, 1)
UNKNOWN = "i-0badc0ffee0000dead"  # an instance no event names
runner = CliRunner()


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> tuple[Path, Path]:
    """The demo trail and a store built from it (tests copy the store)."""
    root = tmp_path_factory.mktemp("bill-demo")
    generate_sample_trail(root / "trail", records=1500)
    with Store.open(root / "store") as store:
        ingest_paths(store, [str(root / "trail")])
    return root / "trail", root / "store"


@pytest.fixture
def store(demo, tmp_path):
    shutil.copytree(demo[1], tmp_path / "store")
    with Store.open(tmp_path / "store") as opened:
        yield opened


def billed(store: Store) -> dict[tuple[str, str], str]:
    """(type, id) -> how the bill names it, for resources of the demo store: ARNs where AWS's bill uses
    them (NAT gateways, load balancers, RDS, EKS, Lambda, DynamoDB, SageMaker), bare ids and names elsewhere."""
    arn_named = ("AWS::EC2::NatGateway", "AWS::ElasticLoadBalancingV2::LoadBalancer", "AWS::RDS::DBInstance",
                 "AWS::EKS::Cluster", "AWS::DynamoDB::Table", "AWS::SageMaker::NotebookInstance")
    bare = ("AWS::EC2::Instance", "AWS::EC2::Volume", "AWS::S3::Bucket")
    rows = store.query("SELECT resource_type, resource_id, arn FROM inventory WHERE resource_type IN "
                       f"({', '.join(repr(t) for t in arn_named + bare)}) ORDER BY 1, 2")
    named = {(r["resource_type"], r["resource_id"]): r["arn"] if r["resource_type"] in arn_named else r["resource_id"]
             for r in rows}
    assert {t for t, _ in named} >= {"AWS::EC2::Instance", "AWS::RDS::DBInstance", "AWS::EC2::NatGateway",
                                     "AWS::S3::Bucket", "AWS::EC2::Volume"}
    return named


def demo_lines(named: dict[tuple[str, str], str]) -> list[Line]:
    """Two periods of a bill: each resource's usage (in March two lines, one a credit, for some), tax, data
    transfer, and an instance the store does not know."""
    lines: list[Line] = []
    for n, ((rtype, _), name) in enumerate(sorted(named.items())):
        code = {"AWS::RDS::DBInstance": "AmazonRDS", "AWS::S3::Bucket": "AmazonS3", "AWS::EKS::Cluster": "AmazonEKS",
                "AWS::DynamoDB::Table": "AmazonDynamoDB", "AWS::SageMaker::NotebookInstance": "AmazonSageMaker",
                "AWS::ElasticLoadBalancingV2::LoadBalancer": "AWSELB"}.get(rtype, "AmazonEC2")
        lines.append(Line(FEBRUARY, name, 3.0 + n, product_code=code))
        if n % 3 != 2:  # a third of them were not billed in March
            lines.append(Line(MARCH, name, 10.0 + 1.25 * n, product_code=code, day=1 + n % 27))
        if n % 3 == 0:
            lines.append(Line(MARCH, name, -0.5, product_code=code, line_type="Credit", day=2))
    lines += [tax(MARCH, 4.2), tax(FEBRUARY, 3.1), data_transfer(MARCH, 1.75), data_transfer(MARCH, 0.25),
              Line(MARCH, UNKNOWN, 6.5), Line(MARCH, named[min(named)], 2.0, account="444455556666")]
    return lines


def expected_actual(lines: list[Line], named: dict[tuple[str, str], str]) -> dict[tuple[str, str], float]:
    """What March (the latest period) charged each known resource, summed from the lines themselves."""
    by_name = {name: key for key, name in named.items()}
    sums: dict[tuple[str, str], float] = defaultdict(float)
    for line in lines:
        if line.period == MARCH and line.resource_id in by_name and line.account == "111122223333":
            sums[by_name[line.resource_id]] += line.cost
    return dict(sums)


def actuals(store: Store) -> dict[tuple[str, str], dict | None]:
    return {(i["type"], i["id"]): i["cost"]["actual"] for i in inventory(store, limit=None)["resources"]}


WRITERS = {"cur2.snappy.parquet": write_cur2_parquet, "cur2-00001.csv.gz": write_cur2_csv, "report-1.csv.gz": write_cur_csv, "report-1.csv.zip": write_cur_csv,
           "focus.parquet": write_focus_parquet, "focus.csv.gz": write_focus_csv}
FORMATS = {"cur2.snappy.parquet": "cur2", "cur2-00001.csv.gz": "cur2", "report-1.csv.gz": "cur", "report-1.csv.zip": "cur", "focus.parquet": "focus",
           "focus.csv.gz": "focus"}


@pytest.mark.parametrize("name", list(WRITERS))
def test_every_format_gives_the_same_bill_matched_to_the_resources(store, tmp_path, name):
    named = billed(store)
    lines = demo_lines(named)
    path = WRITERS[name](tmp_path / "export" / name, lines)
    summary = import_bills(store.lake, [str(tmp_path / "export")])
    assert (summary["imported"], summary["failed"], summary["problems"]) == (1, 0, [])
    assert summary["files"][0]["format"] == FORMATS[name] and summary["files"][0]["path"] == str(path)
    assert summary["lines"] == len(lines) and summary["periods"] == ["2026-02-01", "2026-03-01"]
    store.refresh()

    want = expected_actual(lines, named)
    got = actuals(store)
    for key in named:
        if key in want:
            assert got[key] == {"usd": round(want[key], 2), "period": "2026-03-01"}, key
        else:
            assert got[key] is None, key  # not billed in March: unknown, not $0
    assert all(v is None for k, v in got.items() if k not in named)

    report = costs(store, by="service", limit=None)
    march = [line for line in lines if line.period == MARCH]
    total = sum(line.cost for line in march)
    unexplained = [line for line in march if line.resource_id not in named.values() or line.account != "111122223333"]
    assert report["period"] == "2026-03-01" and report["total_usd"] == round(total, 2)
    assert report["attributed_usd"] == round(sum(want.values()), 2)
    assert report["unattributed_usd"] == round(sum(line.cost for line in unexplained), 2)
    assert report["unattributed_share"] == round(sum(line.cost for line in unexplained) / total, 4)
    groups = {(u["service"], u["usage_type"] or None): u for u in report["unattributed"]}
    assert groups[("AWSDataTransfer", "USE1-DataTransfer-Out-Bytes")]["usd"] == 2.0
    assert groups[("AWSDataTransfer", "USE1-DataTransfer-Out-Bytes")]["billed_ids"] == 0  # no resource id
    assert groups[("AmazonEC2", None)]["usd"] == 4.2 and groups[("AmazonEC2", None)]["billed_ids"] == 0  # tax
    assert groups[("AmazonEC2", "BoxUsage:t3.micro")]["billed_ids"] == 2  # the unknown one, and another account's
    assert round(sum(u["usd"] for u in report["unattributed"]), 2) == report["unattributed_usd"]
    services = {g["key"]: g["actual_usd"] for g in report["groups"]}
    assert services["AWSDataTransfer"] == 2.0 and round(sum(services.values()), 2) == report["total_usd"]


def test_cur2_as_aws_writes_it_is_read_without_complaint(store, tmp_path):
    """Map columns, rates as text, NULL resource ids on tax and data transfer lines, millisecond timestamps."""
    lines = demo_lines(billed(store))
    path = write_cur2_parquet(tmp_path / "data" / "BILLING_PERIOD=2026-03" / "cur2-00001.snappy.parquet", lines)
    schema = pq.read_schema(path)
    assert pa.types.is_map(schema.field("product").type) and pa.types.is_map(schema.field("resource_tags").type)
    assert schema.field("pricing_public_on_demand_rate").type == pa.string()
    assert schema.field("line_item_unblended_rate").type == pa.string()
    ids = pq.read_table(path, columns=["line_item_resource_id"]).column(0).to_pylist()
    assert ids.count(None) == 4  # tax (2) and data transfer (2)
    (tmp_path / "data" / "cur2-Manifest.json").write_text("{}")  # beside the data, as Data Exports writes it
    summary = import_bills(store.lake, [str(tmp_path / "data")])
    assert (summary["found"], summary["imported"], summary["problems"]) == (1, 1, [])
    assert summary["files"][0] == {"path": str(path), "format": "cur2", "status": "imported", "lines": len(lines),
                                   "periods": ["2026-02-01", "2026-03-01"], "reason": None}


def _bill_state(store: Store) -> tuple:
    store.refresh()
    report = costs(store, limit=None)
    return (store.scalar("SELECT count(*) FROM bill_lines"), report["total_usd"], report["attributed_usd"],
            store.scalar("SELECT round(sum(usd), 4) FROM actual_costs"))


def test_importing_a_file_again_never_counts_it_twice(store, tmp_path):
    named = billed(store)
    lines = demo_lines(named)
    path = write_cur_csv(tmp_path / "cur" / "20260301-20260401" / "report-1.csv.gz", lines)
    first = import_bills(store.lake, [str(tmp_path / "cur")])
    state = _bill_state(store)
    assert state[0] == len(lines) and first["lines_replaced"] == 0

    again = import_bills(store.lake, [str(path)])  # unchanged: not read again
    assert (again["unchanged"], again["imported"], again["lines"], again["snapshot"]) == (1, 0, 0, None)
    assert _bill_state(store) == state

    forced = import_bills(store.lake, [str(tmp_path / "cur")], force=True)  # read again: its lines replaced
    assert (forced["imported"], forced["lines"], forced["lines_replaced"]) == (1, len(lines), len(lines))
    assert _bill_state(store) == state

    doubled = [Line(**{**line.__dict__, "cost": line.cost * 2}) for line in lines]
    write_cur_csv(path, doubled)  # the report delivered again, changed (AWS rewrites the month's files)
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    changed = import_bills(store.lake, [str(tmp_path / "cur")])
    assert changed["imported"] == 1 and changed["lines_replaced"] == len(lines)
    rows, total, attributed, actual = _bill_state(store)
    assert rows == len(lines) and total == round(state[1] * 2, 2) and attributed == round(state[2] * 2, 2)
    assert actual == pytest.approx(state[3] * 2)


def test_a_file_beside_others_keeps_theirs_when_it_is_replaced(store, tmp_path):
    named = billed(store)
    lines = demo_lines(named)
    march, february = [x for x in lines if x.period == MARCH], [x for x in lines if x.period == FEBRUARY]
    write_focus_parquet(tmp_path / "focus" / "march.parquet", march)
    feb = write_focus_parquet(tmp_path / "focus" / "february.parquet", february)
    import_bills(store.lake, [str(tmp_path / "focus")])
    write_focus_parquet(feb, february[:2])
    os.utime(feb, ns=(feb.stat().st_atime_ns, feb.stat().st_mtime_ns + 10**9))
    summary = import_bills(store.lake, [str(tmp_path / "focus")])
    assert (summary["imported"], summary["unchanged"], summary["lines_replaced"]) == (1, 1, len(february))
    store.refresh()
    assert store.scalar("SELECT count(*) FROM bill_lines") == len(march) + 2
    assert costs(store, period="2026-03")["total_usd"] == round(sum(x.cost for x in march), 2)
    assert costs(store, period="2026-02-01")["total_usd"] == round(sum(x.cost for x in february[:2]), 2)


def test_a_publish_of_the_bill_alone_derives_nothing_from_the_events(store, tmp_path):
    before = store.lake.latest_snapshot()
    write_cur2_parquet(tmp_path / "cur2.parquet", demo_lines(billed(store)))
    import_bills(store.lake, [str(tmp_path / "cur2.parquet")])
    after = store.lake.latest_snapshot()
    moved = {name for name in after.versions if after.versions[name] != before.versions.get(name)}
    assert moved <= {"bill_lines", "bill_costs", "actual_costs", "objects"} and "actual_costs" in moved
    assert after.events == before.events
    assert set(DERIVED) - moved >= {"resources", "inventory", "event_resources", "calls", "resource_keys"}


def test_resources_that_arrive_after_the_bill_are_matched_then(demo, tmp_path):
    trail, _ = demo
    with Store.open(tmp_path / "fresh") as store:
        export = tmp_path / "cur2.parquet"
        with Store.open(tmp_path / "reference") as reference:  # the resources the bill will name
            ingest_paths(reference, [str(trail)])
            named = billed(reference)
        lines = demo_lines(named)
        write_cur2_parquet(export, lines)
        import_bills(store.lake, [str(export)])
        store.refresh()
        report = costs(store)
        assert report["attributed_usd"] == 0.0 and report["unattributed_share"] == 1.0  # no resource known yet
        ingest_paths(store, [str(trail)])
        want = expected_actual(lines, named)
        got = actuals(store)
        assert {k: v["usd"] for k, v in got.items() if v} == {k: round(v, 2) for k, v in want.items()}
        assert costs(store)["attributed_usd"] == round(sum(want.values()), 2)


def test_costs_by_owner_and_tool_sum_the_resources_actual_and_estimate(store, tmp_path):
    named = billed(store)
    write_cur2_parquet(tmp_path / "cur2.parquet", demo_lines(named))
    import_bills(store.lake, [str(tmp_path / "cur2.parquet")])
    store.refresh()
    rows = costs(store, by="resource", limit=None)["resources"]
    for by, field in (("owner", "owner"), ("tool", "tool")):
        report = costs(store, by=by, limit=None)
        want: dict[str, float] = defaultdict(float)
        for r in rows:
            if r["actual_usd"] is not None:
                want[r[field] or "unknown"] += r["actual_usd"]
        got = {g["key"]: g["actual_usd"] for g in report["groups"] if g["actual_usd"] is not None}
        assert got == {k: round(v, 2) for k, v in want.items()}
        estimates = sum(g["estimate_usd_per_month"] or 0 for g in report["groups"])
        assert round(estimates, 2) == report["estimate_usd_per_month"]
    grouped = {g["key"]: g for g in inventory(store, by="owner", limit=None)["groups"]}
    owners = costs(store, by="owner", limit=None)["groups"]
    assert any(g["actual_usd"] for g in owners)
    for g in owners:
        if g["key"] in grouped:
            assert grouped[g["key"]]["actual_usd"] == g["actual_usd"] or g["key"] == "unknown"


S3_CREDS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing", "region_name": "us-east-1"}


def test_import_from_s3(store, tmp_path, moto_url):
    s3 = boto3.client("s3", endpoint_url=moto_url, **S3_CREDS)
    s3.create_bucket(Bucket="billing")
    lines = demo_lines(billed(store))
    march = [x for x in lines if x.period == MARCH]
    body = write_cur2_parquet(tmp_path / "part.parquet", march).read_bytes()
    s3.put_object(Bucket="billing", Key="exports/cur2/data/BILLING_PERIOD=2026-03/cur2-00001.snappy.parquet", Body=body)
    s3.put_object(Bucket="billing", Key="exports/cur2/metadata/BILLING_PERIOD=2026-03/cur2-Manifest.json", Body=b"{}")
    s3.put_object(Bucket="billing", Key="exports/other/note.csv", Body=b"a,b\n1,2\n")  # not under the prefix

    def client():
        return boto3.client("s3", endpoint_url=moto_url, **S3_CREDS)

    summary = import_bills(store.lake, ["s3://billing/exports/cur2"], s3_client=client)
    assert (summary["found"], summary["imported"], summary["lines"]) == (1, 1, len(march))
    assert summary["files"][0]["path"] == "s3://billing/exports/cur2/data/BILLING_PERIOD=2026-03/cur2-00001.snappy.parquet"
    assert not list((store.lake.root / ".tmp").glob("bill-*"))  # the download is gone
    store.refresh()
    assert costs(store)["total_usd"] == round(sum(x.cost for x in march), 2)
    again = import_bills(store.lake, ["s3://billing/exports/cur2/"], s3_client=client)
    assert (again["unchanged"], again["imported"]) == (1, 0)
    missing = import_bills(store.lake, ["s3://no-such-bucket/x"], s3_client=client)
    assert missing["found"] == 0 and "NoSuchBucket" in missing["problems"][0]


def test_cli_import_and_show(store, tmp_path):
    db = str(store.lake.root)
    write_focus_csv(tmp_path / "exports" / "focus.csv.gz", demo_lines(billed(store)))
    (tmp_path / "exports" / "notes.csv").write_text("name,value\na,1\n")  # not a cost export: skipped
    (tmp_path / "exports" / "broken.csv.gz").write_bytes(gzip.compress(b"BillingPeriodStart,BilledCost\n")[:20])
    result = runner.invoke(app, ["costs", "import", str(tmp_path / "exports"), "--db", db, "-f", "json"])
    assert result.exit_code == 1, result.output  # a file could not be read
    summary = json.loads(result.stdout)
    statuses = {Path(f["path"]).name: f["status"] for f in summary["files"]}
    assert statuses == {"focus.csv.gz": "imported", "notes.csv": "skipped", "broken.csv.gz": "failed"}
    assert runner.invoke(app, ["costs", "import", str(tmp_path / "nowhere"), "--db", db]).exit_code == 2

    shown = runner.invoke(app, ["costs", "show", "--db", db], env={"COLUMNS": "160"})
    assert shown.exit_code == 0, shown.output
    assert "period 2026-03" in shown.stdout and "unattributed" in shown.stdout and UNKNOWN in shown.stdout
    by_owner = json.loads(runner.invoke(app, ["costs", "show", "--db", db, "--by", "owner", "-f", "json"]).stdout)
    assert by_owner["by"] == "owner" and by_owner["groups"] and "resources" not in by_owner
    assert runner.invoke(app, ["costs", "show", "--db", db, "--period", "2025-01"]).exit_code == 2
    inv = json.loads(runner.invoke(app, ["inventory", "--db", db, "-f", "json", "-n", "0"]).stdout)
    assert any(i["cost"]["actual"] for i in inv["resources"])


def test_costs_show_without_a_bill(store):
    report = costs(store)
    assert report["period"] is None and report["total_usd"] is None and report["resources"] == []
    assert all(i["cost"]["actual"] is None for i in inventory(store, limit=None)["resources"])


def test_answers_match_their_contracts_and_blame_shows_the_actual_cost(store, tmp_path):
    from cloudblame.core.bill_contracts import BillImport, CostsReport
    from cloudblame.core.contracts import Blame, Inventory
    from cloudblame.queries.blame import blame
    from tests.integration.test_contracts import mismatches

    named = billed(store)
    lines = demo_lines(named)
    summary = import_bills(store.lake, [str(write_cur2_parquet(tmp_path / "cur2.parquet", lines))])
    assert mismatches(summary, BillImport) == []
    store.refresh()
    for by in ("resource", "owner", "tool", "service"):
        assert mismatches(costs(store, by=by, limit=5), CostsReport) == [], by
    assert mismatches(costs(store, period="2026-02"), CostsReport) == []
    for by in (None, "owner", "tool"):
        assert mismatches(inventory(store, by=by, limit=None), Inventory) == [], by
    want = expected_actual(lines, named)
    for (rtype, rid), usd in want.items():
        found = blame(store, rid, resource_type=rtype)
        assert mismatches(found, Blame) == []
        assert found["cost"]["actual"] == {"usd": round(usd, 2), "period": "2026-03-01"}, rid


def test_the_inventory_page_shows_what_the_bill_charged(store, tmp_path):
    from fastapi.testclient import TestClient

    from cloudblame.web import create_app

    named = billed(store)
    lines = demo_lines(named)
    import_bills(store.lake, [str(write_cur2_parquet(tmp_path / "cur2.parquet", lines))])
    (rtype, rid), usd = max(expected_actual(lines, named).items(), key=lambda kv: kv[1])
    client = TestClient(create_app(store.lake.root), base_url="http://127.0.0.1")
    page = client.get("/inventory", params={"type": rtype})
    assert page.status_code == 200 and rid in page.text
    assert f"billed ${usd:,.2f} (2026-03)" in page.text
    api = client.get("/api/inventory", params={"type": rtype}).json()
    assert {i["id"]: i["cost"]["actual"] for i in api["resources"]}[rid] == {"usd": round(usd, 2), "period": "2026-03-01"}


def test_a_newer_delivery_of_a_period_replaces_the_older_one(store, tmp_path):
    """Legacy CUR's "new report version" (and Data Exports' "create new") keep every delivery, each in a
    folder of its own under the period's: only the newest is the bill, whichever were imported before."""
    lines = demo_lines(billed(store))
    march = [x for x in lines if x.period == MARCH]
    period = tmp_path / "cur" / "report" / "20260301-20260401"
    first = write_cur_csv(period / "7c1a2f9e-0000-4000-8000-000000000001" / "report-1.csv.gz", march)
    os.utime(first, (1_700_000_000, 1_700_000_000))
    import_bills(store.lake, [str(tmp_path / "cur")])
    assert _bill_state(store)[1] == round(sum(x.cost for x in march), 2)

    revised = [Line(**{**x.__dict__, "cost": x.cost + 1.0}) for x in march]  # the month's figures revised
    write_cur_csv(period / "7c1a2f9e-0000-4000-8000-000000000002" / "report-1.csv.gz", revised)
    (period / "report-Manifest.json").write_text("{}")
    summary = import_bills(store.lake, [str(tmp_path / "cur")])
    assert (summary["found"], summary["imported"], summary["lines_replaced"]) == (2, 1, len(march))
    older = next(f for f in summary["files"] if f["path"] == str(first))
    assert older["status"] == "skipped" and "superseded" in older["reason"] and "000000000002" in older["reason"]
    rows, total, _, _ = _bill_state(store)
    assert rows == len(march) and total == round(sum(x.cost for x in revised), 2)
