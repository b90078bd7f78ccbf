"""Answers you can trust: a resource exists only once a successful call proved it; a call that failed
is an attempt (blame says who tried and what AWS answered); inventory and forgotten never list it."""

from __future__ import annotations

import json

import pytest

from cloudblame.derive import lifecycle
from cloudblame.derive.publish import publish
from cloudblame.queries.blame import blame
from cloudblame.queries.inventory import forgotten, inventory
from cloudblame.store import Store
from tests.conftest import build_store, dataset


def _named_in_successful_calls(folder) -> set[str]:
    """Every string a successful record carries anywhere: a resource proven to exist is named in one."""
    found: set[str] = set()
    for path in sorted(folder.rglob("*.json")):
        for rec in json.loads(path.read_text())["Records"]:
            if not rec.get("errorCode"):
                found.add(json.dumps(rec))
    return found


def test_nothing_named_only_in_failed_calls_is_alive(invictus_store):
    store, _ = invictus_store
    successful = "\n".join(_named_in_successful_calls(dataset("invictus-aws")))
    alive = inventory(store, limit=None)["resources"]
    assert alive and all(r["id"] in successful for r in alive)
    attempted = store.query("""SELECT resource_id FROM resources r WHERE NOT EXISTS (
        SELECT 1 FROM event_resources x WHERE x.resource_id = r.resource_id AND NOT x.failed)""")
    assert attempted, "invictus-aws names resources in denied calls only (the stratus-red-team runs)"
    ids = {r["resource_id"] for r in attempted}
    assert not ids & {r["id"] for r in alive}
    assert not ids & {r["id"] for r in forgotten(store, idle="0d", limit=None)["resources"]}


def test_blame_of_an_attempt_says_who_tried_and_what_aws_answered(invictus_store):
    store, _ = invictus_store
    rid = store.query("""SELECT resource_id FROM resources r WHERE resource_type = 'AWS::EC2::Instance' AND NOT EXISTS (
        SELECT 1 FROM event_resources x WHERE x.resource_id = r.resource_id AND NOT x.failed) ORDER BY 1""")[0]["resource_id"]
    result = blame(store, rid)
    assert result["status"] == "attempted" and result["alive"] is False and result["cost"] is None
    assert result["created"] is None and result["deleted"] is None
    attempt = result["attempted"]
    assert attempt["actor"]["human"] == "bert-jan" and attempt["tool"]["id"] == "stratus-red-team"
    assert attempt["error_code"] == "Client.UnauthorizedOperation"
    assert attempt["attempts"] == len(result["timeline"]) and all(t["error_code"] for t in result["timeline"])


def test_blame_of_a_deleted_resource_has_no_monthly_cost(invictus_store):
    store, _ = invictus_store
    row = store.query("SELECT resource_id FROM resources WHERE deleted_event_id IS NOT NULL AND creator_known "
                      "AND resource_type = 'AWS::EC2::Instance' ORDER BY 1 LIMIT 1")
    if not row:
        pytest.skip("no deleted instance in invictus-aws")
    result = blame(store, row[0]["resource_id"])
    assert result["status"] == "deleted" and result["cost"] is None


def test_a_store_derived_by_an_older_cloudblame_is_derived_again(tmp_path, monkeypatch):
    """A store whose resources were derived when a failed call made a resource alive (schema 9) gets them
    derived again by its next publish, with no new events."""
    folder = dataset("invictus-aws")
    monkeypatch.setattr("cloudblame.store.lake.SCHEMA_VERSION", 9)
    monkeypatch.setattr(lifecycle, "RESOURCES_SQL", lifecycle.RESOURCES_SQL.replace("AND s.proven AS alive", "AS alive"))
    store, _ = build_store(tmp_path / "s", folder)
    old_alive = inventory(store, limit=None)["count"]
    store.close()
    monkeypatch.undo()
    with Store.open(tmp_path / "s") as store:
        assert publish(store.lake, reason="upgrade").snapshot is not None
    with Store.open(tmp_path / "s", read_only=True) as store:
        now_alive = inventory(store, limit=None)["count"]
        assert now_alive < old_alive
        assert now_alive == store.scalar("SELECT count(*) FROM resources WHERE alive")
        with Store.open(tmp_path / "s") as again:
            assert publish(again.lake, reason="nothing new").snapshot is None


def test_console_work_through_service_consoles_is_console(invictus_store):
    """bert-jan and benjamin in the console: AWS-internal agents ("AWS Internal" with
    sessionCredentialFromConsole, AWS Health invoked for the page, a service's console backend "RDS
    Console, aws-internal/3 ..." without the flag) call with their console sessions' access keys; every
    call of those sessions is a console call by the person."""
    store, _ = invictus_store
    keys = set()
    for path in sorted(dataset("invictus-aws").rglob("*.json")):
        for rec in json.loads(path.read_text())["Records"]:
            if str(rec.get("sessionCredentialFromConsole")).lower() == "true":
                keys.add(rec["userIdentity"]["accessKeyId"])
    rows = store.query("SELECT access_key_id, user_agent, tool, actor FROM events WHERE access_key_id IN "
                       "(SELECT unnest(?::VARCHAR[]))", [sorted(keys)])
    assert {r["user_agent"] for r in rows} >= {"AWS Internal"} and len(rows) > 100
    assert any(r["user_agent"].startswith("RDS Console") for r in rows)
    assert {(r["tool"], r["actor"]) for r in rows} == {("console", "bert-jan"), ("console", "benjamin")}
