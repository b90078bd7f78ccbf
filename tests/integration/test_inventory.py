"""inventory and forgotten on the sample trail (known answers) and on invictus-aws."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from cloudblame.cli import app
from cloudblame.demo import generate_sample_trail
from cloudblame.pipeline.ingest import ingest_paths
from cloudblame.queries.inventory import forgotten, inventory
from cloudblame.store import Store


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    root = tmp_path_factory.mktemp("inv")
    sample = generate_sample_trail(root / "trail", records=3000)
    store = Store.open(root / "inv-store")
    ingest_paths(store, [str(root / "trail")])
    yield sample, store
    store.close()


def _by_id(items):
    return {i["id"]: i for i in items}


def test_inventory_lists_what_is_alive_with_owner_purpose_and_cost(sandbox):
    sample, store = sandbox
    result = inventory(store, limit=None)
    items = _by_id(result["resources"])
    assert result["count"] == len(result["resources"]) == store.scalar("SELECT count(*) FROM resources WHERE alive")
    for e in sample.expected:
        if e.resource_type in ("AWS::EC2::Instance", "AWS::EC2::NatGateway", "AWS::RDS::DBInstance"):
            assert (e.resource_id in items) == (e.deleted is None), e
    nat = next(i for i in items.values() if i["type"] == "AWS::EC2::NatGateway")
    assert nat["owner"] == "maria.lopez@example.com" and nat["purpose"]["project"] == "storefront"
    assert nat["purpose"]["managed_by"] == "terraform" and nat["cost"]["usd_per_month"] > 20
    gpu = next(i for i in items.values() if i["name"] == "bob-gpu-experiment")
    assert gpu["size"]["instance_type"] == "p3.2xlarge" and gpu["cost"]["usd_per_month"] > 1000
    assert "p3.2xlarge" in gpu["cost"]["basis"]
    asg_made = [i for i in items.values() if i["purpose"]["auto_scaling_group"] == "storefront-workers"]
    assert asg_made and all(i["owner"] == "maria.lopez@example.com" for i in asg_made)
    unpriced = [i for i in items.values() if i["type"] == "AWS::SQS::Queue"]
    assert all(i["cost"]["usd_per_month"] is None and i["cost"]["basis"] for i in unpriced)  # unknown, never 0


def test_inventory_filters_and_groups(sandbox):
    _, store = sandbox
    everything = inventory(store, limit=None)["resources"]
    bob = inventory(store, owner="BOB", limit=None)["resources"]
    assert bob and bob == [i for i in everything if i["owner"] == "bob"]
    terraform = inventory(store, tool="terraform", resource_type="AWS::EC2::Subnet", limit=None)["resources"]
    assert terraform == [i for i in everything if i["type"] == "AWS::EC2::Subnet" and i["created"]
                         and i["created"]["tool"] == "terraform"] != []
    groups = inventory(store, by="owner")["groups"]
    assert groups[0]["usd_per_month"] >= groups[-1]["usd_per_month"]
    assert sum(g["resources"] for g in groups) == len(everything)
    top = inventory(store, limit=5)
    assert top["resources"] == everything[:5] and top["count"] == len(everything)
    assert top["total_usd_per_month"] == round(sum(i["cost"]["usd_per_month"] or 0 for i in everything), 2)
    assert {g["key"] for g in inventory(store, by="tool")["groups"]} >= {"terraform", "console"}
    with pytest.raises(ValueError, match="--by must be one of"):
        inventory(store, by="colour")


def test_forgotten_finds_bobs_expensive_leftovers(sandbox):
    _, store = sandbox
    result = forgotten(store, idle="14d", limit=None)
    items = _by_id(result["resources"])
    gpu = next(i for i in items.values() if i["name"] == "bob-gpu-experiment")
    assert any("creator bob was deleted" in r for r in gpu["reasons"])
    assert any("made by hand (console)" in r for r in gpu["reasons"]) and "bob" in gpu["ask"]
    assert "bob-analytics" in items
    assert all("maria" not in i["created"]["by"] for i in items.values() if i["created"])  # maria is active
    costs = [i["cost"]["usd_per_month"] for i in result["resources"] if i["cost"]["usd_per_month"] is not None]
    assert costs == sorted(costs, reverse=True) and result["total_usd_per_month"] >= sum(costs) - 0.01


def test_inventory_and_forgotten_commands(sandbox, tmp_path):
    _, store = sandbox
    runner = CliRunner()
    copy = store.path  # the CLI reads the same store while this process holds a reader of it
    out = runner.invoke(app, ["inventory", "--db", str(copy), "--by", "owner", "-f", "json"])
    assert out.exit_code == 0, out.output
    assert {"key", "resources", "usd_per_month", "unpriced"} <= set(json.loads(out.stdout)["groups"][0])
    out = runner.invoke(app, ["forgotten", "--db", str(copy), "--idle", "14d", "-f", "json"])
    assert out.exit_code == 0, out.output
    first = json.loads(out.stdout)["resources"][0]
    assert first["name"] == "bob-gpu-experiment" and first["ask"] == ["bob"]  # the costliest
    assert runner.invoke(app, ["forgotten", "--db", str(copy)]).exit_code == 0
    assert runner.invoke(app, ["inventory", "--db", str(copy)]).exit_code == 0


def test_invictus_terraform_environment_under_bert_jan(invictus_store):
    """bert-jan's Terraform environment: what is still alive is his in the inventory; the instances and
    NAT gateways (destroyed again within the data) are priced in their blame."""
    from cloudblame.queries.blame import blame

    store, _ = invictus_store
    mine = inventory(store, owner="bert-jan", limit=None)["resources"]
    assert {"AWS::EC2::VPC", "AWS::EC2::Subnet", "AWS::SecretsManager::Secret"} <= {i["type"] for i in mine}
    assert all(i["created"]["by"] == "bert-jan" for i in mine if i["created"])
    made = store.query("SELECT resource_id FROM resources WHERE created_by = 'bert-jan' AND created_tool = 'terraform' "
                       "AND resource_type IN ('AWS::EC2::Instance', 'AWS::EC2::NatGateway')")
    assert len(made) == 4
    for row in made:
        result = blame(store, row["resource_id"])
        cost = result["cost_while_alive"]
        assert result["cost"] is None and cost["usd_per_month"] and cost["usd_per_month"] > 0, cost


def test_a_refreshed_price_table_is_used_when_present(tmp_path, monkeypatch):
    from cloudblame.prices.table import write_table
    from cloudblame.queries.inventory import price_table

    monkeypatch.setenv("CLOUDBLAME_PRICES", str(tmp_path / "prices.csv.gz"))
    assert price_table().monthly_cost("AWS::EC2::NatGateway", {}, "us-east-1").usd_per_month > 0  # packaged
    write_table([{"service": "nat", "region": "us-east-1", "item": "gateway", "unit": "hour", "usd": "1",
                  "price_list_date": "2026-11-01", "source": "test", "note": ""}], tmp_path / "prices.csv.gz")
    assert price_table().monthly_cost("AWS::EC2::NatGateway", {}, "us-east-1").usd_per_month == 730
    out = CliRunner().invoke(app, ["prices", "show", "AWS::EC2::NatGateway", "--region", "us-east-1"])
    assert out.exit_code == 0 and "$730.00/month" in out.stdout


def test_later_tags_and_parents(sandbox):
    from cloudblame.queries.blame import blame

    sample, store = sandbox
    spot = blame(store, sample.spotlight)
    assert spot["tags"]["Name"] == "tom-load-test" and spot["tags"]["CostCenter"] == "qa"  # set later by alice
    assert spot["purpose"]["owner_tag"] == "tom.becker@example.com"
    alive = inventory(store, limit=None)["resources"]
    nodegroup = next(i for i in alive if i["type"] == "AWS::EKS::Nodegroup")
    assert nodegroup["purpose"]["parent"] == {"type": "AWS::EKS::Cluster", "id": "sandbox-eks"}
    asg_made = [i for i in alive if i["purpose"]["auto_scaling_group"]]
    assert all(i["purpose"]["parent"]["type"] == "AWS::AutoScaling::AutoScalingGroup" for i in asg_made)


def test_blame_tells_what_the_inventory_tells(sandbox):
    """blame reads a resource's details from the rows it has already read (its tagging events among
    them) and its lookups side by side: the same tags, size, purpose and cost as the inventory."""
    from cloudblame.queries.blame import blame

    _, store = sandbox
    alive = inventory(store, limit=None)["resources"]
    assert len(alive) > 50 and any(i["tags"] for i in alive)
    for item in alive:
        found = blame(store, item["id"], resource_type=item["type"], account=item["account"])
        assert (found["tags"], found["size"], found["purpose"], found["cost"]) == \
            (item["tags"], item["size"], item["purpose"], item["cost"]), item["id"]
        assert found["created"] is None or found["created"]["event_id"] == item["created"]["event_id"]


def _as_derived(items):
    """Inventory items as the events derive them: without what an imported bill charged (cost.actual) and what AWS
    said when last described (live)."""
    return _by_id({**{k: v for k, v in i.items() if k != "live"},
                   "cost": {k: v for k, v in i["cost"].items() if k != "actual"}} for i in items)


def _alive_derived_now(store):
    """The inventory shapes of every alive resource derived from the events now (not the stored table)."""
    from cloudblame.derive.details import gather_evidence, resource_details

    rows = store.query("SELECT * FROM resources WHERE alive")
    evidence = gather_evidence(store, rows)
    return _by_id(resource_details(store, row, evidence) for row in rows)


def test_stored_details_equal_details_derived_now(sandbox):
    _, store = sandbox
    stored = store.scalar("SELECT count(*) FROM inventory")
    assert stored == store.scalar("SELECT count(*) FROM resources WHERE alive") > 0
    assert _as_derived(inventory(store, limit=None)["resources"]) == _alive_derived_now(store)


def test_details_follow_later_events_and_the_price_table(tmp_path, monkeypatch):
    """A tag set in a later ingest reaches the stored details; a new price table reprices at once (the
    query derives what is stale) and the next ingest stores the new costs."""
    import uuid

    from cloudblame.prices.table import write_table
    from tests.integration.formats import write_jsonl

    generate_sample_trail(tmp_path / "trail", records=1500, seed=11)
    with Store.open(tmp_path / "s-store") as store:
        ingest_paths(store, [str(tmp_path / "trail")])
        target = store.query("SELECT resource_id, account_id, region FROM resources WHERE alive "
                             "AND resource_type = 'AWS::EC2::Instance' ORDER BY resource_id LIMIT 1")[0]
        later = store.scalar("SELECT max(event_time) FROM events").strftime("%Y-%m-%dT%H:%M:%SZ")
        tagging = {"eventVersion": "1.08", "eventTime": later, "eventSource": "ec2.amazonaws.com",
                   "eventName": "CreateTags", "awsRegion": target["region"], "sourceIPAddress": "192.0.2.7",
                   "userAgent": "aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64", "eventID": str(uuid.uuid4()),
                   "userIdentity": {"type": "IAMUser", "principalId": "AIDAEXAMPLE0000000001", "userName": "alice",
                                    "arn": f"arn:aws:iam::{target['account_id']}:user/alice",
                                    "accountId": target["account_id"]},
                   "requestParameters": {"resourcesSet": {"items": [{"resourceId": target["resource_id"]}]},
                                         "tagSet": {"items": [{"key": "Project", "value": "zeta-later"}]}},
                   "responseElements": {"_return": True}, "readOnly": False, "eventType": "AwsApiCall",
                   "recipientAccountId": target["account_id"]}
        write_jsonl(tmp_path / "later", [tagging])
        ingest_paths(store, [str(tmp_path / "later")])
        item = _by_id(inventory(store, resource_type="AWS::EC2::Instance", limit=None)["resources"])[target["resource_id"]]
        assert item["tags"]["Project"] == "zeta-later" and item["purpose"]["project"] == "zeta-later"

        nat = inventory(store, resource_type="AWS::EC2::NatGateway", limit=1)["resources"][0]
        monkeypatch.setenv("CLOUDBLAME_PRICES", str(tmp_path / "prices.csv.gz"))
        write_table([{"service": "nat", "region": nat["region"], "item": "gateway", "unit": "hour", "usd": "1",
                      "price_list_date": "2026-11-01", "source": "test", "note": ""}], tmp_path / "prices.csv.gz")
        repriced = inventory(store, resource_type="AWS::EC2::NatGateway", limit=None)["resources"]
        assert {i["cost"]["usd_per_month"] for i in repriced} == {730.0}
        assert store.scalar("SELECT count(*) FROM inventory WHERE prices LIKE 'packaged:%'") > 0
        ingest_paths(store, [str(tmp_path / "later")])  # nothing new: only the stale details are derived
        assert store.scalar("SELECT count(*) FROM inventory WHERE prices LIKE 'packaged:%'") == 0
        assert _as_derived(inventory(store, limit=None)["resources"]) == _alive_derived_now(store)
