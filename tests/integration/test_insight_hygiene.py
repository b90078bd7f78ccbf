"""Hygiene insights (cloudblame.derive.insight_hygiene): on a composed trail (tests/integration/hygiene_records.py)
each kind is raised by the calls that must raise it and by none of the near misses; the same files published in
several batches (history after the findings, a session's issuer after its calls) end with the same insights as
one publish; on the shared datasets and the demo store, exactly what their stories hold is raised."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from cloudblame.derive.insight_hygiene import HYGIENE_KINDS, THRESHOLDS
from cloudblame.pipeline.ingest import ingest_paths
from cloudblame.store import Store
from tests.conftest import dataset
from tests.datasets import read_records
from tests.integration import hygiene_records as h
from tests.lake_helpers import split_batches

HYGIENE_SQL = ("SELECT * FROM insights WHERE source = 'cloudblame' AND kind IN (SELECT unnest(?)) "
               "ORDER BY kind, start_time, insight_id")


def hygiene(store: Store, kind: str | None = None) -> list[dict]:
    """The hygiene insights of ``store`` (of one kind), people and details parsed."""
    rows = store.query(HYGIENE_SQL, [[kind] if kind else list(HYGIENE_KINDS)])
    return [{**r, "people": json.loads(r["people"]), "details": json.loads(r["details"])} for r in rows]


def by_event(rows: list[dict]) -> dict[str, dict]:
    """Point findings by their one event."""
    assert all(len(r["details"]["event_ids"]) == 1 and r["start_time"] == r["end_time"] for r in rows), rows
    return {r["details"]["event_ids"][0]: r for r in rows}


@pytest.fixture(scope="module")
def composed(tmp_path_factory) -> tuple[Path, list[str], dict[str, str]]:
    root = tmp_path_factory.mktemp("hygiene")
    files, ids = h.composed_trail(root / "trail")
    with Store.open(root / "store") as store:
        ingest_paths(store, files)
    return root / "store", files, ids


@pytest.fixture()
def store(composed):
    with Store.open(composed[0], read_only=True) as opened:
        yield opened


def test_root_use_per_hour_without_what_aws_does_as_root(store, composed):
    ids = composed[2]
    rows = hygiene(store, "root-use")
    assert [(r["start_time"], r["end_time"]) for r in rows] == [(h.at(8, 13, 0), h.at(8, 13, 10)),
                                                                (h.at(8, 15, 0), h.at(8, 15, 0))]
    assert rows[0]["details"]["event_ids"] == [ids["root_login_mfa"], ids["root_bucket"], ids["key_root"]]
    assert rows[1]["details"]["event_ids"] == [ids["root_login"]]
    assert all(r["severity"] == "high" and r["people"] == [f"root@{h.A}"] and r["account_id"] == h.A for r in rows)
    assert rows[0]["details"]["principals"] == [f"arn:aws:iam::{h.A}:root"]
    assert "3 calls" in rows[0]["summary"] and "CreateBucket" in rows[0]["summary"]
    # Auto Scaling launching as root at 17:00 (invokedBy) is AWS's own doing
    assert store.scalar("SELECT count(*) FROM event_rows WHERE identity_type = 'Root' AND invoked_by = "
                        "'autoscaling.amazonaws.com'") == 1


def test_console_logins_without_mfa_but_not_with_it_nor_failed_nor_sso(store, composed):
    ids = composed[2]
    found = by_event(hygiene(store, "console-login-without-mfa"))
    assert set(found) == {ids["login_bob"], ids["root_login"]}
    bob, root = found[ids["login_bob"]], found[ids["root_login"]]
    assert (bob["severity"], bob["people"]) == ("medium", ["bob"])
    assert (root["severity"], root["people"]) == ("high", [f"root@{h.A}"])
    assert "without MFA" in bob["summary"] and "MFAUsed = No" in bob["details"]["reason"]
    # the near misses are stored: bob with MFA, bob's failed sign-in, maria's SSO sign-in, root with MFA
    assert store.scalar("SELECT count(*) FROM event_rows WHERE event_name = 'ConsoleLogin'") == 6


def test_access_keys_whose_and_by_whom(store, composed):
    ids = composed[2]
    found = by_event(hygiene(store, "access-key-created"))
    assert set(found) == {ids["key_own"], ids["key_other"], ids["key_root"], ids["key_ops"]}  # not the denied one
    assert (found[ids["key_own"]]["severity"], found[ids["key_own"]]["people"]) == ("medium", ["alice"])
    assert (found[ids["key_other"]]["severity"], found[ids["key_other"]]["people"]) == ("high", ["alice", "ci-bot"])
    assert (found[ids["key_root"]]["severity"], found[ids["key_root"]]["people"]) == ("high", [f"root@{h.A}"])
    # a role session's key: the human is carol, who assumed the role (her AssumeRole is in another file)
    assert (found[ids["key_ops"]]["severity"], found[ids["key_ops"]]["people"]) == ("high", ["carol", "deploy-bot"])
    assert "AKIANEWCIBOT00000001" in found[ids["key_other"]]["summary"]


def test_trails_stopped_deleted_or_cut_but_not_changes_that_keep_logging(store, composed):
    ids = composed[2]
    found = by_event(hygiene(store, "trail-stopped"))
    raising = {ids[f"trail_{n}"] for n, call in enumerate(h.TRAIL_CALLS) if call[2]}
    assert set(found) == raising  # neither the keeping changes nor the denied StopLogging
    assert all(r["severity"] == "high" and r["people"] == ["alice"] for r in found.values())
    names = sorted(r["event_name"] for r in found.values())
    assert names == sorted(name for name, _, raises in h.TRAIL_CALLS if raises)
    assert any("log its home region only" in r["summary"] for r in found.values())


def test_new_region_only_for_a_region_never_used_with_a_week_of_history(store, composed):
    ids = composed[2]
    rows = hygiene(store, "new-region")
    assert [(r["account_id"], r["aws_region"]) for r in rows] == [(h.A, "ap-south-1")]  # not D's: 2 days known
    region = rows[0]
    assert region["details"]["event_ids"] == [ids["new_region_run"]]  # not the read before it
    assert region["details"]["resources"][0]["id"] == "i-0newregion000000001"
    assert (region["severity"], region["people"], region["start_time"]) == ("medium", ["alice"], h.at(8, 10, 10))
    # the creation in eu-west-1, a region alice used all along, and dave's in a region new to an account the
    # store has known for two days (under the week the threshold asks) are stored
    assert store.scalar("SELECT count(*) FROM event_resources WHERE action = 'create' AND NOT failed "
                        "AND resource_id IN ('i-0oldregion000000001', 'i-0dave0000000000001')") == 2
    assert THRESHOLDS.region_covered_days == 7


def test_new_tool_once_per_person_and_tool_after_a_week(store, composed):
    ids = composed[2]
    rows = hygiene(store, "new-tool")
    # not alice's usual aws-cli, nor her unknown script (tool 'other'), nor the tools of people first seen that day
    assert [(r["people"], r["severity"]) for r in rows] == [(["alice"], "low")]
    tool = rows[0]
    assert "terraform" in tool["summary"] and tool["start_time"] == tool["end_time"] == h.at(8, 10, 0)
    assert tool["details"]["event_ids"] == [ids["tf_describe"], ids["new_region_run"]]
    assert store.scalar("SELECT count(DISTINCT tool) FROM activity WHERE human = 'alice'") == 3


def test_logging_gap_in_a_busy_account_not_on_quiet_nights_nor_short_holes_nor_the_trail_end(store):
    rows = hygiene(store, "logging-gap")
    assert [(r["account_id"], r["start_time"], r["end_time"]) for r in rows] == [(h.B, h.at(8, 1), h.at(8, 9))]
    gap = rows[0]
    assert (gap["severity"], gap["people"], gap["duration_minutes"], gap["value"]) == ("medium", [], 480, 0.0)
    assert gap["baseline"] == pytest.approx(11 / 60)
    # account C is quiet every night for 12 hours: as quiet as the nights before, never a gap
    nights = store.scalar(f"SELECT count(DISTINCT hour::DATE) FROM event_hours WHERE account_id = '{h.C}'")
    assert nights == 10
    # B's last hours: 6 without events after 13:00 on day 9, then two late records and nothing (traffic never
    # came back: not a gap, though the days before were as busy at those hours)
    tail = store.query(f"SELECT hour, sum(events) AS n FROM event_hours WHERE account_id = '{h.B}' AND hour >= ? "
                       "GROUP BY hour ORDER BY hour", [h.at(9, 12)])
    assert [(r["hour"], r["n"]) for r in tail] == [(h.at(9, 12), 11), (h.at(9, 19), 2)]
    assert THRESHOLDS.gap_resumed == 0.5


def test_nothing_else_is_raised(store, composed):
    counts = {k: len(hygiene(store, k)) for k in HYGIENE_KINDS}
    assert counts == {"root-use": 2, "console-login-without-mfa": 2, "access-key-created": 4, "trail-stopped": 8,
                      "new-region": 1, "new-tool": 1, "logging-gap": 1}
    assert len({r["insight_id"] for r in hygiene(store)}) == sum(counts.values())


# --- incremental: several publishes end where one does


def _batches(files: list[str], plan: str) -> list[list[str]]:
    if plan != "findings-first":
        return split_batches(files, plan, seed=11)
    named = {Path(f).stem: f for f in files}
    first = [named["a-day8-scenario"], named["b-day8"], named["d-day8"]]  # the findings before their history
    second = [named[f"a-day{d}"] for d in range(8)] + [named[f"b-day{d}"] for d in (0, 1, 2, 3, 4, 9)]
    third = [named["a-day8-sts"]] + [named[f"b-day{d}"] for d in (5, 6, 7)]  # the issuer after its session's key
    return [first, second, third, [f for f in files if f not in first + second + third]]


@pytest.mark.parametrize("plan", ["findings-first", "reversed-3"])
def test_several_publishes_end_as_one(composed, plan, tmp_path):
    db, files, _ = composed
    with Store.open(db, read_only=True) as one:
        expected = one.query(HYGIENE_SQL, [list(HYGIENE_KINDS)])
    with Store.open(tmp_path / "store") as store:
        seen = []
        for batch in _batches(files, plan):
            ingest_paths(store, batch)
            seen.append(hygiene(store))
        assert store.query(HYGIENE_SQL, [list(HYGIENE_KINDS)]) == expected
    if plan == "findings-first":  # the key's person changed once carol's AssumeRole arrived
        keys = [sorted(map(tuple, (r["people"] for r in rows if r["kind"] == "access-key-created"))) for rows in seen]
        assert ("deploy-bot", "ops/ops-session") in keys[0] and ("carol", "deploy-bot") in keys[-1]
        assert not any(r["kind"] in ("new-tool", "new-region", "logging-gap") for r in seen[0])  # no history yet


# --- the shared datasets and the demo


STRATUS = {  # technique file -> the hygiene insights its detonation raises
    "aws.defense-evasion.cloudtrail-stop": [("trail-stopped", "StopLogging")],
    "aws.defense-evasion.cloudtrail-delete": [("trail-stopped", "DeleteTrail")],
    "aws.defense-evasion.cloudtrail-event-selectors": [("trail-stopped", "PutEventSelectors")],
    "aws.persistence.iam-backdoor-user": [("access-key-created", "CreateAccessKey")],
    "aws.persistence.iam-create-admin-user": [("access-key-created", "CreateAccessKey")],
    "aws.initial-access.console-login-without-mfa": [("console-login-without-mfa", "ConsoleLogin")],
}


def test_stratus_red_team_techniques_raise_their_kinds(tmp_path):
    folder = dataset("stratus-red-team")
    files = sorted(folder.rglob("*.json"))
    account_of = {rec["recipientAccountId"]: f.stem for f in files for rec in read_records(f)}
    with Store.open(tmp_path / "store") as store:
        ingest_paths(store, [str(folder)])
        found: dict[str, list] = {}
        for r in hygiene(store):
            found.setdefault(account_of[r["account_id"]], []).append((r["kind"], r["event_name"]))
    assert found == STRATUS
    with Store.open(tmp_path / "store", read_only=True) as store:
        keys = hygiene(store, "access-key-created")
    assert {tuple(r["people"]) for r in keys} == {("christophe", "malicious-iam-user"),
                                                  ("christophe", "stratus-red-team-backdoor-u-user")}
    assert all(r["severity"] == "high" for r in keys)


def test_invictus_raises_its_attack_runs_and_not_what_failed(invictus_store):
    store, _ = invictus_store
    rows = hygiene(store)
    got = sorted((r["kind"], r["event_name"], tuple(r["people"])) for r in rows)
    assert got == sorted([
        ("access-key-created", "CreateAccessKey", ("bert-jan", "malicious-iam-user")),
        ("access-key-created", "CreateAccessKey", ("bert-jan", "stratus-red-team-backdoor-u-user")),
        ("console-login-without-mfa", "ConsoleLogin", ("stratus-red-team-nmfalu-gfjyeaypjt",)),
        ("trail-stopped", "DeleteTrail", ("bert-jan",)),
        ("trail-stopped", "DeleteTrail", ("bert-jan",)),
        ("trail-stopped", "PutEventSelectors", ("bert-jan",)),  # ReadOnly, no management events; not the restore
    ])
    # its StopLogging calls failed (TrailNotFoundException), as did one DeleteTrail: not raised
    assert store.scalar("SELECT count(*) FROM event_rows WHERE event_name IN ('StopLogging', 'DeleteTrail') "
                        "AND error_code IS NOT NULL") == 4


def test_the_demo_raises_its_story_only(made_demo):
    with Store.open(made_demo / "cloudblame-store", read_only=True) as store:
        rows = hygiene(store)
    got = sorted((r["kind"], tuple(r["people"])) for r in rows)
    # maria makes a key for the reports bot; alice, a CLI and SDK user for a week, deploys a CDK app
    assert got == [("access-key-created", ("maria.lopez@example.com", "reports-bot")), ("new-tool", ("alice",))]
    tool = next(r for r in rows if r["kind"] == "new-tool")
    assert "cdk" in tool["summary"] and tool["start_time"] > datetime(2026, 10, 8)
