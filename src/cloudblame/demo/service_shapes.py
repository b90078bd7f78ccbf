"""The ``(requestParameters, responseElements)`` of the other services' calls the story makes, as CloudTrail
writes them: STS (reference cloudtrail.md §2.7), S3 (``Host`` and ``additionalEventData``), IAM and STS
locale-formatted dates, Lambda, RDS (``dBInstanceIdentifier``), DynamoDB, SQS, SNS, EKS, ELBv2,
CloudFormation, Secrets Manager, KMS, SageMaker, Auto Scaling. All the values are made up; ids come from
:class:`~cloudblame.demo.values.Ids`.
"""

from __future__ import annotations

from typing import Any

from cloudblame.demo.ec2_shapes import Shape, tag_list
from cloudblame.demo.values import Ids, iso, locale_date

# --- STS (reference §2.7) ---------------------------------------------------------------------------


def assume_role_shape(role_arn: str, session: str, role_id: str, account: str, key: str, expires: int,
                      duration: int | None = None) -> Shape:
    role_name = role_arn.rsplit("/", 1)[-1]
    req: dict[str, Any] = {"roleArn": role_arn, "roleSessionName": session}
    if duration:
        req["durationSeconds"] = duration
    resp = {"credentials": {"accessKeyId": key, "expiration": locale_date(expires)},
            "assumedRoleUser": {"assumedRoleId": f"{role_id}:{session}",
                                "arn": f"arn:aws:sts::{account}:assumed-role/{role_name}/{session}"}}
    return req, resp


def assume_role_with_saml_shape(role_arn: str, provider_arn: str, session: str, role_id: str, account: str,
                                key: str, expires: int, assertion_id: str, name_qualifier: str,
                                idc_region: str, issuer_id: str) -> Shape:
    role_name = role_arn.rsplit("/", 1)[-1]
    req = {"sAMLAssertionID": assertion_id, "roleSessionName": session, "roleArn": role_arn,
           "principalArn": provider_arn, "durationSeconds": 43200}
    resp = {"credentials": {"accessKeyId": key, "expiration": locale_date(expires)},
            "assumedRoleUser": {"assumedRoleId": f"{role_id}:{session}",
                                "arn": f"arn:aws:sts::{account}:assumed-role/{role_name}/{session}"},
            "packedPolicySize": 0, "subject": session, "subjectType": "persistent",
            "issuer": f"https://portal.sso.{idc_region}.amazonaws.com/saml/assertion/{issuer_id}",
            "audience": "https://signin.aws.amazon.com/saml", "nameQualifier": name_qualifier}
    return req, resp


def assume_role_with_web_identity_shape(role_arn: str, session: str, role_id: str, account: str, key: str,
                                        expires: int, subject: str, provider_arn: str) -> Shape:
    role_name = role_arn.rsplit("/", 1)[-1]
    req = {"roleArn": role_arn, "roleSessionName": session, "durationSeconds": 3600}
    resp = {"credentials": {"accessKeyId": key, "expiration": locale_date(expires)},
            "subjectFromWebIdentityToken": subject,
            "assumedRoleUser": {"assumedRoleId": f"{role_id}:{session}",
                                "arn": f"arn:aws:sts::{account}:assumed-role/{role_name}/{session}"},
            "provider": provider_arn, "audience": "sts.amazonaws.com"}
    return req, resp


# --- S3 ---------------------------------------------------------------------------------------------


def s3_host(bucket: str | None, region: str) -> str:
    if bucket is None:
        return "s3.amazonaws.com" if region == "us-east-1" else f"s3.{region}.amazonaws.com"
    return f"{bucket}.s3.amazonaws.com" if region == "us-east-1" else f"{bucket}.s3.{region}.amazonaws.com"


def s3_additional(ids: Ids, bytes_in: int = 0, bytes_out: int = 0) -> dict[str, Any]:
    return {"SignatureVersion": "SigV4", "CipherSuite": "TLS_AES_128_GCM_SHA256", "bytesTransferredIn": bytes_in,
            "AuthenticationMethod": "AuthHeader", "x-amz-id-2": ids.alnum(56) + "=", "bytesTransferredOut": bytes_out}


def create_bucket_shape(bucket: str, region: str) -> tuple[dict[str, Any], None]:
    req: dict[str, Any] = {"bucketName": bucket, "Host": s3_host(bucket, region)}
    if region != "us-east-1":
        req["CreateBucketConfiguration"] = {"LocationConstraint": region,
                                            "xmlns": "http://s3.amazonaws.com/doc/2006-03-01/"}
    return req, None


def bucket_policy(bucket: str, account: str) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": [
        {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
         "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
         "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
        {"Sid": "AllowAccountRead", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
         "Action": ["s3:GetObject", "s3:ListBucket"],
         "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"]}]}


# --- IAM --------------------------------------------------------------------------------------------

_TRUST = {
    "lambda": '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}',
    "ec2": '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}',
    "eks": '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"eks.amazonaws.com"},"Action":"sts:AssumeRole"}]}',
    "sagemaker": '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"sagemaker.amazonaws.com"},"Action":"sts:AssumeRole"}]}',
}


def _url_quote(text: str) -> str:
    out = []
    for ch in text:
        out.append(ch if ch.isalnum() or ch in "-_.~" else "%" + format(ord(ch), "02X"))
    return "".join(out)


def create_role_shape(ids: Ids, *, account: str, t: int, name: str, service: str, tags: dict[str, Any] | None = None,
                      path: str = "/", description: str | None = None) -> Shape:
    doc = _TRUST[service]
    req: dict[str, Any] = {"path": path, "roleName": name, "assumeRolePolicyDocument": doc}
    if description:
        req["description"] = description
    if tags:
        req["tags"] = tag_list(tags)
    role: dict[str, Any] = {"path": path, "roleName": name, "roleId": ids.key("AROA"), "arn": f"arn:aws:iam::{account}:role{path}{name}",
            "createDate": locale_date(t, comma=False), "assumeRolePolicyDocument": _url_quote(doc)}
    if tags:
        role["tags"] = tag_list(tags)
    return req, {"role": role}


def create_user_shape(ids: Ids, *, account: str, t: int, name: str, tags: dict[str, Any] | None = None) -> Shape:
    req: dict[str, Any] = {"userName": name}
    if tags:
        req["tags"] = tag_list(tags)
    user: dict[str, Any] = {"path": "/", "userName": name, "userId": ids.key("AIDA"), "arn": f"arn:aws:iam::{account}:user/{name}",
            "createDate": locale_date(t, comma=False)}
    if tags:
        user["tags"] = tag_list(tags)
    return req, {"user": user}


def create_access_key_shape(ids: Ids, *, t: int, user: str) -> Shape:
    return ({"userName": user}, {"accessKey": {"accessKeyId": ids.key("AKIA"), "status": "Active", "userName": user,
                                               "createDate": locale_date(t, comma=False)}})


# --- Lambda -----------------------------------------------------------------------------------------


def _function_configuration(ids: Ids, *, account: str, region: str, t: int, name: str, role_arn: str,
                            runtime: str, handler: str, memory: int, timeout: int, env: dict[str, Any] | None) -> dict[str, Any]:
    """The FunctionConfiguration Lambda returns from create and update calls."""
    return {"functionName": name, "functionArn": f"arn:aws:lambda:{region}:{account}:function:{name}",
            "runtime": runtime, "role": role_arn, "handler": handler, "codeSize": ids.rng.randrange(900, 90000),
            "description": "", "timeout": timeout, "memorySize": memory,
            "lastModified": iso(t)[:-1] + ".000+0000", "codeSha256": ids.alnum(43) + "=", "version": "$LATEST",
            "environment": {"variables": env} if env else {}, "tracingConfig": {"mode": "PassThrough"},
            "revisionId": ids.uuid(), "packageType": "Zip", "architectures": ["arm64"],
            "ephemeralStorage": {"size": 512}, "snapStart": {"applyOn": "None", "optimizationStatus": "Off"}}


def create_function_shape(ids: Ids, *, account: str, region: str, t: int, name: str, role_arn: str, runtime: str,
                          handler: str, memory: int, timeout: int, bucket: str, key: str,
                          env: dict[str, Any] | None = None, tags: dict[str, Any] | None = None) -> Shape:
    req = {"functionName": name, "runtime": runtime, "role": role_arn, "handler": handler,
           "code": {"s3Bucket": bucket, "s3Key": key}, "description": "", "timeout": timeout, "memorySize": memory,
           "publish": False, "packageType": "Zip", "environment": {"variables": env} if env else {},
           "architectures": ["arm64"]}
    if tags:
        req["tags"] = tags
    resp = _function_configuration(ids, account=account, region=region, t=t, name=name, role_arn=role_arn,
                                   runtime=runtime, handler=handler, memory=memory, timeout=timeout, env=env)
    resp.update({"state": "Pending", "stateReason": "The function is being created.", "stateReasonCode": "Creating",
                 "loggingConfig": {"logFormat": "Text", "logGroup": f"/aws/lambda/{name}"}})
    return req, resp


def update_function_configuration_shape(ids: Ids, *, account: str, region: str, t: int, name: str,
                                        role_arn: str, runtime: str, handler: str, memory: int, timeout: int,
                                        env: dict[str, Any] | None) -> Shape:
    req = {"functionName": name, "timeout": timeout, "memorySize": memory,
           "environment": {"variables": env} if env else {}}
    resp = _function_configuration(ids, account=account, region=region, t=t, name=name, role_arn=role_arn,
                                   runtime=runtime, handler=handler, memory=memory, timeout=timeout, env=env)
    resp.update({"state": "Active", "lastUpdateStatus": "InProgress",
                 "lastUpdateStatusReason": "The function is being updated.", "lastUpdateStatusReasonCode": "Updating"})
    return req, resp


# --- RDS --------------------------------------------------------------------------------------------


def create_db_instance_shape(ids: Ids, *, account: str, region: str, ident: str, cls: str, engine: str,
                             version: str, storage: int, subnet_group: str, vpc: str, sg: str,
                             tags: dict[str, Any] | None) -> Shape:
    req = {"dBInstanceIdentifier": ident, "allocatedStorage": storage, "dBInstanceClass": cls, "engine": engine,
           "masterUsername": "sandboxadmin", "masterUserPassword": "HIDDEN_DUE_TO_SECURITY_REASONS",
           "vpcSecurityGroupIds": [sg], "dBSubnetGroupName": subnet_group, "backupRetentionPeriod": 1,
           "multiAZ": False, "engineVersion": version, "autoMinorVersionUpgrade": True, "publiclyAccessible": False,
           "storageType": "gp3", "storageEncrypted": True, "copyTagsToSnapshot": True, "deletionProtection": False,
           "tags": [{"key": k, "value": v} for k, v in (tags or {}).items()]}
    resp = {"dBInstanceIdentifier": ident, "dBInstanceClass": cls, "engine": engine, "dBInstanceStatus": "creating",
            "masterUsername": "sandboxadmin", "allocatedStorage": storage, "preferredBackupWindow": "03:12-03:42",
            "backupRetentionPeriod": 1, "dBSecurityGroups": [],
            "vpcSecurityGroups": [{"vpcSecurityGroupId": sg, "status": "active"}],
            "dBParameterGroups": [{"dBParameterGroupName": f"default.{engine}{version.split('.')[0]}",
                                   "parameterApplyStatus": "in-sync"}],
            "dBSubnetGroup": {"dBSubnetGroupName": subnet_group, "dBSubnetGroupDescription": "sandbox databases",
                              "vpcId": vpc, "subnetGroupStatus": "Complete"},
            "preferredMaintenanceWindow": "sun:05:07-sun:05:37", "pendingModifiedValues": {
                "masterUserPassword": "HIDDEN_DUE_TO_SECURITY_REASONS"},
            "multiAZ": False, "engineVersion": version, "autoMinorVersionUpgrade": True,
            "readReplicaDBInstanceIdentifiers": [], "licenseModel": "postgresql-license",
            "optionGroupMemberships": [{"optionGroupName": f"default:{engine}-{version.split('.')[0]}",
                                        "status": "in-sync"}],
            "publiclyAccessible": False, "storageType": "gp3", "dbInstancePort": 0, "storageEncrypted": True,
            "kmsKeyId": f"arn:aws:kms:{region}:{account}:key/{ids.uuid()}",
            "dbiResourceId": "db-" + ids.upper(26), "cACertificateIdentifier": "rds-ca-rsa2048-g1",
            "domainMemberships": [], "copyTagsToSnapshot": True, "monitoringInterval": 0,
            "dBInstanceArn": f"arn:aws:rds:{region}:{account}:db:{ident}", "iAMDatabaseAuthenticationEnabled": False,
            "performanceInsightsEnabled": False, "deletionProtection": False, "associatedRoles": [],
            "tagList": [{"key": k, "value": v} for k, v in (tags or {}).items()], "customerOwnedIpEnabled": False,
            "networkType": "IPV4", "backupTarget": "region", "dedicatedLogVolume": False}
    return req, resp


def delete_db_instance_shape(*, account: str, region: str, ident: str, cls: str, engine: str) -> Shape:
    req = {"dBInstanceIdentifier": ident, "skipFinalSnapshot": True, "deleteAutomatedBackups": True}
    resp = {"dBInstanceIdentifier": ident, "dBInstanceClass": cls, "engine": engine, "dBInstanceStatus": "deleting",
            "dBInstanceArn": f"arn:aws:rds:{region}:{account}:db:{ident}", "deletionProtection": False}
    return req, resp


# --- DynamoDB, SQS, SNS, Logs -----------------------------------------------------------------------


def create_table_shape(ids: Ids, *, account: str, region: str, t: int, name: str, pk: str,
                       sk: str | None = None, tags: dict[str, Any] | None = None) -> Shape:
    attrs = [{"attributeName": pk, "attributeType": "S"}]
    keys = [{"attributeName": pk, "keyType": "HASH"}]
    if sk:
        attrs.append({"attributeName": sk, "attributeType": "S"})
        keys.append({"attributeName": sk, "keyType": "RANGE"})
    req: dict[str, Any] = {"attributeDefinitions": attrs, "tableName": name, "keySchema": keys,
                 "billingMode": "PAY_PER_REQUEST", "deletionProtectionEnabled": False}
    if tags:
        req["tags"] = [{"key": k, "value": v} for k, v in tags.items()]
    resp = {"tableDescription": {
        "attributeDefinitions": attrs, "tableName": name, "keySchema": keys, "tableStatus": "CREATING",
        "creationDateTime": locale_date(t),
        "provisionedThroughput": {"numberOfDecreasesToday": 0, "readCapacityUnits": 0, "writeCapacityUnits": 0},
        "tableSizeBytes": 0, "itemCount": 0, "tableArn": f"arn:aws:dynamodb:{region}:{account}:table/{name}",
        "tableId": ids.uuid(), "billingModeSummary": {"billingMode": "PAY_PER_REQUEST"},
        "deletionProtectionEnabled": False}}
    return req, resp


def queue_url(account: str, region: str, name: str) -> str:
    return f"https://sqs.{region}.amazonaws.com/{account}/{name}"


def create_queue_shape(*, account: str, region: str, name: str, tags: dict[str, Any] | None = None,
                       attributes: dict[str, Any] | None = None) -> Shape:
    req: dict[str, Any] = {"queueName": name}
    if attributes:
        req["attributes"] = attributes
    if tags:
        req["tags"] = tags
    return req, {"queueUrl": queue_url(account, region, name)}


def create_topic_shape(*, account: str, region: str, name: str, tags: dict[str, Any] | None = None) -> Shape:
    req: dict[str, Any] = {"name": name}
    if tags:
        req["tags"] = tag_list(tags)
    return req, {"topicArn": f"arn:aws:sns:{region}:{account}:{name}"}


# --- EKS, ELBv2, CloudFormation, Secrets Manager, KMS, SageMaker, Auto Scaling ----------------------


def create_cluster_shape(ids: Ids, *, account: str, region: str, t: int, name: str, version: str, role_arn: str,
                         subnets: list[str], sg: str, vpc: str, tags: dict[str, Any]) -> Shape:
    req = {"name": name, "version": version, "roleArn": role_arn,
           "resourcesVpcConfig": {"subnetIds": subnets, "securityGroupIds": [sg], "endpointPublicAccess": True,
                                  "endpointPrivateAccess": True},
           "kubernetesNetworkConfig": {"ipFamily": "ipv4"},
           "accessConfig": {"authenticationMode": "API", "bootstrapClusterCreatorAdminPermissions": True},
           "tags": tags, "clientRequestToken": ids.uuid()}
    resp = {"cluster": {
        "name": name, "arn": f"arn:aws:eks:{region}:{account}:cluster/{name}", "createdAt": locale_date(t),
        "version": version, "roleArn": role_arn,
        "resourcesVpcConfig": {"subnetIds": subnets, "securityGroupIds": [sg], "vpcId": vpc,
                               "endpointPublicAccess": True, "endpointPrivateAccess": True,
                               "publicAccessCidrs": ["0.0.0.0/0"]},
        "kubernetesNetworkConfig": {"serviceIpv4Cidr": "172.20.0.0/16", "ipFamily": "ipv4"},
        "logging": {"clusterLogging": [{"types": ["api", "audit", "authenticator", "controllerManager", "scheduler"],
                                        "enabled": False}]},
        "status": "CREATING", "certificateAuthority": {}, "platformVersion": "eks.12", "tags": tags,
        "accessConfig": {"authenticationMode": "API"}, "upgradePolicy": {"supportType": "STANDARD"}}}
    return req, resp


def create_nodegroup_shape(ids: Ids, *, account: str, region: str, t: int, cluster: str, name: str,
                           version: str, node_role: str, subnets: list[str], itype: str, size: int,
                           tags: dict[str, Any]) -> Shape:
    scaling = {"minSize": 1, "maxSize": size + 1, "desiredSize": size}
    req = {"name": cluster, "nodegroupName": name, "scalingConfig": scaling, "diskSize": 50, "subnets": subnets,
           "instanceTypes": [itype], "amiType": "AL2023_x86_64_STANDARD", "nodeRole": node_role,
           "capacityType": "ON_DEMAND", "tags": tags, "clientRequestToken": ids.uuid()}
    resp = {"nodegroup": {
        "nodegroupName": name, "nodegroupArn": f"arn:aws:eks:{region}:{account}:nodegroup/{cluster}/{name}/{ids.uuid()}",
        "clusterName": cluster, "version": version, "releaseVersion": "1.31.3-20241121",
        "createdAt": locale_date(t), "modifiedAt": locale_date(t), "status": "CREATING", "capacityType": "ON_DEMAND",
        "scalingConfig": scaling, "instanceTypes": [itype], "subnets": subnets, "amiType": "AL2023_x86_64_STANDARD",
        "nodeRole": node_role, "diskSize": 50, "health": {"issues": []}, "updateConfig": {"maxUnavailable": 1},
        "tags": tags}}
    return req, resp


def create_load_balancer_shape(ids: Ids, *, account: str, region: str, t: int, name: str, subnets: list[str],
                               azs: list[str], sg: str, vpc: str) -> Shape:
    req = {"name": name, "subnets": subnets, "securityGroups": [sg], "scheme": "internet-facing",
           "type": "application", "ipAddressType": "ipv4"}
    resp = {"loadBalancers": [{
        "loadBalancerArn": f"arn:aws:elasticloadbalancing:{region}:{account}:loadbalancer/app/{name}/{ids.hexid(16)}",
        "dNSName": f"{name}-{ids.rng.randrange(10**8, 10**10)}.{region}.elb.amazonaws.com",
        "canonicalHostedZoneId": "Z35SXDOTRQ7X7K", "createdTime": locale_date(t), "loadBalancerName": name,
        "scheme": "internet-facing", "vpcId": vpc, "state": {"code": "provisioning"}, "type": "application",
        "availabilityZones": [{"zoneName": az, "subnetId": s, "loadBalancerAddresses": []} for az, s in zip(azs, subnets)],
        "securityGroups": [sg], "ipAddressType": "ipv4"}]}
    return req, resp


def create_stack_shape(ids: Ids, *, account: str, region: str, name: str, template_url: str) -> Shape:
    req = {"stackName": name, "templateURL": template_url,
           "parameters": [{"parameterKey": "BootstrapVersion", "parameterValue": "/cdk-bootstrap/hnb659fds/version"}],
           "capabilities": ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"],
           "tags": [], "clientRequestToken": f"exec{ids.uuid()}"}
    return req, {"stackId": f"arn:aws:cloudformation:{region}:{account}:stack/{name}/{ids.uuid()}"}


def create_secret_shape(ids: Ids, *, account: str, region: str, name: str, description: str,
                        kms_key: str | None = None) -> Shape:
    req = {"name": name, "clientRequestToken": ids.uuid(), "description": description,
           "secretString": "HIDDEN_DUE_TO_SECURITY_REASONS", "forceOverwriteReplicaSecret": False}
    if kms_key:
        req["kmsKeyId"] = kms_key
    return req, {"arn": f"arn:aws:secretsmanager:{region}:{account}:secret:{name}-{ids.alnum(6)}"}


def create_key_shape(ids: Ids, *, account: str, region: str, t: int, description: str,
                     tags: dict[str, Any] | None) -> tuple[dict[str, Any], dict[str, Any], str]:
    key_id = ids.uuid()
    arn = f"arn:aws:kms:{region}:{account}:key/{key_id}"
    req = {"description": description, "keyUsage": "ENCRYPT_DECRYPT", "keySpec": "SYMMETRIC_DEFAULT",
           "bypassPolicyLockoutSafetyCheck": False,
           "tags": [{"tagKey": k, "tagValue": v} for k, v in (tags or {}).items()]}
    resp = {"keyMetadata": {"aWSAccountId": account, "keyId": key_id, "arn": arn, "creationDate": locale_date(t),
                            "enabled": True, "description": description, "keyUsage": "ENCRYPT_DECRYPT",
                            "keyState": "Enabled", "origin": "AWS_KMS", "keyManager": "CUSTOMER",
                            "customerMasterKeySpec": "SYMMETRIC_DEFAULT", "keySpec": "SYMMETRIC_DEFAULT",
                            "encryptionAlgorithms": ["SYMMETRIC_DEFAULT"], "multiRegion": False}}
    return req, resp, arn


def schedule_key_deletion_shape(*, key_id: str, arn: str, t: int, days: int) -> Shape:
    end = (t // 86400 + days + 1) * 86400
    return ({"keyId": key_id, "pendingWindowInDays": days},
            {"keyId": arn, "deletionDate": locale_date(end), "keyState": "PendingDeletion", "pendingWindowInDays": days})


def create_notebook_shape(*, account: str, region: str, name: str, itype: str, role_arn: str) -> Shape:
    req = {"notebookInstanceName": name, "instanceType": itype, "roleArn": role_arn, "volumeSizeInGB": 50,
           "directInternetAccess": "Enabled", "rootAccess": "Enabled", "platformIdentifier": "notebook-al2-v3",
           "instanceMetadataServiceConfiguration": {"minimumInstanceMetadataServiceVersion": "2"}}
    return req, {"notebookInstanceArn": f"arn:aws:sagemaker:{region}:{account}:notebook-instance/{name.lower()}"}


def create_asg_shape(*, name: str, launch_template: str, subnets: list[str], size: int, tags: dict[str,
                     Any]) -> tuple[dict[str, Any], None]:
    req = {"autoScalingGroupName": name, "launchTemplate": {"launchTemplateId": launch_template, "version": "$Latest"},
           "minSize": size, "maxSize": size * 2, "desiredCapacity": size, "vPCZoneIdentifier": ",".join(subnets),
           "healthCheckType": "EC2", "healthCheckGracePeriod": 300,
           "tags": [{"resourceId": name, "resourceType": "auto-scaling-group", "key": k, "value": v,
                     "propagateAtLaunch": True} for k, v in tags.items()]}
    return req, None
