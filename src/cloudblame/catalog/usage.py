"""What CloudWatch says about a resource's real use, as data: the metrics a catalog entry declares in its
``usage`` (one :class:`UsageMetric` each), and the CloudWatch metrics they may name (:data:`CLOUDWATCH`).

A declaration says where the metric is (namespace, metric name), which dimension names the resource and how
its value is built from what the store knows of the resource (its id, name or ARN, or a part of one: an
Application Load Balancer's ``LoadBalancer`` dimension is ``app/NAME/HASH``, the tail of its ARN), the
statistic read, and the value above which the resource counts as used. Thresholds follow AWS Trusted
Advisor's idle and low-utilization checks where one exists. Nothing here talks to AWS:
:mod:`cloudblame.actions.usage` reads the metrics, :mod:`cloudblame.queries.usage` shows what was read.

The value of a reading is taken over the whole window: for ``Maximum`` the highest, for ``Sum`` the total,
for ``Average`` the mean of the daily values. A ``Sum`` threshold is per day of the window (it is multiplied
by the window's days), so that "5 MB a day" means the same over 14 days and over 90.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

Statistic = Literal["Maximum", "Sum", "Average"]
Unit = Literal["percent", "count", "bytes"]
ValueOf = Literal["id", "name", "arn"]

# The CloudWatch metrics declarations may name: namespace -> metric -> the dimension names it is published
# with (one combination each), as AWS documents them:
# https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/viewing_metrics_with_cloudwatch.html
# https://docs.aws.amazon.com/ebs/latest/userguide/using_cloudwatch_ebs.html
# https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-metrics.html
# https://docs.aws.amazon.com/elasticloadbalancing/latest/{classic,application,network}/*-cloudwatch-metrics.html
# https://docs.aws.amazon.com/vpc/latest/userguide/vpc-nat-gateway-cloudwatch.html
# https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html
# https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/metrics-dimensions.html
# https://docs.aws.amazon.com/sagemaker/latest/dg/monitoring-cloudwatch.html
# https://docs.aws.amazon.com/AmazonS3/latest/userguide/metrics-dimensions.html (request metrics: a filter)
# https://docs.aws.amazon.com/redshift/latest/mgmt/metrics-listing.html
CLOUDWATCH: Mapping[str, Mapping[str, tuple[str, ...]]] = MappingProxyType({
    "AWS/EC2": {"CPUUtilization": ("InstanceId",), "NetworkIn": ("InstanceId",), "NetworkOut": ("InstanceId",)},
    "AWS/EBS": {"VolumeReadOps": ("VolumeId",), "VolumeWriteOps": ("VolumeId",)},
    "AWS/RDS": {"DatabaseConnections": ("DBInstanceIdentifier",)},
    "AWS/ELB": {"RequestCount": ("LoadBalancerName",)},
    "AWS/ApplicationELB": {"RequestCount": ("LoadBalancer",)},
    "AWS/NetworkELB": {"NewFlowCount": ("LoadBalancer",)},
    "AWS/NATGateway": {"BytesOutToDestination": ("NatGatewayId",), "BytesInFromDestination": ("NatGatewayId",)},
    "AWS/Lambda": {"Invocations": ("FunctionName",)},
    "AWS/DynamoDB": {"ConsumedReadCapacityUnits": ("TableName",), "ConsumedWriteCapacityUnits": ("TableName",)},
    "AWS/SageMaker": {"Invocations": ("EndpointName", "VariantName")},
    "AWS/S3": {"AllRequests": ("BucketName", "FilterId")},
    "AWS/Redshift": {"DatabaseConnections": ("ClusterIdentifier",)},
})
# RDS publishes DatabaseConnections per instance and per Aurora cluster (a second dimension name).
_EXTRA_DIMENSIONS = {("AWS/RDS", "DatabaseConnections"): ("DBClusterIdentifier",)}


def documented_dimensions(namespace: str, metric: str) -> tuple[tuple[str, ...], ...]:
    """The dimension-name combinations AWS publishes ``metric`` of ``namespace`` with (none: not listed)."""
    known = CLOUDWATCH.get(namespace, {}).get(metric)
    if known is None:
        return ()
    return (known, *((d,) for d in _EXTRA_DIMENSIONS.get((namespace, metric), ())))


@dataclass(frozen=True)
class UsageMetric:
    """One CloudWatch metric that shows a resource in use.

    ``dimension``  the dimension naming the resource; its value is the resource's ``value_of`` (``id``;
                   ``name``: its name, else its id; ``arn``), or the ``value`` group of ``pattern`` matched
                   against it (no match, or no such value known: the metric cannot be read for it).
    ``fixed``      other dimensions the metric is published with, at a fixed value (a SageMaker variant).
    ``used_above`` the value above which it counts as used (a ``Sum``: per day of the window).
    ``what``       what the value counts, in words (``CPU``, ``connections``, ``network in``).
    """

    namespace: str
    metric: str
    dimension: str
    statistic: Statistic
    used_above: float
    what: str
    unit: Unit = "count"
    value_of: ValueOf = "id"
    pattern: str | None = None
    fixed: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "fixed", MappingProxyType(dict(self.fixed)))
        if self.pattern is not None and "value" not in re.compile(self.pattern).groupindex:
            raise ValueError(f"{self.namespace} {self.metric}: pattern {self.pattern!r} has no 'value' group")

    def _source(self, resource_id: str, name: str | None, arn: str | None) -> str | None:
        return {"id": resource_id, "name": name or resource_id, "arn": arn}[self.value_of]

    def applies_to(self, resource_id: str, name: str | None, arn: str | None) -> bool:
        """Whether the metric can be about the resource: not when what it is built from is known and does not
        match ``pattern`` (an Application Load Balancer has no NetworkELB metrics)."""
        source = self._source(resource_id, name, arn)
        return not source or self.pattern is None or re.search(self.pattern, source) is not None

    def dimensions(self, resource_id: str, name: str | None, arn: str | None) -> dict[str, str] | None:
        """The metric's dimensions for a resource (None: they cannot be built from what is known of it)."""
        source = self._source(resource_id, name, arn)
        if not source:
            return None
        value: str | None = source
        if self.pattern is not None:
            m = re.search(self.pattern, source)
            value = m.group("value") if m else None
        return {self.dimension: value, **self.fixed} if value else None

    def threshold(self, days: float) -> float:
        """The value above which a reading over ``days`` days counts as used."""
        return self.used_above * days if self.statistic == "Sum" else self.used_above

    def words(self, value: float | None) -> str:
        """The reading in words: ``max CPU 0.4%``, ``0 connections``, ``12 requests``, ``3.2 MB network in``."""
        if value is None:
            return f"{self.what}: no data"
        if self.unit == "percent":
            return f"{'avg' if self.statistic == 'Average' else 'max'} {self.what} {value:.1f}%"
        if self.unit == "bytes":
            return f"{human_bytes(value)} {self.what}"
        count = f"{value:,.0f}" if value >= 1 or value == 0 else f"{value:.2f}"
        if self.statistic == "Maximum" and value > 0:
            return f"up to {count} {self.what}"
        return f"{count} {self.what}"


def human_bytes(value: float) -> str:
    """``0 B``, ``812 B``, ``3.2 MB``, ``1.4 GB`` (powers of 1000, as CloudWatch counts bytes)."""
    for unit, size in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if value >= size:
            return f"{value / size:.1f} {unit}"
    return f"{value:.0f} B"


MB = 1_000_000  # CloudWatch counts bytes in powers of 1000
# Trusted Advisor's thresholds, used by the entries that have one: low-utilization EC2 (CPU at most 10%, network
# I/O at most 5 MB a day), underused EBS (less than one I/O a day), idle load balancer (fewer than 100 requests in
# 7 days: 15 a day), idle RDS and Redshift (no connection).
EC2_CPU_PERCENT = 10.0
EC2_NETWORK_BYTES_A_DAY = 5 * MB
EBS_OPS_A_DAY = 1
LOAD_BALANCER_REQUESTS_A_DAY = 15


def elbv2_usage(metric: str, namespace: str, kind: str, what: str) -> UsageMetric:
    """An ELBv2 load balancer's metric: its ``LoadBalancer`` dimension is ``KIND/NAME/HASH``, the tail of its ARN
    (``kind``: ``app`` or ``net``; a load balancer of the other kind, or whose ARN is unknown, has none)."""
    return UsageMetric(namespace, metric, "LoadBalancer", "Sum", LOAD_BALANCER_REQUESTS_A_DAY, what, value_of="arn",
                       pattern=rf":loadbalancer/(?P<value>{kind}/[^/]+/[0-9a-f]+)$")
