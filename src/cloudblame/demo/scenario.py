"""The story of the sample sandbox account: resources with known creators, changed and (some)
deleted over the weeks by other people, including forgotten expensive ones.

``build_scenario`` returns the scenario's records (time-ordered) and the known answers. Times are
fractions of the window, so the story fits whatever ``days`` the generator is given.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from cloudblame.demo.bursts import plant_bursts
from cloudblame.demo.ec2_shapes import (
    allocate_address_shape,
    authorize_ingress_shape,
    create_key_pair_shape,
    create_launch_template_shape,
    create_nat_gateway_shape,
    create_security_group_shape,
    create_snapshot_shape,
    create_subnet_shape,
    create_tags_shape,
    create_volume_shape,
    create_vpc_shape,
    instance_ids_of,
    release_address_shape,
    run_instances_shape,
    state_change_shape,
)
from cloudblame.demo.envelope import CDK_UA
from cloudblame.demo.people import Caller, Person, caller, on_behalf, service_caller
from cloudblame.demo.service_shapes import (
    bucket_policy,
    create_access_key_shape,
    create_asg_shape,
    create_bucket_shape,
    create_cluster_shape,
    create_db_instance_shape,
    create_function_shape,
    create_key_shape,
    create_load_balancer_shape,
    create_nodegroup_shape,
    create_notebook_shape,
    create_queue_shape,
    create_role_shape,
    create_secret_shape,
    create_stack_shape,
    create_table_shape,
    create_topic_shape,
    create_user_shape,
    delete_db_instance_shape,
    queue_url,
    s3_additional,
    schedule_key_deletion_shape,
    update_function_configuration_shape,
)
from cloudblame.demo.trail import build_record
from cloudblame.demo.values import Ids, iso

REGION = "us-east-1"


@dataclass(frozen=True)
class Expected:
    """A known answer: who created a resource, with what tool, and who deleted it (if anyone)."""

    resource_id: str
    resource_type: str
    creator: str
    tool: str
    created: str
    deleted_by: str | None = None
    deleted: str | None = None
    name: str | None = None
    via: str | None = None  # the service that made it for the creator (cloudformation, autoscaling)


class Story:
    """Collects the scenario's records and expectations."""

    def __init__(self, ids: Ids, rng: random.Random, people: dict[str, Person], account: str, start: int,
                 days: int) -> None:
        self.ids, self.rng, self.people, self.account = ids, rng, people, account
        self.start, self.days = start, days
        self.records: list[tuple[int, dict[str, Any]]] = []
        self.expected: dict[tuple[str, str], Expected] = {}

    def at(self, fraction: float, hour: int, minute: int = 0) -> int:
        day = min(int(fraction * self.days), self.days - 1)
        return int(self.start + day * 86400 + hour * 3600 + minute * 60 + self.rng.randrange(50))

    def who(self, name: str, flavour: str, t: int) -> Caller:
        found, issue = caller(self.people[name], self.account, t, flavour, self.ids, self.rng)
        if issue:
            self.emit_fields(issue)
        return found

    def emit_fields(self, f: dict[str, Any]) -> None:
        c = Caller(None, f["identity"], "fixed", f["ua"], f["ip"])
        rec = build_record(self.ids, t=f["t"], account=self.account, region=REGION, source=f["source"],
                           name=f["name"], caller=c, req=f["req"], resp=f["resp"], read_only=f["read_only"],
                           event_type=f.get("event_type", "AwsApiCall"), resources=f.get("resources"),
                           additional=f.get("additional"), ua=f["ua"])
        self.records.append((f["t"], rec))

    def call(self, t: int, c: Caller, source: str, name: str, req: Any, resp: Any, region: str = REGION,
             **kw: Any) -> dict[str, Any]:
        rec = build_record(self.ids, t=t, account=self.account, region=region, source=source, name=name,
                           caller=c, req=req, resp=resp, **kw)
        self.records.append((t, rec))
        return rec

    def expect(self, rid: str, rtype: str, creator: str, tool: str, t: int, name: str | None = None,
               via: str | None = None) -> None:
        self.expected[(rid, rtype)] = Expected(rid, rtype, creator, tool, iso(t), name=name, via=via)

    def deleted(self, rid: str, by: str, t: int, rtype: str | None = None) -> None:
        (key,) = [k for k in self.expected if k[0] == rid and rtype in (None, k[1])]
        e = self.expected[key]
        self.expected[key] = Expected(e.resource_id, e.resource_type, e.creator, e.tool, e.created, by, iso(t),
                                      e.name, e.via)


def build_scenario(story: Story) -> str:
    """Play the story; returns the spotlight resource (created, changed by others, deleted)."""
    net = _network(story)
    spotlight = _toms_test_instance(story, net)
    _bobs_forgotten_spend(story, net)
    _alice_serverless(story)
    _cloudformation_stack(story)
    _ci_and_autoscaling(story, net)
    _housekeeping(story)
    plant_bursts(story, net)
    story.records.sort(key=lambda item: item[0])
    return spotlight


MARIA = "maria.lopez@example.com"
STORE_AMI = "ami-0c7217cdde317cfec"


def _network(s: Story) -> dict[str, Any]:
    """maria builds the shared network with Terraform on day one."""
    t = s.at(0.0, 9, 5)
    c = s.who(MARIA, "terraform", t)
    tags = {"Project": "storefront", "Owner": MARIA, "ManagedBy": "terraform"}
    vpc, subnets, t = _vpc_and_subnets(s, c, t, tags)
    sg = _web_security_group(s, c, t + 6, tags, vpc)
    eip, nat, t = _nat_gateway(s, c, t + 6 + 9, tags, vpc, subnets[0])
    t = _web_instances(s, c, t, tags, vpc, subnets, sg)
    template, t = _admin_key_and_worker_template(s, c, t + 20, sg)
    _assets_bucket(s, c, t + 15)
    return {"vpc": vpc, "subnets": subnets, "sg": sg, "eip": eip, "nat": nat, "template": template}


def _vpc_and_subnets(s: Story, c: Caller, t: int, tags: dict[str, str]) -> tuple[str, list[str], int]:
    """The VPC and a subnet in each of two zones; returns them and the time of the last call."""
    req, resp = create_vpc_shape(s.ids, account=s.account, cidr="10.0.0.0/16", tags=dict(tags, Name="sandbox-vpc"))
    s.call(t, c, "ec2.amazonaws.com", "CreateVpc", req, resp)
    vpc = resp["vpc"]["vpcId"]
    s.expect(vpc, "AWS::EC2::VPC", MARIA, "terraform", t, "sandbox-vpc")
    subnets = []
    for i, az in enumerate(("us-east-1a", "us-east-1b")):
        t += 4
        req, resp = create_subnet_shape(s.ids, account=s.account, region=REGION, vpc=vpc, cidr=f"10.0.{i}.0/24",
                                        az=az, az_id=f"use1-az{i + 1}", tags=dict(tags, Name=f"sandbox-{az}"))
        s.call(t, c, "ec2.amazonaws.com", "CreateSubnet", req, resp)
        subnets.append(resp["subnet"]["subnetId"])
        s.expect(subnets[-1], "AWS::EC2::Subnet", MARIA, "terraform", t, f"sandbox-{az}")
    return vpc, subnets, t


def _web_security_group(s: Story, c: Caller, t: int, tags: dict[str, str], vpc: str) -> str:
    """The web tier's security group, open on 443."""
    req, resp = create_security_group_shape(s.ids, name="web", description="web tier", vpc=vpc, tags=tags)
    s.call(t, c, "ec2.amazonaws.com", "CreateSecurityGroup", req, resp)
    sg: str = resp["groupId"]
    s.expect(sg, "AWS::EC2::SecurityGroup", MARIA, "terraform", t, "web")
    req, resp = authorize_ingress_shape(s.ids, account=s.account, group=sg, port=443, cidr="0.0.0.0/0",
                                        description="https")
    s.call(t + 2, c, "ec2.amazonaws.com", "AuthorizeSecurityGroupIngress", req, resp)
    return sg


def _nat_gateway(s: Story, c: Caller, t: int, tags: dict[str, str], vpc: str, subnet: str) -> tuple[str, str, int]:
    """An Elastic IP and the NAT gateway that uses it; returns both and the time of the last call."""
    req, resp = allocate_address_shape(s.ids, region=REGION, tags=dict(tags, Name="nat-eip"))
    s.call(t, c, "ec2.amazonaws.com", "AllocateAddress", req, resp)
    eip = resp["allocationId"]
    s.expect(eip, "AWS::EC2::EIP", MARIA, "terraform", t, "nat-eip")
    t += 3
    req, resp = create_nat_gateway_shape(s.ids, t=t, subnet=subnet, vpc=vpc, allocation=eip,
                                         tags=dict(tags, Name="sandbox-nat"), client_token=s.ids.token())
    s.call(t, c, "ec2.amazonaws.com", "CreateNatGateway", req, resp)
    nat = resp["CreateNatGatewayResponse"]["natGateway"]["natGatewayId"]
    s.expect(nat, "AWS::EC2::NatGateway", MARIA, "terraform", t, "sandbox-nat")
    return eip, nat, t


def _web_instances(s: Story, c: Caller, t: int, tags: dict[str, str], vpc: str, subnets: list[str],
                   sg: str) -> int:
    """Two web servers, one per subnet, 30 s apart; returns the time of the last launch."""
    for i in (1, 2):
        t += 30
        name = f"storefront-web-{i}"
        req, resp = run_instances_shape(s.ids, account=s.account, region=REGION, t=t, image=STORE_AMI,
                                        itype="t3.medium", subnet=subnets[i - 1], vpc=vpc, sg=sg,
                                        az=f"us-east-1{'ab'[i - 1]}", tags=dict(tags, Name=name),
                                        client_token=s.ids.token())
        s.call(t, c, "ec2.amazonaws.com", "RunInstances", req, resp)
        s.expect(instance_ids_of(resp)[0], "AWS::EC2::Instance", MARIA, "terraform", t, name)
    return t


def _admin_key_and_worker_template(s: Story, c: Caller, t: int, sg: str) -> tuple[str, int]:
    """The admin key pair, and 5 s later the workers' launch template; returns it and its time."""
    req, resp = create_key_pair_shape(s.ids, name="storefront-admin")
    s.call(t, c, "ec2.amazonaws.com", "CreateKeyPair", req, resp)
    s.expect("storefront-admin", "AWS::EC2::KeyPair", MARIA, "terraform", t)
    t += 5
    req, resp = create_launch_template_shape(s.ids, t=t, name="storefront-workers", image=STORE_AMI,
                                             itype="c6i.large", sg=sg, created_by=c.identity["arn"],
                                             client_token=s.ids.token())
    s.call(t, c, "ec2.amazonaws.com", "CreateLaunchTemplate", req, resp)
    template = resp["CreateLaunchTemplateResponse"]["launchTemplate"]["launchTemplateId"]
    s.expect(template, "AWS::EC2::LaunchTemplate", MARIA, "terraform", t)
    return template, t


def _assets_bucket(s: Story, c: Caller, t: int) -> None:
    """The storefront's assets bucket and its policy."""
    bucket = f"storefront-assets-{s.account}"
    req, resp = create_bucket_shape(bucket, REGION)
    s.call(t, c, "s3.amazonaws.com", "CreateBucket", req, resp, additional=s3_additional(s.ids))
    s.expect(bucket, "AWS::S3::Bucket", MARIA, "terraform", t)
    s.call(t + 3, c, "s3.amazonaws.com", "PutBucketPolicy",
           {"bucketName": bucket, "bucketPolicy": bucket_policy(bucket, s.account), "policy": ""}, None,
           additional=s3_additional(s.ids))


def _toms_test_instance(s: Story, net: dict[str, Any]) -> str:
    """tom launches a test box from the console; alice tags it; tom stops it; maria terminates it."""
    t = s.at(0.08, 14, 12)
    c = s.who("tom.becker@example.com", "console", t)
    req, resp = run_instances_shape(s.ids, account=s.account, region=REGION, t=t, image="ami-0c7217cdde317cfec",
                                    itype="m5.2xlarge", subnet=net["subnets"][1], vpc=net["vpc"], sg=net["sg"],
                                    az="us-east-1b", tags={"Name": "tom-load-test"}, client_token=s.ids.token())
    s.call(t, c, "ec2.amazonaws.com", "RunInstances", req, resp)
    iid = instance_ids_of(resp)[0]
    s.expect(iid, "AWS::EC2::Instance", "tom.becker@example.com", "console", t, "tom-load-test")
    t2 = s.at(0.15, 10, 30)
    req, resp = create_tags_shape([iid], {"Owner": "tom.becker@example.com", "CostCenter": "qa"})
    s.call(t2, s.who("alice", "cli", t2), "ec2.amazonaws.com", "CreateTags", req, resp)
    t3 = s.at(0.3, 17, 45)
    req, resp = state_change_shape([iid], "stopping", "running", force=False)
    s.call(t3, s.who("tom.becker@example.com", "console", t3), "ec2.amazonaws.com", "StopInstances", req, resp)
    t4 = s.at(0.55, 9, 20)
    req, resp = state_change_shape([iid], "shutting-down", "stopped")
    s.call(t4, s.who("maria.lopez@example.com", "cli", t4), "ec2.amazonaws.com", "TerminateInstances", req, resp)
    s.deleted(iid, "maria.lopez@example.com", t4)
    return iid


def _bobs_forgotten_spend(s: Story, net: dict[str, Any]) -> None:
    """bob starts expensive things from the console, one launch is refused, then he leaves."""
    t = s.at(0.12, 11, 0)
    c = s.who("bob", "console", t)
    req, resp = run_instances_shape(s.ids, account=s.account, region=REGION, t=t, image="ami-0a8b4cd432b1c3063",
                                    itype="p4d.24xlarge", subnet=net["subnets"][0], vpc=net["vpc"], sg=net["sg"],
                                    az="us-east-1a", tags=None, client_token=s.ids.token())
    s.call(t, c, "ec2.amazonaws.com", "RunInstances", req, resp, error="Client.UnauthorizedOperation")
    t += 300
    req, resp = run_instances_shape(s.ids, account=s.account, region=REGION, t=t, image="ami-0a8b4cd432b1c3063",
                                    itype="p3.2xlarge", subnet=net["subnets"][0], vpc=net["vpc"], sg=net["sg"],
                                    az="us-east-1a", tags={"Name": "bob-gpu-experiment"}, client_token=s.ids.token())
    s.call(t, c, "ec2.amazonaws.com", "RunInstances", req, resp)
    s.expect(instance_ids_of(resp)[0], "AWS::EC2::Instance", "bob", "console", t, "bob-gpu-experiment")
    t += 1800
    req, resp = create_db_instance_shape(s.ids, account=s.account, region=REGION, ident="bob-analytics",
                                         cls="db.r6g.xlarge", engine="postgres", version="16.4", storage=500,
                                         subnet_group="default", vpc=net["vpc"], sg=net["sg"], tags=None)
    s.call(t, c, "rds.amazonaws.com", "CreateDBInstance", req, resp)
    s.expect("bob-analytics", "AWS::RDS::DBInstance", "bob", "console", t)
    t = s.at(0.2, 15, 0)
    c = s.who("tom.becker@example.com", "console", t)
    role = f"arn:aws:iam::{s.account}:role/sagemaker-notebooks"
    req, resp = create_notebook_shape(account=s.account, region=REGION, name="churn-model-nb",
                                      itype="ml.p3.2xlarge", role_arn=role)
    s.call(t, c, "sagemaker.amazonaws.com", "CreateNotebookInstance", req, resp)
    s.expect("churn-model-nb", "AWS::SageMaker::NotebookInstance", "tom.becker@example.com", "console", t)


def _alice_serverless(s: Story) -> None:
    """alice builds a small event pipeline from the CLI and boto3, changes it, and tears part down."""
    t = s.at(0.05, 13, 0)
    _alice_messaging(s, t)
    role = _alice_worker(s, t + 500)
    _alice_test_database(s)
    t2 = s.at(0.5, 11, 0)
    req, resp = update_function_configuration_shape(s.ids, account=s.account, region=REGION, t=t2,
                                                    name="orders-worker", role_arn=role, runtime="python3.12",
                                                    handler="app.handler", memory=512, timeout=60, env=None)
    s.call(t2, s.who("alice", "boto3", t2), "lambda.amazonaws.com", "UpdateFunctionConfiguration20150331v2", req, resp)
    _alice_teardown(s, s.at(0.8, 16, 0))


def _alice_messaging(s: Story, t: int) -> None:
    """From the CLI: a queue, a topic and a log group."""
    cli = s.who("alice", "cli", t)
    req, resp = create_queue_shape(account=s.account, region=REGION, name="orders-events")
    s.call(t, cli, "sqs.amazonaws.com", "CreateQueue", req, resp)
    s.expect("orders-events", "AWS::SQS::Queue", "alice", "aws-cli", t)
    req, resp = create_topic_shape(account=s.account, region=REGION, name="orders-alerts")
    s.call(t + 40, cli, "sns.amazonaws.com", "CreateTopic", req, resp)
    s.expect("orders-alerts", "AWS::SNS::Topic", "alice", "aws-cli", t + 40)
    s.call(t + 80, cli, "logs.amazonaws.com", "CreateLogGroup", {"logGroupName": "/orders/worker"}, None)
    s.expect("/orders/worker", "AWS::Logs::LogGroup", "alice", "aws-cli", t + 80)


def _alice_worker(s: Story, t: int) -> str:
    """From boto3: the worker's role at ``t``, its function 100 s later, then a table; returns the role's ARN."""
    py = s.who("alice", "boto3", t + 100)
    role = f"arn:aws:iam::{s.account}:role/orders-worker"
    req, resp = create_role_shape(s.ids, account=s.account, t=t, name="orders-worker", service="lambda")
    s.call(t, py, "iam.amazonaws.com", "CreateRole", req, resp)
    s.expect("orders-worker", "AWS::IAM::Role", "alice", "boto3", t)
    req, resp = create_function_shape(s.ids, account=s.account, region=REGION, t=t + 100, name="orders-worker",
                                      role_arn=role, runtime="python3.12", handler="app.handler", memory=256,
                                      timeout=30, bucket=f"storefront-assets-{s.account}", key="orders.zip")
    s.call(t + 100, py, "lambda.amazonaws.com", "CreateFunction20150331", req, resp)
    s.expect("orders-worker", "AWS::Lambda::Function", "alice", "boto3", t + 100)
    req, resp = create_table_shape(s.ids, account=s.account, region=REGION, t=t + 200, name="orders", pk="orderId")
    s.call(t + 200, py, "dynamodb.amazonaws.com", "CreateTable", req, resp)
    s.expect("orders", "AWS::DynamoDB::Table", "alice", "boto3", t + 200)
    return role


def _alice_test_database(s: Story) -> None:
    """A small test database, deleted two weeks later."""
    tdb = s.at(0.15, 14, 0)
    req, resp = create_db_instance_shape(s.ids, account=s.account, region=REGION, ident="orders-db-test",
                                         cls="db.t3.micro", engine="mysql", version="8.0.39", storage=20,
                                         subnet_group="default", vpc="vpc-default", sg="default", tags=None)
    s.call(tdb, s.who("alice", "cli", tdb), "rds.amazonaws.com", "CreateDBInstance", req, resp)
    s.expect("orders-db-test", "AWS::RDS::DBInstance", "alice", "aws-cli", tdb)
    tdel = s.at(0.3, 10, 0)
    req, resp = delete_db_instance_shape(account=s.account, region=REGION, ident="orders-db-test",
                                         cls="db.t3.micro", engine="mysql")
    s.call(tdel, s.who("alice", "cli", tdel), "rds.amazonaws.com", "DeleteDBInstance", req, resp)
    s.deleted("orders-db-test", "alice", tdel)


def _alice_teardown(s: Story, t: int) -> None:
    """The queue and the function go (the role of the function's name stays); two days before, a dry run."""
    c = s.who("alice", "cli", t)
    s.call(t, c, "sqs.amazonaws.com", "DeleteQueue", {"queueUrl": queue_url(s.account, REGION, "orders-events")}, None)
    s.deleted("orders-events", "alice", t)
    s.call(t + 60, c, "lambda.amazonaws.com", "DeleteFunction20150331", {"functionName": "orders-worker"}, None)
    s.deleted("orders-worker", "alice", t + 60, "AWS::Lambda::Function")
    s.call(t - 86400 * 2, s.who("alice", "cli", t - 86400 * 2), "ec2.amazonaws.com", "RunInstances",
           {"instancesSet": {"items": [{"imageId": STORE_AMI, "minCount": 1, "maxCount": 1}]},
            "instanceType": "t3.nano", "dryRun": True}, None, error="Client.DryRunOperation")


def _cloudformation_stack(s: Story) -> None:
    """alice deploys a CDK app: CloudFormation creates its resources with her credentials."""
    t = s.at(0.18, 10, 0)
    base = s.who("alice", "cli", t)
    cdk = Caller(base.person, base.identity, "fixed", CDK_UA, base.ip)
    req, resp = create_stack_shape(s.ids, account=s.account, region=REGION, name="ReportsStack",
                                   template_url=f"https://cdk-hnb659fds-assets-{s.account}-{REGION}.s3.amazonaws.com/t.json")
    s.call(t, cdk, "cloudformation.amazonaws.com", "CreateStack", req, resp)
    stack = resp["stackId"]
    s.expect("ReportsStack", "AWS::CloudFormation::Stack", "alice", "cdk", t)
    cfn = on_behalf(base, "cloudformation")
    req, resp = create_queue_shape(account=s.account, region=REGION, name="ReportsStack-jobs",
                                   tags={"aws:cloudformation:stack-id": stack, "aws:cloudformation:stack-name": "ReportsStack"})
    s.call(t + 25, cfn, "sqs.amazonaws.com", "CreateQueue", req, resp)
    s.expect("ReportsStack-jobs", "AWS::SQS::Queue", "alice", "cdk", t + 25, via="cloudformation")
    s.call(t + 30, cfn, "logs.amazonaws.com", "CreateLogGroup", {"logGroupName": "/reports/jobs"}, None)
    s.expect("/reports/jobs", "AWS::Logs::LogGroup", "alice", "cdk", t + 30, via="cloudformation")
    t2 = s.at(0.9, 14, 0)
    s.call(t2, Caller(base.person, base.identity, "fixed", CDK_UA, base.ip), "cloudformation.amazonaws.com",
           "DeleteStack", {"stackName": "ReportsStack"}, None)
    s.deleted("ReportsStack", "alice", t2)
    s.call(t2 + 40, cfn, "sqs.amazonaws.com", "DeleteQueue",
           {"queueUrl": queue_url(s.account, REGION, "ReportsStack-jobs")}, None)
    s.deleted("ReportsStack-jobs", "alice", t2 + 40)


def _ci_and_autoscaling(s: Story, net: dict[str, Any]) -> None:
    """The CI role builds an EKS cluster; maria's Auto Scaling group launches instances itself."""
    t = s.at(0.22, 12, 0)
    ci = s.who("github-deployer", "terraform", t)
    role = f"arn:aws:iam::{s.account}:role/eks-cluster"
    req, resp = create_cluster_shape(s.ids, account=s.account, region=REGION, t=t, name="sandbox-eks", version="1.31",
                                     role_arn=role, subnets=net["subnets"], sg=net["sg"], vpc=net["vpc"],
                                     tags={"ManagedBy": "terraform"})
    s.call(t, ci, "eks.amazonaws.com", "CreateCluster", req, resp)
    s.expect("sandbox-eks", "AWS::EKS::Cluster", "github:example-org/platform-infra (refs/heads/main)", "terraform", t)
    req, resp = create_nodegroup_shape(s.ids, account=s.account, region=REGION, t=t + 900, cluster="sandbox-eks",
                                       name="default", version="1.31", node_role=f"arn:aws:iam::{s.account}:role/eks-node",
                                       subnets=net["subnets"], itype="m5.large", size=3, tags={})
    s.call(t + 900, ci, "eks.amazonaws.com", "CreateNodegroup", req, resp)
    req, resp = create_load_balancer_shape(s.ids, account=s.account, region=REGION, t=t + 1000, name="sandbox-alb",
                                           subnets=net["subnets"], azs=["us-east-1a", "us-east-1b"], sg=net["sg"],
                                           vpc=net["vpc"])
    s.call(t + 1000, ci, "elasticloadbalancing.amazonaws.com", "CreateLoadBalancer", req, resp, api_version="2015-12-01")
    t = s.at(0.25, 9, 30)
    tf = s.who("maria.lopez@example.com", "terraform", t)
    req, no_response = create_asg_shape(name="storefront-workers", launch_template=net["template"],
                                         subnets=net["subnets"], size=2, tags={"Project": "storefront"})
    s.call(t, tf, "autoscaling.amazonaws.com", "CreateAutoScalingGroup", req, no_response)
    s.expect("storefront-workers", "AWS::AutoScaling::AutoScalingGroup", "maria.lopez@example.com", "terraform", t)
    for k in range(2):
        ta = t + 60 + k * 5
        asg = service_caller("autoscaling", s.account, ta, s.ids, role="AWSServiceRoleForAutoScaling",
                             session_name="AutoScaling")
        req, resp = run_instances_shape(s.ids, account=s.account, region=REGION, t=ta, image="ami-0c7217cdde317cfec",
                                        itype="c6i.large", subnet=net["subnets"][k], vpc=net["vpc"], sg=net["sg"],
                                        az=f"us-east-1{'ab'[k]}", tags={"aws:autoscaling:groupName": "storefront-workers"},
                                        client_token=s.ids.token(), launch_template=net["template"])
        s.call(ta, asg, "ec2.amazonaws.com", "RunInstances", req, resp)
        s.expect(instance_ids_of(resp)[0], "AWS::EC2::Instance", "maria.lopez@example.com", "terraform", ta,
                 via="autoscaling")


def _housekeeping(s: Story) -> None:
    """Secrets and keys by maria; bob's account removed after he left; a volume tom forgot to delete."""
    _maria_secret_and_key(s)
    _reports_bot_and_bob_removed(s)
    _toms_forgotten_volume(s)
    _spare_address(s)


def _maria_secret_and_key(s: Story) -> None:
    """maria keeps the database password in a secret and creates a key, deleted later."""
    t = s.at(0.35, 10, 0)
    c = s.who("maria.lopez@example.com", "terraform", t)
    req, resp = create_secret_shape(s.ids, account=s.account, region=REGION, name="storefront/db-password",
                                    description="storefront database")
    s.call(t, c, "secretsmanager.amazonaws.com", "CreateSecret", req, resp)
    s.expect("storefront/db-password", "AWS::SecretsManager::Secret", "maria.lopez@example.com", "terraform", t)
    req, resp, arn = create_key_shape(s.ids, account=s.account, region=REGION, t=t + 30, description="sandbox data",
                                      tags={"Project": "storefront"})
    s.call(t + 30, c, "kms.amazonaws.com", "CreateKey", req, resp)
    key_id = resp["keyMetadata"]["keyId"]
    s.expect(key_id, "AWS::KMS::Key", "maria.lopez@example.com", "terraform", t + 30)
    t2 = s.at(0.7, 11, 0)
    req, resp = schedule_key_deletion_shape(key_id=key_id, arn=arn, t=t2, days=7)
    s.call(t2, s.who("maria.lopez@example.com", "cli", t2), "kms.amazonaws.com", "ScheduleKeyDeletion", req, resp)
    s.deleted(key_id, "maria.lopez@example.com", t2)


def _reports_bot_and_bob_removed(s: Story) -> None:
    """maria makes a bot user and its access key, and removes bob's user after he left."""
    t3 = s.at(0.6, 9, 0)
    req, resp = create_user_shape(s.ids, account=s.account, t=t3, name="reports-bot")
    admin = s.who("maria.lopez@example.com", "cli", t3)
    s.call(t3, admin, "iam.amazonaws.com", "CreateUser", req, resp)
    s.expect("reports-bot", "AWS::IAM::User", "maria.lopez@example.com", "aws-cli", t3)
    req, resp = create_access_key_shape(s.ids, t=t3 + 20, user="reports-bot")
    s.call(t3 + 20, admin, "iam.amazonaws.com", "CreateAccessKey", req, resp)
    s.call(t3 + 600, admin, "iam.amazonaws.com", "DeleteUser", {"userName": "bob"}, None)


def _toms_forgotten_volume(s: Story) -> None:
    """tom makes a scratch volume and snapshots it; he never deletes either."""
    t4 = s.at(0.4, 15, 0)
    req, resp = create_volume_shape(s.ids, t=t4, az="us-east-1a", size=200, vtype="gp3",
                                    tags={"Name": "tom-scratch"}, client_token=s.ids.token())
    s.call(t4, s.who("tom.becker@example.com", "console", t4), "ec2.amazonaws.com", "CreateVolume", req, resp)
    volume = resp["volumeId"]
    s.expect(volume, "AWS::EC2::Volume", "tom.becker@example.com", "console", t4, "tom-scratch")
    t5 = s.at(0.45, 16, 0)
    req, resp = create_snapshot_shape(s.ids, account=s.account, t=t5, volume=volume, size=200,
                                      description="before resize")
    s.call(t5, s.who("tom.becker@example.com", "console", t5), "ec2.amazonaws.com", "CreateSnapshot", req, resp)
    s.expect(resp["snapshotId"], "AWS::EC2::Snapshot", "tom.becker@example.com", "console", t5)


def _spare_address(s: Story) -> None:
    """maria allocates an Elastic IP she does not need and releases it two days later."""
    t6 = s.at(0.1, 10, 0)
    spare = s.who("maria.lopez@example.com", "cli", t6)
    req, resp = allocate_address_shape(s.ids, region=REGION, tags=None)
    s.call(t6, spare, "ec2.amazonaws.com", "AllocateAddress", req, resp)
    s.expect(resp["allocationId"], "AWS::EC2::EIP", "maria.lopez@example.com", "aws-cli", t6)
    t7 = s.at(0.12, 10, 0)
    req, resp = release_address_shape(resp["allocationId"], REGION)
    s.call(t7, s.who("maria.lopez@example.com", "cli", t7), "ec2.amazonaws.com", "ReleaseAddress", req, resp)
    s.deleted(req["allocationId"], "maria.lopez@example.com", t7)
