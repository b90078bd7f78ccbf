"""The faces of insights over a composed store with insights planted (tests/insight_store.py): the queries
(filters, order, paging, counts, an id or its prefix, the minute series, the events behind one), the CLI
(`insights`, `insight`: formats, exit codes, --fail-on), the MCP tools; and, on the demo store, the planted
burst of RunInstances and storm of AccessDenied as the derive steps find them."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client
from typer.testing import CliRunner

from cloudblame.cli import app
from cloudblame.core.errors import Ambiguous, BadInput, NotFound
from cloudblame.mcpserver import create_server
from cloudblame.queries.insights import insight_detail, insights_page
from cloudblame.store import Store
from tests.insight_store import (
    AWS_RATE,
    CALL_RATE,
    COST,
    ERROR_RATE,
    KEY,
    OPEN_RATE,
    OPEN_START,
    PLANTED,
    SAME_PREFIX,
    STORM,
    InsightStore,
    build_insight_store,
)

runner = CliRunner()


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> InsightStore:
    return build_insight_store(tmp_path_factory.mktemp("insight-faces"))


@pytest.fixture
def store(planted: InsightStore):
    with Store.open(planted.db, read_only=True) as opened:
        yield opened


def cli(planted: InsightStore, *args: str) -> Any:
    return runner.invoke(app, [*args, "--db", str(planted.db)], env={"COLUMNS": "160"})


def ours(page: dict) -> list[str]:
    """The planted insights of a page, in its order (the derive steps may find others in the same events)."""
    return [i["id"] for i in page["insights"] if i["id"] in PLANTED]


# --- the list


def test_newest_first_with_counts_of_every_match(store):
    page = insights_page(store, limit=1000)
    rows = store.query("SELECT insight_id, kind, severity FROM insights ORDER BY start_time DESC, insight_id")
    assert [i["id"] for i in page["insights"]] == [r["insight_id"] for r in rows]
    assert page["total"] == len(rows) and set(PLANTED) <= {r["insight_id"] for r in rows}
    for key, column in (("by_kind", "kind"), ("by_severity", "severity")):
        assert sum(page[key].values()) == len(rows)
        assert all(page[key][v] == sum(1 for r in rows if r[column] == v) for v in page[key])
    assert list(page["by_severity"]) == [s for s in ("high", "medium", "low") if s in page["by_severity"]]
    assert ours(page)[:2] == [OPEN_RATE, KEY]
    assert ours(page).index(CALL_RATE) < ours(page).index(COST)  # same start: by id


def test_an_insight_holds_its_row_as_the_contract_says(store):
    cost = next(i for i in insights_page(store, kinds="cost-burst", limit=1000)["insights"] if i["id"] == COST)
    assert cost["monthly_cost_added"] == pytest.approx(6701.4) and cost["people"] == ["alice"]
    assert cost["start"] == "2025-03-04T10:00:00Z" and cost["end"] == "2025-03-04T10:09:25Z"
    assert [r["id"] for r in cost["details"]["resources"]][:1] == ["i-0burst00000000000"]
    rate = insight_detail(store, CALL_RATE)
    assert rate["baseline"] == 0.05 and rate["value"] == 3.0 and rate["monthly_cost_added"] is None
    assert rate["details"]["attributions"][0]["attribute"] == "userIdentityArn"


@pytest.mark.parametrize(("filters", "expected"), [
    ({"kinds": ["api-call-rate"]}, {CALL_RATE, AWS_RATE, OPEN_RATE}),
    ({"kinds": ["cost-burst", "access-key-created"]}, {COST, KEY}),
    ({"source": "aws"}, {AWS_RATE}),
    ({"severity": "high"}, {CALL_RATE, COST}),
    ({"person": "ALICE"}, {CALL_RATE, COST, AWS_RATE, SAME_PREFIX}),
    ({"person": ["mallory", "tom"]}, {ERROR_RATE, KEY, OPEN_RATE}),
    ({"region": "ap-south-1"}, {SAME_PREFIX}),
    ({"account": "999999999999"}, set()),
    ({"since": datetime(2025, 3, 4, 10, 5), "until": datetime(2025, 3, 4, 10, 30)}, {CALL_RATE, COST, AWS_RATE}),
    ({"since": datetime(2025, 3, 6)}, {OPEN_RATE}),  # still open at the newest event: overlaps any later time
    ({"until": datetime(2025, 3, 3, 23)}, {SAME_PREFIX}),
])
def test_filters(store, filters, expected):
    page = insights_page(store, limit=1000, **filters)
    assert set(ours(page)) == expected


def test_pages_put_together_are_the_whole_list_and_limit_zero_counts_only(store):
    whole = insights_page(store, limit=1000)
    pages = [insights_page(store, limit=3, offset=n)["insights"] for n in range(0, whole["total"] + 3, 3)]
    assert [i["id"] for p in pages for i in p] == [i["id"] for i in whole["insights"]]
    counts = insights_page(store, limit=0)
    assert counts["insights"] == [] and counts["total"] == whole["total"] and counts["by_kind"] == whole["by_kind"]


@pytest.mark.parametrize("filters", [{"kinds": "api-rate"}, {"source": "amazon"}, {"severity": "critical"},
                                     {"limit": 1001}, {"offset": -1}])
def test_a_value_no_insight_can_have_is_bad_input(store, filters):
    with pytest.raises(BadInput):
        insights_page(store, **filters)


# --- one insight


def test_an_id_or_a_unique_prefix_of_six_resolves(store):
    assert insight_detail(store, CALL_RATE)["id"] == CALL_RATE
    assert insight_detail(store, COST[:6])["id"] == COST
    with pytest.raises(Ambiguous) as many:
        insight_detail(store, "a1b2c3")
    assert {c["id"] for c in many.value.candidates} == {CALL_RATE, ERROR_RATE, SAME_PREFIX}
    with pytest.raises(BadInput, match="too short"):
        insight_detail(store, "a1b2c")
    with pytest.raises(NotFound):
        insight_detail(store, "ffffffffffff")


def per_minute(store, where: str) -> dict[str, int]:
    rows = store.query(f"SELECT strftime(date_trunc('minute', event_time), '%Y-%m-%dT%H:%M:00Z') AS m, count(*) AS n "
                       f"FROM event_rows WHERE {where} GROUP BY 1")
    return {r["m"]: r["n"] for r in rows}


def test_a_call_rate_series_is_zero_filled_an_hour_either_side_with_its_baselines(store):
    series = insight_detail(store, CALL_RATE)["series"]
    minutes = [p["minute"] for p in series]
    assert minutes[0] == "2025-03-04T09:00:00Z" and minutes[-1] == "2025-03-04T11:10:00Z"  # an hour after its end
    assert len(minutes) == 131 and len(set(minutes)) == 131
    calls = per_minute(store, "event_name = 'RunInstances'")
    assert {p["minute"]: p["count"] for p in series if p["count"]} == calls  # the events' own counts
    inside = [p for p in series if "2025-03-04T10:00" <= p["minute"] <= "2025-03-04T10:09:59"]
    assert len(inside) == 10 and all(p["baseline"] is not None for p in inside)
    assert all(p["baseline"] is None for p in series if p not in inside)


def test_an_error_rate_series_counts_failures_and_an_open_one_stops_at_the_newest_event(store):
    series = insight_detail(store, ERROR_RATE)["series"]
    assert {p["minute"]: p["count"] for p in series if p["count"]} == per_minute(
        store, "event_name = 'CreateUser' AND error_code IS NOT NULL")
    assert series[0]["minute"] == (STORM - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:00Z")
    still_open = insight_detail(store, OPEN_RATE)
    assert still_open["end"] is None
    assert still_open["series"][0]["minute"] == (OPEN_START - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:00Z")
    assert still_open["series"][-1]["minute"] == "2025-03-06T08:00:00Z"  # not an hour of unknown minutes as 0
    assert insight_detail(store, COST)["series"] == [] and insight_detail(store, KEY)["series"] == []


def test_the_events_behind_a_rate_insight_are_its_apis_calls_over_its_minutes(store, planted):
    rate = insight_detail(store, CALL_RATE)
    assert sorted(e["event_id"] for e in rate["events"]) == sorted(planted.run_ids)
    assert rate["events_total"] == 30
    assert [e["time"] for e in rate["events"]] == sorted((e["time"] for e in rate["events"]), reverse=True)
    errors = insight_detail(store, ERROR_RATE)
    assert sorted(e["event_id"] for e in errors["events"]) == sorted(planted.denied_ids)
    assert {e["error_code"] for e in errors["events"]} == {"AccessDenied"}
    aws = insight_detail(store, AWS_RATE)  # from 10:01 to its end at 10:08: its own 7 minutes only
    assert aws["events_total"] == 21 and min(e["time"] for e in aws["events"]) >= "2025-03-04T10:01:00Z"
    assert max(e["time"] for e in aws["events"]) < "2025-03-04T10:08:00Z"


def test_the_events_behind_other_kinds_are_those_their_details_list(store, planted):
    assert [e["event_id"] for e in insight_detail(store, KEY)["events"]] == [planted.key_event]
    cost = insight_detail(store, COST)
    assert sorted(e["event_id"] for e in cost["events"]) == sorted(planted.run_ids[:3]) and cost["events_total"] == 3
    none = insight_detail(store, SAME_PREFIX)
    assert none["events"] == [] and none["events_total"] == 0


# --- the CLI


def test_cli_json_is_the_query_and_csv_has_a_row_each(planted, store):
    listed = cli(planted, "insights", "--format", "json", "--limit", "1000")
    assert listed.exit_code == 0, listed.output
    assert json.loads(listed.stdout) == json.loads(json.dumps(insights_page(store, limit=1000)))
    csv_out = cli(planted, "insights", "--format", "csv", "--kind", "cost-burst")
    lines = csv_out.stdout.strip().splitlines()
    assert lines[0].startswith("id,kind,source,severity") and "reason" in lines[0]
    assert COST in csv_out.stdout and len(lines) == 1 + insights_page(store, kinds="cost-burst")["total"]
    one = cli(planted, "insight", CALL_RATE, "--format", "json")
    assert json.loads(one.stdout) == json.loads(json.dumps(insight_detail(store, CALL_RATE)))


def test_cli_table_lists_newest_first_with_unknown_cost_never_zero(planted):
    out = cli(planted, "insights", "--wide")
    assert out.exit_code == 0, out.output
    assert "$6,701.40" in out.stdout and "$0.00" not in out.stdout
    assert out.stdout.index(KEY) < out.stdout.index(CALL_RATE) < out.stdout.index(SAME_PREFIX)
    row = next(line for line in out.stdout.splitlines() if CALL_RATE in line)
    assert row.rstrip().split()[-2] == "-"  # the monthly cost added of a rate insight: none, shown as -
    assert "insight(s) (" in out.stdout and "by kind:" in out.stdout


def test_cli_insight_draws_the_series_and_lists_the_events(planted):
    out = cli(planted, "insight", CALL_RATE)
    assert out.exit_code == 0, out.output
    text = out.stdout
    assert "calls per minute, 2025-03-04T09:00:00Z to 2025-03-04T11:10:00Z (peak 3)" in text
    assert "█" in text and "▁" in text
    assert sum(1 for line in text.splitlines() if line.startswith("  10:0") and "(baseline 0.05)" in line) == 10
    assert "userIdentityArn: top values" in text and "the events behind it: 30, newest first" in text
    cost = cli(planted, "insight", COST, "--wide").stdout
    assert "i-0burst00000000002" in cost and "GPU instance p3.2xlarge" in cost and "$2,233.80" in cost


@pytest.mark.parametrize(("args", "message"), [
    (["insights", "--kind", "bogus"], "unknown kind 'bogus'"),
    (["insights", "--source", "amazon"], "unknown source 'amazon'"),
    (["insights", "--since", "last week"], "cannot read time"),
    (["insight", "a1b2c3"], "ambiguous: 3 insights match"),
    (["insight", "ffffffffffff"], "no insight with id"),
])
def test_cli_user_errors_exit_2_with_one_line(planted, args, message):
    out = cli(planted, *args)
    assert out.exit_code == 2, out.output
    first = out.stderr.strip().splitlines()[0]
    assert first.startswith("error: ") and message in first
    if args[0] == "insights":
        assert len(out.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(("args", "code"), [
    (["--fail-on", "high"], 1), (["--fail-on", "low", "--kind", "new-region"], 1),
    (["--fail-on", "high", "--kind", "new-region"], 0), (["--fail-on", "medium", "--person", "mallory"], 1),
    (["--fail-on", "high", "--person", "mallory"], 0), (["--fail-on", "high", "--limit", "1", "--offset", "5"], 1),
    (["--kind", "api-call-rate"], 0),
])
def test_found_insights_exit_0_unless_fail_on_a_severity_matches(planted, args, code):
    out = cli(planted, "insights", *args, "--format", "json")
    assert out.exit_code == code, out.output
    assert json.loads(out.stdout)["total"] >= 1


def test_relative_times_count_back_from_the_newest_event_of_an_archive(planted):
    out = cli(planted, "insights", "--since", "1d", "--format", "json")
    assert "newest stored event" in out.stderr
    assert {i["id"] for i in json.loads(out.stdout)["insights"]} & set(PLANTED) == {OPEN_RATE}


# --- MCP


def call(db: Path, tool: str, arguments: dict[str, Any]) -> Any:
    async def main() -> Any:
        async with Client(create_server(str(db))) as client:
            listed = {t.name: t for t in (await client.list_tools()).tools}
            return listed, await client.call_tool(tool, arguments)
    return anyio.run(main)


def test_mcp_tools_answer_the_cli_json(planted, store):
    tools, result = call(planted.db, "insights", {"kind": ["api-call-rate"], "person": "alice", "limit": 5})
    assert not result.is_error, result.content
    assert result.structured_content == json.loads(json.dumps(
        insights_page(store, kinds=["api-call-rate"], person="alice", limit=5)))
    schema = tools["insights"].input_schema["properties"]
    assert {"kind", "severity", "source", "person", "account", "region", "since", "until", "limit",
            "offset"} <= set(schema)
    assert all(schema[name].get("description") for name in schema)
    assert tools["insights"].annotations.read_only_hint and tools["insight"].annotations.read_only_hint
    _, one = call(planted.db, "insight", {"insight_id": ERROR_RATE})
    assert one.structured_content == json.loads(json.dumps(insight_detail(store, ERROR_RATE)))


@pytest.mark.parametrize(("tool", "arguments", "message"), [
    ("insight", {"insight_id": "a1b2c3"}, "ambiguous"), ("insight", {"insight_id": "ffffffffffff"}, "no insight"),
    ("insights", {"kind": "bogus"}, "unknown kind"), ("insights", {"since": "someday"}, "cannot read time"),
])
def test_mcp_user_errors_are_tool_errors(planted, tool, arguments, message):
    _, result = call(planted.db, tool, arguments)
    assert result.is_error and message in result.content[0].text


# --- the demo store: the burst and the storm the demo plants, as the derive steps find them


@pytest.fixture(scope="module")
def demo_store(made_demo: Path):
    with Store.open(made_demo / "cloudblame-store", read_only=True) as opened:
        yield opened


def test_the_demo_burst_of_run_instances_is_an_insight_with_its_series_and_events(demo_store, made_demo):
    found = [i for i in insights_page(demo_store, kinds="api-call-rate", limit=1000)["insights"]
             if i["event_name"] == "RunInstances" and i["source"] == "cloudblame"]
    assert found, "the demo's burst of RunInstances was not found"
    burst = insight_detail(demo_store, found[0]["id"][:8])
    assert burst["people"] and burst["value"] is not None and burst["baseline"] is not None
    assert burst["value"] > burst["baseline"]
    inside = [p for p in burst["series"] if burst["start"][:16] <= p["minute"][:16] <= (burst["end"] or "~")[:16]]
    outside = [p for p in burst["series"] if p not in inside]
    assert inside and max(p["count"] for p in inside) > max((p["count"] for p in outside), default=0)
    assert burst["events"] and {e["event_name"] for e in burst["events"]} == {"RunInstances"}
    assert burst["events_total"] >= len(burst["events"])
    shown = runner.invoke(app, ["insight", burst["id"][:8], "--db", str(made_demo / "cloudblame-store")])
    assert shown.exit_code == 0 and "calls per minute" in shown.stdout


def test_the_demo_storm_of_access_denied_is_an_error_rate_insight(demo_store):
    storms = insights_page(demo_store, kinds="api-error-rate", limit=1000)["insights"]

    def denied(i: dict) -> bool:
        codes = [v["value"] for a in i["details"].get("attributions", []) if a["attribute"] == "errorCode"
                 for v in a["insight"]]
        return i["error_code"] == "AccessDenied" or (codes[:1] == ["AccessDenied"])

    assert [i for i in storms if denied(i)], "the demo's storm of AccessDenied was not found"
    storm = insight_detail(demo_store, next(i for i in storms if denied(i))["id"])
    assert storm["events"] and all(e["error_code"] for e in storm["events"])
    assert any(e["error_code"] == "AccessDenied" for e in storm["events"])
    assert sum(p["count"] for p in storm["series"]) >= len(storm["events"])
