"""Creation, deletion and modification rules of the catalog, checked on records shaped as CloudTrail writes
them (requestParameters / responseElements with the API's member names in lowerCamel, as in botocore's service
models; RDS and ElastiCache flatten the result's inner object; EC2 APIs newer than 2016 are wrapped in
<Op>Request / <Op>Response). Every creation rule of the catalog has a record: a row of CREATIONS, a real record
of REAL_CREATIONS (../shared/datasets), or a case of tests/unit/test_resources.py (one per core type);
test_every_creation_rule_has_a_row fails for a rule with none. Also: the totals the catalog must reach."""

from __future__ import annotations

from pathlib import Path

import pytest

from cloudblame.catalog import CATALOG, RULES, ResourceType, storage
from cloudblame.normalize.resources import extract_resources
from tests.datasets import read_records
from tests.unit.test_resources import CREATIONS as CORE_CASES

ACCOUNT, REGION = "123456789012", "us-east-1"
DATASETS = (Path(__file__).resolve().parents[2] / ".." / "shared" / "datasets").resolve()
TYPES_ONLY = [e for e in CATALOG if isinstance(e, ResourceType)]


def rec(source, name, req=None, resp=None, **top):
    r = {"eventVersion": "1.09", "eventSource": source, "eventName": name, "awsRegion": REGION,
         "recipientAccountId": ACCOUNT, "eventType": "AwsApiCall", "requestParameters": req,
         "responseElements": resp}
    r.update(top)
    return r


def refs(record):
    return extract_resources(record, account=ACCOUNT, region=REGION)


def _arn(svc, rest):
    return f"arn:aws:{svc}:{REGION}:{ACCOUNT}:{rest}"


V2 = {"apiVersion": "2015-12-01"}
LB_ARN = _arn("elasticloadbalancing", "loadbalancer/app/web/50dc6c495c0c9188")
LISTENER = _arn("elasticloadbalancing", "listener/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2")
LRULE = _arn("elasticloadbalancing", "listener-rule/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee")
GD = "12abc34d567e8fa901bc2d34eexample"
UUID = "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111"
SUB = "4b5f6d3e-1a2b-4c3d-8e9f-0a1b2c3d4e5f"  # subscription ids are hex UUIDs
MRK = "mrk-1234abcd12ab34cd56ef1234567890ab"  # a multi-Region key: the replica keeps the primary's id
EC2_XMLNS = "http://ec2.amazonaws.com/doc/2016-11-15/"

# (eventSource, eventName, requestParameters, responseElements, expected type, expected id[, top-level fields])
CREATIONS = [
    # --- Lambda
    ("lambda.amazonaws.com", "PublishLayerVersion", {"layerName": "deps"},
     {"layerArn": _arn("lambda", "layer:deps"), "layerVersionArn": _arn("lambda", "layer:deps:3"), "version": 3},
     "AWS::Lambda::LayerVersion", "deps/3"),
    ("lambda.amazonaws.com", "CreateAlias", {"functionName": "fn", "name": "live", "functionVersion": "2"},
     {"aliasArn": _arn("lambda", "function:fn:live"), "name": "live"}, "AWS::Lambda::Alias", "fn/live"),
    ("lambda.amazonaws.com", "CreateAlias20150331", {"functionName": "fn", "name": "live"},
     {"aliasArn": _arn("lambda", "function:fn:live"), "name": "live"}, "AWS::Lambda::Alias", "fn/live"),
    ("lambda.amazonaws.com", "CreateEventSourceMapping", {"functionName": "fn", "eventSourceArn": _arn("sqs", "q")},
     {"uUID": UUID, "functionArn": _arn("lambda", "function:fn")}, "AWS::Lambda::EventSourceMapping", UUID),
    ("lambda.amazonaws.com", "CreateEventSourceMapping20150331", {"functionName": "fn"},
     {"uUID": UUID}, "AWS::Lambda::EventSourceMapping", UUID),
    ("lambda.amazonaws.com", "CreateFunctionUrlConfig", {"functionName": "fn", "authType": "NONE"},
     {"functionUrl": "https://abc.lambda-url.us-east-1.on.aws/", "functionArn": _arn("lambda", "function:fn")},
     "AWS::Lambda::Url", "fn"),
    ("lambda.amazonaws.com", "CreateCodeSigningConfig", {"allowedPublishers": {}},
     {"codeSigningConfig": {"codeSigningConfigId": "csc-0f6b9a1c3d2e",
                            "codeSigningConfigArn": _arn("lambda", "code-signing-config:csc-0f6b9a1c3d2e")}},
     "AWS::Lambda::CodeSigningConfig", "csc-0f6b9a1c3d2e"),
    # --- EKS
    ("eks.amazonaws.com", "CreateFargateProfile", {"clusterName": "prod", "fargateProfileName": "fp"},
     {"fargateProfile": {"fargateProfileName": "fp", "clusterName": "prod"}}, "AWS::EKS::FargateProfile", "prod/fp"),
    ("eks.amazonaws.com", "CreateAddon", {"clusterName": "prod", "addonName": "vpc-cni"},
     {"addon": {"addonName": "vpc-cni", "clusterName": "prod"}}, "AWS::EKS::Addon", "prod/vpc-cni"),
    ("eks.amazonaws.com", "CreateAccessEntry",
     {"clusterName": "prod", "principalArn": f"arn:aws:iam::{ACCOUNT}:role/admins"},
     {"accessEntry": {"clusterName": "prod"}}, "AWS::EKS::AccessEntry", "prod/admins"),
    ("eks.amazonaws.com", "CreatePodIdentityAssociation", {"clusterName": "prod", "namespace": "ns"},
     {"association": {"associationId": "a-1234567890abcdef0"}}, "AWS::EKS::PodIdentityAssociation",
     "prod/a-1234567890abcdef0"),
    # --- ECS
    ("ecs.amazonaws.com", "CreateCapacityProvider", {"name": "cp1"},
     {"capacityProvider": {"name": "cp1", "capacityProviderArn": _arn("ecs", "capacity-provider/cp1")}},
     "AWS::ECS::CapacityProvider", "cp1"),
    ("ecs.amazonaws.com", "CreateTaskSet", {"cluster": "c", "service": "s", "taskDefinition": "td:1"},
     {"taskSet": {"id": "ecs-svc/1234567890", "taskSetArn": _arn("ecs", "task-set/c/s/ecs-svc/1234567890")}},
     "AWS::ECS::TaskSet", "ecs-svc/1234567890"),
    # --- Batch
    ("batch.amazonaws.com", "CreateComputeEnvironment", {"computeEnvironmentName": "ce", "type": "MANAGED"},
     {"computeEnvironmentName": "ce", "computeEnvironmentArn": _arn("batch", "compute-environment/ce")},
     "AWS::Batch::ComputeEnvironment", "ce"),
    ("batch.amazonaws.com", "CreateJobQueue", {"jobQueueName": "jq", "priority": 1},
     {"jobQueueName": "jq", "jobQueueArn": _arn("batch", "job-queue/jq")}, "AWS::Batch::JobQueue", "jq"),
    ("batch.amazonaws.com", "RegisterJobDefinition", {"jobDefinitionName": "jd", "type": "container"},
     {"jobDefinitionName": "jd", "jobDefinitionArn": _arn("batch", "job-definition/jd:4"), "revision": 4},
     "AWS::Batch::JobDefinition", "jd:4"),
    ("batch.amazonaws.com", "CreateSchedulingPolicy", {"name": "sp"},
     {"name": "sp", "arn": _arn("batch", "scheduling-policy/sp")}, "AWS::Batch::SchedulingPolicy", "sp"),
    # --- Elastic Beanstalk
    ("elasticbeanstalk.amazonaws.com", "CreateApplication", {"applicationName": "shop"},
     {"application": {"applicationName": "shop"}}, "AWS::ElasticBeanstalk::Application", "shop"),
    ("elasticbeanstalk.amazonaws.com", "CreateEnvironment", {"applicationName": "shop", "environmentName": "shop-prod"},
     {"environmentId": "e-abcdef1234", "environmentName": "shop-prod"}, "AWS::ElasticBeanstalk::Environment",
     "e-abcdef1234"),
    ("elasticbeanstalk.amazonaws.com", "CreateApplicationVersion", {"applicationName": "shop", "versionLabel": "v7"},
     {"applicationVersion": {"applicationName": "shop", "versionLabel": "v7"}},
     "AWS::ElasticBeanstalk::ApplicationVersion", "shop/v7"),
    ("elasticbeanstalk.amazonaws.com", "CreateConfigurationTemplate", {"applicationName": "shop", "templateName": "t"},
     {"applicationName": "shop", "templateName": "t"}, "AWS::ElasticBeanstalk::ConfigurationTemplate", "shop/t"),
    # --- Lightsail
    ("lightsail.amazonaws.com", "CreateInstances", {"instanceNames": ["web-1"], "blueprintId": "ubuntu"},
     {"operations": [{"resourceName": "web-1", "resourceType": "Instance"}]}, "AWS::Lightsail::Instance", "web-1"),
    ("lightsail.amazonaws.com", "CreateInstancesFromSnapshot", {"instanceNames": ["web-2"]},
     {"operations": []}, "AWS::Lightsail::Instance", "web-2"),
    ("lightsail.amazonaws.com", "AllocateStaticIp", {"staticIpName": "ip1"}, {"operations": []},
     "AWS::Lightsail::StaticIp", "ip1"),
    ("lightsail.amazonaws.com", "CreateDisk", {"diskName": "d1", "sizeInGb": 8}, {"operations": []},
     "AWS::Lightsail::Disk", "d1"),
    ("lightsail.amazonaws.com", "CreateRelationalDatabase", {"relationalDatabaseName": "db1"}, {"operations": []},
     "AWS::Lightsail::Database", "db1"),
    ("lightsail.amazonaws.com", "CreateKeyPair", {"keyPairName": "k1"}, {"keyPair": {"name": "k1"}},
     "AWS::Lightsail::KeyPair", "k1"),
    ("lightsail.amazonaws.com", "ImportKeyPair", {"keyPairName": "k2"}, {"operation": {}},
     "AWS::Lightsail::KeyPair", "k2"),
    ("lightsail.amazonaws.com", "CreateLoadBalancer", {"loadBalancerName": "lb1", "instancePort": 80},
     {"operations": []}, "AWS::Lightsail::LoadBalancer", "lb1"),
    ("lightsail.amazonaws.com", "CreateContainerService", {"serviceName": "cs1", "power": "nano", "scale": 1},
     {"containerService": {"containerServiceName": "cs1"}}, "AWS::Lightsail::Container", "cs1"),
    ("lightsail.amazonaws.com", "CreateBucket", {"bucketName": "b1", "bundleId": "small"},
     {"bucket": {"name": "b1"}}, "AWS::Lightsail::Bucket", "b1"),
    # --- WorkSpaces
    ("workspaces.amazonaws.com", "CreateWorkspaces", {"workspaces": [{"directoryId": "d-1", "userName": "u"}]},
     {"failedRequests": [], "pendingRequests": [{"workspaceId": "ws-abc123def", "directoryId": "d-1"}]},
     "AWS::WorkSpaces::Workspace", "ws-abc123def"),
    ("workspaces.amazonaws.com", "CreateIpGroup", {"groupName": "office"}, {"groupId": "wsipg-abc123"},
     "AWS::WorkSpaces::IpGroup", "wsipg-abc123"),
    # --- App Runner
    ("apprunner.amazonaws.com", "CreateService", {"serviceName": "api"},
     {"service": {"serviceName": "api", "serviceArn": _arn("apprunner", "service/api/8fe1e10304f84fd2b0df550fe98a71fa")}},
     "AWS::AppRunner::Service", "api"),
    ("apprunner.amazonaws.com", "CreateConnection", {"connectionName": "gh", "providerType": "GITHUB"},
     {"connection": {"connectionName": "gh"}}, "AWS::AppRunner::Connection", "gh"),
    ("apprunner.amazonaws.com", "CreateVpcConnector", {"vpcConnectorName": "vc", "subnets": ["subnet-1"]},
     {"vpcConnector": {"vpcConnectorName": "vc"}}, "AWS::AppRunner::VpcConnector", "vc"),
    ("apprunner.amazonaws.com", "CreateAutoScalingConfiguration", {"autoScalingConfigurationName": "asc"},
     {"autoScalingConfiguration": {"autoScalingConfigurationName": "asc"}},
     "AWS::AppRunner::AutoScalingConfiguration", "asc"),
    # --- Amazon MQ
    ("amazonmq.amazonaws.com", "CreateBroker", {"brokerName": "orders-mq", "hostInstanceType": "mq.m5.large"},
     {"brokerId": "b-1234abcd-56ef-78ab-90cd-1234567890ab",
      "brokerArn": "arn:aws:mq:us-east-1:123456789012:broker:orders-mq:b-1234abcd-56ef-78ab-90cd-1234567890ab"},
     "AWS::AmazonMQ::Broker", "b-1234abcd-56ef-78ab-90cd-1234567890ab"),
    ("amazonmq.amazonaws.com", "CreateConfiguration", {"name": "cfg", "engineType": "ACTIVEMQ"},
     {"id": "c-0001", "arn": "arn:aws:mq:us-east-1:123456789012:configuration:c-0001"},
     "AWS::AmazonMQ::Configuration", "c-0001"),
    # --- GameLift
    ("gamelift.amazonaws.com", "CreateBuild", {"name": "b"}, {"build": {"buildId": "build-1111aaaa"}},
     "AWS::GameLift::Build", "build-1111aaaa"),
    ("gamelift.amazonaws.com", "CreateScript", {"name": "s"}, {"script": {"scriptId": "script-2222bbbb"}},
     "AWS::GameLift::Script", "script-2222bbbb"),
    ("gamelift.amazonaws.com", "CreateAlias", {"name": "a", "routingStrategy": {}},
     {"alias": {"aliasId": "alias-3333cccc"}}, "AWS::GameLift::Alias", "alias-3333cccc"),
    ("gamelift.amazonaws.com", "CreateGameSessionQueue", {"name": "q"}, {"gameSessionQueue": {"name": "q"}},
     "AWS::GameLift::GameSessionQueue", "q"),
    # --- EMR, EMR Serverless, EMR on EKS
    ("elasticmapreduce.amazonaws.com", "CreateSecurityConfiguration", {"name": "sc", "securityConfiguration": "{}"},
     {"name": "sc"}, "AWS::EMR::SecurityConfiguration", "sc"),
    ("elasticmapreduce.amazonaws.com", "CreateStudio", {"name": "st"}, {"studioId": "es-ABCDEF123", "url": "u"},
     "AWS::EMR::Studio", "es-ABCDEF123"),
    ("emr-serverless.amazonaws.com", "CreateApplication", {"name": "spark", "type": "SPARK"},
     {"applicationId": "00f1abcdef", "name": "spark"}, "AWS::EMRServerless::Application", "00f1abcdef"),
    ("emr-containers.amazonaws.com", "CreateVirtualCluster", {"name": "vc"}, {"id": "vc123abc", "name": "vc"},
     "AWS::EMRContainers::VirtualCluster", "vc123abc"),
    # --- Image Builder
    ("imagebuilder.amazonaws.com", "CreateImagePipeline", {"name": "p"},
     {"imagePipelineArn": _arn("imagebuilder", "image-pipeline/p")}, "AWS::ImageBuilder::ImagePipeline", "p"),
    ("imagebuilder.amazonaws.com", "CreateImageRecipe", {"name": "r", "semanticVersion": "1.0.0"},
     {"imageRecipeArn": _arn("imagebuilder", "image-recipe/r/1.0.0")}, "AWS::ImageBuilder::ImageRecipe", "r"),
    ("imagebuilder.amazonaws.com", "CreateInfrastructureConfiguration", {"name": "ic"},
     {"infrastructureConfigurationArn": _arn("imagebuilder", "infrastructure-configuration/ic")},
     "AWS::ImageBuilder::InfrastructureConfiguration", "ic"),
    ("imagebuilder.amazonaws.com", "CreateComponent", {"name": "c", "semanticVersion": "1.0.0"},
     {"componentBuildVersionArn": _arn("imagebuilder", "component/c/1.0.0/1")}, "AWS::ImageBuilder::Component", "c"),
    # --- ELBv2 load balancers, listeners and rules
    ("elasticloadbalancing.amazonaws.com", "CreateLoadBalancer",
     {"name": "web", "type": "application", "scheme": "internet-facing",
      "subnets": ["subnet-0a1b2c3d4e5f60718", "subnet-0f1e2d3c4b5a69788"]},
     {"loadBalancers": [{"loadBalancerArn": LB_ARN, "loadBalancerName": "web", "type": "application",
                         "dNSName": "web-1234567890.us-east-1.elb.amazonaws.com", "state": {"code": "provisioning"}}]},
     "AWS::ElasticLoadBalancingV2::LoadBalancer", "web", V2),
    ("elasticloadbalancing.amazonaws.com", "CreateListener", {"loadBalancerArn": LB_ARN, "port": 443},
     {"listeners": [{"listenerArn": LISTENER, "loadBalancerArn": LB_ARN}]}, "AWS::ElasticLoadBalancingV2::Listener",
     "listener/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2", V2),
    ("elasticloadbalancing.amazonaws.com", "CreateRule", {"listenerArn": LISTENER, "priority": 10},
     {"rules": [{"ruleArn": LRULE}]}, "AWS::ElasticLoadBalancingV2::ListenerRule",
     "listener-rule/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee", V2),
    # --- MemoryDB
    ("memorydb.amazonaws.com", "CreateCluster", {"clusterName": "mem1", "nodeType": "db.r6g.large"},
     {"cluster": {"name": "mem1", "aRN": _arn("memorydb", "cluster/mem1")}}, "AWS::MemoryDB::Cluster", "mem1"),
    ("memorydb.amazonaws.com", "CreateACL", {"aCLName": "acl1"}, {"aCL": {"name": "acl1"}}, "AWS::MemoryDB::ACL", "acl1"),
    ("memorydb.amazonaws.com", "CreateUser", {"userName": "u1"}, {"user": {"name": "u1"}}, "AWS::MemoryDB::User", "u1"),
    ("memorydb.amazonaws.com", "CreateSubnetGroup", {"subnetGroupName": "sg1"}, {"subnetGroup": {"name": "sg1"}},
     "AWS::MemoryDB::SubnetGroup", "sg1"),
    ("memorydb.amazonaws.com", "CreateParameterGroup", {"parameterGroupName": "pg1", "family": "memorydb_redis7"},
     {"parameterGroup": {"name": "pg1"}}, "AWS::MemoryDB::ParameterGroup", "pg1"),
    # --- FSx
    ("fsx.amazonaws.com", "CreateFileSystem", {"fileSystemType": "LUSTRE"},
     {"fileSystem": {"fileSystemId": "fs-0123456789abcdef0"}}, "AWS::FSx::FileSystem", "fs-0123456789abcdef0"),
    ("fsx.amazonaws.com", "CreateFileSystemFromBackup", {"backupId": "backup-1"},
     {"fileSystem": {"fileSystemId": "fs-0fedcba9876543210"}}, "AWS::FSx::FileSystem", "fs-0fedcba9876543210"),
    ("fsx.amazonaws.com", "CreateBackup", {"fileSystemId": "fs-0123456789abcdef0"},
     {"backup": {"backupId": "backup-0a1b2c3d4e5f6a7b8"}}, "AWS::FSx::Backup", "backup-0a1b2c3d4e5f6a7b8"),
    ("fsx.amazonaws.com", "CopyBackup", {"sourceBackupId": "backup-1"},
     {"backup": {"backupId": "backup-0b1b2c3d4e5f6a7b8"}}, "AWS::FSx::Backup", "backup-0b1b2c3d4e5f6a7b8"),
    ("fsx.amazonaws.com", "CreateVolume", {"name": "vol1", "volumeType": "ONTAP"},
     {"volume": {"volumeId": "fsvol-0123456789abcdef0"}}, "AWS::FSx::Volume", "fsvol-0123456789abcdef0"),
    ("fsx.amazonaws.com", "CreateVolumeFromBackup", {"name": "vol2", "backupId": "backup-1"},
     {"volume": {"volumeId": "fsvol-0fedcba9876543210"}}, "AWS::FSx::Volume", "fsvol-0fedcba9876543210"),
    ("fsx.amazonaws.com", "CreateStorageVirtualMachine", {"fileSystemId": "fs-1", "name": "svm1"},
     {"storageVirtualMachine": {"storageVirtualMachineId": "svm-0123456789abcdef0"}},
     "AWS::FSx::StorageVirtualMachine", "svm-0123456789abcdef0"),
    # --- Backup
    ("backup.amazonaws.com", "CreateBackupVault", {"backupVaultName": "vault1"},
     {"backupVaultName": "vault1", "backupVaultArn": _arn("backup", "backup-vault:vault1")},
     "AWS::Backup::BackupVault", "vault1"),
    ("backup.amazonaws.com", "CreateLogicallyAirGappedBackupVault", {"backupVaultName": "vault2"},
     {"backupVaultName": "vault2"}, "AWS::Backup::BackupVault", "vault2"),
    ("backup.amazonaws.com", "CreateBackupPlan", {"backupPlan": {"backupPlanName": "daily"}},
     {"backupPlanId": "8a3c1e2b-plan", "versionId": "v1"}, "AWS::Backup::BackupPlan", "8a3c1e2b-plan"),
    ("backup.amazonaws.com", "CreateBackupSelection", {"backupPlanId": "8a3c1e2b-plan", "backupSelection": {}},
     {"selectionId": "sel-1", "backupPlanId": "8a3c1e2b-plan"}, "AWS::Backup::BackupSelection", "8a3c1e2b-plan/sel-1"),
    # --- DataSync
    ("datasync.amazonaws.com", "CreateTask", {"name": "t"},
     {"taskArn": _arn("datasync", "task/task-0123456789abcdef0")}, "AWS::DataSync::Task", "task-0123456789abcdef0"),
    ("datasync.amazonaws.com", "CreateAgent", {"activationKey": "K", "agentName": "a"},
     {"agentArn": _arn("datasync", "agent/agent-0123456789abcdef0")}, "AWS::DataSync::Agent", "agent-0123456789abcdef0"),
    *[("datasync.amazonaws.com", f"CreateLocation{kind}", {},
       {"locationArn": _arn("datasync", f"location/loc-0{i:016x}")}, "AWS::DataSync::Location", f"loc-0{i:016x}")
      for i, kind in enumerate(storage._LOCATION_KINDS)],
    # --- Transfer Family
    ("transfer.amazonaws.com", "CreateServer", {"endpointType": "PUBLIC"}, {"serverId": "s-01234567890abcdef"},
     "AWS::Transfer::Server", "s-01234567890abcdef"),
    ("transfer.amazonaws.com", "CreateUser", {"serverId": "s-01234567890abcdef", "userName": "bob"},
     {"serverId": "s-01234567890abcdef", "userName": "bob"}, "AWS::Transfer::User", "s-01234567890abcdef/bob"),
    ("transfer.amazonaws.com", "CreateConnector", {"url": "sftp://x"}, {"connectorId": "c-01234567890abcdef"},
     "AWS::Transfer::Connector", "c-01234567890abcdef"),
    ("transfer.amazonaws.com", "CreateWorkflow", {"steps": []}, {"workflowId": "w-01234567890abcdef"},
     "AWS::Transfer::Workflow", "w-01234567890abcdef"),
    # --- Step Functions, Scheduler
    ("states.amazonaws.com", "CreateStateMachine", {"name": "flow", "roleArn": "r"},
     {"stateMachineArn": _arn("states", "stateMachine:flow")}, "AWS::StepFunctions::StateMachine", "flow"),
    ("states.amazonaws.com", "CreateStateMachineAlias", {"name": "prod"},
     {"stateMachineAliasArn": _arn("states", "stateMachine:flow:prod")}, "AWS::StepFunctions::StateMachineAlias",
     "flow/prod"),
    ("states.amazonaws.com", "CreateActivity", {"name": "act"}, {"activityArn": _arn("states", "activity:act")},
     "AWS::StepFunctions::Activity", "act"),
    ("scheduler.amazonaws.com", "CreateSchedule", {"name": "nightly", "scheduleExpression": "rate(1 day)"},
     {"scheduleArn": _arn("scheduler", "schedule/default/nightly")}, "AWS::Scheduler::Schedule", "default/nightly"),
    ("scheduler.amazonaws.com", "CreateScheduleGroup", {"name": "grp"},
     {"scheduleGroupArn": _arn("scheduler", "schedule-group/grp")}, "AWS::Scheduler::ScheduleGroup", "grp"),
    # --- ACM
    ("acm.amazonaws.com", "RequestCertificate", {"domainName": "example.com", "validationMethod": "DNS"},
     {"certificateArn": _arn("acm", f"certificate/{UUID}")}, "AWS::CertificateManager::Certificate", UUID),
    ("acm.amazonaws.com", "ImportCertificate", {"certificate": "..."},
     {"certificateArn": _arn("acm", f"certificate/{UUID}")}, "AWS::CertificateManager::Certificate", UUID),
    # --- Cognito
    ("cognito-idp.amazonaws.com", "CreateUserPool", {"poolName": "users"},
     {"userPool": {"id": "us-east-1_AbCdEf123", "name": "users"}}, "AWS::Cognito::UserPool", "us-east-1_AbCdEf123"),
    ("cognito-idp.amazonaws.com", "CreateUserPoolClient", {"userPoolId": "us-east-1_AbCdEf123", "clientName": "web"},
     {"userPoolClient": {"userPoolId": "us-east-1_AbCdEf123", "clientId": "26cb2c60example"}},
     "AWS::Cognito::UserPoolClient", "us-east-1_AbCdEf123/26cb2c60example"),
    ("cognito-idp.amazonaws.com", "CreateUserPoolDomain", {"domain": "login-example", "userPoolId": "p"},
     {}, "AWS::Cognito::UserPoolDomain", "login-example"),
    ("cognito-identity.amazonaws.com", "CreateIdentityPool", {"identityPoolName": "ids"},
     {"identityPoolId": f"us-east-1:{UUID}", "identityPoolName": "ids"}, "AWS::Cognito::IdentityPool",
     f"us-east-1:{UUID}"),
    # --- AppSync, Amplify
    ("appsync.amazonaws.com", "CreateGraphqlApi", {"name": "g", "authenticationType": "API_KEY"},
     {"graphqlApi": {"apiId": "abcdefghijklmnopqrstuvwxyz", "name": "g"}}, "AWS::AppSync::GraphQLApi",
     "abcdefghijklmnopqrstuvwxyz"),
    ("appsync.amazonaws.com", "CreateApiKey", {"apiId": "abcdefghij"}, {"apiKey": {"id": "da2-key1"}},
     "AWS::AppSync::ApiKey", "abcdefghij/da2-key1"),
    ("amplify.amazonaws.com", "CreateApp", {"name": "site"}, {"app": {"appId": "d1a2b3c4d5e6f7", "name": "site"}},
     "AWS::Amplify::App", "d1a2b3c4d5e6f7"),
    ("amplify.amazonaws.com", "CreateBranch", {"appId": "d1a2b3c4d5e6f7", "branchName": "main"},
     {"branch": {"branchName": "main"}}, "AWS::Amplify::Branch", "d1a2b3c4d5e6f7/main"),
    ("amplify.amazonaws.com", "CreateDomainAssociation", {"appId": "d1a2b3c4d5e6f7", "domainName": "example.com"},
     {"domainAssociation": {}}, "AWS::Amplify::Domain", "d1a2b3c4d5e6f7/example.com"),
    # --- Directory Service
    ("ds.amazonaws.com", "CreateDirectory", {"name": "corp.example.com", "size": "Small"},
     {"directoryId": "d-1234567890"}, "AWS::DirectoryService::MicrosoftAD", "d-1234567890"),
    ("ds.amazonaws.com", "CreateMicrosoftAD", {"name": "corp.example.com"}, {"directoryId": "d-2234567890"},
     "AWS::DirectoryService::MicrosoftAD", "d-2234567890"),
    ("ds.amazonaws.com", "ConnectDirectory", {"name": "corp.example.com"}, {"directoryId": "d-3234567890"},
     "AWS::DirectoryService::MicrosoftAD", "d-3234567890"),
    # --- WAFv2
    *[("wafv2.amazonaws.com", f"Create{op}", {"name": "n", "scope": "REGIONAL"},
       {"summary": {"name": "n", "id": UUID.lower(), "lockToken": "t"}}, f"AWS::WAFv2::{op}", UUID.lower())
      for op in ("WebACL", "IPSet", "RuleGroup", "RegexPatternSet")],
    # --- GuardDuty
    ("guardduty.amazonaws.com", "CreateDetector", {"enable": True}, {"detectorId": GD},
     "AWS::GuardDuty::Detector", GD),
    ("guardduty.amazonaws.com", "CreateIPSet", {"detectorId": GD, "name": "trusted", "format": "TXT"},
     {"ipSetId": "0cb0141ab9fbde177613ab9436example"}, "AWS::GuardDuty::IPSet",
     f"{GD}/0cb0141ab9fbde177613ab9436example"),
    ("guardduty.amazonaws.com", "CreateThreatIntelSet", {"detectorId": GD, "name": "bad"},
     {"threatIntelSetId": "tis1"}, "AWS::GuardDuty::ThreatIntelSet", f"{GD}/tis1"),
    ("guardduty.amazonaws.com", "CreateFilter", {"detectorId": GD, "name": "quiet"}, {"name": "quiet"},
     "AWS::GuardDuty::Filter", f"{GD}/quiet"),
    # --- Config
    ("config.amazonaws.com", "PutConfigRule", {"configRule": {"configRuleName": "s3-public"}}, None,
     "AWS::Config::ConfigRule", "s3-public"),
    ("config.amazonaws.com", "PutConfigurationRecorder", {"configurationRecorder": {"name": "default"}}, None,
     "AWS::Config::ConfigurationRecorder", "default"),
    ("config.amazonaws.com", "PutDeliveryChannel", {"deliveryChannel": {"name": "default", "s3BucketName": "b"}},
     None, "AWS::Config::DeliveryChannel", "default"),
    ("config.amazonaws.com", "PutConformancePack", {"conformancePackName": "cp"}, {"conformancePackArn": "x"},
     "AWS::Config::ConformancePack", "cp"),
    ("config.amazonaws.com", "PutConfigurationAggregator", {"configurationAggregatorName": "agg"}, {},
     "AWS::Config::ConfigurationAggregator", "agg"),
    # --- CodeBuild, CodePipeline, CodeCommit
    ("codebuild.amazonaws.com", "CreateProject", {"name": "build"},
     {"project": {"name": "build", "arn": _arn("codebuild", "project/build")}}, "AWS::CodeBuild::Project", "build"),
    ("codebuild.amazonaws.com", "CreateReportGroup", {"name": "rg", "type": "TEST"},
     {"reportGroup": {"arn": _arn("codebuild", "report-group/rg")}}, "AWS::CodeBuild::ReportGroup", "rg"),
    ("codepipeline.amazonaws.com", "CreatePipeline", {"pipeline": {"name": "deploy"}},
     {"pipeline": {"name": "deploy"}}, "AWS::CodePipeline::Pipeline", "deploy"),
    ("codepipeline.amazonaws.com", "PutWebhook", {"webhook": {"name": "hook"}},
     {"webhook": {"definition": {"name": "hook"}}}, "AWS::CodePipeline::Webhook", "hook"),
    ("codecommit.amazonaws.com", "CreateRepository", {"repositoryName": "repo"},
     {"repositoryMetadata": {"repositoryName": "repo"}}, "AWS::CodeCommit::Repository", "repo"),
    # --- Bedrock
    ("bedrock.amazonaws.com", "CreateModelCustomizationJob", {"jobName": "j", "customModelName": "my-model"},
     {"jobArn": _arn("bedrock", "model-customization-job/amazon.titan/abc123")}, "AWS::Bedrock::CustomModel",
     "my-model"),
    ("bedrock.amazonaws.com", "CreateModelCustomizationJob", {"jobName": "j", "customModelName": "my-model"},
     {"jobArn": _arn("bedrock", "model-customization-job/amazon.titan/abc123")},
     "AWS::Bedrock::ModelCustomizationJob", "abc123"),
    ("bedrock.amazonaws.com", "CreateProvisionedModelThroughput", {"provisionedModelName": "pt", "modelUnits": 1},
     {"provisionedModelArn": _arn("bedrock", "provisioned-model/abc123xyz")},
     "AWS::Bedrock::ProvisionedModelThroughput", "abc123xyz"),
    ("bedrock.amazonaws.com", "CreateGuardrail", {"name": "g"}, {"guardrailId": "gr123", "version": "DRAFT"},
     "AWS::Bedrock::Guardrail", "gr123"),
    # --- MSK Connect, OpenSearch Serverless
    ("kafkaconnect.amazonaws.com", "CreateConnector", {"connectorName": "sink"},
     {"connectorArn": _arn("kafkaconnect", f"connector/sink/{UUID}")}, "AWS::KafkaConnect::Connector", "sink"),
    ("kafkaconnect.amazonaws.com", "CreateCustomPlugin", {"name": "plug"},
     {"customPluginArn": _arn("kafkaconnect", f"custom-plugin/plug/{UUID}")}, "AWS::KafkaConnect::CustomPlugin",
     "plug"),
    ("kafkaconnect.amazonaws.com", "CreateWorkerConfiguration", {"name": "wc"},
     {"workerConfigurationArn": _arn("kafkaconnect", f"worker-configuration/wc/{UUID}")},
     "AWS::KafkaConnect::WorkerConfiguration", "wc"),
    ("aoss.amazonaws.com", "CreateCollection", {"name": "logs", "type": "TIMESERIES"},
     {"createCollectionDetail": {"id": "07tjusf2h91cunochc", "name": "logs"}},
     "AWS::OpenSearchServerless::Collection", "07tjusf2h91cunochc"),
    ("aoss.amazonaws.com", "CreateSecurityPolicy", {"name": "enc", "type": "encryption", "policy": "{}"},
     {"securityPolicyDetail": {}}, "AWS::OpenSearchServerless::SecurityPolicy", "encryption/enc"),
    ("aoss.amazonaws.com", "CreateAccessPolicy", {"name": "dap", "type": "data", "policy": "[]"},
     {"accessPolicyDetail": {}}, "AWS::OpenSearchServerless::AccessPolicy", "data/dap"),
    # --- IoT
    ("iot.amazonaws.com", "CreateThing", {"thingName": "sensor"}, {"thingName": "sensor", "thingId": "x"},
     "AWS::IoT::Thing", "sensor"),
    ("iot.amazonaws.com", "CreatePolicy", {"policyName": "p"}, {"policyName": "p"}, "AWS::IoT::Policy", "p"),
    ("iot.amazonaws.com", "CreateTopicRule", {"ruleName": "r", "topicRulePayload": {}}, None,
     "AWS::IoT::TopicRule", "r"),
    ("iot.amazonaws.com", "CreateThingGroup", {"thingGroupName": "tg"}, {"thingGroupName": "tg"},
     "AWS::IoT::ThingGroup", "tg"),
    # --- SageMaker
    *[("sagemaker.amazonaws.com", op, {field: "My-Thing"}, {}, f"AWS::SageMaker::{kind}", "my-thing")
      for op, field, kind in (
          ("CreateEndpointConfig", "endpointConfigName", "EndpointConfig"),
          ("CreateModel", "modelName", "Model"),
          ("CreateTrainingJob", "trainingJobName", "TrainingJob"),
          ("CreateProcessingJob", "processingJobName", "ProcessingJob"),
          ("CreateNotebookInstanceLifecycleConfig", "notebookInstanceLifecycleConfigName",
           "NotebookInstanceLifecycleConfig"),
          ("CreateModelPackageGroup", "modelPackageGroupName", "ModelPackageGroup"),
          ("CreatePipeline", "pipelineName", "Pipeline"),
          ("CreateFeatureGroup", "featureGroupName", "FeatureGroup"))],
    ("sagemaker.amazonaws.com", "CreateDomain", {"domainName": "studio"}, {"domainId": "d-abcdefgh1234"},
     "AWS::SageMaker::Domain", "d-abcdefgh1234"),
    ("sagemaker.amazonaws.com", "CreateUserProfile", {"domainId": "d-abcdefgh1234", "userProfileName": "alice"},
     {"userProfileArn": "x"}, "AWS::SageMaker::UserProfile", "d-abcdefgh1234/alice"),
    ("sagemaker.amazonaws.com", "CreateSpace", {"domainId": "d-abcdefgh1234", "spaceName": "team"},
     {"spaceArn": "x"}, "AWS::SageMaker::Space", "d-abcdefgh1234/team"),
    # --- RDS groups (query protocol: the result's inner object is flattened into responseElements)
    ("rds.amazonaws.com", "CreateDBParameterGroup", {"dBParameterGroupName": "PG1", "dBParameterGroupFamily": "x"},
     {"dBParameterGroupName": "pg1"}, "AWS::RDS::DBParameterGroup", "pg1"),
    ("rds.amazonaws.com", "CopyDBParameterGroup", {"targetDBParameterGroupIdentifier": "pg2"},
     {"dBParameterGroupName": "pg2"}, "AWS::RDS::DBParameterGroup", "pg2"),
    ("rds.amazonaws.com", "CreateDBClusterParameterGroup", {"dBClusterParameterGroupName": "cpg1"},
     {"dBClusterParameterGroupName": "cpg1"}, "AWS::RDS::DBClusterParameterGroup", "cpg1"),
    ("rds.amazonaws.com", "CopyDBClusterParameterGroup", {"targetDBClusterParameterGroupIdentifier": "cpg2"},
     None, "AWS::RDS::DBClusterParameterGroup", "cpg2"),
    ("rds.amazonaws.com", "CreateOptionGroup", {"optionGroupName": "og1"}, {"optionGroupName": "og1"},
     "AWS::RDS::OptionGroup", "og1"),
    ("rds.amazonaws.com", "CopyOptionGroup", {"targetOptionGroupIdentifier": "og2"}, None,
     "AWS::RDS::OptionGroup", "og2"),
    ("rds.amazonaws.com", "CreateDBSecurityGroup", {"dBSecurityGroupName": "legacy"}, None,
     "AWS::RDS::DBSecurityGroup", "legacy"),
    ("rds.amazonaws.com", "CreateGlobalCluster", {"globalClusterIdentifier": "Global1"},
     {"globalClusterIdentifier": "global1"}, "AWS::RDS::GlobalCluster", "global1"),
    # --- SNS, EventBridge, API Gateway, CloudFront, Route 53, CloudWatch, SSM
    ("sns.amazonaws.com", "Subscribe", {"topicArn": _arn("sns", "alerts"), "protocol": "email"},
     {"subscriptionArn": _arn("sns", f"alerts:{SUB}")}, "AWS::SNS::Subscription", SUB),
    ("events.amazonaws.com", "CreateArchive", {"archiveName": "arch", "eventSourceArn": "x"},
     {"archiveArn": _arn("events", "archive/arch")}, "AWS::Events::Archive", "arch"),
    ("events.amazonaws.com", "CreateConnection", {"name": "conn", "authorizationType": "API_KEY"},
     {"connectionArn": _arn("events", f"connection/conn/{UUID}")}, "AWS::Events::Connection", "conn"),
    ("events.amazonaws.com", "CreateApiDestination", {"name": "dest"},
     {"apiDestinationArn": _arn("events", f"api-destination/dest/{UUID}")}, "AWS::Events::ApiDestination", "dest"),
    ("apigateway.amazonaws.com", "CreateApiKey", {"name": "partner", "enabled": True},
     {"id": "a1b2c3d4e5", "name": "partner"}, "AWS::ApiGateway::ApiKey", "a1b2c3d4e5"),
    ("apigateway.amazonaws.com", "CreateUsagePlan", {"name": "gold"}, {"id": "up1234", "name": "gold"},
     "AWS::ApiGateway::UsagePlan", "up1234"),
    ("apigateway.amazonaws.com", "CreateDomainName", {"domainName": "api.example.com"},
     {"domainName": "api.example.com"}, "AWS::ApiGateway::DomainName", "api.example.com"),
    ("cloudfront.amazonaws.com", "CreateOriginAccessControl", {"originAccessControlConfig": {"name": "oac"}},
     {"originAccessControl": {"id": "E2QWRUHEXAMPLE"}, "eTag": "x"}, "AWS::CloudFront::OriginAccessControl",
     "E2QWRUHEXAMPLE"),
    ("cloudfront.amazonaws.com", "CreateCloudFrontOriginAccessIdentity", {"cloudFrontOriginAccessIdentityConfig": {}},
     {"cloudFrontOriginAccessIdentity": {"id": "E3OAIEXAMPLE"}}, "AWS::CloudFront::CloudFrontOriginAccessIdentity",
     "E3OAIEXAMPLE"),
    ("cloudfront.amazonaws.com", "CreateCachePolicy", {"cachePolicyConfig": {"name": "cp"}},
     {"cachePolicy": {"id": "658327ea-f89d-4fab-a63d-7e88639e58f6"}}, "AWS::CloudFront::CachePolicy",
     "658327ea-f89d-4fab-a63d-7e88639e58f6"),
    ("route53.amazonaws.com", "CreateHealthCheck", {"callerReference": "r", "healthCheckConfig": {}},
     {"healthCheck": {"id": "abcdef11-2222-3333-4444-555555fedcba"}}, "AWS::Route53::HealthCheck",
     "abcdef11-2222-3333-4444-555555fedcba"),
    ("monitoring.amazonaws.com", "PutDashboard", {"dashboardName": "ops", "dashboardBody": "{}"},
     {"dashboardValidationMessages": []}, "AWS::CloudWatch::Dashboard", "ops"),
    ("monitoring.amazonaws.com", "PutMetricStream", {"name": "ms", "firehoseArn": "x"},
     {"arn": _arn("cloudwatch", "metric-stream/ms")}, "AWS::CloudWatch::MetricStream", "ms"),
    ("ssm.amazonaws.com", "CreateDocument", {"name": "RunThing", "content": "{}"},
     {"documentDescription": {"name": "RunThing"}}, "AWS::SSM::Document", "RunThing"),
    ("ssm.amazonaws.com", "CreateMaintenanceWindow", {"name": "mw"}, {"windowId": "mw-0c50858d01EXAMPLE"},
     "AWS::SSM::MaintenanceWindow", "mw-0c50858d01EXAMPLE"),
    ("ssm.amazonaws.com", "CreateAssociation", {"name": "AWS-RunPatchBaseline"},
     {"associationDescription": {"associationId": UUID}}, "AWS::SSM::Association", UUID),
    # --- core services: the creation events beyond the one test_resources.py checks per type ------------
    # EC2 APIs newer than 2016 are logged wrapped (see cloudblame.catalog.ec2): <Op>Request / <Op>Response,
    # lists as {"item": ...}
    ("ec2.amazonaws.com", "CreateSnapshots",
     {"CreateSnapshotsRequest": {"InstanceSpecification": {"InstanceId": "i-0123456789abcdef0",
                                                           "ExcludeBootVolume": False},
                                 "CopyTagsFromSource": "volume"}},
     {"CreateSnapshotsResponse": {
         "requestId": "d6ab5fd5-4ed3-4d3c-9f2a-6b4c1d4e5f60", "xmlns": EC2_XMLNS,
         "snapshotSet": {"item": [
             {"snapshotId": "snap-0a1b2c3d4e5f60718", "volumeId": "vol-0a1b2c3d4e5f60718", "volumeSize": 8,
              "state": "pending", "ownerId": ACCOUNT, "encrypted": False, "progress": ""},
             {"snapshotId": "snap-0b1b2c3d4e5f60718", "volumeId": "vol-0b1b2c3d4e5f60718", "volumeSize": 100,
              "state": "pending", "ownerId": ACCOUNT, "encrypted": False, "progress": ""}]}}},
     "AWS::EC2::Snapshot", "snap-0b1b2c3d4e5f60718"),
    ("ec2.amazonaws.com", "CreateDefaultVpc", {"CreateDefaultVpcRequest": ""},  # the request as AWS logs it
     {"CreateDefaultVpcResponse": {
         "requestId": "5b4e1d6e-8c3a-4a8e-9d2b-1f0e3c4a5b6d", "xmlns": EC2_XMLNS,
         "vpc": {"vpcId": "vpc-0e9801d129a1b2c3d", "state": "pending", "cidrBlock": "172.31.0.0/16",
                 "dhcpOptionsId": "dopt-19edf471", "instanceTenancy": "default", "isDefault": True,
                 "ownerId": ACCOUNT, "tagSet": "", "ipv6CidrBlockAssociationSet": ""}}},
     "AWS::EC2::VPC", "vpc-0e9801d129a1b2c3d"),
    ("ec2.amazonaws.com", "CreateDefaultSubnet", {"CreateDefaultSubnetRequest": {"AvailabilityZone": "us-east-1a"}},
     {"CreateDefaultSubnetResponse": {
         "requestId": "2b7e0c1d-3e4f-4a5b-8c9d-0e1f2a3b4c5d", "xmlns": EC2_XMLNS,
         "subnet": {"subnetId": "subnet-0c1d2e3f4a5b6c7d8", "vpcId": "vpc-0e9801d129a1b2c3d",
                    "availabilityZone": "us-east-1a", "cidrBlock": "172.31.96.0/20", "defaultForAz": True,
                    "mapPublicIpOnLaunch": True, "state": "available", "availableIpAddressCount": 4091,
                    "subnetArn": _arn("ec2", "subnet/subnet-0c1d2e3f4a5b6c7d8")}}},
     "AWS::EC2::Subnet", "subnet-0c1d2e3f4a5b6c7d8"),
    ("ec2.amazonaws.com", "CreateEgressOnlyInternetGateway",
     {"CreateEgressOnlyInternetGatewayRequest": {"VpcId": "vpc-0e9801d129a1b2c3d", "ClientToken": "tok-1"}},
     {"CreateEgressOnlyInternetGatewayResponse": {
         "requestId": "9c8b7a6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d", "xmlns": EC2_XMLNS, "clientToken": "tok-1",
         "egressOnlyInternetGateway": {"egressOnlyInternetGatewayId": "eigw-015e0e244e24dfe8a", "tagSet": "",
                                       "attachmentSet": {"item": {"state": "attached",
                                                                  "vpcId": "vpc-0e9801d129a1b2c3d"}}}}},
     "AWS::EC2::EgressOnlyInternetGateway", "eigw-015e0e244e24dfe8a"),
    ("ec2.amazonaws.com", "CreateTransitGatewayVpcAttachment",
     {"CreateTransitGatewayVpcAttachmentRequest": {
         "TransitGatewayId": "tgw-008fe7d47ebe2dbeb", "VpcId": "vpc-0e2a18296548d753e",
         "SubnetIds": {"content": "subnet-0c1d2e3f4a5b6c7d8", "tag": 1}}},
     {"CreateTransitGatewayVpcAttachmentResponse": {
         "requestId": "61682dec-77d6-4be2-823a-81b218e55755", "xmlns": EC2_XMLNS,
         "transitGatewayVpcAttachment": {
             "transitGatewayAttachmentId": "tgw-attach-0814a77755bf02f0e", "transitGatewayId": "tgw-008fe7d47ebe2dbeb",
             "vpcId": "vpc-0e2a18296548d753e", "vpcOwnerId": ACCOUNT, "state": "pending",
             "subnetIds": {"item": "subnet-0c1d2e3f4a5b6c7d8"}, "creationTime": "2024-05-02T09:23:12.000Z"}}},
     "AWS::EC2::TransitGatewayAttachment", "tgw-attach-0814a77755bf02f0e"),
    ("ec2.amazonaws.com", "CreateTrafficMirrorSession",  # request as in a real (failed) record
     {"CreateTrafficMirrorSessionRequest": {
         "ClientToken": "c773e3fd-0611-4fb0-a436-67fbef29031e", "NetworkInterfaceId": "eni-0c61fbc84fca4138f",
         "SessionNumber": 1, "TrafficMirrorFilterId": "tmf-010db9a7d8056cc2d",
         "TrafficMirrorTargetId": "tmt-0fd4b591901182794"}},
     {"CreateTrafficMirrorSessionResponse": {
         "requestId": "4698f691-c987-412d-b11d-e4aa285394d1", "xmlns": EC2_XMLNS,
         "clientToken": "c773e3fd-0611-4fb0-a436-67fbef29031e",
         "trafficMirrorSession": {"trafficMirrorSessionId": "tms-0d2c4e6f8a0b1c3d5",
                                  "trafficMirrorTargetId": "tmt-0fd4b591901182794",
                                  "trafficMirrorFilterId": "tmf-010db9a7d8056cc2d",
                                  "networkInterfaceId": "eni-0c61fbc84fca4138f", "ownerId": ACCOUNT,
                                  "sessionNumber": 1, "virtualNetworkId": 13314501, "tagSet": ""}}},
     "AWS::EC2::TrafficMirrorSession", "tms-0d2c4e6f8a0b1c3d5"),
    # --- Lambda (unversioned event name), Auto Scaling, EFS
    ("lambda.amazonaws.com", "CreateFunction",
     {"functionName": "thumbs", "runtime": "python3.12", "role": f"arn:aws:iam::{ACCOUNT}:role/thumbs-exec",
      "handler": "app.handler", "code": {}},
     {"functionName": "thumbs", "functionArn": _arn("lambda", "function:thumbs"), "runtime": "python3.12",
      "codeSize": 2048, "state": "Pending", "version": "$LATEST"},
     "AWS::Lambda::Function", "thumbs"),
    ("autoscaling.amazonaws.com", "CreateLaunchConfiguration",  # the query API returns nothing
     {"launchConfigurationName": "web-lc", "imageId": "ami-0abcdef1234567890", "instanceType": "t3.micro"}, None,
     "AWS::AutoScaling::LaunchConfiguration", "web-lc"),
    ("elasticfilesystem.amazonaws.com", "CreateAccessPoint",
     {"clientToken": "tok-2", "fileSystemId": "fs-0123456789abcdef0", "rootDirectory": {"path": "/data"}},
     {"clientToken": "tok-2", "accessPointId": "fsap-0123456789abcdef0", "fileSystemId": "fs-0123456789abcdef0",
      "accessPointArn": _arn("elasticfilesystem", "access-point/fsap-0123456789abcdef0"),
      "lifeCycleState": "creating", "ownerId": ACCOUNT, "tags": []},
     "AWS::EFS::AccessPoint", "fsap-0123456789abcdef0"),
    # --- RDS: the result's inner object flattened into responseElements, identifiers lower-cased by RDS
    ("rds.amazonaws.com", "CreateDBInstanceReadReplica",
     {"dBInstanceIdentifier": "Orders-Replica", "sourceDBInstanceIdentifier": "orders-db",
      "dBInstanceClass": "db.r6g.large"},
     {"dBInstanceIdentifier": "orders-replica", "dBInstanceArn": _arn("rds", "db:orders-replica"),
      "dBInstanceStatus": "creating", "readReplicaSourceDBInstanceIdentifier": "orders-db", "engine": "postgres"},
     "AWS::RDS::DBInstance", "orders-replica"),
    ("rds.amazonaws.com", "RestoreDBInstanceToPointInTime",
     {"sourceDBInstanceIdentifier": "orders-db", "targetDBInstanceIdentifier": "Orders-PITR",
      "useLatestRestorableTime": True},
     {"dBInstanceIdentifier": "orders-pitr", "dBInstanceArn": _arn("rds", "db:orders-pitr"),
      "dBInstanceStatus": "creating", "engine": "postgres"},
     "AWS::RDS::DBInstance", "orders-pitr"),
    ("rds.amazonaws.com", "RestoreDBInstanceFromS3",
     {"dBInstanceIdentifier": "imported-db", "dBInstanceClass": "db.m5.large", "engine": "mysql",
      "sourceEngine": "mysql", "sourceEngineVersion": "8.0.28", "s3BucketName": "db-backups",
      "s3IngestionRoleArn": f"arn:aws:iam::{ACCOUNT}:role/rds-s3-import", "allocatedStorage": 100,
      "masterUsername": "admin", "masterUserPassword": "****"},
     {"dBInstanceIdentifier": "imported-db", "dBInstanceArn": _arn("rds", "db:imported-db"),
      "dBInstanceStatus": "creating", "engine": "mysql", "allocatedStorage": 100},
     "AWS::RDS::DBInstance", "imported-db"),
    ("rds.amazonaws.com", "CreateDBCluster",
     {"dBClusterIdentifier": "Aurora-Prod", "engine": "aurora-postgresql", "masterUsername": "admin",
      "masterUserPassword": "****"},
     {"dBClusterIdentifier": "aurora-prod", "dBClusterArn": _arn("rds", "cluster:aurora-prod"), "status": "creating",
      "engine": "aurora-postgresql", "dbClusterResourceId": "cluster-ABCDEFGHIJKLMNOPQRSTUVWXY0"},
     "AWS::RDS::DBCluster", "aurora-prod"),
    ("rds.amazonaws.com", "RestoreDBClusterFromSnapshot",
     {"dBClusterIdentifier": "aurora-restored", "snapshotIdentifier": "aurora-prod-manual",
      "engine": "aurora-postgresql"},
     {"dBClusterIdentifier": "aurora-restored", "dBClusterArn": _arn("rds", "cluster:aurora-restored"),
      "status": "creating", "engine": "aurora-postgresql"},
     "AWS::RDS::DBCluster", "aurora-restored"),
    ("rds.amazonaws.com", "RestoreDBClusterToPointInTime",
     {"dBClusterIdentifier": "aurora-pitr", "sourceDBClusterIdentifier": "aurora-prod",
      "useLatestRestorableTime": True},
     {"dBClusterIdentifier": "aurora-pitr", "dBClusterArn": _arn("rds", "cluster:aurora-pitr"),
      "status": "creating", "engine": "aurora-postgresql"},
     "AWS::RDS::DBCluster", "aurora-pitr"),
    ("rds.amazonaws.com", "RestoreDBClusterFromS3",
     {"dBClusterIdentifier": "aurora-import", "engine": "aurora-mysql", "sourceEngine": "mysql",
      "sourceEngineVersion": "8.0.28", "s3BucketName": "db-backups", "masterUsername": "admin",
      "s3IngestionRoleArn": f"arn:aws:iam::{ACCOUNT}:role/rds-s3-import", "masterUserPassword": "****"},
     {"dBClusterIdentifier": "aurora-import", "dBClusterArn": _arn("rds", "cluster:aurora-import"),
      "status": "creating", "engine": "aurora-mysql"},
     "AWS::RDS::DBCluster", "aurora-import"),
    ("rds.amazonaws.com", "CopyDBSnapshot",
     {"sourceDBSnapshotIdentifier": _arn("rds", "snapshot:orders-2024-06-01"),
      "targetDBSnapshotIdentifier": "Orders-2024-06-01-Copy", "copyTags": True},
     {"dBSnapshotIdentifier": "orders-2024-06-01-copy", "dBSnapshotArn": _arn("rds", "snapshot:orders-2024-06-01-copy"),
      "status": "pending", "snapshotType": "manual", "engine": "postgres", "allocatedStorage": 20,
      "dBInstanceIdentifier": "orders-db", "sourceDBSnapshotIdentifier": _arn("rds", "snapshot:orders-2024-06-01")},
     "AWS::RDS::DBSnapshot", "orders-2024-06-01-copy"),
    ("rds.amazonaws.com", "CreateDBClusterSnapshot",
     {"dBClusterSnapshotIdentifier": "aurora-prod-manual", "dBClusterIdentifier": "aurora-prod"},
     {"dBClusterSnapshotIdentifier": "aurora-prod-manual",
      "dBClusterSnapshotArn": _arn("rds", "cluster-snapshot:aurora-prod-manual"), "dBClusterIdentifier": "aurora-prod",
      "status": "creating", "snapshotType": "manual", "engine": "aurora-postgresql"},
     "AWS::RDS::DBClusterSnapshot", "aurora-prod-manual"),
    ("rds.amazonaws.com", "CopyDBClusterSnapshot",
     {"sourceDBClusterSnapshotIdentifier": _arn("rds", "cluster-snapshot:aurora-prod-manual"),
      "targetDBClusterSnapshotIdentifier": "aurora-prod-eu"},
     {"dBClusterSnapshotIdentifier": "aurora-prod-eu",
      "dBClusterSnapshotArn": _arn("rds", "cluster-snapshot:aurora-prod-eu"), "status": "copying"},
     "AWS::RDS::DBClusterSnapshot", "aurora-prod-eu"),
    # --- DynamoDB restores, ElastiCache, Redshift, DMS, Glue
    ("dynamodb.amazonaws.com", "RestoreTableFromBackup",
     {"targetTableName": "orders-restored", "backupArn": _arn("dynamodb", "table/orders/backup/01717171717171-abcdef12")},
     {"tableDescription": {"tableName": "orders-restored", "tableStatus": "CREATING",
                           "tableArn": _arn("dynamodb", "table/orders-restored"),
                           "restoreSummary": {"restoreInProgress": True,
                                              "sourceBackupArn": _arn("dynamodb", "table/orders/backup/01717171717171-abcdef12")}}},
     "AWS::DynamoDB::Table", "orders-restored"),
    ("dynamodb.amazonaws.com", "RestoreTableToPointInTime",
     {"sourceTableName": "orders", "targetTableName": "orders-pitr", "useLatestRestorableTime": True},
     {"tableDescription": {"tableName": "orders-pitr", "tableStatus": "CREATING",
                           "tableArn": _arn("dynamodb", "table/orders-pitr"),
                           "restoreSummary": {"restoreInProgress": True, "sourceTableArn": _arn("dynamodb", "table/orders")}}},
     "AWS::DynamoDB::Table", "orders-pitr"),
    ("elasticache.amazonaws.com", "CreateReplicationGroup",  # query API, result flattened like RDS
     {"replicationGroupId": "Sessions", "replicationGroupDescription": "web sessions", "engine": "redis",
      "cacheNodeType": "cache.r6g.large", "numCacheClusters": 2},
     {"replicationGroupId": "sessions", "aRN": _arn("elasticache", "replicationgroup:sessions"), "status": "creating",
      "description": "web sessions", "memberClusters": ["sessions-001", "sessions-002"]},
     "AWS::ElastiCache::ReplicationGroup", "sessions"),
    ("elasticache.amazonaws.com", "CreateServerlessCache", {"serverlessCacheName": "Carts", "engine": "valkey"},
     {"serverlessCache": {"serverlessCacheName": "carts", "status": "creating", "engine": "valkey",
                          "aRN": _arn("elasticache", "serverlesscache:carts")}},
     "AWS::ElastiCache::ServerlessCache", "carts"),
    ("redshift.amazonaws.com", "RestoreFromClusterSnapshot",
     {"clusterIdentifier": "Analytics-Restored", "snapshotIdentifier": "analytics-snap"},
     {"clusterIdentifier": "analytics-restored", "clusterStatus": "creating", "nodeType": "ra3.xlplus",
      "numberOfNodes": 2, "restoreStatus": {"status": "starting"}},
     "AWS::Redshift::Cluster", "analytics-restored"),
    ("redshift-serverless.amazonaws.com", "CreateWorkgroup",
     {"workgroupName": "analytics-wg", "namespaceName": "analytics", "baseCapacity": 32},
     {"workgroup": {"workgroupName": "analytics-wg", "workgroupId": UUID.lower(), "namespaceName": "analytics",
                    "workgroupArn": _arn("redshift-serverless", f"workgroup/{UUID.lower()}"), "status": "CREATING",
                    "baseCapacity": 32}},
     "AWS::RedshiftServerless::Workgroup", "analytics-wg"),
    ("dms.amazonaws.com", "CreateReplicationInstance",
     {"replicationInstanceIdentifier": "migrate-ri", "replicationInstanceClass": "dms.t3.medium"},
     {"replicationInstance": {"replicationInstanceIdentifier": "migrate-ri", "replicationInstanceClass": "dms.t3.medium",
                              "replicationInstanceStatus": "creating",
                              "replicationInstanceArn": _arn("dms", "rep:ABCDEFGHIJKLMNOPQRSTUVWXYZ")}},
     "AWS::DMS::ReplicationInstance", "ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
    ("dms.amazonaws.com", "CreateReplicationTask",
     {"replicationTaskIdentifier": "full-load", "migrationType": "full-load",
      "replicationInstanceArn": _arn("dms", "rep:ABCDEFGHIJKLMNOPQRSTUVWXYZ")},
     {"replicationTask": {"replicationTaskIdentifier": "full-load", "status": "creating", "migrationType": "full-load",
                          "replicationTaskArn": _arn("dms", "task:ZYXWVUTSRQPONMLKJIHGFEDCBA")}},
     "AWS::DMS::ReplicationTask", "ZYXWVUTSRQPONMLKJIHGFEDCBA"),
    ("glue.amazonaws.com", "CreateDevEndpoint",
     {"endpointName": "dev-ep", "roleArn": f"arn:aws:iam::{ACCOUNT}:role/glue-dev", "numberOfNodes": 5},
     {"endpointName": "dev-ep", "status": "PROVISIONING", "roleArn": f"arn:aws:iam::{ACCOUNT}:role/glue-dev",
      "numberOfNodes": 5, "createdTimestamp": "May 2, 2024, 9:23:12 AM"},
     "AWS::Glue::DevEndpoint", "dev-ep"),
    # --- IAM identity providers and MFA devices, KMS, CloudHSM
    ("iam.amazonaws.com", "CreateSAMLProvider",  # as in a real (semi-synthetic) Panther test record
     {"name": "AWSSSO_abdf34fd171b4a7e_DO_NOT_DELETE", "sAMLMetadataDocument": "<?xml version=\"1.0\"?></xml>"},
     {"sAMLProviderArn": f"arn:aws:iam::{ACCOUNT}:saml-provider/AWSSSO_abdf34fd171b4a7e_DO_NOT_DELETE"},
     "AWS::IAM::SAMLProvider", "AWSSSO_abdf34fd171b4a7e_DO_NOT_DELETE"),
    ("iam.amazonaws.com", "CreateOpenIDConnectProvider",
     {"url": "https://token.actions.githubusercontent.com", "clientIDList": ["sts.amazonaws.com"],
      "thumbprintList": ["6938fd4d98bab03faadb97b34396831e3780aea1"]},
     {"openIDConnectProviderArn": f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"},
     "AWS::IAM::OIDCProvider", "token.actions.githubusercontent.com"),
    ("iam.amazonaws.com", "CreateVirtualMFADevice", {"virtualMFADeviceName": "alice", "path": "/"},
     {"virtualMFADevice": {"serialNumber": f"arn:aws:iam::{ACCOUNT}:mfa/alice"}},  # the seed is not logged
     "AWS::IAM::VirtualMFADevice", "alice"),
    ("kms.amazonaws.com", "ReplicateKey",
     {"keyId": _arn("kms", f"key/{MRK}"), "replicaRegion": "eu-west-1"},
     {"replicaKeyMetadata": {"aWSAccountId": ACCOUNT, "keyId": MRK, "keyState": "Creating", "multiRegion": True,
                             "arn": f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/{MRK}", "keyManager": "CUSTOMER"}},
     "AWS::KMS::Key", MRK),
    ("kms.amazonaws.com", "CreateAlias",  # no response
     {"aliasName": "alias/app-key", "targetKeyId": "1234abcd-12ab-34cd-56ef-1234567890ab"}, None,
     "AWS::KMS::Alias", "alias/app-key"),
    ("cloudhsm.amazonaws.com", "CreateHsm", {"clusterId": "cluster-dqf7m6ithhc", "availabilityZone": "us-east-1a"},
     {"hsm": {"hsmId": "hsm-ted36yp5b2x", "clusterId": "cluster-dqf7m6ithhc", "availabilityZone": "us-east-1a",
              "subnetId": "subnet-07c118e47bb84cee7", "eniId": "eni-0a1b2c3d4e5f60718", "eniIp": "10.0.1.12",
              "state": "CREATE_IN_PROGRESS"}},
     "AWS::CloudHSM::Hsm", "hsm-ted36yp5b2x"),
    # --- CloudFormation, Service Catalog, CloudWatch, EventBridge
    ("cloudformation.amazonaws.com", "CreateStackSet",
     {"stackSetName": "baseline-guardrails", "templateURL": "https://s3.amazonaws.com/tpl/baseline.yaml",
      "permissionModel": "SERVICE_MANAGED"},
     {"stackSetId": "baseline-guardrails:6b8b4567-0c3e-4d2a-9f11-2a3b4c5d6e7f"},
     "AWS::CloudFormation::StackSet", "baseline-guardrails"),
    ("servicecatalog.amazonaws.com", "ProvisionProduct",
     {"productId": "prod-abcdefghijklm", "provisioningArtifactId": "pa-abcdefghijklm",
      "provisionedProductName": "team-bucket", "provisionToken": "tok-3"},
     {"recordDetail": {"recordId": "rec-abcdefghijklm", "provisionedProductName": "team-bucket", "status": "CREATED",
                       "provisionedProductType": "CFN_STACK", "recordType": "PROVISION_PRODUCT",
                       "provisionedProductId": "pp-abcdefghijklm", "productId": "prod-abcdefghijklm",
                       "provisioningArtifactId": "pa-abcdefghijklm"}},
     "AWS::ServiceCatalog::CloudFormationProvisionedProduct", "pp-abcdefghijklm"),
    ("monitoring.amazonaws.com", "PutCompositeAlarm",  # no response
     {"alarmName": "service-health", "alarmRule": "ALARM(high-cpu) OR ALARM(high-latency)"}, None,
     "AWS::CloudWatch::Alarm", "service-health"),
    ("events.amazonaws.com", "CreateEventBus", {"name": "orders-bus"},
     {"eventBusArn": _arn("events", "event-bus/orders-bus")}, "AWS::Events::EventBus", "orders-bus"),
    # --- API Gateway: REST API input wrapped as createRestApiInput (like the real createStageInput)
    ("apigateway.amazonaws.com", "CreateRestApi",
     {"createRestApiInput": {"name": "orders-api", "endpointConfiguration": {"types": ["REGIONAL"]}},
      "template": False},
     {"id": "a7b8c9d0e1", "name": "orders-api", "createdDate": "May 2, 2024, 9:23:12 AM", "apiKeySource": "HEADER",
      "rootResourceId": "r00tid1234", "self": {"restApiId": "a7b8c9d0e1", "template": False}},
     "AWS::ApiGateway::RestApi", "a7b8c9d0e1"),
    ("apigateway.amazonaws.com", "ImportRestApi", {"failOnWarnings": False, "body": "HIDDEN_DUE_TO_SECURITY_REASONS"},
     {"id": "b8c9d0e1f2", "name": "petstore", "createdDate": "May 2, 2024, 9:23:12 AM",
      "self": {"restApiId": "b8c9d0e1f2", "template": False}},
     "AWS::ApiGateway::RestApi", "b8c9d0e1f2"),
    # --- App Mesh, CloudFront (rest-xml, logged lowerCamel: distribution.aRN as in the real CreateDistribution)
    ("appmesh.amazonaws.com", "CreateVirtualService",
     {"meshName": "m1", "virtualServiceName": "orders.local", "spec": {}},
     {"virtualService": {"meshName": "m1", "virtualServiceName": "orders.local", "spec": {},
                         "status": {"status": "ACTIVE"},
                         "metadata": {"arn": _arn("appmesh", "mesh/m1/virtualService/orders.local"), "version": 1}}},
     "AWS::AppMesh::VirtualService", "m1/orders.local"),
    ("cloudfront.amazonaws.com", "CreateDistributionWithTags",
     {"distributionConfigWithTags": {"distributionConfig": {"callerReference": "tok-4", "enabled": True},
                                     "tags": {"items": [{"key": "team", "value": "web"}]}}},
     {"location": "https://cloudfront.amazonaws.com/2020-05-31/distribution/E2WITHTAGSEXMPL", "eTag": "E3DFGD1PHNLYY3",
      "distribution": {"id": "E2WITHTAGSEXMPL", "status": "InProgress", "domainName": "d111111abcdef8.cloudfront.net",
                       "aRN": f"arn:aws:cloudfront::{ACCOUNT}:distribution/E2WITHTAGSEXMPL"}},
     "AWS::CloudFront::Distribution", "E2WITHTAGSEXMPL"),
    ("cloudfront.amazonaws.com", "CopyDistribution",
     {"primaryDistributionId": "E53370FUHBNLK", "callerReference": "tok-5", "staging": True},
     {"location": "https://cloudfront.amazonaws.com/2020-05-31/distribution/E3STAGINGEXMPL", "eTag": "E1ABCDEF",
      "distribution": {"id": "E3STAGINGEXMPL", "status": "InProgress", "domainName": "d222222abcdef8.cloudfront.net",
                       "aRN": f"arn:aws:cloudfront::{ACCOUNT}:distribution/E3STAGINGEXMPL"}},
     "AWS::CloudFront::Distribution", "E3STAGINGEXMPL"),
    *[("cloudfront.amazonaws.com", event,
       {"name": "add-headers", "functionConfig": {"comment": "", "runtime": "cloudfront-js-2.0"},
        "functionCode": "HIDDEN_DUE_TO_SECURITY_REASONS"},
       {"location": "https://cloudfront.amazonaws.com/2020-05-31/function/add-headers", "eTag": "ETVPDKIKX0DER",
        "functionSummary": {"name": "add-headers", "status": "UNPUBLISHED",
                            "functionMetadata": {"functionARN": f"arn:aws:cloudfront::{ACCOUNT}:function/add-headers",
                                                 "stage": "DEVELOPMENT"}}},
       "AWS::CloudFront::Function", "add-headers")
      for event in ("CreateFunction", "CreateFunction2020_05_31")],
]


def _row_id(row):
    return f"{row[0].split('.')[0]}:{row[1]}"


@pytest.mark.parametrize("row", CREATIONS, ids=_row_id)
def test_creation_rule_extracts_the_created_resource(row):
    source, event, req, resp, rtype, rid, *top = row
    record = rec(source, event, req, resp, **(top[0] if top else {}))
    created = [(r.resource_type, r.resource_id) for r in refs(record) if r.action == "create" and r.via == "catalog"]
    assert (rtype, rid) in created, created


def test_every_creation_rule_has_a_row():
    """Every creation rule of every catalog type is checked on a record: a row of CREATIONS or
    REAL_CREATIONS here, or a case of tests/unit/test_resources.py. A type added without one fails here."""
    rows = {(r[0], r[1], r[4]) for r in CREATIONS} | {(r[1], r[2], r[4]) for r in REAL_CREATIONS}
    rows |= {(case.source, case.event, rtype) for case in CORE_CASES
             for action, rtype, *_ in case.expected if action == "create"}
    missing = [(e.source, ev, e.type) for e in TYPES_ONLY for ev in e.create if (e.source, ev, e.type) not in rows]
    assert not missing, f"creation rules without a record in the tests: {missing}"


def test_rest_api_is_named_by_the_api_name():
    """API Gateway logs a REST API's input wrapped (createRestApiInput); the response carries the name."""
    row = next(r for r in CREATIONS if r[1] == "CreateRestApi")
    named = {(r.resource_type, r.name) for r in refs(rec(*row[:4])) if r.action == "create"}
    assert named == {("AWS::ApiGateway::RestApi", "orders-api")}


# --- deletions and modifications of some of the new types --------------------------------------------------

CHANGES = [
    ("amazonmq.amazonaws.com", "DeleteBroker", {"brokerId": "b-1234abcd-56ef-78ab-90cd-1234567890ab"}, None,
     "delete", "AWS::AmazonMQ::Broker", "b-1234abcd-56ef-78ab-90cd-1234567890ab"),
    ("lambda.amazonaws.com", "DeleteLayerVersion", {"layerName": "deps", "versionNumber": 3}, None,
     "delete", "AWS::Lambda::LayerVersion", "deps/3"),
    ("lambda.amazonaws.com", "DeleteEventSourceMapping", {"uUID": UUID}, {"uUID": UUID, "state": "Deleting"},
     "delete", "AWS::Lambda::EventSourceMapping", UUID),
    ("lambda.amazonaws.com", "UpdateAlias20150331", {"functionName": "fn", "name": "live"}, {"name": "live"},
     "modify", "AWS::Lambda::Alias", "fn/live"),
    ("eks.amazonaws.com", "DeleteFargateProfile", {"clusterName": "prod", "fargateProfileName": "fp"}, {},
     "delete", "AWS::EKS::FargateProfile", "prod/fp"),
    ("eks.amazonaws.com", "UpdateAddon", {"clusterName": "prod", "addonName": "vpc-cni"}, {},
     "modify", "AWS::EKS::Addon", "prod/vpc-cni"),
    ("batch.amazonaws.com", "DeleteJobQueue", {"jobQueue": _arn("batch", "job-queue/jq")}, None,
     "delete", "AWS::Batch::JobQueue", "jq"),
    ("elasticbeanstalk.amazonaws.com", "TerminateEnvironment", {"environmentName": "shop-prod"},
     {"environmentId": "e-abcdef1234"}, "delete", "AWS::ElasticBeanstalk::Environment", "e-abcdef1234"),
    ("lightsail.amazonaws.com", "StopInstance", {"instanceName": "web-1"}, {"operations": []},
     "modify", "AWS::Lightsail::Instance", "web-1"),
    ("workspaces.amazonaws.com", "TerminateWorkspaces", {"terminateWorkspaceRequests": [{"workspaceId": "ws-1"}]},
     {"failedRequests": []}, "delete", "AWS::WorkSpaces::Workspace", "ws-1"),
    ("workspaces.amazonaws.com", "StopWorkspaces", {"stopWorkspaceRequests": [{"workspaceId": "ws-1"}]},
     {"failedRequests": []}, "modify", "AWS::WorkSpaces::Workspace", "ws-1"),
    ("apprunner.amazonaws.com", "PauseService",
     {"serviceArn": _arn("apprunner", "service/api/8fe1e10304f84fd2b0df550fe98a71fa")}, {},
     "modify", "AWS::AppRunner::Service", "api"),
    ("memorydb.amazonaws.com", "UpdateCluster", {"clusterName": "mem1"}, {}, "modify", "AWS::MemoryDB::Cluster", "mem1"),
    ("fsx.amazonaws.com", "DeleteFileSystem", {"fileSystemId": "fs-0123456789abcdef0"}, {},
     "delete", "AWS::FSx::FileSystem", "fs-0123456789abcdef0"),
    ("backup.amazonaws.com", "DeleteBackupVault", {"backupVaultName": "vault1"}, None,
     "delete", "AWS::Backup::BackupVault", "vault1"),
    ("transfer.amazonaws.com", "DeleteUser", {"serverId": "s-01234567890abcdef", "userName": "bob"}, None,
     "delete", "AWS::Transfer::User", "s-01234567890abcdef/bob"),
    ("states.amazonaws.com", "DeleteStateMachine", {"stateMachineArn": _arn("states", "stateMachine:flow")}, None,
     "delete", "AWS::StepFunctions::StateMachine", "flow"),
    ("scheduler.amazonaws.com", "DeleteSchedule", {"name": "nightly", "groupName": "default"}, {},
     "delete", "AWS::Scheduler::Schedule", "default/nightly"),
    ("acm.amazonaws.com", "DeleteCertificate", {"certificateArn": _arn("acm", f"certificate/{UUID}")}, None,
     "delete", "AWS::CertificateManager::Certificate", UUID),
    ("cognito-idp.amazonaws.com", "DeleteUserPool", {"userPoolId": "us-east-1_AbCdEf123"}, None,
     "delete", "AWS::Cognito::UserPool", "us-east-1_AbCdEf123"),
    ("wafv2.amazonaws.com", "UpdateWebACL", {"name": "n", "scope": "REGIONAL", "id": UUID.lower()}, {},
     "modify", "AWS::WAFv2::WebACL", UUID.lower()),
    ("guardduty.amazonaws.com", "DeleteDetector", {"detectorId": GD}, None, "delete", "AWS::GuardDuty::Detector", GD),
    ("config.amazonaws.com", "StopConfigurationRecorder", {"configurationRecorderName": "default"}, None,
     "modify", "AWS::Config::ConfigurationRecorder", "default"),
    ("codecommit.amazonaws.com", "DeleteRepository", {"repositoryName": "repo"}, {"repositoryId": "x"},
     "delete", "AWS::CodeCommit::Repository", "repo"),
    ("bedrock.amazonaws.com", "DeleteProvisionedModelThroughput", {"provisionedModelId": "abc123xyz"}, None,
     "delete", "AWS::Bedrock::ProvisionedModelThroughput", "abc123xyz"),
    ("sagemaker.amazonaws.com", "DeleteModel", {"modelName": "My-Thing"}, None, "delete", "AWS::SageMaker::Model",
     "my-thing"),
    ("sns.amazonaws.com", "Unsubscribe", {"subscriptionArn": _arn("sns", f"alerts:{SUB}")}, None,
     "delete", "AWS::SNS::Subscription", SUB),
    ("monitoring.amazonaws.com", "DeleteDashboards", {"dashboardNames": ["ops", "dev"]}, None,
     "delete", "AWS::CloudWatch::Dashboard", "dev"),
    ("rds.amazonaws.com", "ModifyDBParameterGroup", {"dBParameterGroupName": "PG1"}, {"dBParameterGroupName": "pg1"},
     "modify", "AWS::RDS::DBParameterGroup", "pg1"),
]


@pytest.mark.parametrize("row", CHANGES, ids=_row_id)
def test_delete_and_modify_events_of_new_types(row):
    source, event, req, resp, action, rtype, rid = row
    got = [(r.action, r.resource_type, r.resource_id) for r in refs(rec(source, event, req, resp))
           if r.via == "catalog"]
    assert (action, rtype, rid) in got, got


def test_sns_subscribe_pending_confirmation_creates_nothing_but_still_modifies_the_topic():
    record = rec("sns.amazonaws.com", "Subscribe", {"topicArn": _arn("sns", "alerts"), "protocol": "email"},
                 {"subscriptionArn": "pending confirmation"})
    got = [(r.action, r.resource_type, r.resource_id) for r in refs(record) if r.via == "catalog"]
    assert ("modify", "AWS::SNS::Topic", "alerts") in got
    assert not [g for g in got if g[1] == "AWS::SNS::Subscription"]


# --- real records from ../shared/datasets -----------------------------------------------------------------

def _real(rel: str, event: str, event_id: str | None = None) -> dict:
    path = DATASETS / rel
    if not path.is_file():
        pytest.skip(f"{path} is not present")
    for r in read_records(path):
        if r.get("eventName") == event and (event_id is None or r.get("eventID") == event_id):
            return r
    pytest.fail(f"{rel}: no {event} record")


# Real successful creations from ../shared/datasets: (file, eventSource, eventName, eventID, type, id)
PANTHER = "panther-tests/panther_cloudtrail_test_events.jsonl"
INV = "invictus-aws/CloudTrail/218007301253_CloudTrail_us-east-1_20230710T"
REAL_CREATIONS = [
    (INV + "1220Z_sM25jC0Ku0QcGkDa.json", "rds.amazonaws.com", "CreateDBSnapshot",
     "0516b66a-77ec-4479-a82d-0cda54d3fc5d", "AWS::RDS::DBSnapshot", "exfiltration"),
    (INV + "1220Z_ovtmbuX3ENJ119uH.json", "rds.amazonaws.com", "CreateDBSubnetGroup",
     "726b9d86-35ea-49a3-b87a-2c44f9b5ddad", "AWS::RDS::DBSubnetGroup", "stratus-red-team-share-snap-vpc"),
    (PANTHER, "rds.amazonaws.com", "RestoreDBInstanceFromDBSnapshot", "797163d3-5726-441d-80a7-6eeb7464acd4",
     "AWS::RDS::DBInstance", "test-instance"),
    (PANTHER, "ec2.amazonaws.com", "CreateTrafficMirrorTarget", "1ca9056c-efe7-4415-bb35-bbee893b9bd0",
     "AWS::EC2::TrafficMirrorTarget", "tmt-0a45c694b91bcea54"),
    (PANTHER, "ec2.amazonaws.com", "CreateTrafficMirrorFilter", "a3c6297b-3320-4d32-b224-cc45ee75d561",
     "AWS::EC2::TrafficMirrorFilter", "tmf-010db9a7d8056cc2d"),
    # an HTTP API's stage: same source and event name as a REST API's, told apart by apiId vs restApiId
    ("traildiscover-logexamples/CreateStage.json", "apigateway.amazonaws.com", "CreateStage",
     "b5a95a84-67cf-4639-99c0-c58cc8e4d8f0", "AWS::ApiGatewayV2::Stage", "5614585pm4/$default"),
]


@pytest.mark.parametrize("row", REAL_CREATIONS, ids=lambda row: f"{row[1].split('.')[0]}:{row[2]}")
def test_real_creation_record_extracts_the_created_resource(row):
    rel, source, event, event_id, rtype, rid = row
    record = _real(rel, event, event_id)
    assert (record["eventSource"], record.get("errorCode")) == (source, None)
    found = extract_resources(record, account=record.get("recipientAccountId"), region=record.get("awsRegion"))
    created = [(r.resource_type, r.resource_id) for r in found if r.action == "create" and r.via == "catalog"]
    assert (rtype, rid) in created, created


@pytest.mark.parametrize("rel,event", [
    ("traildiscover-logexamples/CreateInstances.json", "CreateInstances"),
    ("traildiscover-logexamples/CreateServer.json", "CreateServer"),
    ("traildiscover-logexamples/CreateUser.json", "CreateUser"),
    ("traildiscover-logexamples/CreateRule.json", "CreateRule"),
    ("traildiscover-logexamples/CreateDBSecurityGroup.json", "CreateDBSecurityGroup"),
    ("traildiscover-logexamples/AppSync-CreateApiKey.json", "CreateApiKey"),
    ("traildiscover-logexamples/CreateIPSet.json", "CreateIPSet"),
])
def test_real_denied_creations_create_nothing(rel, event):
    """These real records are AccessDenied calls: the catalog knows the event but no resource was created."""
    record = _real(rel, event)
    assert record.get("errorCode") == "AccessDenied"
    assert RULES.get((record["eventSource"], event))
    assert not [r for r in refs(record) if r.action == "create" and r.via == "catalog"]


def test_real_codebuild_visibility_change_modifies_the_project():
    record = _real("panther-tests/panther_cloudtrail_test_events.jsonl", "UpdateProjectVisibility")
    got = {(r.action, r.resource_type, r.resource_id) for r in refs(record) if r.via == "catalog"}
    assert ("modify", "AWS::CodeBuild::Project", "testproject1234") in got


# --- totals -----------------------------------------------------------------------------------------------

def test_catalog_totals():
    creation_rules = {(e.source, ev) for e in TYPES_ONLY for ev in e.create}
    sources = {e.source for e in TYPES_ONLY if e.create}
    assert len(creation_rules) >= 250, len(creation_rules)
    assert len(sources) >= 60, len(sources)
