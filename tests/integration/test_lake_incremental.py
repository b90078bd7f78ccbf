"""Issue #15, derived facts from new data only: a publish derives every table from the new events and the
derived tables (never from all events), and the result must equal a full rebuild. Each dataset is ingested
all at once (the reference), then the same files in other splits and orders (halves, reversed, random orders
with fixed seeds, one file at a time), each batch one ingest and one publish; every table of the store must
end equal to the reference's."""

from __future__ import annotations

import json
import random
from functools import lru_cache
from pathlib import Path

import pytest

from cloudblame.demo.generator import generate_sample_trail
from cloudblame.ingest import ingest_paths
from cloudblame.sources.files import discover
from cloudblame.store import Store
from cloudblame.store.lake import Lake
from tests.conftest import DATASETS, dataset
from tests.datasets import read_records
from tests.integration import test_identity_chain as chain
from tests.integration.sample_records import ACCOUNT, TF_UA, iam_user, record, sso
from tests.lake_helpers import assert_same_content, broken_invariants, content, snapshot_rows


def _split(files: list[str], plan: str, seed: int) -> list[list[str]]:
    """The batches of a plan: ``in-order-N`` (N consecutive slices), ``reversed-N``, ``random-N`` (a seeded
    shuffle cut in N), ``interleaved-N`` (a seeded shuffle dealt round-robin), ``one-at-a-time``
    (a seeded order, one file per batch), ``one-at-a-time-reversed``."""
    kind, _, n = plan.rpartition("-")
    if plan.startswith("one-at-a-time"):
        order = files[::-1] if plan.endswith("reversed") else random.Random(seed).sample(files, len(files))
        return [[f] for f in order]
    n = int(n)
    if kind == "in-order":
        order = list(files)
    elif kind == "reversed":
        order = files[::-1]
    else:
        order = random.Random(seed).sample(files, len(files))
    if kind == "interleaved":
        return [order[i::n] for i in range(n)]
    return [order[len(order) * i // n: len(order) * (i + 1) // n] for i in range(n)]


def _build(db: Path, batches: list[list[str]]) -> None:
    lake = Lake.open(db, create=True)
    for batch in batches:
        if batch:
            ingest_paths(lake, batch)
        # every snapshot a batch publishes is consistent on its own
        with Store.open(db, read_only=True) as store:
            assert not broken_invariants(store), broken_invariants(store)


@lru_cache(maxsize=None)
def _files(name: str) -> tuple[str, ...]:
    files, _ = discover([str(DATASETS / name)])
    return tuple(sorted(files))


@lru_cache(maxsize=None)
def _has_copies_across_files(name: str) -> bool:
    """Whether some eventID is in two files (which copy is kept, hence events.origin, depends on the order)."""
    seen: dict[str, str] = {}
    for path in _files(name):
        for rec in read_records(Path(path)):
            if not isinstance(rec, dict) or "eventID" not in rec:
                continue
            if seen.setdefault(rec["eventID"], path) != path:
                return True
    return False


def _origins_are_copies(db: Path, files: list[str]) -> None:
    """Every stored event's origin is a file that holds that event (the copy kept is a real one)."""
    holders: dict[str, set[str]] = {}
    for path in files:
        for rec in read_records(Path(path)):
            if isinstance(rec, dict) and "eventID" in rec:
                holders.setdefault(rec["eventID"], set()).add(path)
    with Store.open(db, read_only=True) as store:
        rows = store.conn.execute("SELECT event_id, origin FROM event_rows").fetchall()
    wrong = [(e, o) for e, o in rows if e in holders and o not in holders[e]]
    assert not wrong, f"events whose origin does not hold them: {wrong[:5]}"


_REFERENCES: dict[tuple, dict] = {}


def _reference(tmp_path_factory, key: tuple, files: list[str], origin: bool) -> dict:
    """The store built from ``files`` in one ingest (cached per key)."""
    if key not in _REFERENCES:
        db = tmp_path_factory.mktemp("reference") / "store"
        _build(db, [list(files)])
        _REFERENCES[key] = content(db, origin=origin)
        assert _REFERENCES[key]["event_rows"], f"{key}: the reference store holds no event"
    return _REFERENCES[key]


def _check(tmp_path, tmp_path_factory, key: tuple, files: list[str], plan: str, seed: int) -> None:
    origin = not (key[0] in _DATASET_PLANS and _has_copies_across_files(key[0]))
    expected = _reference(tmp_path_factory, key, files, origin)
    batches = _split(list(files), plan, seed)
    assert sorted(f for b in batches for f in b) == sorted(files)
    db = tmp_path / "store"
    _build(db, batches)
    assert_same_content(expected, content(db, origin=origin), f"{key[0]} ingested {plan} (seed {seed})")
    published = [r["events"] for r in snapshot_rows(db)]
    assert published == sorted(published), f"published totals went down: {published}"
    if not origin:
        _origins_are_copies(db, list(files))


# --- the shared datasets

_DATASET_PLANS = {
    "invictus-aws": ["reversed-3", "random-5", "interleaved-3"],
    "stratus-red-team": ["in-order-2", "reversed-3", "random-5"],
    "traildiscover-logexamples": ["reversed-2", "random-3", "interleaved-4"],
    "cloud-snitch": ["one-at-a-time", "one-at-a-time-reversed"],
}


@pytest.mark.parametrize("name,plan", [(n, p) for n, plans in _DATASET_PLANS.items() for p in plans])
def test_a_dataset_ingested_in_batches_equals_one_ingest(name, plan, tmp_path, tmp_path_factory):
    dataset(name)
    _check(tmp_path, tmp_path_factory, (name,), list(_files(name)), plan, seed=len(plan) * 7 + len(name))


# One file at a time, for small sets: events whose sessions, copies and resources span files arrive apart.
_SMALL_SETS = {
    # files whose sessions were issued by STS calls in another of them (a chain: SjF3 -> 6CIC -> Ulj)
    "invictus-aws": ("one-at-a-time-reversed", 6),
    # files that share events (dedupe across single-file publishes) and two that share none
    "traildiscover-logexamples": ("one-at-a-time", 8),
}
_INVICTUS_SESSIONS = ("iLj9fb7yyUG9X4Bf", "x9kHmzMa7cx6l9wM", "SjF3IkuNXJkoHyar", "6CICdbJQM3beT7n3",
                      "UljXNp9xLp8nsAGc", "zs3JGxETHr59VpkX")


def _small_set(name: str, size: int) -> list[str]:
    files = list(_files(name))
    if name == "traildiscover-logexamples":  # files that share events: dedupe across single-file publishes
        ids: dict[str, list[str]] = {}
        for path in files:
            for rec in read_records(Path(path)):
                if isinstance(rec, dict) and "eventID" in rec:
                    ids.setdefault(rec["eventID"], []).append(path)
        shared = sorted({p for paths in ids.values() if len(set(paths)) > 1 for p in paths})
        picked = shared[:size - 2] + [f for f in files if f not in shared][:2]
        assert len(shared) >= 4, "expected files sharing eventIDs in traildiscover-logexamples"
        return sorted(picked)
    picked = [f for f in files if any(f.endswith(f"_{tag}.json") for tag in _INVICTUS_SESSIONS)]
    assert len(picked) == size == len(_INVICTUS_SESSIONS)
    return picked


@pytest.mark.parametrize("name", sorted(_SMALL_SETS))
def test_a_small_set_ingested_one_file_at_a_time_equals_one_ingest(name, tmp_path, tmp_path_factory):
    dataset(name)
    plan, size = _SMALL_SETS[name]
    files = _small_set(name, size)
    _check(tmp_path, tmp_path_factory, (name, "small"), files, plan, seed=3)


# --- the demo trail


@pytest.fixture(scope="module")
def demo_files(tmp_path_factory) -> list[str]:
    root = tmp_path_factory.mktemp("demo") / "trail"
    generate_sample_trail(root, records=3000, seed=29)
    return sorted(str(p) for p in root.rglob("*.json.gz"))


@pytest.mark.parametrize("plan,seed", [("reversed-3", 0), ("random-5", 1), ("interleaved-3", 2)])
def test_the_demo_trail_ingested_in_batches_equals_one_ingest(demo_files, plan, seed, tmp_path, tmp_path_factory):
    assert len(demo_files) > 100
    _check(tmp_path, tmp_path_factory, ("demo",), demo_files, plan, seed)


# --- composed identity chains: sessions whose issuing STS calls, callers and creations arrive apart


def _composed_records() -> list[dict]:
    sts, calls = chain._chained_sso_records()
    alice, bob = iam_user("alice", "AKIAALICE0000000001"), iam_user("bob", "AKIABOB00000000001")
    group = [record(30, "2025-03-05T09:00:00Z", "autoscaling.amazonaws.com", "CreateAutoScalingGroup", alice, TF_UA,
                    {"autoScalingGroupName": "workers", "minSize": 1, "maxSize": 4}, None),
             record(31, "2025-03-05T11:00:00Z", "autoscaling.amazonaws.com", "UpdateAutoScalingGroup", bob,
                    "aws-cli/2.15.0", {"autoScalingGroupName": "workers", "desiredCapacity": 3}, None),
             chain._slr_launch(32, "2025-03-05T12:00:00Z", {"aws:autoscaling:groupName": "workers"}),
             chain._slr_launch(33, "2025-03-05T10:00:00Z", {"aws:autoscaling:groupName": "workers"})]
    issue = chain.assume_role(60, "2025-03-08T09:00:00Z", alice, ACCOUNT, "ops", "alice-ops", "ASIALOGGEDKEY000001")
    session = chain.role_session(ACCOUNT, "ops", "alice-ops", "ASIAOTHERKEY0000001", "2025-03-08T09:00:03Z")
    queue = record(61, "2025-03-08T09:10:00Z", "sqs.amazonaws.com", "CreateQueue", session, "aws-cli/2.15.0",
                   {"queueName": "ops-q"}, {"queueUrl": f"https://sqs.eu-west-1.amazonaws.com/{ACCOUNT}/ops-q"})
    delete = record(62, "2025-03-08T12:00:00Z", "sqs.amazonaws.com", "DeleteQueue", bob, "aws-cli/2.15.0",
                    {"queueUrl": f"https://sqs.eu-west-1.amazonaws.com/{ACCOUNT}/ops-q"}, None)
    again = record(63, "2025-03-08T13:00:00Z", "sqs.amazonaws.com", "CreateQueue", session, "aws-cli/2.15.0",
                   {"queueName": "ops-q"}, {"queueUrl": f"https://sqs.eu-west-1.amazonaws.com/{ACCOUNT}/ops-q"})
    maria = sso("maria.lopez@example.com", "ASIAMARIASSO0000001")
    tag = record(64, "2025-03-04T10:00:00Z", "ec2.amazonaws.com", "CreateTags", maria, "aws-cli/2.15.0",
                 {"resourcesSet": {"items": [{"resourceId": "i-0aaaabbbbccccdddd"}]},
                  "tagSet": {"items": [{"key": "owner", "value": "maria"}]}}, None)
    return sts + calls + group + [issue, queue, delete, again, tag]


@pytest.fixture(scope="module")
def composed_files(tmp_path_factory) -> list[str]:
    root = tmp_path_factory.mktemp("composed")
    paths = []
    for i, rec in enumerate(_composed_records()):
        path = root / f"record-{i:02d}.json"
        path.write_text(json.dumps({"Records": [rec]}))
        paths.append(str(path))
    return paths


@pytest.mark.parametrize("plan,seed", [("one-at-a-time-reversed", 0), ("random-4", 4), ("interleaved-3", 5)])
def test_composed_identity_chains_in_any_order_equal_one_ingest(composed_files, plan, seed, tmp_path,
                                                                tmp_path_factory):
    _check(tmp_path, tmp_path_factory, ("composed",), composed_files, plan, seed)
    # and the answers the chains give are the ones a whole ingest gives (not only the same rows: right ones)
    with Store.open(tmp_path / "store", read_only=True) as store:
        humans = dict(store.conn.execute(
            "SELECT resource_id, created_by FROM resources WHERE resource_id IN ('i-0aaaabbbbccccdddd')").fetchall())
    assert humans == {"i-0aaaabbbbccccdddd": "maria.lopez@example.com"}
