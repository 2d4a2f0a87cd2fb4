"""Several templates of one application as one diagram: nodes of every template, with what they share joined.

A template names the resources of another stack without declaring them: by an export (``!ImportValue``), an SSM
parameter, a parameter whose default is the resource's name, an ARN, or, for a nested stack, a parameter its parent
passes and an output its parent reads. Each template's importer draws such a resource as an external node that
carries the names it is known by (:attr:`Builder.joins`); ``merge`` looks those names up among what the other
templates provide (their resources' literal names, exports, SSM parameters, nested-stack outputs) and draws one
node for both. External nodes of different templates that name the same thing become one external node. Every
account has one default event bus, so the templates' default buses are one node too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from designer.domain.iac.builder import Builder, EdgeDraft
from designer.domain.iac.import_meta import Meta
from designer.domain.iac.template import NAME_KEYS, flat_text, join_key, mapping, text_of

__all__ = ["Part", "merge"]


@dataclass(eq=False)
class Part:
    """One template of the application as its importer read it."""

    builder: Builder
    meta: Meta
    data: Mapping[str, Any]
    path: str
    label: str = ""  # how notes name this template ("" for a template imported alone)
    stack: str | None = None  # for a nested stack: the logical id of the stack resource in its parent
    parent: Part | None = None
    parameters: dict[str, Any] = field(default_factory=dict)  # what the parent passes to a nested stack


def merge(parts: list[Part]) -> Builder:
    """The parts' nodes and edges in the first part's builder, with shared resources joined."""
    base = parts[0].builder
    providers: dict[str, tuple[Part, str]] = {}
    for part in parts:
        for key, logical in _provided(part):
            providers.setdefault(key, (part, logical))
    redirect: dict[tuple[int, str], tuple[Part, str]] = {}
    claimed: dict[str, tuple[Part, str]] = {}
    for part in parts:
        for logical in part.builder.types:
            if "external" in part.builder.tags.get(logical, ()):
                wanted = _wanted(part, logical)
                found = next((providers[k] for k in wanted if k in providers and providers[k][0] is not part), None)
                if found is None:
                    found = next((claimed[k] for k in wanted if k in claimed), None)
                    for key in wanted:
                        claimed.setdefault(key, found or (part, logical))
                if found is not None and found != (part, logical):
                    redirect[(id(part), logical)] = found
            elif logical == part.builder.tpl.default_bus:
                found = claimed.setdefault("name:default", (part, logical))
                if found[0] is not part:
                    redirect[(id(part), logical)] = found

    names: dict[tuple[int, str], str] = {}
    taken = set(base.types)
    for logical in base.types:
        names[(id(parts[0]), logical)] = logical
    for part in parts[1:]:
        b = part.builder
        for logical in b.types:
            if (id(part), logical) in redirect:
                continue
            unique, n = logical, 1
            while unique in taken:
                n += 1
                unique = f"{logical}{n}"
            taken.add(unique)
            names[(id(part), logical)] = unique
            base.add_node(unique, b.types[logical], b.config[logical], b.origin[logical])
            base.labels[unique] = b.labels.get(logical, logical)
            base.tags[unique] = list(b.tags.get(logical, []))
            base.joins[unique] = b.joins.get(logical, ())

    def final(part: Part, logical: str) -> str:
        seen = 0
        while (id(part), logical) in redirect and seen < 20:
            part, logical = redirect[(id(part), logical)]
            seen += 1
        return names[(id(part), logical)]

    joined: list[str] = []
    for part in parts:
        for (pid, logical), (target_part, target) in redirect.items():
            if pid == id(part) and logical in part.builder.types:
                joined.append(
                    f"{part.label}{part.builder.labels.get(logical, logical)} -> {final(target_part, target)}"
                )
    drafts = [(part, part.builder.edge_list()) for part in parts]
    base.edges = {}
    for part, edges in drafts:
        for edge in edges:
            src, dst = final(part, edge.source), final(part, edge.target)
            if src == dst and edge.kind not in ("dead-letter",):
                continue
            step = str(edge.attrs.get("step", "")) if edge.kind in ("task", "compensate") else ""
            edge_key = (src, dst, edge.kind, step)
            if edge_key not in base.edges:
                base.edges[edge_key] = EdgeDraft(src, dst, edge.kind, dict(edge.attrs), edge.label, edge.guessed)
    for (pid, logical), _ in redirect.items():
        if pid == id(parts[0]):
            base.drop_node(logical)
    for part in parts[1:]:
        for note in part.builder.notes:
            base.note(f"{part.label}{note.resource}", note.note, note.type)
    for line in joined:
        base.note("", f"joined across templates: {line}", "")
    return base


def _provided(part: Part) -> list[tuple[str, str]]:
    """(join key, node) pairs: the names other templates may know this template's resources by."""
    b, tpl = part.builder, part.builder.tpl
    out: list[tuple[str, str]] = []
    for logical in b.types:
        if "external" in b.tags.get(logical, ()):
            continue
        out.append((f"node:{id(part)}:{logical}", logical))
        res = tpl.resources.get(logical)
        for key in NAME_KEYS if res is not None else ():
            name = text_of(tpl.literal(res.props.get(key))) if res is not None else None
            if name:
                out.append((join_key("name", name), logical))
    for name, output in mapping(part.data.get("Outputs")).items():
        output = mapping(output)
        targets = tpl.targets(output.get("Value"))
        export = flat_text(mapping(output.get("Export")).get("Name"))
        for target in targets[:1]:
            if export:
                out.append((join_key("export", export), target))
            if part.stack:
                out.append((f"output:{part.stack}.{name}", target))
    for res in tpl.of_type("AWS::SSM::Parameter"):
        name = text_of(tpl.literal(res.props.get("Name")))
        for target in tpl.targets(res.props.get("Value"))[:1]:
            if name:
                out.append((join_key("ssm", name), target))
    return out


def _wanted(part: Part, logical: str) -> list[str]:
    """The names an external node of ``part`` is known by, including what a nested stack's parent passes it."""
    b = part.builder
    wanted = list(b.joins.get(logical, ()))
    key = next((k for k, v in b.tpl.alias.items() if v == logical and k.startswith("~")), "")
    if key.startswith("~param:") and part.parent is not None:
        value = part.parameters.get(key.removeprefix("~param:"))
        parent = part.parent
        literal = text_of(value)
        if literal:
            wanted.append(join_key("name", literal))
        for ref in parent.builder.tpl.refs(value, external=True):
            node = parent.builder.tpl.node_of(ref)
            if node is not None:
                wanted.append(f"node:{id(parent)}:{node}")
            elif ref in parent.builder.tpl.externals:
                wanted.extend(parent.builder.tpl.externals[ref].joins)
    return wanted
