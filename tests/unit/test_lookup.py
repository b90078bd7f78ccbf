"""LookupEvents source: paging, filters, targeted mode, rate limiting, back-off and errors, against a local
fake of the CloudTrail API (tests/fake_cloudtrail.py) driven by real boto3, plus fake-clock unit tests."""

from __future__ import annotations

import json
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import boto3
import pytest
from botocore.exceptions import ClientError

from cloudblame.sources.lookup import (
    LookupProgress,
    LookupRegionError,
    LookupThrottledError,
    backoff_delay,
    enabled_regions,
    lookup_events,
)
from tests.fake_cloudtrail import FakeCloudTrail

REGIONS = ["us-east-1", "eu-west-1"]
PER_REGION = 120
T0 = datetime(2025, 3, 1, tzinfo=UTC)
USERS = ["maria.lopez", "deploy-bot", "sam"]


def instance_id(region: str, n: int) -> str:
    # i-...1 and i-...10 share a prefix: ResourceName must match exactly, not as a substring
    return f"i-0{REGIONS.index(region)}{n}"


def make_record(region: str, i: int) -> dict:
    user = USERS[i % len(USERS)]
    ident = ({"type": "IAMUser", "userName": user, "accessKeyId": f"AKIA{i:016d}",
              "arn": f"arn:aws:iam::123456789012:user/{user}"} if i % 2 else
             {"type": "AssumedRole", "accessKeyId": f"ASIA{i:016d}",
              "arn": f"arn:aws:sts::123456789012:assumed-role/Admin/{user}"})
    iid = instance_id(region, i % 12)
    name = "RunInstances" if i % 12 == i else ("TerminateInstances" if i >= 108 else "StopInstances")
    return {
        "eventVersion": "1.10", "eventID": f"{region}-{i:04d}",
        "eventTime": (T0 + timedelta(minutes=i)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "eventSource": "ec2.amazonaws.com", "eventName": name, "awsRegion": region,
        "sourceIPAddress": "198.51.100.7", "userAgent": "aws-cli/2.15.0", "userIdentity": ident,
        "requestParameters": {"instancesSet": {"items": [{"instanceId": iid}]}},
        "responseElements": None, "readOnly": False, "eventType": "AwsApiCall",
        "recipientAccountId": "123456789012",
    }


RECORDS = {r: [make_record(r, i) for i in range(PER_REGION)] for r in REGIONS}


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch):
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


@pytest.fixture
def session():
    return boto3.Session(aws_access_key_id="AKIDTEST", aws_secret_access_key="x", region_name="us-east-1")


@pytest.fixture
def fake():
    """No rate limit: functional tests run at full speed (the limit has its own tests)."""
    with FakeCloudTrail(RECORDS, rate_limit=None) as server:
        yield server


@pytest.fixture
def strict_fake():
    with FakeCloudTrail(RECORDS) as server:  # 2 requests per second per region
        yield server


def ids(pairs) -> list[tuple[str, str]]:
    return [(region, rec["eventID"]) for region, rec in pairs]


def fast(session, fake, **kw):
    kw.setdefault("regions", REGIONS)
    return lookup_events(session, endpoint_url=fake.url, max_rps=1000, **kw)


# ---- against the fake server -------------------------------------------------------------------------


def test_pages_every_record_exactly_once(session, fake):
    pages: list[LookupProgress] = []
    run = fast(session, fake, on_page=lambda p: pages.append(LookupProgress(**vars(p))))
    got = ids(run)

    expected = [(r, rec["eventID"]) for r in REGIONS for rec in RECORDS[r]]
    assert Counter(got) == Counter(expected) and len(got) == 2 * PER_REGION
    # regions one after another, newest first within a region
    assert [r for r, _ in got] == ["us-east-1"] * PER_REGION + ["eu-west-1"] * PER_REGION
    assert got[0] == ("us-east-1", "us-east-1-0119") and got[PER_REGION - 1] == ("us-east-1", "us-east-1-0000")
    # 3 pages of at most 50 per region, the 2nd and 3rd with the token of the page before
    for region in REGIONS:
        calls = fake.calls(region)
        assert len(calls) == 3
        assert all(c["body"]["MaxResults"] == 50 for c in calls)
        assert "NextToken" not in calls[0]["body"] and all("NextToken" in c["body"] for c in calls[1:])
        assert all("LookupAttributes" not in c["body"] and "StartTime" not in c["body"] for c in calls)
        assert run.progress[region] == LookupProgress(region, pages=3, events=PER_REGION, throttled=0, skipped=0)
    assert [(p.region, p.pages, p.events) for p in pages] == [
        ("us-east-1", 1, 50), ("us-east-1", 2, 100), ("us-east-1", 3, 120),
        ("eu-west-1", 1, 50), ("eu-west-1", 2, 100), ("eu-west-1", 3, 120)]
    assert run.skipped == []


def test_records_are_the_parsed_cloudtrail_events(session, fake):
    got = dict(((r, rec["eventID"]), rec) for r, rec in fast(session, fake, regions=["eu-west-1"]))
    assert got[("eu-west-1", "eu-west-1-0007")] == RECORDS["eu-west-1"][7]


def test_time_range_is_inclusive_and_naive_means_utc(session, fake):
    start, end = T0 + timedelta(minutes=10), T0 + timedelta(minutes=69)  # 60 events: 2 pages per region
    got = ids(fast(session, fake, start=start, end=end))
    expected = {(r, f"{r}-{i:04d}") for r in REGIONS for i in range(10, 70)}
    assert set(got) == expected and len(got) == len(expected)
    assert len(fake.calls("us-east-1")) == 2
    body = fake.calls("us-east-1")[0]["body"]
    assert body["StartTime"] == pytest.approx(start.timestamp()) and body["EndTime"] == pytest.approx(end.timestamp())

    # the store works in naive UTC: same window, same answer
    naive = ids(fast(session, fake, start=start.replace(tzinfo=None), end=end.replace(tzinfo=None)))
    assert naive == got
    # only a start
    tail = ids(fast(session, fake, regions=["us-east-1"], start=T0 + timedelta(minutes=115)))
    assert tail == [("us-east-1", f"us-east-1-{i:04d}") for i in (119, 118, 117, 116, 115)]


def test_inverted_time_range_is_refused(session, fake):
    with pytest.raises(ValueError):
        fast(session, fake, start=T0 + timedelta(hours=1), end=T0)
    assert fake.requests == []


def test_resource_name_targeted_mode(session, fake):
    target = instance_id("us-east-1", 1)  # i-001, not i-0010 / i-0011
    got = list(fast(session, fake, resource_name=target))
    assert {rec["eventID"] for _, rec in got} == {f"us-east-1-{i:04d}" for i in range(1, PER_REGION, 12)}
    assert len(got) == 10 and {r for r, _ in got} == {"us-east-1"}
    assert all(json.dumps(rec).count(f'"{target}"') == 1 for _, rec in got)
    assert [rec["eventName"] for _, rec in got][0] == "TerminateInstances"  # newest first
    for region in REGIONS:
        (call,) = fake.calls(region)
        assert call["body"]["LookupAttributes"] == [{"AttributeKey": "ResourceName", "AttributeValue": target}]


def test_real_clock_at_two_per_second_is_never_throttled(session, strict_fake):
    started = time.monotonic()
    run = lookup_events(session, regions=REGIONS, endpoint_url=strict_fake.url, max_rps=2.0)
    got = ids(run)
    assert len(got) == 2 * PER_REGION and len(set(got)) == 2 * PER_REGION
    assert len(strict_fake.requests) == 6
    assert strict_fake.throttled == 0 and all(p.throttled == 0 for p in run.progress.values())
    for region in REGIONS:  # calls really are spaced: >= 0.5 s apart as the server saw them
        at = [c["at"] for c in strict_fake.calls(region)]
        assert all(b - a >= 0.5 for a, b in zip(at, at[1:]))
    assert time.monotonic() - started >= 2.0  # 2 waits of 0.5 s per region


def test_too_fast_is_throttled_then_backs_off_and_gets_everything(session, strict_fake):
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        time.sleep(seconds)

    started = time.monotonic()
    run = lookup_events(session, regions=REGIONS, endpoint_url=strict_fake.url, max_rps=100, sleep=sleep)
    got = ids(run)
    assert time.monotonic() - started < 6
    assert Counter(got) == Counter((r, rec["eventID"]) for r in REGIONS for rec in RECORDS[r])
    assert strict_fake.throttled > 0
    assert sum(p.throttled for p in run.progress.values()) == strict_fake.throttled
    assert len(strict_fake.calls(status=400)) == strict_fake.throttled
    assert len(strict_fake.calls(status=200)) == 6
    assert 0.5 in slept and max(slept) <= 8.0
    assert all(p.pages == 3 and p.events == PER_REGION for p in run.progress.values())


def test_denied_region_raises_after_the_other_regions_records(session, fake):
    fake.deny("eu-west-1")
    got = []
    with pytest.raises(LookupRegionError) as info:
        for pair in fast(session, fake):
            got.append(pair)
    assert info.value.region == "eu-west-1" and info.value.code == "AccessDeniedException"
    assert "eu-west-1" in str(info.value) and "AccessDeniedException" in str(info.value)
    assert isinstance(info.value, LookupError) and not isinstance(info.value, LookupThrottledError)
    assert Counter(ids(got)) == Counter(("us-east-1", rec["eventID"]) for rec in RECORDS["us-east-1"])


def test_denied_first_region_does_not_stop_the_caller_from_going_on(session, fake):
    fake.deny("us-east-1")
    got, failed = [], []
    for region in REGIONS:  # how ingest_lookup uses it
        try:
            got.extend(fast(session, fake, regions=[region]))
        except LookupRegionError as exc:
            failed.append(exc.region)
    assert failed == ["us-east-1"] and len(got) == PER_REGION and {r for r, _ in got} == {"eu-west-1"}


def test_malformed_cloudtrail_events_are_skipped_and_reported(session, fake):
    bad = {"us-east-1-0100": "{not json", "us-east-1-0050": "[1, 2]", "eu-west-1-0003": '"just a string"'}
    fake.cloudtrail_event_overrides.update(bad)
    run = fast(session, fake)
    got = ids(run)
    assert len(got) == 2 * PER_REGION - 3 and len(set(got)) == len(got)
    assert not {eid for _, eid in got} & set(bad)
    assert sorted((r, e) for r, e, _ in run.skipped) == sorted(
        [("us-east-1", "us-east-1-0100"), ("us-east-1", "us-east-1-0050"), ("eu-west-1", "eu-west-1-0003")])
    reasons = {e: why for _, e, why in run.skipped}
    assert "not valid JSON" in reasons["us-east-1-0100"] and "list" in reasons["us-east-1-0050"]
    assert run.progress["us-east-1"].skipped == 2 and run.progress["eu-west-1"].skipped == 1
    assert run.progress["us-east-1"].events == PER_REGION - 2


def test_fake_speaks_the_api_errors(session, fake):
    client = session.client("cloudtrail", region_name="eu-west-1", endpoint_url=fake.url)
    with pytest.raises(ClientError) as info:
        client.lookup_events(NextToken="not-a-token")
    assert info.value.response["Error"]["Code"] == "InvalidNextTokenException"
    page = client.lookup_events(MaxResults=50)
    with pytest.raises(ClientError) as info:  # a token replayed with other parameters
        client.lookup_events(NextToken=page["NextToken"], StartTime=T0)
    assert info.value.response["Error"]["Code"] == "InvalidNextTokenException"
    with pytest.raises(ClientError) as info:
        client.lookup_events(LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "RunInstances"},
                                               {"AttributeKey": "Username", "AttributeValue": "sam"}])
    assert info.value.response["Error"]["Code"] == "InvalidLookupAttributesException"
    ev = page["Events"][0]
    assert ev["EventId"] == "eu-west-1-0119" and ev["ReadOnly"] == "false"
    assert ev["EventTime"] == T0 + timedelta(minutes=119)
    assert {"ResourceType": "AWS::EC2::Instance", "ResourceName": instance_id("eu-west-1", 119 % 12)} in ev["Resources"]
    by_user = client.lookup_events(LookupAttributes=[{"AttributeKey": "Username", "AttributeValue": "sam"}])
    assert len(by_user["Events"]) == PER_REGION // 3  # IAM user name or assumed-role session name


# ---- fake clock, stub client -------------------------------------------------------------------------


class FakeClock:
    def __init__(self):
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds > 0
        self.slept.append(seconds)
        self.now += seconds


def throttling() -> ClientError:
    return ClientError({"Error": {"Code": "ThrottlingException", "Message": "Rate exceeded"}}, "LookupEvents")


class StubClient:
    """Answers from a script: a dict is a page, an exception is raised. Records the clock at each call."""

    def __init__(self, script, clock: FakeClock, latency: float = 0.0):
        self.script, self.clock, self.latency = list(script), clock, latency
        self.calls: list[tuple[float, dict]] = []

    def lookup_events(self, **kw):
        self.calls.append((self.clock.now, kw))
        self.clock.now += self.latency
        step = self.script.pop(0)
        if isinstance(step, Exception):
            raise step
        return step


class StubSession:
    def __init__(self, clients: dict):
        self.clients = clients
        self.made: list[dict] = []

    def client(self, service, **kw):
        self.made.append(dict(kw, service=service))
        return self.clients[kw["region_name"]]


def page(*event_ids, token=None):
    out = {"Events": [{"EventId": e, "CloudTrailEvent": json.dumps({"eventID": e})} for e in event_ids]}
    if token:
        out["NextToken"] = token
    return out


def test_limiter_spaces_calls_by_one_over_max_rps_on_the_fake_clock():
    clock = FakeClock()
    client = StubClient([page("a", token="t1"), page("b", token="t2"), page("c"), ], clock, latency=0.1)
    session = StubSession({"us-east-1": client})
    got = [rec["eventID"] for _, rec in lookup_events(session, regions=["us-east-1"], max_rps=2.0,
                                                      sleep=clock.sleep, clock=clock)]
    assert got == ["a", "b", "c"]
    at = [t for t, _ in client.calls]
    # 0.5 s from the end of the previous call (latency 0.1): starts 0.6 s apart
    assert at == pytest.approx([1000.0, 1000.6, 1001.2])
    assert clock.slept == pytest.approx([0.5, 0.5])
    assert [kw.get("NextToken") for _, kw in client.calls] == [None, "t1", "t2"]
    (made,) = session.made
    assert made["service"] == "cloudtrail" and made["region_name"] == "us-east-1"
    assert made["config"].retries == {"total_max_attempts": 1, "mode": "standard"}  # no botocore retries


def test_limiter_is_per_region_and_a_slow_consumer_is_not_slowed_further():
    clock = FakeClock()
    east = StubClient([page("a", token="t"), page("b")], clock)
    west = StubClient([page("c")], clock)
    run = lookup_events(StubSession({"us-east-1": east, "eu-west-1": west}), regions=["us-east-1", "eu-west-1"],
                        max_rps=1.0, sleep=clock.sleep, clock=clock)
    assert next(run)[1]["eventID"] == "a"
    clock.now += 5  # the caller took its time: no wait needed for the next page
    assert [rec["eventID"] for _, rec in run] == ["b", "c"]
    assert clock.slept == []  # west's first call does not wait for east's last


def test_backoff_is_deterministic_and_exponential_then_succeeds():
    clock = FakeClock()
    client = StubClient([throttling(), throttling(), throttling(), page("a")], clock)
    seen = []
    run = lookup_events(StubSession({"ap-south-1": client}), regions=["ap-south-1"], max_rps=1000,
                        sleep=clock.sleep, clock=clock, on_page=lambda p: seen.append(p.throttled))
    assert [rec["eventID"] for _, rec in run] == ["a"]
    assert clock.slept == [0.5, 1.0, 2.0]
    assert run.progress["ap-south-1"].throttled == 3 and seen == [3]


def test_backoff_is_capped_and_gives_up_naming_the_region():
    clock = FakeClock()
    client = StubClient([throttling()] * 9, clock)
    with pytest.raises(LookupThrottledError) as info:
        list(lookup_events(StubSession({"sa-east-1": client}), regions=["sa-east-1"], max_rps=1000,
                           max_retries=8, sleep=clock.sleep, clock=clock))
    assert clock.slept == [0.5, 1, 2, 4, 8, 8, 8, 8]
    assert len(client.calls) == 9  # first try + 8 retries
    assert isinstance(info.value, LookupError) and isinstance(info.value, LookupRegionError)
    assert info.value.region == "sa-east-1" and "sa-east-1" in str(info.value)
    assert info.value.code == "ThrottlingException"
    assert [backoff_delay(n) for n in range(7)] == [0.5, 1, 2, 4, 8, 8, 8]


def test_other_client_errors_are_not_retried():
    clock = FakeClock()
    err = ClientError({"Error": {"Code": "InvalidTimeRangeException", "Message": "bad range"}}, "LookupEvents")
    client = StubClient([err, page("never")], clock)
    with pytest.raises(LookupRegionError) as info:
        list(lookup_events(StubSession({"us-west-2": client}), regions=["us-west-2"], sleep=clock.sleep,
                           clock=clock))
    assert (info.value.region, info.value.code, info.value.message) == ("us-west-2", "InvalidTimeRangeException",
                                                                        "bad range")
    assert len(client.calls) == 1 and clock.slept == []


def test_bad_arguments():
    with pytest.raises(ValueError):
        lookup_events(StubSession({}), regions=["us-east-1"], max_rps=0)


# ---- enabled_regions ---------------------------------------------------------------------------------


class RegionsSession:
    def __init__(self, answer=None, error: Exception | None = None):
        self.answer, self.error = answer, error

    def client(self, service, **kw):
        assert service == "ec2"
        outer = self

        class EC2:
            def describe_regions(self, **kw):
                if outer.error:
                    raise outer.error
                return outer.answer

        return EC2()

    def get_available_regions(self, service):
        assert service == "cloudtrail"
        return ["us-west-2", "us-east-1"]


def test_enabled_regions_keeps_opted_in_regions():
    answer = {"Regions": [{"RegionName": "us-east-1", "OptInStatus": "opt-in-not-required"},
                          {"RegionName": "af-south-1", "OptInStatus": "not-opted-in"},
                          {"RegionName": "me-south-1", "OptInStatus": "opted-in"}]}
    assert enabled_regions(RegionsSession(answer)) == ["me-south-1", "us-east-1"]


def test_enabled_regions_falls_back_to_the_cloudtrail_regions_botocore_knows():
    denied = ClientError({"Error": {"Code": "UnauthorizedOperation", "Message": "no"}}, "DescribeRegions")
    assert enabled_regions(RegionsSession(error=denied)) == ["us-east-1", "us-west-2"]
