"""Edges of API Gateway front doors: REST methods, OpenAPI definitions (inline, in the file ``DefinitionUri`` or
``AWS::Include`` names), HTTP and WebSocket integrations (private ALBs through VPC links too), with who may call
each route (``auth``), and authorizers, which are drawn as ``authorize`` edges, never as a backend."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from designer.domain.iac import iam
from designer.domain.iac.builder import SERVICE_TYPES, Builder
from designer.domain.iac.import_appsync import read_appsync
from designer.domain.iac.template import Resource, Template, flat_text, mapping

__all__ = ["read_apis", "route_auth"]

READ_ACTIONS = ("getitem", "query", "scan", "batchgetitem")
SUBTYPES = {
    "eventbridge-putevents": ("events", ("EventBusName",), ("publish",)),
    "sqs-sendmessage": ("sqs", ("QueueUrl",), ("send",)),
    "kinesis-putrecord": ("kinesis", ("StreamName",), ("publish",)),
    "stepfunctions-startexecution": ("states", ("StateMachineArn",), ("invoke-async", "invoke-sync")),
    "stepfunctions-startsyncexecution": ("states", ("StateMachineArn",), ("invoke-sync", "invoke-async")),
}
API_TYPES = ("AWS::Serverless::Api", "AWS::Serverless::HttpApi", "AWS::ApiGateway::RestApi", "AWS::ApiGatewayV2::Api")
# AuthorizationType values (REST methods, HTTP and WebSocket routes) -> the auth attribute of the edge.
AUTH_TYPES = {"NONE": "none", "AWS_IAM": "iam", "CUSTOM": "lambda", "COGNITO_USER_POOLS": "cognito", "JWT": "jwt"}
_SERVICE_URI = re.compile(r"apigateway:(?:\$\{[^}]*\}|[^:]*):([A-Za-z0-9-]+):(action|path)/([^\s\"']*)")
_QUOTED = re.compile(r"\"([A-Za-z0-9_.:/-]{3,255})\"")


@dataclass(frozen=True)
class Integration:
    type: str
    uri: Any
    subtype: str = ""
    credentials: Any = None
    templates: Any = None
    params: Any = None
    method: str = ""
    auth: str | None = None


def read_apis(b: Builder) -> None:
    tpl = b.tpl
    for method in tpl.of_type("AWS::ApiGateway::Method"):
        integ = method.props.get("Integration")
        if isinstance(integ, dict):
            verb = str(method.props.get("HttpMethod", "ANY")).upper()
            label = f"{verb} {_rest_path(tpl, method.props.get('ResourceId'))}"
            auth = _method_auth(method)
            spec = Integration(
                str(integ.get("Type", "")), integ.get("Uri"), "", integ.get("Credentials"),
                integ.get("RequestTemplates"), integ.get("RequestParameters"), verb, auth,
            )  # fmt: skip
            _integrate(b, tpl.target(method.props.get("RestApiId")), spec, method.logical, label)
    for res in tpl.of_type(*API_TYPES):
        if res.logical in b.types:
            body = _definition(b, res)
            if body is not None:
                _openapi(b, res, body)
    _v2_integrations(b)
    _authorizers(b)
    read_appsync(b)
    _unclaimed_roles(b)


def _definition(b: Builder, res: Resource) -> dict[str, Any] | None:
    """The API's OpenAPI document: inline, included with AWS::Include, or in the file DefinitionUri names."""
    body = res.props.get("DefinitionBody", res.props.get("Body"))
    include = mapping(mapping(body).get("Fn::Transform"))
    if include:
        location = mapping(include.get("Parameters")).get("Location")
        body = b.document(location, res.logical, "the OpenAPI definition (AWS::Include)")
    elif body is None and isinstance(res.props.get("DefinitionUri") or res.props.get("BodyS3Location"), str):
        body = b.document(res.props.get("DefinitionUri"), res.logical, "the OpenAPI definition (DefinitionUri)")
    elif body is None and res.props.get("DefinitionUri") is not None:
        b.note(res.logical, "the OpenAPI definition is in S3; its routes are left out")
    return body if isinstance(body, dict) else None


def _rest_path(tpl: Template, resource_id: Any) -> str:
    parts: list[str] = []
    ref = resource_id
    for _ in range(30):
        found = [
            r for r in tpl.refs(ref) if r in tpl.resources and tpl.resources[r].type == "AWS::ApiGateway::Resource"
        ]
        if not found:
            break
        res = tpl.resources[found[0]]
        parts.append(str(res.props.get("PathPart", "")))
        ref = res.props.get("ParentId")
    return "/" + "/".join(reversed(parts))


def _method_auth(method: Resource) -> str:
    if method.props.get("ApiKeyRequired") in (True, "true"):
        return "api-key"
    return AUTH_TYPES.get(str(method.props.get("AuthorizationType", "NONE")).upper(), "none")


def _openapi(b: Builder, res: Resource, body: dict[str, Any]) -> None:
    schemes = mapping(mapping(body.get("components")).get("securitySchemes")) or mapping(
        body.get("securityDefinitions")
    )
    default = _security(body.get("security"), schemes) or _sam_default_auth(b, res)
    for path, methods in mapping(body.get("paths")).items():
        for verb, op in mapping(methods).items():
            integ = op.get("x-amazon-apigateway-integration") if isinstance(op, dict) else None
            if not isinstance(integ, dict):
                continue
            verb_text = "ANY" if verb == "x-amazon-apigateway-any-method" else str(verb).upper()
            auth = _security(op.get("security"), schemes) if "security" in op else default
            explicit = mapping(op.get("x-amazon-apigateway-auth")).get("type")
            if isinstance(explicit, str):
                auth = "iam" if explicit.upper() == "AWS_IAM" else "none"
            spec = Integration(
                str(integ.get("type", "")), integ.get("uri"), str(integ.get("integrationSubtype", "")),
                integ.get("credentials"), integ.get("requestTemplates"), integ.get("requestParameters"),
                str(integ.get("httpMethod", verb_text)).upper(), auth or "none",
            )  # fmt: skip
            _integrate(b, res.logical, spec, res.logical, f"{verb_text} {path}"[:200])


def _security(requirements: Any, schemes: dict[str, Any]) -> str | None:
    """The auth an OpenAPI security requirement list sets ("none" for an empty list), or None when absent."""
    if not isinstance(requirements, list):
        return None
    for requirement in requirements:
        for name in mapping(requirement):
            scheme = mapping(schemes.get(name))
            kind = str(scheme.get("x-amazon-apigateway-authtype", "")).lower()
            if kind == "cognito_user_pools":
                return "cognito"
            if kind in ("custom", "request", "token") or "x-amazon-apigateway-authorizer" in scheme:
                authorizer = mapping(scheme.get("x-amazon-apigateway-authorizer"))
                return "jwt" if str(authorizer.get("type", "")).lower() == "jwt" else "lambda"
            if kind == "awssigv4":
                return "iam"
            if scheme.get("type") == "apiKey":
                return "api-key"
            return "lambda"
    return "none"


def _sam_default_auth(b: Builder, res: Resource) -> str | None:
    """What a SAM API's Auth gives every route: its default authorizer, IAM or an API key."""
    auth = mapping(res.props.get("Auth"))
    if not auth:
        return None
    if auth.get("ApiKeyRequired") in (True, "true"):
        return "api-key"
    default = auth.get("DefaultAuthorizer")
    if not isinstance(default, str) or default.upper() == "NONE":
        return "none" if res.type.startswith("AWS::Serverless") else None
    return _named_auth(default, mapping(auth.get("Authorizers")))


def _named_auth(name: str, authorizers: dict[str, Any]) -> str:
    if name.upper() == "AWS_IAM":
        return "iam"
    spec = mapping(authorizers.get(name))
    if "UserPoolArn" in spec:
        return "cognito"
    if "JwtConfiguration" in spec:
        return "jwt"
    return "lambda"


def route_auth(b: Builder, api: str | None, event_auth: Any) -> str | None:
    """Who may call a route a SAM function event declares: the event's own Auth, else its API's default."""
    if api is None:
        return None
    res = b.tpl.resources.get(api)
    api_auth = mapping(res.props.get("Auth")) if res is not None else mapping(_implicit_auth(b, api))
    event = mapping(event_auth)
    if event.get("ApiKeyRequired") in (True, "true"):
        return "api-key"
    named = event.get("Authorizer")
    if isinstance(named, str):
        return "none" if named.upper() == "NONE" else _named_auth(named, mapping(api_auth.get("Authorizers")))
    if api_auth.get("ApiKeyRequired") in (True, "true"):
        return "api-key"
    default = api_auth.get("DefaultAuthorizer")
    if isinstance(default, str) and default.upper() != "NONE":
        return _named_auth(default, mapping(api_auth.get("Authorizers")))
    if res is not None and _definition_present(res):
        return None  # the OpenAPI document, read on its own, says who may call
    return "none"


def _implicit_auth(b: Builder, api: str) -> Any:
    section = "HttpApi" if b.types.get(api) == "apigw-http" else "Api"
    return mapping(mapping(b.tpl.data.get("Globals")).get(section)).get("Auth")


def _definition_present(res: Resource) -> bool:
    return any(k in res.props for k in ("DefinitionBody", "DefinitionUri", "Body", "BodyS3Location"))


def _v2_integrations(b: Builder) -> None:
    tpl = b.tpl
    routes: dict[str, tuple[str, str]] = {}
    connect_auth: dict[str, str] = {}  # WebSocket API -> who may connect (set on its $connect route)
    for route in tpl.of_type("AWS::ApiGatewayV2::Route"):
        key = str(route.props.get("RouteKey", ""))[:200]
        auth: str = AUTH_TYPES.get(str(route.props.get("AuthorizationType", "NONE")).upper(), "none")
        if route.props.get("ApiKeyRequired") in (True, "true"):
            auth = "api-key"
        for target in tpl.refs(route.props.get("Target")):
            routes[target] = (key, auth)
        if key == "$connect":
            for owner in tpl.refs(route.props.get("ApiId")):
                connect_auth[owner] = auth
    for res in tpl.of_type("AWS::ApiGatewayV2::Integration"):
        p = res.props
        api = tpl.target(p.get("ApiId"))
        key, auth = routes.get(res.logical, ("", "none"))
        if api is not None and b.types.get(api) == "apigw-websocket":
            auth = connect_auth.get(api) or "none"
        spec = Integration(
            str(p.get("IntegrationType", "")), p.get("IntegrationUri"), str(p.get("IntegrationSubtype", "")),
            p.get("CredentialsArn"), p.get("RequestTemplates"), p.get("RequestParameters"),
            str(p.get("IntegrationMethod", "")), auth,
        )  # fmt: skip
        _integrate(b, api, spec, res.logical, key)


def _integrate(b: Builder, api: str | None, spec: Integration, via: str, label: str) -> None:
    tpl = b.tpl
    if api is None:
        return
    kind = spec.type.lower()
    uri = flat_text(spec.uri)
    attrs = {"auth": spec.auth}
    if kind == "mock":
        return
    if spec.subtype:
        service, keys, kinds = SUBTYPES.get(spec.subtype.lower(), ("", (), ()))
        params = mapping(spec.params)
        found = _candidates(b, service, [params.get(k) for k in keys], spec)
        if not kinds:
            b.note(via, f"integration subtype {spec.subtype[:40]} has no counterpart in the catalog; left out")
        elif not found and service == "events":
            found = [tpl.default_bus_id()]
        for target in found:
            b.connect(api, target, kinds, via=via, label=label, attrs=attrs)
        return
    lambdas = [t for t in b.resolve(spec.uri, ("lambda",)) if b.types.get(t) == "lambda"]
    if lambdas or ":lambda:path" in uri:
        asynchronous = "'event'" in str(spec.params).lower()
        for fn in lambdas:
            b.connect(api, fn, ["invoke-async" if asynchronous else "route"], via=via, label=label, attrs=attrs)
        return
    match = _SERVICE_URI.search(uri)
    if kind == "aws" and match:
        service, style, action = match.group(1).lower(), match.group(2), match.group(3)
        found = _candidates(b, service, [spec.uri, spec.templates, spec.params], spec)
        if not found and service == "events":
            found = [tpl.default_bus_id()]
        kinds = _service_kinds(service, action if style == "action" else "", spec.method)
        for target in found:
            b.connect(api, target, kinds, via=via, label=label, attrs=attrs)
        if not found:
            b.note(via, f"the {service} resource this integration calls is not in this template; left out")
    elif kind in ("http", "http_proxy"):
        backend = b.resolve_one(spec.uri, ("alb", "external-api"))  # a VPC link's listener stands for its balancer
        if backend is None and uri.startswith("http"):
            host = uri.split("//")[-1].split("/")[0][:60]
            backend = b.implicit(f"{via}Backend", "external-api", f"HTTP backend {host}")
            b.labels[backend] = host
        b.connect(api, backend, ["route"], via=via, label=label, attrs=attrs)


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

    found = fits(b.resolve(values, types))
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


_AUTHORIZER_KEYS = {
    "userpoolarn": "cognito",
    "providerarns": "cognito",
    "userpoolid": "cognito",
    "jwtconfiguration": "cognito",
    "functionarn": "lambda",
    "authorizeruri": "lambda",
}


def _authorizers(b: Builder) -> None:
    tpl = b.tpl
    for res in tpl.of_type("AWS::ApiGateway::Authorizer", "AWS::ApiGatewayV2::Authorizer"):
        api = tpl.target(res.props.get("RestApiId") or res.props.get("ApiId"))
        for target in _authorizer_nodes(b, res.props):
            _authorize(b, api, target, res.logical)
    for res in tpl.of_type(
        "AWS::Serverless::Api", "AWS::Serverless::HttpApi", "AWS::AppSync::GraphQLApi", "AWS::Serverless::GraphQLApi"
    ):
        auth = {
            k: res.props.get(k)
            for k in ("Auth", "UserPoolConfig", "AdditionalAuthenticationProviders", "LambdaAuthorizerConfig")
        }
        for target in _authorizer_nodes(b, auth):
            _authorize(b, res.logical, target, res.logical)


def _authorize(b: Builder, api: str | None, target: str, via: str) -> None:
    # A user pool that signs callers in was once drawn as a call (invoke-sync); Metadata says which it was.
    guessed = b.types.get(target) == "cognito"
    b.connect(api, target, ["authorize"], via=via, label="authorizer", guessed=guessed)


def _authorizer_nodes(b: Builder, spec: Any, depth: int = 0) -> list[str]:
    """The user pools and functions an authorizer specification names, by the key that names each (UserPoolArn,
    JwtConfiguration, FunctionArn, AuthorizerUri, ...), including those of nested stacks and other templates."""
    found: list[str] = []
    if depth > 6:
        return found
    items = spec.items() if isinstance(spec, dict) else enumerate(spec) if isinstance(spec, list) else ()
    for key, value in items:
        type_id = _AUTHORIZER_KEYS.get(str(key).lower())
        found += b.resolve(value, (type_id,)) if type_id else _authorizer_nodes(b, value, depth + 1)
    return list(dict.fromkeys(found))


def _unclaimed_roles(b: Builder) -> None:
    """A role API Gateway may assume that no integration of the template names (the API's definition is in a file
    that was not imported): a permission alone is not a connection, so it is only noted."""
    tpl = b.tpl
    claimed = {r for res in tpl.resources.values() for r in _credential_refs(tpl, res)}
    for role in tpl.of_type("AWS::IAM::Role"):
        principals = str(role.props.get("AssumeRolePolicyDocument", ""))
        if role.logical in claimed or "apigateway.amazonaws.com" not in principals:
            continue
        granted = sorted(
            {str(t) for s in iam.role_statements(tpl, {"Ref": role.logical}) for t, _ in iam.statement_accesses(tpl, s)}
        )
        if granted:
            b.note(
                role.logical,
                f"API Gateway may use this role on {', '.join(granted)[:200]}, but no integration read names it; "
                "no connection is drawn from a permission alone",
            )


def _credential_refs(tpl: Template, res: Resource) -> list[str]:
    props = res.props
    values = [
        mapping(props.get("Integration")).get("Credentials"),
        props.get("CredentialsArn"),
        props.get("ServiceRoleArn"),
        props.get("DefinitionBody"),
        props.get("Body"),
    ]
    return tpl.refs(values)
