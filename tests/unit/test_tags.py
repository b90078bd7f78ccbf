"""The one tag reader: every shape AWS writes tags in, read the same way by names, owners and purpose."""

from __future__ import annotations

import json

import pytest

from cloudblame.normalize.tags import name_tag, request_tags, tag_pairs
from tests.conftest import dataset

SHAPES = [
    ("IAM/RDS Key/Value", {"tags": [{"Key": "Owner", "Value": "bob"}]}),
    ("EC2 key/value", {"tagSpecificationSet": {"items": [{"resourceType": "instance",
                                                          "tags": [{"key": "Owner", "value": "bob"}]}]}}),
    ("KMS TagKey/TagValue", {"tags": [{"TagKey": "Owner", "TagValue": "bob"}]}),
    ("KMS tagKey/tagValue", {"tags": [{"tagKey": "Owner", "tagValue": "bob"}]}),
    ("Lambda/SQS map", {"tags": {"Owner": "bob"}}),
    ("EC2 CreateTags tagSet", {"resourcesSet": {"items": [{"resourceId": "i-1"}]},
                               "tagSet": {"items": [{"key": "Owner", "value": "bob"}]}}),
    ("S3 PutBucketTagging", {"bucketName": "b", "Tagging": {"xmlns": "http://s3.amazonaws.com/doc/2006-03-01/",
                                                            "TagSet": {"Tag": [{"Key": "Owner", "Value": "bob"}]}}}),
    ("RDS tagList", {"tagList": [{"key": "Owner", "value": "bob"}]}),
    ("wrapped EC2 request, one spec", {"CreateNatGatewayRequest": {"TagSpecification": {
        "ResourceType": "natgateway", "Tag": [{"Key": "Owner", "Value": "bob"}]}}}),
    ("TagSpecifications list", {"TagSpecifications": [{"ResourceType": "volume", "Tags": [{"Key": "Owner", "Value": "bob"}]}]}),
]


@pytest.mark.parametrize(("shape", "request_parameters"), SHAPES, ids=[s[0] for s in SHAPES])
def test_every_shape_gives_the_owner_tag(shape, request_parameters):
    assert request_tags({"requestParameters": request_parameters}) == {"Owner": "bob"}


def test_tag_specifications_for_another_type_are_left_out_when_asked():
    record = {"requestParameters": {"tagSpecificationSet": {"items": [
        {"resourceType": "volume", "tags": [{"key": "Name", "value": "disk"}]},
        {"resourceType": "instance", "tags": [{"key": "Name", "value": "web"}]}]}}}
    assert name_tag(record, "instance") == "web" and name_tag(record, "volume") == "disk"
    assert request_tags(record) == {"Name": "disk"}  # the first value of a key wins


def test_values_that_are_not_scalars_are_not_tags_and_empty_values_are_kept():
    assert tag_pairs([{"Key": "a", "Value": {"x": 1}}, {"Key": "b"}, {"Key": "c", "Value": True}]) == [("b", ""), ("c", "true")]
    assert tag_pairs({"a": "1", "b": [1]}) == [("a", "1")]
    assert request_tags({"requestParameters": None}) == {} and request_tags({}) == {}


def test_names_details_and_delegation_read_tags_with_the_one_reader():
    """Names (normalize.resources), inventory details and delegation's tag links all use this reader."""
    from cloudblame.derive import delegation, details
    from cloudblame.normalize import resources, tags

    assert details.request_tags is tags.request_tags and delegation.request_tags is tags.request_tags
    assert resources.name_tag is tags.name_tag
    kms = {"requestParameters": {"tags": [{"TagKey": "Name", "TagValue": "billing-key"}], "keyUsage": "ENCRYPT_DECRYPT"}}
    assert resources._name_tag(kms, None) == "billing-key"


def test_real_tagging_records_read_the_same_tags_as_their_request_says():
    """invictus-aws: every successful CreateTags / tagging call's tags are read, none missed."""
    folder = dataset("invictus-aws")
    seen = 0
    for path in sorted(folder.rglob("*.json")):
        for rec in json.loads(path.read_text())["Records"]:
            params = rec.get("requestParameters") or {}
            if rec.get("errorCode") or not any(k in json.dumps(params) for k in ('"Key"', '"key"', '"tags"')):
                continue
            if rec["eventName"] in ("CreateTags", "RunInstances", "CreateVpc", "CreateSecret", "CreateRole"):
                tags = request_tags(rec)
                assert tags, (rec["eventName"], params)
                seen += 1
    assert seen
