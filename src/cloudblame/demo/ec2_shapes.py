"""The ``(requestParameters, responseElements)`` of EC2 calls as CloudTrail writes them (reference
cloudtrail.md §5.4): ``items`` lists, the wrapped PascalCase ``CreateNatGatewayRequest`` and
``CreateNatGatewayResponse``. All the values are made up; ids come from :class:`~cloudblame.demo.values.Ids`.
"""

from __future__ import annotations

from typing import Any, TypeAlias

from cloudblame.demo.values import Ids, iso_ms

# The (requestParameters, responseElements) of one call.
Shape: TypeAlias = tuple[dict[str, Any], dict[str, Any]]

# --- EC2 (reference §5.4) ---------------------------------------------------------------------------


def tag_list(tags: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"key": k, "value": v} for k, v in tags.items()]


def private_dns(region: str, ip: str) -> str:
    dashed = ip.replace(".", "-")
    return f"ip-{dashed}.ec2.internal" if region == "us-east-1" else f"ip-{dashed}.{region}.compute.internal"


def run_instances_shape(ids: Ids, *, account: str, region: str, t: int, image: str, itype: str, subnet: str,
                        vpc: str, sg: str, az: str, tags: dict[str, Any] | None, client_token: str, count: int = 1,
                        launch_template: str | None = None, profile: str | None = None) -> Shape:
    req: dict[str, Any] = {"instancesSet": {"items": [{"imageId": image, "minCount": count, "maxCount": count}]}}
    if launch_template:
        req = {"instancesSet": {"items": [{"minCount": count, "maxCount": count}]},
               "launchTemplate": {"launchTemplateId": launch_template, "version": "1"}}
    req.update({"instanceType": itype, "blockDeviceMapping": {}, "monitoring": {"enabled": False},
                "subnetId": subnet, "disableApiTermination": False, "disableApiStop": False,
                "clientToken": client_token, "groupSet": {"items": [{"groupId": sg}]}})
    if profile:
        req["iamInstanceProfile"] = {"name": profile}
    tag_set = {"items": tag_list(tags)} if tags else {}
    if tags:
        req["tagSpecificationSet"] = {"items": [{"resourceType": "instance", "tags": tag_list(tags)},
                                                {"resourceType": "volume", "tags": tag_list(tags)}]}
    req["metadataOptions"] = {"httpTokens": "required", "httpPutResponseHopLimit": 2, "httpEndpoint": "enabled"}
    items = []
    for i in range(count):
        ip = f"10.0.{ids.rng.randrange(1, 4)}.{ids.rng.randrange(4, 250)}"
        items.append({
            "instanceId": ids.ec2("i"), "imageId": image, "currentInstanceBootMode": "legacy-bios",
            "instanceState": {"code": 0, "name": "pending"}, "privateDnsName": private_dns(region, ip),
            "amiLaunchIndex": i, "productCodes": {}, "instanceType": itype, "launchTime": t * 1000,
            "placement": {"availabilityZone": az, "tenancy": "default"}, "monitoring": {"state": "disabled"},
            "subnetId": subnet, "vpcId": vpc, "privateIpAddress": ip,
            "stateReason": {"code": "pending", "message": "pending"}, "architecture": "x86_64",
            "rootDeviceType": "ebs", "rootDeviceName": "/dev/xvda", "blockDeviceMapping": {},
            "virtualizationType": "hvm", "hypervisor": "xen", "tagSet": tag_set, "clientToken": client_token,
            "groupSet": {"items": [{"groupId": sg}]}, "sourceDestCheck": True,
            "networkInterfaceSet": {"items": [{
                "networkInterfaceId": ids.ec2("eni"), "subnetId": subnet, "vpcId": vpc, "ownerId": account,
                "status": "in-use", "privateIpAddress": ip, "sourceDestCheck": True, "interfaceType": "interface",
                "groupSet": {"items": [{"groupId": sg}]},
                "attachment": {"attachmentId": ids.ec2("eni-attach"), "deviceIndex": 0, "networkCardIndex": 0,
                               "status": "attaching", "attachTime": t * 1000, "deleteOnTermination": True},
                "privateIpAddressesSet": {"item": [{"privateIpAddress": ip, "primary": True}]},
                "ipv6AddressesSet": {}, "tagSet": {}}]},
            "ebsOptimized": False, "enaSupport": True, "cpuOptions": {"coreCount": 1, "threadsPerCore": 2},
            "capacityReservationSpecification": {"capacityReservationPreference": "open"},
            "hibernationOptions": {"configured": False}, "enclaveOptions": {"enabled": False},
            "metadataOptions": {"state": "pending", "httpTokens": "required", "httpPutResponseHopLimit": 2,
                                "httpEndpoint": "enabled", "httpProtocolIpv4": "enabled",
                                "httpProtocolIpv6": "disabled", "instanceMetadataTags": "disabled"},
            "maintenanceOptions": {"autoRecovery": "default"},
            "privateDnsNameOptions": {"hostnameType": "ip-name", "enableResourceNameDnsARecord": False,
                                      "enableResourceNameDnsAAAARecord": False}})
    resp = {"requestId": None, "reservationId": ids.ec2("r"), "ownerId": account, "groupSet": {},
            "instancesSet": {"items": items}}
    return req, resp


def instance_ids_of(resp: dict[str, Any]) -> list[str]:
    return [i["instanceId"] for i in resp["instancesSet"]["items"]]


_STATES = {"running": (16, "running"), "stopping": (64, "stopping"), "stopped": (80, "stopped"),
           "pending": (0, "pending"), "shutting-down": (32, "shutting-down")}


def state_change_shape(instance_ids: list[str], current: str, previous: str, force: bool | None = None) -> Shape:
    req: dict[str, Any] = {"instancesSet": {"items": [{"instanceId": i} for i in instance_ids]}}
    if force is not None:
        req["force"] = force
    c, p = _STATES[current], _STATES[previous]
    resp = {"requestId": None, "instancesSet": {"items": [
        {"instanceId": i, "currentState": {"code": c[0], "name": c[1]}, "previousState": {"code": p[0], "name": p[1]}}
        for i in instance_ids]}}
    return req, resp


def create_tags_shape(resource_ids: list[str], tags: dict[str, Any]) -> Shape:
    return ({"resourcesSet": {"items": [{"resourceId": r} for r in resource_ids]}, "tagSet": {"items": tag_list(tags)}},
            {"requestId": None, "_return": True})


def create_volume_shape(ids: Ids, *, t: int, az: str, size: int, vtype: str, tags: dict[str, Any] | None,
                        client_token: str, encrypted: bool = False) -> Shape:
    req: dict[str, Any] = {"size": str(size), "zone": az, "volumeType": vtype, "encrypted": encrypted}
    if tags:
        req["tagSpecificationSet"] = {"items": [{"resourceType": "volume", "tags": tag_list(tags)}]}
    req["clientToken"] = client_token
    resp = {"requestId": None, "volumeId": ids.ec2("vol"), "size": str(size), "zone": az, "status": "creating",
            "createTime": t * 1000, "volumeType": vtype, "iops": 3000 if vtype == "gp3" else 100,
            "encrypted": encrypted, "tagSet": {"items": tag_list(tags)} if tags else {}, "multiAttachEnabled": False}
    if vtype == "gp3":
        resp["throughput"] = 125
    return req, resp


def create_vpc_shape(ids: Ids, *, account: str, cidr: str, tags: dict[str, Any]) -> Shape:
    req = {"cidrBlock": cidr, "instanceTenancy": "default", "amazonProvidedIpv6CidrBlock": False,
           "tagSpecificationSet": {"items": [{"resourceType": "vpc", "tags": tag_list(tags)}]}}
    resp = {"requestId": None, "vpc": {
        "vpcId": ids.ec2("vpc"), "state": "pending", "ownerId": account, "cidrBlock": cidr,
        "cidrBlockAssociationSet": {"items": [{"cidrBlock": cidr, "associationId": ids.ec2("vpc-cidr-assoc"),
                                               "cidrBlockState": {"state": "associated"}}]},
        "ipv6CidrBlockAssociationSet": {}, "dhcpOptionsId": ids.ec2("dopt"), "instanceTenancy": "default",
        "tagSet": {"items": tag_list(tags)}, "isDefault": False}}
    return req, resp


def create_subnet_shape(ids: Ids, *, account: str, region: str, vpc: str, cidr: str, az: str, az_id: str,
                        tags: dict[str, Any]) -> Shape:
    sid = ids.ec2("subnet")
    req = {"vpcId": vpc, "cidrBlock": cidr, "availabilityZone": az,
           "tagSpecificationSet": {"items": [{"resourceType": "subnet", "tags": tag_list(tags)}]}}
    resp = {"requestId": None, "subnet": {
        "subnetId": sid, "subnetArn": f"arn:aws:ec2:{region}:{account}:subnet/{sid}", "state": "available",
        "vpcId": vpc, "cidrBlock": cidr, "ipv6CidrBlockAssociationSet": {}, "availableIpAddressCount": 251,
        "availabilityZone": az, "availabilityZoneId": az_id, "ownerId": account, "defaultForAz": False,
        "mapPublicIpOnLaunch": False, "assignIpv6AddressOnCreation": False, "tagSet": {"items": tag_list(tags)},
        "privateDnsNameOptionsOnLaunch": {"hostnameType": "ip-name", "enableResourceNameDnsARecord": False,
                                          "enableResourceNameDnsAAAARecord": False},
        "ipv6Native": False, "enableDns64": False}}
    return req, resp


def create_security_group_shape(ids: Ids, *, name: str, description: str, vpc: str,
                                tags: dict[str, Any] | None) -> Shape:
    req: dict[str, Any] = {"groupName": name, "groupDescription": description, "vpcId": vpc}
    resp: dict[str, Any] = {"requestId": None, "_return": True, "groupId": ids.ec2("sg")}
    if tags:
        req["tagSpecificationSet"] = {"items": [{"resourceType": "security-group", "tags": tag_list(tags)}]}
        resp["tagSet"] = {"items": tag_list(tags)}
    return req, resp


def authorize_ingress_shape(ids: Ids, *, account: str, group: str, port: int, cidr: str,
                            description: str) -> Shape:
    req = {"groupId": group, "ipPermissions": {"items": [{
        "ipProtocol": "tcp", "fromPort": port, "toPort": port, "groups": {},
        "ipRanges": {"items": [{"cidrIp": cidr, "description": description}]}, "ipv6Ranges": {},
        "prefixListIds": {}}]}}
    resp = {"requestId": None, "_return": True, "securityGroupRuleSet": {"items": [{
        "groupOwnerId": account, "groupId": group, "securityGroupRuleId": ids.ec2("sgr"), "description": description,
        "isEgress": False, "ipProtocol": "tcp", "fromPort": port, "toPort": port, "cidrIpv4": cidr}]}}
    return req, resp


def allocate_address_shape(ids: Ids, *, region: str, tags: dict[str, Any] | None) -> Shape:
    req: dict[str, Any] = {"domain": "vpc"}
    if tags:
        req["tagSpecificationSet"] = {"items": [{"resourceType": "elastic-ip", "tags": tag_list(tags)}]}
    rng = ids.rng
    resp = {"requestId": None, "publicIp": f"{rng.choice((3, 18, 34, 44, 52, 54))}.{rng.randrange(256)}."
                                          f"{rng.randrange(256)}.{rng.randrange(1, 255)}",
            "domain": "vpc", "allocationId": ids.ec2("eipalloc"), "publicIpv4Pool": "amazon",
            "networkBorderGroup": region}
    return req, resp


def release_address_shape(allocation: str, region: str) -> Shape:
    return {"allocationId": allocation, "networkBorderGroup": region}, {"requestId": None, "_return": True}


def create_nat_gateway_shape(ids: Ids, *, t: int, subnet: str, vpc: str, allocation: str, tags: dict[str, Any],
                             client_token: str) -> Shape:
    req_tags = [{"Value": v, "tag": i + 1, "Key": k} for i, (k, v) in enumerate(tags.items())]
    req = {"CreateNatGatewayRequest": {
        "ConnectivityType": "public", "AllocationId": allocation, "SubnetId": subnet, "ClientToken": client_token,
        "TagSpecification": {"ResourceType": "natgateway", "tag": 1, "Tag": req_tags}}}
    nat = ids.ec2("nat")
    resp = {"CreateNatGatewayResponse": {
        "xmlns": "http://ec2.amazonaws.com/doc/2016-11-15/",
        "natGateway": {"connectivityType": "public", "subnetId": subnet,
                       "tagSet": {"item": [{"value": v, "key": k} for k, v in tags.items()]},
                       "natGatewayAddressSet": {"item": {"isPrimary": True, "allocationId": allocation,
                                                         "status": "associating"}},
                       "createTime": iso_ms(t), "vpcId": vpc, "natGatewayId": nat, "state": "pending"},
        "requestId": None, "clientToken": client_token}}
    return req, resp


def create_launch_template_shape(ids: Ids, *, t: int, name: str, image: str, itype: str, sg: str,
                                 created_by: str, client_token: str) -> Shape:
    req = {"CreateLaunchTemplateRequest": {
        "LaunchTemplateName": name, "ClientToken": client_token,
        "LaunchTemplateData": {"ImageId": image, "InstanceType": itype,
                               "SecurityGroupId": {"tag": 1, "content": sg},
                               "MetadataOptions": {"HttpTokens": "required", "HttpEndpoint": "enabled"}}}}
    resp = {"CreateLaunchTemplateResponse": {
        "xmlns": "http://ec2.amazonaws.com/doc/2016-11-15/", "requestId": None,
        "launchTemplate": {"launchTemplateId": ids.ec2("lt"), "launchTemplateName": name,
                           "createTime": iso_ms(t), "createdBy": created_by,
                           "defaultVersionNumber": 1, "latestVersionNumber": 1}}}
    return req, resp


def create_snapshot_shape(ids: Ids, *, account: str, t: int, volume: str, size: int, description: str) -> Shape:
    req = {"volumeId": volume, "description": description}
    resp = {"requestId": None, "snapshotId": ids.ec2("snap"), "volumeId": volume, "status": "pending",
            "startTime": t * 1000, "progress": "", "ownerId": account, "volumeSize": size,
            "description": description, "encrypted": False}
    return req, resp


def create_key_pair_shape(ids: Ids, *, name: str) -> Shape:
    fp = ":".join(ids.hexid(2) for _ in range(20))
    return ({"keyName": name, "keyType": "ed25519", "keyFormat": "pem"},
            {"requestId": None, "keyName": name, "keyFingerprint": fp, "keyPairId": ids.ec2("key"),
             "keyMaterial": "<sensitiveDataRemoved>"})
