"""Call-rate and error-rate insights (issue 19), found at publish as CloudTrail Insights finds them.

A composed account: ten days of steady Poisson traffic (writes at 0.1 to 5 calls a minute, failed reads,
throttled retries) and a nightly backup job of 40 calls, with one burst of RunInstances on day 8 and one
AccessDenied storm on day 6: exactly those two are raised, with the figures the records say (computed here
from the records themselves, as an oracle). The same records ingested in batches, out of order, give the same
rows; thresholds come from the store's insights.toml. Then the real logs of invictus-aws (an attack 12 minutes
into 55 minutes of logs) and the demo's planted bursts.
"""

from __future__ import annotations

import json
import math
import random
import shutil
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

import pytest

from cloudblame.derive import publish as publish_module
from cloudblame.pipeline.ingest import ingest_paths
from cloudblame.store import Store
from cloudblame.store.lake import Lake
from tests.integration.sample_records import iam_user, record, sso

START = datetime(2025, 3, 1, tzinfo=UTC)
DAYS = 10
BURST = START + timedelta(days=8, hours=14, minutes=7)  # 12 RunInstances in this minute
STORM = START + timedelta(days=6, hours=3, minutes=30)  # 35 denied ListRoles, every 3 s from here
STORM_CALLS = 35
CUT = STORM + timedelta(minutes=3)  # the first batch ends here: the storm still open
MARIA = "maria.lopez@example.com"
MARIA_ARN = "arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_PlatformAdmin_0a1b2c3d4e5f6a7b/" + MARIA
BOTO = "Boto3/1.35.71 md/Botocore#1.35.71 ua/2.0 os/linux lang/python#3.12.3 Botocore/1.35.71"
SCANNER = "python-requests/2.31.0"
# Steady traffic: (source, name, caller, read_only, error, per minute)
STEADY = (
    ("ssm.amazonaws.com", "PutParameter", "app", False, None, 5.0),
    ("ec2.amazonaws.com", "CreateTags", "tagger", False, None, 1.0),
    ("ec2.amazonaws.com", "RunInstances", "ci", False, None, 0.1),
    ("s3.amazonaws.com", "GetBucketPolicy", "reader", True, "NoSuchBucketPolicy", 0.5),
    ("ec2.amazonaws.com", "DescribeInstances", "reader", True, None, 0.3),
)
RATE_ROWS = "source = 'cloudblame' AND kind IN ('api-call-rate', 'api-error-rate')"


def _poisson(rng: random.Random, mean: float) -> int:
    limit, k, p = math.exp(-mean), 0, rng.random()
    while p > limit:
        k, p = k + 1, p * rng.random()
    return k


def _at(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


@cache
def composed_records() -> tuple[dict, ...]:
    """The account's records, in time order."""
    rng = random.Random(19)
    who = {name: iam_user(name, f"AKIAEXAMPLE{i:09d}") for i, name in
           enumerate(("app", "tagger", "ci", "reader", "deployer", "backup-bot", "reports-bot"))}
    out: list[tuple[datetime, str, str, dict, str, bool, str | None]] = []
    for minute in range(DAYS * 1440):
        t0 = START + timedelta(minutes=minute)
        for source, name, caller, read_only, error, rate in STEADY:
            for _ in range(_poisson(rng, rate)):
                out.append((t0 + timedelta(seconds=rng.randrange(60)), source, name, who[caller], BOTO, read_only, error))
    for day in range(DAYS):
        cron = START + timedelta(days=day, hours=2, minutes=rng.randrange(4), seconds=5)
        out += [(cron + timedelta(seconds=k), "ec2.amazonaws.com", "CreateSnapshot", who["backup-bot"], BOTO, False,
                 None) for k in range(40)]
        retry = START + timedelta(days=day, hours=rng.randrange(8, 18), minutes=rng.randrange(60))
        out += [(retry + timedelta(seconds=k), "ssm.amazonaws.com", "DescribeParameters", who["deployer"], BOTO, True,
                 "ThrottlingException") for k in range(30)]
    out += [(BURST + timedelta(seconds=2 + 4 * k), "ec2.amazonaws.com", "RunInstances",
             sso(MARIA, "ASIAEXAMPLEKEY000777"), BOTO, False, None) for k in range(12)]
    out += [(STORM + timedelta(seconds=3 * k), "iam.amazonaws.com", "ListRoles", who["reports-bot"], SCANNER, True,
             "AccessDenied") for k in range(STORM_CALLS)]
    out.sort(key=lambda item: item[0])
    return tuple(record(n, _at(t), source, name, ident, ua, region="eu-west-1", read_only=ro, error=err)
                 for n, (t, source, name, ident, ua, ro, err) in enumerate(out, 1))


def write_trail(folder: Path, low: datetime, high: datetime) -> Path:
    """The records from ``low`` to ``high`` as trail files under ``folder`` (one a day)."""
    folder.mkdir(parents=True)
    by_day: dict[str, list[dict]] = {}
    for rec in composed_records():
        if _at(low) <= rec["eventTime"] < _at(high):
            by_day.setdefault(rec["eventTime"][:10], []).append(rec)
    for day, records in by_day.items():
        (folder / f"{day}.json").write_text(json.dumps({"Records": records}))
    return folder


BATCHES = ((START, CUT), (START + timedelta(days=8), START + timedelta(days=DAYS)), (CUT, START + timedelta(days=8)))


def rate_rows(store: Store, table: str) -> list[tuple]:
    """Every row of ``table`` (of insights: the rate insights), sorted."""
    where = RATE_ROWS if table == "insights" else "true"
    return store.conn.execute(f"SELECT * FROM {table} WHERE {where} ORDER BY ALL").fetchall()


def _state(db: Path) -> dict[str, list[tuple]]:
    with Store.open(db, read_only=True) as store:
        return {t: rate_rows(store, t) for t in ("insights", "hot_minutes", "api_minutes", "event_hours")}


@pytest.fixture(scope="module")
def composed(tmp_path_factory) -> dict:
    """The account ingested at once (``whole``), and in three batches out of order (``batched``, with the
    rate insights after the first batch)."""
    root = tmp_path_factory.mktemp("rates")
    parts = [write_trail(root / f"part{i}", low, high) for i, (low, high) in enumerate(BATCHES)]
    with Store.open(root / "whole") as store:
        ingest_paths(store, [str(p) for p in parts])
    first = None
    with Store.open(root / "batched") as store:
        for part in parts:
            ingest_paths(store, [str(part)])
            if first is None:
                with Store.open(root / "batched", read_only=True) as seen:
                    first = seen.query(f"SELECT * FROM insights WHERE {RATE_ROWS}")
    return {"root": root, "whole": root / "whole", "batched": root / "batched", "first": first}


def _insights(db: Path) -> list[dict]:
    with Store.open(db, read_only=True) as store:
        rows = store.query(f"SELECT * FROM insights WHERE {RATE_ROWS} ORDER BY start_time")
    for row in rows:
        row["details"], row["people"] = json.loads(row["details"]), json.loads(row["people"])
    return rows


def _series(name: str, low: datetime, high: datetime, *, errors: bool = False) -> int:
    """Records of ``name`` counted in the call-rate (or error-rate) series from ``low`` to ``high``."""
    return sum(1 for r in composed_records() if r["eventName"] == name and _at(low) <= r["eventTime"] < _at(high)
               and (r.get("errorCode") if errors else not r["readOnly"]))


def test_steady_traffic_and_a_nightly_job_raise_nothing_but_the_burst_and_the_storm(composed):
    found = [(i["kind"], i["event_name"], i["start_time"]) for i in _insights(composed["whole"])]
    assert found == [("api-error-rate", "ListRoles", STORM.replace(tzinfo=None)),
                     ("api-call-rate", "RunInstances", BURST.replace(tzinfo=None))]
    with Store.open(composed["whole"], read_only=True) as store:
        hot = store.query("SELECT event_name, count(*) AS n FROM hot_minutes WHERE series IS NOT NULL GROUP BY ALL")
        assert {r["event_name"]: r["n"] for r in hot} == {"RunInstances": 1, "ListRoles": 2}
        # the nightly job alone would stand out: 40 calls where there are none all day
        nightly = store.query("SELECT min(calls) AS low, count(*) AS nights FROM api_minutes WHERE event_name = 'CreateSnapshot'")
        assert nightly == [{"low": 40, "nights": DAYS}]


def test_the_burst_has_its_minute_its_baseline_and_its_person(composed):
    (burst,) = [i for i in _insights(composed["whole"]) if i["kind"] == "api-call-rate"]
    minute = BURST.replace(tzinfo=None)
    assert (burst["start_time"], burst["end_time"], burst["duration_minutes"]) == (minute, minute + timedelta(minutes=1), 1)
    count = _series("RunInstances", BURST, BURST + timedelta(minutes=1))
    assert count >= 12 and burst["value"] == count
    before = _series("RunInstances", BURST - timedelta(days=7), BURST)
    assert burst["baseline"] == pytest.approx(before / 10080) and 0.05 < burst["baseline"] < 0.2
    assert burst["people"] == [MARIA] and burst["severity"] == "medium" and burst["error_code"] is None
    details = burst["details"]
    assert (details["insight_type"], details["baseline_minutes"]) == ("ApiCallRateInsight", 10080)
    callers = {a["attribute"]: a for a in details["attributions"]}
    assert list(callers) == ["userIdentityArn", "userAgent", "errorCode"]
    assert callers["userIdentityArn"]["insight"][0] == {"value": MARIA_ARN, "average": 12.0}
    assert callers["errorCode"]["insight"][0]["value"] == "null"
    assert sum(v["average"] for v in callers["errorCode"]["baseline"]) == pytest.approx(burst["baseline"])
    assert burst["summary"].startswith(f"RunInstances (ec2.amazonaws.com): {count} calls/min against a baseline of 0.")
    assert burst["summary"].endswith(f"by {MARIA}") and "at least 8 a minute" in details["reason"]


def test_the_access_denied_storm_is_one_error_rate_insight_of_high_severity(composed):
    (storm,) = [i for i in _insights(composed["whole"]) if i["kind"] == "api-error-rate"]
    start = STORM.replace(tzinfo=None)
    assert (storm["start_time"], storm["end_time"], storm["duration_minutes"]) == (start, start + timedelta(minutes=2), 2)
    assert (storm["error_code"], storm["severity"], storm["people"]) == ("AccessDenied", "high", ["reports-bot"])
    assert storm["value"] == STORM_CALLS / 2 and storm["baseline"] == pytest.approx(1 / 10080)
    assert [a["attribute"] for a in storm["details"]["attributions"]] == ["userIdentityArn", "userAgent"]
    assert storm["details"]["attributions"][1]["insight"] == [{"value": SCANNER, "average": STORM_CALLS / 2}]


def test_batches_out_of_order_give_the_rows_of_one_ingest(composed):
    whole, batched = _state(composed["whole"]), _state(composed["batched"])
    for table in whole:
        assert batched[table] == whole[table], table
    assert whole["insights"] and whole["hot_minutes"]


def test_an_insight_is_open_while_its_account_is_quiet_since(composed):
    (storm,) = composed["first"]
    assert storm["kind"] == "api-error-rate" and storm["end_time"] is None
    assert storm["duration_minutes"] == 2


def _republish(db: Path) -> None:
    publish_module.publish(Lake.open(db, create=False), compact=True, reason="test")


def test_thresholds_come_from_the_store_and_change_every_verdict(composed, tmp_path):
    db = tmp_path / "store"
    shutil.copytree(composed["whole"], db)
    before = _state(db)
    (db / "insights.toml").write_text("[rates]\nmin_count = 25\nquiet = 5\n")
    _republish(db)
    with Store.open(db, read_only=True) as store:
        assert store.query(f"SELECT count(*) AS n FROM insights WHERE {RATE_ROWS}") == [{"n": 0}]
        assert store.query("SELECT thresholds FROM hot_minutes") == [
            {"thresholds": "min_count=25 multiplier=10.0 alpha=1e-06 quiet=5 warmup=10"}]
    (db / "insights.toml").write_text("[rates]\nmultiplier = 10\n")  # the defaults, spelled out
    _republish(db)
    assert _state(db) == before


def test_the_first_minutes_of_a_store_raise_nothing(tmp_path):
    """A store's first minute has no baseline yet: 12 writes a minute, steady from the start, are no burst
    once the warm-up has seen them (without it, the first minute would be one)."""
    app = iam_user("app", "AKIAEXAMPLE000000001")
    records = [record(n, _at(START + timedelta(seconds=5 * n)), "ssm.amazonaws.com", "PutParameter", app, BOTO)
               for n in range(360)]  # 30 minutes
    trail = tmp_path / "trail"
    trail.mkdir()
    (trail / "steady.json").write_text(json.dumps({"Records": records}))
    with Store.open(tmp_path / "store") as store:
        ingest_paths(store, [str(trail)])
    assert _insights(tmp_path / "store") == []
    (tmp_path / "store" / "insights.toml").write_text("[rates]\nwarmup = 0\n")
    _republish(tmp_path / "store")
    assert [(i["start_time"], i["value"]) for i in _insights(tmp_path / "store")] == [(START.replace(tzinfo=None), 12.0)]


def test_a_bad_thresholds_file_is_the_users_to_fix(tmp_path):
    from cloudblame.core.errors import BadInput
    from cloudblame.derive.insight_rates import RateThresholds, load_thresholds

    assert load_thresholds(tmp_path) == RateThresholds()
    for text in ("[rates]\nmin_count = 0\n", "[rates]\nalpha = 2\n", "[rates]\nspeed = 1\n", "[rates\n",
                 "[rates]\nquiet = 2.5\n"):
        (tmp_path / "insights.toml").write_text(text)
        with pytest.raises(BadInput, match="insights.toml"):
            load_thresholds(tmp_path)
    (tmp_path / "insights.toml").write_text("[rates]\nmin_count = 5\nalpha = 1e-9\n[costs]\nanything = 1\n")
    assert load_thresholds(tmp_path) == RateThresholds(min_count=5, alpha=1e-9)


def test_a_store_derived_again_from_all_its_events_finds_the_same(composed, tmp_path, monkeypatch):
    db = tmp_path / "store"
    shutil.copytree(composed["batched"], db)
    monkeypatch.setattr(publish_module, "DERIVED_AGAIN_BELOW", 10 ** 6)  # as after an upgrade
    _republish(db)
    assert _state(db) == _state(composed["whole"])


# --- real logs


def test_invictus_attack_runs_stand_out_and_throttled_retries_do_not(invictus_store):
    store, _ = invictus_store
    errors = store.query("SELECT * FROM insights WHERE source = 'cloudblame' AND kind = 'api-error-rate' "
                         "ORDER BY start_time")
    assert [(i["event_name"], i["start_time"].strftime("%H:%M"), i["error_code"], i["severity"]) for i in errors] == [
        ("GetPasswordData", "11:54", "Client.UnauthorizedOperation", "high"),
        ("DescribeInstanceAttribute", "12:02", "Client.UnauthorizedOperation", "high")]
    for insight in errors:
        agents = json.loads(insight["details"])["attributions"][1]
        assert agents["attribute"] == "userAgent" and agents["insight"][0]["value"].startswith("stratus-red-team_")
    throttled = store.query("SELECT count(*) AS n FROM insights WHERE source = 'cloudblame' AND event_name IN "
                            "('PutParameter', 'DeleteParameter', 'DescribeParameters') AND kind = 'api-error-rate'")
    assert throttled == [{"n": 0}]
    calls = store.query("SELECT DISTINCT people FROM insights WHERE source = 'cloudblame' AND kind = 'api-call-rate'")
    assert calls == [{"people": '["bert-jan"]'}]  # Terraform's applies and destroys: bursts of writes


def test_the_demo_raises_its_two_planted_bursts_and_nothing_else(made_demo):
    with Store.open(made_demo / "cloudblame-store", read_only=True) as store:
        found = store.query(f"SELECT * FROM insights WHERE {RATE_ROWS} ORDER BY start_time")
        launches = store.query("SELECT date_trunc('minute', min(event_time)) AS minute, count(*) AS n FROM event_rows "
                               "WHERE event_name = 'RunInstances' AND error_code IS NULL AND user_name = 'alice'")
    assert [(i["kind"], i["event_name"]) for i in found] == [("api-call-rate", "RunInstances"),
                                                            ("api-error-rate", "ListUsers")]
    burst, storm = found
    assert launches == [{"minute": burst["start_time"], "n": 8}]
    assert (burst["value"], burst["duration_minutes"], burst["people"]) == (8.0, 1, '["alice"]')
    assert (storm["error_code"], storm["severity"], storm["people"]) == ("AccessDenied", "high", '["reports-bot"]')
    assert storm["value"] == 20.0 and storm["duration_minutes"] == 2
