"""Each describe declaration of the catalog against moto in server mode on loopback: a resource made in moto is
found (present, or stopped once stopped, at the size it was made with), one moto does not have is gone."""

from __future__ import annotations

import io
import uuid
import zipfile
from collections.abc import Callable
from typing import Any

import boto3
import pytest

from cloudblame.actions.cleanup import boto3_clients
from cloudblame.actions.live import Target, check_live, live_types

ACCOUNT, REGION = "123456789012", "us-east-1"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/cloudblame-test"


@pytest.fixture(scope="module", autouse=True)
def fake_credentials():
    with pytest.MonkeyPatch.context() as mp:
        for key, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                           "AWS_DEFAULT_REGION": REGION, "AWS_EC2_METADATA_DISABLED": "true"}.items():
            mp.setenv(key, value)
        yield


class Aws:
    """moto's clients, and a VPC with two subnets for what needs one."""

    def __init__(self, url: str):
        self.url = url
        ec2 = self.client("ec2")
        vpc = ec2.create_vpc(CidrBlock="10.7.0.0/16")["Vpc"]["VpcId"]
        self.subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.7.{i}.0/24", AvailabilityZone=f"{REGION}{z}")
                        ["Subnet"]["SubnetId"] for i, z in ((1, "a"), (2, "b"))]
        self.client("iam").create_role(RoleName="cloudblame-test", AssumeRolePolicyDocument="{}")

    def client(self, service: str) -> Any:
        return boto3.client(service, endpoint_url=self.url, region_name=REGION)


def _name() -> str:
    return f"cb{uuid.uuid4().hex[:8]}"


def nat(aws: Aws) -> tuple[str, dict]:
    ec2 = aws.client("ec2")
    allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
    return ec2.create_nat_gateway(SubnetId=aws.subnets[0], AllocationId=allocation)["NatGateway"]["NatGatewayId"], {}


def eip(aws: Aws) -> tuple[str, dict]:
    return aws.client("ec2").allocate_address(Domain="vpc")["AllocationId"], {}


def db_cluster(aws: Aws) -> tuple[str, dict]:
    name = _name()
    aws.client("rds").create_db_cluster(DBClusterIdentifier=name, Engine="aurora-postgresql", MasterUsername="admin",
                                        MasterUserPassword="secret-pw-1")
    return name, {}


def classic_elb(aws: Aws) -> tuple[str, dict]:
    name = _name()
    aws.client("elb").create_load_balancer(LoadBalancerName=name, AvailabilityZones=[f"{REGION}a"], Listeners=[
        {"Protocol": "HTTP", "LoadBalancerPort": 80, "InstancePort": 80}])
    return name, {}


def alb(aws: Aws) -> tuple[str, dict]:
    name = _name()
    aws.client("elbv2").create_load_balancer(Name=name, Subnets=aws.subnets, Type="application")
    return name, {"type": "network"}  # its events said network: AWS says application


def function(aws: Aws) -> tuple[str, dict]:
    name, code = _name(), io.BytesIO()
    with zipfile.ZipFile(code, "w") as z:
        z.writestr("index.py", "def handler(event, context):\n    return 1\n")
    aws.client("lambda").create_function(FunctionName=name, Runtime="python3.12", Role=ROLE, Handler="index.handler",
                                         Code={"ZipFile": code.getvalue()})
    return name, {}


def cache_cluster(aws: Aws) -> tuple[str, dict]:
    name = _name()
    aws.client("elasticache").create_cache_cluster(CacheClusterId=name, Engine="redis", CacheNodeType="cache.t3.micro",
                                                   NumCacheNodes=1)
    return name, {"node_type": "cache.t3.micro", "count": 1}


def redshift(aws: Aws) -> tuple[str, dict]:
    name = _name()
    client = aws.client("redshift")
    client.create_cluster(ClusterIdentifier=name, NodeType="dc2.large", MasterUsername="admin",
                          MasterUserPassword="Secret-pw-1", ClusterType="multi-node", NumberOfNodes=2)
    client.pause_cluster(ClusterIdentifier=name)
    return name, {"node_type": "dc2.large", "count": 2}


def notebook(aws: Aws) -> tuple[str, dict]:
    name = f"Nb-{uuid.uuid4().hex[:6]}"  # SageMaker names keep their case; the id is lower-cased
    client = aws.client("sagemaker")
    client.create_notebook_instance(NotebookInstanceName=name, InstanceType="ml.t3.medium", RoleArn=ROLE)
    client.stop_notebook_instance(NotebookInstanceName=name)
    return name, {"instance_type": "ml.t3.medium"}


def endpoint(aws: Aws) -> tuple[str, dict]:
    name = f"Ep-{uuid.uuid4().hex[:6]}"
    client = aws.client("sagemaker")
    client.create_model(ModelName=name, ExecutionRoleArn=ROLE, PrimaryContainer={"Image": "img:1"})
    client.create_endpoint_config(EndpointConfigName=name, ProductionVariants=[{
        "VariantName": "AllTraffic", "ModelName": name, "InitialInstanceCount": 1, "InstanceType": "ml.m5.large"}])
    client.create_endpoint(EndpointName=name, EndpointConfigName=name)
    return name, {}


def eks(aws: Aws) -> tuple[str, dict]:
    name = _name()
    aws.client("eks").create_cluster(name=name, roleArn=ROLE, resourcesVpcConfig={"subnetIds": aws.subnets})
    return name, {}


def efs(aws: Aws) -> tuple[str, dict]:
    return aws.client("efs").create_file_system(CreationToken=_name())["FileSystemId"], {}


# type -> (what makes one in moto: its name and the size its events said, the state it is then found in, an id
# of that type moto does not have)
MAKERS: dict[str, tuple[Callable[[Aws], tuple[str, dict]], str, str]] = {
    "AWS::EC2::NatGateway": (nat, "present", "nat-0a1b2c3d4e5f60718"),
    "AWS::EC2::EIP": (eip, "present", "eipalloc-0a1b2c3d4e5f60718"),
    "AWS::RDS::DBCluster": (db_cluster, "present", "no-such-cluster"),
    "AWS::ElasticLoadBalancing::LoadBalancer": (classic_elb, "present", "no-such-elb"),
    "AWS::ElasticLoadBalancingV2::LoadBalancer": (alb, "resized", "no-such-alb"),
    "AWS::Lambda::Function": (function, "present", "no-such-function"),
    "AWS::ElastiCache::CacheCluster": (cache_cluster, "present", "no-such-cache"),
    "AWS::Redshift::Cluster": (redshift, "stopped", "no-such-cluster"),
    "AWS::SageMaker::NotebookInstance": (notebook, "stopped", "no-such-notebook"),
    "AWS::SageMaker::Endpoint": (endpoint, "present", "no-such-endpoint"),
    "AWS::EKS::Cluster": (eks, "present", "no-such-eks"),
    "AWS::EFS::FileSystem": (efs, "present", "fs-0a1b2c3d4e5f60718"),
}


@pytest.fixture(scope="module")
def aws(moto_url):
    return Aws(moto_url)


@pytest.mark.parametrize("resource_type", sorted(MAKERS))
def test_a_declaration_finds_what_moto_has_and_not_what_it_lacks(aws, resource_type):
    make, expected, missing = MAKERS[resource_type]
    name, size = make(aws)
    found = Target(resource_type, name.lower(), ACCOUNT, REGION, name=name, size=size)
    # a second one of a batched type: the batch AWS refuses for the missing id is asked again one at a time
    targets = [found, Target(resource_type, missing, ACCOUNT, REGION)]
    check = check_live(targets, boto3_clients(region=REGION, endpoint_url=aws.url), caller=ACCOUNT)
    states = {o.target.resource_id: o.state for o in check.observations}
    assert states == {name.lower(): expected, missing: "gone"}, [o.detail for o in check.observations]
    assert check.problems == []
    seen = next(o for o in check.observations if o.target is found)
    if size:
        assert set(seen.size or {}) >= set(size), "the size dimensions its events give are read back"
    assert live_types()[resource_type].state is None or seen.aws_state is not None
