"""EC2 and VPC resource types (``ec2.amazonaws.com``).

Classic EC2 APIs log lowerCamel keys with ``{"items": [...]}`` lists; newer ones are *wrapped*:
``requestParameters.<Op>Request.<PascalKey>`` and ``responseElements.<Op>Response.<lowerKey>``, with lists
as ``{"item": obj-or-list}`` and list members as ``{"content": "...", "tag": 1}``.
"""

from __future__ import annotations

from cloudblame.catalog.base import AnyResource, ResourceType
from cloudblame.catalog.live import Describe
from cloudblame.catalog.pricing import BY_USE, NOT_IN_TABLE, EbsVolume, FlatHourly, Hourly, NoCharge, PerGbMonth
from cloudblame.catalog.usage import EBS_OPS_A_DAY, EC2_CPU_PERCENT, EC2_NETWORK_BYTES_A_DAY, MB, UsageMetric

S = "ec2.amazonaws.com"
REQ = "requestParameters"
RESP = "responseElements"


def _arn(kind: str) -> str:
    return "arn:{partition}:ec2:{region}:{account}:" + kind + "/{id}"


INSTANCE = ResourceType(
    type="AWS::EC2::Instance", source=S, arn=_arn("instance"), tag_type="instance",
    create={
        "RunInstances": f"{RESP}.instancesSet.items[].instanceId",
        "CreateFleet": f"{RESP}.CreateFleetResponse.fleetInstanceSet.item[].instanceIds.item[]",
    },
    delete={"TerminateInstances": (f"{REQ}.instancesSet.items[].instanceId",
                                   f"{RESP}.instancesSet.items[].instanceId")},
    modify={
        **{op: (f"{REQ}.instancesSet.items[].instanceId", f"{RESP}.instancesSet.items[].instanceId")
           for op in ("StartInstances", "StopInstances", "RebootInstances", "MonitorInstances",
                      "UnmonitorInstances")},
        "ModifyInstanceAttribute": f"{REQ}.instanceId",
        "ModifyInstanceMetadataOptions": (f"{REQ}.ModifyInstanceMetadataOptionsRequest.InstanceId",
                                          f"{REQ}.instanceId"),
        "AssociateIamInstanceProfile": (f"{REQ}.AssociateIamInstanceProfileRequest.InstanceId",
                                        f"{REQ}.instanceId"),
    },
    size={"instance_type": f"{REQ}.instanceType"}, size_defaults={"count": 1},
    price=Hourly("ec2", "instance_type", count="count", count_default=1),
    usage=(UsageMetric("AWS/EC2", "CPUUtilization", "InstanceId", "Maximum", EC2_CPU_PERCENT, "CPU", unit="percent"),
           UsageMetric("AWS/EC2", "NetworkIn", "InstanceId", "Sum", EC2_NETWORK_BYTES_A_DAY, "network in",
                       unit="bytes"),
           UsageMetric("AWS/EC2", "NetworkOut", "InstanceId", "Sum", EC2_NETWORK_BYTES_A_DAY, "network out",
                       unit="bytes")),
    live=Describe("ec2", "describe_instances", "InstanceIds", batch=100, items="Reservations[].Instances[]",
                  id_path="InstanceId", state="State.Name", stopped=("stopped", "stopping"),
                  gone=("terminated", "shutting-down"), size={"instance_type": "InstanceType"}, tags="Tags",
                  missing=("InvalidInstanceID.NotFound", "InvalidInstanceID.Malformed")),
)

VOLUME = ResourceType(
    type="AWS::EC2::Volume", source=S, arn=_arn("volume"), tag_type="volume",
    create={"CreateVolume": f"{RESP}.volumeId"},
    delete={"DeleteVolume": f"{REQ}.volumeId"},
    modify={
        "AttachVolume": f"{REQ}.volumeId",
        "DetachVolume": f"{REQ}.volumeId",
        "ModifyVolume": (f"{REQ}.ModifyVolumeRequest.VolumeId", f"{REQ}.volumeId"),
        "ModifyVolumeAttribute": f"{REQ}.volumeId",
    },
    # a volume made from a snapshot, or without a type (gp2), logs them in its response only
    size={"size_gb": (f"{REQ}.size", f"{RESP}.size"),
          "volume_type": (f"{REQ}.volumeType", f"{RESP}.volumeType"),
          "iops": (f"{REQ}.iops", f"{RESP}.iops"), "throughput": (f"{REQ}.throughput", f"{RESP}.throughput")},
    price=EbsVolume(),
    # published only while the volume is attached: an unattached one reads as no data
    usage=(UsageMetric("AWS/EBS", "VolumeReadOps", "VolumeId", "Sum", EBS_OPS_A_DAY, "read ops"),
           UsageMetric("AWS/EBS", "VolumeWriteOps", "VolumeId", "Sum", EBS_OPS_A_DAY, "write ops")),
    live=Describe("ec2", "describe_volumes", "VolumeIds", batch=100, items="Volumes[]", id_path="VolumeId",
                  state="State", gone=("deleting", "deleted"), tags="Tags",
                  missing=("InvalidVolume.NotFound", "InvalidVolume.Malformed"),
                  size={"size_gb": "Size", "volume_type": "VolumeType", "iops": "Iops", "throughput": "Throughput"}),
)

SNAPSHOT = ResourceType(
    type="AWS::EC2::Snapshot", source=S, arn="arn:{partition}:ec2:{region}::snapshot/{id}", tag_type="snapshot",
    create={
        "CreateSnapshot": f"{RESP}.snapshotId",
        # a 2019 API: logged wrapped, like every EC2 API since 2016 seen in real records
        "CreateSnapshots": (f"{RESP}.CreateSnapshotsResponse.snapshotSet.item[].snapshotId",
                            f"{RESP}.snapshotSet.items[].snapshotId"),
        "CopySnapshot": f"{RESP}.snapshotId",
        # asynchronous: the id is only there when the import finished at once (peers read snapshotId)
        "ImportSnapshot": (f"{RESP}.snapshotId", f"{RESP}.snapshotTaskDetail.snapshotId"),
    },
    delete={"DeleteSnapshot": f"{REQ}.snapshotId"},
    modify={"ModifySnapshotAttribute": f"{REQ}.snapshotId", "ResetSnapshotAttribute": f"{REQ}.snapshotId"},
    size={"size_gb": f"{RESP}.volumeSize"},
    price=PerGbMonth("ebs", "snapshot:standard", "snapshot", notes=("upper bound: snapshots are incremental",)),
)

SECURITY_GROUP = ResourceType(
    type="AWS::EC2::SecurityGroup", source=S, arn=_arn("security-group"), tag_type="security-group",
    create={"CreateSecurityGroup": f"{RESP}.groupId"},
    name_paths={"CreateSecurityGroup": f"{REQ}.groupName"},
    delete={"DeleteSecurityGroup": (f"{REQ}.groupId", f"{REQ}.groupName")},
    modify={
        **{op: (f"{REQ}.groupId", f"{RESP}.securityGroupRuleSet.items[].groupId")
           for op in ("AuthorizeSecurityGroupIngress", "AuthorizeSecurityGroupEgress",
                      "RevokeSecurityGroupIngress", "RevokeSecurityGroupEgress",
                      "UpdateSecurityGroupRuleDescriptionsIngress", "UpdateSecurityGroupRuleDescriptionsEgress")},
        "ModifySecurityGroupRules": (f"{REQ}.ModifySecurityGroupRulesRequest.GroupId", f"{REQ}.groupId"),
    },
    price=NoCharge(),
)

VPC = ResourceType(
    type="AWS::EC2::VPC", source=S, arn=_arn("vpc"), tag_type="vpc",
    create={"CreateVpc": f"{RESP}.vpc.vpcId",
            "CreateDefaultVpc": (f"{RESP}.vpc.vpcId", f"{RESP}.CreateDefaultVpcResponse.vpc.vpcId")},
    delete={"DeleteVpc": f"{REQ}.vpcId"},
    modify={"ModifyVpcAttribute": f"{REQ}.vpcId", "AssociateVpcCidrBlock": f"{REQ}.vpcId",
            "ModifyVpcTenancy": (f"{REQ}.ModifyVpcTenancyRequest.VpcId", f"{REQ}.vpcId")},
    price=NoCharge(),
)

SUBNET = ResourceType(
    type="AWS::EC2::Subnet", source=S, arn=_arn("subnet"), tag_type="subnet",
    create={"CreateSubnet": f"{RESP}.subnet.subnetId",
            "CreateDefaultSubnet": (f"{RESP}.subnet.subnetId", f"{RESP}.CreateDefaultSubnetResponse.subnet.subnetId")},
    arn_paths={"CreateSubnet": f"{RESP}.subnet.subnetArn"},
    delete={"DeleteSubnet": f"{REQ}.subnetId"},
    modify={"ModifySubnetAttribute": f"{REQ}.subnetId", "AssociateSubnetCidrBlock": f"{REQ}.subnetId"},
    price=NoCharge(),
)

NAT_GATEWAY = ResourceType(
    type="AWS::EC2::NatGateway", source=S, arn=_arn("natgateway"), tag_type="natgateway",
    create={"CreateNatGateway": f"{RESP}.CreateNatGatewayResponse.natGateway.natGatewayId"},
    delete={"DeleteNatGateway": (f"{REQ}.DeleteNatGatewayRequest.NatGatewayId",
                                 f"{RESP}.DeleteNatGatewayResponse.natGatewayId")},
    modify={op: (f"{REQ}.{op}Request.NatGatewayId", f"{RESP}.{op}Response.natGatewayId")
            for op in ("AssociateNatGatewayAddress", "DisassociateNatGatewayAddress")},
    price=FlatHourly("nat", "gateway", "NAT gateway"),
    usage=(UsageMetric("AWS/NATGateway", "BytesOutToDestination", "NatGatewayId", "Sum", MB, "out", unit="bytes"),
           UsageMetric("AWS/NATGateway", "BytesInFromDestination", "NatGatewayId", "Sum", MB, "back in", unit="bytes")),
    live=Describe("ec2", "describe_nat_gateways", "NatGatewayIds", batch=100, items="NatGateways[]",
                  id_path="NatGatewayId", state="State", gone=("deleting", "deleted", "failed"),
                  missing=("NatGatewayNotFound", "NatGatewayMalformed"), tags="Tags"),
)

EIP = ResourceType(
    type="AWS::EC2::EIP", source=S, arn=_arn("elastic-ip"), tag_type="elastic-ip",
    create={"AllocateAddress": f"{RESP}.allocationId"},
    delete={"ReleaseAddress": (f"{REQ}.allocationId", f"{REQ}.publicIp")},
    modify={"AssociateAddress": (f"{REQ}.allocationId", f"{REQ}.publicIp"),
            "ModifyAddressAttribute": (f"{REQ}.ModifyAddressAttributeRequest.AllocationId", f"{REQ}.allocationId")},
    price=FlatHourly("eip", "in-use", "public IPv4 address"),
    live=Describe("ec2", "describe_addresses", "AllocationIds", batch=100, ids=r"^eipalloc-", items="Addresses[]",
                  id_path="AllocationId", missing=("InvalidAllocationID.NotFound",), tags="Tags"),
)

AMI = ResourceType(
    type="AWS::EC2::Ami", source=S, arn="arn:{partition}:ec2:{region}::image/{id}", tag_type="image",
    aliases=("AWS::EC2::Image",),
    create={"CreateImage": f"{RESP}.imageId", "CopyImage": f"{RESP}.imageId", "RegisterImage": f"{RESP}.imageId"},
    name_paths={"CreateImage": f"{REQ}.name", "CopyImage": f"{REQ}.name", "RegisterImage": f"{REQ}.name"},
    delete={"DeregisterImage": f"{REQ}.imageId"},
    modify={"ModifyImageAttribute": f"{REQ}.imageId", "ResetImageAttribute": f"{REQ}.imageId"},
    unpriced_reason="charged as the EBS snapshots behind it, whose size its events do not record",
)

LAUNCH_TEMPLATE = ResourceType(
    type="AWS::EC2::LaunchTemplate", source=S, arn=_arn("launch-template"), tag_type="launch-template",
    create={"CreateLaunchTemplate": f"{RESP}.CreateLaunchTemplateResponse.launchTemplate.launchTemplateId"},
    name_paths={"CreateLaunchTemplate": (f"{RESP}.CreateLaunchTemplateResponse.launchTemplate.launchTemplateName",
                                         f"{REQ}.CreateLaunchTemplateRequest.LaunchTemplateName")},
    delete={"DeleteLaunchTemplate": (f"{RESP}.DeleteLaunchTemplateResponse.launchTemplate.launchTemplateId",
                                     f"{REQ}.DeleteLaunchTemplateRequest.LaunchTemplateId",
                                     f"{REQ}.DeleteLaunchTemplateRequest.LaunchTemplateName")},
    modify={
        "CreateLaunchTemplateVersion": (
            f"{RESP}.CreateLaunchTemplateVersionResponse.launchTemplateVersion.launchTemplateId",
            f"{REQ}.CreateLaunchTemplateVersionRequest.LaunchTemplateId",
            f"{REQ}.CreateLaunchTemplateVersionRequest.LaunchTemplateName"),
        "ModifyLaunchTemplate": (f"{RESP}.ModifyLaunchTemplateResponse.launchTemplate.launchTemplateId",
                                 f"{REQ}.ModifyLaunchTemplateRequest.LaunchTemplateId",
                                 f"{REQ}.ModifyLaunchTemplateRequest.LaunchTemplateName"),
        "DeleteLaunchTemplateVersions": (f"{REQ}.DeleteLaunchTemplateVersionsRequest.LaunchTemplateId",
                                         f"{REQ}.DeleteLaunchTemplateVersionsRequest.LaunchTemplateName"),
    },
    price=NoCharge(),
)

KEY_PAIR = ResourceType(
    # canonical id: the key name (what RunInstances, DeleteKeyPair and the ARN use); key-... is secondary
    type="AWS::EC2::KeyPair", source=S, arn=_arn("key-pair"), tag_type="key-pair",
    create={"CreateKeyPair": (f"{RESP}.keyName", f"{REQ}.keyName"),
            "ImportKeyPair": (f"{RESP}.keyName", f"{REQ}.keyName")},
    delete={"DeleteKeyPair": (f"{REQ}.keyName", f"{REQ}.keyPairId")},
    price=NoCharge(),
)

SPOT_REQUEST = ResourceType(
    type="AWS::EC2::SpotInstanceRequest", source=S, arn=_arn("spot-instances-request"),
    tag_type="spot-instances-request",
    create={"RequestSpotInstances": f"{RESP}.spotInstanceRequestSet.items[].spotInstanceRequestId"},
    delete={"CancelSpotInstanceRequests": (f"{REQ}.spotInstanceRequestIdSet.items[].spotInstanceRequestId",
                                           f"{RESP}.spotInstanceRequestSet.items[].spotInstanceRequestId")},
    unpriced_reason="charged as the Spot instances it starts, at Spot prices the table does not have",
)

FLEET = ResourceType(
    type="AWS::EC2::EC2Fleet", source=S, arn=_arn("fleet"), tag_type="fleet",
    create={"CreateFleet": f"{RESP}.CreateFleetResponse.fleetId"},
    delete={"DeleteFleets": (f"{RESP}.DeleteFleetsResponse.successfulFleetDeletionSet.item[].fleetId",
                             f"{REQ}.DeleteFleetsRequest.FleetId[].content", f"{REQ}.DeleteFleetsRequest.FleetId[]")},
    modify={"ModifyFleet": f"{REQ}.ModifyFleetRequest.FleetId"},
    price=NoCharge(),
)

INTERNET_GATEWAY = ResourceType(
    type="AWS::EC2::InternetGateway", source=S, arn=_arn("internet-gateway"), tag_type="internet-gateway",
    create={"CreateInternetGateway": f"{RESP}.internetGateway.internetGatewayId"},
    delete={"DeleteInternetGateway": f"{REQ}.internetGatewayId"},
    modify={"AttachInternetGateway": f"{REQ}.internetGatewayId", "DetachInternetGateway": f"{REQ}.internetGatewayId"},
    price=NoCharge(),
)

EGRESS_ONLY_IGW = ResourceType(
    type="AWS::EC2::EgressOnlyInternetGateway", source=S, arn=_arn("egress-only-internet-gateway"),
    tag_type="egress-only-internet-gateway",
    create={"CreateEgressOnlyInternetGateway": (
        f"{RESP}.CreateEgressOnlyInternetGatewayResponse.egressOnlyInternetGateway.egressOnlyInternetGatewayId",
        f"{RESP}.egressOnlyInternetGateway.egressOnlyInternetGatewayId")},
    delete={"DeleteEgressOnlyInternetGateway": (
        f"{REQ}.DeleteEgressOnlyInternetGatewayRequest.EgressOnlyInternetGatewayId",
        f"{REQ}.egressOnlyInternetGatewayId")},
    price=NoCharge(),
)

ROUTE_TABLE = ResourceType(
    type="AWS::EC2::RouteTable", source=S, arn=_arn("route-table"), tag_type="route-table",
    create={"CreateRouteTable": f"{RESP}.routeTable.routeTableId"},
    delete={"DeleteRouteTable": f"{REQ}.routeTableId"},
    modify={op: f"{REQ}.routeTableId"
            for op in ("CreateRoute", "DeleteRoute", "ReplaceRoute", "AssociateRouteTable")},
    price=NoCharge(),
)

NETWORK_INTERFACE = ResourceType(
    type="AWS::EC2::NetworkInterface", source=S, arn=_arn("network-interface"), tag_type="network-interface",
    create={"CreateNetworkInterface": f"{RESP}.networkInterface.networkInterfaceId"},
    delete={"DeleteNetworkInterface": f"{REQ}.networkInterfaceId"},
    modify={"AttachNetworkInterface": f"{REQ}.networkInterfaceId",
            "ModifyNetworkInterfaceAttribute": f"{REQ}.networkInterfaceId"},
    price=NoCharge(),
)

NETWORK_ACL = ResourceType(
    type="AWS::EC2::NetworkAcl", source=S, arn=_arn("network-acl"), tag_type="network-acl",
    create={"CreateNetworkAcl": f"{RESP}.networkAcl.networkAclId"},
    delete={"DeleteNetworkAcl": f"{REQ}.networkAclId"},
    modify={op: f"{REQ}.networkAclId"
            for op in ("CreateNetworkAclEntry", "DeleteNetworkAclEntry", "ReplaceNetworkAclEntry")},
    price=NoCharge(),
)

VPC_PEERING = ResourceType(
    type="AWS::EC2::VPCPeeringConnection", source=S, arn=_arn("vpc-peering-connection"),
    tag_type="vpc-peering-connection",
    create={"CreateVpcPeeringConnection": f"{RESP}.vpcPeeringConnection.vpcPeeringConnectionId"},
    delete={"DeleteVpcPeeringConnection": f"{REQ}.vpcPeeringConnectionId"},
    modify={op: f"{REQ}.vpcPeeringConnectionId"
            for op in ("AcceptVpcPeeringConnection", "RejectVpcPeeringConnection")}
    | {"ModifyVpcPeeringConnectionOptions": (f"{REQ}.ModifyVpcPeeringConnectionOptionsRequest.VpcPeeringConnectionId",
                                             f"{REQ}.vpcPeeringConnectionId")},
    unpriced_reason=BY_USE,
)

VPN_CONNECTION = ResourceType(
    type="AWS::EC2::VPNConnection", source=S, arn=_arn("vpn-connection"), tag_type="vpn-connection",
    create={"CreateVpnConnection": f"{RESP}.vpnConnection.vpnConnectionId"},
    delete={"DeleteVpnConnection": f"{REQ}.vpnConnectionId"},
    modify={"ModifyVpnConnection": (f"{REQ}.ModifyVpnConnectionRequest.VpnConnectionId", f"{REQ}.vpnConnectionId")},
    unpriced_reason=NOT_IN_TABLE,
)

VPN_GATEWAY = ResourceType(
    type="AWS::EC2::VPNGateway", source=S, arn=_arn("vpn-gateway"), tag_type="vpn-gateway",
    create={"CreateVpnGateway": f"{RESP}.vpnGateway.vpnGatewayId"},
    delete={"DeleteVpnGateway": f"{REQ}.vpnGatewayId"},
    modify={"AttachVpnGateway": f"{REQ}.vpnGatewayId", "DetachVpnGateway": f"{REQ}.vpnGatewayId"},
    price=NoCharge(),
)

CUSTOMER_GATEWAY = ResourceType(
    type="AWS::EC2::CustomerGateway", source=S, arn=_arn("customer-gateway"), tag_type="customer-gateway",
    create={"CreateCustomerGateway": f"{RESP}.customerGateway.customerGatewayId"},
    delete={"DeleteCustomerGateway": f"{REQ}.customerGatewayId"},
    price=NoCharge(),
)

DHCP_OPTIONS = ResourceType(
    type="AWS::EC2::DHCPOptions", source=S, arn=_arn("dhcp-options"), tag_type="dhcp-options",
    create={"CreateDhcpOptions": f"{RESP}.dhcpOptions.dhcpOptionsId"},
    delete={"DeleteDhcpOptions": f"{REQ}.dhcpOptionsId"},
    modify={"AssociateDhcpOptions": f"{REQ}.dhcpOptionsId"},
    price=NoCharge(),
)

TRANSIT_GATEWAY = ResourceType(
    type="AWS::EC2::TransitGateway", source=S, arn=_arn("transit-gateway"), tag_type="transit-gateway",
    create={"CreateTransitGateway": f"{RESP}.CreateTransitGatewayResponse.transitGateway.transitGatewayId"},
    delete={"DeleteTransitGateway": (f"{RESP}.DeleteTransitGatewayResponse.transitGateway.transitGatewayId",
                                     f"{REQ}.DeleteTransitGatewayRequest.TransitGatewayId")},
    modify={"ModifyTransitGateway": (f"{RESP}.ModifyTransitGatewayResponse.transitGateway.transitGatewayId",
                                     f"{REQ}.ModifyTransitGatewayRequest.TransitGatewayId")},
    price=NoCharge(),
)

_TGW_VPC_ATT = "transitGatewayVpcAttachment.transitGatewayAttachmentId"
TRANSIT_GATEWAY_ATTACHMENT = ResourceType(
    type="AWS::EC2::TransitGatewayAttachment", source=S, arn=_arn("transit-gateway-attachment"),
    tag_type="transit-gateway-attachment", aliases=("AWS::EC2::TransitGatewayVpcAttachment",),
    create={"CreateTransitGatewayVpcAttachment": f"{RESP}.CreateTransitGatewayVpcAttachmentResponse.{_TGW_VPC_ATT}"},
    delete={"DeleteTransitGatewayVpcAttachment": (
        f"{RESP}.DeleteTransitGatewayVpcAttachmentResponse.{_TGW_VPC_ATT}",
        f"{REQ}.DelTGwVpcAttachReq.TransitGatewayAttachmentId",  # AWS's own abbreviation of the wrapper
        f"{REQ}.DeleteTransitGatewayVpcAttachmentRequest.TransitGatewayAttachmentId")},
    modify={op: f"{RESP}.{op}Response.{_TGW_VPC_ATT}"
            for op in ("ModifyTransitGatewayVpcAttachment", "AcceptTransitGatewayVpcAttachment",
                       "RejectTransitGatewayVpcAttachment")},
    unpriced_reason=NOT_IN_TABLE,
)

VPC_ENDPOINT = ResourceType(
    type="AWS::EC2::VPCEndpoint", source=S, arn=_arn("vpc-endpoint"), tag_type="vpc-endpoint",
    create={"CreateVpcEndpoint": (f"{RESP}.CreateVpcEndpointResponse.vpcEndpoint.vpcEndpointId",
                                  f"{RESP}.vpcEndpoint.vpcEndpointId")},
    delete={"DeleteVpcEndpoints": (f"{REQ}.DeleteVpcEndpointsRequest.VpcEndpointId[].content",
                                   f"{REQ}.DeleteVpcEndpointsRequest.VpcEndpointId[]",
                                   f"{REQ}.vpcEndpointId[]")},
    modify={"ModifyVpcEndpoint": (f"{REQ}.ModifyVpcEndpointRequest.VpcEndpointId", f"{REQ}.vpcEndpointId")},
    unpriced_reason=NOT_IN_TABLE,
)

FLOW_LOG = ResourceType(
    type="AWS::EC2::FlowLog", source=S, arn=_arn("vpc-flow-log"), tag_type="vpc-flow-log",
    create={"CreateFlowLogs": (f"{RESP}.CreateFlowLogsResponse.flowLogIdSet.item[]",
                               f"{RESP}.flowLogIdSet.items[]")},
    delete={"DeleteFlowLogs": (f"{REQ}.DeleteFlowLogsRequest.FlowLogId[].content",
                               f"{REQ}.DeleteFlowLogsRequest.FlowLogId[]")},
    unpriced_reason=BY_USE,
)

TRAFFIC_MIRROR_TARGET = ResourceType(
    type="AWS::EC2::TrafficMirrorTarget", source=S, arn=_arn("traffic-mirror-target"),
    tag_type="traffic-mirror-target",
    create={"CreateTrafficMirrorTarget":
            f"{RESP}.CreateTrafficMirrorTargetResponse.trafficMirrorTarget.trafficMirrorTargetId"},
    delete={"DeleteTrafficMirrorTarget": (f"{RESP}.DeleteTrafficMirrorTargetResponse.trafficMirrorTargetId",
                                          f"{REQ}.DeleteTrafficMirrorTargetRequest.TrafficMirrorTargetId")},
    price=NoCharge(),
)

TRAFFIC_MIRROR_FILTER = ResourceType(
    type="AWS::EC2::TrafficMirrorFilter", source=S, arn=_arn("traffic-mirror-filter"),
    tag_type="traffic-mirror-filter",
    create={"CreateTrafficMirrorFilter":
            f"{RESP}.CreateTrafficMirrorFilterResponse.trafficMirrorFilter.trafficMirrorFilterId"},
    delete={"DeleteTrafficMirrorFilter": (f"{RESP}.DeleteTrafficMirrorFilterResponse.trafficMirrorFilterId",
                                          f"{REQ}.DeleteTrafficMirrorFilterRequest.TrafficMirrorFilterId")},
    modify={op: f"{REQ}.{op}Request.TrafficMirrorFilterId"
            for op in ("CreateTrafficMirrorFilterRule", "ModifyTrafficMirrorFilterNetworkServices")},
    price=NoCharge(),
)

TRAFFIC_MIRROR_SESSION = ResourceType(
    type="AWS::EC2::TrafficMirrorSession", source=S, arn=_arn("traffic-mirror-session"),
    tag_type="traffic-mirror-session",
    create={"CreateTrafficMirrorSession":
            f"{RESP}.CreateTrafficMirrorSessionResponse.trafficMirrorSession.trafficMirrorSessionId"},
    delete={"DeleteTrafficMirrorSession": (f"{RESP}.DeleteTrafficMirrorSessionResponse.trafficMirrorSessionId",
                                           f"{REQ}.DeleteTrafficMirrorSessionRequest.TrafficMirrorSessionId")},
    modify={"ModifyTrafficMirrorSession": f"{REQ}.ModifyTrafficMirrorSessionRequest.TrafficMirrorSessionId"},
    unpriced_reason=NOT_IN_TABLE,
)

# CreateTags / DeleteTags take ids of any EC2 type: the type comes from each id's prefix.
EC2_TAGS = AnyResource(
    source=S,
    modify={"CreateTags": f"{REQ}.resourcesSet.items[].resourceId",
            "DeleteTags": f"{REQ}.resourcesSet.items[].resourceId"},
)

ENTRIES = (
    INSTANCE, VOLUME, SNAPSHOT, SECURITY_GROUP, VPC, SUBNET, NAT_GATEWAY, EIP, AMI, LAUNCH_TEMPLATE,
    KEY_PAIR, SPOT_REQUEST, FLEET, INTERNET_GATEWAY, EGRESS_ONLY_IGW, ROUTE_TABLE, NETWORK_INTERFACE,
    NETWORK_ACL, VPC_PEERING, VPN_CONNECTION, VPN_GATEWAY, CUSTOMER_GATEWAY, DHCP_OPTIONS, TRANSIT_GATEWAY,
    TRANSIT_GATEWAY_ATTACHMENT, VPC_ENDPOINT, FLOW_LOG, TRAFFIC_MIRROR_TARGET, TRAFFIC_MIRROR_FILTER,
    TRAFFIC_MIRROR_SESSION, EC2_TAGS,
)
