"""`cloudblame spark ingest` (cloudblame.spark.ingest) on a local Spark: the store it writes is the store the
embedded `cloudblame ingest` writes of the same files, table by table; read by the embedded engine it gives
the same answers; a second run reads nothing; a task attempt that fails after writing its files leaves no
duplicate and no stray file; Spark and embedded ingests mix; the listing is pruned by key as the S3 source's."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cloudblame.cli import app
from cloudblame.core.errors import BadInput
from cloudblame.demo.generator import generate_sample_trail
from cloudblame.pipeline.ingest import ingest_paths, ingest_s3
from cloudblame.queries.blame import blame
from cloudblame.sources.files import discover
from cloudblame.store import Store
from cloudblame.store.lake import Lake
from tests.conftest import dataset
from tests.lake_helpers import (
    assert_same_content,
    broken_invariants,
    committed_paths,
    leftover_files,
    origins_are_copies,
)
from tests.lake_helpers import content as store_content

pytest_plugins = ["tests.spark_fixtures"]

ACCOUNTS = ("111122223333", "444455551111")  # the generator's accounts, in its order


# Derived tables beyond the lake tests' (whose steps run on the driver or in Python in a Spark publish).
MORE_TABLES = ("console_sessions", "creations", "insights")


def content(db: Path, *, origin: bool = True) -> dict:
    """A store's content (the insights too), the insights' JSON texts as the values they hold (Spark writes
    2.5E-4 where DuckDB writes 0.00025)."""
    found = store_content(db, origin=origin, more=MORE_TABLES)
    found["insights"] = [tuple(json.loads(v) if isinstance(v, str) and v[:1] in "[{" else v for v in row)
                         for row in found["insights"]]
    return found


def spark_ingest(spark, sources, db, **options):
    """A Spark ingest whose derived tables are computed on Spark (as on a cluster) unless ``derive`` says."""
    from cloudblame.spark import ingest

    options.setdefault("derive", "spark")
    summary = ingest(spark, [str(s) for s in sources], db=db, **options)
    assert summary.derived_on == ("spark" if options["derive"] == "spark" else "embedded")
    return summary


def embedded_ingest(db: Path, paths: list[str]):
    return ingest_paths(Lake.open(db, create=True), paths)


@pytest.fixture(scope="module")
def trail(tmp_path_factory) -> Path:
    """Two accounts, three regions, eight days: 3,000 records in 378 files."""
    root = tmp_path_factory.mktemp("spark-trail") / "trail"
    generate_sample_trail(root, records=3000, days=8, accounts=2)
    return root


@pytest.fixture(scope="module")
def files(trail) -> list[str]:
    return discover([str(trail)])[0]


@pytest.fixture(scope="module")
def reference(trail, tmp_path_factory) -> dict:
    """The embedded ingest's store of the whole trail: its content."""
    db = tmp_path_factory.mktemp("embedded") / "store"
    summary = embedded_ingest(db, [str(trail)])
    assert summary.records == summary.new > 2000 and not summary.found_problems
    return content(db)


@pytest.fixture(scope="module")
def spark_store(spark, trail, tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("spark") / "store"
    summary = spark_ingest(spark, [trail], db)
    assert summary.records == summary.new == summary.rows > 2000 and not summary.found_problems
    assert summary.files == summary.files_read == 378 and summary.waves == 1 and summary.partitions >= 1
    return db


def blame_answers(db: Path, resources: list[tuple]) -> list[dict]:
    with Store.open(db, read_only=True) as store:
        return [dict(blame(store, rid, resource_type=rtype, account=account)) for rtype, rid, account in resources]


def test_a_spark_store_is_the_embedded_store(spark_store, reference, trail, tmp_path):
    assert_same_content(reference, content(spark_store), "ingested by Spark")
    assert leftover_files(spark_store) == {}
    with Store.open(spark_store, read_only=True) as store:
        assert broken_invariants(store) == {}
        resources = store.conn.execute("SELECT resource_type, resource_id, account_id FROM resources "
                                       "ORDER BY events DESC, resource_id LIMIT 8").fetchall()
    embedded = tmp_path / "embedded"
    embedded_ingest(embedded, [str(trail)])
    assert len(resources) == 8
    assert blame_answers(spark_store, resources) == blame_answers(embedded, resources)


def test_a_second_spark_ingest_adds_nothing(spark, spark_store, trail, reference):
    again = spark_ingest(spark, [trail], spark_store)
    assert (again.files, again.files_unchanged, again.files_read, again.records, again.tasks) == (378, 378, 0, 0, 0)
    assert again.snapshot is None and not again.found_problems
    assert_same_content(reference, content(spark_store), "ingested by Spark twice")


def test_a_retried_task_adds_no_duplicate_and_leaves_no_file(spark, trail, reference, tmp_path):
    db = tmp_path / "store"
    summary = spark_ingest(spark, [trail], db, fail_first_attempt=True, task_bytes=100_000, tasks_per_partition=1)
    assert summary.waves >= 2 and summary.partitions > 4
    assert_same_content(reference, content(db), "ingested by Spark, each partition failing once")
    assert leftover_files(db) == {}  # the failed attempts' files: removed by the publish
    names = [Path(p).name for p in committed_paths(db / "events")]
    assert names and all("-spark-s" in n and "a1-w0-" in n for n in names), names[:3]  # each a second attempt's
    assert not list((db / "events").rglob("*a0-w0-*")) and not list((db / ".writers").glob("*.lock"))


@pytest.mark.parametrize("first", ["spark", "embedded"])
def test_spark_and_embedded_ingests_mix(spark, files, reference, first, tmp_path):
    db = tmp_path / "store"
    halves = [files[::2], files[1::2]]  # interleaved in time: the second brings older events too
    for engine, half in zip([first, "embedded" if first == "spark" else "spark"], halves):
        summary = spark_ingest(spark, half, db) if engine == "spark" else embedded_ingest(db, half)
        assert summary.files_read == len(half) and not summary.found_problems
    assert_same_content(reference, content(db), f"half by {first}, then the other half")


def test_copies_of_events_are_stored_once(spark, trail, files, reference, tmp_path):
    """Deduplication on eventID on Spark: records the store already holds, and records two new files share,
    are left out (the copy in the newer file)."""
    db, copies = tmp_path / "store", tmp_path / "copies"
    embedded_ingest(db, files[::2])
    copied = files[::3]  # half of them published by now, the other half also in this ingest's own files
    for path in copied:
        target = copies / Path(path).relative_to(trail)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    second = [*files[1::2], *discover([str(copies)])[0]]
    summary = spark_ingest(spark, second, db)
    assert summary.files_read == len(second) and not summary.found_problems
    assert summary.duplicates == sum(records_in(p) for p in copied) > 0
    embedded = tmp_path / "embedded"  # the same two ingests, embedded
    embedded_ingest(embedded, files[::2])
    assert embedded_ingest(embedded, second).duplicates == summary.duplicates
    # which copy of an event shared by two new files is kept depends on the order they were written in
    assert_same_content(content(embedded, origin=False), content(db, origin=False), "with copies")
    origins_are_copies(db, [*files, *second])


def records_in(path: str) -> int:
    with gzip.open(path) as f:
        return len(json.load(f)["Records"])


def test_a_relative_store_path(spark, files, reference, tmp_path, monkeypatch):
    """The default --db is relative: the publish's cleanup of the Spark writer's files and its choice of the new
    events compare the store's paths with delta-rs's (canonical ones)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    spark_ingest(spark, files[::2], "link/store")
    embedded_ingest(Path("link/store"), files[1::2])
    assert_same_content(reference, content(tmp_path / "real" / "store"), "a relative path through a symlink")


def test_accounts_regions_and_days_prune_by_key(spark, trail, files, tmp_path):
    def kept(path: str) -> bool:  # the trail layout, read here on its own: AWSLogs/ACCOUNT/CloudTrail/REGION/Y/M/D/
        parts = Path(path).relative_to(trail).parts
        return (parts[1], parts[3]) == (ACCOUNTS[1], "us-east-1") and "2026-10-03" <= "-".join(parts[4:7]) <= "2026-10-06"

    expected = [f for f in files if kept(f)]
    assert 0 < len(expected) < len(files) // 6
    db = tmp_path / "spark"
    summary = spark_ingest(spark, [trail], db, accounts=[ACCOUNTS[1]], regions=["us-east-1"], since="2026-10-04",
                           until="2026-10-05", derive="auto")  # delivery days listed: a day wider on each side
    # (derived by DuckDB in the driver, as a local master does by default: the listing is what is tested here)
    assert summary.files == summary.files_read == len(expected)
    with Store.open(db, read_only=True) as store:
        assert sorted(r[0] for r in store.conn.execute("SELECT path FROM objects").fetchall()) == sorted(expected)
    embedded_ingest(tmp_path / "embedded", expected)
    assert_same_content(content(tmp_path / "embedded"), content(db), "pruned")


@pytest.mark.parametrize("name", ["invictus-aws", "stratus-red-team"])
def test_shared_datasets_ingest_alike(spark, name, tmp_path):
    path = dataset(name)
    embedded = embedded_ingest(tmp_path / "embedded", [str(path)])
    summary = spark_ingest(spark, [path], tmp_path / "spark", task_bytes=200_000)
    assert (summary.files, summary.records, summary.new, summary.bad_records) == (
        embedded.files, embedded.records, embedded.new, embedded.bad_records)
    # which of two copies of an event is kept depends on which file was written first: origin aside
    assert_same_content(content(tmp_path / "embedded", origin=False), content(tmp_path / "spark", origin=False), name)


def test_a_store_url_is_refused(spark, trail):
    with pytest.raises(BadInput, match="shared mount"):
        spark_ingest(spark, [trail], "s3://bucket/store")


def test_the_command_prints_the_ingest_summary(spark, trail, tmp_path):
    db = tmp_path / "store"
    args = ["spark", "ingest", str(trail), "--db", str(db), "--region", "eu-west-1", "--format", "json"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["kind"] == "spark" and summary["files"] == summary["files_read"] > 0
    assert summary["records"] == summary["new"] == summary["spark"]["rows"] > 0
    assert summary["spark"]["derived_on"] == "embedded"  # the default on a local master
    with Store.open(db, read_only=True) as store:
        assert store.conn.execute("SELECT DISTINCT aws_region FROM event_rows").fetchall() == [("eu-west-1",)]
    for wrong in (["--since", "someday"], ["--derive", "gpu"]):
        bad = CliRunner().invoke(app, ["spark", "ingest", str(trail), "--db", str(db), *wrong])
        assert bad.exit_code == 2, wrong


def test_s3_objects_are_downloaded_by_the_executors(spark, fresh_moto, trail, tmp_path):
    import boto3

    s3 = boto3.client("s3", endpoint_url=fresh_moto, region_name="us-east-1")
    s3.create_bucket(Bucket="trail-bucket")
    for path in sorted(trail.rglob("*.json.gz"))[::3]:
        s3.put_object(Bucket="trail-bucket", Key="logs/" + path.relative_to(trail).as_posix(), Body=path.read_bytes())
    url = "s3://trail-bucket/logs"
    embedded = ingest_s3(Lake.open(tmp_path / "embedded", create=True), url, client=s3)
    summary = spark_ingest(spark, [url], tmp_path / "spark", endpoint_url=fresh_moto, aws_region="us-east-1",
                           derive="embedded")  # (the executors' downloads are tested here, not the derive)
    assert summary.problems == [] and summary.files == summary.files_read == embedded.files > 100
    assert_same_content(content(tmp_path / "embedded"), content(tmp_path / "spark"), "from S3")
