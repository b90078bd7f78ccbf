"""The catalog's describe declarations (``live``) against botocore's own service models, and how a check reads
the answers: batches, ids AWS refuses, errors (unknown, never gone), sizes compared."""

from __future__ import annotations

from datetime import datetime

import boto3
import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from cloudblame.actions.live import Target, check_live, live_types, size_changes
from cloudblame.catalog import TYPES
from cloudblame.catalog.live import Describe

DECLARED = sorted(live_types().items())
# the types inventory --live must cover: what costs the most when forgotten
COST_TYPES = {"AWS::EC2::Instance", "AWS::EC2::Volume", "AWS::EC2::NatGateway", "AWS::EC2::EIP",
              "AWS::RDS::DBInstance", "AWS::RDS::DBCluster", "AWS::ElasticLoadBalancing::LoadBalancer",
              "AWS::ElasticLoadBalancingV2::LoadBalancer", "AWS::Lambda::Function", "AWS::DynamoDB::Table",
              "AWS::S3::Bucket", "AWS::ElastiCache::CacheCluster", "AWS::Redshift::Cluster",
              "AWS::SageMaker::NotebookInstance", "AWS::SageMaker::Endpoint", "AWS::EKS::Cluster"}


def test_the_types_that_cost_most_are_declared():
    assert COST_TYPES <= set(live_types())


@pytest.mark.parametrize(("resource_type", "describe"), DECLARED, ids=[t for t, _ in DECLARED])
def test_a_declaration_names_a_real_operation_and_parameter(resource_type, describe):
    client = boto3.client(describe.service, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    assert describe.operation in client.meta.method_to_api_mapping, describe.operation
    operation = client.meta.service_model.operation_model(client.meta.method_to_api_mapping[describe.operation])
    member = operation.input_shape.members.get(describe.param)
    assert member is not None, f"{operation.name} has no {describe.param}"
    assert (member.type_name == "list") == (describe.batch > 1), "a list parameter takes a batch, a scalar one id"
    assert describe.missing, "which error codes mean it does not exist"
    entry = TYPES[resource_type]
    assert set(describe.size) <= set(entry.size) | set(entry.size_defaults), "size dimensions the catalog names"


def test_a_batch_needs_to_know_which_item_is_which():
    with pytest.raises(ValueError, match="id_path"):
        Describe("ec2", "describe_volumes", "VolumeIds", batch=10, items="Volumes[]")
    with pytest.raises(ValueError):
        Describe("ec2", "describe_volumes", "VolumeIds", state="State[")


class FakeEc2:
    """describe_volumes as EC2 answers it: the whole call refused when one id does not exist."""

    def __init__(self, volumes: dict[str, dict], fail: Exception | None = None):
        self.volumes, self.fail, self.calls = volumes, fail, []

    def describe_volumes(self, VolumeIds):
        self.calls.append(list(VolumeIds))
        if self.fail:
            raise self.fail
        if missing := [v for v in VolumeIds if v not in self.volumes]:
            raise ClientError({"Error": {"Code": "InvalidVolume.NotFound", "Message": f"{missing}"}}, "DescribeVolumes")
        return {"Volumes": [{"VolumeId": v, **self.volumes[v]} for v in VolumeIds]}


def volume(vid: str, account: str | None = "111", size_gb: int = 100) -> Target:
    return Target("AWS::EC2::Volume", vid, account, "us-east-1", size={"size_gb": size_gb, "volume_type": "gp3"})


def test_a_batch_refused_for_one_id_is_asked_again_one_id_at_a_time():
    ec2 = FakeEc2({"vol-1": {"State": "in-use", "Size": 100, "VolumeType": "gp3"},
                   "vol-2": {"State": "available", "Size": "300", "VolumeType": "GP3"}})
    check = check_live([volume("vol-1"), volume("vol-2"), volume("vol-3"), volume("vol-4", account=None)],
                       lambda service, region: ec2, caller="111", now=datetime(2026, 3, 1))
    assert ec2.calls == [["vol-1", "vol-2", "vol-3", "vol-4"], ["vol-1"], ["vol-2"], ["vol-3"], ["vol-4"]]
    found = {o.target.resource_id: o for o in check.observations}
    assert {k: o.state for k, o in found.items()} == {"vol-1": "present", "vol-2": "resized", "vol-3": "gone",
                                                      "vol-4": "unknown"}
    assert found["vol-2"].changed == {"size_gb": {"events": 100, "live": "300"}}
    assert "its account is not known" in (found["vol-4"].detail or "")  # not found: maybe another account's
    assert check.calls == 5 and check.answered == 5 and check.problems == []


def test_an_error_leaves_every_resource_of_the_call_unknown():
    ec2 = FakeEc2({}, fail=EndpointConnectionError(endpoint_url="https://ec2.example"))
    check = check_live([volume("vol-1"), volume("vol-2")], lambda service, region: ec2, caller="111")
    assert [o.state for o in check.observations] == ["unknown", "unknown"]
    assert check.answered == 0 and len(check.problems) == 1 and "ec2.example" in check.problems[0]


def test_another_accounts_resources_and_ids_the_call_cannot_name_are_not_described():
    calls = []
    eip = Target("AWS::EC2::EIP", "203.0.113.9", "111", "us-east-1")
    check = check_live([volume("vol-9", account="222"), eip], lambda service, region: calls.append(service),
                       caller="111")
    assert check.observations == [] and calls == [] and sum(check.skipped.values()) == 2


@pytest.mark.parametrize(("events", "live", "same"), [
    (100, "100", True), ("gp3", "GP3", True), (False, "false", True), ("m5.large", "m5.xlarge", False),
    (100, 200, False), (True, False, False)])
def test_sizes_compare_as_numbers_and_words(events, live, same):
    assert (size_changes({"d": events}, {"d": live}) == {}) is same
