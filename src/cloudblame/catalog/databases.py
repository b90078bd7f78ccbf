"""Databases: RDS, DynamoDB, ElastiCache, MemoryDB, Redshift (provisioned and serverless), DMS."""

from __future__ import annotations

from cloudblame.catalog.base import AnyResource, ResourceType
from cloudblame.catalog.base import any_resource_tags as _tags
from cloudblame.catalog.base import regional_arn as _arn
from cloudblame.catalog.live import RESOURCE_NOT_FOUND, Describe
from cloudblame.catalog.pricing import (
    BY_STORAGE,
    BY_USE,
    NOT_IN_TABLE,
    CacheNodes,
    NoCharge,
    PriceModel,
    RdsInstance,
    RedshiftNodes,
)
from cloudblame.catalog.usage import UsageMetric

REQ = "requestParameters"
RESP = "responseElements"

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
    size={"instance_class": f"{REQ}.dBInstanceClass", "engine": f"{REQ}.engine",
          "multi_az": f"{REQ}.multiAZ", "storage_gb": f"{REQ}.allocatedStorage"},
    size_defaults={"multi_az": False}, price=RdsInstance(),
    usage=(UsageMetric("AWS/RDS", "DatabaseConnections", "DBInstanceIdentifier", "Maximum", 0, "connections"),),
    live=Describe("rds", "describe_db_instances", "DBInstanceIdentifier", items="DBInstances[]",
                  state="DBInstanceStatus", stopped=("stopped", "stopping"), gone=("deleting",),
                  missing=("DBInstanceNotFound", "DBInstanceNotFoundFault"), tags="TagList",
                  size={"instance_class": "DBInstanceClass", "multi_az": "MultiAZ", "storage_gb": "AllocatedStorage"}),
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
    unpriced_reason=BY_STORAGE,
    usage=(UsageMetric("AWS/RDS", "DatabaseConnections", "DBClusterIdentifier", "Maximum", 0, "connections"),),
    live=Describe("rds", "describe_db_clusters", "DBClusterIdentifier", items="DBClusters[]", state="Status",
                  stopped=("stopped", "stopping"), gone=("deleting",), missing=("DBClusterNotFoundFault",),
                  tags="TagList"),
)

RDS_DB_SNAPSHOT = ResourceType(
    type="AWS::RDS::DBSnapshot", source=RDS, arn=_RDS_ARN + "snapshot:{id}", id_transform="lower",
    create={"CreateDBSnapshot": (f"{RESP}.dBSnapshotIdentifier", f"{REQ}.dBSnapshotIdentifier"),
            "CopyDBSnapshot": (f"{RESP}.dBSnapshotIdentifier", f"{REQ}.targetDBSnapshotIdentifier")},
    arn_paths={"CreateDBSnapshot": f"{RESP}.dBSnapshotArn", "CopyDBSnapshot": f"{RESP}.dBSnapshotArn"},
    delete={"DeleteDBSnapshot": f"{REQ}.dBSnapshotIdentifier"},
    modify={"ModifyDBSnapshotAttribute": f"{REQ}.dBSnapshotIdentifier",
            "ModifyDBSnapshot": f"{REQ}.dBSnapshotIdentifier"},
    unpriced_reason=BY_STORAGE,
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
    unpriced_reason=BY_STORAGE,
)

RDS_DB_SUBNET_GROUP = ResourceType(
    type="AWS::RDS::DBSubnetGroup", source=RDS, arn=_RDS_ARN + "subgrp:{id}", id_transform="lower",
    create={"CreateDBSubnetGroup": (f"{RESP}.dBSubnetGroupName", f"{REQ}.dBSubnetGroupName")},
    arn_paths={"CreateDBSubnetGroup": f"{RESP}.dBSubnetGroupArn"},
    delete={"DeleteDBSubnetGroup": f"{REQ}.dBSubnetGroupName"},
    modify={"ModifyDBSubnetGroup": f"{REQ}.dBSubnetGroupName"},
    price=NoCharge(),
)

RDS_TAGS = AnyResource(source=RDS, modify={"AddTagsToResource": f"{REQ}.resourceName",
                                           "RemoveTagsFromResource": f"{REQ}.resourceName"})

# --- RDS parameter and option groups (identifiers stored lower-cased) ---------------------------------


RDS_PARAMETER_GROUP = ResourceType(
    type="AWS::RDS::DBParameterGroup", source=RDS, id_transform="lower", arn=_arn("rds", "pg:{id}"),
    create={"CreateDBParameterGroup": (f"{RESP}.dBParameterGroupName", f"{REQ}.dBParameterGroupName"),
            "CopyDBParameterGroup": (f"{RESP}.dBParameterGroupName", f"{REQ}.targetDBParameterGroupIdentifier")},
    arn_paths={"CreateDBParameterGroup": f"{RESP}.dBParameterGroupArn",
               "CopyDBParameterGroup": f"{RESP}.dBParameterGroupArn"},
    delete={"DeleteDBParameterGroup": f"{REQ}.dBParameterGroupName"},
    modify={op: f"{REQ}.dBParameterGroupName" for op in ("ModifyDBParameterGroup", "ResetDBParameterGroup")},
    price=NoCharge(),
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
    price=NoCharge(),
)
RDS_OPTION_GROUP = ResourceType(
    type="AWS::RDS::OptionGroup", source=RDS, id_transform="lower", arn=_arn("rds", "og:{id}"),
    create={"CreateOptionGroup": (f"{RESP}.optionGroupName", f"{REQ}.optionGroupName"),
            "CopyOptionGroup": (f"{RESP}.optionGroupName", f"{REQ}.targetOptionGroupIdentifier")},
    arn_paths={"CreateOptionGroup": f"{RESP}.optionGroupArn", "CopyOptionGroup": f"{RESP}.optionGroupArn"},
    delete={"DeleteOptionGroup": f"{REQ}.optionGroupName"},
    modify={"ModifyOptionGroup": f"{REQ}.optionGroupName"},
    price=NoCharge(),
)
RDS_DB_SECURITY_GROUP = ResourceType(
    # EC2-Classic DB security groups (retired, still in old trails)
    type="AWS::RDS::DBSecurityGroup", source=RDS, id_transform="lower", arn=_arn("rds", "secgrp:{id}"),
    create={"CreateDBSecurityGroup": (f"{RESP}.dBSecurityGroupName", f"{REQ}.dBSecurityGroupName")},
    arn_paths={"CreateDBSecurityGroup": f"{RESP}.dBSecurityGroupArn"},
    delete={"DeleteDBSecurityGroup": f"{REQ}.dBSecurityGroupName"},
    modify={op: f"{REQ}.dBSecurityGroupName"
            for op in ("AuthorizeDBSecurityGroupIngress", "RevokeDBSecurityGroupIngress")},
    price=NoCharge(),
)
RDS_GLOBAL_CLUSTER = ResourceType(
    type="AWS::RDS::GlobalCluster", source=RDS, id_transform="lower",
    arn="arn:{partition}:rds::{account}:global-cluster:{id}", global_=True,
    create={"CreateGlobalCluster": (f"{RESP}.globalClusterIdentifier", f"{REQ}.globalClusterIdentifier")},
    arn_paths={"CreateGlobalCluster": f"{RESP}.globalClusterArn"},
    delete={"DeleteGlobalCluster": f"{REQ}.globalClusterIdentifier"},
    modify={op: f"{REQ}.globalClusterIdentifier"
            for op in ("ModifyGlobalCluster", "RemoveFromGlobalCluster", "FailoverGlobalCluster")},
    unpriced_reason=BY_USE,
)

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
    unpriced_reason="charged per request or per provisioned capacity unit, and per GB stored: not modelled yet",
    usage=(UsageMetric("AWS/DynamoDB", "ConsumedReadCapacityUnits", "TableName", "Sum", 0, "read units"),
           UsageMetric("AWS/DynamoDB", "ConsumedWriteCapacityUnits", "TableName", "Sum", 0, "write units")),
    live=Describe("dynamodb", "describe_table", "TableName", items="Table", state="TableStatus", gone=("DELETING",),
                  missing=RESOURCE_NOT_FOUND),
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
    size={"node_type": f"{REQ}.cacheNodeType", "count": f"{REQ}.numCacheNodes",
          "engine": f"{REQ}.engine"},
    price=CacheNodes(),
    live=Describe("elasticache", "describe_cache_clusters", "CacheClusterId", items="CacheClusters[]",
                  state="CacheClusterStatus", gone=("deleting", "deleted"), missing=("CacheClusterNotFound",),
                  size={"node_type": "CacheNodeType", "count": "NumCacheNodes", "engine": "Engine"}),
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
    size={"node_type": f"{REQ}.cacheNodeType", "node_groups": f"{REQ}.numNodeGroups",
          "replicas_per_group": f"{REQ}.replicasPerNodeGroup", "count": f"{REQ}.numCacheClusters",
          "engine": f"{REQ}.engine"},
    price=CacheNodes(sharded=True),
)

ELASTICACHE_SERVERLESS = ResourceType(
    type="AWS::ElastiCache::ServerlessCache", source=ELASTICACHE, arn=_EC_ARN + "serverlesscache:{id}",
    id_transform="lower",
    create={"CreateServerlessCache": (f"{RESP}.serverlessCache.serverlessCacheName", f"{REQ}.serverlessCacheName")},
    arn_paths={"CreateServerlessCache": f"{RESP}.serverlessCache.aRN"},
    delete={"DeleteServerlessCache": f"{REQ}.serverlessCacheName"},
    modify={"ModifyServerlessCache": f"{REQ}.serverlessCacheName"},
    unpriced_reason=BY_USE,
)

ELASTICACHE_TAGS = AnyResource(source=ELASTICACHE, modify={"AddTagsToResource": f"{REQ}.resourceName",
                                                           "RemoveTagsFromResource": f"{REQ}.resourceName"})

# --- MemoryDB ---------------------------------------------------------------------------------------
MEMORYDB = "memorydb.amazonaws.com"


def _memorydb(kind: str, arn_kind: str, op: str, field: str, wrapper: str, update: str | None,
              price: PriceModel | None = None, unpriced_reason: str | None = None) -> ResourceType:
    return ResourceType(
        type=f"AWS::MemoryDB::{kind}", source=MEMORYDB, arn=_arn("memorydb", arn_kind + "/{id}"),
        create={f"Create{op}": (f"{RESP}.{wrapper}.name", f"{REQ}.{field}")},
        arn_paths={f"Create{op}": f"{RESP}.{wrapper}.aRN"},
        delete={f"Delete{op}": f"{REQ}.{field}"},
        modify={update: f"{REQ}.{field}"} if update else {}, price=price, unpriced_reason=unpriced_reason,
    )


MEMORYDB_CLUSTER = _memorydb("Cluster", "cluster", "Cluster", "clusterName", "cluster", "UpdateCluster",
                             unpriced_reason=NOT_IN_TABLE)
MEMORYDB_ACL = _memorydb("ACL", "acl", "ACL", "aCLName", "aCL", "UpdateACL", price=NoCharge())
MEMORYDB_USER = _memorydb("User", "user", "User", "userName", "user", "UpdateUser", price=NoCharge())
MEMORYDB_SUBNET_GROUP = _memorydb("SubnetGroup", "subnetgroup", "SubnetGroup", "subnetGroupName", "subnetGroup",
                                  "UpdateSubnetGroup", price=NoCharge())
MEMORYDB_PARAMETER_GROUP = _memorydb("ParameterGroup", "parametergroup", "ParameterGroup", "parameterGroupName",
                                     "parameterGroup", "UpdateParameterGroup", price=NoCharge())
MEMORYDB_TAGS = _tags(MEMORYDB, f"{REQ}.resourceArn")

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
    size={"node_type": f"{REQ}.nodeType", "count": f"{REQ}.numberOfNodes",
          "cluster_type": f"{REQ}.clusterType"},
    price=RedshiftNodes(),
    usage=(UsageMetric("AWS/Redshift", "DatabaseConnections", "ClusterIdentifier", "Maximum", 0, "connections"),),
    live=Describe("redshift", "describe_clusters", "ClusterIdentifier", items="Clusters[]", state="ClusterStatus",
                  stopped=("paused", "pausing"), gone=("deleting", "final-snapshot"), missing=("ClusterNotFound",),
                  size={"node_type": "NodeType", "count": "NumberOfNodes"}, tags="Tags"),
)

REDSHIFT_SERVERLESS = "redshift-serverless.amazonaws.com"
REDSHIFT_NAMESPACE = ResourceType(
    # the ARN ends with a UUID: taken from the record
    type="AWS::RedshiftServerless::Namespace", source=REDSHIFT_SERVERLESS,
    create={"CreateNamespace": (f"{RESP}.namespace.namespaceName", f"{REQ}.namespaceName")},
    arn_paths={"CreateNamespace": f"{RESP}.namespace.namespaceArn"},
    delete={"DeleteNamespace": f"{REQ}.namespaceName"},
    modify={"UpdateNamespace": f"{REQ}.namespaceName"},
    unpriced_reason=BY_STORAGE,
)

REDSHIFT_WORKGROUP = ResourceType(
    type="AWS::RedshiftServerless::Workgroup", source=REDSHIFT_SERVERLESS,
    create={"CreateWorkgroup": (f"{RESP}.workgroup.workgroupName", f"{REQ}.workgroupName")},
    arn_paths={"CreateWorkgroup": f"{RESP}.workgroup.workgroupArn"},
    delete={"DeleteWorkgroup": f"{REQ}.workgroupName"},
    modify={"UpdateWorkgroup": f"{REQ}.workgroupName"},
    unpriced_reason=BY_USE,
)

# --- DMS: its ARNs end with a generated id, which is the canonical id; the identifier is the name ---
DMS = "dms.amazonaws.com"
DMS_ENDPOINT = ResourceType(
    type="AWS::DMS::Endpoint", source=DMS,
    id_pattern=r"^(?P<arn>arn:(?P<partition>[^:]+):dms:(?P<region>[^:]*):(?P<account>\d*):endpoint:(?P<id>[^:]+))$",
    create={"CreateEndpoint": f"{RESP}.endpoint.endpointArn"},
    name_paths={"CreateEndpoint": (f"{RESP}.endpoint.endpointIdentifier", f"{REQ}.endpointIdentifier")},
    delete={"DeleteEndpoint": f"{REQ}.endpointArn"},
    modify={"ModifyEndpoint": (f"{RESP}.endpoint.endpointArn", f"{REQ}.endpointArn")},
    price=NoCharge(),
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
    unpriced_reason=NOT_IN_TABLE,
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
    price=NoCharge(),
)
DMS_TAGS = AnyResource(source=DMS, modify={"AddTagsToResource": f"{REQ}.resourceArn",
                                           "RemoveTagsFromResource": f"{REQ}.resourceArn"})

ENTRIES = (
    RDS_DB_INSTANCE, RDS_DB_CLUSTER, RDS_DB_SNAPSHOT, RDS_DB_CLUSTER_SNAPSHOT, RDS_DB_SUBNET_GROUP, RDS_TAGS,
    RDS_PARAMETER_GROUP, RDS_CLUSTER_PARAMETER_GROUP, RDS_OPTION_GROUP, RDS_DB_SECURITY_GROUP, RDS_GLOBAL_CLUSTER,
    DYNAMODB_TABLE, ELASTICACHE_CLUSTER, ELASTICACHE_REPLICATION_GROUP, ELASTICACHE_SERVERLESS, ELASTICACHE_TAGS,
    MEMORYDB_CLUSTER, MEMORYDB_ACL, MEMORYDB_USER, MEMORYDB_SUBNET_GROUP, MEMORYDB_PARAMETER_GROUP, MEMORYDB_TAGS,
    REDSHIFT_CLUSTER, REDSHIFT_NAMESPACE, REDSHIFT_WORKGROUP, DMS_ENDPOINT, DMS_REPLICATION_INSTANCE,
    DMS_REPLICATION_TASK, DMS_TAGS,
)
