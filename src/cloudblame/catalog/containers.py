"""Containers: ECS, EKS, ECR, App Runner."""

from __future__ import annotations

from cloudblame.catalog.base import AnyResource, ResourceType, composite_id
from cloudblame.catalog.base import regional_arn as _arn
from cloudblame.catalog.base import regional_arn_pattern as _arn_pattern
from cloudblame.catalog.live import RESOURCE_NOT_FOUND, Describe
from cloudblame.catalog.pricing import BY_STORAGE, BY_USE, FlatHourly, Hourly, NoCharge

REQ = "requestParameters"
RESP = "responseElements"

# --- ECS --------------------------------------------------------------------------------------------
ECS = "ecs.amazonaws.com"
ECS_CLUSTER = ResourceType(
    type="AWS::ECS::Cluster", source=ECS, arn="arn:{partition}:ecs:{region}:{account}:cluster/{id}",
    create={"CreateCluster": (f"{RESP}.cluster.clusterName", f"{REQ}.clusterName")},
    arn_paths={"CreateCluster": f"{RESP}.cluster.clusterArn"},
    delete={"DeleteCluster": f"{REQ}.cluster"},
    modify={op: f"{REQ}.cluster" for op in ("UpdateCluster", "UpdateClusterSettings", "PutClusterCapacityProviders")},
    price=NoCharge(),
)

ECS_SERVICE = ResourceType(
    # id "cluster/service" (service names are unique per cluster); a request without cluster uses "default"
    type="AWS::ECS::Service", source=ECS, arn="arn:{partition}:ecs:{region}:{account}:service/{parent}/{name}",
    create={"CreateService": (
        composite_id(f"{RESP}.service.clusterArn|{REQ}.cluster|=default",
                     f"{RESP}.service.serviceName|{REQ}.serviceName"),)},
    arn_paths={"CreateService": f"{RESP}.service.serviceArn"},
    delete={"DeleteService": composite_id(f"{REQ}.cluster|=default", f"{REQ}.service")},
    modify={"UpdateService": composite_id(f"{REQ}.cluster|=default", f"{REQ}.service")},
    unpriced_reason="charged as the tasks it runs (Fargate vCPU and memory, or EC2 instances priced on their own)",
)

ECS_TASK_DEFINITION = ResourceType(
    # id "family:revision"
    type="AWS::ECS::TaskDefinition", source=ECS, arn="arn:{partition}:ecs:{region}:{account}:task-definition/{id}",
    id_pattern=r"^(?P<arn>arn:(?P<partition>[^:]+):ecs:(?P<region>[^:]*):(?P<account>\d*):task-definition/(?P<id>[^/]+))$",
    create={"RegisterTaskDefinition": f"{RESP}.taskDefinition.taskDefinitionArn"},
    delete={"DeregisterTaskDefinition": f"{REQ}.taskDefinition",
            "DeleteTaskDefinitions": f"{REQ}.taskDefinitions[]"},
    reference={"RunTask": f"{REQ}.taskDefinition", "StartTask": f"{REQ}.taskDefinition"},
    price=NoCharge(),
)

ECS_TAGS = AnyResource(source=ECS, modify={"TagResource": f"{REQ}.resourceArn",
                                           "UntagResource": f"{REQ}.resourceArn"})

# --- ECS capacity providers and task sets -------------------------------------------------------------
ECS_CAPACITY_PROVIDER = ResourceType(
    type="AWS::ECS::CapacityProvider", source=ECS, arn=_arn("ecs", "capacity-provider/{id}"),
    create={"CreateCapacityProvider": (f"{RESP}.capacityProvider.name", f"{REQ}.name")},
    arn_paths={"CreateCapacityProvider": f"{RESP}.capacityProvider.capacityProviderArn"},
    delete={"DeleteCapacityProvider": f"{REQ}.capacityProvider"},
    modify={"UpdateCapacityProvider": f"{REQ}.name"},
    price=NoCharge(),
)

ECS_TASK_SET = ResourceType(
    # id: the task set id (ecs-svc/...); the ARN holds cluster and service
    type="AWS::ECS::TaskSet", source=ECS,
    id_pattern=_arn_pattern("ecs", r"task-set/[^/]+/[^/]+/(?P<id>[^/]+)"),
    create={"CreateTaskSet": f"{RESP}.taskSet.id"},
    arn_paths={"CreateTaskSet": f"{RESP}.taskSet.taskSetArn"},
    delete={"DeleteTaskSet": f"{REQ}.taskSet"},
    modify={"UpdateTaskSet": f"{REQ}.taskSet"},
    unpriced_reason="charged as the tasks it runs (Fargate vCPU and memory, or EC2 instances priced on their own)",
)

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
    price=FlatHourly("eks", "cluster", "EKS cluster (standard support)"),
    live=Describe("eks", "describe_cluster", "name", items="cluster", state="status", gone=("DELETING",),
                  missing=RESOURCE_NOT_FOUND),
)

EKS_NODEGROUP = ResourceType(
    # id "cluster/nodegroup"; the ARN ends with a UUID, so it is only taken from the record
    type="AWS::EKS::Nodegroup", source=EKS,
    id_pattern=r"^(?P<arn>arn:(?P<partition>[^:]+):eks:(?P<region>[^:]*):(?P<account>\d*):nodegroup/(?P<parent>[^/]+)/(?P<name>[^/]+)/[^/]+)$",
    create={"CreateNodegroup": composite_id(f"{RESP}.nodegroup.clusterName|{REQ}.name|{REQ}.clusterName",
                                                   f"{RESP}.nodegroup.nodegroupName|{REQ}.nodegroupName")},
    arn_paths={"CreateNodegroup": f"{RESP}.nodegroup.nodegroupArn"},
    delete={"DeleteNodegroup": composite_id(f"{REQ}.name|{REQ}.clusterName", f"{REQ}.nodegroupName")},
    modify={op: composite_id(f"{REQ}.name|{REQ}.clusterName", f"{REQ}.nodegroupName")
            for op in ("UpdateNodegroupConfig", "UpdateNodegroupVersion")},
    size={"instance_type": f"{REQ}.instanceTypes[0]", "count": f"{REQ}.scalingConfig.desiredSize"},
    price=Hourly("ec2", "instance_type", count="count", notes=("EC2 instances of the node group",)),
)

EKS_TAGS = AnyResource(source=EKS, modify={"TagResource": f"{REQ}.resourceArn",
                                           "UntagResource": f"{REQ}.resourceArn"})

# --- EKS Fargate profiles, add-ons, access entries, pod identity associations -------------------------
_FP = composite_id(f"{REQ}.clusterName|{REQ}.name", f"{REQ}.fargateProfileName")
EKS_FARGATE_PROFILE = ResourceType(
    # id "cluster/profile"; the ARN ends with a UUID
    type="AWS::EKS::FargateProfile", source=EKS,
    id_pattern=_arn_pattern("eks", r"fargateprofile/(?P<parent>[^/]+)/(?P<name>[^/]+)/[^/]+"),
    create={"CreateFargateProfile": _FP},
    arn_paths={"CreateFargateProfile": f"{RESP}.fargateProfile.fargateProfileArn"},
    delete={"DeleteFargateProfile": _FP},
    unpriced_reason="charged as the Fargate pods it runs, by vCPU and memory, which its events do not record",
)

_ADDON = composite_id(f"{REQ}.clusterName|{REQ}.name", f"{REQ}.addonName")
EKS_ADDON = ResourceType(
    type="AWS::EKS::Addon", source=EKS,
    id_pattern=_arn_pattern("eks", r"addon/(?P<parent>[^/]+)/(?P<name>[^/]+)/[^/]+"),
    create={"CreateAddon": _ADDON},
    arn_paths={"CreateAddon": f"{RESP}.addon.addonArn"},
    delete={"DeleteAddon": _ADDON},
    modify={"UpdateAddon": _ADDON},
    price=NoCharge(),
)

_ACCESS = composite_id(f"{REQ}.clusterName", f"{REQ}.principalArn")
EKS_ACCESS_ENTRY = ResourceType(
    # id "cluster/<principal name>" (a principal ARN contributes its last "/" segment)
    type="AWS::EKS::AccessEntry", source=EKS,
    create={"CreateAccessEntry": _ACCESS},
    arn_paths={"CreateAccessEntry": f"{RESP}.accessEntry.accessEntryArn"},
    delete={"DeleteAccessEntry": _ACCESS},
    modify={op: _ACCESS for op in ("UpdateAccessEntry", "AssociateAccessPolicy", "DisassociateAccessPolicy")},
    price=NoCharge(),
)

_PIA_CREATE = composite_id(f"{REQ}.clusterName", f"{RESP}.association.associationId")
_PIA = composite_id(f"{REQ}.clusterName", f"{REQ}.associationId")
EKS_POD_IDENTITY_ASSOCIATION = ResourceType(
    type="AWS::EKS::PodIdentityAssociation", source=EKS,
    create={"CreatePodIdentityAssociation": _PIA_CREATE},
    arn_paths={"CreatePodIdentityAssociation": f"{RESP}.association.associationArn"},
    delete={"DeletePodIdentityAssociation": _PIA},
    modify={"UpdatePodIdentityAssociation": _PIA},
    price=NoCharge(),
)

# --- ECR --------------------------------------------------------------------------------------------
ECR = "ecr.amazonaws.com"
_REPO = f"{REQ}.repositoryName"
ECR_REPOSITORY = ResourceType(
    # repository names may contain "/" ("team/app")
    type="AWS::ECR::Repository", source=ECR, arn="arn:{partition}:ecr:{region}:{account}:repository/{id}",
    id_pattern=r"^(?P<arn>arn:(?P<partition>[^:]+):ecr:(?P<region>[^:]*):(?P<account>\d*):repository/(?P<id>.+))$",
    create={"CreateRepository": (f"{RESP}.repository.repositoryName", _REPO)},
    arn_paths={"CreateRepository": f"{RESP}.repository.repositoryArn"},
    delete={"DeleteRepository": _REPO},
    modify={**{op: _REPO for op in (
        "PutImage", "BatchDeleteImage", "SetRepositoryPolicy", "DeleteRepositoryPolicy", "PutLifecyclePolicy",
        "DeleteLifecyclePolicy", "PutImageScanningConfiguration", "PutImageTagMutability")},
            "TagResource": f"{REQ}.resourceArn", "UntagResource": f"{REQ}.resourceArn"},
    unpriced_reason=BY_STORAGE,
)

# --- App Runner: ARNs end with a generated id; the name is the id --------------------------------------
APPRUNNER = "apprunner.amazonaws.com"


def _apprunner(kind: str, tail: str = r"/[^/]+") -> str:
    return _arn_pattern("apprunner", rf"{kind}/(?P<id>[^/]+){tail}")


APPRUNNER_SERVICE = ResourceType(
    type="AWS::AppRunner::Service", source=APPRUNNER, id_pattern=_apprunner("service"),
    create={"CreateService": (f"{RESP}.service.serviceName", f"{REQ}.serviceName")},
    arn_paths={"CreateService": f"{RESP}.service.serviceArn"},
    delete={"DeleteService": f"{REQ}.serviceArn"},
    modify={op: f"{REQ}.serviceArn" for op in ("UpdateService", "PauseService", "ResumeService", "StartDeployment")},
    unpriced_reason=BY_USE,
)
APPRUNNER_CONNECTION = ResourceType(
    type="AWS::AppRunner::Connection", source=APPRUNNER, id_pattern=_apprunner("connection"),
    create={"CreateConnection": (f"{RESP}.connection.connectionName", f"{REQ}.connectionName")},
    arn_paths={"CreateConnection": f"{RESP}.connection.connectionArn"},
    delete={"DeleteConnection": f"{REQ}.connectionArn"},
    price=NoCharge(),
)
APPRUNNER_VPC_CONNECTOR = ResourceType(
    type="AWS::AppRunner::VpcConnector", source=APPRUNNER, id_pattern=_apprunner("vpcconnector", r"/\d+/[^/]+"),
    create={"CreateVpcConnector": (f"{RESP}.vpcConnector.vpcConnectorName", f"{REQ}.vpcConnectorName")},
    arn_paths={"CreateVpcConnector": f"{RESP}.vpcConnector.vpcConnectorArn"},
    delete={"DeleteVpcConnector": f"{REQ}.vpcConnectorArn"},
    price=NoCharge(),
)
APPRUNNER_AUTOSCALING = ResourceType(
    type="AWS::AppRunner::AutoScalingConfiguration", source=APPRUNNER,
    id_pattern=_apprunner("autoscalingconfiguration", r"/\d+/[^/]+"),
    create={"CreateAutoScalingConfiguration": (f"{RESP}.autoScalingConfiguration.autoScalingConfigurationName",
                                               f"{REQ}.autoScalingConfigurationName")},
    arn_paths={"CreateAutoScalingConfiguration": f"{RESP}.autoScalingConfiguration.autoScalingConfigurationArn"},
    delete={"DeleteAutoScalingConfiguration": f"{REQ}.autoScalingConfigurationArn"},
    price=NoCharge(),
)

ENTRIES = (
    ECS_CLUSTER, ECS_SERVICE, ECS_TASK_DEFINITION, ECS_TAGS, ECS_CAPACITY_PROVIDER, ECS_TASK_SET, EKS_CLUSTER,
    EKS_NODEGROUP, EKS_TAGS, EKS_FARGATE_PROFILE, EKS_ADDON, EKS_ACCESS_ENTRY, EKS_POD_IDENTITY_ASSOCIATION,
    ECR_REPOSITORY, APPRUNNER_SERVICE, APPRUNNER_CONNECTION, APPRUNNER_VPC_CONNECTOR, APPRUNNER_AUTOSCALING,
)
