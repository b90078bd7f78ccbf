"""Networking and content delivery beyond the VPC (which is in :mod:`.ec2`): API Gateway (v1 and v2),
App Mesh, CloudFront, Route 53."""

from __future__ import annotations

from cloudblame.catalog.base import AnyResource, ResourceType, composite_id
from cloudblame.catalog.pricing import BY_USE, NOT_IN_TABLE, NoCharge

REQ = "requestParameters"
RESP = "responseElements"

# --- API Gateway: v1 (REST APIs) and v2 (HTTP/WebSocket APIs) share the eventSource ------------------
APIGW = "apigateway.amazonaws.com"
_APIGW_ARN = "arn:{partition}:apigateway:{region}::"
REST_API = ResourceType(
    type="AWS::ApiGateway::RestApi", source=APIGW, arn=_APIGW_ARN + "/restapis/{id}",
    create={"CreateRestApi": f"{RESP}.id", "ImportRestApi": f"{RESP}.id"},
    # the request is logged wrapped, {"createRestApiInput": {...}}; the response carries the name
    name_paths={"CreateRestApi": (f"{RESP}.name", f"{REQ}.createRestApiInput.name", f"{REQ}.name"),
                "ImportRestApi": f"{RESP}.name"},
    delete={"DeleteRestApi": f"{REQ}.restApiId"},
    modify={op: f"{REQ}.restApiId" for op in ("UpdateRestApi", "PutRestApi", "CreateDeployment")},
    unpriced_reason=BY_USE,
)

_V1_STAGE = composite_id(f"{REQ}.restApiId", f"{RESP}.stageName|{REQ}.stageName")
REST_API_STAGE = ResourceType(
    # id "restApiId/stageName" (c7n reads responseElements.deploymentId, the deployment the stage points at)
    type="AWS::ApiGateway::Stage", source=APIGW, arn=_APIGW_ARN + "/restapis/{parent}/stages/{name}",
    create={"CreateStage": _V1_STAGE},
    delete={"DeleteStage": _V1_STAGE},
    modify={"UpdateStage": _V1_STAGE},
    unpriced_reason=BY_USE,
)

HTTP_API = ResourceType(
    type="AWS::ApiGatewayV2::Api", source=APIGW, arn=_APIGW_ARN + "/apis/{id}",
    create={"CreateApi": f"{RESP}.apiId"},
    name_paths={"CreateApi": (f"{RESP}.name", f"{REQ}.name")},
    delete={"DeleteApi": f"{REQ}.apiId"},
    modify={op: f"{REQ}.apiId" for op in ("UpdateApi", "CreateRoute", "CreateIntegration", "ReimportApi")},
    unpriced_reason=BY_USE,
)

_V2_STAGE = composite_id(f"{REQ}.apiId", f"{RESP}.stageName|{REQ}.stageName")
HTTP_API_STAGE = ResourceType(
    type="AWS::ApiGatewayV2::Stage", source=APIGW, arn=_APIGW_ARN + "/apis/{parent}/stages/{name}",
    create={"CreateStage": _V2_STAGE},
    delete={"DeleteStage": _V2_STAGE},
    modify={"UpdateStage": _V2_STAGE},
    price=NoCharge(),
)

APIGW_TAGS = AnyResource(source=APIGW, modify={"TagResource": f"{REQ}.resourceArn",
                                               "UntagResource": f"{REQ}.resourceArn"})

# --- API Gateway v1 API keys and usage plans ---------------------------------------------------------
API_KEY = ResourceType(
    type="AWS::ApiGateway::ApiKey", source=APIGW, arn="arn:{partition}:apigateway:{region}::/apikeys/{id}",
    create={"CreateApiKey": f"{RESP}.id"},
    name_paths={"CreateApiKey": (f"{RESP}.name", f"{REQ}.name")},
    delete={"DeleteApiKey": f"{REQ}.apiKey"},
    modify={"UpdateApiKey": f"{REQ}.apiKey"},
    price=NoCharge(),
)
USAGE_PLAN = ResourceType(
    type="AWS::ApiGateway::UsagePlan", source=APIGW, arn="arn:{partition}:apigateway:{region}::/usageplans/{id}",
    create={"CreateUsagePlan": f"{RESP}.id"},
    name_paths={"CreateUsagePlan": (f"{RESP}.name", f"{REQ}.name")},
    delete={"DeleteUsagePlan": f"{REQ}.usagePlanId"},
    modify={op: f"{REQ}.usagePlanId" for op in ("UpdateUsagePlan", "CreateUsagePlanKey", "DeleteUsagePlanKey")},
    price=NoCharge(),
)
DOMAIN_NAME = ResourceType(
    # v1 CreateDomainName and v2 CreateDomainName share names; both are custom domain names
    type="AWS::ApiGateway::DomainName", source=APIGW, arn="arn:{partition}:apigateway:{region}::/domainnames/{id}",
    create={"CreateDomainName": (f"{RESP}.domainName", f"{REQ}.domainName")},
    delete={"DeleteDomainName": f"{REQ}.domainName"},
    modify={"UpdateDomainName": f"{REQ}.domainName"},
    price=NoCharge(),
)

# --- App Mesh ---------------------------------------------------------------------------------------
APPMESH = "appmesh.amazonaws.com"
_MESH_ARN = "arn:{partition}:appmesh:{region}:{account}:mesh/"
MESH = ResourceType(
    type="AWS::AppMesh::Mesh", source=APPMESH, arn=_MESH_ARN + "{id}",
    create={"CreateMesh": (f"{RESP}.mesh.meshName", f"{REQ}.meshName")},
    arn_paths={"CreateMesh": f"{RESP}.mesh.metadata.arn"},
    delete={"DeleteMesh": f"{REQ}.meshName"},
    modify={"UpdateMesh": f"{REQ}.meshName"},
    price=NoCharge(),
)


def _in_mesh(kind: str) -> str:
    return composite_id(f"{RESP}.{kind}.meshName|{REQ}.meshName", f"{RESP}.{kind}.{kind}Name|{REQ}.{kind}Name")


VIRTUAL_NODE = ResourceType(
    # id "mesh/node"
    type="AWS::AppMesh::VirtualNode", source=APPMESH, arn=_MESH_ARN + "{parent}/virtualNode/{name}",
    create={"CreateVirtualNode": _in_mesh("virtualNode")},
    arn_paths={"CreateVirtualNode": f"{RESP}.virtualNode.metadata.arn"},
    delete={"DeleteVirtualNode": _in_mesh("virtualNode")},
    modify={"UpdateVirtualNode": _in_mesh("virtualNode")},
    price=NoCharge(),
)

VIRTUAL_GATEWAY = ResourceType(
    type="AWS::AppMesh::VirtualGateway", source=APPMESH, arn=_MESH_ARN + "{parent}/virtualGateway/{name}",
    create={"CreateVirtualGateway": _in_mesh("virtualGateway")},
    arn_paths={"CreateVirtualGateway": f"{RESP}.virtualGateway.metadata.arn"},
    delete={"DeleteVirtualGateway": _in_mesh("virtualGateway")},
    modify={"UpdateVirtualGateway": _in_mesh("virtualGateway")},
    price=NoCharge(),
)

VIRTUAL_SERVICE = ResourceType(
    type="AWS::AppMesh::VirtualService", source=APPMESH, arn=_MESH_ARN + "{parent}/virtualService/{name}",
    create={"CreateVirtualService": _in_mesh("virtualService")},
    arn_paths={"CreateVirtualService": f"{RESP}.virtualService.metadata.arn"},
    delete={"DeleteVirtualService": _in_mesh("virtualService")},
    modify={"UpdateVirtualService": _in_mesh("virtualService")},
    price=NoCharge(),
)

APPMESH_TAGS = AnyResource(source=APPMESH, modify={"TagResource": f"{REQ}.resourceArn",
                                                   "UntagResource": f"{REQ}.resourceArn"})

# --- CloudFront (global) ----------------------------------------------------------------------------
CLOUDFRONT = "cloudfront.amazonaws.com"
DISTRIBUTION = ResourceType(
    type="AWS::CloudFront::Distribution", source=CLOUDFRONT, global_=True,
    arn="arn:{partition}:cloudfront::{account}:distribution/{id}",
    create={op: f"{RESP}.distribution.id"
            for op in ("CreateDistribution", "CreateDistributionWithTags", "CopyDistribution")},
    arn_paths={op: f"{RESP}.distribution.aRN"
               for op in ("CreateDistribution", "CreateDistributionWithTags", "CopyDistribution")},
    delete={"DeleteDistribution": f"{REQ}.id"},
    modify={"UpdateDistribution": f"{REQ}.id"},
    unpriced_reason=BY_USE,
)

# CloudFront Functions are logged under the API version's name (CreateFunction2020_05_31)
CLOUDFRONT_FUNCTION = ResourceType(
    type="AWS::CloudFront::Function", source=CLOUDFRONT, global_=True,
    arn="arn:{partition}:cloudfront::{account}:function/{id}",
    create={n: (f"{RESP}.functionSummary.name", f"{REQ}.name") for n in ("CreateFunction", "CreateFunction2020_05_31")},
    arn_paths={n: f"{RESP}.functionSummary.functionMetadata.functionARN"
               for n in ("CreateFunction", "CreateFunction2020_05_31")},
    delete={n: f"{REQ}.name" for n in ("DeleteFunction", "DeleteFunction2020_05_31")},
    modify={n: f"{REQ}.name" for n in ("UpdateFunction", "UpdateFunction2020_05_31",
                                        "PublishFunction", "PublishFunction2020_05_31")},
    unpriced_reason=BY_USE,
)

CLOUDFRONT_TAGS = AnyResource(source=CLOUDFRONT, modify={"TagResource": f"{REQ}.resource",
                                                         "UntagResource": f"{REQ}.resource"})

# --- CloudFront origin access controls and identities (global) ---------------------------------------
ORIGIN_ACCESS_CONTROL = ResourceType(
    type="AWS::CloudFront::OriginAccessControl", source=CLOUDFRONT, global_=True,
    arn="arn:{partition}:cloudfront::{account}:origin-access-control/{id}",
    create={"CreateOriginAccessControl": f"{RESP}.originAccessControl.id"},
    name_paths={"CreateOriginAccessControl": f"{REQ}.originAccessControlConfig.name"},
    delete={"DeleteOriginAccessControl": f"{REQ}.id"},
    modify={"UpdateOriginAccessControl": f"{REQ}.id"},
    price=NoCharge(),
)
ORIGIN_ACCESS_IDENTITY = ResourceType(
    type="AWS::CloudFront::CloudFrontOriginAccessIdentity", source=CLOUDFRONT, global_=True,
    arn="arn:{partition}:cloudfront::{account}:origin-access-identity/{id}",
    create={"CreateCloudFrontOriginAccessIdentity": f"{RESP}.cloudFrontOriginAccessIdentity.id"},
    delete={"DeleteCloudFrontOriginAccessIdentity": f"{REQ}.id"},
    modify={"UpdateCloudFrontOriginAccessIdentity": f"{REQ}.id"},
    price=NoCharge(),
)
CACHE_POLICY = ResourceType(
    type="AWS::CloudFront::CachePolicy", source=CLOUDFRONT, global_=True,
    arn="arn:{partition}:cloudfront::{account}:cache-policy/{id}",
    create={"CreateCachePolicy": f"{RESP}.cachePolicy.id"},
    name_paths={"CreateCachePolicy": f"{REQ}.cachePolicyConfig.name"},
    delete={"DeleteCachePolicy": f"{REQ}.id"},
    modify={"UpdateCachePolicy": f"{REQ}.id"},
    price=NoCharge(),
)

ROUTE53 = "route53.amazonaws.com"
HOSTED_ZONE = ResourceType(
    # the API returns ids as "/hostedzone/Z123..."
    type="AWS::Route53::HostedZone", source=ROUTE53, global_=True, arn="arn:{partition}:route53:::hostedzone/{id}",
    id_pattern=r"^/?hostedzone/(?P<id>[A-Z0-9]+)$",
    create={"CreateHostedZone": f"{RESP}.hostedZone.id"},
    name_paths={"CreateHostedZone": f"{REQ}.name"},
    delete={"DeleteHostedZone": f"{REQ}.id"},
    modify={"ChangeResourceRecordSets": f"{REQ}.hostedZoneId", "ChangeTagsForResource": f"{REQ}.resourceId",
            "AssociateVPCWithHostedZone": f"{REQ}.hostedZoneId", "DisassociateVPCFromHostedZone": f"{REQ}.hostedZoneId",
            "UpdateHostedZoneComment": f"{REQ}.id"},
    unpriced_reason=NOT_IN_TABLE,
)

# --- Route 53 health checks (global) ------------------------------------------------------------------
HEALTH_CHECK = ResourceType(
    type="AWS::Route53::HealthCheck", source=ROUTE53, global_=True,
    arn="arn:{partition}:route53:::healthcheck/{id}",
    create={"CreateHealthCheck": f"{RESP}.healthCheck.id"},
    delete={"DeleteHealthCheck": f"{REQ}.healthCheckId"},
    modify={"UpdateHealthCheck": f"{REQ}.healthCheckId"},
    unpriced_reason=NOT_IN_TABLE,
)

ENTRIES = (
    REST_API, REST_API_STAGE, HTTP_API, HTTP_API_STAGE, APIGW_TAGS, API_KEY, USAGE_PLAN, DOMAIN_NAME, MESH,
    VIRTUAL_NODE, VIRTUAL_GATEWAY, VIRTUAL_SERVICE, APPMESH_TAGS, DISTRIBUTION, CLOUDFRONT_FUNCTION,
    CLOUDFRONT_TAGS, ORIGIN_ACCESS_CONTROL, ORIGIN_ACCESS_IDENTITY, CACHE_POLICY, HOSTED_ZONE, HEALTH_CHECK,
)
