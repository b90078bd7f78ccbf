"""Storage, databases and analytics: S3, RDS, DynamoDB, Redshift, ElastiCache, OpenSearch, EFS, Kinesis,
Firehose, Kinesis Analytics, Glue, Athena, DMS, MSK, Data Pipeline, CloudSearch."""

from __future__ import annotations

from cloudblame.catalog.base import AnyResource, ResourceType

REQ = "requestParameters"
RESP = "responseElements"

# --- S3 ---------------------------------------------------------------------------------------------
S3 = "s3.amazonaws.com"
_BUCKET = f"{REQ}.bucketName"
S3_BUCKET = ResourceType(
    type="AWS::S3::Bucket", source=S3, arn="arn:{partition}:s3:::{id}", global_=True,
    create={"CreateBucket": _BUCKET},
    delete={"DeleteBucket": _BUCKET},
    modify={op: _BUCKET for op in (
        "PutBucketPolicy", "DeleteBucketPolicy", "PutBucketAcl", "PutBucketTagging", "DeleteBucketTagging",
        "PutBucketVersioning", "PutBucketEncryption", "DeleteBucketEncryption", "PutBucketLogging",
        "PutBucketLifecycle", "DeleteBucketLifecycle", "PutBucketPublicAccessBlock",
        "DeleteBucketPublicAccessBlock", "PutBucketReplication", "DeleteBucketReplication", "PutBucketCors",
        "DeleteBucketCors", "PutBucketWebsite", "DeleteBucketWebsite", "PutBucketNotification",
        "PutBucketOwnershipControls", "DeleteBucketOwnershipControls", "PutBucketRequestPayment",
        "PutObjectLockConfiguration", "PutBucketAccelerateConfiguration", "PutBucketInventoryConfiguration",
        "PutBucketAnalyticsConfiguration", "PutBucketMetricsConfiguration",
        "PutBucketIntelligentTieringConfiguration")},
)

S3_OBJECT = ResourceType(
    # reference-only: objects appear in data events' ``resources`` lists; the id is "bucket/key"
    type="AWS::S3::Object", source=S3, global_=True,
    id_pattern=r"^(?P<arn>arn:(?P<partition>[^:]+):s3:::(?P<id>[^/]+/.+))$",
)

# --- RDS: identifiers are stored lower-cased ---------------------------------------------------------
RDS = "rds.amazonaws.com"
_RDS_ARN = "arn:{partition}:rds:{region}:{account}:"
RDS_DB_INSTANCE = ResourceType(
    type="AWS::RDS::DBInstance", source=RDS, arn=_RDS_ARN + "db:{id}", id_transform="lower",
    create={op: (f"{RESP}.dBInstanceIdentifier", f"{REQ}.dBInstanceIdentifier", f"{REQ}.targetDBInstanceIdentifier")
            for op in ("CreateDBInstance", "CreateDBInstanceReadReplica", "RestoreDBInstanceFromDBSnapshot",
                       "RestoreDBInstanceToPointInTime", "RestoreDBInstanceFromS3")},
    arn_paths={op: f"{RESP}.dBInstanceArn"
               for op in ("CreateDBInstance", "CreateDBInstanceReadReplica", "RestoreDBInstanceFromDBSnapshot",
                          "RestoreDBInstanceToPointInTime", "RestoreDBInstanceFromS3")},
    delete={"DeleteDBInstance": f"{REQ}.dBInstanceIdentifier"},
    modify={op: f"{REQ}.dBInstanceIdentifier"
            for op in ("ModifyDBInstance", "RebootDBInstance", "StartDBInstance", "StopDBInstance",
                       "PromoteReadReplica")},
)

RDS_DB_CLUSTER = ResourceType(
    type="AWS::RDS::DBCluster", source=RDS, arn=_RDS_ARN + "cluster:{id}", id_transform="lower",
    create={op: (f"{RESP}.dBClusterIdentifier", f"{REQ}.dBClusterIdentifier")
            for op in ("CreateDBCluster", "RestoreDBClusterFromSnapshot", "RestoreDBClusterToPointInTime",
                       "RestoreDBClusterFromS3")},
    arn_paths={op: f"{RESP}.dBClusterArn"
               for op in ("CreateDBCluster", "RestoreDBClusterFromSnapshot", "RestoreDBClusterToPointInTime",
                          "RestoreDBClusterFromS3")},
    delete={"DeleteDBCluster": f"{REQ}.dBClusterIdentifier"},
    modify={op: f"{REQ}.dBClusterIdentifier"
            for op in ("ModifyDBCluster", "StartDBCluster", "StopDBCluster", "RebootDBCluster", "FailoverDBCluster")},
)

RDS_DB_SNAPSHOT = ResourceType(
    type="AWS::RDS::DBSnapshot", source=RDS, arn=_RDS_ARN + "snapshot:{id}", id_transform="lower",
    create={"CreateDBSnapshot": (f"{RESP}.dBSnapshotIdentifier", f"{REQ}.dBSnapshotIdentifier"),
            "CopyDBSnapshot": (f"{RESP}.dBSnapshotIdentifier", f"{REQ}.targetDBSnapshotIdentifier")},
    arn_paths={"CreateDBSnapshot": f"{RESP}.dBSnapshotArn", "CopyDBSnapshot": f"{RESP}.dBSnapshotArn"},
    delete={"DeleteDBSnapshot": f"{REQ}.dBSnapshotIdentifier"},
    modify={"ModifyDBSnapshotAttribute": f"{REQ}.dBSnapshotIdentifier",
            "ModifyDBSnapshot": f"{REQ}.dBSnapshotIdentifier"},
)

RDS_DB_CLUSTER_SNAPSHOT = ResourceType(
    type="AWS::RDS::DBClusterSnapshot", source=RDS, arn=_RDS_ARN + "cluster-snapshot:{id}", id_transform="lower",
    create={"CreateDBClusterSnapshot": (f"{RESP}.dBClusterSnapshotIdentifier", f"{REQ}.dBClusterSnapshotIdentifier"),
            "CopyDBClusterSnapshot": (f"{RESP}.dBClusterSnapshotIdentifier",
                                      f"{REQ}.targetDBClusterSnapshotIdentifier")},
    arn_paths={"CreateDBClusterSnapshot": f"{RESP}.dBClusterSnapshotArn",
               "CopyDBClusterSnapshot": f"{RESP}.dBClusterSnapshotArn"},
    delete={"DeleteDBClusterSnapshot": f"{REQ}.dBClusterSnapshotIdentifier"},
    modify={"ModifyDBClusterSnapshotAttribute": f"{REQ}.dBClusterSnapshotIdentifier"},
)

RDS_DB_SUBNET_GROUP = ResourceType(
    type="AWS::RDS::DBSubnetGroup", source=RDS, arn=_RDS_ARN + "subgrp:{id}", id_transform="lower",
    create={"CreateDBSubnetGroup": (f"{RESP}.dBSubnetGroupName", f"{REQ}.dBSubnetGroupName")},
    arn_paths={"CreateDBSubnetGroup": f"{RESP}.dBSubnetGroupArn"},
    delete={"DeleteDBSubnetGroup": f"{REQ}.dBSubnetGroupName"},
    modify={"ModifyDBSubnetGroup": f"{REQ}.dBSubnetGroupName"},
)

RDS_TAGS = AnyResource(source=RDS, modify={"AddTagsToResource": f"{REQ}.resourceName",
                                           "RemoveTagsFromResource": f"{REQ}.resourceName"})

# --- DynamoDB ---------------------------------------------------------------------------------------
DDB = "dynamodb.amazonaws.com"
DYNAMODB_TABLE = ResourceType(
    type="AWS::DynamoDB::Table", source=DDB, arn="arn:{partition}:dynamodb:{region}:{account}:table/{id}",
    create={"CreateTable": (f"{RESP}.tableDescription.tableName", f"{REQ}.tableName"),
            "RestoreTableFromBackup": (f"{RESP}.tableDescription.tableName", f"{REQ}.targetTableName"),
            "RestoreTableToPointInTime": (f"{RESP}.tableDescription.tableName", f"{REQ}.targetTableName")},
    arn_paths={op: f"{RESP}.tableDescription.tableArn"
               for op in ("CreateTable", "RestoreTableFromBackup", "RestoreTableToPointInTime")},
    delete={"DeleteTable": f"{REQ}.tableName"},
    modify={**{op: f"{REQ}.tableName"
               for op in ("UpdateTable", "UpdateTimeToLive", "UpdateContinuousBackups",
                          "UpdateContributorInsights")},
            **{op: f"{REQ}.resourceArn"
               for op in ("TagResource", "UntagResource", "PutResourcePolicy", "DeleteResourcePolicy")}},
    reference={"CreateBackup": f"{REQ}.tableName"},
)

# --- Redshift ---------------------------------------------------------------------------------------
REDSHIFT = "redshift.amazonaws.com"
REDSHIFT_CLUSTER = ResourceType(
    type="AWS::Redshift::Cluster", source=REDSHIFT, arn="arn:{partition}:redshift:{region}:{account}:cluster:{id}",
    id_transform="lower",
    create={"CreateCluster": (f"{RESP}.clusterIdentifier", f"{REQ}.clusterIdentifier"),
            "RestoreFromClusterSnapshot": (f"{RESP}.clusterIdentifier", f"{REQ}.clusterIdentifier")},
    delete={"DeleteCluster": f"{REQ}.clusterIdentifier"},
    modify={**{op: f"{REQ}.clusterIdentifier"
               for op in ("ModifyCluster", "RebootCluster", "PauseCluster", "ResumeCluster",
                          "ModifyClusterIamRoles", "EnableLogging", "DisableLogging", "ResizeCluster")},
            "CreateTags": f"{REQ}.resourceName", "DeleteTags": f"{REQ}.resourceName"},
)

REDSHIFT_SERVERLESS = "redshift-serverless.amazonaws.com"
REDSHIFT_NAMESPACE = ResourceType(
    # the ARN ends with a UUID: taken from the record
    type="AWS::RedshiftServerless::Namespace", source=REDSHIFT_SERVERLESS,
    create={"CreateNamespace": (f"{RESP}.namespace.namespaceName", f"{REQ}.namespaceName")},
    arn_paths={"CreateNamespace": f"{RESP}.namespace.namespaceArn"},
    delete={"DeleteNamespace": f"{REQ}.namespaceName"},
    modify={"UpdateNamespace": f"{REQ}.namespaceName"},
)

REDSHIFT_WORKGROUP = ResourceType(
    type="AWS::RedshiftServerless::Workgroup", source=REDSHIFT_SERVERLESS,
    create={"CreateWorkgroup": (f"{RESP}.workgroup.workgroupName", f"{REQ}.workgroupName")},
    arn_paths={"CreateWorkgroup": f"{RESP}.workgroup.workgroupArn"},
    delete={"DeleteWorkgroup": f"{REQ}.workgroupName"},
    modify={"UpdateWorkgroup": f"{REQ}.workgroupName"},
)

# --- ElastiCache: identifiers are stored lower-cased -------------------------------------------------
ELASTICACHE = "elasticache.amazonaws.com"
_EC_ARN = "arn:{partition}:elasticache:{region}:{account}:"
ELASTICACHE_CLUSTER = ResourceType(
    type="AWS::ElastiCache::CacheCluster", source=ELASTICACHE, arn=_EC_ARN + "cluster:{id}", id_transform="lower",
    create={"CreateCacheCluster": (f"{RESP}.cacheClusterId", f"{REQ}.cacheClusterId")},
    arn_paths={"CreateCacheCluster": f"{RESP}.aRN"},
    delete={"DeleteCacheCluster": f"{REQ}.cacheClusterId"},
    modify={op: f"{REQ}.cacheClusterId" for op in ("ModifyCacheCluster", "RebootCacheCluster")},
)

ELASTICACHE_REPLICATION_GROUP = ResourceType(
    type="AWS::ElastiCache::ReplicationGroup", source=ELASTICACHE, arn=_EC_ARN + "replicationgroup:{id}",
    id_transform="lower",
    create={"CreateReplicationGroup": (f"{RESP}.replicationGroupId", f"{REQ}.replicationGroupId")},
    arn_paths={"CreateReplicationGroup": f"{RESP}.aRN"},
    delete={"DeleteReplicationGroup": f"{REQ}.replicationGroupId"},
    modify={op: f"{REQ}.replicationGroupId"
            for op in ("ModifyReplicationGroup", "ModifyReplicationGroupShardConfiguration",
                       "IncreaseReplicaCount", "DecreaseReplicaCount", "TestFailover")},
)

ELASTICACHE_SERVERLESS = ResourceType(
    type="AWS::ElastiCache::ServerlessCache", source=ELASTICACHE, arn=_EC_ARN + "serverlesscache:{id}",
    id_transform="lower",
    create={"CreateServerlessCache": (f"{RESP}.serverlessCache.serverlessCacheName", f"{REQ}.serverlessCacheName")},
    arn_paths={"CreateServerlessCache": f"{RESP}.serverlessCache.aRN"},
    delete={"DeleteServerlessCache": f"{REQ}.serverlessCacheName"},
    modify={"ModifyServerlessCache": f"{REQ}.serverlessCacheName"},
)

ELASTICACHE_TAGS = AnyResource(source=ELASTICACHE, modify={"AddTagsToResource": f"{REQ}.resourceName",
                                                           "RemoveTagsFromResource": f"{REQ}.resourceName"})

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
)

# --- EFS --------------------------------------------------------------------------------------------
EFS = "elasticfilesystem.amazonaws.com"
EFS_FILE_SYSTEM = ResourceType(
    # strict: TagResource/UntagResource take a file system id or an access point id
    type="AWS::EFS::FileSystem", source=EFS, strict_ids=True,
    arn="arn:{partition}:elasticfilesystem:{region}:{account}:file-system/{id}",
    id_pattern=r"^(?P<id>fs-[0-9a-fA-F]{8,40})$",
    create={"CreateFileSystem": f"{RESP}.fileSystemId"},
    arn_paths={"CreateFileSystem": f"{RESP}.fileSystemArn"},
    name_paths={"CreateFileSystem": f"{RESP}.name"},
    delete={"DeleteFileSystem": f"{REQ}.fileSystemId"},
    modify={**{op: f"{REQ}.fileSystemId"
               for op in ("UpdateFileSystem", "PutLifecycleConfiguration", "PutFileSystemPolicy",
                          "DeleteFileSystemPolicy", "PutBackupPolicy", "CreateTags", "DeleteTags",
                          "UpdateFileSystemProtection")},
            "CreateMountTarget": (f"{RESP}.fileSystemId", f"{REQ}.fileSystemId"),
            "TagResource": f"{REQ}.resourceId", "UntagResource": f"{REQ}.resourceId"},
)

EFS_MOUNT_TARGET = ResourceType(
    type="AWS::EFS::MountTarget", source=EFS,
    create={"CreateMountTarget": f"{RESP}.mountTargetId"},
    delete={"DeleteMountTarget": f"{REQ}.mountTargetId"},
    modify={"ModifyMountTargetSecurityGroups": f"{REQ}.mountTargetId"},
)

EFS_ACCESS_POINT = ResourceType(
    type="AWS::EFS::AccessPoint", source=EFS, strict_ids=True,
    arn="arn:{partition}:elasticfilesystem:{region}:{account}:access-point/{id}",
    id_pattern=r"^(?P<id>fsap-[0-9a-fA-F]{8,40})$",
    create={"CreateAccessPoint": f"{RESP}.accessPointId"},
    arn_paths={"CreateAccessPoint": f"{RESP}.accessPointArn"},
    delete={"DeleteAccessPoint": f"{REQ}.accessPointId"},
    modify={"TagResource": f"{REQ}.resourceId", "UntagResource": f"{REQ}.resourceId"},
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
)

# --- Glue -------------------------------------------------------------------------------------------
GLUE = "glue.amazonaws.com"
_GLUE_ARN = "arn:{partition}:glue:{region}:{account}:"
GLUE_DATABASE = ResourceType(
    type="AWS::Glue::Database", source=GLUE, arn=_GLUE_ARN + "database/{id}",
    create={"CreateDatabase": f"{REQ}.databaseInput.name"},
    delete={"DeleteDatabase": f"{REQ}.name"},
    modify={"UpdateDatabase": f"{REQ}.name"},
)
GLUE_CRAWLER = ResourceType(
    type="AWS::Glue::Crawler", source=GLUE, arn=_GLUE_ARN + "crawler/{id}",
    create={"CreateCrawler": f"{REQ}.name"},
    delete={"DeleteCrawler": f"{REQ}.name"},
    modify={op: f"{REQ}.name" for op in ("UpdateCrawler", "StartCrawler", "StopCrawler")},
)
GLUE_JOB = ResourceType(
    type="AWS::Glue::Job", source=GLUE, arn=_GLUE_ARN + "job/{id}",
    create={"CreateJob": (f"{RESP}.name", f"{REQ}.name")},
    delete={"DeleteJob": f"{REQ}.jobName"},
    modify={"UpdateJob": f"{REQ}.jobName"},
    reference={"StartJobRun": f"{REQ}.jobName"},
)
GLUE_TRIGGER = ResourceType(
    type="AWS::Glue::Trigger", source=GLUE, arn=_GLUE_ARN + "trigger/{id}",
    create={"CreateTrigger": (f"{RESP}.name", f"{REQ}.name")},
    delete={"DeleteTrigger": f"{REQ}.name"},
    modify={op: f"{REQ}.name" for op in ("UpdateTrigger", "StartTrigger", "StopTrigger")},
)
GLUE_WORKFLOW = ResourceType(
    type="AWS::Glue::Workflow", source=GLUE, arn=_GLUE_ARN + "workflow/{id}",
    create={"CreateWorkflow": (f"{RESP}.name", f"{REQ}.name")},
    delete={"DeleteWorkflow": f"{REQ}.name"},
    modify={"UpdateWorkflow": f"{REQ}.name"},
)
GLUE_SESSION = ResourceType(
    type="AWS::Glue::Session", source=GLUE, arn=_GLUE_ARN + "session/{id}",
    create={"CreateSession": (f"{RESP}.session.id", f"{REQ}.id")},
    delete={"DeleteSession": f"{REQ}.id"},
    modify={"StopSession": f"{REQ}.id"},
)
GLUE_DEV_ENDPOINT = ResourceType(
    type="AWS::Glue::DevEndpoint", source=GLUE, arn=_GLUE_ARN + "devEndpoint/{id}",
    create={"CreateDevEndpoint": (f"{RESP}.endpointName", f"{REQ}.endpointName")},
    delete={"DeleteDevEndpoint": f"{REQ}.endpointName"},
    modify={"UpdateDevEndpoint": f"{REQ}.endpointName"},
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
)
ATHENA_DATA_CATALOG = ResourceType(
    type="AWS::Athena::DataCatalog", source=ATHENA, arn=_ATHENA_ARN + "datacatalog/{id}",
    create={"CreateDataCatalog": f"{REQ}.name"},
    delete={"DeleteDataCatalog": f"{REQ}.name"},
    modify={"UpdateDataCatalog": f"{REQ}.name"},
)
ATHENA_CAPACITY_RESERVATION = ResourceType(
    type="AWS::Athena::CapacityReservation", source=ATHENA, arn=_ATHENA_ARN + "capacity-reservation/{id}",
    create={"CreateCapacityReservation": f"{REQ}.name"},
    delete={"DeleteCapacityReservation": f"{REQ}.name"},
    modify={**{op: f"{REQ}.name" for op in ("UpdateCapacityReservation", "CancelCapacityReservation")},
            "PutCapacityAssignmentConfiguration": f"{REQ}.capacityReservationName"},
)
ATHENA_TAGS = AnyResource(source=ATHENA, modify={"TagResource": f"{REQ}.resourceARN",
                                                 "UntagResource": f"{REQ}.resourceARN"})

# --- DMS: its ARNs end with a generated id, which is the canonical id; the identifier is the name ---
DMS = "dms.amazonaws.com"
DMS_ENDPOINT = ResourceType(
    type="AWS::DMS::Endpoint", source=DMS,
    id_pattern=r"^(?P<arn>arn:(?P<partition>[^:]+):dms:(?P<region>[^:]*):(?P<account>\d*):endpoint:(?P<id>[^:]+))$",
    create={"CreateEndpoint": f"{RESP}.endpoint.endpointArn"},
    name_paths={"CreateEndpoint": (f"{RESP}.endpoint.endpointIdentifier", f"{REQ}.endpointIdentifier")},
    delete={"DeleteEndpoint": f"{REQ}.endpointArn"},
    modify={"ModifyEndpoint": (f"{RESP}.endpoint.endpointArn", f"{REQ}.endpointArn")},
)
DMS_REPLICATION_INSTANCE = ResourceType(
    type="AWS::DMS::ReplicationInstance", source=DMS,
    id_pattern=r"^(?P<arn>arn:(?P<partition>[^:]+):dms:(?P<region>[^:]*):(?P<account>\d*):rep:(?P<id>[^:]+))$",
    create={"CreateReplicationInstance": f"{RESP}.replicationInstance.replicationInstanceArn"},
    name_paths={"CreateReplicationInstance": (f"{RESP}.replicationInstance.replicationInstanceIdentifier",
                                              f"{REQ}.replicationInstanceIdentifier")},
    delete={"DeleteReplicationInstance": f"{REQ}.replicationInstanceArn"},
    modify={op: f"{REQ}.replicationInstanceArn"
            for op in ("ModifyReplicationInstance", "RebootReplicationInstance")},
)
DMS_REPLICATION_TASK = ResourceType(
    type="AWS::DMS::ReplicationTask", source=DMS,
    id_pattern=r"^(?P<arn>arn:(?P<partition>[^:]+):dms:(?P<region>[^:]*):(?P<account>\d*):task:(?P<id>[^:]+))$",
    create={"CreateReplicationTask": f"{RESP}.replicationTask.replicationTaskArn"},
    name_paths={"CreateReplicationTask": (f"{RESP}.replicationTask.replicationTaskIdentifier",
                                          f"{REQ}.replicationTaskIdentifier")},
    delete={"DeleteReplicationTask": f"{REQ}.replicationTaskArn"},
    modify={op: f"{REQ}.replicationTaskArn"
            for op in ("ModifyReplicationTask", "StartReplicationTask", "StopReplicationTask")},
)
DMS_TAGS = AnyResource(source=DMS, modify={"AddTagsToResource": f"{REQ}.resourceArn",
                                           "RemoveTagsFromResource": f"{REQ}.resourceArn"})

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
)

# --- Data Pipeline, CloudSearch ---------------------------------------------------------------------
DATAPIPELINE = "datapipeline.amazonaws.com"
DATA_PIPELINE = ResourceType(
    type="AWS::DataPipeline::Pipeline", source=DATAPIPELINE,
    arn="arn:{partition}:datapipeline:{region}:{account}:pipeline/{id}",
    create={"CreatePipeline": f"{RESP}.pipelineId"},
    name_paths={"CreatePipeline": f"{REQ}.name"},
    delete={"DeletePipeline": f"{REQ}.pipelineId"},
    modify={op: f"{REQ}.pipelineId"
            for op in ("PutPipelineDefinition", "ActivatePipeline", "DeactivatePipeline", "AddTags", "RemoveTags")},
)

CLOUDSEARCH = "cloudsearch.amazonaws.com"
CLOUDSEARCH_DOMAIN = ResourceType(
    type="AWS::CloudSearch::Domain", source=CLOUDSEARCH,
    arn="arn:{partition}:cloudsearch:{region}:{account}:domain/{id}",
    create={"CreateDomain": f"{REQ}.domainName"},
    delete={"DeleteDomain": f"{REQ}.domainName"},
    modify={op: f"{REQ}.domainName"
            for op in ("UpdateScalingParameters", "UpdateServiceAccessPolicies", "UpdateAvailabilityOptions",
                       "UpdateDomainEndpointOptions", "DefineIndexField", "DeleteIndexField", "IndexDocuments")},
)

ENTRIES = (
    S3_BUCKET, S3_OBJECT, RDS_DB_INSTANCE, RDS_DB_CLUSTER, RDS_DB_SNAPSHOT, RDS_DB_CLUSTER_SNAPSHOT,
    RDS_DB_SUBNET_GROUP, RDS_TAGS, DYNAMODB_TABLE, REDSHIFT_CLUSTER, REDSHIFT_NAMESPACE, REDSHIFT_WORKGROUP,
    ELASTICACHE_CLUSTER, ELASTICACHE_REPLICATION_GROUP, ELASTICACHE_SERVERLESS, ELASTICACHE_TAGS,
    OPENSEARCH_DOMAIN, EFS_FILE_SYSTEM, EFS_MOUNT_TARGET, EFS_ACCESS_POINT, KINESIS_STREAM, FIREHOSE_STREAM,
    KINESIS_ANALYTICS_APP, GLUE_DATABASE, GLUE_CRAWLER, GLUE_JOB, GLUE_TRIGGER, GLUE_WORKFLOW, GLUE_SESSION,
    GLUE_DEV_ENDPOINT, GLUE_TAGS, ATHENA_WORKGROUP, ATHENA_DATA_CATALOG, ATHENA_CAPACITY_RESERVATION, ATHENA_TAGS,
    DMS_ENDPOINT, DMS_REPLICATION_INSTANCE, DMS_REPLICATION_TASK, DMS_TAGS, MSK_CLUSTER, DATA_PIPELINE,
    CLOUDSEARCH_DOMAIN,
)
