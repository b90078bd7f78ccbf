"""The sample trail end to end: every known answer of the scenario comes out of blame."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from cloudblame.cli import app
from cloudblame.demo import generate_sample_trail
from cloudblame.pipeline.ingest import ingest_paths
from cloudblame.queries.blame import blame
from cloudblame.queries.events import EventFilter, search_events
from cloudblame.store import Store


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory):
    root = tmp_path_factory.mktemp("demo")
    sample = generate_sample_trail(root / "trail", records=4000)
    store = Store.open(root / "demo-store")
    summary = ingest_paths(store, [str(root / "trail")])
    yield sample, store, summary
    store.close()


def test_every_file_and_record_is_ingested(demo_store):
    sample, _, summary = demo_store
    assert (summary.files, summary.records, summary.new) == (sample.files, sample.records, sample.records)
    assert summary.problems == [] and summary.skipped_files == [] and summary.bad_records == 0


def test_every_known_answer(demo_store):
    sample, store, _ = demo_store
    for e in sample.expected:
        result = blame(store, e.resource_id, resource_type=e.resource_type)
        created = result["created"]
        assert created, e
        assert (created["actor"]["human"], created["tool"]["id"], created["time"]) == (e.creator, e.tool, e.created), e
        assert created["tool"].get("via") == e.via, e
        assert result["resource"]["type"] == e.resource_type
        if e.name:
            assert result["resource"]["name"] == e.name, e
        if e.deleted_by:
            assert result["deleted"] and result["deleted"]["actor"]["human"] == e.deleted_by, e
            assert result["deleted"]["time"] == e.deleted
        else:
            assert result["deleted"] is None, e


def test_spotlight_was_touched_by_three_people(demo_store):
    sample, store, _ = demo_store
    result = blame(store, sample.spotlight)
    people = {t["actor"]["human"] for t in result["timeline"]}
    assert len(people) >= 3
    assert [t["action"] for t in result["timeline"]][0] == "create"


def test_failed_launch_is_not_a_creation(demo_store):
    _, store, _ = demo_store
    failed = search_events(store, EventFilter(error_code="Client.UnauthorizedOperation"))
    assert [(e["actor"]["human"], e["event_name"]) for e in failed] == [("bob", "RunInstances")]
    assert not any(r["action"] == "create" and r["id"].startswith("i-") for r in failed[0]["resources"])


def test_demo_command(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["demo", "--records", "1500"])
    assert result.exit_code == 0, result.output
    assert "cloudblame blame" in result.output and "tom-load-test" in result.output
    assert "maria.lopez@example.com" in result.output
    assert (tmp_path / "cloudblame-store").exists() and (tmp_path / "demo-trail" / "AWSLogs").is_dir()
    again = CliRunner().invoke(app, ["demo", "--records", "1500"])
    assert again.exit_code == 0 and "unchanged since last ingest" in again.output
