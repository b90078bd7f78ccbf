"""Every input shape of the same records gives identical answers."""

from __future__ import annotations

import json

import pytest

from cloudblame.pipeline.ingest import ingest_paths
from cloudblame.queries.blame import blame
from cloudblame.queries.events import EventFilter, search_events
from cloudblame.store import Store
from tests.conftest import dataset
from tests.integration.formats import WRITERS
from tests.integration.sample_records import sample_records


def _answers(db, folder, resource_ids):
    with Store.open(db) as store:
        summary = ingest_paths(store, [str(folder)])
        blames = {rid: blame(store, rid) for rid in resource_ids}
        events = search_events(store, EventFilter(limit=100_000))
        counts = store.query("SELECT count(*) AS n, count(DISTINCT event_id) AS d FROM event_resources")
    for e in events:
        e.pop("resources")
    return summary, blames, sorted(events, key=lambda e: e["event_id"]), counts


def _check_all_shapes(tmp_path, records, resource_ids):
    reference = None
    for shape, write in WRITERS.items():
        write(tmp_path / shape, records)
        summary, blames, events, counts = _answers(tmp_path / f"{shape}-store", tmp_path / shape, resource_ids)
        assert summary.records == len(records), (shape, summary.as_dict())
        assert summary.skipped_files == [] and summary.problems == [], (shape, summary.as_dict())
        if reference is None:
            reference = (blames, events, counts)
            continue
        assert blames == reference[0], f"{shape}: blame differs"
        assert events == reference[1], f"{shape}: events differ"
        assert counts == reference[2], f"{shape}: resources differ"


def test_own_records_identical_in_every_shape(tmp_path):
    records, ids = sample_records()
    _check_all_shapes(tmp_path, records, ids)


def test_invictus_identical_in_every_shape(tmp_path):
    folder = dataset("invictus-aws")
    records = [r for p in sorted(folder.rglob("*.json")) for r in json.loads(p.read_text())["Records"]]
    records = records[:600]
    ids = []
    for r in records:
        if r["eventName"] == "CreateVpc" and not r.get("errorCode"):
            ids.append(r["responseElements"]["vpc"]["vpcId"])
        if r["eventName"] == "CreateBucket" and not r.get("errorCode"):
            ids.append(r["requestParameters"]["bucketName"])
    if not ids:
        pytest.skip("no VPC or bucket creation in the first 600 invictus records")
    _check_all_shapes(tmp_path, records, ids)
