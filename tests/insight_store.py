"""A small composed store with insights of several kinds planted (tests/insight_rows.py) over the events
they stand on: a burst of RunInstances by alice, a storm of AccessDenied CreateUser calls by mallory, an
access key tom created, a cost burst; ids chosen so that a prefix is ambiguous. The faces' tests
(CLI, web, MCP) read it; whatever the derive steps also find there is left alongside."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from cloudblame.store import Store
from tests.insight_rows import hot_rows, insight_row, minute_rows, minutes_between, plant
from tests.integration.formats import write_trail_layout
from tests.integration.sample_records import ACCOUNT, CLI_UA, iam_user, record

REGION = "eu-west-1"
BURST = datetime(2025, 3, 4, 10, 0)  # ten minutes of RunInstances, three a minute
STORM = datetime(2025, 3, 4, 11, 0)  # five minutes of denied CreateUser, four a minute
OPEN_START = datetime(2025, 3, 6, 7, 58)  # an insight still open at the newest event (08:00)
CALL_RATE, ERROR_RATE, KEY, COST, AWS_RATE, SAME_PREFIX, OPEN_RATE = (
    "a1b2c3d4e5f60001", "a1b2c3d4e5f60002", "b0b0b0b0b0b00003", "c0c0c0c0c0c00004", "d0d0d0d0d0d00005",
    "a1b2c3ffff000006", "e0e0e0e0e0e00007")
PLANTED = (CALL_RATE, ERROR_RATE, KEY, COST, AWS_RATE, SAME_PREFIX, OPEN_RATE)


@dataclass(frozen=True)
class InsightStore:
    db: Path
    run_ids: list[str]  # the burst's event ids
    denied_ids: list[str]
    key_event: str


def _event_id(n: int) -> str:
    return f"7d3f2e10-aaaa-bbbb-cccc-{n:012d}"


def _records() -> list[dict]:
    alice, mallory, tom = (iam_user("alice", "AKIAEXAMPLEALICE0001"), iam_user("mallory", "AKIAEXAMPLEMALLORY01"),
                           iam_user("tom", "AKIAEXAMPLEKEY000009"))
    out = [record(1, "2025-03-04T09:30:10Z", "ec2.amazonaws.com", "RunInstances", alice, CLI_UA,
                  {"instanceType": "t3.micro"}, {"instancesSet": {"items": [{"instanceId": "i-0000000000000base"}]}},
                  region=REGION)]
    for n in range(30):
        when = BURST + timedelta(minutes=n // 3, seconds=5 + 10 * (n % 3))
        out.append(record(100 + n, when.strftime("%Y-%m-%dT%H:%M:%SZ"), "ec2.amazonaws.com", "RunInstances", alice,
                          CLI_UA, {"instanceType": "p3.2xlarge"},
                          {"instancesSet": {"items": [{"instanceId": f"i-0burst{n:011d}"}]}}, region=REGION))
    for n in range(20):
        when = STORM + timedelta(minutes=n // 4, seconds=3 + 12 * (n % 4))
        out.append(record(200 + n, when.strftime("%Y-%m-%dT%H:%M:%SZ"), "iam.amazonaws.com", "CreateUser", mallory,
                          CLI_UA, {"userName": f"svc-{n}"}, None, region=REGION, error="AccessDenied"))
    out.append(record(300, "2025-03-04T12:00:00Z", "iam.amazonaws.com", "CreateAccessKey", tom, CLI_UA,
                      {"userName": "tom"}, {"accessKey": {"accessKeyId": "AKIAEXAMPLENEWKEY001"}}, region=REGION))
    out.append(record(302, "2025-03-06T07:58:30Z", "ec2.amazonaws.com", "CreateTags", tom, CLI_UA,
                      {"resourcesSet": {"items": [{"resourceId": "i-0000000000000base"}]}}, None, region=REGION))
    out.append(record(301, "2025-03-06T08:00:00Z", "sts.amazonaws.com", "GetCallerIdentity", tom, CLI_UA,
                      None, None, region=REGION, read_only=True))
    return out


def _insights(run_ids: list[str]) -> list[dict]:
    burst_end, storm_end = BURST + timedelta(minutes=10), STORM + timedelta(minutes=5)  # the minute after
    attributions = [
        {"attribute": "userIdentityArn",
         "insight": [{"value": f"arn:aws:iam::{ACCOUNT}:user/alice", "average": 3.0}],
         "baseline": [{"value": f"arn:aws:iam::{ACCOUNT}:user/alice", "average": 0.05}]},
        {"attribute": "userAgent", "insight": [{"value": CLI_UA, "average": 3.0}], "baseline": []}]
    gpu = [{"type": "AWS::EC2::Instance", "id": f"i-0burst{n:011d}", "region": REGION, "usd_per_month": 2233.80,
            "why": "GPU instance p3.2xlarge"} for n in range(3)]
    return [
        insight_row(CALL_RATE, "api-call-rate", BURST, severity="high", region=REGION, end=burst_end,
                    event_source="ec2.amazonaws.com", event_name="RunInstances", people=["alice"],
                    summary="RunInstances 60x its usual rate for 10 minutes (alice)", baseline=0.05, value=3.0,
                    details={"insight_type": "ApiCallRateInsight", "baseline_minutes": 10080,
                             "attributions": attributions, "principals": [f"arn:aws:iam::{ACCOUNT}:user/alice"],
                             "reason": "3 calls a minute against a baseline of 0.05"}),
        insight_row(ERROR_RATE, "api-error-rate", STORM, severity="medium", region=REGION, end=storm_end,
                    event_source="iam.amazonaws.com", event_name="CreateUser", error_code="AccessDenied",
                    people=["mallory"], summary="CreateUser failing with AccessDenied 4 times a minute (mallory)",
                    baseline=0.0, value=4.0, details={"insight_type": "ApiErrorRateInsight"}),
        insight_row(KEY, "access-key-created", datetime(2025, 3, 4, 12, 0), severity="low", region=REGION,
                    end=datetime(2025, 3, 4, 12, 0), people=["tom"], summary="tom created access key AKIA...NEWKEY001",
                    details={"event_ids": [_event_id(300)], "reason": "a long-lived key was created"}),
        insight_row(COST, "cost-burst", BURST, severity="high", region=REGION, end=BURST + timedelta(minutes=9, seconds=25),
                    people=["alice"],
                    summary="alice started 3 GPU instances in 10 minutes", cost=6701.4,
                    details={"resources": gpu, "event_ids": run_ids[:3]}),
        insight_row(AWS_RATE, "api-call-rate", BURST + timedelta(minutes=1), source="aws", severity="low",
                    region=REGION, end=BURST + timedelta(minutes=8), event_source="ec2.amazonaws.com",
                    event_name="RunInstances", people=["alice"], summary="AWS: RunInstances call rate",
                    baseline=0.1, value=2.5, details={"insight_type": "ApiCallRateInsight",
                                                      "shared_event_id": "5e1f0000-0000-0000-0000-000000000001"}),
        insight_row(SAME_PREFIX, "new-region", datetime(2025, 3, 3, 8, 0), severity="low", region="ap-south-1",
                    end=datetime(2025, 3, 3, 8, 0), people=["alice"], summary="first calls in ap-south-1"),
        insight_row(OPEN_RATE, "api-call-rate", OPEN_START, severity="medium", region=REGION,
                    event_source="ec2.amazonaws.com", event_name="CreateTags", people=["tom"],
                    summary="CreateTags above its usual rate, still open", baseline=0.0, value=1.0),
    ]


def _minutes(store: Store) -> tuple[list[dict], list[dict]]:
    """The api_minutes rows of the burst, the storm and the open one where the derive step left none, and
    hot_minutes rows (their baselines) where it found none hot (three calls a minute is below its thresholds)."""
    have = {r[0] for r in store.conn.execute("SELECT DISTINCT event_name FROM api_minutes").fetchall()}
    hot_have = {r[0] for r in store.conn.execute(
        "SELECT DISTINCT event_name FROM hot_minutes WHERE series IS NOT NULL").fetchall()}
    burst, storm = minutes_between(BURST, 10), minutes_between(STORM, 5)
    wanted = {"RunInstances": ({m: (3, 0) for m in burst} | {datetime(2025, 3, 4, 9, 30): (1, 0)},
                               "ec2.amazonaws.com", "calls", {m: (3, 0.05) for m in burst}),
              "CreateUser": ({m: (4, 4) for m in storm}, "iam.amazonaws.com", "errors", {m: (4, 0.0) for m in storm}),
              "CreateTags": ({OPEN_START: (1, 0)}, "ec2.amazonaws.com", "calls", {})}
    minutes: list[dict] = []
    hot: list[dict] = []
    for name, (counts, source, series, hot_counts) in wanted.items():
        if name not in have:
            minutes += minute_rows(ACCOUNT, REGION, source, name, counts)
        if name not in hot_have:
            hot += hot_rows(ACCOUNT, REGION, source, name, series, hot_counts)
    return minutes, hot


def build_insight_store(root: Path, extra: list[dict] | None = None) -> InsightStore:
    """The trail written under ``root``, ingested into ``root/store``, the insights (and ``extra`` rows)
    planted."""
    from cloudblame.pipeline.ingest import ingest_paths

    write_trail_layout(root / "trail", _records(), per_file=50)
    db = root / "store"
    with Store.open(db) as store:
        ingest_paths(store, [str(root / "trail")])
        minutes, hot = _minutes(store)
    run_ids = [_event_id(100 + n) for n in range(30)]
    denied = [_event_id(200 + n) for n in range(20)]
    plant(db, _insights(run_ids) + (extra or []), minutes, hot)
    return InsightStore(db, run_ids, denied, _event_id(300))
