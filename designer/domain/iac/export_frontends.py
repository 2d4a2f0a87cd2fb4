"""AppSync data sources, Cognito authorizers of APIs, and CloudFront distributions with their origins."""

from __future__ import annotations

from typing import Any

from designer.domain.diagram import Edge
from designer.domain.iac.export_flows import role
from designer.domain.iac.exporter import Exporter

__all__ = ["appsync", "authorizer", "distribution"]

TOPICS, MACHINES = ("sns", "sns-fifo"), ("sfn-standard", "sfn-express")
CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"


def appsync(x: Exporter, edge: Edge) -> bool:
    api, target, t, kind = edge.source, edge.target, x.type(edge.target), edge.kind
    source: dict[str, Any] = {"ApiId": x.att(api, "ApiId"), "Name": x.logical[target]}
    if t == "lambda" and kind == "route":
        source.update({"Type": "AWS_LAMBDA", "LambdaConfig": {"LambdaFunctionArn": x.arn(target)}})
        grants = [("lambda:InvokeFunction", target)]
    elif t == "dynamodb" and kind in ("read", "write"):
        source.update(
            {
                "Type": "AMAZON_DYNAMODB",
                "DynamoDBConfig": {"TableName": x.ref(target), "AwsRegion": {"Ref": "AWS::Region"}},
            }
        )
        actions = (
            ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan"]
            if kind == "read"
            else ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"]
        )
        grants = [(a, target) for a in actions]
    elif t == "eventbridge" and kind == "publish":
        source.update({"Type": "AMAZON_EVENTBRIDGE", "EventBridgeConfig": {"EventBusArn": x.arn(target)}})
        grants = [("events:PutEvents", target)]
    elif (t in TOPICS or t == "kinesis") and kind == "publish" or t in MACHINES and kind.startswith("invoke"):
        service = "sns" if t in TOPICS else "kinesis" if t == "kinesis" else "states"
        action = {"sns": "sns:Publish", "kinesis": "kinesis:PutRecord"}.get(service) or (
            "states:StartSyncExecution" if kind == "invoke-sync" else "states:StartExecution"
        )
        host = "sync-states" if action == "states:StartSyncExecution" else service
        endpoint = {"Fn::Sub": f"https://{host}.${{AWS::Region}}.${{AWS::URLSuffix}}/"}
        iam = {"SigningRegion": {"Ref": "AWS::Region"}, "SigningServiceName": service}
        source.update(
            {
                "Type": "HTTP",
                "HttpConfig": {
                    "Endpoint": endpoint,
                    "AuthorizationConfig": {"AuthorizationType": "AWS_IAM", "AwsIamConfig": iam},
                },
            }
        )
        grants = [(action, target)]
    else:
        return False
    source["ServiceRoleArn"] = role(x, api, "appsync", grants)
    name = x.aux(f"{x.logical[api]}{x.logical[target]}Source")
    if not any(
        r.get("Properties", {}).get("Name") == source["Name"]
        and r["Type"] == "AWS::AppSync::DataSource"
        and r["Properties"].get("ApiId") == source["ApiId"]
        for r in x.resources.values()
    ):
        x.add(name, "AWS::AppSync::DataSource", source)
    return True


def authorizer(x: Exporter, edge: Edge) -> bool:
    api, pool, s = edge.source, edge.target, x.type(edge.source)
    props = x.props(api)
    name = f"{x.logical[pool]}Authorizer"
    if x.type(pool) == "lambda":
        return _lambda_authorizer(x, props, name, pool, s)
    if s == "apigw-rest":
        auth = props.setdefault("Auth", {"DefaultAuthorizer": name, "Authorizers": {}})
        auth["Authorizers"][name] = {"UserPoolArn": x.arn(pool)}
    elif s == "apigw-http":
        issuer = {"Fn::Sub": f"https://cognito-idp.${{AWS::Region}}.amazonaws.com/${{{x.logical[pool]}}}"}
        jwt = {"issuer": issuer, "audience": [{"Ref": x.links.clients[pool]}]}
        auth = props.setdefault("Auth", {"DefaultAuthorizer": name, "Authorizers": {}})
        auth["Authorizers"][name] = {"IdentitySource": "$request.header.Authorization", "JwtConfiguration": jwt}
    elif s == "appsync":
        config = {"UserPoolId": x.ref(pool), "AwsRegion": {"Ref": "AWS::Region"}}
        extras = props.get("AdditionalAuthenticationProviders", [])
        if props.get("UserPoolConfig", {}).get("UserPoolId") == config["UserPoolId"] or any(
            e["UserPoolConfig"] == config for e in extras
        ):
            return True  # this pool already signs callers in
        if props["AuthenticationType"] != "AMAZON_COGNITO_USER_POOLS":
            props.update(
                {
                    "AuthenticationType": "AMAZON_COGNITO_USER_POOLS",
                    "UserPoolConfig": {**config, "DefaultAction": "ALLOW"},
                }
            )
        else:
            extra = {"AuthenticationType": "AMAZON_COGNITO_USER_POOLS", "UserPoolConfig": config}
            props.setdefault("AdditionalAuthenticationProviders", []).append(extra)
    else:
        return False
    return True


def distribution(x: Exporter, node_id: str) -> None:
    c = x.node(node_id).config
    origins, behaviors = [], []
    for i, target in enumerate(x.links.origins.get(node_id, [])):
        t, name = x.type(target), x.logical[target]
        origin: dict[str, Any] = {"Id": name}
        if t == "s3":
            origin.update(
                {"DomainName": x.att(target, "RegionalDomainName"), "S3OriginConfig": {"OriginAccessIdentity": ""}}
            )
        else:
            if t == "appsync":
                origin["DomainName"] = {"Fn::Select": [2, {"Fn::Split": ["/", x.att(target, "GraphQLUrl")]}]}
            else:
                origin["DomainName"] = {"Fn::Sub": f"${{{name}}}.execute-api.${{AWS::Region}}.${{AWS::URLSuffix}}"}
            if t == "apigw-rest":
                origin["OriginPath"] = "/Prod"
            timeout = int(c["origin_response_timeout_s"])
            origin["CustomOriginConfig"] = {"OriginProtocolPolicy": "https-only", "OriginReadTimeout": timeout}
        origins.append(origin)
        behavior = {
            "TargetOriginId": name,
            "ViewerProtocolPolicy": "redirect-to-https",
            "CachePolicyId": CACHING_OPTIMIZED,
        }
        if i:
            behaviors.append({"PathPattern": f"/{x.node(target).id}/*", **behavior})
        else:
            default = behavior
    config: dict[str, Any] = {
        "Enabled": True,
        "PriceClass": c["price_class"],
        "Origins": origins,
        "DefaultCacheBehavior": default,
    }
    if behaviors:
        config["CacheBehaviors"] = behaviors
    x.add(x.logical[node_id], "AWS::CloudFront::Distribution", {"DistributionConfig": config})


def _lambda_authorizer(x: Exporter, props: dict[str, Any], name: str, fn: str, api_type: str) -> bool:
    """A Lambda authorizer: the function says whether a caller may pass (REST and HTTP APIs)."""
    if api_type not in ("apigw-rest", "apigw-http"):
        return False
    spec: dict[str, Any] = {"FunctionArn": x.arn(fn)}
    if api_type == "apigw-http":
        spec.update({"AuthorizerPayloadFormatVersion": "2.0", "EnableSimpleResponses": True})
    auth = props.setdefault("Auth", {"DefaultAuthorizer": name, "Authorizers": {}})
    auth.setdefault("Authorizers", {})[name] = spec
    return True
