"""The arithmetic of rate insights: the Poisson tail bound the SQL judges minutes with, and which error codes
count (throttling does not; access denied is severe)."""

from __future__ import annotations

import math

import duckdb
import pytest

from cloudblame.derive.insight_rate_sql import ACCESS_DENIED_CODES, ERROR_SQL, LOG_TAIL_SQL, THROTTLING_CODES, bare_code


def exact_log_tail(count: int, mean: float) -> float:
    """log P(X >= count) for X ~ Poisson(mean), summed term by term until they no longer matter."""
    terms, k = [], count
    log_term = count * math.log(mean) - mean - math.lgamma(count + 1)
    while not terms or log_term > terms[0] - 60:
        terms.append(log_term)
        k += 1
        log_term += math.log(mean) - math.log(k)
    top = max(terms)
    return top + math.log(sum(math.exp(t - top) for t in terms))


@pytest.mark.parametrize("mean", [1 / 10080, 0.003, 0.05, 0.4, 1.0, 2.5, 7.0, 30.0])
def test_the_tail_bound_is_never_below_the_tail_and_close_to_it(mean):
    counts = sorted({c for c in (8, 9, 12, 20, 50, 120, 400, 2000) if c >= 10 * mean})
    rows = duckdb.sql(f"SELECT count, {LOG_TAIL_SQL} AS bound FROM (SELECT unnest($counts) AS count, $mean AS baseline)",
                      params={"counts": counts, "mean": mean}).fetchall()
    assert [c for c, _ in rows] == counts
    for count, bound in rows:
        exact = exact_log_tail(count, mean)
        assert exact <= bound + 1e-9 <= exact + math.log(1.12) + 1e-9, (count, mean, exact, bound)


def test_the_bound_holds_for_counts_where_the_tail_underflows():
    (bound,) = duckdb.sql(f"SELECT {LOG_TAIL_SQL} FROM (SELECT 5000 AS count, 0.01 AS baseline)").fetchall()[0]
    assert bound == pytest.approx(exact_log_tail(5000, 0.01), rel=1e-6) and bound < -30000


def _counted(code: str | None, category: str | None = "Management") -> bool:
    sql = f"SELECT {ERROR_SQL} FROM (SELECT $code AS error_code, $category AS event_category, 'AwsApiCall' AS event_type) e"
    return bool(duckdb.sql(sql, params={"code": code, "category": category}).fetchall()[0][0])


def test_throttling_is_left_out_of_the_error_series_and_other_failures_are_not():
    for code in THROTTLING_CODES + ("Client.RequestLimitExceeded",):
        assert not _counted(code), code
    for code in ("AccessDenied", "Client.UnauthorizedOperation", "NoSuchBucketPolicy", "ValidationException"):
        assert _counted(code), code
    assert not _counted(None) and not _counted("AccessDenied", "Insight") and _counted("AccessDenied", None)


def test_access_denied_codes_are_known_with_or_without_the_ec2_prefix():
    (bare,) = duckdb.sql(f"SELECT {bare_code('$code')}", params={"code": "Client.UnauthorizedOperation"}).fetchall()[0]
    assert bare in ACCESS_DENIED_CODES and "ThrottlingException" not in ACCESS_DENIED_CODES


def test_only_write_management_calls_count_as_calls_and_aws_insight_records_never():
    from cloudblame.derive.insight_rate_sql import CALL_SQL

    def counted(read_only: bool | None, category: str | None, event_type: str = "AwsApiCall") -> bool:
        sql = (f"SELECT {CALL_SQL} FROM (SELECT $ro AS read_only, $category AS event_category, "
               "$type AS event_type) e")
        return bool(duckdb.sql(sql, params={"ro": read_only, "category": category, "type": event_type}).fetchall()[0][0])

    assert counted(False, "Management") and counted(False, None) and counted(None, "Management")
    assert not counted(True, "Management") and not counted(False, "Data") and not counted(False, "Insight")
    assert not counted(False, "Management", "AwsServiceEvent")
