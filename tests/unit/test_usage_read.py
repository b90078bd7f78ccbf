"""Reading CloudWatch for usage (actions/usage.py) without AWS: the GetMetricData queries built for many resources
(500 a call, per region and account, ids m0...), every page read, the verdict of each metric, and the readings as
stored and shown (queries/usage.py)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

import pytest
from botocore.exceptions import ClientError

from cloudblame.actions.usage import (
    MAX_QUERIES,
    PERIOD,
    Target,
    Window,
    batches,
    evidence_rows,
    fetch,
    metric_data_queries,
    plan_queries,
    read_usage,
)
from cloudblame.queries.usage import evidence_shape

CALLER, OTHER = "123456789012", "210987654321"
END = datetime(2026, 3, 15, 12, 0)
WINDOW = Window(END - timedelta(days=14), END)


def instance(n: int, region: str = "us-east-1", account: str = CALLER) -> Target:
    iid = f"i-{n:017x}"
    return Target("AWS::EC2::Instance", iid, account, region, f"arn:aws:ec2:{region}:{account}:instance/{iid}")


def test_queries_for_more_than_500_resources_are_batched_per_region_and_account():
    targets = [instance(n, region, account) for n in range(700) for region, account in
               (("us-east-1", CALLER), ("eu-west-1", CALLER), ("us-east-1", OTHER))]
    targets.append(Target("AWS::IAM::Role", "ops", CALLER, "us-east-1"))  # a type without usage: not read
    queries = plan_queries(targets)
    assert len(queries) == 2100 * 3
    seen: Counter[tuple[str, str | None, str | None, str]] = Counter()
    for region, account, batch in batches(queries):
        assert 0 < len(batch) <= MAX_QUERIES
        assert {(q.target.region, q.target.account_id) for q in batch} == {(region, account)}
        built = metric_data_queries(batch, account=account, caller=CALLER)
        assert [q["Id"] for q in built] == [f"m{i}" for i in range(len(batch))]
        assert all(q["MetricStat"]["Period"] == PERIOD for q in built)
        assert all(("AccountId" in q) == (account == OTHER) for q in built)
        for q, query in zip(built, batch):
            metric = q["MetricStat"]["Metric"]
            assert metric["Dimensions"] == [{"Name": "InstanceId", "Value": query.target.resource_id}]
            assert q["MetricStat"]["Stat"] == query.metric.statistic
            seen[(query.target.resource_id, query.target.region, query.target.account_id, metric["MetricName"])] += 1
    assert len(seen) == 2100 * 3 and set(seen.values()) == {1}  # every metric of every resource, once
    assert sum(1 for _ in batches(queries)) == 3 * -(-2100 // MAX_QUERIES)


def test_a_metric_whose_dimension_cannot_be_built_is_not_sent():
    alb = Target("AWS::ElasticLoadBalancingV2::LoadBalancer", "shop-alb", CALLER, "us-east-1", None)  # no ARN
    queries = plan_queries([alb])
    assert [q.metric.metric for q in queries] == ["RequestCount", "NewFlowCount"]
    assert all(q.dimensions is None for q in queries) and list(batches(queries)) == []


class Pages:
    """A CloudWatch client answering GetMetricData from ``answers`` (id -> daily values), a few values a page."""

    def __init__(self, answers: dict[str, list[float]], per_page: int = 2, fail: bool = False):
        self.answers, self.per_page, self.fail, self.calls = answers, per_page, fail, []

    def get_metric_data(self, **kwargs):
        self.calls.append(kwargs)
        if self.fail:
            raise ClientError({"Error": {"Code": "AccessDenied", "Message": "not allowed"}}, "GetMetricData")
        page = int(kwargs.get("NextToken", "0"))
        start, stop = page * self.per_page, (page + 1) * self.per_page
        results = [{"Id": q["Id"], "Values": self.answers.get(q["Id"], [])[start:stop], "StatusCode": "Complete"}
                   for q in kwargs["MetricDataQueries"]]
        more = any(len(v) > stop for v in self.answers.values())
        return {"MetricDataResults": results, **({"NextToken": str(page + 1)} if more else {})}


def test_fetch_reads_every_page():
    client = Pages({"m0": [1.0, 2.0, 3.0, 4.0, 5.0], "m1": [7.0]})
    values, calls = fetch(client, [{"Id": "m0"}, {"Id": "m1"}, {"Id": "m2"}], WINDOW)
    assert values == {"m0": [1.0, 2.0, 3.0, 4.0, 5.0], "m1": [7.0], "m2": []} and calls == 3
    assert [c.get("NextToken") for c in client.calls] == [None, "1", "2"]
    assert client.calls[0]["StartTime"].isoformat() == "2026-03-01T12:00:00+00:00"


def test_verdicts_used_idle_and_no_data_and_their_evidence():
    busy, quiet, silent = instance(1), instance(2), instance(3)
    # per instance: CPU (Maximum), NetworkIn and NetworkOut (Sum; 5 MB a day over 14 days is the threshold)
    answers = {"m0": [85.0, 3.0], "m1": [1e6], "m2": [1e6],  # busy by CPU
               "m3": [0.4, 0.2], "m4": [1e6] * 14, "m5": [2e6],  # idle
               }  # m6-m8: no data
    client = Pages(answers, per_page=20)
    read = read_usage([busy, quiet, silent], lambda service, region: client, WINDOW, caller=CALLER, now=END)
    assert read.calls == 1 and not read.problems and read.resources() == 3
    rows = evidence_rows(read).to_pylist()
    by = {(r["resource_id"], r["metric"]): r for r in rows}
    assert by[(busy.resource_id, "CPUUtilization")]["verdict"] == "used"
    assert by[(quiet.resource_id, "CPUUtilization")]["value"] == 0.4
    assert by[(quiet.resource_id, "NetworkIn")]["value"] == 14e6 and by[(quiet.resource_id, "NetworkIn")]["verdict"] == "idle"
    assert by[(silent.resource_id, "CPUUtilization")]["value"] is None
    assert {r["verdict"] for r in rows if r["resource_id"] == silent.resource_id} == {"no data"}
    shapes = {rid: evidence_shape([r for r in rows if r["resource_id"] == rid]) for rid in {r["resource_id"] for r in rows}}
    assert shapes[busy.resource_id]["verdict"] == "used" and shapes[silent.resource_id]["verdict"] == "unknown"
    idle = shapes[quiet.resource_id]
    assert idle["verdict"] == "idle" and idle["window"] == {"start": "2026-03-01T12:00:00Z", "end": "2026-03-15T12:00:00Z",
                                                            "days": 14}
    assert idle["words"] == "max CPU 0.4%, 14.0 MB network in, 2.0 MB network out over 14 days"
    assert idle["metrics"][0]["statistic"] == "Maximum" and idle["metrics"][0]["dimensions"] == {
        "InstanceId": quiet.resource_id}
    assert shapes[silent.resource_id]["words"] == "no data over 14 days"


def test_a_call_that_fails_reads_nothing_and_says_why():
    client = Pages({}, fail=True)
    read = read_usage([instance(1), instance(2, "eu-west-1")], lambda service, region: client, WINDOW, now=END)
    assert read.readings == [] and read.calls == 0 and len(read.problems) == 2
    assert "AccessDenied" in read.problems[0] and "1 resource(s) not read" in read.problems[0]


@pytest.mark.parametrize(("values", "expected"), [([], None), ([0.0, 0.0], 0.0), ([2.0, 9.0, 4.0], 9.0)])
def test_a_maximum_over_the_window_is_the_highest_daily_value(values, expected):
    client = Pages({"m0": values}, per_page=50)
    read = read_usage([instance(1)], lambda service, region: client, WINDOW, now=END)
    cpu = next(r for r in evidence_rows(read).to_pylist() if r["metric"] == "CPUUtilization")
    assert cpu["value"] == expected and cpu["datapoints"] == len(values)
