"""More compute types: Lambda layers, aliases, event source mappings, function URLs and code signing
configs; EKS Fargate profiles, add-ons, access entries and pod identity associations; ECS capacity
providers and task sets; AWS Batch; Elastic Beanstalk; Lightsail; WorkSpaces; App Runner; GameLift builds,
scripts, aliases and queues; EMR security configurations and studios; EMR Serverless; EMR on EKS; EC2
Image Builder; more EC2 types; ELBv2 listeners and rules.

Lambda: only the plain operation names and the versioned names already known to the operation-name meta
test are listed (``CreateEventSourceMapping20150331``). Other versioned names CloudTrail uses
(``DeleteEventSourceMapping20150331``, ``PublishLayerVersion20181031``...) are not botocore operation names
and would need entries in that test's exception table.
"""

from __future__ import annotations

from cloudblame.catalog.base import ResourceType
from cloudblame.catalog.base import regional_arn as _arn
from cloudblame.catalog.base import regional_arn_pattern as _arn_pattern

REQ = "requestParameters"
RESP = "responseElements"




# --- Lambda -----------------------------------------------------------------------------------------
LAMBDA = "lambda.amazonaws.com"
LAMBDA_LAYER_VERSION = ResourceType(
    # id "layer/version"
    type="AWS::Lambda::LayerVersion", source=LAMBDA, arn=_arn("lambda", "layer:{parent}:{name}"),
    create={"PublishLayerVersion": "{%s}/{%s}" % (f"{REQ}.layerName", f"{RESP}.version")},
    arn_paths={"PublishLayerVersion": f"{RESP}.layerVersionArn"},
    delete={"DeleteLayerVersion": "{%s}/{%s}" % (f"{REQ}.layerName", f"{REQ}.versionNumber")},
    modify={op: "{%s}/{%s}" % (f"{REQ}.layerName", f"{REQ}.versionNumber")
            for op in ("AddLayerVersionPermission", "RemoveLayerVersionPermission")},
)

_ALIAS = "{%s}/{%s}" % (f"{REQ}.functionName", f"{RESP}.name|{REQ}.name")
LAMBDA_ALIAS = ResourceType(
    # id "function/alias"
    type="AWS::Lambda::Alias", source=LAMBDA, arn=_arn("lambda", "function:{parent}:{name}"),
    create={n: _ALIAS for n in ("CreateAlias", "CreateAlias20150331")},
    arn_paths={n: f"{RESP}.aliasArn" for n in ("CreateAlias", "CreateAlias20150331")},
    delete={"DeleteAlias": _ALIAS},
    modify={n: _ALIAS for n in ("UpdateAlias", "UpdateAlias20150331")},
)

_ESM = (f"{RESP}.uUID", f"{REQ}.uUID")
LAMBDA_EVENT_SOURCE_MAPPING = ResourceType(
    type="AWS::Lambda::EventSourceMapping", source=LAMBDA, arn=_arn("lambda", "event-source-mapping:{id}"),
    create={n: f"{RESP}.uUID" for n in ("CreateEventSourceMapping", "CreateEventSourceMapping20150331")},
    arn_paths={n: f"{RESP}.eventSourceMappingArn" for n in ("CreateEventSourceMapping",
                                                            "CreateEventSourceMapping20150331")},
    delete={"DeleteEventSourceMapping": _ESM},
    modify={"UpdateEventSourceMapping": _ESM},
)

LAMBDA_URL = ResourceType(
    # one URL per function (or alias): the id is the function name (with ":qualifier" when given)
    type="AWS::Lambda::Url", source=LAMBDA, no_delete_reason=None,
    create={"CreateFunctionUrlConfig": f"{REQ}.functionName"},
    name_paths={"CreateFunctionUrlConfig": f"{RESP}.functionUrl"},
    delete={"DeleteFunctionUrlConfig": f"{REQ}.functionName"},
    modify={"UpdateFunctionUrlConfig": f"{REQ}.functionName"},
)

LAMBDA_CODE_SIGNING_CONFIG = ResourceType(
    type="AWS::Lambda::CodeSigningConfig", source=LAMBDA, arn=_arn("lambda", "code-signing-config:{id}"),
    create={"CreateCodeSigningConfig": f"{RESP}.codeSigningConfig.codeSigningConfigId"},
    arn_paths={"CreateCodeSigningConfig": f"{RESP}.codeSigningConfig.codeSigningConfigArn"},
    delete={"DeleteCodeSigningConfig": f"{REQ}.codeSigningConfigArn"},
    modify={"UpdateCodeSigningConfig": f"{REQ}.codeSigningConfigArn"},
)

# --- EKS --------------------------------------------------------------------------------------------
EKS = "eks.amazonaws.com"
_FP = "{%s}/{%s}" % (f"{REQ}.clusterName|{REQ}.name", f"{REQ}.fargateProfileName")
EKS_FARGATE_PROFILE = ResourceType(
    # id "cluster/profile"; the ARN ends with a UUID
    type="AWS::EKS::FargateProfile", source=EKS,
    id_pattern=_arn_pattern("eks", r"fargateprofile/(?P<parent>[^/]+)/(?P<name>[^/]+)/[^/]+"),
    create={"CreateFargateProfile": _FP},
    arn_paths={"CreateFargateProfile": f"{RESP}.fargateProfile.fargateProfileArn"},
    delete={"DeleteFargateProfile": _FP},
)

_ADDON = "{%s}/{%s}" % (f"{REQ}.clusterName|{REQ}.name", f"{REQ}.addonName")
EKS_ADDON = ResourceType(
    type="AWS::EKS::Addon", source=EKS,
    id_pattern=_arn_pattern("eks", r"addon/(?P<parent>[^/]+)/(?P<name>[^/]+)/[^/]+"),
    create={"CreateAddon": _ADDON},
    arn_paths={"CreateAddon": f"{RESP}.addon.addonArn"},
    delete={"DeleteAddon": _ADDON},
    modify={"UpdateAddon": _ADDON},
)

_ACCESS = "{%s}/{%s}" % (f"{REQ}.clusterName", f"{REQ}.principalArn")
EKS_ACCESS_ENTRY = ResourceType(
    # id "cluster/<principal name>" (a principal ARN contributes its last "/" segment)
    type="AWS::EKS::AccessEntry", source=EKS,
    create={"CreateAccessEntry": _ACCESS},
    arn_paths={"CreateAccessEntry": f"{RESP}.accessEntry.accessEntryArn"},
    delete={"DeleteAccessEntry": _ACCESS},
    modify={op: _ACCESS for op in ("UpdateAccessEntry", "AssociateAccessPolicy", "DisassociateAccessPolicy")},
)

_PIA_CREATE = "{%s}/{%s}" % (f"{REQ}.clusterName", f"{RESP}.association.associationId")
_PIA = "{%s}/{%s}" % (f"{REQ}.clusterName", f"{REQ}.associationId")
EKS_POD_IDENTITY_ASSOCIATION = ResourceType(
    type="AWS::EKS::PodIdentityAssociation", source=EKS,
    create={"CreatePodIdentityAssociation": _PIA_CREATE},
    arn_paths={"CreatePodIdentityAssociation": f"{RESP}.association.associationArn"},
    delete={"DeletePodIdentityAssociation": _PIA},
    modify={"UpdatePodIdentityAssociation": _PIA},
)

# --- ECS --------------------------------------------------------------------------------------------
ECS = "ecs.amazonaws.com"
ECS_CAPACITY_PROVIDER = ResourceType(
    type="AWS::ECS::CapacityProvider", source=ECS, arn=_arn("ecs", "capacity-provider/{id}"),
    create={"CreateCapacityProvider": (f"{RESP}.capacityProvider.name", f"{REQ}.name")},
    arn_paths={"CreateCapacityProvider": f"{RESP}.capacityProvider.capacityProviderArn"},
    delete={"DeleteCapacityProvider": f"{REQ}.capacityProvider"},
    modify={"UpdateCapacityProvider": f"{REQ}.name"},
)

ECS_TASK_SET = ResourceType(
    # id: the task set id (ecs-svc/...); the ARN holds cluster and service
    type="AWS::ECS::TaskSet", source=ECS,
    id_pattern=_arn_pattern("ecs", r"task-set/[^/]+/[^/]+/(?P<id>[^/]+)"),
    create={"CreateTaskSet": f"{RESP}.taskSet.id"},
    arn_paths={"CreateTaskSet": f"{RESP}.taskSet.taskSetArn"},
    delete={"DeleteTaskSet": f"{REQ}.taskSet"},
    modify={"UpdateTaskSet": f"{REQ}.taskSet"},
)

# --- AWS Batch: requests name resources by name or ARN -----------------------------------------------
BATCH = "batch.amazonaws.com"
BATCH_COMPUTE_ENVIRONMENT = ResourceType(
    type="AWS::Batch::ComputeEnvironment", source=BATCH, arn=_arn("batch", "compute-environment/{id}"),
    create={"CreateComputeEnvironment": (f"{RESP}.computeEnvironmentName", f"{REQ}.computeEnvironmentName")},
    arn_paths={"CreateComputeEnvironment": f"{RESP}.computeEnvironmentArn"},
    delete={"DeleteComputeEnvironment": f"{REQ}.computeEnvironment"},
    modify={"UpdateComputeEnvironment": f"{REQ}.computeEnvironment"},
)
BATCH_JOB_QUEUE = ResourceType(
    type="AWS::Batch::JobQueue", source=BATCH, arn=_arn("batch", "job-queue/{id}"),
    create={"CreateJobQueue": (f"{RESP}.jobQueueName", f"{REQ}.jobQueueName")},
    arn_paths={"CreateJobQueue": f"{RESP}.jobQueueArn"},
    delete={"DeleteJobQueue": f"{REQ}.jobQueue"},
    modify={"UpdateJobQueue": f"{REQ}.jobQueue"},
)
BATCH_JOB_DEFINITION = ResourceType(
    # id "name:revision"
    type="AWS::Batch::JobDefinition", source=BATCH, arn=_arn("batch", "job-definition/{id}"),
    create={"RegisterJobDefinition": "{%s}:{%s}" % (f"{RESP}.jobDefinitionName|{REQ}.jobDefinitionName",
                                                   f"{RESP}.revision")},
    arn_paths={"RegisterJobDefinition": f"{RESP}.jobDefinitionArn"},
    delete={"DeregisterJobDefinition": f"{REQ}.jobDefinition"},
)
BATCH_SCHEDULING_POLICY = ResourceType(
    type="AWS::Batch::SchedulingPolicy", source=BATCH, arn=_arn("batch", "scheduling-policy/{id}"),
    create={"CreateSchedulingPolicy": (f"{RESP}.name", f"{REQ}.name")},
    arn_paths={"CreateSchedulingPolicy": f"{RESP}.arn"},
    delete={"DeleteSchedulingPolicy": f"{REQ}.arn"},
    modify={"UpdateSchedulingPolicy": f"{REQ}.arn"},
)

# --- Elastic Beanstalk ------------------------------------------------------------------------------
EB = "elasticbeanstalk.amazonaws.com"
EB_APPLICATION = ResourceType(
    type="AWS::ElasticBeanstalk::Application", source=EB, arn=_arn("elasticbeanstalk", "application/{id}"),
    create={"CreateApplication": (f"{RESP}.application.applicationName", f"{REQ}.applicationName")},
    arn_paths={"CreateApplication": f"{RESP}.application.applicationArn"},
    delete={"DeleteApplication": f"{REQ}.applicationName"},
    modify={"UpdateApplication": f"{REQ}.applicationName",
            "UpdateApplicationResourceLifecycle": f"{REQ}.applicationName"},
)
EB_ENVIRONMENT = ResourceType(
    # id: the environment id (e-...); requests may name it by name instead
    type="AWS::ElasticBeanstalk::Environment", source=EB,
    create={"CreateEnvironment": f"{RESP}.environmentId"},
    arn_paths={"CreateEnvironment": f"{RESP}.environmentArn"},
    name_paths={"CreateEnvironment": f"{REQ}.environmentName"},
    delete={"TerminateEnvironment": (f"{REQ}.environmentId", f"{RESP}.environmentId", f"{REQ}.environmentName")},
    modify={op: (f"{REQ}.environmentId", f"{RESP}.environmentId", f"{REQ}.environmentName")
            for op in ("UpdateEnvironment", "RestartAppServer", "RebuildEnvironment")},
)
_APPVER = "{%s}/{%s}" % (f"{REQ}.applicationName", f"{REQ}.versionLabel")
EB_APPLICATION_VERSION = ResourceType(
    type="AWS::ElasticBeanstalk::ApplicationVersion", source=EB,
    arn=_arn("elasticbeanstalk", "applicationversion/{parent}/{name}"),
    create={"CreateApplicationVersion": _APPVER},
    arn_paths={"CreateApplicationVersion": f"{RESP}.applicationVersion.applicationVersionArn"},
    delete={"DeleteApplicationVersion": _APPVER},
    modify={"UpdateApplicationVersion": _APPVER},
)
_TPL = "{%s}/{%s}" % (f"{REQ}.applicationName", f"{REQ}.templateName")
EB_CONFIGURATION_TEMPLATE = ResourceType(
    type="AWS::ElasticBeanstalk::ConfigurationTemplate", source=EB,
    arn=_arn("elasticbeanstalk", "configurationtemplate/{parent}/{name}"),
    create={"CreateConfigurationTemplate": _TPL},
    delete={"DeleteConfigurationTemplate": _TPL},
    modify={"UpdateConfigurationTemplate": _TPL},
)

# --- Lightsail: resources are known by name; operations list what they touched -----------------------
LIGHTSAIL = "lightsail.amazonaws.com"
LIGHTSAIL_INSTANCE = ResourceType(
    type="AWS::Lightsail::Instance", source=LIGHTSAIL,
    create={"CreateInstances": f"{REQ}.instanceNames[]",
            "CreateInstancesFromSnapshot": f"{REQ}.instanceNames[]"},
    delete={"DeleteInstance": f"{REQ}.instanceName"},
    modify={op: f"{REQ}.instanceName" for op in ("StartInstance", "StopInstance", "RebootInstance",
                                                 "PutInstancePublicPorts", "OpenInstancePublicPorts",
                                                 "CloseInstancePublicPorts", "AttachStaticIp")},
)
LIGHTSAIL_STATIC_IP = ResourceType(
    type="AWS::Lightsail::StaticIp", source=LIGHTSAIL,
    create={"AllocateStaticIp": f"{REQ}.staticIpName"},
    delete={"ReleaseStaticIp": f"{REQ}.staticIpName"},
    modify={"AttachStaticIp": f"{REQ}.staticIpName", "DetachStaticIp": f"{REQ}.staticIpName"},
)
LIGHTSAIL_DISK = ResourceType(
    type="AWS::Lightsail::Disk", source=LIGHTSAIL,
    create={"CreateDisk": f"{REQ}.diskName"},
    delete={"DeleteDisk": f"{REQ}.diskName"},
    modify={"AttachDisk": f"{REQ}.diskName", "DetachDisk": f"{REQ}.diskName"},
)
LIGHTSAIL_DATABASE = ResourceType(
    type="AWS::Lightsail::Database", source=LIGHTSAIL,
    create={"CreateRelationalDatabase": f"{REQ}.relationalDatabaseName"},
    delete={"DeleteRelationalDatabase": f"{REQ}.relationalDatabaseName"},
    modify={op: f"{REQ}.relationalDatabaseName"
            for op in ("UpdateRelationalDatabase", "StartRelationalDatabase", "StopRelationalDatabase",
                       "RebootRelationalDatabase")},
)
LIGHTSAIL_KEY_PAIR = ResourceType(
    type="AWS::Lightsail::KeyPair", source=LIGHTSAIL,
    create={"CreateKeyPair": (f"{RESP}.keyPair.name", f"{REQ}.keyPairName"),
            "ImportKeyPair": f"{REQ}.keyPairName"},
    arn_paths={"CreateKeyPair": f"{RESP}.keyPair.arn"},
    delete={"DeleteKeyPair": f"{REQ}.keyPairName"},
)
LIGHTSAIL_LOAD_BALANCER = ResourceType(
    type="AWS::Lightsail::LoadBalancer", source=LIGHTSAIL,
    create={"CreateLoadBalancer": f"{REQ}.loadBalancerName"},
    delete={"DeleteLoadBalancer": f"{REQ}.loadBalancerName"},
    modify={op: f"{REQ}.loadBalancerName"
            for op in ("AttachInstancesToLoadBalancer", "DetachInstancesFromLoadBalancer",
                       "UpdateLoadBalancerAttribute")},
)
LIGHTSAIL_CONTAINER_SERVICE = ResourceType(
    type="AWS::Lightsail::Container", source=LIGHTSAIL,
    create={"CreateContainerService": (f"{RESP}.containerService.containerServiceName", f"{REQ}.serviceName")},
    arn_paths={"CreateContainerService": f"{RESP}.containerService.arn"},
    delete={"DeleteContainerService": f"{REQ}.serviceName"},
    modify={op: f"{REQ}.serviceName" for op in ("UpdateContainerService", "CreateContainerServiceDeployment")},
)
LIGHTSAIL_BUCKET = ResourceType(
    type="AWS::Lightsail::Bucket", source=LIGHTSAIL,
    create={"CreateBucket": (f"{RESP}.bucket.name", f"{REQ}.bucketName")},
    arn_paths={"CreateBucket": f"{RESP}.bucket.arn"},
    delete={"DeleteBucket": f"{REQ}.bucketName"},
    modify={"UpdateBucket": f"{REQ}.bucketName", "UpdateBucketBundle": f"{REQ}.bucketName"},
)

# --- WorkSpaces -------------------------------------------------------------------------------------
WORKSPACES = "workspaces.amazonaws.com"
WORKSPACE = ResourceType(
    type="AWS::WorkSpaces::Workspace", source=WORKSPACES, arn=_arn("workspaces", "workspace/{id}"),
    create={"CreateWorkspaces": f"{RESP}.pendingRequests[].workspaceId"},
    delete={"TerminateWorkspaces": f"{REQ}.terminateWorkspaceRequests[].workspaceId"},
    modify={**{op: f"{REQ}.{op[0].lower() + op[1:-len('Workspaces')]}WorkspaceRequests[].workspaceId"
               for op in ("StartWorkspaces", "StopWorkspaces", "RebootWorkspaces", "RebuildWorkspaces")},
            "ModifyWorkspaceProperties": f"{REQ}.workspaceId", "ModifyWorkspaceState": f"{REQ}.workspaceId"},
)
WORKSPACES_IP_GROUP = ResourceType(
    type="AWS::WorkSpaces::IpGroup", source=WORKSPACES, arn=_arn("workspaces", "workspaceipgroup/{id}"),
    create={"CreateIpGroup": f"{RESP}.groupId"},
    name_paths={"CreateIpGroup": f"{REQ}.groupName"},
    delete={"DeleteIpGroup": f"{REQ}.groupId"},
    modify={op: f"{REQ}.groupId" for op in ("AuthorizeIpRules", "RevokeIpRules", "UpdateRulesOfIpGroup")},
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
)
APPRUNNER_CONNECTION = ResourceType(
    type="AWS::AppRunner::Connection", source=APPRUNNER, id_pattern=_apprunner("connection"),
    create={"CreateConnection": (f"{RESP}.connection.connectionName", f"{REQ}.connectionName")},
    arn_paths={"CreateConnection": f"{RESP}.connection.connectionArn"},
    delete={"DeleteConnection": f"{REQ}.connectionArn"},
)
APPRUNNER_VPC_CONNECTOR = ResourceType(
    type="AWS::AppRunner::VpcConnector", source=APPRUNNER, id_pattern=_apprunner("vpcconnector", r"/\d+/[^/]+"),
    create={"CreateVpcConnector": (f"{RESP}.vpcConnector.vpcConnectorName", f"{REQ}.vpcConnectorName")},
    arn_paths={"CreateVpcConnector": f"{RESP}.vpcConnector.vpcConnectorArn"},
    delete={"DeleteVpcConnector": f"{REQ}.vpcConnectorArn"},
)
APPRUNNER_AUTOSCALING = ResourceType(
    type="AWS::AppRunner::AutoScalingConfiguration", source=APPRUNNER,
    id_pattern=_apprunner("autoscalingconfiguration", r"/\d+/[^/]+"),
    create={"CreateAutoScalingConfiguration": (f"{RESP}.autoScalingConfiguration.autoScalingConfigurationName",
                                               f"{REQ}.autoScalingConfigurationName")},
    arn_paths={"CreateAutoScalingConfiguration": f"{RESP}.autoScalingConfiguration.autoScalingConfigurationArn"},
    delete={"DeleteAutoScalingConfiguration": f"{REQ}.autoScalingConfigurationArn"},
)

# --- GameLift ---------------------------------------------------------------------------------------
GAMELIFT = "gamelift.amazonaws.com"
GAMELIFT_BUILD = ResourceType(
    type="AWS::GameLift::Build", source=GAMELIFT, arn=_arn("gamelift", "build/{id}"),
    create={"CreateBuild": f"{RESP}.build.buildId"},
    arn_paths={"CreateBuild": f"{RESP}.build.buildArn"},
    name_paths={"CreateBuild": f"{REQ}.name"},
    delete={"DeleteBuild": f"{REQ}.buildId"},
    modify={"UpdateBuild": f"{REQ}.buildId"},
)
GAMELIFT_SCRIPT = ResourceType(
    type="AWS::GameLift::Script", source=GAMELIFT, arn=_arn("gamelift", "script/{id}"),
    create={"CreateScript": f"{RESP}.script.scriptId"},
    arn_paths={"CreateScript": f"{RESP}.script.scriptArn"},
    name_paths={"CreateScript": f"{REQ}.name"},
    delete={"DeleteScript": f"{REQ}.scriptId"},
    modify={"UpdateScript": f"{REQ}.scriptId"},
)
GAMELIFT_ALIAS = ResourceType(
    type="AWS::GameLift::Alias", source=GAMELIFT, arn=_arn("gamelift", "alias/{id}"),
    create={"CreateAlias": f"{RESP}.alias.aliasId"},
    arn_paths={"CreateAlias": f"{RESP}.alias.aliasArn"},
    name_paths={"CreateAlias": f"{REQ}.name"},
    delete={"DeleteAlias": f"{REQ}.aliasId"},
    modify={"UpdateAlias": f"{REQ}.aliasId"},
)
GAMELIFT_QUEUE = ResourceType(
    type="AWS::GameLift::GameSessionQueue", source=GAMELIFT, arn=_arn("gamelift", "gamesessionqueue/{id}"),
    create={"CreateGameSessionQueue": (f"{RESP}.gameSessionQueue.name", f"{REQ}.name")},
    arn_paths={"CreateGameSessionQueue": f"{RESP}.gameSessionQueue.gameSessionQueueArn"},
    delete={"DeleteGameSessionQueue": f"{REQ}.name"},
    modify={"UpdateGameSessionQueue": f"{REQ}.name"},
)

# --- EMR, EMR Serverless, EMR on EKS ----------------------------------------------------------------
EMR = "elasticmapreduce.amazonaws.com"
EMR_SECURITY_CONFIGURATION = ResourceType(
    type="AWS::EMR::SecurityConfiguration", source=EMR, no_delete_reason=None,
    create={"CreateSecurityConfiguration": (f"{RESP}.name", f"{REQ}.name")},
    delete={"DeleteSecurityConfiguration": f"{REQ}.name"},
)
EMR_STUDIO = ResourceType(
    type="AWS::EMR::Studio", source=EMR, arn=_arn("elasticmapreduce", "studio/{id}"),
    create={"CreateStudio": f"{RESP}.studioId"},
    name_paths={"CreateStudio": f"{REQ}.name"},
    delete={"DeleteStudio": f"{REQ}.studioId"},
    modify={"UpdateStudio": f"{REQ}.studioId"},
)
EMR_SERVERLESS = "emr-serverless.amazonaws.com"
EMR_SERVERLESS_APPLICATION = ResourceType(
    type="AWS::EMRServerless::Application", source=EMR_SERVERLESS,
    arn=_arn("emr-serverless", "/applications/{id}"),
    create={"CreateApplication": f"{RESP}.applicationId"},
    arn_paths={"CreateApplication": f"{RESP}.arn"},
    name_paths={"CreateApplication": (f"{RESP}.name", f"{REQ}.name")},
    delete={"DeleteApplication": f"{REQ}.applicationId"},
    modify={op: f"{REQ}.applicationId" for op in ("UpdateApplication", "StartApplication", "StopApplication")},
)
EMR_CONTAINERS = "emr-containers.amazonaws.com"
EMR_VIRTUAL_CLUSTER = ResourceType(
    type="AWS::EMRContainers::VirtualCluster", source=EMR_CONTAINERS,
    arn=_arn("emr-containers", "/virtualclusters/{id}"),
    create={"CreateVirtualCluster": f"{RESP}.id"},
    arn_paths={"CreateVirtualCluster": f"{RESP}.arn"},
    name_paths={"CreateVirtualCluster": (f"{RESP}.name", f"{REQ}.name")},
    delete={"DeleteVirtualCluster": f"{REQ}.id"},
)

# --- EC2 Image Builder: ids are the ARNs' names ------------------------------------------------------
IMAGEBUILDER = "imagebuilder.amazonaws.com"


def _ib(kind: str, create_op: str, arn_field: str, delete_op: str, update_op: str | None,
        versioned: bool = False) -> ResourceType:
    tail = r"(?:/[^/]+){1,2}" if versioned else ""
    return ResourceType(
        type=f"AWS::ImageBuilder::{kind}", source=IMAGEBUILDER,
        id_pattern=_arn_pattern("imagebuilder", rf"[a-z-]+/(?P<id>[^/]+){tail}"),
        create={create_op: (f"{RESP}.{arn_field}", f"{REQ}.name")},
        arn_paths={create_op: f"{RESP}.{arn_field}"},
        delete={delete_op: f"{REQ}.{arn_field}"},
        modify={update_op: f"{REQ}.{arn_field}"} if update_op else {},
    )


IB_PIPELINE = _ib("ImagePipeline", "CreateImagePipeline", "imagePipelineArn", "DeleteImagePipeline",
                  "UpdateImagePipeline")
IB_RECIPE = _ib("ImageRecipe", "CreateImageRecipe", "imageRecipeArn", "DeleteImageRecipe", None, versioned=True)
IB_INFRA = _ib("InfrastructureConfiguration", "CreateInfrastructureConfiguration", "infrastructureConfigurationArn",
               "DeleteInfrastructureConfiguration", "UpdateInfrastructureConfiguration")
IB_COMPONENT = ResourceType(
    type="AWS::ImageBuilder::Component", source=IMAGEBUILDER,
    id_pattern=_arn_pattern("imagebuilder", r"component/(?P<id>[^/]+)(?:/[^/]+){1,2}"),
    create={"CreateComponent": (f"{RESP}.componentBuildVersionArn", f"{REQ}.name")},
    arn_paths={"CreateComponent": f"{RESP}.componentBuildVersionArn"},
    delete={"DeleteComponent": f"{REQ}.componentBuildVersionArn"},
)

# --- ELBv2 listeners and rules (ARNs end with hashes; the ARN is the id) ------------------------------
ELB = "elasticloadbalancing.amazonaws.com"
V2 = {"apiVersion": "2015-12-01"}
_ELB_ARN = r"^(?P<arn>arn:(?P<partition>[^:]+):elasticloadbalancing:(?P<region>[^:]*):(?P<account>\d*):%s)$"
ELB_LISTENER = ResourceType(
    type="AWS::ElasticLoadBalancingV2::Listener", source=ELB, when=V2,
    id_pattern=_ELB_ARN % r"(?P<id>listener/(?:app|net|gwy)/[^/]+/[0-9a-f]+/[0-9a-f]+)",
    create={"CreateListener": f"{RESP}.listeners[].listenerArn"},
    delete={"DeleteListener": f"{REQ}.listenerArn"},
    modify={"ModifyListener": f"{REQ}.listenerArn", "AddListenerCertificates": f"{REQ}.listenerArn",
            "RemoveListenerCertificates": f"{REQ}.listenerArn"},
)
ELB_LISTENER_RULE = ResourceType(
    type="AWS::ElasticLoadBalancingV2::ListenerRule", source=ELB, when=V2,
    id_pattern=_ELB_ARN % r"(?P<id>listener-rule/(?:app|net|gwy)/[^/]+/[0-9a-f]+/[0-9a-f]+/[0-9a-f]+)",
    create={"CreateRule": f"{RESP}.rules[].ruleArn"},
    delete={"DeleteRule": f"{REQ}.ruleArn"},
    modify={"ModifyRule": f"{REQ}.ruleArn", "SetRulePriorities": f"{REQ}.rulePriorities[].ruleArn"},
)

ENTRIES = (
    LAMBDA_LAYER_VERSION, LAMBDA_ALIAS, LAMBDA_EVENT_SOURCE_MAPPING, LAMBDA_URL, LAMBDA_CODE_SIGNING_CONFIG,
    EKS_FARGATE_PROFILE, EKS_ADDON, EKS_ACCESS_ENTRY, EKS_POD_IDENTITY_ASSOCIATION,
    ECS_CAPACITY_PROVIDER, ECS_TASK_SET,
    BATCH_COMPUTE_ENVIRONMENT, BATCH_JOB_QUEUE, BATCH_JOB_DEFINITION, BATCH_SCHEDULING_POLICY,
    EB_APPLICATION, EB_ENVIRONMENT, EB_APPLICATION_VERSION, EB_CONFIGURATION_TEMPLATE,
    LIGHTSAIL_INSTANCE, LIGHTSAIL_STATIC_IP, LIGHTSAIL_DISK, LIGHTSAIL_DATABASE, LIGHTSAIL_KEY_PAIR,
    LIGHTSAIL_LOAD_BALANCER, LIGHTSAIL_CONTAINER_SERVICE, LIGHTSAIL_BUCKET,
    WORKSPACE, WORKSPACES_IP_GROUP,
    APPRUNNER_SERVICE, APPRUNNER_CONNECTION, APPRUNNER_VPC_CONNECTOR, APPRUNNER_AUTOSCALING,
    GAMELIFT_BUILD, GAMELIFT_SCRIPT, GAMELIFT_ALIAS, GAMELIFT_QUEUE,
    EMR_SECURITY_CONFIGURATION, EMR_STUDIO, EMR_SERVERLESS_APPLICATION, EMR_VIRTUAL_CLUSTER,
    IB_PIPELINE, IB_RECIPE, IB_INFRA, IB_COMPONENT, ELB_LISTENER, ELB_LISTENER_RULE,
)
