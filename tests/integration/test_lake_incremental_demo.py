"""Issue #15, derived facts from new data only, on the demo trail and on composed identity chains: the same
files ingested in several splits and orders (reversed, random with fixed seeds, dealt round-robin, one at a
time) end with every table equal to one ingest of them all (see test_lake_incremental.py)."""

from __future__ import annotations

import json

import pytest

from cloudblame.demo.generator import generate_sample_trail
from cloudblame.store import Store
from tests.integration import test_identity_chain as chain
from tests.integration.sample_records import ACCOUNT, TF_UA, iam_user, record, sso
from tests.lake_helpers import References


@pytest.fixture(scope="module")
def references(tmp_path_factory) -> References:
    return References(tmp_path_factory)


@pytest.fixture(scope="module")
def demo_files(tmp_path_factory) -> list[str]:
    root = tmp_path_factory.mktemp("demo") / "trail"
    generate_sample_trail(root, records=3000, seed=29)
    return sorted(str(p) for p in root.rglob("*.json.gz"))


@pytest.mark.parametrize("plan,seed", [("reversed-3", 0), ("random-5", 1), ("interleaved-3", 2)])
def test_the_demo_trail_ingested_in_batches_equals_one_ingest(demo_files, plan, seed, references, tmp_path):
    assert len(demo_files) > 100
    references.check(tmp_path / "store", ("demo",), demo_files, plan, seed)


# --- composed identity chains: sessions whose issuing STS calls, callers and creations arrive apart


def _composed_records() -> list[dict]:
    sts, calls = chain._chained_sso_records()  # maria (SSO) -> platform-admin -> terraform-deployer: RunInstances
    alice, bob = iam_user("alice", "AKIAALICE0000000001"), iam_user("bob", "AKIABOB00000000001")
    group = [record(30, "2025-03-05T09:00:00Z", "autoscaling.amazonaws.com", "CreateAutoScalingGroup", alice, TF_UA,
                    {"autoScalingGroupName": "workers", "minSize": 1, "maxSize": 4}, None),
             record(31, "2025-03-05T11:00:00Z", "autoscaling.amazonaws.com", "UpdateAutoScalingGroup", bob,
                    "aws-cli/2.15.0", {"autoScalingGroupName": "workers", "desiredCapacity": 3}, None),
             chain._slr_launch(32, "2025-03-05T12:00:00Z", {"aws:autoscaling:groupName": "workers"}),
             chain._slr_launch(33, "2025-03-05T10:00:00Z", {"aws:autoscaling:groupName": "workers"})]
    issue = chain.assume_role(60, "2025-03-08T09:00:00Z", alice, ACCOUNT, "ops", "alice-ops", "ASIALOGGEDKEY000001")
    session = chain.role_session(ACCOUNT, "ops", "alice-ops", "ASIAOTHERKEY0000001", "2025-03-08T09:00:03Z")
    url = f"https://sqs.eu-west-1.amazonaws.com/{ACCOUNT}/ops-q"
    queue = [record(61, "2025-03-08T09:10:00Z", "sqs.amazonaws.com", "CreateQueue", session, "aws-cli/2.15.0",
                    {"queueName": "ops-q"}, {"queueUrl": url}),
             record(62, "2025-03-08T12:00:00Z", "sqs.amazonaws.com", "DeleteQueue", bob, "aws-cli/2.15.0",
                    {"queueUrl": url}, None),
             record(63, "2025-03-08T13:00:00Z", "sqs.amazonaws.com", "CreateQueue", session, "aws-cli/2.15.0",
                    {"queueName": "ops-q"}, {"queueUrl": url})]
    maria = sso("maria.lopez@example.com", "ASIAMARIASSO0000001")
    tag = record(64, "2025-03-04T10:00:00Z", "ec2.amazonaws.com", "CreateTags", maria, "aws-cli/2.15.0",
                 {"resourcesSet": {"items": [{"resourceId": "i-0aaaabbbbccccdddd"}]},
                  "tagSet": {"items": [{"key": "owner", "value": "maria"}]}}, None)
    return sts + calls + group + [issue] + queue + [tag]


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
def test_composed_identity_chains_in_any_order_equal_one_ingest(composed_files, plan, seed, references, tmp_path):
    references.check(tmp_path / "store", ("composed",), composed_files, plan, seed)
    # the same rows, and the right ones: the chained session's creation resolves to the person behind it
    with Store.open(tmp_path / "store", read_only=True) as store:
        created = store.conn.execute("SELECT created_by FROM resources WHERE resource_id = 'i-0aaaabbbbccccdddd'"
                                     ).fetchall()
    assert created == [("maria.lopez@example.com",)]
