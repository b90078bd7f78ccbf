"""The inventory page shows each row's live state (`inventory --live`) and the view it shows; the forgotten page
leaves out what AWS said is gone and what CloudWatch saw in use, counts both, and shows each row's CloudWatch
reading. Over a composed trail (instances bob made 40 days ago, quiet since) with live checks and readings planted
in the store as `inventory --live` and `forgotten --metrics` store them."""

from __future__ import annotations

import gzip
import json
import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pyarrow as pa
import pytest

from cloudblame.demo.envelope import iam_user_identity
from cloudblame.pipeline.ingest import ingest_paths
from cloudblame.store import Store
from cloudblame.store.lake import Lake
from cloudblame.store.readings import append_and_publish
from cloudblame.store.tables import LIVE_STATE, USAGE_EVIDENCE
from tests.web.browsing import needs_chromium
from tests.web.conftest import RunningServer, client_for
from tests.web.test_viewports import VIEWPORTS

ACCOUNT, REGION = "123456789012", "us-east-1"
NOW = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
MADE, CHECKED = NOW - timedelta(days=40), NOW - timedelta(days=1)
PRESENT, GONE, RESIZED, IDLE, BUSY = (f"i-0{n:016x}" for n in range(1, 6))
HOSTILE_DETAIL = "instance_type m5.large -> <b>m5.xlarge</b>"


def record(who: str, when: datetime, name: str, req: dict, resp: dict | None) -> dict:
    return {"eventVersion": "1.09", "userIdentity": iam_user_identity(ACCOUNT, who, f"AIDA{who.upper()}",
                                                                      f"AKIA{who.upper()}"),
            "eventTime": when.isoformat() + "Z", "eventSource": "ec2.amazonaws.com", "eventName": name,
            "awsRegion": REGION, "sourceIPAddress": "203.0.113.7", "userAgent": "aws-cli/2.22.4",
            "requestParameters": req, "responseElements": resp, "requestID": str(uuid.uuid4()),
            "eventID": str(uuid.uuid4()), "readOnly": resp is None, "eventType": "AwsApiCall",
            "managementEvent": True, "recipientAccountId": ACCOUNT, "eventCategory": "Management"}


def live_row(iid: str, state: str, aws_state: str, detail: str | None = None) -> dict:
    changed = {"instance_type": {"events": "m5.large", "live": "m5.xlarge"}} if state == "resized" else {}
    return {"resource_type": "AWS::EC2::Instance", "resource_id": iid, "account_id": ACCOUNT, "region": REGION,
            "state": state, "aws_state": aws_state, "size": orjson.dumps({"instance_type": "m5.large"}).decode(),
            "changed": orjson.dumps(changed).decode(), "checked_at": CHECKED, "detail": detail}


def cpu_row(iid: str, value: float, verdict: str) -> dict:
    return {"resource_type": "AWS::EC2::Instance", "resource_id": iid, "account_id": ACCOUNT, "region": REGION,
            "namespace": "AWS/EC2", "metric": "CPUUtilization", "statistic": "Maximum",
            "dimensions": orjson.dumps({"InstanceId": iid}).decode(), "value": value, "datapoints": 14,
            "used_above": 5.0, "window_start": CHECKED - timedelta(days=14), "window_end": CHECKED,
            "read_at": CHECKED, "verdict": verdict}


def build_store(root: Path) -> Path:
    """A store of the trail, one instance found present, one gone, one resized; one read idle, one busy."""
    records = [record("bob", MADE, "RunInstances", {"instanceType": "m5.large"},
                      {"instancesSet": {"items": [{"instanceId": iid, "instanceType": "m5.large"}]}})
               for iid in (PRESENT, GONE, RESIZED, IDLE, BUSY)]
    records.append(record("alice", NOW, "DescribeInstances", {}, None))  # the newest event: bob has gone quiet
    (root / "trail").mkdir(parents=True)
    (root / "trail" / f"{ACCOUNT}_CloudTrail_{REGION}_live.json.gz").write_bytes(
        gzip.compress(json.dumps({"Records": records}).encode()))
    db = root / "store"
    with Store.open(db) as store:
        ingest_paths(store, [str(root / "trail")])
    lake = Lake.open(db)
    lives = [live_row(PRESENT, "present", "running"), live_row(GONE, "gone", "terminated"),
             live_row(RESIZED, "resized", "running", HOSTILE_DETAIL)]
    append_and_publish(lake, LIVE_STATE, pa.Table.from_pylist(lives, schema=LIVE_STATE.schema), reason="test")
    readings = [cpu_row(IDLE, 0.4, "idle"), cpu_row(BUSY, 85.0, "used")]
    append_and_publish(lake, USAGE_EVIDENCE, pa.Table.from_pylist(readings, schema=USAGE_EVIDENCE.schema),
                       reason="test")
    return db


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    return build_store(tmp_path_factory.mktemp("live-pages"))


@pytest.fixture(scope="module")
def client(db):
    with client_for(db) as c:
        yield c


def html(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, response.text
    return response.text


def row_of(page: str, iid: str) -> str:
    """The table row that names ``iid``."""
    found = [r for r in re.findall(r"<tr>.*?</tr>", page, re.DOTALL) if iid in r]
    assert len(found) == 1, iid
    return found[0]


def test_the_inventory_shows_each_rows_live_state_and_the_stores_view(client):
    page = html(client, "/inventory")
    assert 'class="col-live"' in page
    assert 'class="tag live-gone"' in row_of(page, GONE) and 'class="tag live-present"' in row_of(page, PRESENT)
    assert f"checked <time>{CHECKED.date().isoformat()}</time>" in row_of(page, GONE)
    assert "unchecked" in row_of(page, IDLE)
    resized = row_of(page, RESIZED)
    assert "live-resized" in resized and "&lt;b&gt;m5.xlarge&lt;/b&gt;" in resized and "<b>" not in resized
    line = re.search(r'<p class="view-line muted" id="inventory-view">(.*?)</p>', page, re.DOTALL)
    assert line is not None
    assert (f"The store's view: alive by their events, up to {NOW.isoformat()}Z; described {CHECKED.isoformat()}Z"
            in line.group(1))


def test_the_live_view_leaves_the_gone_out_and_says_how_many(client):
    page = html(client, "/inventory?view=live")
    assert GONE not in page and PRESENT in page
    assert '<option value="live" selected>' in page
    assert f"Live view as described up to {CHECKED.isoformat()}Z: 1 gone left out" in page
    assert "1 present, 1 resized, 2 unchecked" in page
    body = client.get("/api/inventory?view=live").json()
    assert body["view"]["kind"] == "live" and body["view"]["left_out"] == 1 and body["count"] == 4
    assert client.get("/api/inventory?view=sideways").status_code == 400


def test_the_forgotten_page_counts_the_gone_and_the_busy_and_shows_the_readings(client):
    page = html(client, "/forgotten?idle=30d")
    assert GONE not in page and BUSY not in page and IDLE in page
    left_out = re.search(r'<ul class="left-out muted" id="forgotten-left-out">(.*?)</ul>', page, re.DOTALL)
    assert left_out is not None
    assert "1 more idle by their events left out: CloudWatch saw them in use." in left_out.group(1)
    assert f"1 left out: gone when described on {CHECKED.date().isoformat()}." in left_out.group(1)
    idle = row_of(page, IDLE)
    assert '<details class="evidence small">' in idle and "<span class=\"tag\">idle</span> max CPU 0.4%" in idle
    assert '<details class="evidence' not in row_of(page, PRESENT)  # never read: no reading shown
    body = client.get("/api/forgotten?idle=30d").json()
    assert body["gone"] == 1 and body["in_use"] == 1 and body["gone_checked_at"] == CHECKED.isoformat() + "Z"
    assert {r["id"] for r in body["resources"]} == {PRESENT, RESIZED, IDLE}
    assert next(r for r in body["resources"] if r["id"] == IDLE)["evidence"]["metrics"][0]["words"] == "max CPU 0.4%"


def test_a_store_never_described_shows_no_live_column(demo_client):
    page = html(demo_client, "/inventory")
    assert 'class="col-live"' not in page and "never described" in page
    assert 'id="forgotten-left-out"' not in html(demo_client, "/forgotten?idle=14d")


@needs_chromium
@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_pages_fit_the_window(browser, db, viewport):
    with RunningServer(db) as server:
        context = browser.new_context(viewport=VIEWPORTS[viewport], base_url=server.url)
        page = context.new_page()
        too_wide = {}
        for path in ("/inventory", "/inventory?view=live", "/forgotten?idle=30d"):
            page.goto(path)
            width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
            if width > inner:
                too_wide[path] = (width, inner)
        context.close()
    assert not too_wide
