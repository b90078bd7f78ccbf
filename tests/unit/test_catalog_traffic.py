"""Catalog traffic of the sample generator: every catalog rule is played, and each call carries its
resource's id where the rule reads it (checked with the normalizer's own resource extraction)."""

from __future__ import annotations

import random

import pytest

from cloudblame.catalog import RULES, AnyResource
from cloudblame.demo import generate_sample_trail
from cloudblame.demo.catalog_traffic import CatalogTraffic, new_resource, place
from cloudblame.demo.values import Ids
from cloudblame.normalize.resources import extract_resources

ACCOUNT, REGION = "111122223333", "eu-west-1"


def _record(call, event: str) -> dict:
    rec = {"eventSource": call.source, "eventName": event, "requestParameters": call.req,
           "responseElements": call.resp, "recipientAccountId": ACCOUNT, "awsRegion": REGION}
    if call.kw.get("api_version"):
        rec["apiVersion"] = call.kw["api_version"]
    return rec


def _play_every_rule(traffic: CatalogTraffic):
    """(plan, rule, refs, resource ids of the plan's type) for every rule of every plan."""
    ids, rng = traffic.ids, traffic.rng
    for plan in traffic.plans:
        turns = max(len(plan.creates), len(plan.changes), len(plan.deletes), len(plan.taggers))
        for _ in range(turns):
            res = new_resource(plan, ids, rng, ACCOUNT, REGION)
            seen = set()
            for kind in ("creates", "changes", "deletes", "taggers"):
                pair = plan.next(kind)
                if pair is None:
                    continue
                event, rule = pair
                refs = extract_resources(_record(traffic._call(res, event, rule, 1_780_000_000), event),
                                         account=ACCOUNT, region=REGION)
                typed = {r.resource_id for r in refs if r.resource_type == plan.entry.type}
                seen |= typed
                yield plan, event, rule, refs, seen


def test_every_rule_yields_its_resource_with_one_id():
    rng = random.Random(5)
    traffic = CatalogTraffic(Ids(rng), rng)
    played, problems = set(), []
    for plan, event, rule, refs, seen in _play_every_rule(traffic):
        played.add((plan.entry.source, event, id(rule)))
        if isinstance(rule.entry, AnyResource):
            ok = any(r.via == "catalog" for r in refs)
        else:
            ok = any(r.resource_type == plan.entry.type and r.action == rule.action for r in refs)
        if not ok or len(seen) > 1:
            problems.append((plan.entry.type, event, rule.action, sorted(seen)))
    assert not problems, problems[:10]
    expected = {(src, event, id(rule)) for (src, event), rules in RULES.items() for rule in rules
                if not any(p.startswith("userIdentity") for p in rule.ids[0].paths())}
    assert played == expected, sorted((s, e) for s, e, _ in expected - played)[:20]


def test_place_writes_what_paths_read():
    rec: dict = {}
    place(rec, "responseElements.instancesSet.items[].instanceId", "i-0123")
    place(rec, "requestParameters.DeleteFleetsRequest.FleetId[]", "fleet-1")
    place(rec, "requestParameters.list[2].name", "x")
    assert rec["responseElements"] == {"instancesSet": {"items": [{"instanceId": "i-0123"}]}}
    assert rec["requestParameters"]["DeleteFleetsRequest"] == {"FleetId": ["fleet-1"]}
    assert rec["requestParameters"]["list"][2] == {"name": "x"}


def test_generator_with_catalog_traffic_covers_every_catalog_service(tmp_path):
    summary = generate_sample_trail(tmp_path / "trail", records=6000, start="2026-10-05", days=3, accounts=2,
                                    organization="o-abcdefghij", people=12, people_seed=3, catalog_share=1.0)
    sources = {source for source, _ in summary.event_counts}
    assert {source for source, _ in RULES} - {"signin.amazonaws.com"} <= sources
    assert all("/o-abcdefghij/" in p.as_posix() for p in (tmp_path / "trail").rglob("*.json.gz"))
    assert sum(summary.event_counts.values()) == summary.records


def test_catalog_share_is_checked(tmp_path):
    with pytest.raises(ValueError):
        generate_sample_trail(tmp_path, records=100, catalog_share=2.0)
    with pytest.raises(ValueError):
        generate_sample_trail(tmp_path, records=100, organization="org-1")


def test_a_life_is_time_ordered_within_the_window():
    rng = random.Random(9)
    traffic = CatalogTraffic(Ids(rng), rng)
    start, end = 1_780_000_000, 1_780_000_000 + 5 * 86400
    for _ in range(len(traffic.plans)):
        steps = traffic.lifecycle(start, ACCOUNT, REGION, end)
        times = [t for t, _ in steps]
        assert times == sorted(times) and times[0] == start and times[-1] <= end
        assert all(call.source == steps[0][1].source for _, call in steps)
