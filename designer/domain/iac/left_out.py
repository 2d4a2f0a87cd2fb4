"""Resources that are not nodes: what the importer reads from each (``PURPOSE``), which types only configure a
service (``DETAIL_PREFIXES``), and the note that says why one was left out."""

from __future__ import annotations

__all__ = ["DETAIL_PREFIXES", "PURPOSE", "left_out_reason"]

# What the importer reads from resources that are not nodes (shown in the notes).
PURPOSE: dict[str, str] = {
    "AWS::IAM::Role": "read for the permissions its policies grant",
    "AWS::IAM::Policy": "read for the permissions it grants",
    "AWS::IAM::ManagedPolicy": "read for the permissions it grants",
    "AWS::Lambda::Permission": "not needed in a diagram: the connection it allows is read elsewhere",
    "AWS::Lambda::EventSourceMapping": "read as a poll edge",
    "AWS::Lambda::EventInvokeConfig": "read for the function's destinations and retries",
    "AWS::SNS::Subscription": "read as a subscribe edge",
    "AWS::SNS::TopicPolicy": "not needed in a diagram",
    "AWS::SQS::QueuePolicy": "not needed in a diagram",
    "AWS::Events::Rule": "read as subscribe edges of its bus",
    "AWS::Events::Archive": "read as the archive setting of its bus",
    "AWS::Events::Connection": "not needed in a diagram",
    "AWS::ApiGateway::Method": "read for its integration",
    "AWS::ApiGateway::Authorizer": "read for the user pool it checks",
    "AWS::ApiGatewayV2::Integration": "read for its integration",
    "AWS::ApiGatewayV2::Authorizer": "read for the user pool it checks",
    "AWS::AppSync::DataSource": "read as an edge of its API",
    "AWS::AppSync::Resolver": "read for the operations of its data source",
    "AWS::RDS::DBProxyTargetGroup": "read as the proxy's route to its database",
    "AWS::Serverless::Connector": "read for the access it grants",
    "AWS::ApiGateway::Resource": "read for the paths of its API",
    "AWS::ApiGatewayV2::Route": "read for the route keys of its API",
    "AWS::ECS::TaskDefinition": "read for the permissions of its task role",
    "AWS::S3::BucketPolicy": "not needed in a diagram",
    "AWS::SSM::Parameter": "read for the resource it names (to join templates)",
    "AWS::CloudFormation::Stack": "a nested stack: its template is imported with it when it is among the files",
    "AWS::Serverless::Application": "a nested application: its template is imported with it when it is among the files",
    "AWS::Serverless::LayerVersion": "code shared by functions; not a service",
    "AWS::Lambda::LayerVersion": "code shared by functions; not a service",
}
# Resource type prefixes that configure a service rather than being one.
DETAIL_PREFIXES = (
    "AWS::ApiGateway::",
    "AWS::ApiGatewayV2::",
    "AWS::AppSync::",
    "AWS::Logs::",
    "AWS::CloudWatch::",
    "AWS::Cognito::",
    "AWS::Lambda::",
    "AWS::Events::",
    "AWS::Scheduler::",
    "AWS::ElasticLoadBalancingV2::",
    "AWS::ECS::",
    "AWS::EC2::",
    "AWS::SecretsManager::",
    "AWS::KMS::",
    "AWS::SSM::",
    "AWS::SQS::QueueInlinePolicy",
    "AWS::SNS::TopicInlinePolicy",
)


def left_out_reason(rtype: str) -> str:
    """Why a resource that is not a node is not one."""
    if rtype in PURPOSE:
        return PURPOSE[rtype]
    if rtype.startswith(DETAIL_PREFIXES):
        return "configuration of a service, not a service of its own; left out"
    return f"{rtype[:80]} has no service type in the catalog; left out"
