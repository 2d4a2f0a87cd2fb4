"""Front doors: routes to functions (SAM ``Api``/``HttpApi`` events, WebSocket routes, AppSync data sources),
direct service integrations (OpenAPI ``x-amazon-apigateway-integration`` with a role), authorizers, and
CloudFront origins."""

from __future__ import annotations

import re
from typing import Any

from designer.domain.diagram import Edge
from designer.domain.iac.export_events import event
from designer.domain.iac.export_flows import role
from designer.domain.iac.export_frontends import appsync, authorizer, distribution
from designer.domain.iac.exporter import Exporter

__all__ = ["API_TYPES", "finish", "render"]

API_TYPES = ("apigw-rest", "apigw-http", "apigw-websocket", "appsync")
ORIGIN_TYPES = ("apigw-rest", "apigw-http", "apigw-websocket", "appsync", "s3")
QUEUES, TOPICS, MACHINES = ("sqs", "sqs-fifo"), ("sns", "sns-fifo"), ("sfn-standard", "sfn-express")
_ROUTE = re.compile(r"^\s*(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|ANY)\s+(/\S*)", re.IGNORECASE)
_WS_KEY = re.compile(r"^\s*(\$?[A-Za-z0-9_.-]{1,60})\b")
SERVICE_URI = "arn:${AWS::Partition}:apigateway:${AWS::Region}:"
FORM = {"integration.request.header.Content-Type": "'application/x-www-form-urlencoded'"}
HTTP_SUBTYPES = {
    "sqs": ("SQS-SendMessage", "QueueUrl", {"MessageBody": "$request.body"}),
    "sqs-fifo": ("SQS-SendMessage", "QueueUrl", {"MessageBody": "$request.body", "MessageGroupId": "api"}),
    "eventbridge": (
        "EventBridge-PutEvents",
        "EventBusName",
        {"Source": "archlab.api", "DetailType": "request", "Detail": "$request.body"},
    ),
    "kinesis": ("Kinesis-PutRecord", "StreamName", {"Data": "$request.body", "PartitionKey": "$request.requestId"}),
}


def render(x: Exporter, edge: Edge) -> bool:
    s, t = x.type(edge.source), x.type(edge.target)
    if s == "cloudfront":
        if edge.kind != "route" or t not in ORIGIN_TYPES or not x.depend(edge.source, edge.target):
            return False
        x.links.origins.setdefault(edge.source, []).append(edge.target)
        return True
    if edge.kind == "authorize":
        if not (x.depend(edge.source, edge.target) and authorizer(x, edge)):
            return False
        if t == "cognito" and any(e.target == edge.target for e in x.d.outgoing(edge.source, "invoke-sync")):
            x.to_metadata(edge)  # both kinds to one pool: Metadata lists both
        return True
    if s == "appsync" and t != "cognito":
        return appsync(x, edge)  # a data source of its own: no dependency between the API and the target
    if s == "apigw-websocket":
        return _websocket(x, edge)  # an integration of its own, likewise
    if not x.depend(edge.source, edge.target):
        return False  # the API's definition naming the target would close a circular dependency
    if t == "cognito":
        if edge.kind != "invoke-sync" or not authorizer(x, edge):
            return False
        x.to_metadata(edge)  # the template shows an authorizer either way; Metadata keeps the kind
        return True
    if t == "lambda" and edge.kind == "route" or (s == "apigw-rest" and t in MACHINES and edge.kind == "invoke-async"):
        method, path = _route(x, edge, "ANY")
        api_key = "RestApiId" if s == "apigw-rest" else "ApiId"
        spec = {
            "Type": "Api" if s == "apigw-rest" else "HttpApi",
            "Properties": {api_key: x.ref(edge.source), "Path": path, "Method": method},
        }
        event(x, edge.target, x.logical[edge.source], spec)
        return True
    if s == "apigw-http":
        return _http_integration(x, edge)
    return _rest_integration(x, edge)


def _route(x: Exporter, edge: Edge, default_method: str, suffix: str = "") -> tuple[str, str]:
    """Method and path from the edge label ("POST /orders"), else one named after the target; unique per API."""
    used = x.links.routes.setdefault(edge.source, set())
    match = _ROUTE.match(edge.label)
    method = match.group(1).upper() if match else default_method
    segments = []
    for part in (match.group(2) if match else "/" + x.node(edge.target).id).split("/"):
        if part.endswith("*"):
            segments += [] if suffix else ["{proxy+}"]  # a greedy parameter must come last
            break
        if re.fullmatch(r"\{[A-Za-z0-9_]+\}", part):
            segments.append(part)
        elif cleaned := re.sub(r"[^A-Za-z0-9._-]+", "-", part).strip("-"):
            segments.append(cleaned)
    path = "/" + "/".join(segments) + suffix
    base, n = path, 1
    while (method, path) in used or ("ANY", path) in used or (method == "ANY" and any(p == path for _, p in used)):
        n += 1
        path = (
            f"{base.rstrip('/')}/{x.node(edge.target).id}{'' if n == 2 else n}"
            if "{proxy+}" not in base
            else f"/{x.node(edge.target).id}-{n}{suffix}"
        )
    used.add((method, path))
    return method, path


# ------------------------------------------------------------------------------------------------ AWS calls


def _aws_call(x: Exporter, edge: Edge) -> tuple[str, Any, dict[str, Any], str, list[tuple[str, str]]] | None:
    """(HTTP method, URI, request parameters, request template, role grants) of a direct AWS integration."""
    target, t, kind, name = edge.target, x.type(edge.target), edge.kind, x.logical[edge.target]
    if t == "lambda" and kind == "invoke-async":
        uri = {"Fn::Sub": SERVICE_URI + f"lambda:path/2015-03-31/functions/${{{name}.Arn}}/invocations"}
        return (
            "POST",
            uri,
            {"integration.request.header.X-Amz-Invocation-Type": "'Event'"},
            "$input.json('$')",
            [("lambda:InvokeFunction", target)],
        )
    if t in QUEUES and kind == "send":
        uri = {"Fn::Sub": SERVICE_URI + f"sqs:path/${{AWS::AccountId}}/${{{name}.QueueName}}"}
        group = "&MessageGroupId=api" if t == "sqs-fifo" else ""
        return (
            "POST",
            uri,
            FORM,
            f"Action=SendMessage{group}&MessageBody=$util.urlEncode($input.body)",
            [("sqs:SendMessage", target)],
        )
    if t in TOPICS and kind == "publish":
        template = f"Action=Publish&TopicArn=$util.urlEncode('${{{name}}}')&Message=$util.urlEncode($input.body)"
        if t == "sns-fifo":
            template += "&MessageGroupId=api"
        return "POST", {"Fn::Sub": SERVICE_URI + "sns:action/Publish"}, FORM, template, [("sns:Publish", target)]
    if t == "eventbridge" and kind == "publish":
        bus = "default" if x.is_default_bus(target) else f"${{{name}}}"
        template = (
            '{"Entries":[{"Source":"archlab.api","DetailType":"request","Detail":"$util.escapeJavaScript($input.body)","EventBusName":"'
            + bus
            + '"}]}'
        )
        params = {
            "integration.request.header.X-Amz-Target": "'AWSEvents.PutEvents'",
            "integration.request.header.Content-Type": "'application/x-amz-json-1.1'",
        }
        return (
            "POST",
            {"Fn::Sub": SERVICE_URI + "events:action/PutEvents"},
            params,
            template,
            [("events:PutEvents", target)],
        )
    if t == "kinesis" and kind == "publish":
        template = f'{{"StreamName":"${{{name}}}","Data":"$util.base64Encode($input.body)","PartitionKey":"$context.requestId"}}'
        return (
            "POST",
            {"Fn::Sub": SERVICE_URI + "kinesis:action/PutRecord"},
            {},
            template,
            [("kinesis:PutRecord", target)],
        )
    if t in MACHINES and kind.startswith("invoke"):
        action = "StartSyncExecution" if kind == "invoke-sync" else "StartExecution"
        template = f'{{"input":"$util.escapeJavaScript($input.body)","stateMachineArn":"${{{name}}}"}}'
        return (
            "POST",
            {"Fn::Sub": SERVICE_URI + f"states:action/{action}"},
            {},
            template,
            [(f"states:{action}", target)],
        )
    if t == "dynamodb" and kind in ("read", "write"):
        action = "GetItem" if kind == "read" else "PutItem"
        key = (
            '"Key":{"pk":{"S":"$input.params(\'id\')"}}'
            if kind == "read"
            else '"Item":{"pk":{"S":"$context.requestId"}}'
        )
        template = f'{{"TableName":"${{{name}}}",{key}}}'
        return (
            "POST",
            {"Fn::Sub": SERVICE_URI + f"dynamodb:action/{action}"},
            {},
            template,
            [(f"dynamodb:{action}", target)],
        )
    return None


def _rest_integration(x: Exporter, edge: Edge) -> bool:
    api, t = edge.source, x.type(edge.target)
    if t == "s3" and edge.kind in ("read", "write"):
        verb = "GET" if edge.kind == "read" else "PUT"
        method, path = _route(x, edge, verb, "/{key}")
        uri = {"Fn::Sub": SERVICE_URI + f"s3:path/${{{x.logical[edge.target]}}}/{{key}}"}
        grants = [("s3:GetObject" if verb == "GET" else "s3:PutObject", edge.target)]
        integ = {
            "type": "aws",
            "httpMethod": verb,
            "uri": uri,
            "requestParameters": {"integration.request.path.key": "method.request.path.key"},
        }
        parameters = [{"name": "key", "in": "path", "required": True, "schema": {"type": "string"}}]
        _add_path(x, api, method, path, {**integ, "credentials": _role(x, api, grants)}, parameters)
        return True
    call = _aws_call(x, edge)
    if call is None:
        return False
    verb, uri, params, template, grants = call
    method, path = _route(x, edge, "GET" if edge.kind == "read" else "POST")
    integ = {"type": "aws", "httpMethod": verb, "uri": uri, "credentials": _role(x, api, grants)}
    if params:
        integ["requestParameters"] = params
    integ["requestTemplates"] = {"application/json": {"Fn::Sub": template} if "${" in template else template}
    integ["passthroughBehavior"] = "NEVER"
    _add_path(x, api, method, path, integ)
    return True


def _role(x: Exporter, api: str, grants: list[tuple[str, str]]) -> dict[str, Any]:
    arn = role(x, api, "apigateway", [(a, t) for a, t in grants if x.type(t) != "s3"])
    entry = x.links.roles[(api, "apigateway")]
    for action, target in grants:
        if x.type(target) == "s3":  # objects, not the bucket
            statement = {
                "Effect": "Allow",
                "Action": action,
                "Resource": {"Fn::Sub": f"${{{x.logical[target]}.Arn}}/*"},
            }
            if statement not in entry["statements"]:
                entry["statements"].append(statement)
    return arn


def _add_path(
    x: Exporter, api: str, method: str, path: str, integ: dict[str, Any], parameters: list[Any] | None = None
) -> None:
    integ.setdefault("responses", {"default": {"statusCode": "200"}})
    operation: dict[str, Any] = {"x-amazon-apigateway-integration": integ, "responses": {"200": {"description": "OK"}}}
    if parameters:
        operation = {"parameters": parameters, **operation}
    verb = "x-amazon-apigateway-any-method" if method == "ANY" else method.lower()
    x.links.paths.setdefault(api, {}).setdefault(path, {})[verb] = operation


def _http_integration(x: Exporter, edge: Edge) -> bool:
    t, kind = x.type(edge.target), edge.kind
    if t in MACHINES and kind.startswith("invoke"):
        action = "StartSyncExecution" if kind == "invoke-sync" else "StartExecution"
        subtype, key, extra = f"StepFunctions-{action}", "StateMachineArn", {"Input": "$request.body"}
        grants = [(f"states:{action}", edge.target)]
    elif t in HTTP_SUBTYPES and kind in ("send", "publish"):
        subtype, key, extra = HTTP_SUBTYPES[t]
        action = {"SQS-SendMessage": "sqs:SendMessage", "EventBridge-PutEvents": "events:PutEvents"}.get(
            subtype, "kinesis:PutRecord"
        )
        grants = [(action, edge.target)]
    else:
        return False
    value = "default" if x.is_default_bus(edge.target) else x.ref(edge.target)
    integ = {
        "type": "aws_proxy",
        "integrationSubtype": subtype,
        "credentials": role(x, edge.source, "apigateway", grants),
        "requestParameters": {key: value, **extra},
        "payloadFormatVersion": "1.0",
        "connectionType": "INTERNET",
    }
    method, path = _route(x, edge, "POST")
    _add_path(x, edge.source, method, path, integ)
    return True


def _websocket(x: Exporter, edge: Edge) -> bool:
    api, t, name = edge.source, x.type(edge.target), x.logical[edge.target]
    props: dict[str, Any] = {"ApiId": x.ref(api)}
    if t == "lambda" and edge.kind == "route":
        uri = {"Fn::Sub": SERVICE_URI + f"lambda:path/2015-03-31/functions/${{{name}.Arn}}/invocations"}
        props.update({"IntegrationType": "AWS_PROXY", "IntegrationUri": uri})
        permission = {
            "Action": "lambda:InvokeFunction",
            "FunctionName": x.ref(edge.target),
            "Principal": "apigateway.amazonaws.com",
            "SourceArn": x.arn(api),
        }
        x.add(x.aux(f"{x.logical[api]}{name}Permission"), "AWS::Lambda::Permission", permission)
    else:
        call = _aws_call(x, edge)
        if call is None:
            return False
        _, uri, params, template, grants = call
        props.update({"IntegrationType": "AWS", "IntegrationMethod": "POST", "IntegrationUri": uri})
        props["CredentialsArn"] = role(x, api, "apigateway", grants)
        if params:
            props["RequestParameters"] = params
        props["RequestTemplates"] = {"$default": {"Fn::Sub": template} if "${" in template else template}
        props["TemplateSelectionExpression"] = "\\$default"
    integration = x.aux(f"{x.logical[api]}{name}Integration")
    x.add(integration, "AWS::ApiGatewayV2::Integration", props)
    route = x.aux(f"{x.logical[api]}{name}Route")
    x.add(
        route,
        "AWS::ApiGatewayV2::Route",
        {
            "ApiId": x.ref(api),
            "RouteKey": _route_key(x, edge),
            "Target": {"Fn::Sub": f"integrations/${{{integration}}}"},
        },
    )
    x.links.ws_routes.setdefault(api, []).append(route)
    return True


def _route_key(x: Exporter, edge: Edge) -> str:
    used = x.links.routes.setdefault(edge.source, set())
    match = _WS_KEY.match(edge.label)
    key = (
        match.group(1)
        if match and (not match.group(1).startswith("$") or match.group(1) in ("$connect", "$disconnect", "$default"))
        else "$default"
    )
    if ("WS", key) in used:
        key = x.logical[edge.target]
    while ("WS", key) in used:
        key += "X"
    used.add(("WS", key))
    return key


# ------------------------------------------------------------------------------------------------ finishing


def finish(x: Exporter) -> None:
    for node in x.d.nodes:
        if node.id not in x.rendered:
            continue
        name = x.logical[node.id]
        if node.type in ("apigw-rest", "apigw-http"):
            paths = x.links.paths.get(node.id)
            if node.type == "apigw-rest" and not paths and not x.links.routes.get(node.id):
                mock = {
                    "type": "mock",
                    "requestTemplates": {"application/json": '{"statusCode": 200}'},
                    "responses": {"default": {"statusCode": "200"}},
                }
                paths = {
                    "/": {"get": {"x-amazon-apigateway-integration": mock, "responses": {"200": {"description": "OK"}}}}
                }
            if paths:
                info = {"title": {"Fn::Sub": "${AWS::StackName}-" + node.id}, "version": "1.0"}
                x.props(node.id)["DefinitionBody"] = {"openapi": "3.0.1", "info": info, "paths": paths}
        elif node.type == "apigw-websocket" and x.links.ws_routes.get(node.id):
            deployment = x.aux(f"{name}Deployment")
            x.add(
                deployment,
                "AWS::ApiGatewayV2::Deployment",
                {"ApiId": x.ref(node.id)},
                DependsOn=x.links.ws_routes[node.id],
            )
            stage = {"ApiId": x.ref(node.id), "StageName": "prod", "DeploymentId": {"Ref": deployment}}
            x.add(x.aux(f"{name}Stage"), "AWS::ApiGatewayV2::Stage", stage)
            url = f"wss://${{{name}}}.execute-api.${{AWS::Region}}.${{AWS::URLSuffix}}/prod"
            x.outputs[f"{name}Url"] = {"Value": {"Fn::Sub": url}}
        elif node.type == "cloudfront":
            distribution(x, node.id)
