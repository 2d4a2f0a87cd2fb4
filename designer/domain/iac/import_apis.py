"""Edges of front doors: API Gateway integrations (REST methods, OpenAPI bodies, HTTP and WebSocket
integrations), authorizers, AppSync data sources, and the roles that let an API call a service directly."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from designer.domain.iac import iam
from designer.domain.iac.builder import Builder
from designer.domain.iac.template import Template, mapping

__all__ = ["read_apis"]

SERVICE_TYPES = iam.SERVICE_TYPES
READ_ACTIONS = ("getitem", "query", "scan", "batchgetitem", "sync")
API_KINDS = {
    "read": ("read",),
    "write": ("write",),
    "send": ("send",),
    "publish": ("publish",),
    "start": ("invoke-async", "invoke-sync"),
    "start-sync": ("invoke-sync", "invoke-async"),
    "invoke": ("route",),
    "poll": (),
}
SUBTYPES = {
    "eventbridge-putevents": ("events", ("EventBusName",), ("publish",)),
    "sqs-sendmessage": ("sqs", ("QueueUrl",), ("send",)),
    "kinesis-putrecord": ("kinesis", ("StreamName",), ("publish",)),
    "stepfunctions-startexecution": ("states", ("StateMachineArn",), ("invoke-async", "invoke-sync")),
    "stepfunctions-startsyncexecution": ("states", ("StateMachineArn",), ("invoke-sync", "invoke-async")),
}
_SERVICE_URI = re.compile(r"apigateway:(?:\$\{[^}]*\}|[^:]*):([A-Za-z0-9-]+):(action|path)/([^\s\"']*)")
_QUOTED = re.compile(r"\"([A-Za-z0-9_.:/-]{3,255})\"")
_OPERATION = re.compile(r"\"operation\"\s*:\s*\"(\w+)\"")


@dataclass(frozen=True)
class Integration:
    type: str
    uri: Any
    subtype: str = ""
    credentials: Any = None
    templates: Any = None
    params: Any = None
    method: str = ""


def read_apis(b: Builder) -> None:
    used_roles: set[str] = set()
    tpl = b.tpl
    for method in tpl.of_type("AWS::ApiGateway::Method"):
        integ = method.props.get("Integration")
        if isinstance(integ, dict):
            verb = str(method.props.get("HttpMethod", "ANY")).upper()
            label = f"{verb} {_rest_path(tpl, method.props.get('ResourceId'))}"
            spec = Integration(
                str(integ.get("Type", "")), integ.get("Uri"), "", integ.get("Credentials"),
                integ.get("RequestTemplates"), integ.get("RequestParameters"), verb,
            )  # fmt: skip
            _integrate(b, tpl.target(method.props.get("RestApiId")), spec, method.logical, label, used_roles)
    for res in tpl.of_type(
        "AWS::Serverless::Api", "AWS::Serverless::HttpApi", "AWS::ApiGateway::RestApi", "AWS::ApiGatewayV2::Api"
    ):
        body = res.props.get("DefinitionBody", res.props.get("Body"))
        if isinstance(body, dict) and "Fn::Transform" in body:
            b.note(res.logical, "the OpenAPI definition is in an external file; its integrations are read from roles")
        elif isinstance(body, dict) and res.logical in b.types:
            _openapi(b, res.logical, body, used_roles)
    routes = {}
    for route in tpl.of_type("AWS::ApiGatewayV2::Route"):
        for target in tpl.refs(route.props.get("Target")):
            routes[target] = str(route.props.get("RouteKey", ""))[:200]
    for res in tpl.of_type("AWS::ApiGatewayV2::Integration"):
        p = res.props
        spec = Integration(
            str(p.get("IntegrationType", "")), p.get("IntegrationUri"), str(p.get("IntegrationSubtype", "")),
            p.get("CredentialsArn"), p.get("RequestTemplates"), p.get("RequestParameters"),
            str(p.get("IntegrationMethod", "")),
        )  # fmt: skip
        _integrate(b, tpl.target(p.get("ApiId")), spec, res.logical, routes.get(res.logical, ""), used_roles)
    _authorizers(b)
    _appsync(b, used_roles)
    _unclaimed_roles(b, used_roles)


def _rest_path(tpl: Template, resource_id: Any) -> str:
    parts: list[str] = []
    ref = resource_id
    for _ in range(30):
        found = [r for r in tpl.refs(ref) if tpl.resources[r].type == "AWS::ApiGateway::Resource"]
        if not found:
            break
        res = tpl.resources[found[0]]
        parts.append(str(res.props.get("PathPart", "")))
        ref = res.props.get("ParentId")
    return "/" + "/".join(reversed(parts))


def _openapi(b: Builder, api: str, body: dict[str, Any], used_roles: set[str]) -> None:
    paths = body.get("paths")
    for path, methods in (paths or {}).items() if isinstance(paths, dict) else ():
        for verb, op in (methods or {}).items() if isinstance(methods, dict) else ():
            integ = op.get("x-amazon-apigateway-integration") if isinstance(op, dict) else None
            if not isinstance(integ, dict):
                continue
            verb_text = "ANY" if verb == "x-amazon-apigateway-any-method" else str(verb).upper()
            spec = Integration(
                str(integ.get("type", "")), integ.get("uri"), str(integ.get("integrationSubtype", "")),
                integ.get("credentials"), integ.get("requestTemplates"), integ.get("requestParameters"),
                str(integ.get("httpMethod", verb_text)).upper(),
            )  # fmt: skip
            _integrate(b, api, spec, api, f"{verb_text} {path}"[:200], used_roles)


def flat_text(value: Any) -> str:
    """A string, Sub or Join as one text with ``${...}`` standing for references."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and len(value) == 1:
        key, arg = next(iter(value.items()))
        if key == "Fn::Sub":
            return flat_text(arg[0] if isinstance(arg, list) and arg else arg)
        if key == "Fn::Join" and isinstance(arg, list) and len(arg) == 2 and isinstance(arg[1], list):
            return str(arg[0]).join(flat_text(part) for part in arg[1])
        if key == "Ref":
            return f"${{{arg}}}"
        if key == "Fn::GetAtt":
            return "${" + (".".join(str(a) for a in arg) if isinstance(arg, list) else str(arg)) + "}"
    return ""


def _integrate(b: Builder, api: str | None, spec: Integration, via: str, label: str, used_roles: set[str]) -> None:
    tpl = b.tpl
    if api is None:
        return
    used_roles.update(tpl.refs(spec.credentials))
    kind = spec.type.lower()
    uri = flat_text(spec.uri)
    if kind == "mock":
        return
    if spec.subtype:
        service, keys, kinds = SUBTYPES.get(spec.subtype.lower(), ("", (), ()))
        params = spec.params if isinstance(spec.params, dict) else {}
        found = _candidates(b, service, [params.get(k) for k in keys], spec)
        if not kinds:
            b.note(via, f"integration subtype {spec.subtype[:40]} has no counterpart in the catalog; left out")
        elif not found and service == "events":
            found = [tpl.default_bus_id()]
        for target in found:
            b.connect(api, target, kinds, via=via, label=label)
        return
    lambdas = [t for t in tpl.targets(spec.uri) if b.types.get(t) == "lambda"]
    if lambdas or ":lambda:path" in uri:
        asynchronous = "'event'" in str(spec.params).lower()
        for fn in lambdas:
            b.connect(api, fn, ["invoke-async" if asynchronous else "route"], via=via, label=label)
        return
    match = _SERVICE_URI.search(uri)
    if kind == "aws" and match:
        service, style, action = match.group(1).lower(), match.group(2), match.group(3)
        found = _candidates(b, service, [spec.uri, spec.templates, spec.params], spec)
        if not found and service == "events":
            found = [tpl.default_bus_id()]
        for target in found:
            b.connect(
                api,
                target,
                _service_kinds(service, action if style == "action" else "", spec.method),
                via=via,
                label=label,
            )
        if not found:
            b.note(via, f"the {service} resource this integration calls is not in this template; left out")
    elif kind in ("http", "http_proxy"):
        backend = tpl.target(spec.uri)
        if backend is None and uri.startswith("http"):
            host = uri.split("//")[-1].split("/")[0][:60]
            backend = b.implicit(f"{via}Backend", "external-api", f"HTTP backend {host}")
        b.connect(api, backend, ["route"], via=via, label=label)


def _service_kinds(service: str, action: str, method: str) -> tuple[str, ...]:
    if service == "dynamodb":
        return ("read",) if action.lower() in READ_ACTIONS else ("write",)
    if service == "s3":
        return ("read",) if method in ("GET", "HEAD") else ("write",)
    if service == "states":
        return (
            ("invoke-sync", "invoke-async")
            if action.lower() == "startsyncexecution"
            else ("invoke-async", "invoke-sync")
        )
    if service == "lambda":
        return ("route",)
    return {"sqs": ("send",)}.get(service, ("publish",))


def _candidates(b: Builder, service: str, values: list[Any], spec: Integration) -> list[str]:
    """Nodes of ``service`` an integration calls: named in it, granted by its role, or the only one there is."""
    tpl = b.tpl
    types = SERVICE_TYPES.get(service, ())

    def fits(nodes: list[str]) -> list[str]:
        return [
            n for n in dict.fromkeys(nodes) if b.types.get(n) in types or (n == tpl.default_bus and service == "events")
        ]

    found = fits(tpl.targets(values))
    for text in _QUOTED.findall(str(spec.templates or "")) if not found else ():
        named = tpl.node_of(tpl.by_name(text))
        found += fits([named] if named else [])
    if not found:
        statements = iam.role_statements(tpl, spec.credentials)
        found = fits([t for s in statements for t, _ in iam.statement_accesses(tpl, s)])
    if not found:
        only = [n for n, t in b.types.items() if t in types]
        found = only if len(only) == 1 else []
    return found


def _authorizers(b: Builder) -> None:
    tpl = b.tpl
    for res in tpl.of_type("AWS::ApiGateway::Authorizer", "AWS::ApiGatewayV2::Authorizer"):
        api = tpl.target(res.props.get("RestApiId") or res.props.get("ApiId"))
        for target in tpl.targets(
            [res.props.get("ProviderARNs"), res.props.get("JwtConfiguration"), res.props.get("AuthorizerUri")]
        ):
            kinds = ["invoke-sync"] if b.types.get(target) == "cognito" else ["route"]
            b.connect(api, target, kinds, via=res.logical, label="authorizer")
    for res in tpl.of_type(
        "AWS::Serverless::Api", "AWS::Serverless::HttpApi", "AWS::AppSync::GraphQLApi", "AWS::Serverless::GraphQLApi"
    ):
        auth = [
            res.props.get(k)
            for k in ("Auth", "UserPoolConfig", "AdditionalAuthenticationProviders", "LambdaAuthorizerConfig")
        ]
        for target in tpl.targets(auth):
            kinds = ["invoke-sync"] if b.types.get(target) == "cognito" else ["route"]
            b.connect(res.logical, target, kinds, via=res.logical, label="authorizer")


def _appsync(b: Builder, used_roles: set[str]) -> None:
    tpl = b.tpl
    for ds in tpl.of_type("AWS::AppSync::DataSource"):
        p, via = ds.props, ds.logical
        api = tpl.target(p.get("ApiId"))
        used_roles.update(tpl.refs(p.get("ServiceRoleArn")))
        dstype = str(p.get("Type", "")).upper()
        if dstype == "AWS_LAMBDA":
            b.connect(api, tpl.target(p.get("LambdaConfig")), ["route"], via=via)
        elif dstype == "AMAZON_DYNAMODB":
            config = mapping(p.get("DynamoDBConfig"))
            table = tpl.target(config.get("TableName")) or tpl.node_of(tpl.by_name(config.get("TableName")))
            for kind in _dynamodb_kinds(b, ds.logical, table, p.get("ServiceRoleArn")):
                b.connect(api, table, [kind], via=via)
        elif dstype in (
            "AMAZON_EVENTBRIDGE",
            "RELATIONAL_DATABASE",
            "AMAZON_OPENSEARCH_SERVICE",
            "AMAZON_ELASTICSEARCH",
        ):
            for target in tpl.targets(
                [p.get("EventBridgeConfig"), p.get("RelationalDatabaseConfig"), p.get("OpenSearchServiceConfig")]
            ):
                for kind in ("publish",) if dstype == "AMAZON_EVENTBRIDGE" else ("read", "write"):
                    b.connect(api, target, [kind], via=via)
        elif dstype == "HTTP":
            statements = iam.role_statements(tpl, p.get("ServiceRoleArn"))
            accesses = [(t, a) for s in statements for t, a in iam.statement_accesses(tpl, s)]
            for target, access in accesses:
                b.connect(api, tpl.node_of(target), API_KINDS.get(access, ()), via=via)
            endpoint = flat_text(
                p.get("HttpConfig", {}).get("Endpoint") if isinstance(p.get("HttpConfig"), dict) else ""
            )
            if not accesses and endpoint.startswith("http") and "${" not in endpoint:
                host = endpoint.split("//")[-1].split("/")[0][:60]
                b.connect(
                    api, b.implicit(f"{via}Endpoint", "external-api", f"HTTP endpoint {host}"), ["route"], via=via
                )
    for res in tpl.of_type("AWS::Serverless::GraphQLApi"):
        sources = mapping(res.props.get("DataSources"))
        for group, entries in sources.items():
            for spec in (entries or {}).values() if isinstance(entries, dict) else ():
                kinds = ["route"] if group == "Lambda" else ["read", "write"]
                for target in tpl.targets(spec):
                    for kind in kinds:
                        b.connect(res.logical, target, [kind], via=res.logical)


def _dynamodb_kinds(b: Builder, source: str, table: str | None, role: Any) -> list[str]:
    tpl = b.tpl
    ops: set[str] = set()
    for res in tpl.of_type("AWS::AppSync::Resolver", "AWS::AppSync::FunctionConfiguration"):
        if source in tpl.refs(res.props.get("DataSourceName")):
            ops.update(op.lower() for op in _OPERATION.findall(str(res.props.get("RequestMappingTemplate", ""))))
    kinds = []
    if ops:
        kinds = (["read"] if ops & set(READ_ACTIONS) else []) + (["write"] if ops - set(READ_ACTIONS) else [])
    if not kinds:
        granted = {a for s in iam.role_statements(tpl, role) for t, a in iam.statement_accesses(tpl, s) if t == table}
        kinds = [k for k in ("read", "write") if k in granted]
    return kinds or ["read", "write"]


def _unclaimed_roles(b: Builder, used_roles: set[str]) -> None:
    """Roles for API Gateway or AppSync that no integration in the template names (their API definition is in
    an external file): they show what the API calls when the template has a single API of that kind."""
    tpl = b.tpl
    families = {
        "apigateway.amazonaws.com": ("apigw-rest", "apigw-http", "apigw-websocket"),
        "appsync.amazonaws.com": ("appsync",),
    }
    for role in tpl.of_type("AWS::IAM::Role"):
        if role.logical in used_roles:
            continue
        principals = str(role.props.get("AssumeRolePolicyDocument", ""))
        for principal, types in families.items():
            if principal not in principals:
                continue
            apis = [n for n, t in b.types.items() if t in types]
            accesses = [
                (t, a)
                for s in iam.role_statements(tpl, {"Ref": role.logical})
                for t, a in iam.statement_accesses(tpl, s)
            ]
            if len(apis) != 1:
                if accesses:
                    b.note(role.logical, "no integration names this role and the template has several APIs; left out")
                continue
            for target, access in accesses:
                node = tpl.node_of(target) or (target if target == tpl.default_bus else None)
                b.connect(apis[0], node, API_KINDS.get(access, ()), via=role.logical)
