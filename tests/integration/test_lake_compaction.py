"""Compaction merges small files without writing a large one again each time; a publish that changes a few
resources re-derives only their inventory rows and ends where one ingest of everything would."""

from __future__ import annotations

import shutil

import pytest

from cloudblame.demo.generator import generate_sample_trail
from cloudblame.derive.compact import DataFile, due
from cloudblame.pipeline.ingest import ingest_paths
from cloudblame.store import Store
from tests.lake_helpers import assert_same_content, content


@pytest.fixture(scope="module")
def stores(tmp_path_factory):
    """Six weeks of a demo trail: all but its last day ingested, then the last day; and all at once."""
    tmp = tmp_path_factory.mktemp("late-day")
    generate_sample_trail(tmp / "trail", records=4000, seed=5, days=42)
    files = sorted((tmp / "trail").rglob("*.json.gz"), key=lambda p: p.name.split("_")[3])
    last_day = files[-1].name.split("_")[3][:8]
    for f in files:
        part = "late" if f.name.split("_")[3].startswith(last_day) else "early"
        target = tmp / part / f.relative_to(tmp / "trail")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(f, target)
    db, whole = tmp / "two-steps", tmp / "whole"
    with Store.open(db) as store:
        ingest_paths(store, [str(tmp / "early")])
    with Store.open(db) as store:
        ingest_paths(store, [str(tmp / "late")])
    with Store.open(whole) as store:
        ingest_paths(store, [str(tmp / "trail")])
    return db, whole


def test_a_late_day_published_on_its_own_equals_one_ingest(stores):
    db, whole = stores
    expected, got = content(whole, origin=False), content(db, origin=False)
    for tables in (expected, got):
        tables.pop("objects")  # the ledger names the files where each store read them
    assert_same_content(expected, got, "two publishes")


def _file(path: str, size: int) -> DataFile:
    return DataFile(path, size, {})


def test_compaction_merges_the_small_files_and_leaves_a_much_larger_one_alone():
    files = [_file("big", 20_000_000), *(_file(f"new{i}", 100_000) for i in range(8))]
    groups = due(files, force=False)
    assert [sorted(f.path for f in g) for g in groups] == [sorted(f"new{i}" for i in range(8))]
    assert due(files[:5], force=False) == []  # too few small files yet
    assert {f.path for f in due(files, force=True)[0]} == {f.path for f in files}  # `cloudblame compact`: all


def test_compaction_takes_a_larger_file_once_the_smaller_ones_add_up_to_it():
    files = [_file("older", 700_000), *(_file(f"new{i}", 100_000) for i in range(8))]
    assert {f.path for f in due(files, force=False)[0]} == {f.path for f in files}


def test_compaction_leaves_files_of_32_mb_and_more_alone():
    files = [_file("large", 40 * 2**20), *(_file(f"new{i}", 100_000) for i in range(8))]
    assert {f.path for f in due(files, force=True)[0]} == {f"new{i}" for i in range(8)}
