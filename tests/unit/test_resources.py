"""extract_resources on records shaped as AWS writes them.

Real records are read from ../shared/datasets at test time (the test skips, saying why, when the folder
is absent); other records are small hand-written fixtures following the shapes in
../shared/reference/cloudtrail.md and the AWS API models.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import pytest

from cloudblame.normalize.model import ACTIONS, ResourceRef
from cloudblame.normalize.resources import extract_resources
from tests.datasets import read_records

SHARED = (Path(__file__).resolve().parents[2] / ".." / "shared").resolve()
DATASETS = SHARED / "datasets"
PEER_RULES = SHARED / "reference" / "peer_extraction_rules.json"

ACCOUNT, REGION = "123456789012", "us-east-1"
ANY = object()  # "do not check the name"


# --- reading the shared datasets ---------------------------------------------------------------------------

def _require_datasets() -> None:
    if not DATASETS.is_dir():
        pytest.skip(f"{DATASETS} is not present (tests on real CloudTrail records need ../shared/datasets)")


def real_record(rel: str, event_name: str, event_id: str) -> dict:
    _require_datasets()
    path = DATASETS / rel
    if not path.is_file():
        pytest.skip(f"{path} is not present")
    for r in read_records(path):
        if r.get("eventName") == event_name and r.get("eventID") == event_id:
            return r
    pytest.fail(f"{rel}: no {event_name} record with eventID {event_id}")


def real(rel: str, event_name: str, event_id: str) -> Callable[[], dict]:
    return lambda: real_record(rel, event_name, event_id)


# --- hand-written records -------------------------------------------------------------------------------

def rec(source: str, name: str, req=None, resp=None, **top) -> dict:
    record = {"eventVersion": "1.09", "eventSource": source, "eventName": name, "awsRegion": REGION,
              "recipientAccountId": ACCOUNT, "eventType": "AwsApiCall",
              "requestParameters": req, "responseElements": resp}
    record.update(top)
    return record


def synth(source: str, name: str, req=None, resp=None, **top) -> Callable[[], dict]:
    return lambda: rec(source, name, req, resp, **top)


def refs_of(record: dict) -> list[ResourceRef]:
    return extract_resources(record, account=record.get("recipientAccountId"), region=record.get("awsRegion"))


def by_key(refs):
    return {(r.resource_type, r.resource_id): r for r in refs}


def assert_catalog_refs(refs, expected, *, exact_creates=True):
    """Each expected (action, type, id, arn, name) is found via the catalog; creations are exactly these."""
    got = by_key(refs)
    for action, rtype, rid, arn, name in expected:
        ref = got.get((rtype, rid))
        assert ref is not None, f"no {rtype} {rid!r} in {refs}"
        assert ref.via == "catalog", ref
        assert (ref.action, ref.arn) == (action, arn), ref
        if name is not ANY:
            assert ref.name == name, ref
    if exact_creates:
        created = {(r.resource_type, r.resource_id) for r in refs if r.action == "create"}
        assert created == {(t, i) for a, t, i, _, _ in expected if a == "create"}


# --- one case per creation rule -------------------------------------------------------------------------

class Case(NamedTuple):
    source: str
    event: str
    record: Callable[[], dict]
    expected: tuple


INV = "invictus-aws/CloudTrail/218007301253_CloudTrail_us-east-1_20230710T"
INV_ACCT = "123837392027"
EC2 = "ec2.amazonaws.com"


def _ec2_arn(kind: str, rid: str, account: str = ACCOUNT, region: str = REGION) -> str:
    return f"arn:aws:ec2:{region}:{account}:{kind}/{rid}"


CREATIONS = [
    # --- EC2 (real records) -------------------------------------------------------------------------
    Case(EC2, "RunInstances", real(INV + "1200Z_x9kHmzMa7cx6l9wM.json", "RunInstances",
                                   "86eac0ac-8521-4126-aa32-a22f2b74d02e"),
         (("create", "AWS::EC2::Instance", "i-0dbc91f429e48eeed",
           _ec2_arn("instance", "i-0dbc91f429e48eeed", INV_ACCT), None),)),
    Case(EC2, "CreateVolume", real(INV + "1220Z_WMiHxZgr5Hdd6UDc.json", "CreateVolume",
                                   "f0cce5bc-5f9e-4ee1-bb48-e20fecb32403"),
         (("create", "AWS::EC2::Volume", "vol-0fc2e34e74650e145",
           _ec2_arn("volume", "vol-0fc2e34e74650e145", INV_ACCT), "StratusRedTeamVolume"),)),
    Case(EC2, "CreateSecurityGroup", real(INV + "1215Z_YMDRJwtmC82bUwAo.json", "CreateSecurityGroup",
                                          "7475937c-a863-44ce-9878-81e8a268e966"),
         (("create", "AWS::EC2::SecurityGroup", "sg-04cfb7a4712d75b00",
           _ec2_arn("security-group", "sg-04cfb7a4712d75b00", INV_ACCT), "stratus-red-team-open-sg-sg"),)),
    Case(EC2, "CreateImage", real("panther-tests/panther_cloudtrail_test_events.jsonl", "CreateImage",
                                  "0ea3f05a-066c-43f9-8869-393ba67e7936"),
         (("create", "AWS::EC2::Ami", "ami-06aaf5e4b77161786",
           "arn:aws:ec2:us-east-1::image/ami-06aaf5e4b77161786", "testimage"),)),
    Case(EC2, "RegisterImage", real(INV + "1215Z_P0WZuP2zvLW2RcUo.json", "RegisterImage",
                                    "fa0d7aad-7d72-46c4-a0cf-230834779e81"),
         (("create", "AWS::EC2::Ami", "ami-0aa1d83d0b0985c86",
           "arn:aws:ec2:us-east-1::image/ami-0aa1d83d0b0985c86", "stratus-red-team-share-ami-ami"),)),
    Case(EC2, "CreateSnapshot", real(INV + "1215Z_MifI13MOmOjRfXzJ.json", "CreateSnapshot",
                                     "9eede385-5c6d-405e-9dda-fd10950e9069"),
         (("create", "AWS::EC2::Snapshot", "snap-083d3b857c13988bc",
           "arn:aws:ec2:us-east-1::snapshot/snap-083d3b857c13988bc", None),)),
    Case(EC2, "AllocateAddress", real(INV + "1200Z_iLj9fb7yyUG9X4Bf.json", "AllocateAddress",
                                      "a4ff516f-8f9a-4c36-9700-b31a883c1a6e"),
         (("create", "AWS::EC2::EIP", "eipalloc-08a083beb7e83dbc0",
           _ec2_arn("elastic-ip", "eipalloc-08a083beb7e83dbc0", INV_ACCT),
           "stratus-red-team-ec2-steal-credentials-vpc-us-east-1a"),)),
    Case(EC2, "CreateNetworkInterface", real(INV + "1200Z_iLj9fb7yyUG9X4Bf.json", "CreateNetworkInterface",
                                             "16034e79-0235-4886-9566-19d4a4ca1d72"),
         (("create", "AWS::EC2::NetworkInterface", "eni-076fa9fb98a2500a7",
           _ec2_arn("network-interface", "eni-076fa9fb98a2500a7", INV_ACCT), None),)),
    Case(EC2, "CreateNatGateway", real(INV + "1200Z_x9kHmzMa7cx6l9wM.json", "CreateNatGateway",
                                       "dbb3b16e-549e-48bc-bfa6-9ca4c2845e43"),
         (("create", "AWS::EC2::NatGateway", "nat-03575abbac42080d9",
           _ec2_arn("natgateway", "nat-03575abbac42080d9", INV_ACCT),
           "stratus-red-team-ec2-steal-credentials-vpc-us-east-1a"),)),
    Case(EC2, "CreateRouteTable", real(INV + "1200Z_iLj9fb7yyUG9X4Bf.json", "CreateRouteTable",
                                       "dc024e51-15e4-4829-a971-7e17d4be43be"),
         (("create", "AWS::EC2::RouteTable", "rtb-0c7c2f4aff3677054",
           _ec2_arn("route-table", "rtb-0c7c2f4aff3677054", INV_ACCT),
           "stratus-red-team-ec2-steal-credentials-vpc-public"),)),
    Case(EC2, "CreateVpc", real(INV + "1200Z_iLj9fb7yyUG9X4Bf.json", "CreateVpc",
                                "f5e4b2d3-a4a2-4a78-b81f-9036f12b623e"),
         (("create", "AWS::EC2::VPC", "vpc-06fe1a64761a0f720", _ec2_arn("vpc", "vpc-06fe1a64761a0f720", INV_ACCT),
           "stratus-red-team-ec2-steal-credentials-vpc"),)),
    Case(EC2, "CreateSubnet", real(INV + "1200Z_iLj9fb7yyUG9X4Bf.json", "CreateSubnet",
                                   "078ad2dc-a2bf-46ee-90dc-f524fb5fe1f1"),
         (("create", "AWS::EC2::Subnet", "subnet-01ed430875cff578d",
           _ec2_arn("subnet", "subnet-01ed430875cff578d", INV_ACCT),
           "stratus-red-team-ec2-steal-credentials-vpc-public-us-east-1a"),)),
    Case(EC2, "CreateInternetGateway", real(INV + "1200Z_x9kHmzMa7cx6l9wM.json", "CreateInternetGateway",
                                            "e40431f7-07bc-4d9a-a5cb-07e28107babb"),
         (("create", "AWS::EC2::InternetGateway", "igw-02a84e4222d62e16b",
           _ec2_arn("internet-gateway", "igw-02a84e4222d62e16b", INV_ACCT),
           "stratus-red-team-ec2-steal-credentials-vpc"),)),
    Case(EC2, "CreateLaunchTemplate", real("traildiscover-logexamples/CreateLaunchTemplate.json",
                                           "CreateLaunchTemplate", "1dce5fc1-713c-4899-acb9-f96aff4f9236"),
         (("create", "AWS::EC2::LaunchTemplate", "lt-0780d55503d605988",
           _ec2_arn("launch-template", "lt-0780d55503d605988", "111111111111"), "TrailDiscoverTemplate"),)),
    Case(EC2, "CreateFlowLogs", real(INV + "1205Z_UljXNp9xLp8nsAGc.json", "CreateFlowLogs",
                                     "a3fbe842-f8df-4bb3-accf-1407cc925cbd"),  # flowLogIdSet.item is a string
         (("create", "AWS::EC2::FlowLog", "fl-064ed3a785e4a37ef",
           _ec2_arn("vpc-flow-log", "fl-064ed3a785e4a37ef", INV_ACCT), None),)),
    # --- EC2 (hand-written) -------------------------------------------------------------------------
    Case(EC2, "CopyImage", synth(EC2, "CopyImage",
                                 {"sourceImageId": "ami-0123456789abcdef0", "sourceRegion": "us-west-2",
                                  "name": "web-copy"},
                                 {"requestId": "r-1", "imageId": "ami-0fedcba9876543210"}),
         (("create", "AWS::EC2::Ami", "ami-0fedcba9876543210",
           "arn:aws:ec2:us-east-1::image/ami-0fedcba9876543210", "web-copy"),)),
    Case(EC2, "CopySnapshot", synth(EC2, "CopySnapshot",
                                    {"sourceSnapshotId": "snap-0123456789abcdef0", "sourceRegion": "us-west-2"},
                                    {"requestId": "r-1", "snapshotId": "snap-0aaaabbbbccccdddd"}),
         (("create", "AWS::EC2::Snapshot", "snap-0aaaabbbbccccdddd",
           "arn:aws:ec2:us-east-1::snapshot/snap-0aaaabbbbccccdddd", None),)),
    Case(EC2, "ImportSnapshot", synth(EC2, "ImportSnapshot",
                                      {"diskContainer": {"format": "VMDK", "url": "s3://b/disk.vmdk"}},
                                      {"importTaskId": "import-snap-0123456789abcdef0",
                                       "snapshotTaskDetail": {"status": "completed",
                                                              "snapshotId": "snap-0bbbbccccddddeeee"}}),
         (("create", "AWS::EC2::Snapshot", "snap-0bbbbccccddddeeee",
           "arn:aws:ec2:us-east-1::snapshot/snap-0bbbbccccddddeeee", None),)),
    Case(EC2, "CreateNetworkAcl", synth(EC2, "CreateNetworkAcl", {"vpcId": "vpc-0a1b2c3d4e5f60718"},
                                        {"networkAcl": {"networkAclId": "acl-0123456789abcdef0",
                                                        "vpcId": "vpc-0a1b2c3d4e5f60718", "default": False}}),
         (("create", "AWS::EC2::NetworkAcl", "acl-0123456789abcdef0",
           _ec2_arn("network-acl", "acl-0123456789abcdef0"), None),)),
    Case(EC2, "CreateVpcPeeringConnection", synth(
        EC2, "CreateVpcPeeringConnection", {"vpcId": "vpc-0a1b2c3d4e5f60718", "peerVpcId": "vpc-0f1e2d3c4b5a69788"},
        {"vpcPeeringConnection": {"vpcPeeringConnectionId": "pcx-0123456789abcdef0",
                                  "status": {"code": "initiating-request"}}}),
         (("create", "AWS::EC2::VPCPeeringConnection", "pcx-0123456789abcdef0",
           _ec2_arn("vpc-peering-connection", "pcx-0123456789abcdef0"), None),)),
    Case(EC2, "CreateVpnConnection", synth(
        EC2, "CreateVpnConnection", {"type": "ipsec.1", "customerGatewayId": "cgw-0123456789abcdef0",
                                     "vpnGatewayId": "vgw-0123456789abcdef0"},
        {"vpnConnection": {"vpnConnectionId": "vpn-0123456789abcdef0",
                           "customerGatewayConfiguration": "HIDDEN_DUE_TO_SECURITY_REASONS"}}),
         (("create", "AWS::EC2::VPNConnection", "vpn-0123456789abcdef0",
           _ec2_arn("vpn-connection", "vpn-0123456789abcdef0"), None),)),
    Case(EC2, "CreateVpnGateway", synth(EC2, "CreateVpnGateway", {"type": "ipsec.1"},
                                        {"vpnGateway": {"vpnGatewayId": "vgw-0123456789abcdef0", "state": "available"}}),
         (("create", "AWS::EC2::VPNGateway", "vgw-0123456789abcdef0",
           _ec2_arn("vpn-gateway", "vgw-0123456789abcdef0"), None),)),
    Case(EC2, "CreateCustomerGateway", synth(
        EC2, "CreateCustomerGateway", {"type": "ipsec.1", "ipAddress": "203.0.113.12", "bgpAsn": 65000},
        {"customerGateway": {"customerGatewayId": "cgw-0123456789abcdef0", "state": "available"}}),
         (("create", "AWS::EC2::CustomerGateway", "cgw-0123456789abcdef0",
           _ec2_arn("customer-gateway", "cgw-0123456789abcdef0"), None),)),
    Case(EC2, "CreateDhcpOptions", synth(
        EC2, "CreateDhcpOptions", {"dhcpConfigurationSet": {"items": [{"key": "domain-name", "valueSet": {}}]}},
        {"dhcpOptions": {"dhcpOptionsId": "dopt-0123456789abcdef0"}}),
         (("create", "AWS::EC2::DHCPOptions", "dopt-0123456789abcdef0",
           _ec2_arn("dhcp-options", "dopt-0123456789abcdef0"), None),)),
    Case(EC2, "ImportKeyPair", synth(EC2, "ImportKeyPair", {"keyName": "deploy", "publicKeyMaterial": "c3NoLXJzYQ=="},
                                     {"keyName": "deploy", "keyPairId": "key-0123456789abcdef0",
                                      "keyFingerprint": "1f:51:ae"}),
         (("create", "AWS::EC2::KeyPair", "deploy", _ec2_arn("key-pair", "deploy"), None),)),
    Case(EC2, "CreateKeyPair", real("traildiscover-logexamples/CreateKeyPair.json", "CreateKeyPair",
                                    "6ab0fcf3-b7d5-40af-a2d6-8bdc8c5a6bf5"),  # failed: name from the request
         (("create", "AWS::EC2::KeyPair", "TrailDiscoverKeyPair",
           _ec2_arn("key-pair", "TrailDiscoverKeyPair", "111111111111"), None),)),
    Case(EC2, "RequestSpotInstances", synth(
        EC2, "RequestSpotInstances", {"spotPrice": "0.05", "instanceCount": 2},
        {"spotInstanceRequestSet": {"items": [{"spotInstanceRequestId": "sir-08b93456", "state": "open"},
                                              {"spotInstanceRequestId": "sir-0a1b2c3d", "state": "open"}]}}),
         (("create", "AWS::EC2::SpotInstanceRequest", "sir-08b93456",
           _ec2_arn("spot-instances-request", "sir-08b93456"), None),
          ("create", "AWS::EC2::SpotInstanceRequest", "sir-0a1b2c3d",
           _ec2_arn("spot-instances-request", "sir-0a1b2c3d"), None))),
    Case(EC2, "CreateFleet", synth(
        EC2, "CreateFleet", {"CreateFleetRequest": {"Type": "instant", "TargetCapacitySpecification": {
            "TotalTargetCapacity": 1}}},
        {"CreateFleetResponse": {"fleetId": "fleet-5dd2f7ba-8d0e-4b4b-9c9a-1a2b3c4d5e6f",
                                 "fleetInstanceSet": {"item": {"instanceIds": {"item": "i-0aaaabbbbccccdddd"},
                                                               "lifecycle": "on-demand"}}}}),
         (("create", "AWS::EC2::EC2Fleet", "fleet-5dd2f7ba-8d0e-4b4b-9c9a-1a2b3c4d5e6f",
           _ec2_arn("fleet", "fleet-5dd2f7ba-8d0e-4b4b-9c9a-1a2b3c4d5e6f"), None),
          ("create", "AWS::EC2::Instance", "i-0aaaabbbbccccdddd", _ec2_arn("instance", "i-0aaaabbbbccccdddd"), None))),
    Case(EC2, "CreateTransitGateway", synth(
        EC2, "CreateTransitGateway", {"CreateTransitGatewayRequest": {"Description": "core"}},
        {"CreateTransitGatewayResponse": {"transitGateway": {"transitGatewayId": "tgw-0123456789abcdef0",
                                                             "state": "pending"}}}),
         (("create", "AWS::EC2::TransitGateway", "tgw-0123456789abcdef0",
           _ec2_arn("transit-gateway", "tgw-0123456789abcdef0"), None),)),
    Case(EC2, "CreateVpcEndpoint", synth(
        EC2, "CreateVpcEndpoint", {"CreateVpcEndpointRequest": {"VpcId": "vpc-0a1b2c3d4e5f60718",
                                                                "ServiceName": "com.amazonaws.us-east-1.s3"}},
        {"CreateVpcEndpointResponse": {"vpcEndpoint": {"vpcEndpointId": "vpce-0123456789abcdef0"}}}),
         (("create", "AWS::EC2::VPCEndpoint", "vpce-0123456789abcdef0",
           _ec2_arn("vpc-endpoint", "vpce-0123456789abcdef0"), None),)),
    # --- S3, IAM, KMS, Secrets ----------------------------------------------------------------------
    Case("s3.amazonaws.com", "CreateBucket", real(INV + "1205Z_SjF3IkuNXJkoHyar.json", "CreateBucket",
                                                  "68c99c97-c191-4329-b210-82ca8631066d"),
         (("create", "AWS::S3::Bucket", "stratus-red-team-ctlr-bucket-zqfsvooxqj",
           "arn:aws:s3:::stratus-red-team-ctlr-bucket-zqfsvooxqj", None),)),
    Case("iam.amazonaws.com", "CreateRole", real(INV + "1200Z_x9kHmzMa7cx6l9wM.json", "CreateRole",
                                                 "ff709962-49b6-494d-8198-cdf0f7e8e666"),
         (("create", "AWS::IAM::Role", "stratus-red-team-ec2-get-password-data-role",
           "arn:aws:iam::123837392027:role/stratus-red-team-ec2-get-password-data-role", None),)),
    Case("iam.amazonaws.com", "CreateServiceLinkedRole", real(
        "traildiscover-logexamples/CreateServiceLinkedRole.json", "CreateServiceLinkedRole",
        "44d2eea3-1a32-4840-a32b-1d577acbdb34"),  # the ARN keeps the role's path
         (("create", "AWS::IAM::Role", "AWSServiceRoleForAutoScaling",
           "arn:aws:iam::111111111111:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling",
           None),)),
    Case("iam.amazonaws.com", "CreateUser", real(INV + "1230Z_ZtUNbBkwAu98FPZb.json", "CreateUser",
                                                 "66d008e1-12cf-4a45-99e7-0be67fc70d71"),
         (("create", "AWS::IAM::User", "stratus-red-team-nmfalu-gfjyeaypjt",
           "arn:aws:iam::123837392027:user/stratus-red-team-nmfalu-gfjyeaypjt", None),)),
    Case("iam.amazonaws.com", "CreatePolicy", real(INV + "1210Z_6CICdbJQM3beT7n3.json", "CreatePolicy",
                                                   "19373fa4-d15d-4c49-9e19-f19faa16e2ca"),
         (("create", "AWS::IAM::ManagedPolicy", "stratus-red-team-ec2lui-policy-pcccexdthk",
           "arn:aws:iam::123837392027:policy/stratus-red-team-ec2lui-policy-pcccexdthk", None),)),
    Case("iam.amazonaws.com", "CreateAccessKey", real(INV + "1230Z_ZtUNbBkwAu98FPZb.json", "CreateAccessKey",
                                                      "64b7de64-bf53-47ae-b7e3-d30cb1b5136e"),
         (("create", "AWS::IAM::AccessKey", "AKIATFQR7NSC3ZO6PKAZ", None, None),
          ("modify", "AWS::IAM::User", "stratus-red-team-backdoor-u-user",
           "arn:aws:iam::123837392027:user/stratus-red-team-backdoor-u-user", None))),
    Case("iam.amazonaws.com", "CreateInstanceProfile", real(
        INV + "1200Z_x9kHmzMa7cx6l9wM.json", "CreateInstanceProfile", "96347fdd-6466-41af-8d6c-df066e2a1a20"),
         (("create", "AWS::IAM::InstanceProfile", "stratus-red-team-ec2-steal-credentials-instance",
           "arn:aws:iam::123837392027:instance-profile/stratus-red-team-ec2-steal-credentials-instance", None),)),
    Case("iam.amazonaws.com", "CreateGroup", synth(
        "iam.amazonaws.com", "CreateGroup", {"groupName": "admins", "path": "/ops/"},
        {"group": {"groupName": "admins", "path": "/ops/", "groupId": "AGPAEXAMPLE",
                   "arn": "arn:aws:iam::123456789012:group/ops/admins"}}),
         (("create", "AWS::IAM::Group", "admins", "arn:aws:iam::123456789012:group/ops/admins", None),)),
    Case("kms.amazonaws.com", "CreateKey", synth(
        "kms.amazonaws.com", "CreateKey", {"keyUsage": "ENCRYPT_DECRYPT", "description": "app key"},
        {"keyMetadata": {"keyId": "1234abcd-12ab-34cd-56ef-1234567890ab", "keyState": "Enabled",
                         "arn": "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"}}),
         (("create", "AWS::KMS::Key", "1234abcd-12ab-34cd-56ef-1234567890ab",
           "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab", None),)),
    Case("secretsmanager.amazonaws.com", "CreateSecret", real(
        INV + "1200Z_iLj9fb7yyUG9X4Bf.json", "CreateSecret", "30f9bf7b-a5dd-4661-8c97-d288ef5680a1"),
         (("create", "AWS::SecretsManager::Secret", "stratus-red-team-retrieve-secret-0",
           "arn:aws:secretsmanager:us-east-1:123837392027:secret:stratus-red-team-retrieve-secret-0-xehWok", None),)),
    # --- compute ------------------------------------------------------------------------------------
    Case("lambda.amazonaws.com", "CreateFunction20150331", real(
        INV + "1230Z_ZtUNbBkwAu98FPZb.json", "CreateFunction20150331", "2e15203f-d196-441a-adeb-794b195b4a28"),
         (("create", "AWS::Lambda::Function", "stratus-red-team-backdoor-f-func",
           "arn:aws:lambda:us-east-1:123837392027:function:stratus-red-team-backdoor-f-func", None),)),
    Case("lambda.amazonaws.com", "CreateFunction20141111", synth(
        "lambda.amazonaws.com", "CreateFunction20141111", {"functionName": "legacy-fn", "runtime": "nodejs"},
        {"functionName": "legacy-fn", "functionArn": "arn:aws:lambda:us-east-1:123456789012:function:legacy-fn"}),
         (("create", "AWS::Lambda::Function", "legacy-fn",
           "arn:aws:lambda:us-east-1:123456789012:function:legacy-fn", None),)),
    Case("autoscaling.amazonaws.com", "CreateAutoScalingGroup", real(
        "traildiscover-logexamples/CreateAutoScalingGroup.json", "CreateAutoScalingGroup",
        "3869ce29-12de-47d2-9247-c26dc164058e"),  # failed call: the name comes from the request; ARN unknown
         (("create", "AWS::AutoScaling::AutoScalingGroup", "TrailDiscoverASG", None, None),)),
    Case("elasticloadbalancing.amazonaws.com", "CreateLoadBalancer", synth(
        "elasticloadbalancing.amazonaws.com", "CreateLoadBalancer",
        {"loadBalancerName": "legacy-web", "availabilityZones": ["us-east-1a"],
         "listeners": [{"protocol": "HTTP", "loadBalancerPort": 80, "instancePort": 80}]},
        {"dNSName": "legacy-web-1234567890.us-east-1.elb.amazonaws.com"}, apiVersion="2012-06-01"),
         (("create", "AWS::ElasticLoadBalancing::LoadBalancer", "legacy-web",
           "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/legacy-web", None),)),
    Case("elasticloadbalancing.amazonaws.com", "CreateTargetGroup", synth(
        "elasticloadbalancing.amazonaws.com", "CreateTargetGroup",
        {"name": "api-tg", "protocol": "HTTP", "port": 80, "vpcId": "vpc-0a1b2c3d4e5f60718"},
        {"targetGroups": [{"targetGroupName": "api-tg", "targetGroupArn":
                           "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/api-tg/73e2d6bc24d8a067"}]},
        apiVersion="2015-12-01"),
         (("create", "AWS::ElasticLoadBalancingV2::TargetGroup", "api-tg",
           "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/api-tg/73e2d6bc24d8a067", None),)),
    Case("elasticmapreduce.amazonaws.com", "RunJobFlow", synth(
        "elasticmapreduce.amazonaws.com", "RunJobFlow", {"name": "nightly-etl", "releaseLabel": "emr-6.15.0"},
        {"jobFlowId": "j-2AXXXXXXGAPLF",
         "clusterArn": "arn:aws:elasticmapreduce:us-east-1:123456789012:cluster/j-2AXXXXXXGAPLF"}),
         (("create", "AWS::EMR::Cluster", "j-2AXXXXXXGAPLF",
           "arn:aws:elasticmapreduce:us-east-1:123456789012:cluster/j-2AXXXXXXGAPLF", "nightly-etl"),)),
    Case("gamelift.amazonaws.com", "CreateFleet", synth(
        "gamelift.amazonaws.com", "CreateFleet", {"name": "arena", "eC2InstanceType": "c5.large"},
        {"fleetAttributes": {"fleetId": "fleet-2222bbbb-33cc-44dd-55ee-6666ffff77aa", "name": "arena",
                             "fleetArn": "arn:aws:gamelift:us-east-1:123456789012:fleet/fleet-2222bbbb-33cc-44dd-55ee-6666ffff77aa"}}),
         (("create", "AWS::GameLift::Fleet", "fleet-2222bbbb-33cc-44dd-55ee-6666ffff77aa",
           "arn:aws:gamelift:us-east-1:123456789012:fleet/fleet-2222bbbb-33cc-44dd-55ee-6666ffff77aa", "arena"),)),
    Case("opsworks.amazonaws.com", "CreateStack", synth(
        "opsworks.amazonaws.com", "CreateStack", {"name": "legacy-app", "region": "us-east-1"},
        {"stackId": "f6673d70-32e6-4425-8999-265dd002fec7"}),
         (("create", "AWS::OpsWorks::Stack", "f6673d70-32e6-4425-8999-265dd002fec7",
           "arn:aws:opsworks:us-east-1:123456789012:stack/f6673d70-32e6-4425-8999-265dd002fec7/", "legacy-app"),)),
    Case("opsworks.amazonaws.com", "CloneStack", synth(
        "opsworks.amazonaws.com", "CloneStack", {"name": "legacy-app-2", "sourceStackId": "f6673d70"},
        {"stackId": "0a1b2c3d-32e6-4425-8999-265dd002fec7"}),
         (("create", "AWS::OpsWorks::Stack", "0a1b2c3d-32e6-4425-8999-265dd002fec7",
           "arn:aws:opsworks:us-east-1:123456789012:stack/0a1b2c3d-32e6-4425-8999-265dd002fec7/", "legacy-app-2"),)),
    Case("eks.amazonaws.com", "CreateCluster", synth(
        "eks.amazonaws.com", "CreateCluster",
        {"name": "prod", "roleArn": "arn:aws:iam::123456789012:role/eks",
         "resourcesVpcConfig": {"subnetIds": ["subnet-0a1b2c3d4e5f60718"]}},
        {"cluster": {"name": "prod", "arn": "arn:aws:eks:us-east-1:123456789012:cluster/prod", "status": "CREATING"}}),
         (("create", "AWS::EKS::Cluster", "prod", "arn:aws:eks:us-east-1:123456789012:cluster/prod", None),)),
    Case("eks.amazonaws.com", "CreateNodegroup", synth(
        "eks.amazonaws.com", "CreateNodegroup", {"name": "prod", "nodegroupName": "workers",
                                                 "subnets": ["subnet-0a1b2c3d4e5f60718"]},
        {"nodegroup": {"nodegroupName": "workers", "clusterName": "prod", "nodegroupArn":
                       "arn:aws:eks:us-east-1:123456789012:nodegroup/prod/workers/a6c5b1a2-1111-2222-3333-444455556666"}}),
         (("create", "AWS::EKS::Nodegroup", "prod/workers",
           "arn:aws:eks:us-east-1:123456789012:nodegroup/prod/workers/a6c5b1a2-1111-2222-3333-444455556666", None),)),
    Case("ecs.amazonaws.com", "CreateCluster", synth(
        "ecs.amazonaws.com", "CreateCluster", {"clusterName": "web"},
        {"cluster": {"clusterName": "web", "clusterArn": "arn:aws:ecs:us-east-1:123456789012:cluster/web"}}),
         (("create", "AWS::ECS::Cluster", "web", "arn:aws:ecs:us-east-1:123456789012:cluster/web", None),)),
    Case("ecs.amazonaws.com", "CreateService", synth(
        "ecs.amazonaws.com", "CreateService", {"cluster": "web", "serviceName": "api", "taskDefinition": "api:7"},
        {"service": {"serviceName": "api", "serviceArn": "arn:aws:ecs:us-east-1:123456789012:service/web/api",
                     "clusterArn": "arn:aws:ecs:us-east-1:123456789012:cluster/web"}}),
         (("create", "AWS::ECS::Service", "web/api", "arn:aws:ecs:us-east-1:123456789012:service/web/api", None),)),
    Case("ecs.amazonaws.com", "RegisterTaskDefinition", synth(
        "ecs.amazonaws.com", "RegisterTaskDefinition", {"family": "api", "containerDefinitions": [{"name": "app"}]},
        {"taskDefinition": {"family": "api", "revision": 7,
                            "taskDefinitionArn": "arn:aws:ecs:us-east-1:123456789012:task-definition/api:7"}}),
         (("create", "AWS::ECS::TaskDefinition", "api:7",
           "arn:aws:ecs:us-east-1:123456789012:task-definition/api:7", None),)),
    # --- data ---------------------------------------------------------------------------------------
    Case("rds.amazonaws.com", "CreateDBInstance", real(INV + "1220Z_r7NFD65BgeDMqD23.json", "CreateDBInstance",
                                                       "fdc74c82-c299-4211-a08e-b5f125ee3b58"),
         (("create", "AWS::RDS::DBInstance", "terraform-20230710121504061500000001",
           "arn:aws:rds:us-east-1:123837392027:db:terraform-20230710121504061500000001", None),)),
    Case("dynamodb.amazonaws.com", "CreateTable", synth(
        "dynamodb.amazonaws.com", "CreateTable", {"tableName": "orders", "billingMode": "PAY_PER_REQUEST"},
        {"tableDescription": {"tableName": "orders", "tableStatus": "CREATING",
                              "tableArn": "arn:aws:dynamodb:us-east-1:123456789012:table/orders"}}),
         (("create", "AWS::DynamoDB::Table", "orders", "arn:aws:dynamodb:us-east-1:123456789012:table/orders", None),)),
    Case("redshift.amazonaws.com", "CreateCluster", synth(
        "redshift.amazonaws.com", "CreateCluster",
        {"clusterIdentifier": "Analytics-Cluster", "nodeType": "ra3.xlplus",
         "masterUserPassword": "HIDDEN_DUE_TO_SECURITY_REASONS"},
        {"clusterIdentifier": "analytics-cluster", "clusterStatus": "creating"}),
         (("create", "AWS::Redshift::Cluster", "analytics-cluster",
           "arn:aws:redshift:us-east-1:123456789012:cluster:analytics-cluster", None),)),
    Case("redshift-serverless.amazonaws.com", "CreateNamespace", synth(
        "redshift-serverless.amazonaws.com", "CreateNamespace",
        {"namespaceName": "analytics", "adminUserPassword": "HIDDEN_DUE_TO_SECURITY_REASONS"},
        {"namespace": {"namespaceName": "analytics", "namespaceId": "0f8c7a1e-1111-2222-3333-444455556666",
                       "namespaceArn": "arn:aws:redshift-serverless:us-east-1:123456789012:namespace/0f8c7a1e-1111-2222-3333-444455556666"}}),
         (("create", "AWS::RedshiftServerless::Namespace", "analytics",
           "arn:aws:redshift-serverless:us-east-1:123456789012:namespace/0f8c7a1e-1111-2222-3333-444455556666", None),)),
    Case("elasticache.amazonaws.com", "CreateCacheCluster", synth(
        "elasticache.amazonaws.com", "CreateCacheCluster", {"cacheClusterId": "Sessions-Cache", "engine": "redis"},
        {"cacheClusterId": "sessions-cache",
         "aRN": "arn:aws:elasticache:us-east-1:123456789012:cluster:sessions-cache"}),
         (("create", "AWS::ElastiCache::CacheCluster", "sessions-cache",
           "arn:aws:elasticache:us-east-1:123456789012:cluster:sessions-cache", None),)),
    Case("es.amazonaws.com", "CreateElasticsearchDomain", synth(
        "es.amazonaws.com", "CreateElasticsearchDomain", {"domainName": "logs", "elasticsearchVersion": "7.10"},
        {"domainStatus": {"domainName": "logs", "domainId": "123456789012/logs",
                          "aRN": "arn:aws:es:us-east-1:123456789012:domain/logs"}}),
         (("create", "AWS::OpenSearchService::Domain", "logs", "arn:aws:es:us-east-1:123456789012:domain/logs", None),)),
    Case("es.amazonaws.com", "CreateDomain", synth(
        "es.amazonaws.com", "CreateDomain", {"domainName": "search", "engineVersion": "OpenSearch_2.11"},
        {"domainStatus": {"domainName": "search", "aRN": "arn:aws:es:us-east-1:123456789012:domain/search"}}),
         (("create", "AWS::OpenSearchService::Domain", "search",
           "arn:aws:es:us-east-1:123456789012:domain/search", None),)),
    Case("elasticfilesystem.amazonaws.com", "CreateMountTarget", real(
        "c7n-eventbridge/event-cloud-trail-create-efs-mount-target.json", "CreateMountTarget",
        "ffeeb98c-2a0b-4e5d-bdf4-8e9909ca5763"),
         (("create", "AWS::EFS::MountTarget", "fsmt-0fcbb40c868d404e8", None, None),
          ("modify", "AWS::EFS::FileSystem", "fs-017557a9f00b1bec9",
           "arn:aws:elasticfilesystem:us-east-1:644160558196:file-system/fs-017557a9f00b1bec9", None))),
    Case("elasticfilesystem.amazonaws.com", "CreateFileSystem", synth(
        "elasticfilesystem.amazonaws.com", "CreateFileSystem", {"creationToken": "tok-1", "encrypted": True},
        {"fileSystemId": "fs-0123456789abcdef0", "name": "shared",
         "fileSystemArn": "arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/fs-0123456789abcdef0"}),
         (("create", "AWS::EFS::FileSystem", "fs-0123456789abcdef0",
           "arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/fs-0123456789abcdef0", "shared"),)),
    Case("kinesis.amazonaws.com", "CreateStream", synth(
        "kinesis.amazonaws.com", "CreateStream", {"streamName": "clicks", "shardCount": 1}),
         (("create", "AWS::Kinesis::Stream", "clicks", "arn:aws:kinesis:us-east-1:123456789012:stream/clicks", None),)),
    Case("firehose.amazonaws.com", "CreateDeliveryStream", synth(
        "firehose.amazonaws.com", "CreateDeliveryStream", {"deliveryStreamName": "to-s3"},
        {"deliveryStreamARN": "arn:aws:firehose:us-east-1:123456789012:deliverystream/to-s3"}),
         (("create", "AWS::KinesisFirehose::DeliveryStream", "to-s3",
           "arn:aws:firehose:us-east-1:123456789012:deliverystream/to-s3", None),)),
    Case("kinesisanalytics.amazonaws.com", "CreateApplication", synth(
        "kinesisanalytics.amazonaws.com", "CreateApplication",
        {"applicationName": "flink-agg", "runtimeEnvironment": "FLINK-1_18"},
        {"applicationDetail": {"applicationName": "flink-agg", "applicationStatus": "READY",
                               "applicationARN": "arn:aws:kinesisanalytics:us-east-1:123456789012:application/flink-agg"}}),
         (("create", "AWS::KinesisAnalyticsV2::Application", "flink-agg",
           "arn:aws:kinesisanalytics:us-east-1:123456789012:application/flink-agg", None),)),
    Case("dms.amazonaws.com", "CreateEndpoint", synth(
        "dms.amazonaws.com", "CreateEndpoint",
        {"endpointIdentifier": "src-mysql", "endpointType": "source", "engineName": "mysql",
         "password": "HIDDEN_DUE_TO_SECURITY_REASONS"},
        {"endpoint": {"endpointIdentifier": "src-mysql",
                      "endpointArn": "arn:aws:dms:us-east-1:123456789012:endpoint:ZW5UAN6P4E77EC7YWHK4RZZ3BE"}}),
         (("create", "AWS::DMS::Endpoint", "ZW5UAN6P4E77EC7YWHK4RZZ3BE",
           "arn:aws:dms:us-east-1:123456789012:endpoint:ZW5UAN6P4E77EC7YWHK4RZZ3BE", "src-mysql"),)),
    Case("kafka.amazonaws.com", "CreateCluster", synth(
        "kafka.amazonaws.com", "CreateCluster", {"clusterName": "events", "kafkaVersion": "3.5.1"},
        {"clusterName": "events", "state": "CREATING",
         "clusterArn": "arn:aws:kafka:us-east-1:123456789012:cluster/events/7f3d2a1b-aaaa-bbbb-cccc-0123456789ab-2"}),
         (("create", "AWS::MSK::Cluster", "events",
           "arn:aws:kafka:us-east-1:123456789012:cluster/events/7f3d2a1b-aaaa-bbbb-cccc-0123456789ab-2", None),)),
    Case("kafka.amazonaws.com", "CreateClusterV2", synth(
        "kafka.amazonaws.com", "CreateClusterV2", {"clusterName": "stream", "serverless": {}},
        {"clusterName": "stream", "clusterType": "SERVERLESS",
         "clusterArn": "arn:aws:kafka:us-east-1:123456789012:cluster/stream/1a2b3c4d-aaaa-bbbb-cccc-0123456789ab-s1"}),
         (("create", "AWS::MSK::Cluster", "stream",
           "arn:aws:kafka:us-east-1:123456789012:cluster/stream/1a2b3c4d-aaaa-bbbb-cccc-0123456789ab-s1", None),)),
    Case("datapipeline.amazonaws.com", "CreatePipeline", synth(
        "datapipeline.amazonaws.com", "CreatePipeline", {"name": "daily-copy", "uniqueId": "tok-1"},
        {"pipelineId": "df-0937003356ZJEXAMPLE"}),
         (("create", "AWS::DataPipeline::Pipeline", "df-0937003356ZJEXAMPLE",
           "arn:aws:datapipeline:us-east-1:123456789012:pipeline/df-0937003356ZJEXAMPLE", "daily-copy"),)),
    Case("cloudsearch.amazonaws.com", "CreateDomain", synth(
        "cloudsearch.amazonaws.com", "CreateDomain", {"domainName": "catalog"},
        {"domainStatus": {"domainName": "catalog", "domainId": "123456789012/catalog", "created": True}}),
         (("create", "AWS::CloudSearch::Domain", "catalog",
           "arn:aws:cloudsearch:us-east-1:123456789012:domain/catalog", None),)),
    Case("glue.amazonaws.com", "CreateDatabase", synth(
        "glue.amazonaws.com", "CreateDatabase", {"databaseInput": {"name": "sales"}}),
         (("create", "AWS::Glue::Database", "sales", "arn:aws:glue:us-east-1:123456789012:database/sales", None),)),
    Case("glue.amazonaws.com", "CreateCrawler", synth(
        "glue.amazonaws.com", "CreateCrawler", {"name": "sales-crawler", "databaseName": "sales"}),
         (("create", "AWS::Glue::Crawler", "sales-crawler",
           "arn:aws:glue:us-east-1:123456789012:crawler/sales-crawler", None),)),
    Case("glue.amazonaws.com", "CreateJob", synth(
        "glue.amazonaws.com", "CreateJob", {"name": "etl", "role": "GlueRole"}, {"name": "etl"}),
         (("create", "AWS::Glue::Job", "etl", "arn:aws:glue:us-east-1:123456789012:job/etl", None),)),
    Case("glue.amazonaws.com", "CreateTrigger", synth(
        "glue.amazonaws.com", "CreateTrigger", {"name": "nightly", "type": "SCHEDULED"}, {"name": "nightly"}),
         (("create", "AWS::Glue::Trigger", "nightly", "arn:aws:glue:us-east-1:123456789012:trigger/nightly", None),)),
    Case("glue.amazonaws.com", "CreateWorkflow", synth(
        "glue.amazonaws.com", "CreateWorkflow", {"name": "pipeline"}, {"name": "pipeline"}),
         (("create", "AWS::Glue::Workflow", "pipeline", "arn:aws:glue:us-east-1:123456789012:workflow/pipeline",
           None),)),
    Case("glue.amazonaws.com", "CreateSession", synth(
        "glue.amazonaws.com", "CreateSession", {"id": "sess-1", "role": "GlueRole"},
        {"session": {"id": "sess-1", "status": "PROVISIONING"}}),
         (("create", "AWS::Glue::Session", "sess-1", "arn:aws:glue:us-east-1:123456789012:session/sess-1", None),)),
    Case("athena.amazonaws.com", "CreateWorkGroup", synth(
        "athena.amazonaws.com", "CreateWorkGroup", {"name": "analysts"}),
         (("create", "AWS::Athena::WorkGroup", "analysts", "arn:aws:athena:us-east-1:123456789012:workgroup/analysts",
           None),)),
    Case("athena.amazonaws.com", "CreateDataCatalog", synth(
        "athena.amazonaws.com", "CreateDataCatalog", {"name": "hive", "type": "HIVE"}),
         (("create", "AWS::Athena::DataCatalog", "hive", "arn:aws:athena:us-east-1:123456789012:datacatalog/hive",
           None),)),
    Case("athena.amazonaws.com", "CreateCapacityReservation", synth(
        "athena.amazonaws.com", "CreateCapacityReservation", {"name": "reserved", "targetDpus": 24}),
         (("create", "AWS::Athena::CapacityReservation", "reserved",
           "arn:aws:athena:us-east-1:123456789012:capacity-reservation/reserved", None),)),
    # --- management, integration, delivery ----------------------------------------------------------
    Case("logs.amazonaws.com", "CreateLogGroup", real(INV + "1205Z_zs3JGxETHr59VpkX.json", "CreateLogGroup",
                                                      "a46276b9-dd85-4736-b9df-6210c69aa8e7"),
         (("create", "AWS::Logs::LogGroup", "/stratus-red-team/vpc-flow-logs",
           "arn:aws:logs:us-east-1:123837392027:log-group:/stratus-red-team/vpc-flow-logs", None),)),
    Case("monitoring.amazonaws.com", "PutMetricAlarm", synth(
        "monitoring.amazonaws.com", "PutMetricAlarm", {"alarmName": "high-cpu", "metricName": "CPUUtilization"}),
         (("create", "AWS::CloudWatch::Alarm", "high-cpu", "arn:aws:cloudwatch:us-east-1:123456789012:alarm:high-cpu",
           None),)),
    Case("events.amazonaws.com", "PutRule", synth(
        "events.amazonaws.com", "PutRule", {"name": "nightly", "scheduleExpression": "cron(0 3 * * ? *)"},
        {"ruleArn": "arn:aws:events:us-east-1:123456789012:rule/nightly"}),
         (("create", "AWS::Events::Rule", "nightly", "arn:aws:events:us-east-1:123456789012:rule/nightly", None),)),
    Case("cloudformation.amazonaws.com", "CreateStack", synth(
        "cloudformation.amazonaws.com", "CreateStack", {"stackName": "web-stack", "templateURL": "https://x/t.yaml"},
        {"stackId": "arn:aws:cloudformation:us-east-1:123456789012:stack/web-stack/51af3dc0-da77-11e4-872e-1234567db123"}),
         (("create", "AWS::CloudFormation::Stack", "web-stack",
           "arn:aws:cloudformation:us-east-1:123456789012:stack/web-stack/51af3dc0-da77-11e4-872e-1234567db123", None),)),
    Case("cloudtrail.amazonaws.com", "CreateTrail", real(INV + "1205Z_SjF3IkuNXJkoHyar.json", "CreateTrail",
                                                         "3a1acb39-c13b-4e73-a0e3-dcd8ce5c1a3a"),
         (("create", "AWS::CloudTrail::Trail", "stratus-red-team-ctlr-trail-zqfsvooxqj",
           "arn:aws:cloudtrail:us-east-1:123837392027:trail/stratus-red-team-ctlr-trail-zqfsvooxqj", None),)),
    Case("ssm.amazonaws.com", "PutParameter", real(INV + "1200Z_iLj9fb7yyUG9X4Bf.json", "PutParameter",
                                                   "93e58a50-11f0-4859-8f1c-472dd35a1aeb"),
         (("create", "AWS::SSM::Parameter", "credentials/stratus-red-team/credentials-34",
           "arn:aws:ssm:us-east-1:123837392027:parameter/credentials/stratus-red-team/credentials-34",
           "/credentials/stratus-red-team/credentials-34"),)),
    Case("route53.amazonaws.com", "CreateHostedZone", synth(
        "route53.amazonaws.com", "CreateHostedZone", {"name": "example.com.", "callerReference": "tok-1"},
        {"hostedZone": {"id": "/hostedzone/Z1D633PJN98FT9", "name": "example.com."}}),
         (("create", "AWS::Route53::HostedZone", "Z1D633PJN98FT9", "arn:aws:route53:::hostedzone/Z1D633PJN98FT9",
           "example.com."),)),
    Case("cloudhsm.amazonaws.com", "CreateCluster", real(
        "c7n-eventbridge/event-cloud-trail-hsm-create-cluster.json", "CreateCluster",
        "afeaa423-04ce-4fc5-9d12-03fb508dff1d"),
         (("create", "AWS::CloudHSM::Cluster", "cluster-dqf7m6ithhc",
           "arn:aws:cloudhsm:us-east-1:644160558196:cluster/cluster-dqf7m6ithhc", None),)),
    Case("sns.amazonaws.com", "CreateTopic", synth(
        "sns.amazonaws.com", "CreateTopic", {"name": "alerts"},
        {"topicArn": "arn:aws:sns:us-east-1:123456789012:alerts"}),
         (("create", "AWS::SNS::Topic", "alerts", "arn:aws:sns:us-east-1:123456789012:alerts", None),)),
    Case("sqs.amazonaws.com", "CreateQueue", synth(
        "sqs.amazonaws.com", "CreateQueue", {"queueName": "jobs", "attributes": {"VisibilityTimeout": "60"}},
        {"queueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/jobs"}),
         (("create", "AWS::SQS::Queue", "jobs", "arn:aws:sqs:us-east-1:123456789012:jobs", None),)),
    Case("apigateway.amazonaws.com", "CreateStage", real(
        "c7n-eventbridge/event-cloud-trail-create-rest-stage.json", "CreateStage",
        "62a841f9-7601-4345-9181-dd5f31ec75ab"),
         (("create", "AWS::ApiGateway::Stage", "abcdef74gh/latest",
           "arn:aws:apigateway:us-east-1::/restapis/abcdef74gh/stages/latest", None),)),
    Case("apigateway.amazonaws.com", "CreateApi", real(
        "traildiscover-logexamples/CreateApi.json", "CreateApi", "27598258-c8d7-4de8-b5d4-a651f5d2bf2a"),
         (("create", "AWS::ApiGatewayV2::Api", "5614585pm4", "arn:aws:apigateway:ca-centralsouth-1r::/apis/5614585pm4",
           "buckets555-api"),)),
    Case("appmesh.amazonaws.com", "CreateMesh", real(
        "c7n-eventbridge/event-appmesh-create-mesh.json", "CreateMesh", "3fa01fd9-3537-4cc0-88b0-a2dc297b5839"),
         (("create", "AWS::AppMesh::Mesh", "m1", "arn:aws:appmesh:eu-west-2:123456789012:mesh/m1", None),)),
    Case("appmesh.amazonaws.com", "CreateVirtualNode", real(
        "c7n-eventbridge/event-appmesh-create-virtualnode.json", "CreateVirtualNode",
        "e3ea18ad-9f89-4833-9051-ba2ea1430553"),
         # the sample's metadata.arn names node "vn1" while the node is "vn3": the ARN is rebuilt for vn3
         (("create", "AWS::AppMesh::VirtualNode", "m1/vn3",
           "arn:aws:appmesh:us-east-1:659775036450:mesh/m1/virtualNode/vn3", None),)),
    Case("appmesh.amazonaws.com", "CreateVirtualGateway", real(
        "c7n-eventbridge/event-appmesh-create-virtualgateway.json", "CreateVirtualGateway",
        "2d10d78e-05c4-4069-8d7b-dec836faf67d"),
         (("create", "AWS::AppMesh::VirtualGateway", "m1/g1",
           "arn:aws:appmesh:eu-west-2:0000:mesh/m1/virtualGateway/g1", None),)),
    Case("cloudfront.amazonaws.com", "CreateDistribution", real(
        "c7n-eventbridge/event-cloud-trail-create-distribution.json", "CreateDistribution",
        "a1474634-7457-45e1-bc0f-d47e7ad72f79"),
         (("create", "AWS::CloudFront::Distribution", "E53370FUHBNLK",
           "arn:aws:cloudfront::012345678912:distribution/E53370FUHBNLK", None),)),
    Case("ecr.amazonaws.com", "CreateRepository", synth(
        "ecr.amazonaws.com", "CreateRepository", {"repositoryName": "team/app"},
        {"repository": {"repositoryName": "team/app", "registryId": "123456789012",
                        "repositoryArn": "arn:aws:ecr:us-east-1:123456789012:repository/team/app"}}),
         (("create", "AWS::ECR::Repository", "team/app", "arn:aws:ecr:us-east-1:123456789012:repository/team/app",
           None),)),
    Case("sagemaker.amazonaws.com", "CreateNotebookInstance", synth(
        "sagemaker.amazonaws.com", "CreateNotebookInstance",
        {"notebookInstanceName": "Research-NB", "instanceType": "ml.t3.medium"},
        {"notebookInstanceArn": "arn:aws:sagemaker:us-east-1:123456789012:notebook-instance/research-nb"}),
         (("create", "AWS::SageMaker::NotebookInstance", "research-nb",
           "arn:aws:sagemaker:us-east-1:123456789012:notebook-instance/research-nb", "Research-NB"),)),
    Case("sagemaker.amazonaws.com", "CreateEndpoint", synth(
        "sagemaker.amazonaws.com", "CreateEndpoint", {"endpointName": "Churn-Endpoint",
                                                      "endpointConfigName": "churn-config"},
        {"endpointArn": "arn:aws:sagemaker:us-east-1:123456789012:endpoint/churn-endpoint"}),
         (("create", "AWS::SageMaker::Endpoint", "churn-endpoint",
           "arn:aws:sagemaker:us-east-1:123456789012:endpoint/churn-endpoint", "Churn-Endpoint"),)),
]


def _case_id(case: Case) -> str:
    return f"{case.source.split('.')[0]}:{case.event}"


@pytest.mark.parametrize("case", CREATIONS, ids=_case_id)
def test_creation_rule(case):
    record = case.record()
    assert (record["eventSource"], record["eventName"]) == (case.source, case.event)
    assert_catalog_refs(refs_of(record), case.expected)


def test_every_peer_creation_rule_has_a_case_here():
    if not PEER_RULES.is_file():
        pytest.skip(f"{PEER_RULES} is not present (the peer coverage test needs ../shared/reference)")
    peer = {(r["eventSource"], r["eventName"]) for r in json.loads(PEER_RULES.read_text())["creation_rules"]}
    missing = peer - {(c.source, c.event) for c in CREATIONS}
    assert not missing, f"creation rules without a test case: {sorted(missing)}"


# --- exceptions that needed code ------------------------------------------------------------------------

ELB = "elasticloadbalancing.amazonaws.com"
CLASSIC_REQ = {"loadBalancerName": "legacy-web", "listeners": [{"protocol": "HTTP", "loadBalancerPort": 80}],
               "availabilityZones": ["us-east-1a"]}
CLASSIC_RESP = {"dNSName": "legacy-web-1234567890.us-east-1.elb.amazonaws.com"}
ALB_ARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/api-alb/50dc6c495c0c9188"
TG_ARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/api-tg/73e2d6bc24d8a067"
V2_REQ = {"name": "api-alb", "type": "application", "securityGroups": ["sg-0123456789abcdef0"],
          "subnets": ["subnet-0a1b2c3d4e5f60718", "subnet-0f1e2d3c4b5a69788"]}
V2_RESP = {"loadBalancers": [{"loadBalancerArn": ALB_ARN, "loadBalancerName": "api-alb", "type": "application"}]}


@pytest.mark.parametrize("with_api_version", [True, False], ids=["apiVersion", "no-apiVersion"])
def test_elb_classic_and_v2_are_told_apart(with_api_version):
    classic = rec(ELB, "CreateLoadBalancer", CLASSIC_REQ, CLASSIC_RESP,
                  **({"apiVersion": "2012-06-01"} if with_api_version else {}))
    v2 = rec(ELB, "CreateLoadBalancer", V2_REQ, V2_RESP, **({"apiVersion": "2015-12-01"} if with_api_version else {}))
    assert_catalog_refs(refs_of(classic), [
        ("create", "AWS::ElasticLoadBalancing::LoadBalancer", "legacy-web",
         "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/legacy-web", None)])
    assert_catalog_refs(refs_of(v2), [("create", "AWS::ElasticLoadBalancingV2::LoadBalancer", "api-alb", ALB_ARN, None)])
    del_classic = rec(ELB, "DeleteLoadBalancer", {"loadBalancerName": "legacy-web"},
                      **({"apiVersion": "2012-06-01"} if with_api_version else {}))
    del_v2 = rec(ELB, "DeleteLoadBalancer", {"loadBalancerArn": ALB_ARN},
                 **({"apiVersion": "2015-12-01"} if with_api_version else {}))
    assert [(r.resource_type, r.resource_id, r.action) for r in refs_of(del_classic)] == [
        ("AWS::ElasticLoadBalancing::LoadBalancer", "legacy-web", "delete")]
    assert [(r.resource_type, r.resource_id, r.arn, r.action) for r in refs_of(del_v2)] == [
        ("AWS::ElasticLoadBalancingV2::LoadBalancer", "api-alb", ALB_ARN, "delete")]


def test_elb_api_version_is_authoritative_when_present():
    # a v2-shaped request logged with the classic apiVersion is not a v2 load balancer
    assert [r for r in refs_of(rec(ELB, "CreateLoadBalancer", V2_REQ, V2_RESP, apiVersion="2012-06-01"))
            if r.via == "catalog"] == []


def test_elbv2_add_tags_types_each_arn():
    record = rec(ELB, "AddTags", {"resourceArns": [ALB_ARN, TG_ARN], "tags": [{"key": "Name", "value": "edge"}]},
                 None, apiVersion="2015-12-01")
    assert_catalog_refs(refs_of(record), [
        ("modify", "AWS::ElasticLoadBalancingV2::LoadBalancer", "api-alb", ALB_ARN, "edge"),
        ("modify", "AWS::ElasticLoadBalancingV2::TargetGroup", "api-tg", TG_ARN, "edge")])


def test_elbv2_add_tags_real_record():
    record = real_record("c7n-eventbridge/event-cloud-trail-appelb-add-tags.json", "AddTags",
                         "e9f72371-5fc5-48fc-999d-462e13fdc6bd")
    assert_catalog_refs(refs_of(record), [
        ("modify", "AWS::ElasticLoadBalancingV2::LoadBalancer", "test",
         "arn:aws:elasticloadbalancing:us-east-1:123456789123:loadbalancer/app/test/433ae0ba96204181", None)])


def test_classic_elb_modification_without_api_version_real_record():
    record = real_record("c7n-eventbridge/event-cloud-trail-create-load-balancer-policy.json",
                         "CreateLoadBalancerPolicy", "5b2076f2-0868-4645-996f-c5b9ca083f92")
    assert "apiVersion" not in record or record["apiVersion"] is None
    assert_catalog_refs(refs_of(record), [
        ("modify", "AWS::ElasticLoadBalancing::LoadBalancer", "capione-test",
         "arn:aws:elasticloadbalancing:us-east-1:101010101111:loadbalancer/capione-test", None)])


LAMBDA = "lambda.amazonaws.com"


def test_lambda_versioned_event_names_real_records():
    delete = real_record(INV + "1230Z_9SJSsrxJ0ChF5VFb.json", "DeleteFunction20150331",
                         "134ef1d9-d57e-4e3a-955a-b773468afca9")
    assert_catalog_refs(refs_of(delete), [
        ("delete", "AWS::Lambda::Function", "stratus-red-team-backdoor-f-func",
         "arn:aws:lambda:us-east-1:123837392027:function:stratus-red-team-backdoor-f-func", None)])
    update = real_record("stratus-red-team/detonation-logs/aws.persistence.lambda-layer-extension.json",
                         "UpdateFunctionConfiguration20150331v2", "da929d96-8e20-475c-a810-973addd64769")
    arn = "arn:aws:lambda:eugov-eastcentral-1r:712967571683:function:stratus-red-team-lambda-layer-simpleLambda"
    assert_catalog_refs(refs_of(update), [
        ("modify", "AWS::Lambda::Function", "stratus-red-team-lambda-layer-simpleLambda", arn, None)])


@pytest.mark.parametrize("event", ["DeleteFunction", "DeleteFunction20150331"])
@pytest.mark.parametrize("function_name, rid, arn", [
    ("billing-fn", "billing-fn", "arn:aws:lambda:us-east-1:123456789012:function:billing-fn"),
    ("arn:aws:lambda:us-west-2:210987654321:function:billing-fn:PROD", "billing-fn",
     "arn:aws:lambda:us-west-2:210987654321:function:billing-fn"),
    ("arn:aws:lambda:us-west-2:210987654321:function:billing-fn", "billing-fn",
     "arn:aws:lambda:us-west-2:210987654321:function:billing-fn"),
    ("210987654321:function:billing-fn:7", "billing-fn", "arn:aws:lambda:us-east-1:210987654321:function:billing-fn"),
    ("billing-fn:3", "billing-fn", "arn:aws:lambda:us-east-1:123456789012:function:billing-fn"),
], ids=["name", "arn-with-qualifier", "arn", "partial-arn", "name-with-qualifier"])
def test_lambda_delete_by_name_arn_or_partial_arn(event, function_name, rid, arn):
    record = rec(LAMBDA, event, {"functionName": function_name})
    assert_catalog_refs(refs_of(record), [("delete", "AWS::Lambda::Function", rid, arn, None)])


def test_wrapped_pascal_case_nat_gateway_create_and_delete_name_the_same_resource():
    create = real_record(INV + "1200Z_x9kHmzMa7cx6l9wM.json", "CreateNatGateway",
                         "dbb3b16e-549e-48bc-bfa6-9ca4c2845e43")
    delete = real_record(INV + "1210Z_6CICdbJQM3beT7n3.json", "DeleteNatGateway",
                         "a6407537-eb04-446e-9333-21ee326e4e1a")
    arn = "arn:aws:ec2:us-east-1:123837392027:natgateway/nat-03575abbac42080d9"
    assert_catalog_refs(refs_of(delete), [("delete", "AWS::EC2::NatGateway", "nat-03575abbac42080d9", arn, None)])
    created = by_key(refs_of(create))
    assert created[("AWS::EC2::NatGateway", "nat-03575abbac42080d9")].arn == arn
    # the request's PascalCase ids are references
    assert created[("AWS::EC2::Subnet", "subnet-01ed430875cff578d")].action == "reference"
    assert created[("AWS::EC2::EIP", "eipalloc-08a083beb7e83dbc0")].via == "id-prefix"


def test_wrapped_request_with_odd_casing_and_no_response():
    record = rec(EC2, "DeleteNatGateway", {"deletenatgatewayrequest": {"natGatewayID": "nat-0123456789abcdef0"}})
    assert_catalog_refs(refs_of(record), [("delete", "AWS::EC2::NatGateway", "nat-0123456789abcdef0",
                                           _ec2_arn("natgateway", "nat-0123456789abcdef0"), None)])


@pytest.mark.parametrize("instance_set, expected", [
    ({"item": {"instanceIds": {"item": "i-0aaaabbbbccccdddd"}}}, ["i-0aaaabbbbccccdddd"]),
    ({"item": {"instanceIds": {"item": ["i-0aaaabbbbccccdddd", "i-0bbbbccccddddeeee"]}}},
     ["i-0aaaabbbbccccdddd", "i-0bbbbccccddddeeee"]),
    ({"item": [{"instanceIds": {"item": "i-0aaaabbbbccccdddd"}}, {"instanceIds": {"item": ["i-0ccccddddeeeeffff"]}}]},
     ["i-0aaaabbbbccccdddd", "i-0ccccddddeeeeffff"]),
], ids=["object-of-object", "object-of-list", "list-of-mixed"])
def test_item_is_coerced_to_a_list(instance_set, expected):
    record = rec(EC2, "CreateFleet", {"CreateFleetRequest": {"Type": "instant"}},
                 {"CreateFleetResponse": {"fleetId": "fleet-5dd2f7ba-8d0e-4b4b-9c9a-1a2b3c4d5e6f",
                                          "fleetInstanceSet": instance_set}})
    instances = [r.resource_id for r in refs_of(record) if r.resource_type == "AWS::EC2::Instance"]
    assert instances == expected


def test_delete_fleets_with_wrapped_list_members():
    record = rec(EC2, "DeleteFleets", {"DeleteFleetsRequest": {
        "FleetId": [{"tag": 1, "content": "fleet-11111111-2222-3333-4444-555555555555"},
                    {"tag": 2, "content": "fleet-66666666-7777-8888-9999-000000000000"}],
        "TerminateInstances": True}})
    got = sorted((r.resource_id, r.action) for r in refs_of(record) if r.resource_type == "AWS::EC2::EC2Fleet")
    assert got == [("fleet-11111111-2222-3333-4444-555555555555", "delete"),
                   ("fleet-66666666-7777-8888-9999-000000000000", "delete")]


def test_delete_transit_gateway_attachment_with_abbreviated_wrapper_real_record():
    record = real_record("c7n-eventbridge/event-transit-gateway-delete-vpc-attachment.json",
                         "DeleteTransitGatewayVpcAttachment", "10fe783b-14ea-4f67-8dbc-b1596716e57c")
    assert_catalog_refs(refs_of(record), [
        ("delete", "AWS::EC2::TransitGatewayAttachment", "tgw-attach-0814a77755bf02f0e",
         "arn:aws:ec2:us-west-2:012345678912:transit-gateway-attachment/tgw-attach-0814a77755bf02f0e", None)])


SQS = "sqs.amazonaws.com"


@pytest.mark.parametrize("url, arn", [
    ("https://sqs.eu-west-1.amazonaws.com/210987654321/jobs", "arn:aws:sqs:eu-west-1:210987654321:jobs"),
    ("https://queue.amazonaws.com/210987654321/jobs", "arn:aws:sqs:us-east-1:210987654321:jobs"),
    ("https://eu-west-1.queue.amazonaws.com/210987654321/jobs", "arn:aws:sqs:eu-west-1:210987654321:jobs"),
    ("https://vpce-0a1b2c3d-abcd.sqs.us-east-1.vpce.amazonaws.com/210987654321/jobs",
     "arn:aws:sqs:us-east-1:210987654321:jobs"),
], ids=["regional", "legacy", "legacy-regional", "vpc-endpoint"])
def test_sqs_delete_by_queue_url(url, arn):
    assert_catalog_refs(refs_of(rec(SQS, "DeleteQueue", {"queueUrl": url})),
                        [("delete", "AWS::SQS::Queue", "jobs", arn, None)])


def test_create_tags_on_mixed_types_resolves_each_type_from_the_prefix():
    record = rec(EC2, "CreateTags", {
        "resourcesSet": {"items": [{"resourceId": "i-0123456789abcdef0"}, {"resourceId": "vol-0123456789abcdef0"},
                                   {"resourceId": "sg-12345678"}, {"resourceId": "snap-0123456789abcdef0"},
                                   {"resourceId": "tgw-attach-0814a77755bf02f0e"},
                                   {"resourceId": "host-0123456789abcdef0"}]},
        "tagSet": {"items": [{"key": "Name", "value": "web-1"}, {"key": "env", "value": "prod"}]}},
        {"_return": True})
    got = {(r.resource_type, r.resource_id): (r.action, r.arn, r.name) for r in refs_of(record)}
    assert got == {
        ("AWS::EC2::Instance", "i-0123456789abcdef0"): ("modify", _ec2_arn("instance", "i-0123456789abcdef0"), "web-1"),
        ("AWS::EC2::Volume", "vol-0123456789abcdef0"): ("modify", _ec2_arn("volume", "vol-0123456789abcdef0"), "web-1"),
        ("AWS::EC2::SecurityGroup", "sg-12345678"): ("modify", _ec2_arn("security-group", "sg-12345678"), "web-1"),
        ("AWS::EC2::Snapshot", "snap-0123456789abcdef0"): (
            "modify", "arn:aws:ec2:us-east-1::snapshot/snap-0123456789abcdef0", "web-1"),
        ("AWS::EC2::TransitGatewayAttachment", "tgw-attach-0814a77755bf02f0e"): (
            "modify", _ec2_arn("transit-gateway-attachment", "tgw-attach-0814a77755bf02f0e"), "web-1"),
        # a prefix the table does not know: kept, untyped
        (None, "host-0123456789abcdef0"): ("modify", None, "web-1"),
    }


def test_delete_tags_does_not_name_the_resource_after_the_removed_tag():
    record = rec(EC2, "DeleteTags", {"resourcesSet": {"items": [{"resourceId": "i-0123456789abcdef0"}]},
                                     "tagSet": {"items": [{"key": "Name", "value": "old-name"}]}})
    assert [(r.resource_id, r.action, r.name) for r in refs_of(record)] == [("i-0123456789abcdef0", "modify", None)]


def test_create_tags_real_record():
    record = real_record(INV + "1215Z_YMDRJwtmC82bUwAo.json", "CreateTags", "166db627-7c52-4552-ac56-5aad1d09bde8")
    assert_catalog_refs(refs_of(record), [("modify", "AWS::EC2::Ami", "ami-0aa1d83d0b0985c86",
                                           "arn:aws:ec2:us-east-1::image/ami-0aa1d83d0b0985c86", None)])


def test_run_instances_name_tag_comes_from_the_instance_tag_specification():
    record = rec(EC2, "RunInstances", {
        "instancesSet": {"items": [{"imageId": "ami-0123456789abcdef0", "minCount": 2, "maxCount": 2}]},
        "tagSpecificationSet": {"items": [
            {"resourceType": "volume", "tags": [{"key": "Name", "value": "web-disk"}]},
            {"resourceType": "instance", "tags": [{"key": "Name", "value": "web"}]}]}},
        {"instancesSet": {"items": [{"instanceId": "i-0aaaabbbbccccdddd"}, {"instanceId": "i-0bbbbccccddddeeee"}]}})
    assert_catalog_refs(refs_of(record), [
        ("create", "AWS::EC2::Instance", "i-0aaaabbbbccccdddd", _ec2_arn("instance", "i-0aaaabbbbccccdddd"), "web"),
        ("create", "AWS::EC2::Instance", "i-0bbbbccccddddeeee", _ec2_arn("instance", "i-0bbbbccccddddeeee"), "web")])


@pytest.mark.parametrize("tags", [
    [{"key": "Name", "value": "orders-db"}],
    [{"Key": "Name", "Value": "orders-db"}],
    {"Name": "orders-db", "team": "data"},
    [{"tagKey": "team", "tagValue": "data"}, {"TagKey": "Name", "TagValue": "orders-db"}],
], ids=["key-value", "Key-Value", "dict", "TagKey-TagValue"])
def test_name_tag_shapes(tags):
    record = rec("dynamodb.amazonaws.com", "CreateTable", {"tableName": "orders", "tags": tags})
    assert refs_of(record)[0].name == "orders-db"


# --- the record's own resources list ----------------------------------------------------------------------

def test_record_resources_merge_with_the_catalog_ref():
    record = real_record(INV + "1205Z_UljXNp9xLp8nsAGc.json", "PutBucketPolicy", "988f1043-3e3d-4d84-803b-1b4d00e0df90")
    refs = refs_of(record)
    assert [(r.resource_type, r.resource_id, r.action, r.arn) for r in refs] == [
        ("AWS::S3::Bucket", "stratus-red-team-ctes-bucket-qyxyekjbtk", "modify",
         "arn:aws:s3:::stratus-red-team-ctes-bucket-qyxyekjbtk")]


def test_record_resources_real_kms_decrypt():
    record = real_record(INV + "1200Z_iLj9fb7yyUG9X4Bf.json", "Decrypt", "c6ebc8b7-572c-4123-92bf-9d94933724ca")
    assert refs_of(record) == [ResourceRef(
        "dad21b23-9915-42bd-981b-2a9f3c8f20c8", "AWS::KMS::Key",
        "arn:aws:kms:us-east-1:123837392027:key/dad21b23-9915-42bd-981b-2a9f3c8f20c8", None, "reference", "record")]


def test_record_resources_without_type_are_typed_by_their_arn():
    # SSM writes resources without "type"; ECR (this sample) with a lower-case "arn" key
    ssm = real_record(INV + "1210Z_QY5iPRtGUt0EpVaH.json", "DeleteParameter", "2b2f4de3-8b4e-48b7-9326-ec2118c61742")
    assert [(r.resource_type, r.resource_id, r.action) for r in refs_of(ssm)] == [
        ("AWS::SSM::Parameter", "credentials/stratus-red-team/credentials-22", "delete")]
    ecr = real_record("panther-tests/panther_cloudtrail_test_events.jsonl", "SetRepositoryPolicy",
                      "685e066d-a3aa-4323-a6a1-2f187a2fc986")
    assert [(r.resource_type, r.resource_id, r.action, r.arn) for r in refs_of(ecr)] == [
        ("AWS::ECR::Repository", "community", "modify", "arn:aws:ecr:eu-west-1:112233445566:repository/community")]


def test_record_resources_real_assume_role():
    record = real_record("trailscraper/tests/cloudtrail/data/"
                         "111111111111_CloudTrail_eu-central-1_20171211T1505Z_A6kvhMoVeCsc7v8U.json.gz",
                         "AssumeRole", "b25ff7e3-f1cf-4b7f-883d-b09168c454d5")
    assert refs_of(record) == [ResourceRef("someRole", "AWS::IAM::Role", "arn:aws:iam::111111111111:role/someRole",
                                           None, "reference", "record")]


def test_record_resources_shapes():
    record = rec("s3.amazonaws.com", "GetObject", {"bucketName": "data", "key": "a/b.csv"}, None, resources=[
        {"type": "AWS::S3::Object", "ARN": "arn:aws:s3:::data/a/b.csv"},
        {"accountId": "123456789012", "type": "AWS::S3::Bucket", "ARN": "arn:aws:s3:::data"},
        {"type": "AWS::S3::Object", "ARNPrefix": "arn:aws:s3:::data/a/"},
        {"type": "AWS::Foo::Widget", "ARN": "arn:aws:foo:us-east-1:123456789012:widget/w-1"},
        {"ARN": "arn:aws:foo:us-east-1:123456789012:gadget:g-2"},
        {"type": "AWS::IAM::Role", "ARN": "arn:aws:iam::123456789012:role/service-role/etl"},
        "not-a-dict", {"type": "AWS::S3::Bucket"}, {"ARN": None},
    ])
    assert [(r.resource_type, r.resource_id, r.arn) for r in refs_of(record)] == [
        ("AWS::S3::Object", "data/a/b.csv", "arn:aws:s3:::data/a/b.csv"),
        ("AWS::S3::Bucket", "data", "arn:aws:s3:::data"),
        ("AWS::Foo::Widget", "w-1", "arn:aws:foo:us-east-1:123456789012:widget/w-1"),
        (None, "g-2", "arn:aws:foo:us-east-1:123456789012:gadget:g-2"),
        ("AWS::IAM::Role", "etl", "arn:aws:iam::123456789012:role/service-role/etl"),
    ]
    assert {r.via for r in refs_of(record)} == {"record"}


# --- EC2-style ids in the request ---------------------------------------------------------------------------

def test_id_prefix_references_only_from_id_keys_of_the_request():
    record = rec(EC2, "DescribeInstances", {
        "instancesSet": {"items": [{"instanceId": "i-0123456789abcdef0"}]},
        "filterSet": {"items": [{"name": "vpc-id", "valueSet": {"items": [{"value": "vpc-0a1b2c3d4e5f60718"}]}}]},
        "description": "sg-12345678",                      # not an id key
        "SecurityGroupId": {"tag": 1, "content": "sg-0fedcba9876543210"},  # wrapped list member
        "securityGroups": ["sg-87654321"],
        "subnetIds": ["subnet-0a1b2c3d4e5f60718", "subnet-123"],  # the second has no id shape
        "imageId": "ami-aCBbfd13bdb1d1E4b",                # anonymised mixed-case hex (stratus-red-team)
    }, {"reservationSet": {"items": [{"groupSet": {"items": [{"groupId": "sg-0aaaabbbbccccdddd"}]}}]}})
    got = {(r.resource_type, r.resource_id) for r in refs_of(record)}
    assert got == {("AWS::EC2::Instance", "i-0123456789abcdef0"), ("AWS::EC2::SecurityGroup", "sg-0fedcba9876543210"),
                   ("AWS::EC2::SecurityGroup", "sg-87654321"), ("AWS::EC2::Subnet", "subnet-0a1b2c3d4e5f60718"),
                   ("AWS::EC2::Ami", "ami-aCBbfd13bdb1d1E4b")}
    assert {r.via for r in refs_of(record)} == {"id-prefix"}
    assert {r.action for r in refs_of(record)} == {"reference"}


def test_id_prefix_key_pair_ids_get_no_rebuilt_arn():
    ref, = refs_of(rec(EC2, "DescribeKeyPairs", {"keyPairId": "key-0123456789abcdef0"}))
    assert (ref.resource_type, ref.arn) == ("AWS::EC2::KeyPair", None)


def test_deep_request_is_scanned_with_bounded_depth():
    deep: dict = {"subnetId": "subnet-0a1b2c3d4e5f60718"}
    node = deep
    for _ in range(200):
        node["nested"] = {"vpcId": "vpc-0a1b2c3d4e5f60718"}
        node = node["nested"]
    got = {(r.resource_type, r.resource_id) for r in refs_of(rec(EC2, "Describe", deep))}
    assert ("AWS::EC2::Subnet", "subnet-0a1b2c3d4e5f60718") in got


# --- actions, dedupe, canonical ids --------------------------------------------------------------------------

def test_failed_call_keeps_the_action_and_takes_the_id_from_the_request():
    record = real_record(INV + "1230Z_ZtUNbBkwAu98FPZb.json", "CreateFunction20150331",
                         "2b7c36ee-1525-45a4-b58a-dc1a828d2c7f")
    assert record["errorCode"] and record["responseElements"] is None
    assert_catalog_refs(refs_of(record), [
        ("create", "AWS::Lambda::Function", "stratus-red-team-olc-func-xhfgzaowxc",
         "arn:aws:lambda:us-east-1:123837392027:function:stratus-red-team-olc-func-xhfgzaowxc", None)])


def test_secret_deleted_by_arn_is_the_secret_created_by_name():
    record = real_record(INV + "1210Z_6CICdbJQM3beT7n3.json", "DeleteSecret", "dbf59de5-4d63-4aca-9fce-a657f5df89c9")
    assert_catalog_refs(refs_of(record), [
        ("delete", "AWS::SecretsManager::Secret", "stratus-red-team-retrieve-secret-7",
         "arn:aws:secretsmanager:us-east-1:123837392027:secret:stratus-red-team-retrieve-secret-7-nFvpuv", None)])


def test_put_parameter_with_overwrite_is_a_modification():
    record = rec("ssm.amazonaws.com", "PutParameter", {"name": "/app/db-url", "overwrite": True, "type": "String"},
                 {"version": 4})
    assert_catalog_refs(refs_of(record), [
        ("modify", "AWS::SSM::Parameter", "app/db-url", "arn:aws:ssm:us-east-1:123456789012:parameter/app/db-url",
         "/app/db-url")])


def test_rds_and_elasticache_ids_are_lower_cased():
    db = rec("rds.amazonaws.com", "DeleteDBInstance", {"dBInstanceIdentifier": "Orders-DB", "skipFinalSnapshot": True})
    assert_catalog_refs(refs_of(db), [("delete", "AWS::RDS::DBInstance", "orders-db",
                                       "arn:aws:rds:us-east-1:123456789012:db:orders-db", None)])
    rg = rec("elasticache.amazonaws.com", "CreateReplicationGroup", {"replicationGroupId": "Sessions"})
    assert_catalog_refs(refs_of(rg), [("create", "AWS::ElastiCache::ReplicationGroup", "sessions",
                                       "arn:aws:elasticache:us-east-1:123456789012:replicationgroup:sessions", None)])


def test_cloudformation_create_stack_is_not_an_opsworks_stack():
    record = rec("cloudformation.amazonaws.com", "CreateStack", {"stackName": "web"})
    assert [(r.resource_type, r.resource_id) for r in refs_of(record)] == [("AWS::CloudFormation::Stack", "web")]
    delete_by_id = rec("cloudformation.amazonaws.com", "DeleteStack", {
        "stackName": "arn:aws:cloudformation:us-east-1:123456789012:stack/web/51af3dc0-da77-11e4-872e-1234567db123"})
    assert [(r.resource_id, r.action) for r in refs_of(delete_by_id)] == [("web", "delete")]


@pytest.mark.parametrize("req, rid", [
    ({"cluster": "arn:aws:ecs:us-east-1:123456789012:cluster/web", "service": "api"}, "web/api"),
    ({"cluster": "web", "service": "arn:aws:ecs:us-east-1:123456789012:service/web/api"}, "web/api"),
    ({"service": "api"}, "default/api"),
], ids=["cluster-arn", "service-arn", "default-cluster"])
def test_ecs_service_composite_id(req, rid):
    refs = refs_of(rec("ecs.amazonaws.com", "DeleteService", req))
    assert_catalog_refs(refs, [("delete", "AWS::ECS::Service", rid,
                                f"arn:aws:ecs:us-east-1:123456789012:service/{rid}", None)])


def test_polymorphic_tag_events_resolve_the_type_from_the_arn():
    stage = real_record("c7n-eventbridge/event-cloud-trail-tag-rest-stage.json", "TagResource",
                        "94808787-0330-494e-9eec-5d35c3e0dce7")
    assert_catalog_refs(refs_of(stage), [("modify", "AWS::ApiGateway::Stage", "abcdef74gh/test2",
                                          "arn:aws:apigateway:us-east-1::/restapis/abcdef74gh/stages/test2", None)])
    dist = real_record("c7n-eventbridge/event-cloud-trail-tag-distribution.json", "TagResource",
                       "0981508a-ec98-4ed8-a9ae-6e2656576961")
    assert_catalog_refs(refs_of(dist), [("modify", "AWS::CloudFront::Distribution", "E53370FUHBNLK",
                                         "arn:aws:cloudfront::351936369470:distribution/E53370FUHBNLK", None)])
    rds = rec("rds.amazonaws.com", "AddTagsToResource", {
        "resourceName": "arn:aws:rds:us-east-1:123456789012:snapshot:nightly", "tags": [{"key": "k", "value": "v"}]})
    assert_catalog_refs(refs_of(rds), [("modify", "AWS::RDS::DBSnapshot", "nightly",
                                        "arn:aws:rds:us-east-1:123456789012:snapshot:nightly", None)])


def test_console_login_references_the_iam_user_only():
    user_login = real_record(INV + "1230Z_AvIajGd5rkz6vTy4.json", "ConsoleLogin", "8feee4c2-5e27-4857-8475-bfa7e7b6d791")
    assert [(r.resource_type, r.resource_id, r.action, r.arn) for r in refs_of(user_login)] == [
        ("AWS::IAM::User", "bert-jan", "reference", "arn:aws:iam::123837392027:user/bert-jan")]
    role_login = rec("signin.amazonaws.com", "ConsoleLogin", None, {"ConsoleLogin": "Success"}, userIdentity={
        "type": "AssumedRole", "arn": "arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Admin_1/maria"})
    assert refs_of(role_login) == []


def test_dedupe_keeps_the_strongest_action_and_fills_arn_and_name():
    # TerminateInstances: the instance is in the catalog rule (delete) and in the request (reference)
    record = real_record(INV + "1210Z_6CICdbJQM3beT7n3.json", "TerminateInstances",
                         "2d893b1d-e8f2-499b-a558-cb927d9b48ea")
    refs = refs_of(record)
    assert len(refs) == len({(r.resource_type, r.resource_id) for r in refs})
    assert [(r.resource_id, r.action, r.via) for r in refs] == [("i-0dbc91f429e48eeed", "delete", "catalog")]
    # a catalog modify without ARN and a record reference with the ARN merge into one modify with the ARN
    merged = rec("secretsmanager.amazonaws.com", "PutSecretValue", {"secretId": "db-password"}, None, resources=[
        {"type": "AWS::SecretsManager::Secret",
         "ARN": "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-password-AbCdEf"}])
    assert refs_of(merged) == [ResourceRef(
        "db-password", "AWS::SecretsManager::Secret",
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-password-AbCdEf", None, "modify", "catalog")]


def test_partition_follows_the_region():
    ref, = refs_of(rec(EC2, "DeleteVolume", {"volumeId": "vol-0123456789abcdef0"}, awsRegion="cn-north-1"))
    assert ref.arn == "arn:aws-cn:ec2:cn-north-1:123456789012:volume/vol-0123456789abcdef0"
    ref, = refs_of(rec("s3.amazonaws.com", "DeleteBucket", {"bucketName": "b"}, awsRegion="us-gov-west-1"))
    assert ref.arn == "arn:aws-us-gov:s3:::b"
    ref, = extract_resources(rec("s3.amazonaws.com", "DeleteBucket", {"bucketName": "b"}),
                             account=None, region=None, partition="aws-iso")
    assert ref.arn == "arn:aws-iso:s3:::b"


def test_missing_account_or_region_gives_no_arn_rather_than_a_wrong_one():
    ref, = extract_resources(rec(EC2, "DeleteVolume", {"volumeId": "vol-0123456789abcdef0"}),
                             account=None, region="us-east-1")
    assert (ref.resource_id, ref.arn) == ("vol-0123456789abcdef0", None)


# --- malformed records ---------------------------------------------------------------------------------------

MALFORMED = [
    None, "not a record", [], {},
    {"eventSource": "ec2.amazonaws.com"},
    {"eventSource": 7, "eventName": ["RunInstances"]},
    rec(EC2, "RunInstances", "instancesSet=1", None),
    rec(EC2, "RunInstances", None, "oops"),
    rec(EC2, "RunInstances", [{"instancesSet": {}}], [{"instancesSet": {"items": [{"instanceId": 5}]}}]),
    rec(EC2, "RunInstances", {"instancesSet": {"items": "x"}}, {"instancesSet": {"items": [None, 3, "i-x", {}]}}),
    rec(EC2, "CreateTags", {"resourcesSet": {"items": [{"resourceId": None}, {"resourceId": {"a": 1}}]},
                            "tagSet": "Name=x"}),
    rec("secretsmanager.amazonaws.com", "CreateSecret", {"name": "HIDDEN_DUE_TO_SECURITY_REASONS"}, None),
    rec("iam.amazonaws.com", "CreateUser", {"userName": "<sensitiveDataRemoved>"}),
    rec("ecs.amazonaws.com", "DeleteService", {"cluster": ["a"], "service": {"b": 1}}),
    rec("s3.amazonaws.com", "GetObject", None, None, resources="arn:aws:s3:::b"),
    rec("s3.amazonaws.com", "GetObject", None, None, resources=[{"ARN": 12}, {"ARNPrefix": ["x"]}, None]),
    rec(EC2, "DescribeInstances", {"instanceId": True, 5: "i-0123456789abcdef0", "x": [[[["i-0123"]]]]}),
    rec(ELB, "CreateLoadBalancer", {"name": "x"}, {"loadBalancers": "arn"}, apiVersion=None),
]


@pytest.mark.parametrize("record", MALFORMED, ids=lambda r: (json.dumps(r, default=str)[:60] if r else repr(r)))
def test_malformed_records_never_raise(record):
    refs = extract_resources(record, account=ACCOUNT, region=REGION)
    assert isinstance(refs, list)
    for r in refs:
        assert isinstance(r.resource_id, str) and r.resource_id
        assert r.resource_id not in ("HIDDEN_DUE_TO_SECURITY_REASONS", "<sensitiveDataRemoved>")


def test_malformed_record_still_returns_what_can_be_found():
    record = rec(EC2, "RunInstances", "garbage",
                 {"instancesSet": {"items": [None, {"instanceId": "i-0123456789abcdef0"}, "x"]}},
                 resources={"not": "a list"})
    assert [(r.resource_type, r.resource_id, r.action) for r in refs_of(record)] == [
        ("AWS::EC2::Instance", "i-0123456789abcdef0", "create")]


def test_every_dataset_record_extracts_without_error():
    _require_datasets()
    count = 0
    for path in sorted(DATASETS.rglob("*")):
        if not path.is_file() or not path.name.endswith((".json", ".json.gz", ".jsonl")):
            continue
        for record in read_records(path):
            count += 1
            for ref in refs_of(record):
                assert ref.action in ACTIONS and ref.via in ("catalog", "record", "id-prefix"), ref
                assert isinstance(ref.resource_id, str) and ref.resource_id.strip() == ref.resource_id != ""
                assert ref.arn is None or ref.arn.startswith("arn:"), ref
    assert count > 1000
