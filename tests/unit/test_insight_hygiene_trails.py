"""What a trail change cuts (cloudblame.derive.insight_hygiene.TRAIL_CUT_SQL), read from the request parameters
of the record as CloudTrail writes them: every shape of selector the API takes, and the defaults it applies."""

from __future__ import annotations

import json

import duckdb
import pytest

from cloudblame.derive.insight_hygiene import TRAIL_CUT_SQL

MANAGEMENT = {"field": "eventCategory", "equals": ["Management"]}


def cut(name: str, request: dict | None) -> str | None:
    raw = json.dumps({"eventName": name, "requestParameters": request})
    with duckdb.connect() as conn:
        return conn.execute(f"SELECT {TRAIL_CUT_SQL} FROM (SELECT ? AS event_name, ? AS raw) e", [name, raw]).fetchone()[0]


@pytest.mark.parametrize("name,request_parameters,words", [
    ("StopLogging", {"name": "arn:aws:cloudtrail:us-east-1:111122223333:trail/main"}, "stopped logging of trail arn:"),
    ("DeleteTrail", {"name": "main"}, "deleted trail main"),
    ("StopEventDataStoreIngestion", {"eventDataStore": "eds-1"}, "stopped ingestion of event data store eds-1"),
    ("UpdateTrail", {"name": "main", "includeGlobalServiceEvents": False}, "leave out global services"),
    ("UpdateTrail", {"name": "main", "isMultiRegionTrail": "false"}, "home region only"),
    ("PutEventSelectors", {"trailName": "main", "eventSelectors": [{"readWriteType": "ReadOnly"}]}, "no write management"),
    ("PutEventSelectors", {"trailName": "main", "eventSelectors": []}, "no write management"),
    ("PutEventSelectors", {"trailName": "main", "advancedEventSelectors": [
        {"fieldSelectors": [MANAGEMENT, {"field": "readOnly", "equals": ["true"]}]}]}, "advanced event selectors"),
    ("PutInsightSelectors", {"trailName": "main", "insightSelectors": []}, "turned off CloudTrail Insights"),
])
def test_changes_that_cut_logging(name, request_parameters, words):
    assert words in (cut(name, request_parameters) or "")


@pytest.mark.parametrize("name,request_parameters", [
    ("UpdateTrail", {"name": "main", "s3BucketName": "other-bucket", "isMultiRegionTrail": True}),
    ("UpdateTrail", {"name": "main", "enableLogFileValidation": True}),
    # the API's defaults: management events of every kind
    ("PutEventSelectors", {"trailName": "main", "eventSelectors": [{"dataResources": []}]}),
    ("PutEventSelectors", {"trailName": "main", "eventSelectors": [
        {"includeManagementEvents": False, "readWriteType": "All"},
        {"includeManagementEvents": True, "readWriteType": "WriteOnly"}]}),
    ("PutEventSelectors", {"trailName": "main", "advancedEventSelectors": [
        {"fieldSelectors": [MANAGEMENT, {"field": "eventSource", "notEquals": ["kms.amazonaws.com"]}]},
        {"fieldSelectors": [{"field": "eventCategory", "equals": ["Data"]}]}]}),
    ("PutEventSelectors", {"trailName": "main", "advancedEventSelectors": [
        {"fieldSelectors": [MANAGEMENT, {"field": "readOnly", "equals": ["false"]}]}]}),
    ("PutInsightSelectors", {"trailName": "main", "insightSelectors": [{"insightType": "ApiErrorRateInsight"}]}),
    ("CreateTrail", {"name": "main"}),
    ("StartLogging", {"name": "main"}),
])
def test_changes_that_keep_logging(name, request_parameters):
    assert cut(name, request_parameters) is None
