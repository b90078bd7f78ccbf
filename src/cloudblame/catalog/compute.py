"""Compute: Lambda, Auto Scaling, Elastic Load Balancing (classic and v2), AWS Batch, Elastic Beanstalk,
Lightsail, EC2 Image Builder, GameLift, WorkSpaces.

Lambda types other than functions list only the plain operation names and the versioned names already known to
the operation-name meta test (``CreateEventSourceMapping20150331``). Other versioned names CloudTrail uses
(``DeleteEventSourceMapping20150331``, ``PublishLayerVersion20181031``...) are not botocore operation names and
would need entries in that test's exception table."""

from __future__ import annotations

from cloudblame.catalog.base import ResourceType, composite_id
from cloudblame.catalog.base import regional_arn as _arn
from cloudblame.catalog.base import regional_arn_pattern as _arn_pattern
from cloudblame.catalog.live import RESOURCE_NOT_FOUND, Describe
from cloudblame.catalog.pricing import (
    BY_STORAGE,
    BY_USE,
    NOT_IN_TABLE,
    FlatHourly,
    LoadBalancerKind,
    NoCharge,
    PriceModel,
)
from cloudblame.catalog.usage import LOAD_BALANCER_REQUESTS_A_DAY, UsageMetric, elbv2_usage

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
    unpriced_reason=BY_USE,
    usage=(UsageMetric("AWS/Lambda", "Invocations", "FunctionName", "Sum", 0, "invocations"),),
    live=Describe("lambda", "get_function", "FunctionName", items="Configuration", missing=RESOURCE_NOT_FOUND),
)

# --- Lambda layers, aliases, event source mappings, function URLs, code signing -----------------------
LAMBDA_LAYER_VERSION = ResourceType(
    # id "layer/version"
    type="AWS::Lambda::LayerVersion", source=LAMBDA, arn=_arn("lambda", "layer:{parent}:{name}"),
    create={"PublishLayerVersion": composite_id(f"{REQ}.layerName", f"{RESP}.version")},
    arn_paths={"PublishLayerVersion": f"{RESP}.layerVersionArn"},
    delete={"DeleteLayerVersion": composite_id(f"{REQ}.layerName", f"{REQ}.versionNumber")},
    modify={op: composite_id(f"{REQ}.layerName", f"{REQ}.versionNumber")
            for op in ("AddLayerVersionPermission", "RemoveLayerVersionPermission")},
    price=NoCharge(),
)

_ALIAS = composite_id(f"{REQ}.functionName", f"{RESP}.name|{REQ}.name")
LAMBDA_ALIAS = ResourceType(
    # id "function/alias"
    type="AWS::Lambda::Alias", source=LAMBDA, arn=_arn("lambda", "function:{parent}:{name}"),
    create={n: _ALIAS for n in ("CreateAlias", "CreateAlias20150331")},
    arn_paths={n: f"{RESP}.aliasArn" for n in ("CreateAlias", "CreateAlias20150331")},
    delete={"DeleteAlias": _ALIAS},
    modify={n: _ALIAS for n in ("UpdateAlias", "UpdateAlias20150331")},
    price=NoCharge(),
)

_ESM = (f"{RESP}.uUID", f"{REQ}.uUID")
LAMBDA_EVENT_SOURCE_MAPPING = ResourceType(
    type="AWS::Lambda::EventSourceMapping", source=LAMBDA, arn=_arn("lambda", "event-source-mapping:{id}"),
    create={n: f"{RESP}.uUID" for n in ("CreateEventSourceMapping", "CreateEventSourceMapping20150331")},
    arn_paths={n: f"{RESP}.eventSourceMappingArn" for n in ("CreateEventSourceMapping",
                                                            "CreateEventSourceMapping20150331")},
    delete={"DeleteEventSourceMapping": _ESM},
    modify={"UpdateEventSourceMapping": _ESM},
    price=NoCharge(),
)

LAMBDA_URL = ResourceType(
    # one URL per function (or alias): the id is the function name (with ":qualifier" when given)
    type="AWS::Lambda::Url", source=LAMBDA, no_delete_reason=None,
    create={"CreateFunctionUrlConfig": f"{REQ}.functionName"},
    name_paths={"CreateFunctionUrlConfig": f"{RESP}.functionUrl"},
    delete={"DeleteFunctionUrlConfig": f"{REQ}.functionName"},
    modify={"UpdateFunctionUrlConfig": f"{REQ}.functionName"},
    price=NoCharge(),
)

LAMBDA_CODE_SIGNING_CONFIG = ResourceType(
    type="AWS::Lambda::CodeSigningConfig", source=LAMBDA, arn=_arn("lambda", "code-signing-config:{id}"),
    create={"CreateCodeSigningConfig": f"{RESP}.codeSigningConfig.codeSigningConfigId"},
    arn_paths={"CreateCodeSigningConfig": f"{RESP}.codeSigningConfig.codeSigningConfigArn"},
    delete={"DeleteCodeSigningConfig": f"{REQ}.codeSigningConfigArn"},
    modify={"UpdateCodeSigningConfig": f"{REQ}.codeSigningConfigArn"},
    price=NoCharge(),
)

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
    price=NoCharge(),
)

LAUNCH_CONFIGURATION = ResourceType(
    type="AWS::AutoScaling::LaunchConfiguration", source=ASG,
    id_pattern=r"^arn:[^:]+:autoscaling:(?P<region>[^:]*):(?P<account>\d*):launchConfiguration:[^:]+:launchConfigurationName/(?P<id>.+)$",
    create={"CreateLaunchConfiguration": f"{REQ}.launchConfigurationName"},
    delete={"DeleteLaunchConfiguration": f"{REQ}.launchConfigurationName"},
    price=NoCharge(),
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
    price=FlatHourly("elb", "classic", "Classic Load Balancer"),
    usage=(UsageMetric("AWS/ELB", "RequestCount", "LoadBalancerName", "Sum", LOAD_BALANCER_REQUESTS_A_DAY,
                       "requests"),),
    live=Describe("elb", "describe_load_balancers", "LoadBalancerNames", batch=20,
                  items="LoadBalancerDescriptions[]", id_path="LoadBalancerName", missing=("LoadBalancerNotFound",)),
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
    size={"type": f"{REQ}.type"}, size_defaults={"type": "application"},
    price=LoadBalancerKind(),
    usage=(elbv2_usage("RequestCount", "AWS/ApplicationELB", "app", "requests"),
           elbv2_usage("NewFlowCount", "AWS/NetworkELB", "net", "new flows")),
    live=Describe("elbv2", "describe_load_balancers", "Names", batch=20, items="LoadBalancers[]",
                  id_path="LoadBalancerName", state="State.Code", missing=("LoadBalancerNotFound",), size={"type": "Type"}),
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
    price=NoCharge(),
)

# --- ELBv2 listeners and rules (ARNs end with hashes; the ARN is the id) ------------------------------
_ELB_ARN = r"^(?P<arn>arn:(?P<partition>[^:]+):elasticloadbalancing:(?P<region>[^:]*):(?P<account>\d*):%s)$"
ELB_LISTENER = ResourceType(
    type="AWS::ElasticLoadBalancingV2::Listener", source=ELB, when=V2,
    id_pattern=_ELB_ARN % r"(?P<id>listener/(?:app|net|gwy)/[^/]+/[0-9a-f]+/[0-9a-f]+)",
    create={"CreateListener": f"{RESP}.listeners[].listenerArn"},
    delete={"DeleteListener": f"{REQ}.listenerArn"},
    modify={"ModifyListener": f"{REQ}.listenerArn", "AddListenerCertificates": f"{REQ}.listenerArn",
            "RemoveListenerCertificates": f"{REQ}.listenerArn"},
    price=NoCharge(),
)
ELB_LISTENER_RULE = ResourceType(
    type="AWS::ElasticLoadBalancingV2::ListenerRule", source=ELB, when=V2,
    id_pattern=_ELB_ARN % r"(?P<id>listener-rule/(?:app|net|gwy)/[^/]+/[0-9a-f]+/[0-9a-f]+/[0-9a-f]+)",
    create={"CreateRule": f"{RESP}.rules[].ruleArn"},
    delete={"DeleteRule": f"{REQ}.ruleArn"},
    modify={"ModifyRule": f"{REQ}.ruleArn", "SetRulePriorities": f"{REQ}.rulePriorities[].ruleArn"},
    price=NoCharge(),
)

# --- AWS Batch: requests name resources by name or ARN -----------------------------------------------
BATCH = "batch.amazonaws.com"
BATCH_COMPUTE_ENVIRONMENT = ResourceType(
    type="AWS::Batch::ComputeEnvironment", source=BATCH, arn=_arn("batch", "compute-environment/{id}"),
    create={"CreateComputeEnvironment": (f"{RESP}.computeEnvironmentName", f"{REQ}.computeEnvironmentName")},
    arn_paths={"CreateComputeEnvironment": f"{RESP}.computeEnvironmentArn"},
    delete={"DeleteComputeEnvironment": f"{REQ}.computeEnvironment"},
    modify={"UpdateComputeEnvironment": f"{REQ}.computeEnvironment"},
    price=NoCharge(),
)
BATCH_JOB_QUEUE = ResourceType(
    type="AWS::Batch::JobQueue", source=BATCH, arn=_arn("batch", "job-queue/{id}"),
    create={"CreateJobQueue": (f"{RESP}.jobQueueName", f"{REQ}.jobQueueName")},
    arn_paths={"CreateJobQueue": f"{RESP}.jobQueueArn"},
    delete={"DeleteJobQueue": f"{REQ}.jobQueue"},
    modify={"UpdateJobQueue": f"{REQ}.jobQueue"},
    price=NoCharge(),
)
BATCH_JOB_DEFINITION = ResourceType(
    # id "name:revision"
    type="AWS::Batch::JobDefinition", source=BATCH, arn=_arn("batch", "job-definition/{id}"),
    create={"RegisterJobDefinition": composite_id(f"{RESP}.jobDefinitionName|{REQ}.jobDefinitionName",
                                                   f"{RESP}.revision", sep=":")},
    arn_paths={"RegisterJobDefinition": f"{RESP}.jobDefinitionArn"},
    delete={"DeregisterJobDefinition": f"{REQ}.jobDefinition"},
    price=NoCharge(),
)
BATCH_SCHEDULING_POLICY = ResourceType(
    type="AWS::Batch::SchedulingPolicy", source=BATCH, arn=_arn("batch", "scheduling-policy/{id}"),
    create={"CreateSchedulingPolicy": (f"{RESP}.name", f"{REQ}.name")},
    arn_paths={"CreateSchedulingPolicy": f"{RESP}.arn"},
    delete={"DeleteSchedulingPolicy": f"{REQ}.arn"},
    modify={"UpdateSchedulingPolicy": f"{REQ}.arn"},
    price=NoCharge(),
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
    price=NoCharge(),
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
    price=NoCharge(),
)
_APPVER = composite_id(f"{REQ}.applicationName", f"{REQ}.versionLabel")
EB_APPLICATION_VERSION = ResourceType(
    type="AWS::ElasticBeanstalk::ApplicationVersion", source=EB,
    arn=_arn("elasticbeanstalk", "applicationversion/{parent}/{name}"),
    create={"CreateApplicationVersion": _APPVER},
    arn_paths={"CreateApplicationVersion": f"{RESP}.applicationVersion.applicationVersionArn"},
    delete={"DeleteApplicationVersion": _APPVER},
    modify={"UpdateApplicationVersion": _APPVER},
    price=NoCharge(),
)
_TPL = composite_id(f"{REQ}.applicationName", f"{REQ}.templateName")
EB_CONFIGURATION_TEMPLATE = ResourceType(
    type="AWS::ElasticBeanstalk::ConfigurationTemplate", source=EB,
    arn=_arn("elasticbeanstalk", "configurationtemplate/{parent}/{name}"),
    create={"CreateConfigurationTemplate": _TPL},
    delete={"DeleteConfigurationTemplate": _TPL},
    modify={"UpdateConfigurationTemplate": _TPL},
    price=NoCharge(),
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
    unpriced_reason=NOT_IN_TABLE,
)
LIGHTSAIL_STATIC_IP = ResourceType(
    type="AWS::Lightsail::StaticIp", source=LIGHTSAIL,
    create={"AllocateStaticIp": f"{REQ}.staticIpName"},
    delete={"ReleaseStaticIp": f"{REQ}.staticIpName"},
    modify={"AttachStaticIp": f"{REQ}.staticIpName", "DetachStaticIp": f"{REQ}.staticIpName"},
    unpriced_reason=NOT_IN_TABLE,
)
LIGHTSAIL_DISK = ResourceType(
    type="AWS::Lightsail::Disk", source=LIGHTSAIL,
    create={"CreateDisk": f"{REQ}.diskName"},
    delete={"DeleteDisk": f"{REQ}.diskName"},
    modify={"AttachDisk": f"{REQ}.diskName", "DetachDisk": f"{REQ}.diskName"},
    unpriced_reason=NOT_IN_TABLE,
)
LIGHTSAIL_DATABASE = ResourceType(
    type="AWS::Lightsail::Database", source=LIGHTSAIL,
    create={"CreateRelationalDatabase": f"{REQ}.relationalDatabaseName"},
    delete={"DeleteRelationalDatabase": f"{REQ}.relationalDatabaseName"},
    modify={op: f"{REQ}.relationalDatabaseName"
            for op in ("UpdateRelationalDatabase", "StartRelationalDatabase", "StopRelationalDatabase",
                       "RebootRelationalDatabase")},
    unpriced_reason=NOT_IN_TABLE,
)
LIGHTSAIL_KEY_PAIR = ResourceType(
    type="AWS::Lightsail::KeyPair", source=LIGHTSAIL,
    create={"CreateKeyPair": (f"{RESP}.keyPair.name", f"{REQ}.keyPairName"),
            "ImportKeyPair": f"{REQ}.keyPairName"},
    arn_paths={"CreateKeyPair": f"{RESP}.keyPair.arn"},
    delete={"DeleteKeyPair": f"{REQ}.keyPairName"},
    price=NoCharge(),
)
LIGHTSAIL_LOAD_BALANCER = ResourceType(
    type="AWS::Lightsail::LoadBalancer", source=LIGHTSAIL,
    create={"CreateLoadBalancer": f"{REQ}.loadBalancerName"},
    delete={"DeleteLoadBalancer": f"{REQ}.loadBalancerName"},
    modify={op: f"{REQ}.loadBalancerName"
            for op in ("AttachInstancesToLoadBalancer", "DetachInstancesFromLoadBalancer",
                       "UpdateLoadBalancerAttribute")},
    unpriced_reason=NOT_IN_TABLE,
)
LIGHTSAIL_CONTAINER_SERVICE = ResourceType(
    type="AWS::Lightsail::Container", source=LIGHTSAIL,
    create={"CreateContainerService": (f"{RESP}.containerService.containerServiceName", f"{REQ}.serviceName")},
    arn_paths={"CreateContainerService": f"{RESP}.containerService.arn"},
    delete={"DeleteContainerService": f"{REQ}.serviceName"},
    modify={op: f"{REQ}.serviceName" for op in ("UpdateContainerService", "CreateContainerServiceDeployment")},
    unpriced_reason=NOT_IN_TABLE,
)
LIGHTSAIL_BUCKET = ResourceType(
    type="AWS::Lightsail::Bucket", source=LIGHTSAIL,
    create={"CreateBucket": (f"{RESP}.bucket.name", f"{REQ}.bucketName")},
    arn_paths={"CreateBucket": f"{RESP}.bucket.arn"},
    delete={"DeleteBucket": f"{REQ}.bucketName"},
    modify={"UpdateBucket": f"{REQ}.bucketName", "UpdateBucketBundle": f"{REQ}.bucketName"},
    unpriced_reason=NOT_IN_TABLE,
)

# --- EC2 Image Builder: ids are the ARNs' names ------------------------------------------------------
IMAGEBUILDER = "imagebuilder.amazonaws.com"


def _ib(kind: str, create_op: str, arn_field: str, delete_op: str, update_op: str | None,
        versioned: bool = False, price: PriceModel | None = None,
        unpriced_reason: str | None = None) -> ResourceType:
    tail = r"(?:/[^/]+){1,2}" if versioned else ""
    return ResourceType(
        type=f"AWS::ImageBuilder::{kind}", source=IMAGEBUILDER,
        id_pattern=_arn_pattern("imagebuilder", rf"[a-z-]+/(?P<id>[^/]+){tail}"),
        create={create_op: (f"{RESP}.{arn_field}", f"{REQ}.name")},
        arn_paths={create_op: f"{RESP}.{arn_field}"},
        delete={delete_op: f"{REQ}.{arn_field}"},
        modify={update_op: f"{REQ}.{arn_field}"} if update_op else {}, price=price, unpriced_reason=unpriced_reason,
    )


IB_PIPELINE = _ib("ImagePipeline", "CreateImagePipeline", "imagePipelineArn", "DeleteImagePipeline",
                  "UpdateImagePipeline", price=NoCharge())
IB_RECIPE = _ib("ImageRecipe", "CreateImageRecipe", "imageRecipeArn", "DeleteImageRecipe", None, versioned=True,
                price=NoCharge())
IB_INFRA = _ib("InfrastructureConfiguration", "CreateInfrastructureConfiguration", "infrastructureConfigurationArn",
               "DeleteInfrastructureConfiguration", "UpdateInfrastructureConfiguration", price=NoCharge())
IB_COMPONENT = ResourceType(
    type="AWS::ImageBuilder::Component", source=IMAGEBUILDER,
    id_pattern=_arn_pattern("imagebuilder", r"component/(?P<id>[^/]+)(?:/[^/]+){1,2}"),
    create={"CreateComponent": (f"{RESP}.componentBuildVersionArn", f"{REQ}.name")},
    arn_paths={"CreateComponent": f"{RESP}.componentBuildVersionArn"},
    delete={"DeleteComponent": f"{REQ}.componentBuildVersionArn"},
    price=NoCharge(),
)

# --- GameLift -----------------------------------------------------------------------------------------
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
    unpriced_reason=NOT_IN_TABLE,
)

GAMELIFT_BUILD = ResourceType(
    type="AWS::GameLift::Build", source=GAMELIFT, arn=_arn("gamelift", "build/{id}"),
    create={"CreateBuild": f"{RESP}.build.buildId"},
    arn_paths={"CreateBuild": f"{RESP}.build.buildArn"},
    name_paths={"CreateBuild": f"{REQ}.name"},
    delete={"DeleteBuild": f"{REQ}.buildId"},
    modify={"UpdateBuild": f"{REQ}.buildId"},
    unpriced_reason=BY_STORAGE,
)
GAMELIFT_SCRIPT = ResourceType(
    type="AWS::GameLift::Script", source=GAMELIFT, arn=_arn("gamelift", "script/{id}"),
    create={"CreateScript": f"{RESP}.script.scriptId"},
    arn_paths={"CreateScript": f"{RESP}.script.scriptArn"},
    name_paths={"CreateScript": f"{REQ}.name"},
    delete={"DeleteScript": f"{REQ}.scriptId"},
    modify={"UpdateScript": f"{REQ}.scriptId"},
    unpriced_reason=BY_STORAGE,
)
GAMELIFT_ALIAS = ResourceType(
    type="AWS::GameLift::Alias", source=GAMELIFT, arn=_arn("gamelift", "alias/{id}"),
    create={"CreateAlias": f"{RESP}.alias.aliasId"},
    arn_paths={"CreateAlias": f"{RESP}.alias.aliasArn"},
    name_paths={"CreateAlias": f"{REQ}.name"},
    delete={"DeleteAlias": f"{REQ}.aliasId"},
    modify={"UpdateAlias": f"{REQ}.aliasId"},
    price=NoCharge(),
)
GAMELIFT_QUEUE = ResourceType(
    type="AWS::GameLift::GameSessionQueue", source=GAMELIFT, arn=_arn("gamelift", "gamesessionqueue/{id}"),
    create={"CreateGameSessionQueue": (f"{RESP}.gameSessionQueue.name", f"{REQ}.name")},
    arn_paths={"CreateGameSessionQueue": f"{RESP}.gameSessionQueue.gameSessionQueueArn"},
    delete={"DeleteGameSessionQueue": f"{REQ}.name"},
    modify={"UpdateGameSessionQueue": f"{REQ}.name"},
    price=NoCharge(),
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
    unpriced_reason=NOT_IN_TABLE,
)
WORKSPACES_IP_GROUP = ResourceType(
    type="AWS::WorkSpaces::IpGroup", source=WORKSPACES, arn=_arn("workspaces", "workspaceipgroup/{id}"),
    create={"CreateIpGroup": f"{RESP}.groupId"},
    name_paths={"CreateIpGroup": f"{REQ}.groupName"},
    delete={"DeleteIpGroup": f"{REQ}.groupId"},
    modify={op: f"{REQ}.groupId" for op in ("AuthorizeIpRules", "RevokeIpRules", "UpdateRulesOfIpGroup")},
    price=NoCharge(),
)

ENTRIES = (
    LAMBDA_FUNCTION, LAMBDA_LAYER_VERSION, LAMBDA_ALIAS, LAMBDA_EVENT_SOURCE_MAPPING, LAMBDA_URL,
    LAMBDA_CODE_SIGNING_CONFIG, AUTOSCALING_GROUP, LAUNCH_CONFIGURATION, CLASSIC_LOAD_BALANCER, LOAD_BALANCER_V2,
    TARGET_GROUP, ELB_LISTENER, ELB_LISTENER_RULE, BATCH_COMPUTE_ENVIRONMENT, BATCH_JOB_QUEUE, BATCH_JOB_DEFINITION,
    BATCH_SCHEDULING_POLICY, EB_APPLICATION, EB_ENVIRONMENT, EB_APPLICATION_VERSION, EB_CONFIGURATION_TEMPLATE,
    LIGHTSAIL_INSTANCE, LIGHTSAIL_STATIC_IP, LIGHTSAIL_DISK, LIGHTSAIL_DATABASE, LIGHTSAIL_KEY_PAIR,
    LIGHTSAIL_LOAD_BALANCER, LIGHTSAIL_CONTAINER_SERVICE, LIGHTSAIL_BUCKET, IB_PIPELINE, IB_RECIPE, IB_INFRA,
    IB_COMPONENT, GAMELIFT_FLEET, GAMELIFT_BUILD, GAMELIFT_SCRIPT, GAMELIFT_ALIAS, GAMELIFT_QUEUE, WORKSPACE,
    WORKSPACES_IP_GROUP,
)
