"""Meta-tests over the catalog's usage declarations: every CloudWatch metric an entry declares is one AWS
documents (catalog/usage.py CLOUDWATCH, with its dimensions), and its dimensions can be built from a resource of
that type as the store knows it (a real-shaped id, name and ARN)."""

from __future__ import annotations

import pytest

from cloudblame.catalog import CATALOG, ResourceType
from cloudblame.catalog.usage import CLOUDWATCH, UsageMetric, documented_dimensions, human_bytes

USAGE_TYPES = {e.type: e for e in CATALOG if isinstance(e, ResourceType) and e.usage}
A, R = "123456789012", "us-east-1"

# A real-shaped resource of each type with usage (id, name, ARN as the store keeps them) and the dimensions each
# metric that applies to it is read with.
EXAMPLES: dict[str, tuple[str, str | None, str | None, dict[tuple[str, str], dict[str, str]]]] = {
    "AWS::EC2::Instance": ("i-0a1b2c3d4e5f60718", "web-1", f"arn:aws:ec2:{R}:{A}:instance/i-0a1b2c3d4e5f60718", {
        ("AWS/EC2", m): {"InstanceId": "i-0a1b2c3d4e5f60718"} for m in ("CPUUtilization", "NetworkIn", "NetworkOut")}),
    "AWS::EC2::Volume": ("vol-049df61146c4d7901", None, f"arn:aws:ec2:{R}:{A}:volume/vol-049df61146c4d7901", {
        ("AWS/EBS", m): {"VolumeId": "vol-049df61146c4d7901"} for m in ("VolumeReadOps", "VolumeWriteOps")}),
    "AWS::EC2::NatGateway": ("nat-0f1e2d3c4b5a69788", None, f"arn:aws:ec2:{R}:{A}:natgateway/nat-0f1e2d3c4b5a69788", {
        ("AWS/NATGateway", m): {"NatGatewayId": "nat-0f1e2d3c4b5a69788"}
        for m in ("BytesOutToDestination", "BytesInFromDestination")}),
    "AWS::Lambda::Function": ("resize-images", None, f"arn:aws:lambda:{R}:{A}:function:resize-images", {
        ("AWS/Lambda", "Invocations"): {"FunctionName": "resize-images"}}),
    "AWS::ElasticLoadBalancing::LoadBalancer": (
        "legacy-web", None, f"arn:aws:elasticloadbalancing:{R}:{A}:loadbalancer/legacy-web",
        {("AWS/ELB", "RequestCount"): {"LoadBalancerName": "legacy-web"}}),
    "AWS::ElasticLoadBalancingV2::LoadBalancer": (
        "shop-alb", None, f"arn:aws:elasticloadbalancing:{R}:{A}:loadbalancer/app/shop-alb/50dc6c495c0c9188",
        {("AWS/ApplicationELB", "RequestCount"): {"LoadBalancer": "app/shop-alb/50dc6c495c0c9188"}}),
    "AWS::S3::Bucket": ("acme-reports-2024", None, "arn:aws:s3:::acme-reports-2024", {
        ("AWS/S3", "AllRequests"): {"BucketName": "acme-reports-2024", "FilterId": "EntireBucket"}}),
    "AWS::RDS::DBInstance": ("orders-db", None, f"arn:aws:rds:{R}:{A}:db:orders-db", {
        ("AWS/RDS", "DatabaseConnections"): {"DBInstanceIdentifier": "orders-db"}}),
    "AWS::RDS::DBCluster": ("orders-aurora", None, f"arn:aws:rds:{R}:{A}:cluster:orders-aurora", {
        ("AWS/RDS", "DatabaseConnections"): {"DBClusterIdentifier": "orders-aurora"}}),
    "AWS::DynamoDB::Table": ("Sessions", None, f"arn:aws:dynamodb:{R}:{A}:table/Sessions", {
        ("AWS/DynamoDB", m): {"TableName": "Sessions"}
        for m in ("ConsumedReadCapacityUnits", "ConsumedWriteCapacityUnits")}),
    "AWS::Redshift::Cluster": ("analytics", None, f"arn:aws:redshift:{R}:{A}:cluster:analytics", {
        ("AWS/Redshift", "DatabaseConnections"): {"ClusterIdentifier": "analytics"}}),
    # SageMaker keeps the id lower-cased and the name as created: the metric's dimension is the name
    "AWS::SageMaker::Endpoint": ("churn-model-prod", "Churn-Model-Prod",
                                 f"arn:aws:sagemaker:{R}:{A}:endpoint/churn-model-prod", {
        ("AWS/SageMaker", "Invocations"): {"EndpointName": "Churn-Model-Prod", "VariantName": "AllTraffic"}}),
}
# The types issue 21 names, each of which must be read.
REQUIRED = {"AWS::EC2::Instance", "AWS::EC2::Volume", "AWS::RDS::DBInstance", "AWS::ElasticLoadBalancing::LoadBalancer",
            "AWS::ElasticLoadBalancingV2::LoadBalancer", "AWS::EC2::NatGateway", "AWS::Lambda::Function",
            "AWS::DynamoDB::Table", "AWS::SageMaker::Endpoint", "AWS::S3::Bucket"}


def _declared() -> list[tuple[str, UsageMetric]]:
    return [(t, m) for t, e in USAGE_TYPES.items() for m in e.usage]


def test_the_types_asked_for_declare_usage_and_every_one_has_an_example():
    assert REQUIRED <= set(USAGE_TYPES)
    assert set(EXAMPLES) == set(USAGE_TYPES)


@pytest.mark.parametrize(("rtype", "metric"), _declared(), ids=lambda x: x if isinstance(x, str) else x.metric)
def test_every_declared_metric_is_a_documented_cloudwatch_metric_with_its_dimensions(rtype, metric):
    assert metric.namespace in CLOUDWATCH, metric.namespace
    assert metric.metric in CLOUDWATCH[metric.namespace], (metric.namespace, metric.metric)
    assert {metric.dimension, *metric.fixed} in [set(d) for d in documented_dimensions(metric.namespace, metric.metric)]
    assert metric.statistic in ("Maximum", "Sum", "Average") and metric.used_above >= 0
    assert metric.what and metric.words(None) == f"{metric.what}: no data"


@pytest.mark.parametrize("rtype", sorted(EXAMPLES))
def test_each_metric_is_built_from_a_real_shaped_resource(rtype):
    rid, name, arn, expected = EXAMPLES[rtype]
    entry = USAGE_TYPES[rtype]
    assert arn is None or any(p.match(arn) for p in entry.patterns), f"{arn} is not an ARN of {rtype}"
    built = {(m.namespace, m.metric): m.dimensions(rid, name, arn) for m in entry.usage if m.applies_to(rid, name, arn)}
    assert built == expected


def test_an_elbv2_metric_is_read_only_for_its_kind_of_load_balancer_and_needs_the_arn():
    alb, nlb = (m for m in USAGE_TYPES["AWS::ElasticLoadBalancingV2::LoadBalancer"].usage)
    net = f"arn:aws:elasticloadbalancing:{R}:{A}:loadbalancer/net/shop-nlb/0123456789abcdef"
    assert not alb.applies_to("shop-nlb", None, net) and nlb.dimensions("shop-nlb", None, net) == {
        "LoadBalancer": "net/shop-nlb/0123456789abcdef"}
    assert alb.applies_to("shop-alb", None, None) and alb.dimensions("shop-alb", None, None) is None  # no ARN: unread


def test_a_pattern_without_a_value_group_is_refused():
    with pytest.raises(ValueError, match="value"):
        UsageMetric("AWS/EC2", "CPUUtilization", "InstanceId", "Maximum", 1, "CPU", pattern=r"i-\w+")


def test_readings_in_words_and_sum_thresholds_per_day():
    cpu, net_in, _ = USAGE_TYPES["AWS::EC2::Instance"].usage
    conns = USAGE_TYPES["AWS::RDS::DBInstance"].usage[0]
    requests = USAGE_TYPES["AWS::ElasticLoadBalancing::LoadBalancer"].usage[0]
    assert cpu.words(0.43) == "max CPU 0.4%" and conns.words(0) == "0 connections"
    assert conns.words(3) == "up to 3 connections" and requests.words(1204) == "1,204 requests"
    assert net_in.words(3_200_000) == "3.2 MB network in" and human_bytes(812) == "812 B"
    assert cpu.threshold(30) == cpu.used_above and net_in.threshold(14) == 14 * net_in.used_above
