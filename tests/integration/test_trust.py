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


def _console_session_files(folder) -> tuple[str, str, str, str]:
    """Two files of one console session (invictus-aws records): the calls that say
    sessionCredentialFromConsole, and a creation by an AWS-internal agent that does not (a service's
    console creating a security group for the person). Returns (flagged file, unflagged file, the group's
    id, the person)."""
    records = [r for p in sorted(dataset("invictus-aws").rglob("*.json")) for r in json.loads(p.read_text())["Records"]]
    flagged = [r for r in records if str(r.get("sessionCredentialFromConsole")).lower() == "true"
               and not r["userIdentity"].get("invokedBy")][:20]
    key = flagged[0]["userIdentity"]["accessKeyId"]
    flagged = [r for r in flagged if r["userIdentity"]["accessKeyId"] == key]
    create = next(r for r in records if r["eventName"] == "CreateSecurityGroup" and not r.get("errorCode"))
    unflagged = dict(create, userIdentity=flagged[0]["userIdentity"], userAgent="AWS Internal",
                     eventID="c0ffee00-0000-4000-8000-000000000001")
    unflagged.pop("sessionCredentialFromConsole", None)
    folder.mkdir()
    (folder / "a-console.json").write_text(json.dumps({"Records": flagged}))
    (folder / "b-internal.json").write_text(json.dumps({"Records": [unflagged]}))
    return (str(folder / "a-console.json"), str(folder / "b-internal.json"), create["responseElements"]["groupId"],
            flagged[0]["userIdentity"]["userName"])


@pytest.mark.parametrize("order", ["console-first", "internal-first"])
def test_an_aws_internal_agents_call_of_a_console_session_is_console_in_either_order(tmp_path, order):
    """The call without the flag is linked to the console through its session's access key, whichever of
    the two arrives first (two ingests): its event, the resource it created and the person's activity."""
    from cloudblame.pipeline.ingest import ingest_paths

    flagged, unflagged, group, person = _console_session_files(tmp_path / "logs")
    with Store.open(tmp_path / "s") as store:
        for path in ([flagged, unflagged] if order == "console-first" else [unflagged, flagged]):
            ingest_paths(store, [path])
    with Store.open(tmp_path / "s", read_only=True) as store:
        tool = store.scalar("SELECT tool FROM events WHERE event_id = 'c0ffee00-0000-4000-8000-000000000001'")
        raw = store.scalar("SELECT tool FROM event_rows WHERE event_id = 'c0ffee00-0000-4000-8000-000000000001'")
        assert (raw, tool) == ("aws-service", "console")
        created = blame(store, group)["created"]
        assert created["tool"]["id"] == "console" and created["actor"]["human"] == person
        assert store.scalar("SELECT created_tool FROM resources WHERE resource_id = ?", [group]) == "console"
        assert inventory(store, limit=None, resource_type="AWS::EC2::SecurityGroup")["resources"][0]["created"]["tool"] == "console"
        tools = {r["tool"] for r in store.query("SELECT DISTINCT tool FROM activity WHERE human = ?", [person])}
        assert tools == {"console"}


def test_a_free_resource_made_before_the_data_is_not_forgotten_for_its_unknown_creator(invictus_store):
    """Made before the data, its creator unknown: flagged only when it costs something - a type AWS does
    not charge for (a known $0.00) is no more forgotten than an unpriced one."""
    store, _ = invictus_store
    listed = forgotten(store, idle="0d", limit=None)["resources"]
    unknown_creator = [i for i in listed if any("creator unknown" in r for r in i["reasons"])]
    assert all((i["cost"]["usd_per_month"] or 0) > 0 for i in unknown_creator)
    free_before = store.scalar("SELECT count(*) FROM inventory WHERE NOT creator_known AND usd_per_month = 0")
    assert free_before > 0  # invictus-aws has them (roles, policies named before the data)
