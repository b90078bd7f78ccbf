"""Compute, containers and load balancing: Lambda, ECS, EKS, Auto Scaling, ELB (classic and v2), EMR,
GameLift, OpsWorks."""

from __future__ import annotations

from cloudblame.catalog.base import AnyResource, ResourceType

REQ = "requestParameters"
RESP = "responseElements"

# --- Lambda -----------------------------------------------------------------------------------------
# CloudTrail logs many Lambda operations under versioned names (the API version the SDK used, sometimes
# with a "v2" suffix). They are listed explicitly, next to the plain names newer records use.
LAMBDA = "lambda.amazonaws.com"


def _lambda_names(op: str, *versions: str) -> tuple[str, ...]:
    return (op,) + tuple(op + v for v in versions)


_FN = (f"{REQ}.functionName",)
LAMBDA_FUNCTION = ResourceType(
    type="AWS::Lambda::Function", source=LAMBDA,
    arn="arn:{partition}:lambda:{region}:{account}:function:{id}",
    # name, full ARN or partial ARN ("123456789012:function:name"), any of them with a ":qualifier"
    id_pattern=(
        r"^(?P<arn>arn:(?P<partition>[^:]+):lambda:(?P<region>[^:]*):(?P<account>\d*):function:(?P<id>[^:]+))(?::[^:]+)?$",
        r"^(?P<account>\d{12}):function:(?P<id>[^:]+)(?::[^:]+)?$",
        r"^(?P<id>[^:]+):[^:]+$",
    ),
    create={n: (f"{RESP}.functionName", f"{REQ}.functionName")
            for n in _lambda_names("CreateFunction", "20150331", "20141111")},
    arn_paths={n: f"{RESP}.functionArn" for n in _lambda_names("CreateFunction", "20150331", "20141111")},
    delete={n: _FN for n in _lambda_names("DeleteFunction", "20150331", "20141111")},
    modify={
        **{n: _FN for n in _lambda_names("UpdateFunctionCode", "20150331", "20150331v2")},
        **{n: _FN for n in _lambda_names("UpdateFunctionConfiguration", "20150331", "20150331v2")},
        **{n: _FN for n in _lambda_names("AddPermission", "20150331", "20150331v2")},
        **{n: _FN for n in _lambda_names("RemovePermission", "20150331", "20150331v2")},
        **{n: _FN for n in _lambda_names("PublishVersion", "20150331")},
        **{n: _FN for n in _lambda_names("CreateAlias", "20150331")},
        **{n: _FN for n in _lambda_names("UpdateAlias", "20150331")},
        **{n: _FN for n in _lambda_names("PutFunctionConcurrency", "20171031")},
        **{n: _FN for n in _lambda_names("DeleteFunctionConcurrency", "20171031")},
        **{n: _FN for n in ("CreateFunctionUrlConfig", "UpdateFunctionUrlConfig", "DeleteFunctionUrlConfig")},
        **{n: f"{REQ}.resource" for n in _lambda_names("TagResource", "20170331", "20170331v2")},
        **{n: f"{REQ}.resource" for n in _lambda_names("UntagResource", "20170331", "20170331v2")},
    },
    reference={n: _FN for n in _lambda_names("CreateEventSourceMapping", "20150331")},
)

# --- ECS --------------------------------------------------------------------------------------------
ECS = "ecs.amazonaws.com"
ECS_CLUSTER = ResourceType(
    type="AWS::ECS::Cluster", source=ECS, arn="arn:{partition}:ecs:{region}:{account}:cluster/{id}",
    create={"CreateCluster": (f"{RESP}.cluster.clusterName", f"{REQ}.clusterName")},
    arn_paths={"CreateCluster": f"{RESP}.cluster.clusterArn"},
    delete={"DeleteCluster": f"{REQ}.cluster"},
    modify={op: f"{REQ}.cluster" for op in ("UpdateCluster", "UpdateClusterSettings", "PutClusterCapacityProviders")},
)

_SVC = "{%s|=default}/{%s}"
ECS_SERVICE = ResourceType(
    # id "cluster/service" (service names are unique per cluster); a request without cluster uses "default"
    type="AWS::ECS::Service", source=ECS, arn="arn:{partition}:ecs:{region}:{account}:service/{parent}/{name}",
    create={"CreateService": (
        _SVC % (f"{RESP}.service.clusterArn|{REQ}.cluster", f"{RESP}.service.serviceName|{REQ}.serviceName"),)},
    arn_paths={"CreateService": f"{RESP}.service.serviceArn"},
    delete={"DeleteService": _SVC % (f"{REQ}.cluster", f"{REQ}.service")},
    modify={"UpdateService": _SVC % (f"{REQ}.cluster", f"{REQ}.service")},
)

ECS_TASK_DEFINITION = ResourceType(
    # id "family:revision"
    type="AWS::ECS::TaskDefinition", source=ECS, arn="arn:{partition}:ecs:{region}:{account}:task-definition/{id}",
    id_pattern=r"^(?P<arn>arn:(?P<partition>[^:]+):ecs:(?P<region>[^:]*):(?P<account>\d*):task-definition/(?P<id>[^/]+))$",
    create={"RegisterTaskDefinition": f"{RESP}.taskDefinition.taskDefinitionArn"},
    delete={"DeregisterTaskDefinition": f"{REQ}.taskDefinition",
            "DeleteTaskDefinitions": f"{REQ}.taskDefinitions[]"},
    reference={"RunTask": f"{REQ}.taskDefinition", "StartTask": f"{REQ}.taskDefinition"},
)

ECS_TAGS = AnyResource(source=ECS, modify={"TagResource": f"{REQ}.resourceArn",
                                           "UntagResource": f"{REQ}.resourceArn"})

# --- EKS --------------------------------------------------------------------------------------------
EKS = "eks.amazonaws.com"
EKS_CLUSTER = ResourceType(
    type="AWS::EKS::Cluster", source=EKS, arn="arn:{partition}:eks:{region}:{account}:cluster/{id}",
    create={"CreateCluster": (f"{RESP}.cluster.name", f"{REQ}.name")},
    arn_paths={"CreateCluster": f"{RESP}.cluster.arn"},
    delete={"DeleteCluster": f"{REQ}.name"},
    modify={op: (f"{REQ}.name", f"{REQ}.clusterName")
            for op in ("UpdateClusterConfig", "UpdateClusterVersion", "CreateAccessEntry", "DeleteAccessEntry",
                       "AssociateAccessPolicy", "DisassociateAccessPolicy", "AssociateIdentityProviderConfig",
                       "CreateAddon", "DeleteAddon", "UpdateAddon")},
)

_NG = "{%s}/{%s}"
EKS_NODEGROUP = ResourceType(
    # id "cluster/nodegroup"; the ARN ends with a UUID, so it is only taken from the record
    type="AWS::EKS::Nodegroup", source=EKS,
    id_pattern=r"^(?P<arn>arn:(?P<partition>[^:]+):eks:(?P<region>[^:]*):(?P<account>\d*):nodegroup/(?P<parent>[^/]+)/(?P<name>[^/]+)/[^/]+)$",
    create={"CreateNodegroup": _NG % (f"{RESP}.nodegroup.clusterName|{REQ}.name|{REQ}.clusterName",
                                      f"{RESP}.nodegroup.nodegroupName|{REQ}.nodegroupName")},
    arn_paths={"CreateNodegroup": f"{RESP}.nodegroup.nodegroupArn"},
    delete={"DeleteNodegroup": _NG % (f"{REQ}.name|{REQ}.clusterName", f"{REQ}.nodegroupName")},
    modify={op: _NG % (f"{REQ}.name|{REQ}.clusterName", f"{REQ}.nodegroupName")
            for op in ("UpdateNodegroupConfig", "UpdateNodegroupVersion")},
)

EKS_TAGS = AnyResource(source=EKS, modify={"TagResource": f"{REQ}.resourceArn",
                                           "UntagResource": f"{REQ}.resourceArn"})

# --- Auto Scaling -----------------------------------------------------------------------------------
ASG = "autoscaling.amazonaws.com"
AUTOSCALING_GROUP = ResourceType(
    # the ARN holds a UUID: taken from records only
    type="AWS::AutoScaling::AutoScalingGroup", source=ASG,
    id_pattern=r"^arn:[^:]+:autoscaling:(?P<region>[^:]*):(?P<account>\d*):autoScalingGroup:[^:]+:autoScalingGroupName/(?P<id>.+)$",
    create={"CreateAutoScalingGroup": f"{REQ}.autoScalingGroupName"},
    delete={"DeleteAutoScalingGroup": f"{REQ}.autoScalingGroupName"},
    modify={
        **{op: f"{REQ}.autoScalingGroupName"
           for op in ("UpdateAutoScalingGroup", "SetDesiredCapacity", "AttachInstances", "DetachInstances",
                      "SuspendProcesses", "ResumeProcesses", "PutScalingPolicy", "PutLifecycleHook",
                      "StartInstanceRefresh", "AttachLoadBalancers", "DetachLoadBalancers",
                      "AttachLoadBalancerTargetGroups", "DetachLoadBalancerTargetGroups",
                      "EnableMetricsCollection", "DisableMetricsCollection")},
        "CreateOrUpdateTags": f"{REQ}.tags[].resourceId",
        "DeleteTags": f"{REQ}.tags[].resourceId",
    },
)

LAUNCH_CONFIGURATION = ResourceType(
    type="AWS::AutoScaling::LaunchConfiguration", source=ASG,
    id_pattern=r"^arn:[^:]+:autoscaling:(?P<region>[^:]*):(?P<account>\d*):launchConfiguration:[^:]+:launchConfigurationName/(?P<id>.+)$",
    create={"CreateLaunchConfiguration": f"{REQ}.launchConfigurationName"},
    delete={"DeleteLaunchConfiguration": f"{REQ}.launchConfigurationName"},
)

# --- Elastic Load Balancing: one eventSource, two APIs told apart by apiVersion -----------------------
ELB = "elasticloadbalancing.amazonaws.com"
CLASSIC = {"apiVersion": "2012-06-01"}
V2 = {"apiVersion": "2015-12-01"}

CLASSIC_LOAD_BALANCER = ResourceType(
    type="AWS::ElasticLoadBalancing::LoadBalancer", source=ELB, when=CLASSIC,
    arn="arn:{partition}:elasticloadbalancing:{region}:{account}:loadbalancer/{id}",
    create={"CreateLoadBalancer": f"{REQ}.loadBalancerName"},
    delete={"DeleteLoadBalancer": f"{REQ}.loadBalancerName"},
    modify={
        **{op: f"{REQ}.loadBalancerName"
           for op in ("CreateLoadBalancerPolicy", "DeleteLoadBalancerPolicy", "SetLoadBalancerPoliciesOfListener",
                      "SetLoadBalancerPoliciesForBackendServer", "ModifyLoadBalancerAttributes",
                      "RegisterInstancesWithLoadBalancer", "DeregisterInstancesFromLoadBalancer",
                      "CreateLoadBalancerListeners", "DeleteLoadBalancerListeners", "ConfigureHealthCheck",
                      "ApplySecurityGroupsToLoadBalancer", "AttachLoadBalancerToSubnets",
                      "DetachLoadBalancerFromSubnets", "SetLoadBalancerListenerSSLCertificate")},
        "AddTags": f"{REQ}.loadBalancerNames[]",
        "RemoveTags": f"{REQ}.loadBalancerNames[]",
    },
)

LOAD_BALANCER_V2 = ResourceType(
    # id: the load balancer name (unique per account and region); the ARN ends with a random hash
    type="AWS::ElasticLoadBalancingV2::LoadBalancer", source=ELB, when=V2,
    id_pattern=r"^(?P<arn>arn:(?P<partition>[^:]+):elasticloadbalancing:(?P<region>[^:]*):(?P<account>\d*):loadbalancer/(?:app|net|gwy)/(?P<id>[^/]+)/[0-9a-f]+)$",
    create={"CreateLoadBalancer": (f"{RESP}.loadBalancers[].loadBalancerArn", f"{REQ}.name")},
    delete={"DeleteLoadBalancer": f"{REQ}.loadBalancerArn"},
    modify={
        **{op: f"{REQ}.loadBalancerArn"
           for op in ("ModifyLoadBalancerAttributes", "SetSecurityGroups", "SetSubnets", "SetIpAddressType",
                      "CreateListener")},
        "AddTags": f"{REQ}.resourceArns[]",
        "RemoveTags": f"{REQ}.resourceArns[]",
    },
)

TARGET_GROUP = ResourceType(
    type="AWS::ElasticLoadBalancingV2::TargetGroup", source=ELB, when=V2,
    id_pattern=r"^(?P<arn>arn:(?P<partition>[^:]+):elasticloadbalancing:(?P<region>[^:]*):(?P<account>\d*):targetgroup/(?P<id>[^/]+)/[0-9a-f]+)$",
    create={"CreateTargetGroup": (f"{RESP}.targetGroups[].targetGroupArn", f"{REQ}.name")},
    delete={"DeleteTargetGroup": f"{REQ}.targetGroupArn"},
    modify={
        **{op: f"{REQ}.targetGroupArn"
           for op in ("ModifyTargetGroup", "ModifyTargetGroupAttributes", "RegisterTargets", "DeregisterTargets")},
        "AddTags": f"{REQ}.resourceArns[]",
        "RemoveTags": f"{REQ}.resourceArns[]",
    },
)

# --- EMR, GameLift, OpsWorks ------------------------------------------------------------------------
EMR = "elasticmapreduce.amazonaws.com"
EMR_CLUSTER = ResourceType(
    type="AWS::EMR::Cluster", source=EMR, arn="arn:{partition}:elasticmapreduce:{region}:{account}:cluster/{id}",
    create={"RunJobFlow": f"{RESP}.jobFlowId"},
    name_paths={"RunJobFlow": f"{REQ}.name"},
    delete={"TerminateJobFlows": f"{REQ}.jobFlowIds[]"},
    modify={"ModifyCluster": f"{REQ}.clusterId", "SetTerminationProtection": f"{REQ}.jobFlowIds[]",
            "AddJobFlowSteps": f"{REQ}.jobFlowId", "ModifyInstanceGroups": f"{REQ}.clusterId",
            "AddTags": f"{REQ}.resourceId", "RemoveTags": f"{REQ}.resourceId"},
)

GAMELIFT = "gamelift.amazonaws.com"
GAMELIFT_FLEET = ResourceType(
    type="AWS::GameLift::Fleet", source=GAMELIFT, arn="arn:{partition}:gamelift:{region}:{account}:fleet/{id}",
    create={"CreateFleet": f"{RESP}.fleetAttributes.fleetId"},
    arn_paths={"CreateFleet": f"{RESP}.fleetAttributes.fleetArn"},
    name_paths={"CreateFleet": f"{REQ}.name"},
    delete={"DeleteFleet": f"{REQ}.fleetId"},
    modify={**{op: f"{REQ}.fleetId"
               for op in ("UpdateFleetAttributes", "UpdateFleetCapacity", "UpdateFleetPortSettings",
                          "StartFleetActions", "StopFleetActions")},
            "TagResource": f"{REQ}.resourceARN", "UntagResource": f"{REQ}.resourceARN"},
)

OPSWORKS = "opsworks.amazonaws.com"
OPSWORKS_STACK = ResourceType(
    # OpsWorks Stacks reached end of life in 2024; its events remain in old trails.
    type="AWS::OpsWorks::Stack", source=OPSWORKS, arn="arn:{partition}:opsworks:{region}:{account}:stack/{id}/",
    create={"CreateStack": f"{RESP}.stackId", "CloneStack": f"{RESP}.stackId"},
    name_paths={"CreateStack": f"{REQ}.name", "CloneStack": f"{REQ}.name"},
    delete={"DeleteStack": f"{REQ}.stackId"},
    modify={op: f"{REQ}.stackId" for op in ("UpdateStack", "StartStack", "StopStack")},
)

ENTRIES = (
    LAMBDA_FUNCTION, ECS_CLUSTER, ECS_SERVICE, ECS_TASK_DEFINITION, ECS_TAGS, EKS_CLUSTER, EKS_NODEGROUP, EKS_TAGS,
    AUTOSCALING_GROUP, LAUNCH_CONFIGURATION, CLASSIC_LOAD_BALANCER, LOAD_BALANCER_V2, TARGET_GROUP,
    EMR_CLUSTER, GAMELIFT_FLEET, OPSWORKS_STACK,
)
