"""Reading and writing CloudFormation templates as YAML or JSON, safely.

``load_template(text)`` decodes a template into plain Python values; the short-form tags (``!Ref``, ``!GetAtt``,
``!Sub`` ...) become their long forms (``{"Ref": ...}``, ``{"Fn::GetAtt": [...]}``). It refuses, with a
:class:`~designer.domain.diagram.DiagramError` that says where, anything that is not a readable template: bad syntax,
unknown tags, documents over :data:`MAX_TEMPLATE_CHARS`, nesting past :data:`MAX_DEPTH`, and alias graphs that
would expand past :data:`MAX_EXPANDED_NODES` values (the "billion laughs"). Only ``yaml.SafeLoader`` machinery is
used: no tag can build a Python object. A key written twice in one mapping keeps its last value, as
CloudFormation does; ``read_template(text)`` also answers a warning for each, with its line.

``dump_template(data)`` writes the long forms back as short-form tags, keys in insertion order.
"""

from __future__ import annotations

import json
from typing import Any

import yaml

from designer.domain.diagram import DiagramError, Problem

__all__ = [
    "MAX_DEPTH",
    "MAX_EVENTS",
    "MAX_EXPANDED_NODES",
    "MAX_TEMPLATE_CHARS",
    "dump_template",
    "load_template",
    "read_template",
]

# CloudFormation itself takes at most 1 MB from S3; SAM sources are a little bigger before the transform.
MAX_TEMPLATE_CHARS = 2_000_000
MAX_EXPANDED_NODES = 500_000
MAX_EVENTS = 250_000  # parser events (values, aliases, start/end of collections) before anything is built
MAX_DEPTH = 200
MAX_NUMBER_CHARS = 100  # an integer written longer than this is refused (Python refuses over 4,300 digits anyway)

# Short-form tag -> long-form key. !GetAtt and !Ref have their own constructors.
_FN_TAGS = {
    "!Sub": "Fn::Sub",
    "!If": "Fn::If",
    "!Join": "Fn::Join",
    "!Select": "Fn::Select",
    "!GetAZs": "Fn::GetAZs",
    "!ImportValue": "Fn::ImportValue",
    "!FindInMap": "Fn::FindInMap",
    "!Equals": "Fn::Equals",
    "!Not": "Fn::Not",
    "!And": "Fn::And",
    "!Or": "Fn::Or",
    "!Base64": "Fn::Base64",
    "!Split": "Fn::Split",
    "!Cidr": "Fn::Cidr",
    "!Transform": "Fn::Transform",
    "!Length": "Fn::Length",
    "!ToJsonString": "Fn::ToJsonString",
}


def _error(message: str, mark: Any = None) -> DiagramError:
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
    return DiagramError([Problem("", f"{message}{where}")])


# libyaml's parser when PyYAML was built with it (several times faster), else the pure-Python one; both safe.
_SafeBase: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class TemplateLoader(_SafeBase):  # type: ignore[misc]
    """SafeLoader with CloudFormation's short-form tags, duplicate keys noted and bounded alias expansion."""

    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        self.duplicates: list[str] = []

    def get_single_node(self) -> Any:
        root = super().get_single_node()
        _check_expansion(root)
        return root

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, Any] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            try:
                if key in seen and len(self.duplicates) < 100:
                    mark = key_node.start_mark
                    self.duplicates.append(
                        f"the key {str(key)[:60]!r} at line {mark.line + 1}, column {mark.column + 1} is written "
                        "twice in one mapping; CloudFormation keeps the last value, and so does this import"
                    )
            except TypeError:
                raise _error("a mapping key must be a plain value", key_node.start_mark) from None
            seen[key] = True
        mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)
        return mapping


def _construct_value(loader: TemplateLoader, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]


def _ref(loader: TemplateLoader, node: yaml.Node) -> dict[str, Any]:
    return {"Ref": _construct_value(loader, node)}


def _condition(loader: TemplateLoader, node: yaml.Node) -> dict[str, Any]:
    return {"Condition": _construct_value(loader, node)}


def _get_att(loader: TemplateLoader, node: yaml.Node) -> dict[str, Any]:
    value = _construct_value(loader, node)
    if isinstance(value, str):
        resource, _, attribute = value.partition(".")
        return {"Fn::GetAtt": [resource, attribute]}
    return {"Fn::GetAtt": value}


def _fn(key: str) -> Any:
    def construct(loader: TemplateLoader, node: yaml.Node) -> dict[str, Any]:
        return {key: _construct_value(loader, node)}

    return construct


def _timestamp_as_text(loader: TemplateLoader, node: yaml.Node) -> Any:
    # Policy versions (2012-10-17) and dates stay text, as CloudFormation reads them.
    return loader.construct_scalar(node)


def _bounded_int(loader: TemplateLoader, node: yaml.Node) -> Any:
    text = loader.construct_scalar(node)
    if len(text) > MAX_NUMBER_CHARS:
        raise yaml.constructor.ConstructorError(
            None, None, f"a number {len(text):,} characters long (at most {MAX_NUMBER_CHARS})", node.start_mark
        )
    return loader.construct_yaml_int(node)


TemplateLoader.add_constructor("!Ref", _ref)
TemplateLoader.add_constructor("tag:yaml.org,2002:int", _bounded_int)
TemplateLoader.add_constructor("!Condition", _condition)
TemplateLoader.add_constructor("!GetAtt", _get_att)
TemplateLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_as_text)
for _tag, _key in _FN_TAGS.items():
    TemplateLoader.add_constructor(_tag, _fn(_key))


def _check_expansion(root: yaml.Node | None) -> None:
    """Refuse alias graphs that expand past the cap, recurse, or nest too deeply; linear in the composed nodes."""
    if root is None:
        return
    sizes: dict[int, int] = {}
    depths: dict[int, int] = {}
    # Iterative post-order walk: aliases share node objects, so each distinct node is sized once.
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    on_path: set[int] = set()
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            on_path.discard(key)
            children = _children(node)
            size = 1 + sum(sizes[id(c)] for c in children)
            depth = 1 + max((depths[id(c)] for c in children), default=0)
            if size > MAX_EXPANDED_NODES:
                raise _error(
                    f"the document holds more than {MAX_EXPANDED_NODES:,} values once its aliases are expanded",
                    node.start_mark,
                )
            if depth > MAX_DEPTH:
                raise _error(f"the document nests deeper than {MAX_DEPTH} levels", node.start_mark)
            sizes[key], depths[key] = size, depth
            continue
        if key in sizes:
            continue
        if key in on_path:
            raise _error("an alias refers to the value that contains it", node.start_mark)
        on_path.add(key)
        stack.append((node, True))
        stack.extend((c, False) for c in _children(node) if id(c) not in sizes)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def load_template(text: str | bytes) -> Any:
    """Decode a template (JSON or YAML); raises DiagramError with the line and column of a syntax problem."""
    return read_template(text)[0]


def read_template(text: str | bytes) -> tuple[Any, list[str]]:
    """Decode a template (JSON or YAML) and list what it writes twice; raises DiagramError as ``load_template``."""
    if isinstance(text, bytes):
        if len(text) > 4 * MAX_TEMPLATE_CHARS:
            raise _too_big(len(text))
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise DiagramError([Problem("", f"the template is not UTF-8 text (byte {exc.start})")]) from None
    if len(text) > MAX_TEMPLATE_CHARS:
        raise _too_big(len(text))
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise DiagramError([Problem("", "the template is empty")])
    if text.lstrip().startswith("{"):
        duplicates: list[str] = []
        return _load_json(text, duplicates), duplicates
    try:
        _count_events(text)
        loader = TemplateLoader(text)
        try:
            return loader.get_single_data(), loader.duplicates
        finally:
            loader.dispose()
    except DiagramError:
        raise
    except yaml.MarkedYAMLError as exc:
        message = exc.problem or exc.context or "not valid YAML"
        if "could not determine a constructor" in message:
            message = f"unknown tag {exc.problem.split('tag ')[-1] if exc.problem else ''}".strip()
        raise _error(f"not valid YAML: {message}", exc.problem_mark) from None
    except yaml.YAMLError as exc:
        raise DiagramError([Problem("", f"not valid YAML: {str(exc)[:200]}")]) from None
    except RecursionError:
        raise DiagramError([Problem("", f"the document nests deeper than {MAX_DEPTH} levels")]) from None
    except (ValueError, OverflowError) as exc:  # a value Python cannot hold; the constructors above catch the known
        raise DiagramError([Problem("", f"not valid YAML: {str(exc)[:200]}")]) from None


def _count_events(text: str) -> None:
    """Refuse a document with too many values before building anything: composing is what costs time."""
    for count, event in enumerate(yaml.parse(text, Loader=_SafeBase), start=1):
        if count > MAX_EVENTS:
            raise _error(f"the document holds more than {MAX_EVENTS:,} values, more than this reads", event.start_mark)


def _too_big(size: int) -> DiagramError:
    return DiagramError(
        [Problem("", f"the template has {size:,} characters; the most this reads is {MAX_TEMPLATE_CHARS:,}")]
    )


def _load_json(text: str, duplicates: list[str]) -> Any:
    def last_wins(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in pairs:
            if key in out and len(duplicates) < 100:
                duplicates.append(
                    f"the key {key[:60]!r} is written twice in one object; CloudFormation keeps the last value, "
                    "and so does this import"
                )
            out[key] = value
        return out

    try:
        data = json.loads(text, object_pairs_hook=last_wins)
    except json.JSONDecodeError as exc:
        raise DiagramError(
            [Problem("", f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}")]
        ) from None
    except RecursionError:
        raise DiagramError([Problem("", "the document nests too deeply")]) from None
    except ValueError as exc:  # an integer of thousands of digits
        raise DiagramError([Problem("", f"not valid JSON: {str(exc)[:120]}")]) from None
    if _depth(data) > MAX_DEPTH:
        raise DiagramError([Problem("", f"the document nests deeper than {MAX_DEPTH} levels")])
    return data


def _depth(data: Any) -> int:
    deepest, stack = 0, [(data, 1)]
    while stack:
        value, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > MAX_DEPTH:
            break
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)
    return deepest


# ---------------------------------------------------------------------------------------------------- writing

_SHORT = {value: key for key, value in _FN_TAGS.items()}


class TemplateDumper(yaml.SafeDumper):
    """Writes intrinsic functions as short-form tags and multi-line text as literal blocks."""

    def ignore_aliases(self, data: Any) -> bool:
        return True

    def choose_scalar_style(self) -> str:
        # Short-form tags read best unquoted (!Ref Api), which PyYAML only does for untagged scalars.
        event = self.event
        if isinstance(event, yaml.ScalarEvent) and event.tag and event.tag.startswith("!") and not event.style:
            if self.analysis is None:
                self.analysis = self.analyze_scalar(event.value)
            if not self.analysis.empty and not self.analysis.multiline and self.analysis.allow_block_plain:
                return ""
        return str(super().choose_scalar_style())


def _represent_dict(dumper: TemplateDumper, data: dict[str, Any]) -> yaml.Node:
    if len(data) == 1:
        key, value = next(iter(data.items()))
        if key == "Ref" and isinstance(value, str):
            return dumper.represent_scalar("!Ref", value)
        if key == "Fn::GetAtt" and isinstance(value, list) and all(isinstance(v, str) for v in value):
            return dumper.represent_scalar("!GetAtt", ".".join(value))
        if key in _SHORT:
            tag = _SHORT[key]
            if isinstance(value, str):
                return dumper.represent_scalar(tag, value, style="|" if "\n" in value else None)
            if isinstance(value, list):
                return dumper.represent_sequence(tag, value)
            if isinstance(value, dict):
                return dumper.represent_mapping(tag, value)
    return dumper.represent_mapping("tag:yaml.org,2002:map", data)


def _represent_str(dumper: TemplateDumper, data: str) -> yaml.Node:
    if "\n" in data:
        return dumper.represent_scalar("tag:yaml.org,2002:str", data, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", data)


TemplateDumper.add_representer(dict, _represent_dict)
TemplateDumper.add_representer(str, _represent_str)


def dump_template(data: dict[str, Any]) -> str:
    """YAML text of a template; deterministic for equal input."""
    return yaml.dump(data, Dumper=TemplateDumper, sort_keys=False, default_flow_style=False, width=120, indent=2)
