"""blame reads what derive stored: an alive resource's tags, size, purpose and cost come from its inventory
row, the resources its creation referenced from the refs ingest stored with the event; only a resource with
no current inventory row (deleted, or under another price table) has its details derived at read time, with
its creation delegated once. Either way the answer is the same."""

from __future__ import annotations

import gzip
from importlib import resources

import pytest

from cloudblame.demo import generate_sample_trail
from cloudblame.derive import delegation, details
from cloudblame.pipeline.ingest import ingest_paths
from cloudblame.prices.table import DATA_FILE
from cloudblame.queries import blame as blame_module
from cloudblame.queries.blame import blame
from cloudblame.queries.inventory import inventory
from cloudblame.store import Store

# A service made it: its creator is the person found behind the service (derive/delegation.py).
SERVICE_MADE = "created_tool IN ('aws-service', 'cloudformation') OR starts_with(created_by, 'aws-service:')"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    root = tmp_path_factory.mktemp("blame-reads")
    generate_sample_trail(root / "trail", records=3000)
    store = Store.open(root / "store")
    ingest_paths(store, [str(root / "trail")])
    yield store
    store.close()


def _blame_of(store: Store, row: dict):
    return blame(store, row["resource_id"], resource_type=row["resource_type"], account=row["account_id"])


def _all_blames(store: Store) -> dict:
    rows = store.query("SELECT resource_type, resource_id, account_id FROM resources ORDER BY ALL")
    return {(r["resource_type"], r["resource_id"], r["account_id"]): _blame_of(store, r) for r in rows}


@pytest.fixture
def another_price_table(tmp_path, monkeypatch):
    """The packaged prices as a refreshed table: the same prices, but not the table the inventory was
    derived with, so no stored inventory row is current."""
    before = details.prices_version()
    path = tmp_path / "prices.csv.gz"
    path.write_bytes(gzip.compress(gzip.decompress(
        resources.files("cloudblame.prices").joinpath(DATA_FILE).read_bytes())))
    monkeypatch.setenv("CLOUDBLAME_PRICES", str(path))
    assert details.prices_version() != before


@pytest.fixture
def delegations(monkeypatch) -> list[str]:
    """The event ids of every delegation walk made, by blame or by the details it derives."""
    walked: list[str] = []
    real = delegation.delegate

    def counted(store, created, record=None):
        walked.append(created["event_id"])
        return real(store, created, record)

    monkeypatch.setattr(blame_module, "delegate", counted)
    monkeypatch.setattr(details, "delegate", counted)
    return walked


def test_an_alive_resource_s_details_are_its_inventory_row_s(store, monkeypatch):
    def derived(*args, **kwargs):
        raise AssertionError("an alive resource's details were derived again at read time")

    monkeypatch.setattr(blame_module, "resource_details", derived)
    alive = inventory(store, limit=None)["resources"]
    assert len(alive) > 100
    for item in alive:
        result = blame(store, item["id"], resource_type=item["type"], account=item["account"])
        assert result["status"] == "alive", item
        assert (result["tags"], result["size"], result["purpose"], result["cost"], result["last_activity"]) == (
            item["tags"], item["size"], item["purpose"], item["cost"], item["last_activity"]), item


def test_stored_and_derived_details_give_the_same_blame(store, request):
    stored = _all_blames(store)
    request.getfixturevalue("another_price_table")
    derived = _all_blames(store)
    assert derived == stored
    statuses = {b["status"] for b in stored.values()}
    assert {"alive", "deleted"} <= statuses


def test_a_deleted_resource_a_service_made_is_delegated_once(store, delegations):
    rows = store.query(f"SELECT * FROM resources WHERE NOT alive AND created_event_id IS NOT NULL AND ({SERVICE_MADE})")
    assert rows, "the sample trail has a deleted resource CloudFormation made"
    for row in rows:
        delegations.clear()
        result = _blame_of(store, row)
        assert result["status"] == "deleted" and result["created"]["tool"].get("via") == "cloudformation"
        assert result["purpose"] and result["purpose"]["managed_by"] == "cloudformation"
        assert delegations == [row["created_event_id"]]


def test_an_alive_resource_a_service_made_is_delegated_once_under_another_price_table(
        store, delegations, another_price_table):
    rows = store.query(f"SELECT * FROM resources WHERE alive AND created_event_id IS NOT NULL AND ({SERVICE_MADE})")
    assert any(r["resource_type"] == "AWS::EC2::Instance" for r in rows), "Auto Scaling launched instances"
    for row in rows:
        delegations.clear()
        result = _blame_of(store, row)
        assert result["status"] == "alive" and result["cost"] is not None
        assert delegations == [row["created_event_id"]]


def test_what_a_creation_referenced_is_what_ingest_stored_for_its_event(store):
    rows = store.query("SELECT * FROM resources WHERE created_event_id IS NOT NULL ORDER BY ALL")
    referencing = 0
    for row in rows:
        refs = store.query("SELECT DISTINCT resource_type, resource_id FROM event_resources WHERE event_id = ? "
                           "AND event_time = ? AND action = 'reference' AND resource_id <> ?",
                           [row["created_event_id"], row["created_time"], row["resource_id"]])
        related = _blame_of(store, row)["related"]
        assert {(r["type"], r["id"]) for r in related if r["relation"] == "referenced at creation"} == {
            (r["resource_type"], r["resource_id"]) for r in refs}, row
        referencing += bool(refs)
    assert referencing > 10
