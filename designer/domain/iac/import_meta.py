"""The ``Metadata.Archlab`` block the exporter writes into a template: exact node ids and labels, nodes a template
cannot hold (clients, external systems) and edges it cannot show. Read back when a template carries it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from designer.domain.diagram import CONTROL, LIMITS
from designer.domain.iac.builder import Builder, EdgeDraft
from designer.domain.iac.template import json_object, mapping

__all__ = ["META_KEY", "Meta", "apply_meta", "read_meta", "text"]

META_KEY = "Archlab"


@dataclass
class Meta:
    name: str | None = None
    ids: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    nodes: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)
    edges: list[Mapping[str, Any]] = field(default_factory=list)


def text(value: Any) -> str:
    """Text fit for a label or name: at most 200 characters, no control characters."""
    if not isinstance(value, str):
        return ""
    return CONTROL.sub(" ", value)[:200].strip()


def read_meta(data: Mapping[str, Any], b: Builder) -> Meta:
    meta = Meta()
    top = data.get("Metadata")
    raw = top.get(META_KEY) if isinstance(top, dict) else None
    if raw is None:
        return meta
    if not isinstance(raw, dict):
        b.note("Metadata", f"Metadata.{META_KEY} is not a mapping; ignored", "Metadata")
        return meta
    meta.name = raw.get("name") if isinstance(raw.get("name"), str) else None
    bus = raw.get("default_bus")
    if isinstance(bus, str) and bus not in b.tpl.resources:
        b.tpl.default_bus = bus
        b.ensure(bus)  # the diagram has it even when nothing in the template uses it
    nodes = mapping(raw.get("nodes"))
    for logical, entry in nodes.items():
        if not isinstance(entry, dict):
            continue
        if isinstance(entry.get("id"), str):
            meta.ids[str(logical)] = entry["id"]
        if isinstance(entry.get("label"), str):
            meta.labels[str(logical)] = entry["label"]
        if isinstance(entry.get("type"), str):
            meta.nodes[str(logical)] = (entry["type"], json_object(entry.get("config")) or {})
    edges = raw.get("edges")
    meta.edges = [e for e in edges if isinstance(e, dict)] if isinstance(edges, list) else []
    return meta


def apply_meta(b: Builder, meta: Meta) -> None:
    for logical, (type_id, config) in meta.nodes.items():
        if logical in b.types or logical in b.tpl.resources:
            continue
        if type_id not in b.cat.types:
            b.note(logical, f"Metadata names the unknown service type {type_id[:40]!r}; left out", "Metadata")
            continue
        b.add_node(logical, type_id, config, "Metadata")
    entries = [
        e for e in meta.edges[: LIMITS["edges"]] if all(isinstance(e.get(k), str) for k in ("from", "to", "kind"))
    ]
    pairs: dict[tuple[str | None, str | None], set[str]] = {}
    for entry in entries:
        pair = (
            b.tpl.node_of(entry["from"]) or b.ensure(entry["from"]),
            b.tpl.node_of(entry["to"]) or b.ensure(entry["to"]),
        )
        pairs.setdefault(pair, set()).add(entry["kind"])
    for entry in entries:
        source, target, kind = entry["from"], entry["to"], entry["kind"]
        src, dst = b.tpl.node_of(source) or b.ensure(source), b.tpl.node_of(target) or b.ensure(target)
        same_pair = [e for e in b.edges.values() if (e.source, e.target) == (src, dst)]
        if any(e.kind == kind for e in same_pair):
            continue
        # An edge the template shows with a guessed kind takes Metadata's, unless Metadata lists that kind too.
        guessed = next((e for e in same_pair if e.guessed and e.kind not in pairs[(src, dst)]), None)
        if guessed is not None and kind in b.cat.allowed_kinds(b.types[guessed.source], b.types[guessed.target]):
            _rekind(b, guessed, kind)
            continue
        attrs = json_object(entry.get("attrs")) or {}
        b.connect(src, dst, [kind], via="Metadata", attrs=attrs, label=text(entry.get("label")))
    # Metadata lists every kind of a pair it names: a kind the template only suggests is dropped.
    for key, edge in list(b.edges.items()):
        kinds = pairs.get((edge.source, edge.target))
        if kinds and edge.guessed and edge.kind not in kinds:
            del b.edges[key]


def _rekind(b: Builder, edge: EdgeDraft, kind: str) -> None:
    for key, value in list(b.edges.items()):
        if value is edge:
            del b.edges[key]
    edge.kind, edge.guessed = kind, False
    edge.attrs = {k: v for k, v in edge.attrs.items() if k in b.cat.common_attrs or k in b.cat.kinds[kind].attrs}
    b.edges[(edge.source, edge.target, kind, "")] = edge
