"""Same input, same answer: the records of invictus-aws, shuffled into other files and ingested in
several runs, give exactly the answers one ingest of the original files gives (every field of every
resource, inventory, forgotten and blame). Ties in time are broken by event id wherever one is picked."""

from __future__ import annotations

import json
import random

import pytest

from cloudblame.pipeline.ingest import ingest_paths
from cloudblame.queries.blame import blame
from cloudblame.queries.inventory import forgotten, inventory
from cloudblame.queries.people import people
from cloudblame.store import Store
from tests.conftest import dataset

RESOURCE_ROWS = "SELECT * FROM resources ORDER BY resource_type, resource_id, account_id"


def _answers(store: Store) -> dict:
    resources = store.query(RESOURCE_ROWS)
    return {
        "resources": resources,
        "inventory": inventory(store, limit=None),
        "forgotten": forgotten(store, idle="0d", limit=None),
        "people": people(store),
        "blame": {(r["resource_type"], r["resource_id"]): blame(store, r["resource_id"], resource_type=r["resource_type"],
                                                               account=r["account_id"]) for r in resources},
    }


def _shuffled_files(folder, out, *, seed: int, files: int) -> list[list[str]]:
    """The folder's records in another order, in ``files`` files, as three ingests' path lists."""
    records = [r for p in sorted(folder.rglob("*.json")) for r in json.loads(p.read_text())["Records"]]
    rng = random.Random(seed)
    rng.shuffle(records)
    out.mkdir()
    paths = []
    for i in range(files):
        path = out / f"part-{i}.json"
        path.write_text(json.dumps({"Records": records[i::files]}))
        paths.append(str(path))
    rng.shuffle(paths)
    return [paths[:2], paths[2:5], paths[5:]]


@pytest.mark.parametrize("seed", [1, 2])
def test_records_in_any_file_order_or_grouping_give_identical_answers(invictus_store, tmp_path, seed):
    store, _ = invictus_store
    expected = _answers(store)
    runs = _shuffled_files(dataset("invictus-aws"), tmp_path / "files", seed=seed, files=7)
    with Store.open(tmp_path / "store") as other:
        for paths in runs:
            ingest_paths(other, paths)
    with Store.open(tmp_path / "store", read_only=True) as other:
        got = _answers(other)
    assert len(got["resources"]) == len(expected["resources"]) > 0
    for key in expected:
        if key == "blame":
            different = [k for k in expected["blame"] if expected["blame"][k] != got["blame"].get(k)]
            assert not different, different[:5]
        else:
            assert got[key] == expected[key], key
