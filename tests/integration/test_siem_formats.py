"""Records from SIEMs, log pipelines and Security Lake give the same events as the plain trail.

The fixtures (tests/fixtures/formats/, built by tests/integration/siem_formats.py from five invictus-aws
records) hold the same records as trail.json, in each format as it is written where it lives.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cloudblame.normalize.batch import BatchBuilder
from cloudblame.pipeline.ingest import ingest_paths
from cloudblame.sources.files import discover, file_report, read_file
from cloudblame.store import Store
from tests.conftest import dataset
from tests.integration.sample_records import sample_records
from tests.integration.siem_formats import FIXTURES, WRITERS

SHAPES = {
    "logstash.jsonl": "logstash", "elastic-hits.json": "elastic-hits", "elastic-docs.ndjson": "elastic-hits",
    "splunk-export.json": "splunk", "splunk-raw.jsonl": "splunk", "cloudwatch-firehose.gz": "cloudwatch-logs",
    "cloudwatch-payload.json": "cloudwatch-logs", "filter-log-events.json": "cloudwatch-logs",
    "cloudwatch-export-000000.gz": "cloudwatch-export", "security-lake.parquet": "ocsf-parquet",
}
# Columns that differ by where a record was read from, not by what it says.
NOT_COMPARED = ("raw", "origin", "org_id")


def _events(db: Path, paths: list[str]) -> tuple[dict, list, object]:
    with Store.open(db) as store:
        summary = ingest_paths(store, paths)
        rows = store.query("SELECT * FROM events ORDER BY event_id")
        shapes = sorted({r["shape"] for r in store.query("SELECT shape FROM objects")})
    events = {r["event_id"]: {k: v for k, v in r.items() if k not in NOT_COMPARED} for r in rows}
    return events, shapes, summary


def _same_events(got: dict, want: dict, label: str) -> None:
    assert sorted(got) == sorted(want), f"{label}: other events"
    for event_id, row in want.items():
        diff = {k: (v, got[event_id].get(k)) for k, v in row.items() if got[event_id].get(k) != v}
        assert not diff, f"{label}: {event_id} differs: {diff}"


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    events, shapes, _ = _events(tmp_path_factory.mktemp("ref") / "store", [str(FIXTURES / "trail.json")])
    assert shapes == ["trail"] and len(events) == 5
    return events


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_fixture_gives_the_events_of_the_plain_trail(tmp_path, reference, name):
    events, shapes, summary = _events(tmp_path / "store", [str(FIXTURES / name)])
    assert summary.records == 5 and summary.problems == [] and summary.skipped_files == [], summary.as_dict()
    assert shapes == [SHAPES[name]]
    _same_events(events, reference, name)


def test_every_fixture_is_a_test_case():
    on_disk = {p.name for p in FIXTURES.iterdir() if p.name != "trail.json"}
    assert on_disk == set(SHAPES)


def _normalized(folder: Path) -> dict:
    """The event rows the files of ``folder`` give (normalized as an ingest does, without a store)."""
    builder = BatchBuilder()
    files, problems = discover([str(folder)])
    assert files and not problems
    for path in files:
        report = file_report(path)
        builder.add_content(read_file(path, report), report)
        assert report.problems == [] and report.skipped_reason is None, report
    rows = builder.build().events.to_pylist()
    return {r["event_id"]: {k: v for k, v in r.items() if k not in NOT_COMPARED} for r in rows}


def _each_shape(tmp_path: Path, records: list[dict]) -> None:
    (tmp_path / "ref").mkdir()
    (tmp_path / "ref" / "trail.json").write_text(json.dumps({"Records": records}))
    want = _normalized(tmp_path / "ref")
    assert len(want) == len({r["eventID"] for r in records})
    for shape, write in WRITERS.items():
        write(tmp_path / shape, records)
        _same_events(_normalized(tmp_path / shape), want, shape)


def test_own_records_identical_in_every_siem_shape(tmp_path):
    records, _ = sample_records()
    _each_shape(tmp_path, records)


def test_invictus_identical_in_every_siem_shape(tmp_path):
    folder = dataset("invictus-aws")
    records = [r for p in sorted(folder.rglob("*.json")) for r in json.loads(p.read_text())["Records"]]
    _each_shape(tmp_path, records[:1000])
