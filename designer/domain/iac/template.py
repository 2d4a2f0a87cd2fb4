"""A decoded template as the importer reads it: resources with SAM ``Globals`` applied, and references.

``Template.refs(value)`` lists the logical ids a property value points at, through ``Ref``, ``Fn::GetAtt``,
``Fn::Sub`` placeholders (and their variable maps), parameters whose value names a resource of the template
(``TableName: !Ref TableNameParam`` on both sides), literal names (``TableName: Comments``) and ARNs that end in
one. ``node_of()`` follows aliases: a resource that stands for a node (a user pool client for its pool, a schedule
for its group) answers with the node's logical id.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from designer.domain.diagram import DiagramError, Problem

__all__ = ["DEFAULT_BUS", "Resource", "Template", "mapping", "text_of"]

DEFAULT_BUS = "default"  # EventBusName meaning the account's default bus
_SUB_VAR = re.compile(r"\$\{([^!}][^}]*)\}")
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

    def prop(self, *path: str, default: Any = None) -> Any:
        value: Any = self.props
        for key in path:
            if not isinstance(value, dict) or key not in value:
                return default
            value = value[key]
        return value


def mapping(value: Any) -> dict[str, Any]:
    """``value`` when it is a mapping, else an empty one (templates put anything anywhere)."""
    return value if isinstance(value, dict) else {}


def json_object(value: Any) -> dict[str, Any] | None:
    """An object given as a mapping or written as JSON text (policies, patterns, Metadata); None for anything else."""
    if isinstance(value, dict):
        return value
    if isinstance(value, str) and len(value) <= 20_000:
        try:
            parsed = json.loads(value)
        except (ValueError, RecursionError):
            return None
        return parsed if isinstance(parsed, dict) else None
    return None


def text_of(value: Any) -> str | None:
    """A literal string (or number) value, else None."""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


class Template:
    """Resources of one template and the references between them."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.data = data
        self.parameters = mapping(data.get("Parameters"))
        self.resources = _read_resources(data)
        self.alias: dict[str, str] = {}
        self.nodes: set[str] = set()
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

    def of_type(self, *types: str) -> Iterator[Resource]:
        return (r for r in self.resources.values() if r.type in types)

    def node_of(self, logical: str | None) -> str | None:
        seen = 0
        while logical is not None and logical in self.alias and seen < 10:
            logical, seen = self.alias[logical], seen + 1
        return logical if logical is not None and (logical in self.nodes or logical == self.default_bus) else None

    def targets(self, value: Any) -> list[str]:
        """Node logical ids ``value`` refers to, in order, without repeats."""
        out = (self.node_of(r) for r in self.refs(value))
        return list(dict.fromkeys(n for n in out if n))

    def target(self, value: Any) -> str | None:
        found = self.targets(value)
        return found[0] if found else None

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

    def refs(self, value: Any) -> list[str]:
        """Logical ids of resources (or the default bus) that ``value`` refers to."""
        found: list[str] = []
        self._walk(value, found, {})
        return list(dict.fromkeys(found))

    def _walk(self, value: Any, found: list[str], sub_vars: Mapping[str, Any]) -> None:
        if isinstance(value, dict):
            if len(value) == 1:
                key, arg = next(iter(value.items()))
                if key == "Ref":
                    self._name(arg, found)
                    return
                if key == "Fn::GetAtt":
                    target = arg[0] if isinstance(arg, list) and arg else arg
                    if isinstance(target, str):
                        self._name(target.split(".")[0], found)
                    return
                if key == "Fn::Sub":
                    self._sub(arg, found)
                    return
                if key in ("Fn::ImportValue", "Fn::FindInMap", "Fn::GetAZs", "Fn::Transform"):
                    return
            for item in value.values():
                self._walk(item, found, sub_vars)
        elif isinstance(value, list):
            for item in value:
                self._walk(item, found, sub_vars)
        elif isinstance(value, str) and value.startswith("arn:") and (named := self.by_name(value)):
            found.append(named)

    def _sub(self, arg: Any, found: list[str]) -> None:
        text, variables = (arg, {}) if isinstance(arg, str) else (None, {})
        if isinstance(arg, list) and arg:
            text = arg[0] if isinstance(arg[0], str) else None
            variables = arg[1] if len(arg) > 1 and isinstance(arg[1], dict) else {}
        for match in _SUB_VAR.finditer(text or ""):
            name = match.group(1).strip()
            if name in variables:
                self._walk(variables[name], found, {})
            else:
                self._name(name.split(".")[0], found)
        if text and (named := self.by_name(text)):
            found.append(named)

    def _name(self, name: Any, found: list[str]) -> None:
        if not isinstance(name, str) or name.startswith("AWS::"):
            return
        if name in self.resources:
            found.append(name)
        elif name in self._param_names:
            found.append(self._param_names[name])


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
        out[logical] = Resource(logical, rtype, _with_globals(rtype, props, globals_))
    if problems:
        raise DiagramError(problems[:100])
    return out


def _with_globals(rtype: str, props: dict[str, Any], globals_: Mapping[str, Any]) -> dict[str, Any]:
    """SAM's Globals merge: the resource's own values win; maps merge one level deep."""
    for section, types in GLOBALS.items():
        defaults = globals_.get(section)
        if rtype not in types or not isinstance(defaults, dict):
            continue
        merged = dict(defaults)
        for key, value in props.items():
            base = merged.get(key)
            merged[key] = {**base, **value} if isinstance(base, dict) and isinstance(value, dict) else value
        return merged
    return props
