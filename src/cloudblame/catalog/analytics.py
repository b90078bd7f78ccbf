"""Analytics: EMR (on EC2, Serverless, on EKS), Kinesis Data Streams, Firehose, Kinesis Analytics, MSK,
MSK Connect, Glue, Athena, OpenSearch (domains and Serverless), CloudSearch, Data Pipeline."""

from __future__ import annotations

from cloudblame.catalog.base import AnyResource, ResourceType, composite_id
from cloudblame.catalog.base import regional_arn as _arn
from cloudblame.catalog.base import regional_arn_pattern as _arn_pattern
from cloudblame.catalog.pricing import BY_CAPACITY, BY_USE, NOT_IN_TABLE, Hourly, NoCharge

REQ = "requestParameters"
RESP = "responseElements"

# --- EMR ----------------------------------------------------------------------------------------------
EMR = "elasticmapreduce.amazonaws.com"
EMR_CLUSTER = ResourceType(
    type="AWS::EMR::Cluster", source=EMR, arn="arn:{partition}:elasticmapreduce:{region}:{account}:cluster/{id}",
    create={"RunJobFlow": f"{RESP}.jobFlowId"},
    name_paths={"RunJobFlow": f"{REQ}.name"},
    delete={"TerminateJobFlows": f"{REQ}.jobFlowIds[]"},
    modify={"ModifyCluster": f"{REQ}.clusterId", "SetTerminationProtection": f"{REQ}.jobFlowIds[]",
            "AddJobFlowSteps": f"{REQ}.jobFlowId", "ModifyInstanceGroups": f"{REQ}.clusterId",
            "AddTags": f"{REQ}.resourceId", "RemoveTags": f"{REQ}.resourceId"},
    unpriced_reason=NOT_IN_TABLE,
)

# --- EMR security configurations and studios, EMR Serverless, EMR on EKS ------------------------------
EMR_SECURITY_CONFIGURATION = ResourceType(
    type="AWS::EMR::SecurityConfiguration", source=EMR, no_delete_reason=None,
    create={"CreateSecurityConfiguration": (f"{RESP}.name", f"{REQ}.name")},
    delete={"DeleteSecurityConfiguration": f"{REQ}.name"},
    price=NoCharge(),
)
EMR_STUDIO = ResourceType(
    type="AWS::EMR::Studio", source=EMR, arn=_arn("elasticmapreduce", "studio/{id}"),
    create={"CreateStudio": f"{RESP}.studioId"},
    name_paths={"CreateStudio": f"{REQ}.name"},
    delete={"DeleteStudio": f"{REQ}.studioId"},
    modify={"UpdateStudio": f"{REQ}.studioId"},
    price=NoCharge(),
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
    unpriced_reason=BY_USE,
)

EMR_CONTAINERS = "emr-containers.amazonaws.com"
EMR_VIRTUAL_CLUSTER = ResourceType(
    type="AWS::EMRContainers::VirtualCluster", source=EMR_CONTAINERS,
    arn=_arn("emr-containers", "/virtualclusters/{id}"),
    create={"CreateVirtualCluster": f"{RESP}.id"},
    arn_paths={"CreateVirtualCluster": f"{RESP}.arn"},
    name_paths={"CreateVirtualCluster": (f"{RESP}.name", f"{REQ}.name")},
    delete={"DeleteVirtualCluster": f"{REQ}.id"},
    unpriced_reason=BY_USE,
)

# --- Kinesis, Firehose, Kinesis Analytics -----------------------------------------------------------
KINESIS = "kinesis.amazonaws.com"
_STREAM = (f"{REQ}.streamName", f"{REQ}.streamARN")
KINESIS_STREAM = ResourceType(
    type="AWS::Kinesis::Stream", source=KINESIS, arn="arn:{partition}:kinesis:{region}:{account}:stream/{id}",
    create={"CreateStream": _STREAM},
    delete={"DeleteStream": _STREAM},
    modify={**{op: _STREAM for op in (
        "IncreaseStreamRetentionPeriod", "DecreaseStreamRetentionPeriod", "UpdateShardCount",
        "StartStreamEncryption", "StopStreamEncryption", "AddTagsToStream", "RemoveTagsFromStream",
        "EnableEnhancedMonitoring", "DisableEnhancedMonitoring")},
            "UpdateStreamMode": f"{REQ}.streamARN",
            "TagResource": f"{REQ}.resourceARN", "UntagResource": f"{REQ}.resourceARN"},
    unpriced_reason=NOT_IN_TABLE,
)

FIREHOSE = "firehose.amazonaws.com"
_DS = f"{REQ}.deliveryStreamName"
FIREHOSE_STREAM = ResourceType(
    type="AWS::KinesisFirehose::DeliveryStream", source=FIREHOSE,
    arn="arn:{partition}:firehose:{region}:{account}:deliverystream/{id}",
    create={"CreateDeliveryStream": _DS},
    arn_paths={"CreateDeliveryStream": f"{RESP}.deliveryStreamARN"},
    delete={"DeleteDeliveryStream": _DS},
    modify={op: _DS for op in ("UpdateDestination", "TagDeliveryStream", "UntagDeliveryStream",
                               "StartDeliveryStreamEncryption", "StopDeliveryStreamEncryption")},
    unpriced_reason=BY_USE,
)

KINESIS_ANALYTICS = "kinesisanalytics.amazonaws.com"
_APP = f"{REQ}.applicationName"
KINESIS_ANALYTICS_APP = ResourceType(
    type="AWS::KinesisAnalyticsV2::Application", source=KINESIS_ANALYTICS,
    aliases=("AWS::KinesisAnalytics::Application",),
    arn="arn:{partition}:kinesisanalytics:{region}:{account}:application/{id}",
    create={"CreateApplication": (f"{RESP}.applicationDetail.applicationName",
                                  f"{RESP}.applicationSummary.applicationName", _APP)},
    arn_paths={"CreateApplication": (f"{RESP}.applicationDetail.applicationARN",
                                     f"{RESP}.applicationSummary.applicationARN", f"{RESP}.applicationARN")},
    delete={"DeleteApplication": _APP},
    modify={**{op: _APP for op in ("UpdateApplication", "StartApplication", "StopApplication")},
            "TagResource": f"{REQ}.resourceARN", "UntagResource": f"{REQ}.resourceARN"},
    unpriced_reason=NOT_IN_TABLE,
)

# --- MSK (kafka) ------------------------------------------------------------------------------------
KAFKA = "kafka.amazonaws.com"
_MSK_ARN = f"{REQ}.clusterArn"
MSK_CLUSTER = ResourceType(
    # id: the cluster name; the ARN ends with a UUID and is taken from the record
    type="AWS::MSK::Cluster", source=KAFKA,
    id_pattern=r"^(?P<arn>arn:(?P<partition>[^:]+):kafka:(?P<region>[^:]*):(?P<account>\d*):cluster/(?P<id>[^/]+)/[^/]+)$",
    create={"CreateCluster": (f"{RESP}.clusterArn", f"{REQ}.clusterName"),
            "CreateClusterV2": (f"{RESP}.clusterArn", f"{REQ}.clusterName")},
    delete={"DeleteCluster": _MSK_ARN},
    modify={**{op: _MSK_ARN for op in (
        "UpdateBrokerCount", "UpdateBrokerStorage", "UpdateBrokerType", "UpdateClusterConfiguration",
        "UpdateClusterKafkaVersion", "UpdateMonitoring", "UpdateSecurity", "UpdateConnectivity", "RebootBroker")},
            "TagResource": f"{REQ}.resourceArn", "UntagResource": f"{REQ}.resourceArn"},
    unpriced_reason=NOT_IN_TABLE,
)

# --- MSK Connect ------------------------------------------------------------------------------------
KAFKACONNECT = "kafkaconnect.amazonaws.com"
MSK_CONNECTOR = ResourceType(
    # id: the connector name; the ARN ends with a UUID
    type="AWS::KafkaConnect::Connector", source=KAFKACONNECT,
    id_pattern=_arn_pattern("kafkaconnect", r"connector/(?P<id>[^/]+)/[^/]+"),
    create={"CreateConnector": (f"{RESP}.connectorArn", f"{REQ}.connectorName")},
    delete={"DeleteConnector": f"{REQ}.connectorArn"},
    modify={"UpdateConnector": f"{REQ}.connectorArn"},
    unpriced_reason=NOT_IN_TABLE,
)
MSK_CUSTOM_PLUGIN = ResourceType(
    type="AWS::KafkaConnect::CustomPlugin", source=KAFKACONNECT,
    id_pattern=_arn_pattern("kafkaconnect", r"custom-plugin/(?P<id>[^/]+)/[^/]+"),
    create={"CreateCustomPlugin": (f"{RESP}.customPluginArn", f"{REQ}.name")},
    delete={"DeleteCustomPlugin": f"{REQ}.customPluginArn"},
    price=NoCharge(),
)
MSK_WORKER_CONFIGURATION = ResourceType(
    type="AWS::KafkaConnect::WorkerConfiguration", source=KAFKACONNECT,
    id_pattern=_arn_pattern("kafkaconnect", r"worker-configuration/(?P<id>[^/]+)/[^/]+"),
    create={"CreateWorkerConfiguration": (f"{RESP}.workerConfigurationArn", f"{REQ}.name")},
    delete={"DeleteWorkerConfiguration": f"{REQ}.workerConfigurationArn"},
    price=NoCharge(),
)

# --- Glue -------------------------------------------------------------------------------------------
GLUE = "glue.amazonaws.com"
_GLUE_ARN = "arn:{partition}:glue:{region}:{account}:"
GLUE_DATABASE = ResourceType(
    type="AWS::Glue::Database", source=GLUE, arn=_GLUE_ARN + "database/{id}",
    create={"CreateDatabase": f"{REQ}.databaseInput.name"},
    delete={"DeleteDatabase": f"{REQ}.name"},
    modify={"UpdateDatabase": f"{REQ}.name"},
    unpriced_reason=BY_USE,
)
GLUE_CRAWLER = ResourceType(
    type="AWS::Glue::Crawler", source=GLUE, arn=_GLUE_ARN + "crawler/{id}",
    create={"CreateCrawler": f"{REQ}.name"},
    delete={"DeleteCrawler": f"{REQ}.name"},
    modify={op: f"{REQ}.name" for op in ("UpdateCrawler", "StartCrawler", "StopCrawler")},
    unpriced_reason=BY_USE,
)
GLUE_JOB = ResourceType(
    type="AWS::Glue::Job", source=GLUE, arn=_GLUE_ARN + "job/{id}",
    create={"CreateJob": (f"{RESP}.name", f"{REQ}.name")},
    delete={"DeleteJob": f"{REQ}.jobName"},
    modify={"UpdateJob": f"{REQ}.jobName"},
    reference={"StartJobRun": f"{REQ}.jobName"},
    unpriced_reason=BY_USE,
)
GLUE_TRIGGER = ResourceType(
    type="AWS::Glue::Trigger", source=GLUE, arn=_GLUE_ARN + "trigger/{id}",
    create={"CreateTrigger": (f"{RESP}.name", f"{REQ}.name")},
    delete={"DeleteTrigger": f"{REQ}.name"},
    modify={op: f"{REQ}.name" for op in ("UpdateTrigger", "StartTrigger", "StopTrigger")},
    price=NoCharge(),
)
GLUE_WORKFLOW = ResourceType(
    type="AWS::Glue::Workflow", source=GLUE, arn=_GLUE_ARN + "workflow/{id}",
    create={"CreateWorkflow": (f"{RESP}.name", f"{REQ}.name")},
    delete={"DeleteWorkflow": f"{REQ}.name"},
    modify={"UpdateWorkflow": f"{REQ}.name"},
    price=NoCharge(),
)
GLUE_SESSION = ResourceType(
    type="AWS::Glue::Session", source=GLUE, arn=_GLUE_ARN + "session/{id}",
    create={"CreateSession": (f"{RESP}.session.id", f"{REQ}.id")},
    delete={"DeleteSession": f"{REQ}.id"},
    modify={"StopSession": f"{REQ}.id"},
    unpriced_reason=BY_USE,
)
GLUE_DEV_ENDPOINT = ResourceType(
    type="AWS::Glue::DevEndpoint", source=GLUE, arn=_GLUE_ARN + "devEndpoint/{id}",
    create={"CreateDevEndpoint": (f"{RESP}.endpointName", f"{REQ}.endpointName")},
    delete={"DeleteDevEndpoint": f"{REQ}.endpointName"},
    modify={"UpdateDevEndpoint": f"{REQ}.endpointName"},
    unpriced_reason=NOT_IN_TABLE,
)
GLUE_TAGS = AnyResource(source=GLUE, modify={"TagResource": f"{REQ}.resourceArn",
                                             "UntagResource": f"{REQ}.resourceArn"})

# --- Athena -----------------------------------------------------------------------------------------
ATHENA = "athena.amazonaws.com"
_ATHENA_ARN = "arn:{partition}:athena:{region}:{account}:"
ATHENA_WORKGROUP = ResourceType(
    type="AWS::Athena::WorkGroup", source=ATHENA, arn=_ATHENA_ARN + "workgroup/{id}",
    create={"CreateWorkGroup": f"{REQ}.name"},
    delete={"DeleteWorkGroup": f"{REQ}.workGroup"},
    modify={"UpdateWorkGroup": f"{REQ}.workGroup"},
    unpriced_reason=BY_USE,
)
ATHENA_DATA_CATALOG = ResourceType(
    type="AWS::Athena::DataCatalog", source=ATHENA, arn=_ATHENA_ARN + "datacatalog/{id}",
    create={"CreateDataCatalog": f"{REQ}.name"},
    delete={"DeleteDataCatalog": f"{REQ}.name"},
    modify={"UpdateDataCatalog": f"{REQ}.name"},
    price=NoCharge(),
)
ATHENA_CAPACITY_RESERVATION = ResourceType(
    type="AWS::Athena::CapacityReservation", source=ATHENA, arn=_ATHENA_ARN + "capacity-reservation/{id}",
    create={"CreateCapacityReservation": f"{REQ}.name"},
    delete={"DeleteCapacityReservation": f"{REQ}.name"},
    modify={**{op: f"{REQ}.name" for op in ("UpdateCapacityReservation", "CancelCapacityReservation")},
            "PutCapacityAssignmentConfiguration": f"{REQ}.capacityReservationName"},
    unpriced_reason=NOT_IN_TABLE,
)
ATHENA_TAGS = AnyResource(source=ATHENA, modify={"TagResource": f"{REQ}.resourceARN",
                                                 "UntagResource": f"{REQ}.resourceARN"})

# --- OpenSearch / Elasticsearch (one eventSource, legacy and current APIs) ---------------------------
ES = "es.amazonaws.com"
_DOMAIN = f"{REQ}.domainName"
OPENSEARCH_DOMAIN = ResourceType(
    type="AWS::OpenSearchService::Domain", source=ES, aliases=("AWS::Elasticsearch::Domain",),
    arn="arn:{partition}:es:{region}:{account}:domain/{id}",
    create={"CreateDomain": (_DOMAIN, f"{RESP}.domainStatus.domainName"),
            "CreateElasticsearchDomain": (_DOMAIN, f"{RESP}.domainStatus.domainName")},
    arn_paths={"CreateDomain": f"{RESP}.domainStatus.aRN", "CreateElasticsearchDomain": f"{RESP}.domainStatus.aRN"},
    delete={"DeleteDomain": _DOMAIN, "DeleteElasticsearchDomain": _DOMAIN},
    modify={"UpdateDomainConfig": _DOMAIN, "UpdateElasticsearchDomainConfig": _DOMAIN,
            "AddTags": f"{REQ}.aRN", "RemoveTags": f"{REQ}.aRN"},
    # CreateElasticsearchDomain (the legacy API) logs elasticsearchClusterConfig and m5.large.elasticsearch
    size={"instance_type": (f"{REQ}.clusterConfig.instanceType", f"{REQ}.elasticsearchClusterConfig.instanceType"),
          "count": (f"{REQ}.clusterConfig.instanceCount", f"{REQ}.elasticsearchClusterConfig.instanceCount")},
    price=Hourly("opensearch", "instance_type", count="count", item_suffixes={".elasticsearch": ".search"}),
)

# --- OpenSearch Serverless --------------------------------------------------------------------------
AOSS = "aoss.amazonaws.com"
AOSS_COLLECTION = ResourceType(
    type="AWS::OpenSearchServerless::Collection", source=AOSS, arn=_arn("aoss", "collection/{id}"),
    create={"CreateCollection": f"{RESP}.createCollectionDetail.id"},
    arn_paths={"CreateCollection": f"{RESP}.createCollectionDetail.arn"},
    name_paths={"CreateCollection": f"{REQ}.name"},
    delete={"DeleteCollection": f"{REQ}.id"},
    modify={"UpdateCollection": f"{REQ}.id"},
    unpriced_reason=BY_CAPACITY,
)
AOSS_SECURITY_POLICY = ResourceType(
    # id "type/name" (encryption and network policies share names)
    type="AWS::OpenSearchServerless::SecurityPolicy", source=AOSS,
    create={"CreateSecurityPolicy": composite_id(f"{REQ}.type", f"{REQ}.name")},
    delete={"DeleteSecurityPolicy": composite_id(f"{REQ}.type", f"{REQ}.name")},
    modify={"UpdateSecurityPolicy": composite_id(f"{REQ}.type", f"{REQ}.name")},
    price=NoCharge(),
)
AOSS_ACCESS_POLICY = ResourceType(
    type="AWS::OpenSearchServerless::AccessPolicy", source=AOSS,
    create={"CreateAccessPolicy": composite_id(f"{REQ}.type", f"{REQ}.name")},
    delete={"DeleteAccessPolicy": composite_id(f"{REQ}.type", f"{REQ}.name")},
    modify={"UpdateAccessPolicy": composite_id(f"{REQ}.type", f"{REQ}.name")},
    price=NoCharge(),
)

# --- CloudSearch --------------------------------------------------------------------------------------
CLOUDSEARCH = "cloudsearch.amazonaws.com"
CLOUDSEARCH_DOMAIN = ResourceType(
    type="AWS::CloudSearch::Domain", source=CLOUDSEARCH,
    arn="arn:{partition}:cloudsearch:{region}:{account}:domain/{id}",
    create={"CreateDomain": f"{REQ}.domainName"},
    delete={"DeleteDomain": f"{REQ}.domainName"},
    modify={op: f"{REQ}.domainName"
            for op in ("UpdateScalingParameters", "UpdateServiceAccessPolicies", "UpdateAvailabilityOptions",
                       "UpdateDomainEndpointOptions", "DefineIndexField", "DeleteIndexField", "IndexDocuments")},
    unpriced_reason=NOT_IN_TABLE,
)

# --- Data Pipeline ------------------------------------------------------------------------------------
DATAPIPELINE = "datapipeline.amazonaws.com"
DATA_PIPELINE = ResourceType(
    type="AWS::DataPipeline::Pipeline", source=DATAPIPELINE,
    arn="arn:{partition}:datapipeline:{region}:{account}:pipeline/{id}",
    create={"CreatePipeline": f"{RESP}.pipelineId"},
    name_paths={"CreatePipeline": f"{REQ}.name"},
    delete={"DeletePipeline": f"{REQ}.pipelineId"},
    modify={op: f"{REQ}.pipelineId"
            for op in ("PutPipelineDefinition", "ActivatePipeline", "DeactivatePipeline", "AddTags", "RemoveTags")},
    unpriced_reason=NOT_IN_TABLE,
)

ENTRIES = (
    EMR_CLUSTER, EMR_SECURITY_CONFIGURATION, EMR_STUDIO, EMR_SERVERLESS_APPLICATION, EMR_VIRTUAL_CLUSTER,
    KINESIS_STREAM, FIREHOSE_STREAM, KINESIS_ANALYTICS_APP, MSK_CLUSTER, MSK_CONNECTOR, MSK_CUSTOM_PLUGIN,
    MSK_WORKER_CONFIGURATION, GLUE_DATABASE, GLUE_CRAWLER, GLUE_JOB, GLUE_TRIGGER, GLUE_WORKFLOW, GLUE_SESSION,
    GLUE_DEV_ENDPOINT, GLUE_TAGS, ATHENA_WORKGROUP, ATHENA_DATA_CATALOG, ATHENA_CAPACITY_RESERVATION, ATHENA_TAGS,
    OPENSEARCH_DOMAIN, AOSS_COLLECTION, AOSS_SECURITY_POLICY, AOSS_ACCESS_POLICY, CLOUDSEARCH_DOMAIN, DATA_PIPELINE,
)
