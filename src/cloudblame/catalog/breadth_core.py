"""More types of services the other modules cover: SageMaker endpoint configs, models, training jobs,
domains and user profiles; RDS parameter groups; SNS subscriptions; EventBridge archives; API Gateway
API keys; CloudFront origin access controls; Route 53 health checks; CloudWatch dashboards; SSM
documents."""

from __future__ import annotations

from cloudblame.catalog.base import ResourceType
from cloudblame.catalog.base import regional_arn as _arn

REQ = "requestParameters"
RESP = "responseElements"



# --- SageMaker: names appear lower-cased in ARNs -----------------------------------------------------
SAGEMAKER = "sagemaker.amazonaws.com"


def _sm(kind: str, arn_kind: str, op: str, name_field: str, arn_field: str, delete: str | None,
        modify: tuple[str, ...] = (), reason: str | None = None) -> ResourceType:
    name = f"{REQ}.{name_field}"
    return ResourceType(
        type=f"AWS::SageMaker::{kind}", source=SAGEMAKER, id_transform="lower",
        arn=_arn("sagemaker", arn_kind + "/{id}"),
        create={op: name}, arn_paths={op: f"{RESP}.{arn_field}"}, name_paths={op: name},
        delete={delete: name} if delete else {},
        modify={m: name for m in modify}, no_delete_reason=reason,
    )


SM_ENDPOINT_CONFIG = _sm("EndpointConfig", "endpoint-config", "CreateEndpointConfig", "endpointConfigName",
                         "endpointConfigArn", "DeleteEndpointConfig")
SM_MODEL = _sm("Model", "model", "CreateModel", "modelName", "modelArn", "DeleteModel")
SM_TRAINING_JOB = _sm("TrainingJob", "training-job", "CreateTrainingJob", "trainingJobName", "trainingJobArn",
                      None, ("StopTrainingJob", "UpdateTrainingJob"),
                      reason="training jobs cannot be deleted; they end (StopTrainingJob) and stay listed")
SM_PROCESSING_JOB = _sm("ProcessingJob", "processing-job", "CreateProcessingJob", "processingJobName",
                        "processingJobArn", "DeleteProcessingJob", ("StopProcessingJob",))
SM_NOTEBOOK_LIFECYCLE = _sm("NotebookInstanceLifecycleConfig", "notebook-instance-lifecycle-config",
                            "CreateNotebookInstanceLifecycleConfig", "notebookInstanceLifecycleConfigName",
                            "notebookInstanceLifecycleConfigArn", "DeleteNotebookInstanceLifecycleConfig",
                            ("UpdateNotebookInstanceLifecycleConfig",))
SM_MODEL_PACKAGE_GROUP = _sm("ModelPackageGroup", "model-package-group", "CreateModelPackageGroup",
                             "modelPackageGroupName", "modelPackageGroupArn", "DeleteModelPackageGroup")
SM_PIPELINE = _sm("Pipeline", "pipeline", "CreatePipeline", "pipelineName", "pipelineArn", "DeletePipeline",
                  ("UpdatePipeline",))
SM_FEATURE_GROUP = _sm("FeatureGroup", "feature-group", "CreateFeatureGroup", "featureGroupName",
                       "featureGroupArn", "DeleteFeatureGroup", ("UpdateFeatureGroup",))
SM_DOMAIN = ResourceType(
    type="AWS::SageMaker::Domain", source=SAGEMAKER, arn=_arn("sagemaker", "domain/{id}"),
    create={"CreateDomain": f"{RESP}.domainId"},
    arn_paths={"CreateDomain": f"{RESP}.domainArn"},
    name_paths={"CreateDomain": f"{REQ}.domainName"},
    delete={"DeleteDomain": f"{REQ}.domainId"},
    modify={"UpdateDomain": f"{REQ}.domainId"},
)
_PROFILE = "{%s}/{%s}" % (f"{REQ}.domainId", f"{REQ}.userProfileName")
SM_USER_PROFILE = ResourceType(
    # id "domainId/profile"
    type="AWS::SageMaker::UserProfile", source=SAGEMAKER, arn=_arn("sagemaker", "user-profile/{parent}/{name}"),
    create={"CreateUserProfile": _PROFILE},
    arn_paths={"CreateUserProfile": f"{RESP}.userProfileArn"},
    delete={"DeleteUserProfile": _PROFILE},
    modify={"UpdateUserProfile": _PROFILE},
)
_SPACE = "{%s}/{%s}" % (f"{REQ}.domainId", f"{REQ}.spaceName")
SM_SPACE = ResourceType(
    type="AWS::SageMaker::Space", source=SAGEMAKER, arn=_arn("sagemaker", "space/{parent}/{name}"),
    create={"CreateSpace": _SPACE},
    arn_paths={"CreateSpace": f"{RESP}.spaceArn"},
    delete={"DeleteSpace": _SPACE},
    modify={"UpdateSpace": _SPACE},
)

# --- RDS parameter and option groups (identifiers stored lower-cased) ---------------------------------
RDS = "rds.amazonaws.com"


RDS_PARAMETER_GROUP = ResourceType(
    type="AWS::RDS::DBParameterGroup", source=RDS, id_transform="lower", arn=_arn("rds", "pg:{id}"),
    create={"CreateDBParameterGroup": (f"{RESP}.dBParameterGroupName", f"{REQ}.dBParameterGroupName"),
            "CopyDBParameterGroup": (f"{RESP}.dBParameterGroupName", f"{REQ}.targetDBParameterGroupIdentifier")},
    arn_paths={"CreateDBParameterGroup": f"{RESP}.dBParameterGroupArn",
               "CopyDBParameterGroup": f"{RESP}.dBParameterGroupArn"},
    delete={"DeleteDBParameterGroup": f"{REQ}.dBParameterGroupName"},
    modify={op: f"{REQ}.dBParameterGroupName" for op in ("ModifyDBParameterGroup", "ResetDBParameterGroup")},
)
RDS_CLUSTER_PARAMETER_GROUP = ResourceType(
    type="AWS::RDS::DBClusterParameterGroup", source=RDS, id_transform="lower", arn=_arn("rds", "cluster-pg:{id}"),
    create={"CreateDBClusterParameterGroup": (f"{RESP}.dBClusterParameterGroupName",
                                              f"{REQ}.dBClusterParameterGroupName"),
            "CopyDBClusterParameterGroup": (f"{RESP}.dBClusterParameterGroupName",
                                            f"{REQ}.targetDBClusterParameterGroupIdentifier")},
    arn_paths={"CreateDBClusterParameterGroup": f"{RESP}.dBClusterParameterGroupArn",
               "CopyDBClusterParameterGroup": f"{RESP}.dBClusterParameterGroupArn"},
    delete={"DeleteDBClusterParameterGroup": f"{REQ}.dBClusterParameterGroupName"},
    modify={op: f"{REQ}.dBClusterParameterGroupName"
            for op in ("ModifyDBClusterParameterGroup", "ResetDBClusterParameterGroup")},
)
RDS_OPTION_GROUP = ResourceType(
    type="AWS::RDS::OptionGroup", source=RDS, id_transform="lower", arn=_arn("rds", "og:{id}"),
    create={"CreateOptionGroup": (f"{RESP}.optionGroupName", f"{REQ}.optionGroupName"),
            "CopyOptionGroup": (f"{RESP}.optionGroupName", f"{REQ}.targetOptionGroupIdentifier")},
    arn_paths={"CreateOptionGroup": f"{RESP}.optionGroupArn", "CopyOptionGroup": f"{RESP}.optionGroupArn"},
    delete={"DeleteOptionGroup": f"{REQ}.optionGroupName"},
    modify={"ModifyOptionGroup": f"{REQ}.optionGroupName"},
)
RDS_DB_SECURITY_GROUP = ResourceType(
    # EC2-Classic DB security groups (retired, still in old trails)
    type="AWS::RDS::DBSecurityGroup", source=RDS, id_transform="lower", arn=_arn("rds", "secgrp:{id}"),
    create={"CreateDBSecurityGroup": (f"{RESP}.dBSecurityGroupName", f"{REQ}.dBSecurityGroupName")},
    arn_paths={"CreateDBSecurityGroup": f"{RESP}.dBSecurityGroupArn"},
    delete={"DeleteDBSecurityGroup": f"{REQ}.dBSecurityGroupName"},
    modify={op: f"{REQ}.dBSecurityGroupName"
            for op in ("AuthorizeDBSecurityGroupIngress", "RevokeDBSecurityGroupIngress")},
)
RDS_GLOBAL_CLUSTER = ResourceType(
    type="AWS::RDS::GlobalCluster", source=RDS, id_transform="lower",
    arn="arn:{partition}:rds::{account}:global-cluster:{id}", global_=True,
    create={"CreateGlobalCluster": (f"{RESP}.globalClusterIdentifier", f"{REQ}.globalClusterIdentifier")},
    arn_paths={"CreateGlobalCluster": f"{RESP}.globalClusterArn"},
    delete={"DeleteGlobalCluster": f"{REQ}.globalClusterIdentifier"},
    modify={op: f"{REQ}.globalClusterIdentifier"
            for op in ("ModifyGlobalCluster", "RemoveFromGlobalCluster", "FailoverGlobalCluster")},
)

# --- SNS subscriptions ------------------------------------------------------------------------------
SNS = "sns.amazonaws.com"
SNS_SUBSCRIPTION = ResourceType(
    # id: the subscription ARN's last segment (a UUID); "pending confirmation" yields no ARN
    type="AWS::SNS::Subscription", source=SNS,
    id_pattern=r"^(?P<arn>arn:(?P<partition>[^:]+):sns:(?P<region>[^:]*):(?P<account>\d*):[^:]+:(?P<id>[0-9a-f-]{36}))$",
    strict_ids=True,
    create={"Subscribe": f"{RESP}.subscriptionArn"},
    delete={"Unsubscribe": f"{REQ}.subscriptionArn"},
    modify={"SetSubscriptionAttributes": f"{REQ}.subscriptionArn", "ConfirmSubscription": f"{RESP}.subscriptionArn"},
)

# --- EventBridge archives, connections, API destinations ---------------------------------------------
EVENTS = "events.amazonaws.com"
EVENT_ARCHIVE = ResourceType(
    type="AWS::Events::Archive", source=EVENTS, arn=_arn("events", "archive/{id}"),
    create={"CreateArchive": f"{REQ}.archiveName"},
    arn_paths={"CreateArchive": f"{RESP}.archiveArn"},
    delete={"DeleteArchive": f"{REQ}.archiveName"},
    modify={"UpdateArchive": f"{REQ}.archiveName"},
)
EVENT_CONNECTION = ResourceType(
    type="AWS::Events::Connection", source=EVENTS,
    id_pattern=r"^(?P<arn>arn:(?P<partition>[^:]+):events:(?P<region>[^:]*):(?P<account>\d*):connection/(?P<id>[^/]+)/[^/]+)$",
    create={"CreateConnection": f"{REQ}.name"},
    arn_paths={"CreateConnection": f"{RESP}.connectionArn"},
    delete={"DeleteConnection": f"{REQ}.name"},
    modify={op: f"{REQ}.name" for op in ("UpdateConnection", "DeauthorizeConnection")},
)
EVENT_API_DESTINATION = ResourceType(
    type="AWS::Events::ApiDestination", source=EVENTS,
    id_pattern=r"^(?P<arn>arn:(?P<partition>[^:]+):events:(?P<region>[^:]*):(?P<account>\d*):api-destination/(?P<id>[^/]+)/[^/]+)$",
    create={"CreateApiDestination": f"{REQ}.name"},
    arn_paths={"CreateApiDestination": f"{RESP}.apiDestinationArn"},
    delete={"DeleteApiDestination": f"{REQ}.name"},
    modify={"UpdateApiDestination": f"{REQ}.name"},
)

# --- API Gateway v1 API keys and usage plans ---------------------------------------------------------
APIGW = "apigateway.amazonaws.com"
API_KEY = ResourceType(
    type="AWS::ApiGateway::ApiKey", source=APIGW, arn="arn:{partition}:apigateway:{region}::/apikeys/{id}",
    create={"CreateApiKey": f"{RESP}.id"},
    name_paths={"CreateApiKey": (f"{RESP}.name", f"{REQ}.name")},
    delete={"DeleteApiKey": f"{REQ}.apiKey"},
    modify={"UpdateApiKey": f"{REQ}.apiKey"},
)
USAGE_PLAN = ResourceType(
    type="AWS::ApiGateway::UsagePlan", source=APIGW, arn="arn:{partition}:apigateway:{region}::/usageplans/{id}",
    create={"CreateUsagePlan": f"{RESP}.id"},
    name_paths={"CreateUsagePlan": (f"{RESP}.name", f"{REQ}.name")},
    delete={"DeleteUsagePlan": f"{REQ}.usagePlanId"},
    modify={op: f"{REQ}.usagePlanId" for op in ("UpdateUsagePlan", "CreateUsagePlanKey", "DeleteUsagePlanKey")},
)
DOMAIN_NAME = ResourceType(
    # v1 CreateDomainName and v2 CreateDomainName share names; both are custom domain names
    type="AWS::ApiGateway::DomainName", source=APIGW, arn="arn:{partition}:apigateway:{region}::/domainnames/{id}",
    create={"CreateDomainName": (f"{RESP}.domainName", f"{REQ}.domainName")},
    delete={"DeleteDomainName": f"{REQ}.domainName"},
    modify={"UpdateDomainName": f"{REQ}.domainName"},
)

# --- CloudFront origin access controls and identities (global) ---------------------------------------
CLOUDFRONT = "cloudfront.amazonaws.com"
ORIGIN_ACCESS_CONTROL = ResourceType(
    type="AWS::CloudFront::OriginAccessControl", source=CLOUDFRONT, global_=True,
    arn="arn:{partition}:cloudfront::{account}:origin-access-control/{id}",
    create={"CreateOriginAccessControl": f"{RESP}.originAccessControl.id"},
    name_paths={"CreateOriginAccessControl": f"{REQ}.originAccessControlConfig.name"},
    delete={"DeleteOriginAccessControl": f"{REQ}.id"},
    modify={"UpdateOriginAccessControl": f"{REQ}.id"},
)
ORIGIN_ACCESS_IDENTITY = ResourceType(
    type="AWS::CloudFront::CloudFrontOriginAccessIdentity", source=CLOUDFRONT, global_=True,
    arn="arn:{partition}:cloudfront::{account}:origin-access-identity/{id}",
    create={"CreateCloudFrontOriginAccessIdentity": f"{RESP}.cloudFrontOriginAccessIdentity.id"},
    delete={"DeleteCloudFrontOriginAccessIdentity": f"{REQ}.id"},
    modify={"UpdateCloudFrontOriginAccessIdentity": f"{REQ}.id"},
)
CACHE_POLICY = ResourceType(
    type="AWS::CloudFront::CachePolicy", source=CLOUDFRONT, global_=True,
    arn="arn:{partition}:cloudfront::{account}:cache-policy/{id}",
    create={"CreateCachePolicy": f"{RESP}.cachePolicy.id"},
    name_paths={"CreateCachePolicy": f"{REQ}.cachePolicyConfig.name"},
    delete={"DeleteCachePolicy": f"{REQ}.id"},
    modify={"UpdateCachePolicy": f"{REQ}.id"},
)

# --- Route 53 health checks (global) ------------------------------------------------------------------
ROUTE53 = "route53.amazonaws.com"
HEALTH_CHECK = ResourceType(
    type="AWS::Route53::HealthCheck", source=ROUTE53, global_=True,
    arn="arn:{partition}:route53:::healthcheck/{id}",
    create={"CreateHealthCheck": f"{RESP}.healthCheck.id"},
    delete={"DeleteHealthCheck": f"{REQ}.healthCheckId"},
    modify={"UpdateHealthCheck": f"{REQ}.healthCheckId"},
)

# --- CloudWatch dashboards (global ARNs) ---------------------------------------------------------------
MONITORING = "monitoring.amazonaws.com"
DASHBOARD = ResourceType(
    # PutDashboard creates or replaces
    type="AWS::CloudWatch::Dashboard", source=MONITORING, global_=True,
    arn="arn:{partition}:cloudwatch::{account}:dashboard/{id}",
    create={"PutDashboard": f"{REQ}.dashboardName"},
    delete={"DeleteDashboards": f"{REQ}.dashboardNames[]"},
)
METRIC_STREAM = ResourceType(
    type="AWS::CloudWatch::MetricStream", source=MONITORING, arn=_arn("cloudwatch", "metric-stream/{id}"),
    create={"PutMetricStream": f"{REQ}.name"},
    arn_paths={"PutMetricStream": f"{RESP}.arn"},
    delete={"DeleteMetricStream": f"{REQ}.name"},
    modify={"StartMetricStreams": f"{REQ}.names[]", "StopMetricStreams": f"{REQ}.names[]"},
)

# --- SSM documents ----------------------------------------------------------------------------------
SSM = "ssm.amazonaws.com"
SSM_DOCUMENT = ResourceType(
    type="AWS::SSM::Document", source=SSM, arn=_arn("ssm", "document/{id}"),
    create={"CreateDocument": (f"{RESP}.documentDescription.name", f"{REQ}.name")},
    delete={"DeleteDocument": f"{REQ}.name"},
    modify={"UpdateDocument": f"{REQ}.name", "UpdateDocumentDefaultVersion": f"{REQ}.name",
            "ModifyDocumentPermission": f"{REQ}.name"},
)
SSM_MAINTENANCE_WINDOW = ResourceType(
    type="AWS::SSM::MaintenanceWindow", source=SSM, arn=_arn("ssm", "maintenancewindow/{id}"),
    create={"CreateMaintenanceWindow": f"{RESP}.windowId"},
    name_paths={"CreateMaintenanceWindow": f"{REQ}.name"},
    delete={"DeleteMaintenanceWindow": f"{REQ}.windowId"},
    modify={op: f"{REQ}.windowId" for op in ("UpdateMaintenanceWindow", "RegisterTargetWithMaintenanceWindow",
                                             "RegisterTaskWithMaintenanceWindow")},
)
SSM_ASSOCIATION = ResourceType(
    type="AWS::SSM::Association", source=SSM, arn=_arn("ssm", "association/{id}"),
    create={"CreateAssociation": f"{RESP}.associationDescription.associationId"},
    name_paths={"CreateAssociation": f"{REQ}.associationName"},
    delete={"DeleteAssociation": f"{REQ}.associationId"},
    modify={"UpdateAssociation": f"{REQ}.associationId"},
)

ENTRIES = (
    SM_ENDPOINT_CONFIG, SM_MODEL, SM_TRAINING_JOB, SM_PROCESSING_JOB, SM_NOTEBOOK_LIFECYCLE, SM_MODEL_PACKAGE_GROUP,
    SM_PIPELINE, SM_FEATURE_GROUP, SM_DOMAIN, SM_USER_PROFILE, SM_SPACE,
    RDS_PARAMETER_GROUP, RDS_CLUSTER_PARAMETER_GROUP, RDS_OPTION_GROUP, RDS_DB_SECURITY_GROUP, RDS_GLOBAL_CLUSTER,
    SNS_SUBSCRIPTION, EVENT_ARCHIVE, EVENT_CONNECTION, EVENT_API_DESTINATION, API_KEY, USAGE_PLAN, DOMAIN_NAME,
    ORIGIN_ACCESS_CONTROL, ORIGIN_ACCESS_IDENTITY, CACHE_POLICY, HEALTH_CHECK, DASHBOARD, METRIC_STREAM,
    SSM_DOCUMENT, SSM_MAINTENANCE_WINDOW, SSM_ASSOCIATION,
)
