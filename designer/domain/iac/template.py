"""A decoded template as the importer reads it: resources with SAM ``Globals`` applied, and references.

``Template.refs(value)`` lists the logical ids a property value points at, through ``Ref``, ``Fn::GetAtt``,
``Fn::Sub`` placeholders (and their variable maps), parameters whose value names a resource of the template
(``TableName: !Ref TableNameParam`` on both sides), literal names (``TableName: Comments``) and ARNs that end in
one. With ``external=True`` it also lists what lies outside the template, as :class:`External` references
(``~param:BusName``, ``~import:orders-bus``, ``~ssm:/app/bus``, ``~arn:sqs:jobs``): a resource of another stack
named by a parameter, an export, an SSM parameter or a literal ARN. ``node_of()`` follows aliases: a resource
that stands for a node (a user pool client for its pool, a schedule for its group), or an external reference the
importer drew as a node, answers with the node's logical id. ``literal()`` reads a value the way CloudFormation
would with the parameters' defaults (``Timeout: !Ref FunctionTimeout``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from designer.domain.diagram import DiagramError, Problem
from designer.domain.iac.cfn_values import flat_text, json_object, looks_like_template, mapping, text_of

__all__ = [
    "DEFAULT_BUS",
    "External",
    "Resource",
    "Template",
    "flat_text",
    "join_key",
    "json_object",
    "looks_like_template",
    "mapping",
    "text_of",
]

DEFAULT_BUS = "default"  # EventBusName meaning the account's default bus
EXTERNAL = "~"  # prefix of the keys of external references
_SUB_VAR = re.compile(r"\$\{([^!}][^}]*)\}")
_SSM = re.compile(r"\{\{resolve:ssm(?:-secure)?:([A-Za-z0-9_./-]{1,200})(?::\d+)?\}\}")
NAME_KEYS = (
    "TableName",
    "QueueName",
    "TopicName",
    "BucketName",
    "FunctionName",
    "StateMachineName",
    "DeliveryStreamName",
    "StreamName",
    "Name",
)
# Logical ids of resources SAM creates itself that templates refer to (its implicit APIs).
SAM_IMPLICIT = frozenset({"ServerlessRestApi", "ServerlessHttpApi"})
# Globals sections and the resource types they apply to.
GLOBALS = {
    "Function": ("AWS::Serverless::Function",),
    "Api": ("AWS::Serverless::Api",),
    "HttpApi": ("AWS::Serverless::HttpApi",),
    "SimpleTable": ("AWS::Serverless::SimpleTable",),
    "StateMachine": ("AWS::Serverless::StateMachine",),
    "LayerVersion": ("AWS::Serverless::LayerVersion",),
}


@dataclass(frozen=True)
class Resource:
    logical: str
    type: str
    props: dict[str, Any]
    connectors: dict[str, Any] = field(default_factory=dict)  # SAM's resource-level Connectors attribute

    def prop(self, *path: str, default: Any = None) -> Any:
        value: Any = self.props
        for key in path:
            if not isinstance(value, dict) or key not in value:
                return default
            value = value[key]
        return value


@dataclass(frozen=True)
class External:
    """Something outside the template that a value names: its key (``~kind:name``), the label of the node that
    stands for it, the AWS service an ARN names (``sqs``, ``events``; "" when unknown), and the names other
    templates may know it by (a parameter's default, an export or SSM parameter name, a resource name)."""

    key: str
    label: str
    service: str = ""
    joins: tuple[str, ...] = ()


class Template:
    """Resources of one template and the references between them."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.data = data
        self.parameters = mapping(data.get("Parameters"))
        self.mappings = mapping(data.get("Mappings"))
        self.resources = _read_resources(data)
        self.alias: dict[str, str] = {}
        self.nodes: set[str] = set()
        self.externals: dict[str, External] = {}
        self.default_bus: str | None = None  # logical id of the account's default bus, once something uses it
        self._literal_names: dict[str, str] = {}
        self._param_names: dict[str, str] = {}
        for res in self.resources.values():
            for key in NAME_KEYS:
                value = res.props.get(key)
                if isinstance(value, str) and value:
                    self._literal_names.setdefault(value, res.logical)
                elif isinstance(value, dict) and isinstance(value.get("Fn::Sub"), str):
                    # A generated name (``${AWS::StackName}-orders``) that policies repeat to avoid a cycle.
                    self._literal_names.setdefault(value["Fn::Sub"], res.logical)
                elif isinstance(value, dict) and isinstance(value.get("Ref"), str) and value["Ref"] in self.parameters:
                    self._param_names.setdefault(value["Ref"], res.logical)
                    default = self.literal(value)
                    if isinstance(default, str) and default:
                        self._literal_names.setdefault(default, res.logical)
                elif isinstance(value, dict) and "Fn::FindInMap" in value:
                    mapped = self.literal(value)
                    if isinstance(mapped, str) and mapped:
                        self._literal_names.setdefault(mapped, res.logical)

    def of_type(self, *types: str) -> Iterator[Resource]:
        return (r for r in self.resources.values() if r.type in types)

    def node_of(self, logical: str | None) -> str | None:
        seen = 0
        while logical is not None and logical in self.alias and seen < 10:
            logical, seen = self.alias[logical], seen + 1
        return logical if logical is not None and (logical in self.nodes or logical == self.default_bus) else None

    def targets(self, value: Any) -> list[str]:
        """Node logical ids ``value`` refers to, in order, without repeats (external ones already drawn too)."""
        out = (self.node_of(r) for r in self.refs(value, external=True))
        return list(dict.fromkeys(n for n in out if n))

    def target(self, value: Any) -> str | None:
        found = self.targets(value)
        return found[0] if found else None

    def literal(self, value: Any) -> Any:
        """``value`` with a parameter reference replaced by the parameter's default and a ``!FindInMap`` of
        literal keys by the mapped value; anything else unchanged."""
        if isinstance(value, dict) and len(value) == 1:
            key, arg = next(iter(value.items()))
            if key == "Ref" and isinstance(arg, str) and arg in self.parameters:
                default = mapping(self.parameters[arg]).get("Default")
                return default if isinstance(default, str | int | float) and not isinstance(default, bool) else value
            if key == "Fn::FindInMap" and isinstance(arg, list) and len(arg) == 3:
                keys = [self.literal(a) for a in arg]
                if all(isinstance(k, str) for k in keys):
                    found = mapping(mapping(self.mappings.get(keys[0])).get(keys[1])).get(keys[2])
                    if isinstance(found, str | int | float) and not isinstance(found, bool):
                        return found
        return value

    def by_name(self, name: Any) -> str | None:
        """The resource a literal name or ARN names (``Comments``, ``arn:...:table/Comments``)."""
        text = text_of(name)
        if not text:
            return None
        if text == DEFAULT_BUS or text.endswith(":event-bus/default"):
            return self.default_bus_id()
        if text in self._literal_names:
            return self._literal_names[text]
        if "${" in text:  # an ARN built from a generated name: arn:...:s3:::${AWS::StackName}-reports
            for name, logical in self._literal_names.items():
                if "${" in name and text.endswith(name) and text[: -len(name)].endswith((":", "/")):
                    return logical
        if text.startswith("arn:") and re.fullmatch(r"\d{12}", text.split(":")[4] if text.count(":") > 4 else ""):
            return None  # a fixed account's resource: another account's, wherever the template is deployed
        if text.startswith(("arn:", "https://sqs.")):
            tail = re.split(r"[:/]", text)[-1]
            return self._literal_names.get(tail)
        return None

    def default_bus_id(self) -> str:
        """The logical id that stands for the account's default event bus (a node the importer adds)."""
        if self.default_bus is None:
            name, n = "DefaultEventBus", 1
            while name in self.resources:
                n += 1
                name = f"DefaultEventBus{n}"
            self.default_bus = name
        return self.default_bus

    def refs(self, value: Any, *, external: bool = False) -> list[str]:
        """Logical ids of resources (or the default bus) that ``value`` refers to; with ``external``, also the keys
        of external references (see :attr:`externals`)."""
        found: list[str] = []
        self._walk(value, found, external)
        return list(dict.fromkeys(found))

    def _walk(self, value: Any, found: list[str], external: bool) -> None:
        if isinstance(value, dict):
            if len(value) == 1:
                key, arg = next(iter(value.items()))
                if key == "Ref":
                    self._name(arg, found, external, "")
                    return
                if key == "Fn::GetAtt":
                    parts = arg if isinstance(arg, list) else str(arg).split(".", 1)
                    target = parts[0] if parts else None
                    attribute = str(parts[1]) if len(parts) > 1 else ""
                    if isinstance(target, str) and attribute.startswith("Outputs.") and self._is_stack(target):
                        if external:  # an output of a nested stack: joined with that stack's template, if read
                            name = f"{target}.{attribute.removeprefix('Outputs.')}"
                            found.append(self._external("output", name, attribute[8:], "", (f"output:{name}",)))
                    elif isinstance(target, str):
                        self._name(target.split(".")[0], found, external, "")
                    return
                if key == "Fn::Sub":
                    self._sub(arg, found, external)
                    return
                if key == "Fn::ImportValue":
                    name = flat_text(arg)
                    if external and name:
                        found.append(self._external("import", name, name, "", (join_key("export", name),)))
                    return
                if key == "Fn::FindInMap":
                    resolved = self.literal(value)
                    if isinstance(resolved, str) and (named := self.by_name(resolved)):
                        found.append(named)  # a name kept in a mapping, as the resource's own Name is
                    elif resolved is not value:
                        self._walk(resolved, found, external)
                    return
                if key in ("Fn::GetAZs", "Fn::Transform"):
                    return
            for item in value.values():
                self._walk(item, found, external)
        elif isinstance(value, list):
            for item in value:
                self._walk(item, found, external)
        elif isinstance(value, str):
            self._text(value, found, external)

    def _text(self, text: str, found: list[str], external: bool) -> None:
        if text.startswith("arn:"):
            named = self.by_name(text)
            if named:
                found.append(named)
            elif external and (arn := _arn_name(text)):
                service, name = arn
                found.append(self._external("arn", f"{service}:{name}", name, service, (join_key("name", name),)))
        elif external and "{{resolve:ssm" in text:
            for path in _SSM.findall(text):
                found.append(self._external("ssm", path, path, "", (join_key("ssm", path),)))

    def _sub(self, arg: Any, found: list[str], external: bool) -> None:
        text, variables = (arg, {}) if isinstance(arg, str) else (None, {})
        if isinstance(arg, list) and arg:
            text = arg[0] if isinstance(arg[0], str) else None
            variables = arg[1] if len(arg) > 1 and isinstance(arg[1], dict) else {}
        service, resource_part = _arn_parts(text or "")
        before = len(found)
        for match in _SUB_VAR.finditer(resource_part):
            name = match.group(1).strip()
            if name in variables:
                self._walk(variables[name], found, external)
            else:
                self._name(name.split(".")[0], found, external, service)
        if text and (named := self.by_name(text)):
            found.append(named)
        elif text and external and len(found) == before and "{{resolve:ssm" in text:
            self._text(text, found, external)

    def _name(self, name: Any, found: list[str], external: bool, service: str) -> None:
        if not isinstance(name, str) or name.startswith("AWS::"):
            return
        if name in self.resources or name in SAM_IMPLICIT:
            found.append(name)
        elif name in self._param_names:
            found.append(self._param_names[name])
        elif name in self.parameters:
            default = self.literal({"Ref": name})
            named = self.by_name(default) if isinstance(default, str) and default != DEFAULT_BUS else None
            if named:
                found.append(named)
            elif external:
                ssm_type = str(mapping(self.parameters[name]).get("Type", "")).startswith("AWS::SSM::Parameter")
                joins = (
                    (join_key("ssm" if ssm_type else "name", default),) if isinstance(default, str) and default else ()
                )
                found.append(self._external("ssm" if ssm_type else "param", name, name, service, joins))

    def external_name(self, name: str) -> str:
        """The key of a resource outside the template known only by its physical name."""
        return self._external("name", name, name, "", (join_key("name", name),))

    def _is_stack(self, logical: str) -> bool:
        res = self.resources.get(logical)
        return res is not None and res.type in ("AWS::CloudFormation::Stack", "AWS::Serverless::Application")

    def _external(self, kind: str, key: str, label: str, service: str, joins: tuple[str, ...]) -> str:
        ref = f"{EXTERNAL}{kind}:{key}"
        known = self.externals.get(ref)
        if known is None or (service and not known.service):
            self.externals[ref] = External(ref, label[:200], service or (known.service if known else ""), joins)
        return ref


def _arn_parts(text: str) -> tuple[str, str]:
    """(service, the text from the resource on) of an ARN written with ${placeholders}; ("", text) for any other
    text. Placeholders for the partition, Region or account say nothing of which resource the ARN names."""
    if not text.startswith("arn:"):
        return "", text
    marked = _SUB_VAR.sub(lambda m: "\0" * len(m.group(0)), text)  # placeholders may hold "::" themselves
    parts = marked.split(":", 5)
    if len(parts) < 6:
        return "", text
    return text[len("arn:") + len(parts[1]) + 1 : len("arn:") + len(parts[1]) + 1 + len(parts[2])], text[
        len(marked) - len(parts[5]) :
    ]


def join_key(kind: str, name: str) -> str:
    """How templates of one application know a shared resource: ``name:orders-bus``, ``ssm:/app/bus``, or
    ``export:OrdersBusArn`` for an export whatever stack-name placeholder it starts with."""
    if kind == "export":
        name = re.sub(r"\$\{[^}]*\}", "", name).strip("-_.:/ ")
    return f"{kind}:{name}"


def _arn_name(arn: str) -> tuple[str, str] | None:
    """(service, resource name) of a literal ARN, or None: arn:aws:sqs:us-east-1:1234:jobs -> (sqs, jobs)."""
    parts = arn.split(":", 5)
    if len(parts) < 6 or not parts[2] or parts[2] in ("iam", "states") and not parts[3]:
        return None  # IAM policies and Step Functions service integrations (arn:aws:states:::sqs:sendMessage)
    resource = parts[5]
    if parts[2] == "dynamodb" and "/stream/" in resource:
        resource = resource.split("/stream/")[0]
    name = re.split(r"[:/]", resource)[-1] if parts[2] != "dynamodb" else resource.split("/")[-1]
    return (parts[2].lower(), name[:200]) if name and "*" not in name and "$" not in name else None


def _read_resources(data: Mapping[str, Any]) -> dict[str, Resource]:
    raw = data.get("Resources")
    problems: list[Problem] = []
    if not isinstance(raw, dict) or not raw:
        what = "is empty" if isinstance(raw, dict) else "is missing" if raw is None else "must be a mapping"
        raise DiagramError([Problem("Resources", f"{what}: a template declares its resources under Resources")])
    globals_ = mapping(data.get("Globals"))
    out: dict[str, Resource] = {}
    for logical, entry in raw.items():
        where = f"Resources.{str(logical)[:80]}"
        if not isinstance(logical, str) or not logical:
            problems.append(Problem(where, "a logical id must be text"))
            continue
        if not isinstance(entry, dict):
            problems.append(Problem(where, "a resource must be a mapping with a Type"))
            continue
        rtype = entry.get("Type")
        if not isinstance(rtype, str) or not rtype:
            problems.append(Problem(f"{where}.Type", "is missing; every resource names its Type"))
            continue
        props = entry.get("Properties", {})
        if props is None:
            props = {}
        if not isinstance(props, dict):
            problems.append(Problem(f"{where}.Properties", "must be a mapping"))
            continue
        connectors = entry.get("Connectors")
        out[logical] = Resource(
            logical, rtype, _with_globals(rtype, props, globals_), connectors if isinstance(connectors, dict) else {}
        )
    if problems:
        raise DiagramError(problems[:100])
    return out


def _with_globals(rtype: str, props: dict[str, Any], globals_: Mapping[str, Any]) -> dict[str, Any]:
    """SAM's Globals merge: the resource's own values win; maps merge key by key, all the way down (a function's
    environment variables join the global ones); lists and scalars are replaced."""
    for section, types in GLOBALS.items():
        defaults = globals_.get(section)
        if rtype in types and isinstance(defaults, dict):
            return _merged(defaults, props, 0)
    return props


def _merged(base: dict[str, Any], own: dict[str, Any], depth: int) -> dict[str, Any]:
    out = dict(base)
    for key, value in own.items():
        under = out.get(key)
        both = isinstance(under, dict) and isinstance(value, dict) and depth < 10
        out[key] = _merged(under, value, depth + 1) if both else value  # type: ignore[arg-type]
    return out
