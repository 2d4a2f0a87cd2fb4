"""The template being written by ``to_sam`` (:mod:`designer.domain.iac.sam_export`): resources in insertion order,
what edges contribute to them (:class:`Links`), and what goes to ``Metadata.Archlab`` and Outputs. The renderers of
nodes (``export_nodes``) and edges (``export_links`` and the modules it calls) write into one :class:`Exporter`."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from designer.domain.catalog import Catalog
from designer.domain.diagram import CONTROL, Diagram, Edge, Node
from designer.domain.iac.names import Names, logical_id

__all__ = ["NOT_RENDERED", "Exporter", "Links", "clean", "lambda_code", "snapstart_supported"]

META_FORMAT = "archlab/sam-metadata@1"
# Types that stay in Metadata, and why.
NOT_RENDERED = {
    "client-web": "a client runs outside AWS",
    "client-mobile": "a client runs outside AWS",
    "client-iot": "a device fleet runs outside AWS",
    "client-partner": "a partner system runs outside AWS",
    "external-api": "a third-party API is not deployed by this stack",
    "legacy-app": "the legacy system is not deployed by this stack",
    "alb": "a load balancer needs a VPC and subnets the diagram does not describe",
    "fargate": "a container service needs an image and networking the diagram does not describe",
    "rds-proxy": "a proxy needs VPC subnets and a secret the diagram does not describe",
    "sagemaker": "an endpoint needs a model image the diagram does not describe",
}
INLINE = {
    "python": ("index.handler", 'def handler(event, context):\n    return {"statusCode": 200}\n'),
    "nodejs": ("index.handler", "exports.handler = async () => ({ statusCode: 200 });\n"),
}
HANDLERS = {
    "java": "example.Handler::handleRequest",
    "dotnet": "Function::Function.Handler::FunctionHandler",
    "ruby": "app.handler",
    "provided": "bootstrap",
}
SNAPSTART_RUNTIMES = ("java", "python3.12", "python3.13", "python3.14", "dotnet")  # Python 3.12 and later


@dataclass
class Links:
    """What edges contribute to resources, gathered first and written out once per resource."""

    access: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # principal -> target -> accesses
    env: dict[str, dict[str, Any]] = field(default_factory=dict)  # function -> environment variables
    dlq: dict[str, str] = field(default_factory=dict)  # topic, bus or schedule -> its dead-letter queue
    failures: dict[str, list[Edge]] = field(default_factory=dict)  # function -> its dead-letter edges
    steps: dict[str, list[Edge]] = field(default_factory=dict)  # state machine -> task and compensate edges
    paths: dict[str, dict[str, Any]] = field(default_factory=dict)  # API -> OpenAPI paths
    routes: dict[str, set[tuple[str, str]]] = field(default_factory=dict)  # API -> (method, path) in use
    statements: dict[str, list[Any]] = field(default_factory=dict)  # API or AppSync -> its service role's grants
    ws_routes: dict[str, list[str]] = field(default_factory=dict)  # WebSocket API -> route logical ids
    resource_policies: dict[str, list[Any]] = field(default_factory=dict)  # queue or topic -> statements
    dlq_users: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # topic/bus/schedule -> dicts to get it
    hoses: dict[str, dict[str, list[Edge]]] = field(default_factory=dict)  # firehose -> source, sinks, processors
    origins: dict[str, list[str]] = field(default_factory=dict)  # distribution -> origin nodes
    clients: dict[str, str] = field(default_factory=dict)  # user pool -> its app client's logical id
    policy_names: dict[str, str] = field(default_factory=dict)  # queue or topic -> its resource policy's id
    roles: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)  # (owner, service) -> role props


def clean(text: str, limit: int = 256) -> str:
    """User text safe in a description or definition: no control characters, no ${ placeholders."""
    return CONTROL.sub(" ", text).replace("${", "$ {")[:limit]


class Exporter:
    """The template being written: resources in insertion order, plus what goes to Metadata and Outputs."""

    def __init__(self, diagram: Diagram, catalog: Catalog) -> None:
        self.d, self.cat = diagram, catalog
        self.names = Names(casefold=True)  # CloudFormation logical ids are unique regardless of case
        self.logical = {n.id: self.names.claim(logical_id(n.id)) for n in diagram.nodes}
        self.meta_key = dict(self.logical)  # node id -> the logical id Metadata files it under
        self.resources: dict[str, dict[str, Any]] = {}
        self.parameters: dict[str, Any] = {}
        self.outputs: dict[str, Any] = {}
        self.meta_edges: list[dict[str, Any]] = []
        self.default_bus: str | None = None
        self.rendered: set[str] = set()
        self.bucket_names: dict[str, Any] = {}
        self.links = Links()
        self.deps: dict[str, set[str]] = {}  # node -> nodes its resources refer to (kept acyclic)
        self.adjustments: list[str] = []  # where the template departs from the diagram so that it deploys

    # ------------------------------------------------------------------------------------------------ helpers

    def node(self, node_id: str) -> Node:
        return self.d.node(node_id)

    def type(self, node_id: str) -> str:
        return self.d.node(node_id).type

    def aux(self, base: str) -> str:
        return self.names.claim(base[:200])

    def add(self, logical: str, rtype: str, props: dict[str, Any], **extra: Any) -> dict[str, Any]:
        self.resources[logical] = {"Type": rtype, **extra, "Properties": props}
        return props

    def props(self, node_id: str) -> dict[str, Any]:
        props: dict[str, Any] = self.resources[self.logical[node_id]]["Properties"]
        return props

    def ref(self, node_id: str) -> dict[str, Any]:
        return {"Ref": self.logical[node_id]}

    def att(self, node_id: str, attribute: str) -> dict[str, Any]:
        return {"Fn::GetAtt": [self.logical[node_id], attribute]}

    def is_default_bus(self, node_id: str) -> bool:
        return node_id == self.default_bus

    def arn(self, node_id: str) -> Any:
        """An expression for the ARN of a rendered node."""
        t, name = self.type(node_id), self.logical[node_id]
        if self.is_default_bus(node_id):
            return {"Fn::Sub": "arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/default"}
        if t in ("sns", "sns-fifo", "sfn-standard", "sfn-express"):
            return {"Ref": name}
        if t == "s3" and node_id in self.bucket_names:
            return {"Fn::Sub": "arn:${AWS::Partition}:s3:::" + self.bucket_names[node_id]["Fn::Sub"]}
        if t in ("apigw-rest", "apigw-http", "apigw-websocket"):
            return {
                "Fn::Sub": f"arn:${{AWS::Partition}}:execute-api:${{AWS::Region}}:${{AWS::AccountId}}:${{{name}}}/*"
            }
        if t == "ses":
            return {
                "Fn::Sub": f"arn:${{AWS::Partition}}:ses:${{AWS::Region}}:${{AWS::AccountId}}:configuration-set/${{{name}}}"
            }
        return {"Fn::GetAtt": [name, "Arn"]}

    def name_of(self, node_id: str) -> Any:
        """An expression for a node's name, as SAM policy templates want it."""
        t = self.type(node_id)
        if t in ("sqs", "sqs-fifo"):
            return self.att(node_id, "QueueName")
        if t in ("sns", "sns-fifo"):
            return self.att(node_id, "TopicName")
        if t in ("sfn-standard", "sfn-express"):
            return self.att(node_id, "Name")
        if t == "eventbridge" and self.is_default_bus(node_id):
            return "default"
        if t == "s3" and node_id in self.bucket_names:
            return self.bucket_names[node_id]
        return self.ref(node_id)

    def depend(self, node_id: str, on: str) -> bool:
        """Record that ``node_id``'s resource will refer to ``on``'s; False (nothing recorded) when that would
        close a circular dependency, which CloudFormation refuses."""
        if node_id == on:
            return False
        if on in self.deps.get(node_id, ()):
            return True
        stack, seen = [on], {on}
        while stack:
            current = stack.pop()
            for nxt in self.deps.get(current, ()):
                if nxt == node_id:
                    return False
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
        self.deps.setdefault(node_id, set()).add(on)
        return True

    def to_metadata(self, edge: Edge) -> None:
        """Keep an edge the template cannot show."""
        entry: dict[str, Any] = {
            "from": self.meta_key[edge.source],
            "to": self.meta_key[edge.target],
            "kind": edge.kind,
        }
        if edge.label:
            entry["label"] = edge.label
        if edge.attrs:  # as JSON text: cfn-lint refuses fractional numbers in Metadata
            entry["attrs"] = json.dumps(dict(edge.attrs), sort_keys=True)
        self.meta_edges.append(entry)

    # ------------------------------------------------------------------------------------------------ output

    def template(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "AWSTemplateFormatVersion": "2010-09-09",
            "Transform": "AWS::Serverless-2016-10-31",
            "Description": clean(f"{self.d.name} (exported by Archlab)", 1024),
            "Metadata": {"Archlab": self._metadata()},
        }
        if self.parameters:
            out["Parameters"] = self.parameters
        # A template needs a resource; a wait condition handle costs nothing and is no node.
        out["Resources"] = self.resources or {"Placeholder": {"Type": "AWS::CloudFormation::WaitConditionHandle"}}
        outputs = dict(list(self.outputs.items())[:200])  # CloudFormation takes at most 200 outputs
        if outputs:
            out["Outputs"] = outputs
        return out

    def _metadata(self) -> dict[str, Any]:
        nodes: dict[str, Any] = {}
        for node in self.d.nodes:
            entry: dict[str, Any] = {"id": node.id, "label": node.label}
            if node.id not in self.rendered:
                entry["type"] = node.type
                if node.given:
                    entry["config"] = json.dumps(dict(node.given), sort_keys=True)
                entry["note"] = NOT_RENDERED.get(node.type, "not deployed by this template")
            nodes[self.meta_key[node.id]] = entry
        meta: dict[str, Any] = {"format": META_FORMAT, "name": self.d.name}
        if self.default_bus:
            meta["default_bus"] = self.meta_key[self.default_bus]
        meta["nodes"] = nodes
        if self.adjustments:
            meta["adjustments"] = self.adjustments
        if self.meta_edges:
            meta["edges"] = self.meta_edges
        return meta


def lambda_code(runtime: str, node_id: str) -> dict[str, Any]:
    """Handler and placeholder code for a runtime: inline where Lambda allows it, else a CodeUri to fill in."""
    for prefix, (handler, code) in INLINE.items():
        if runtime.startswith(prefix):
            return {"Handler": handler, "InlineCode": code}
    handler = next((h for prefix, h in HANDLERS.items() if runtime.startswith(prefix)), "index.handler")
    return {"Handler": handler, "CodeUri": f"functions/{node_id}/"}


def snapstart_supported(runtime: str) -> bool:
    return runtime.startswith(SNAPSTART_RUNTIMES)
