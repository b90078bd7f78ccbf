"""Issue #15, derived facts from new data only, on the shared datasets: a publish derives every table from the
new events and the derived tables (never from all events), and the result must equal a full rebuild. Each
dataset is ingested all at once (the reference), then the same files in other splits and orders (reversed,
random orders with fixed seeds, dealt round-robin, one file at a time), each batch one ingest and one
publish; every table must end equal to the reference's, and every snapshot published on the way must be
consistent. (The demo trail and composed identity chains: test_lake_incremental_demo.py.)"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from cloudblame.sources.files import discover
from tests.conftest import DATASETS, dataset
from tests.datasets import read_records
from tests.lake_helpers import References


@pytest.fixture(scope="module")
def references(tmp_path_factory) -> References:
    return References(tmp_path_factory)


@cache
def _files(name: str) -> tuple[str, ...]:
    files, _ = discover([str(DATASETS / name)])
    return tuple(sorted(files))


@cache
def _holders(name: str) -> dict[str, frozenset[str]]:
    """eventID -> the files of the dataset holding it."""
    found: dict[str, set[str]] = {}
    for path in _files(name):
        for rec in read_records(Path(path)):
            if isinstance(rec, dict) and "eventID" in rec:
                found.setdefault(rec["eventID"], set()).add(path)
    return {k: frozenset(v) for k, v in found.items()}


def _copies_across_files(name: str) -> bool:
    """Whether some eventID is in two files: which copy is kept (events.origin) then depends on the order,
    so origin is compared only as 'one of the files holding the event'."""
    return any(len(v) > 1 for v in _holders(name).values())


PLANS = {
    "invictus-aws": ["reversed-3", "random-5", "interleaved-3"],
    "stratus-red-team": ["in-order-2", "reversed-3", "random-5"],
    "traildiscover-logexamples": ["reversed-2", "random-3", "interleaved-4"],  # many small files, copies
    "cloud-snitch": ["one-at-a-time", "one-at-a-time-reversed"],
}


@pytest.mark.parametrize("name,plan", [(n, p) for n, plans in PLANS.items() for p in plans])
def test_a_dataset_ingested_in_batches_equals_one_ingest(name, plan, references, tmp_path):
    dataset(name)
    references.check(tmp_path / "store", (name,), list(_files(name)), plan, seed=len(plan) * 7 + len(name),
                     origin=not _copies_across_files(name))


# One file at a time, for small sets whose facts span files.
# invictus-aws: files whose role sessions were issued by STS calls in another of them (a chain SjF3 -> 6CIC ->
# Ulj), newest first, so every session's calls are published before the call that issued it.
INVICTUS_SESSIONS = ("iLj9fb7yyUG9X4Bf", "x9kHmzMa7cx6l9wM", "SjF3IkuNXJkoHyar", "6CICdbJQM3beT7n3",
                     "UljXNp9xLp8nsAGc", "zs3JGxETHr59VpkX")


def test_invictus_sessions_and_their_sts_calls_one_file_at_a_time(references, tmp_path):
    dataset("invictus-aws")
    files = [f for f in _files("invictus-aws") if any(f.endswith(f"_{tag}.json") for tag in INVICTUS_SESSIONS)]
    assert len(files) == len(INVICTUS_SESSIONS)
    references.check(tmp_path / "store", ("invictus-aws", "sessions"), files, "one-at-a-time-reversed", seed=0)


def test_traildiscover_files_sharing_events_one_file_at_a_time(references, tmp_path):
    """Each copy of an event published alone, then deduplicated against the published one."""
    dataset("traildiscover-logexamples")
    holders = _holders("traildiscover-logexamples")
    shared = sorted({p for paths in holders.values() if len(paths) > 1 for p in paths})
    assert len(shared) >= 4, "expected files sharing eventIDs in traildiscover-logexamples"
    alone = [f for f in _files("traildiscover-logexamples") if f not in shared]
    files = sorted(shared[:6] + alone[:2])
    references.check(tmp_path / "store", ("traildiscover-logexamples", "shared"), files, "one-at-a-time", seed=3,
                     origin=False)
