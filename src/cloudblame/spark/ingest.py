"""Ingest on Spark: the driver lists what to read, Spark's executors read, normalize and write it, the driver
commits and publishes.

The driver lists the sources as ``cloudblame ingest`` does (local files: ``plan_paths``; S3 trail buckets:
``S3Lister`` pruned by account, region and day, without the objects the ledger holds unchanged) and groups
them into the same tasks (``TASK_BYTES`` each). Tasks go to the executors in waves, a few Spark partitions
per core; each partition runs its tasks with the embedded ingest's own worker loop (``run_tasks``: the same
readers, ``BatchBuilder`` and ``Writer``), so it writes events data files of the store, named after the
ingest's writer, and returns only small descriptions: the files' add actions and the reports of the objects
read. After each wave the driver commits the files of the successful task attempts to ``events`` and then
enters their objects in the ledger (``Committer.commit``, as the embedded ingest does); at the end it
publishes (``cloudblame.derive.publish``): deduplication on eventID, then every derived table by the same
steps as the embedded publish, on Spark (cloudblame.spark.derive: their SQL transpiled, their rows
written by the executors; what goes through Python, on the driver). ``derive`` chooses where the derived tables
are computed: ``spark``, ``embedded`` (DuckDB in the driver's process), or ``auto`` (the default): embedded on
a local master, whose executors are the driver's own cores (DuckDB derived a 1M-record ingest there in a seventh
of Spark's time), Spark on a cluster. The tables and their answers are the same either way.

A task attempt that fails (or is retried, or is a speculative copy that loses) returns nothing: its files are
never committed. They are named after a writer registration of their own (``<writer>-spark``) that the
driver holds during the waves and leaves behind, released, when they are done: the publish that follows
takes it for a dead writer's and deletes its files that no commit names (``remove_orphans``).

The store is a directory the driver and every executor reach at the same path (local mode: any path; a
cluster: a shared mount). Sources are local paths (read by the executors: they must see them at the same
path) or ``s3://`` URLs (listed by the driver, downloaded by the executors with the standard credential
chain, or ``profile`` where the executors have it).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from functools import lru_cache
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cloudblame.core.errors import BadInput
from cloudblame.core.timeutil import parse_when
from cloudblame.derive.work import EMBEDDED, Engine
from cloudblame.normalize.batch import BatchBuilder
from cloudblame.pipeline.ingest import (
    Committer,
    IngestSummary,
    downloads,
    objects_to_read,
    plan_paths,
)
from cloudblame.pipeline.workers import TASK_BYTES, ContentTask, FileTask, Task, TaskResult, group_by_size, run_tasks
from cloudblame.sources.files import Problem
from cloudblame.sources.s3 import ObjectFilter, S3Lister, S3SourceError, TrailObject, make_client, parse_s3_url
from cloudblame.spark.derive import spark_engine
from cloudblame.store.lake import Lake
from cloudblame.store.ledger import entered
from cloudblame.store.locks import hold_writer

if TYPE_CHECKING:
    from pyspark import SparkContext
    from pyspark.sql import SparkSession

PARTITIONS_PER_CORE = 2  # Spark partitions per executor core in a wave: a slow one does not hold the wave long
TASKS_PER_PARTITION = 32  # tasks of TASK_BYTES a partition runs (~16 MB compressed: about a worker's FLUSH_ROWS)


class DeriveOn(str, Enum):
    """Where a Spark ingest's publish computes the derived tables (see the module doc)."""

    auto = "auto"
    spark = "spark"
    embedded = "embedded"


@dataclass
class SparkIngestSummary(IngestSummary):
    """An ingest's summary (as ``cloudblame ingest`` reports it), with what Spark did."""

    rows: int = 0  # event rows written to events data files (before the publish's deduplication)
    tasks: int = 0  # tasks of about TASK_BYTES
    partitions: int = 0  # Spark partitions (task attempts that succeeded)
    waves: int = 0  # Spark jobs, each followed by a commit
    derived_on: str = ""  # where the publish computed the derived tables: spark or embedded

    def as_dict(self) -> dict[str, Any]:
        return {**super().as_dict(), "spark": {"rows": self.rows, "tasks": self.tasks, "partitions": self.partitions,
                                              "waves": self.waves, "derived_on": self.derived_on}}


@dataclass(frozen=True)
class S3Access:
    """How an executor reaches S3: the client ``make_client`` makes (one per process) and the parallel
    downloads of a task."""

    profile: str | None = None
    region: str | None = None
    endpoint_url: str | None = None
    workers: int = 8

    def client(self) -> Any:
        return _client(self.profile, self.region, self.endpoint_url)


@lru_cache(maxsize=4)
def _client(profile: str | None, region: str | None, endpoint_url: str | None) -> Any:
    return make_client(profile=profile, region=region, endpoint_url=endpoint_url)


@dataclass
class S3Task:
    """Objects of a bucket, downloaded and normalized together on an executor (``downloads``, then the
    ``ContentTask`` the embedded ingest makes of them); objects that cannot be downloaded go to ``problems``
    and are not entered (the next ingest tries again)."""

    bucket: str
    objects: list[TrailObject]
    access: S3Access
    problems: list[Problem] = field(default_factory=list)

    def run(self, builder: BatchBuilder) -> None:
        fetched = downloads(self.access.client(), self.bucket, self.objects, self.problems,
                            workers=self.access.workers)
        ContentTask(list(fetched)).run(builder)


@dataclass
class PartitionResult:
    """What one successful attempt of a partition returns to the driver: each task's result (their files'
    reports) and the events data files written (in the results' ``written``), and the download problems."""

    partition: int
    attempt: int
    results: list[TaskResult]
    problems: list[Problem]


class InjectedFailure(RuntimeError):
    """The failure ``fail_first_attempt`` injects (tests: a task attempt that fails after writing files)."""


@dataclass(frozen=True)
class PartitionJob:
    """Runs on an executor: one partition's tasks through the embedded ingest's worker loop (``run_tasks``),
    writing events data files under ``root`` as writer ``<writer_id>-s<stage>p<partition>a<attempt>-w0``,
    while holding the ingest's registration ``writer_id`` (as the embedded workers hold theirs)."""

    root: str
    writer_id: str
    fail_first_attempt: bool = False  # fault injection (tests)

    def __call__(self, tasks: Iterable[Task]) -> Iterator[PartitionResult]:
        from pyspark import TaskContext

        context = TaskContext.get()
        stage, partition, attempt = ((context.stageId(), context.partitionId(), context.attemptNumber())
                                     if context else (0, 0, 0))
        todo = list(tasks)
        with hold_writer(Path(self.root), self.writer_id):
            results = [result for _, result in run_tasks(todo, jobs=1, root=Path(self.root),
                                                         writer_id=f"{self.writer_id}-s{stage}p{partition}a{attempt}")]
        if self.fail_first_attempt and attempt == 0:
            raise InjectedFailure(f"partition {partition}: first attempt fails after writing its files")
        problems = [p for task in todo if isinstance(task, S3Task) for p in task.problems]
        yield PartitionResult(partition, attempt, results, problems)


def ingest(spark: SparkSession, sources: Iterable[str | os.PathLike[str]], *, db: str | os.PathLike[str],
           accounts: Iterable[str] = (), regions: Iterable[str] = (), since: str | datetime | None = None,
           until: str | datetime | None = None, force: bool = False, profile: str | None = None,
           aws_region: str | None = None, endpoint_url: str | None = None, workers: int = 8,
           task_bytes: int = TASK_BYTES, tasks_per_partition: int = TASKS_PER_PARTITION, derive: str = "auto",
           fail_first_attempt: bool = False) -> SparkIngestSummary:
    """Ingest the CloudTrail records of ``sources`` (local files, folders, globs, ``s3://BUCKET[/PREFIX]``)
    into the store at ``db`` (created if need be) on ``spark``'s executors, then publish them (see the
    module doc). ``accounts``, ``regions``, ``since`` and ``until`` prune what is listed by key, as the S3
    source prunes a bucket (local files laid out like one too); ``force`` reads again what the ledger holds
    unchanged; ``profile``, ``aws_region`` and ``endpoint_url`` make the S3 clients, ``workers`` the parallel
    downloads of an executor's task; ``derive``: where the publish computes the derived tables (DeriveOn).
    ``fail_first_attempt`` (tests) makes every partition's first attempt
    fail once it has written its files."""
    started = time.perf_counter()
    engine = derive_engine(spark, derive)
    lake = Lake.open(_store_path(db), create=True)
    flt = ObjectFilter(set(accounts), set(regions), _when(since), _when(until))
    access = S3Access(profile, aws_region, endpoint_url, workers)
    summary, tasks = _plan(lake, [str(s) for s in sources], flt, access, force=force, task_bytes=task_bytes)
    context = spark.sparkContext
    slots = max(1, context.defaultParallelism * PARTITIONS_PER_CORE)
    with lake.writer() as writer_id:
        committer = Committer(lake, writer_id, summary)
        job = PartitionJob(str(lake.root.resolve()), f"{writer_id}-spark", fail_first_attempt)
        with hold_writer(lake.root, job.writer_id):  # left behind, released: the publish removes what is not committed
            for wave in _waves(tasks, slots * max(1, tasks_per_partition)):
                _run_wave(context, wave, job, committer, summary, slots=slots)
    summary.derived_on = "embedded" if engine is EMBEDDED else "spark"
    committer.publish(engine=engine)
    summary.seconds = time.perf_counter() - started
    return summary


def derive_engine(spark: SparkSession, derive: str) -> Engine:
    """The Engine a publish derives with, by ``derive`` (a DeriveOn; see the module doc)."""
    try:
        choice = DeriveOn(derive)
    except ValueError:
        raise BadInput(f"--derive {derive}: one of {', '.join(d.value for d in DeriveOn)}") from None
    local = (spark.sparkContext.master or "").startswith("local")
    return EMBEDDED if choice is DeriveOn.embedded or (choice is DeriveOn.auto and local) else spark_engine(spark)


def _store_path(db: str | os.PathLike[str]) -> Path:
    text = os.fspath(db)
    if "://" in text:
        raise BadInput(f"--db {text}: a Spark ingest writes a store directory the driver and the executors reach "
                       "at the same path (a local path, or a shared mount such as /dbfs/... or NFS), not a URL")
    return Path(text)


def _when(value: str | datetime | None) -> datetime | None:
    """A time bound as given, or read from text (7d, 12h, an ISO date: BadInput when it is none of them)."""
    return parse_when(value) if isinstance(value, str) else value


def _plan(lake: Lake, sources: list[str], flt: ObjectFilter, access: S3Access, *, force: bool,
          task_bytes: int) -> tuple[SparkIngestSummary, Iterator[Task]]:
    """The summary so far (files found, unchanged, problems) and the tasks of every source: local files first
    (one listing, in delivery order), then each bucket's objects."""
    local = [s for s in sources if not s.startswith("s3://")]
    plan = plan_paths(lake, local, force=force, task_bytes=task_bytes, keep=flt.kept_paths if flt.active else None)
    summary = SparkIngestSummary(files=plan.summary.files, files_unchanged=plan.summary.files_unchanged,
                                 problems=plan.summary.problems)
    urls = [s for s in sources if s.startswith("s3://")]
    seen = {} if force or not urls else entered(lake)
    bucket_tasks = [_bucket_tasks(url, flt, access, seen, summary, task_bytes) for url in urls]
    return summary, _counted(_chain(_absolute(plan.tasks), *bucket_tasks), summary)


def _absolute(tasks: Iterable[FileTask]) -> Iterator[FileTask]:
    """File tasks whose files an executor opens by absolute path (the reports keep the paths as given)."""
    for task in tasks:
        yield FileTask([(os.path.abspath(path), report) for path, report in task.files])


def _bucket_tasks(url: str, flt: ObjectFilter, access: S3Access, seen: dict[str, tuple[int, int, str | None]],
                  summary: SparkIngestSummary, task_bytes: int) -> Iterator[S3Task]:
    """The tasks of the objects under ``url`` the ledger lacks, listed as they are needed; a failure of the
    whole source (credentials, bucket) is a problem of the summary, as ``run_source_reporting`` makes it."""
    from botocore.exceptions import NoCredentialsError, ProfileNotFound

    from cloudblame.pipeline.sync import NO_CREDENTIALS

    location = parse_s3_url(url)
    try:
        lister = S3Lister(make_client(profile=access.profile, region=access.region, endpoint_url=access.endpoint_url),
                          location, flt)
        wanted = objects_to_read(lister, seen, summary)
        yield from group_by_size(wanted, lambda obj: obj.size,
                                 lambda objects: S3Task(location.bucket, objects, access), limit=task_bytes)
        summary.problems.extend(lister.problems)
    except (NoCredentialsError, ProfileNotFound) as exc:
        summary.problems.append(Problem(url, None, NO_CREDENTIALS if isinstance(exc, NoCredentialsError) else str(exc)))
    except S3SourceError as exc:
        summary.problems.append(Problem(url, None, str(exc)))


def _chain(*iterables: Iterable[Task]) -> Iterator[Task]:
    for tasks in iterables:
        yield from tasks


def _counted(tasks: Iterable[Task], summary: SparkIngestSummary) -> Iterator[Task]:
    for task in tasks:
        summary.tasks += 1
        yield task


def _waves(tasks: Iterable[Task], size: int) -> Iterator[list[Task]]:
    """``tasks`` in lists of ``size`` (the last one shorter)."""
    iterator = iter(tasks)
    while wave := list(islice(iterator, size)):
        yield wave


def _run_wave(context: SparkContext, wave: list[Task], job: PartitionJob, committer: Committer,
              summary: SparkIngestSummary, *, slots: int) -> None:
    """One Spark job over ``wave`` (consecutive tasks per partition), then one commit of what its
    successful attempts wrote and read."""
    parts: list[PartitionResult] = context.parallelize(wave, min(slots, len(wave))).mapPartitions(job).collect()
    written, reports = [], []
    for part in sorted(parts, key=lambda p: p.partition):
        summary.partitions += 1
        summary.problems.extend(part.problems)
        for result in part.results:
            summary.count(result)
            summary.rows += sum(action.rows for action in result.written)
            written += result.written
            reports += result.files
    committer.commit(written, reports)
    summary.waves += 1

