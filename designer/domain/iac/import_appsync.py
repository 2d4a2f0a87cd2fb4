"""Edges of AppSync APIs: each data source a resolver (or a pipeline function) uses, by its type."""

from __future__ import annotations

import re
from typing import Any

from designer.domain.iac import iam
from designer.domain.iac.builder import Builder
from designer.domain.iac.template import flat_text, mapping

__all__ = ["read_appsync"]

READ_ACTIONS = ("getitem", "query", "scan", "batchgetitem", "sync")
ROLE_KINDS = {
    "read": ("read",),
    "write": ("write",),
    "send": ("send",),
    "publish": ("publish",),
    "start": ("invoke-async", "invoke-sync"),
    "start-sync": ("invoke-sync", "invoke-async"),
    "invoke": ("route",),
}
_OPERATION = re.compile(r"\"operation\"\s*:\s*\"(\w+)\"")
_JS_COMMAND = re.compile(r"\b(get|put|update|delete|query|scan|batchGet|batchPut|batchDelete|sync)\w*\s*\(", re.I)


def read_appsync(b: Builder) -> None:
    tpl = b.tpl
    used = _used_sources(b)
    for ds in tpl.of_type("AWS::AppSync::DataSource"):
        p, via = ds.props, ds.logical
        api = tpl.target(p.get("ApiId"))
        if api is None:
            continue
        if used is not None and ds.logical not in used and _name(b, ds.logical) not in used:
            b.note(via, "no resolver of the template uses this data source; left out")
            continue
        dstype = str(p.get("Type", "")).upper()
        if dstype == "AWS_LAMBDA":
            b.connect(api, b.resolve_one(p.get("LambdaConfig"), ("lambda",)), ["route"], via=via)
        elif dstype == "AMAZON_DYNAMODB":
            config = mapping(p.get("DynamoDBConfig"))
            table = b.resolve_one(config.get("TableName"), ("dynamodb",)) or tpl.node_of(
                tpl.by_name(tpl.literal(config.get("TableName")))
            )
            for kind in _dynamodb_kinds(b, ds.logical, table, p.get("ServiceRoleArn")):
                b.connect(api, table, [kind], via=via)
        elif dstype == "AMAZON_EVENTBRIDGE":
            b.connect(api, b.resolve_one(p.get("EventBridgeConfig"), ("eventbridge",)), ["publish"], via=via)
        elif dstype in ("RELATIONAL_DATABASE", "AMAZON_OPENSEARCH_SERVICE", "AMAZON_ELASTICSEARCH"):
            for target in b.resolve(
                [p.get("RelationalDatabaseConfig"), p.get("OpenSearchServiceConfig"), p.get("ElasticsearchConfig")],
                ("aurora-serverless", "rds", "opensearch"),
            ):
                for kind in ("read", "write"):
                    b.connect(api, target, [kind], via=via)
        elif dstype == "HTTP":
            _http(b, api, p, via)
    for res in tpl.of_type("AWS::Serverless::GraphQLApi"):
        for group, entries in mapping(res.props.get("DataSources")).items():
            for spec in mapping(entries).values():
                kinds = ["route"] if group == "Lambda" else ["read", "write"]
                for target in tpl.targets(spec):
                    for kind in kinds:
                        b.connect(res.logical, target, [kind], via=res.logical)


def _name(b: Builder, logical: str) -> str:
    return str(b.tpl.literal(b.tpl.resources[logical].props.get("Name")))


def _used_sources(b: Builder) -> set[str] | None:
    """Data sources (logical ids and names) that resolvers and pipeline functions use; None when the template has
    no resolvers (they may be defined elsewhere, so every data source counts)."""
    tpl = b.tpl
    users = list(tpl.of_type("AWS::AppSync::Resolver", "AWS::AppSync::FunctionConfiguration"))
    if not users:
        return None
    used: set[str] = set()
    for res in users:
        value = res.props.get("DataSourceName")
        used.update(tpl.refs(value))
        literal = tpl.literal(value)
        if isinstance(literal, str):
            used.add(literal)
        elif isinstance(value, dict) and "Fn::GetAtt" in value:
            used.update(tpl.refs(value))
    return used


def _http(b: Builder, api: str, p: dict[str, Any], via: str) -> None:
    """An HTTP data source: an AWS service endpoint signed with the data source's role (what the role may do is what
    it calls), or an HTTP endpoint outside AWS."""
    tpl = b.tpl
    statements = iam.role_statements(tpl, p.get("ServiceRoleArn"))
    accesses = [(t, a) for s in statements for t, a in iam.statement_accesses(tpl, s)]
    config = mapping(p.get("HttpConfig"))
    endpoint = flat_text(config.get("Endpoint"))
    signed = str(mapping(config.get("AuthorizationConfig")).get("AuthorizationType", "")).upper() == "AWS_IAM"
    if signed or ".amazonaws.com" in endpoint or "${AWS::URLSuffix}" in endpoint:
        for target, access in accesses:
            b.connect(api, tpl.node_of(target), ROLE_KINDS.get(access, ()), via=via)
        return
    if endpoint.startswith("http") and "${" not in endpoint:
        host = endpoint.split("//")[-1].split("/")[0][:60]
        node = b.implicit(f"{via}Endpoint", "external-api", f"HTTP endpoint {host}")
        b.labels[node] = host
        b.connect(api, node, ["route"], via=via)


def _dynamodb_kinds(b: Builder, source: str, table: str | None, role: Any) -> list[str]:
    tpl = b.tpl
    ops: set[str] = set()
    for res in tpl.of_type("AWS::AppSync::Resolver", "AWS::AppSync::FunctionConfiguration"):
        if source in tpl.refs(res.props.get("DataSourceName")):
            ops.update(op.lower() for op in _OPERATION.findall(str(res.props.get("RequestMappingTemplate", ""))))
            ops.update(m.lower() for m in _JS_COMMAND.findall(str(res.props.get("Code", ""))))
    kinds = []
    if ops:
        reads = {op for op in ops if op.startswith(("get", "query", "scan", "batchget", "sync"))}
        kinds = (["read"] if reads else []) + (["write"] if ops - reads else [])
    if not kinds:
        granted = {a for s in iam.role_statements(tpl, role) for t, a in iam.statement_accesses(tpl, s) if t == table}
        kinds = [k for k in ("read", "write") if k in granted]
    return kinds or ["read", "write"]
