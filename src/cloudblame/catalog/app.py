"""Application integration and delivery: SNS, SQS, API Gateway (v1 and v2), App Mesh, CloudFront, ECR,
SageMaker."""

from __future__ import annotations

from cloudblame.catalog.base import AnyResource, ResourceType

REQ = "requestParameters"
RESP = "responseElements"

SNS = "sns.amazonaws.com"
_TOPIC = f"{REQ}.topicArn"
SNS_TOPIC = ResourceType(
    type="AWS::SNS::Topic", source=SNS, arn="arn:{partition}:sns:{region}:{account}:{id}",
    create={"CreateTopic": (f"{RESP}.topicArn", f"{REQ}.name")},
    delete={"DeleteTopic": _TOPIC},
    modify={**{op: _TOPIC for op in ("SetTopicAttributes", "Subscribe", "AddPermission", "RemovePermission")},
            "TagResource": f"{REQ}.resourceArn", "UntagResource": f"{REQ}.resourceArn",
            "PutDataProtectionPolicy": f"{REQ}.resourceArn"},
)

SQS = "sqs.amazonaws.com"
_QUEUE_URL = f"{REQ}.queueUrl"
SQS_QUEUE = ResourceType(
    # id: the queue name; requests after creation name the queue by URL https://<host>/<account>/<name>
    type="AWS::SQS::Queue", source=SQS, arn="arn:{partition}:sqs:{region}:{account}:{id}",
    id_pattern=(
        r"^https?://sqs\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(?:\.cn)?/(?P<account>\d{12})/(?P<id>[^/?#]+)/?$",
        r"^https?://(?:(?P<region>[a-z0-9-]+)\.)?queue\.amazonaws\.com(?:\.cn)?/(?P<account>\d{12})/(?P<id>[^/?#]+)/?$",
        r"^https?://[^/]+/(?P<account>\d{12})/(?P<id>[^/?#]+)/?$",
    ),
    create={"CreateQueue": (f"{REQ}.queueName", f"{RESP}.queueUrl")},
    delete={"DeleteQueue": _QUEUE_URL},
    modify={op: _QUEUE_URL for op in ("SetQueueAttributes", "TagQueue", "UntagQueue", "AddPermission",
                                      "RemovePermission", "PurgeQueue")},
)

# --- API Gateway: v1 (REST APIs) and v2 (HTTP/WebSocket APIs) share the eventSource ------------------
APIGW = "apigateway.amazonaws.com"
_APIGW_ARN = "arn:{partition}:apigateway:{region}::"
REST_API = ResourceType(
    type="AWS::ApiGateway::RestApi", source=APIGW, arn=_APIGW_ARN + "/restapis/{id}",
    create={"CreateRestApi": f"{RESP}.id", "ImportRestApi": f"{RESP}.id"},
    name_paths={"CreateRestApi": f"{REQ}.name"},
    delete={"DeleteRestApi": f"{REQ}.restApiId"},
    modify={op: f"{REQ}.restApiId" for op in ("UpdateRestApi", "PutRestApi", "CreateDeployment")},
)

_V1_STAGE = "{%s}/{%s}" % (f"{REQ}.restApiId", f"{RESP}.stageName|{REQ}.stageName")
REST_API_STAGE = ResourceType(
    # id "restApiId/stageName" (c7n reads responseElements.deploymentId, the deployment the stage points at)
    type="AWS::ApiGateway::Stage", source=APIGW, arn=_APIGW_ARN + "/restapis/{parent}/stages/{name}",
    create={"CreateStage": _V1_STAGE},
    delete={"DeleteStage": _V1_STAGE},
    modify={"UpdateStage": _V1_STAGE},
)

HTTP_API = ResourceType(
    type="AWS::ApiGatewayV2::Api", source=APIGW, arn=_APIGW_ARN + "/apis/{id}",
    create={"CreateApi": f"{RESP}.apiId"},
    name_paths={"CreateApi": (f"{RESP}.name", f"{REQ}.name")},
    delete={"DeleteApi": f"{REQ}.apiId"},
    modify={op: f"{REQ}.apiId" for op in ("UpdateApi", "CreateRoute", "CreateIntegration", "ReimportApi")},
)

_V2_STAGE = "{%s}/{%s}" % (f"{REQ}.apiId", f"{RESP}.stageName|{REQ}.stageName")
HTTP_API_STAGE = ResourceType(
    type="AWS::ApiGatewayV2::Stage", source=APIGW, arn=_APIGW_ARN + "/apis/{parent}/stages/{name}",
    create={"CreateStage": _V2_STAGE},
    delete={"DeleteStage": _V2_STAGE},
    modify={"UpdateStage": _V2_STAGE},
)

APIGW_TAGS = AnyResource(source=APIGW, modify={"TagResource": f"{REQ}.resourceArn",
                                               "UntagResource": f"{REQ}.resourceArn"})

# --- App Mesh ---------------------------------------------------------------------------------------
APPMESH = "appmesh.amazonaws.com"
_MESH_ARN = "arn:{partition}:appmesh:{region}:{account}:mesh/"
MESH = ResourceType(
    type="AWS::AppMesh::Mesh", source=APPMESH, arn=_MESH_ARN + "{id}",
    create={"CreateMesh": (f"{RESP}.mesh.meshName", f"{REQ}.meshName")},
    arn_paths={"CreateMesh": f"{RESP}.mesh.metadata.arn"},
    delete={"DeleteMesh": f"{REQ}.meshName"},
    modify={"UpdateMesh": f"{REQ}.meshName"},
)


def _in_mesh(kind: str) -> str:
    return "{%s}/{%s}" % (f"{RESP}.{kind}.meshName|{REQ}.meshName", f"{RESP}.{kind}.{kind}Name|{REQ}.{kind}Name")


VIRTUAL_NODE = ResourceType(
    # id "mesh/node"
    type="AWS::AppMesh::VirtualNode", source=APPMESH, arn=_MESH_ARN + "{parent}/virtualNode/{name}",
    create={"CreateVirtualNode": _in_mesh("virtualNode")},
    arn_paths={"CreateVirtualNode": f"{RESP}.virtualNode.metadata.arn"},
    delete={"DeleteVirtualNode": _in_mesh("virtualNode")},
    modify={"UpdateVirtualNode": _in_mesh("virtualNode")},
)

VIRTUAL_GATEWAY = ResourceType(
    type="AWS::AppMesh::VirtualGateway", source=APPMESH, arn=_MESH_ARN + "{parent}/virtualGateway/{name}",
    create={"CreateVirtualGateway": _in_mesh("virtualGateway")},
    arn_paths={"CreateVirtualGateway": f"{RESP}.virtualGateway.metadata.arn"},
    delete={"DeleteVirtualGateway": _in_mesh("virtualGateway")},
    modify={"UpdateVirtualGateway": _in_mesh("virtualGateway")},
)

VIRTUAL_SERVICE = ResourceType(
    type="AWS::AppMesh::VirtualService", source=APPMESH, arn=_MESH_ARN + "{parent}/virtualService/{name}",
    create={"CreateVirtualService": _in_mesh("virtualService")},
    arn_paths={"CreateVirtualService": f"{RESP}.virtualService.metadata.arn"},
    delete={"DeleteVirtualService": _in_mesh("virtualService")},
    modify={"UpdateVirtualService": _in_mesh("virtualService")},
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
)

# CloudFront Functions are logged under the API version's name (CreateFunction2020_05_31)
_CF_FN_OPS = ("CreateFunction", "DeleteFunction", "UpdateFunction", "PublishFunction")
CLOUDFRONT_FUNCTION = ResourceType(
    type="AWS::CloudFront::Function", source=CLOUDFRONT, global_=True,
    arn="arn:{partition}:cloudfront::{account}:function/{id}",
    create={n: (f"{RESP}.functionSummary.name", f"{REQ}.name") for n in ("CreateFunction", "CreateFunction2020_05_31")},
    arn_paths={n: f"{RESP}.functionSummary.functionMetadata.functionARN"
               for n in ("CreateFunction", "CreateFunction2020_05_31")},
    delete={n: f"{REQ}.name" for n in ("DeleteFunction", "DeleteFunction2020_05_31")},
    modify={n: f"{REQ}.name" for n in ("UpdateFunction", "UpdateFunction2020_05_31",
                                        "PublishFunction", "PublishFunction2020_05_31")},
)

CLOUDFRONT_TAGS = AnyResource(source=CLOUDFRONT, modify={"TagResource": f"{REQ}.resource",
                                                         "UntagResource": f"{REQ}.resource"})

# --- ECR --------------------------------------------------------------------------------------------
ECR = "ecr.amazonaws.com"
_REPO = f"{REQ}.repositoryName"
ECR_REPOSITORY = ResourceType(
    # repository names may contain "/" ("team/app")
    type="AWS::ECR::Repository", source=ECR, arn="arn:{partition}:ecr:{region}:{account}:repository/{id}",
    id_pattern=r"^(?P<arn>arn:(?P<partition>[^:]+):ecr:(?P<region>[^:]*):(?P<account>\d*):repository/(?P<id>.+))$",
    create={"CreateRepository": (f"{RESP}.repository.repositoryName", _REPO)},
    arn_paths={"CreateRepository": f"{RESP}.repository.repositoryArn"},
    delete={"DeleteRepository": _REPO},
    modify={**{op: _REPO for op in (
        "PutImage", "BatchDeleteImage", "SetRepositoryPolicy", "DeleteRepositoryPolicy", "PutLifecyclePolicy",
        "DeleteLifecyclePolicy", "PutImageScanningConfiguration", "PutImageTagMutability")},
            "TagResource": f"{REQ}.resourceArn", "UntagResource": f"{REQ}.resourceArn"},
)

# --- SageMaker: names appear lower-cased in ARNs; the id is lower-cased, the name keeps its case -----
SAGEMAKER = "sagemaker.amazonaws.com"
_NB = f"{REQ}.notebookInstanceName"
NOTEBOOK_INSTANCE = ResourceType(
    type="AWS::SageMaker::NotebookInstance", source=SAGEMAKER, id_transform="lower",
    arn="arn:{partition}:sagemaker:{region}:{account}:notebook-instance/{id}",
    create={"CreateNotebookInstance": _NB},
    arn_paths={"CreateNotebookInstance": f"{RESP}.notebookInstanceArn"},
    name_paths={"CreateNotebookInstance": _NB},
    delete={"DeleteNotebookInstance": _NB},
    modify={op: _NB for op in ("StartNotebookInstance", "StopNotebookInstance", "UpdateNotebookInstance")},
    reference={"CreatePresignedNotebookInstanceUrl": _NB},
)

_EP = f"{REQ}.endpointName"
SAGEMAKER_ENDPOINT = ResourceType(
    type="AWS::SageMaker::Endpoint", source=SAGEMAKER, id_transform="lower",
    arn="arn:{partition}:sagemaker:{region}:{account}:endpoint/{id}",
    create={"CreateEndpoint": _EP},
    arn_paths={"CreateEndpoint": f"{RESP}.endpointArn"},
    name_paths={"CreateEndpoint": _EP},
    delete={"DeleteEndpoint": _EP},
    modify={op: _EP for op in ("UpdateEndpoint", "UpdateEndpointWeightsAndCapacities")},
)

SAGEMAKER_TAGS = AnyResource(source=SAGEMAKER, modify={"AddTags": f"{REQ}.resourceArn",
                                                       "DeleteTags": f"{REQ}.resourceArn"})

ENTRIES = (
    SNS_TOPIC, SQS_QUEUE, REST_API, REST_API_STAGE, HTTP_API, HTTP_API_STAGE, APIGW_TAGS, MESH, VIRTUAL_NODE,
    VIRTUAL_GATEWAY, VIRTUAL_SERVICE, APPMESH_TAGS, DISTRIBUTION, CLOUDFRONT_FUNCTION, CLOUDFRONT_TAGS,
    ECR_REPOSITORY, NOTEBOOK_INSTANCE, SAGEMAKER_ENDPOINT, SAGEMAKER_TAGS,
)
