"""The costs page and its JSON twins over the sample trail with a bill imported (tests/web/billed.py): the
API answers what `costs show --format json` prints, the page shows the bill beside the estimates and the
unattributed charges with their share, the downloads hold every row; without a bill the page says how to
import one and shows no $0."""

from __future__ import annotations

import csv
import html
import io
import json
import re

import pytest
from markupsafe import escape
from pydantic import TypeAdapter

from cloudblame.core.bill_contracts import CostsReport
from cloudblame.core.money import usd
from cloudblame.queries.costs import costs
from cloudblame.store import Store
from tests.web.billed import HOSTILE_ID, HOSTILE_USAGE, MARCH, UNKNOWN, billed_copy
from tests.web.conftest import client_for
from tests.web.test_links import assert_every_link_answers, links_of


@pytest.fixture(scope="module")
def billed(demo, tmp_path_factory):
    """(db, lines, named) of the sample trail's store with the bill imported."""
    return billed_copy(demo[0], tmp_path_factory.mktemp("costs-page"))


@pytest.fixture(scope="module")
def client(billed):
    with client_for(billed[0]) as opened:
        yield opened


@pytest.fixture(scope="module")
def store(billed):
    with Store.open(billed[0], read_only=True) as opened:
        yield opened


def as_json(data):
    return json.loads(json.dumps(data))


def cells(page: str, table_id: str) -> list[list[str]]:
    """The text of each body row's cells of the table ``table_id``."""
    body = page.split(f'id="{table_id}"', 1)[1].split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.DOTALL)
    return [[html.unescape(re.sub(r"<[^>]+>", " ", c)).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.DOTALL)]
            for row in rows]


@pytest.mark.parametrize("by", ["resource", "owner", "tool", "service"])
def test_the_api_answers_what_costs_show_prints(client, store, by):
    answer = client.get(f"/api/costs?by={by}")
    assert answer.status_code == 200
    assert answer.json() == as_json(costs(store, by=by))
    TypeAdapter(CostsReport).validate_python(answer.json(), strict=False)
    february = client.get(f"/api/costs?by={by}&period=2026-02&limit=0").json()
    assert february == as_json(costs(store, period="2026-02", by=by, limit=None))
    assert february["period"] == "2026-02-01" and february["total_usd"] != answer.json()["total_usd"]


def test_the_page_shows_the_bill_beside_the_estimates(client, store, billed):
    _, lines, named = billed
    report = costs(store, limit=None)
    march = [line for line in lines if line.period == MARCH]
    assert report["total_usd"] == round(sum(line.cost for line in march), 2)
    page = client.get("/costs?limit=0")
    assert page.status_code == 200
    rows = cells(page.text, "costs")
    assert len(rows) == report["count"] == len(report["resources"]) > len(named) // 2
    for row, r in zip(rows, report["resources"], strict=True):
        assert row[0].startswith(r["id"]) and row[0].endswith(r["type"].removeprefix("AWS::"))
        assert row[1] == (usd(r["actual_usd"]) if r["actual_usd"] is not None else "none billed")
        unknown = "unknown" if r["alive"] else "none (deleted)"
        assert row[2] == (unknown if r["estimate_usd_per_month"] is None else usd(r["estimate_usd_per_month"]))
    billed_ids = {r["id"] for r in report["resources"] if r["actual_usd"] is not None}
    assert billed_ids == {rid for (_, rid), name in named.items() if any(line.resource_id == name for line in march)}
    for key in ("total_usd", "attributed_usd", "unattributed_usd", "estimate_usd_per_month"):
        assert usd(report[key]) in page.text, key
    assert f"{report['unattributed_share'] * 100:.1f}%" in page.text
    assert 'aria-current="page"' in page.text.split('href="/costs"', 1)[1][:30]


def test_the_unattributed_lines_show_with_their_share(client, store):
    report = costs(store)
    rows = cells(client.get("/costs").text, "unattributed-lines")
    assert len(rows) == len(report["unattributed"]) >= 4
    for row, u in zip(rows, report["unattributed"], strict=True):
        assert row[2] == usd(u["usd"]) and row[3] == f"{u['share'] * 100:.1f}%"
    examples = {row[6] for row in rows}
    assert UNKNOWN in examples and HOSTILE_ID in examples  # shown as text, escaped
    assert {row[1] for row in rows} >= {"USE1-DataTransfer-Out-Bytes", HOSTILE_USAGE}


def test_record_text_is_escaped(client):
    page = client.get("/costs").text
    assert "<script>alert(1)" not in page and "<b>arn:" not in page and "<img src=x" not in page
    assert str(escape(HOSTILE_USAGE)) in page and str(escape(HOSTILE_ID)) in page


@pytest.mark.parametrize("by", ["owner", "tool", "service"])
def test_groups_sum_to_what_the_report_says(client, store, by):
    report = costs(store, by=by, limit=None)
    rows = cells(client.get(f"/costs?by={by}&limit=0").text, "costs")
    assert [row[0] for row in rows] == [g["key"] for g in report["groups"]]
    if by == "service":
        assert round(sum(g["actual_usd"] or 0 for g in report["groups"]), 2) == report["total_usd"]
    else:
        assert round(sum(g["actual_usd"] or 0 for g in report["groups"]), 2) == report["attributed_usd"]


def test_downloads_hold_every_row(client, store):
    whole = costs(store, limit=None)["resources"]
    got = list(csv.DictReader(io.StringIO(client.get("/api/costs/download?format=csv&limit=5").text)))
    assert [(r["type"], r["id"]) for r in got] == [(r["type"], r["id"]) for r in whole] and len(whole) > 5
    owners = client.get("/api/costs/download?format=json&by=owner")
    assert owners.headers["content-disposition"].endswith('cloudblame-costs.json"')
    assert owners.json() == as_json(costs(store, by="owner", limit=None)["groups"])
    assert client.get("/api/costs/download?format=xml").status_code == 400


def test_a_short_page_links_to_all_of_it(client, store):
    page = client.get("/costs?limit=25").text
    assert len(cells(page, "costs")) == 25 < costs(store)["count"]
    assert "/costs?limit=0" in [html.unescape(link) for link in links_of(page)]


@pytest.mark.parametrize("url", ["/costs?period=2025-01", "/costs?period=March", "/costs?by=region",
                                 "/api/costs?limit=-1", "/api/costs?period=2025-01"])
def test_bad_filters_are_400_with_the_reason(client, url):
    answer = client.get(url)
    assert answer.status_code == 400
    assert ("period" in answer.text or "--by" in answer.text or "limit" in answer.text)


def test_without_a_bill_the_page_says_how_to_import_one(demo_client):
    page = demo_client.get("/costs")
    assert page.status_code == 200
    assert "cloudblame costs import PATH..." in page.text and "$0" not in page.text
    assert 'id="costs"' not in page.text
    api = demo_client.get("/api/costs").json()
    assert api["period"] is None and api["total_usd"] is None and api["resources"] == []


def test_every_link_of_the_costs_page_answers(client):
    status = assert_every_link_answers(client, ["/costs", "/costs?by=owner", "/costs?by=tool", "/costs?period=2026-02"])
    assert any(url.startswith("/resources/") for url in status) and any(url.startswith("/inventory?") for url in status)
