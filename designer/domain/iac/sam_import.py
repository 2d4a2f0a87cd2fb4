"""``from_template(text)``: a SAM or CloudFormation template as a diagram, with notes on what was left out.

Resources whose type the catalog knows become nodes (labelled with their logical ids, ids in kebab-case); the
edges come from event sources, integrations, subscriptions, rules, state machine definitions and permissions;
resources the catalog has no type for are left out with a note each. The ``Metadata.Archlab`` block the exporter
writes (exact node ids and labels, off-cloud nodes such as clients, and edges a template cannot show) is read
when present. The result goes through ``diagram.parse`` and gets positions from ``layout``. Its name is a short
form of the template's Description; its description keeps the Description and lists the notes, so the notes stay
with the diagram wherever it is stored (``import_summary``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from designer.domain.catalog import Catalog, load_catalog
from designer.domain.diagram import CONTROL, FORMAT, ID_RE, LIMITS, Diagram, DiagramError, Problem, parse
from designer.domain.iac.builder import Builder, EdgeDraft, ImportNote
from designer.domain.iac.cfn_yaml import load_template
from designer.domain.iac.import_apis import read_apis
from designer.domain.iac.import_events import read_events
from designer.domain.iac.import_links import read_links
from designer.domain.iac.import_nodes import ALIAS_OF, classify, left_out_reason, runtime_in_catalog
from designer.domain.iac.import_summary import description_text, import_description, short_name
from designer.domain.iac.names import Names, node_id
from designer.domain.iac.template import Template, json_object, mapping
from designer.domain.layout import positions
from designer.domain.values import check_value, describe

__all__ = ["META_KEY", "ImportNote", "ImportResult", "from_template", "import_data", "looks_like_template"]

META_KEY = "Archlab"


@dataclass(frozen=True)
class ImportResult:
    diagram: Diagram
    notes: tuple[ImportNote, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"diagram": self.diagram.to_dict(), "notes": [n.to_dict() for n in self.notes]}


@dataclass
class _Meta:
    name: str | None = None
    ids: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    nodes: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)
    edges: list[Mapping[str, Any]] = field(default_factory=list)


def from_template(text: str | bytes, catalog: Catalog | None = None) -> ImportResult:
    """Read a template (YAML or JSON text). Raises DiagramError, with a location, for a malformed template."""
    return import_data(load_template(text), catalog)


def import_data(data: Any, catalog: Catalog | None = None) -> ImportResult:
    """Read an already decoded template."""
    if not isinstance(data, dict):
        raise DiagramError([Problem("", f"a template is a mapping with Resources, not {describe(data)}")])
    tpl = Template(data)
    b = Builder(tpl, catalog or load_catalog())
    meta = _metadata(data, b)
    _aliases(tpl)
    for res in tpl.resources.values():
        found = None if res.logical in tpl.alias else classify(res)
        if found:
            b.add_node(res.logical, found[0], found[1], res.type)
    if len(b.types) > LIMITS["nodes"]:
        raise DiagramError(
            [
                Problem(
                    "Resources", f"{len(b.types):,} resources become nodes; a diagram holds at most {LIMITS['nodes']:,}"
                )
            ]
        )
    read_events(b)
    read_apis(b)
    read_links(b)
    _apply_meta(b, meta)
    if not meta.ids:  # an exported diagram says itself whether it has clients
        _add_callers(b)
    _note_left_out(b)
    return ImportResult(_finish(b, meta, data), tuple(b.notes))


def looks_like_template(value: Any) -> bool:
    """Whether decoded data or raw text is a CloudFormation/SAM template rather than an Archlab diagram."""
    if isinstance(value, bytes):
        value = value[:200_000].decode("utf-8", "replace")
    if isinstance(value, str):
        head = value[:200_000]
        if re.search(r'"format"\s*:\s*"archlab/', head):
            return False
        keys = r"(AWSTemplateFormatVersion|Resources|Transform)"
        return bool(re.search(rf"^{keys}\s*:", head, re.M) or re.search(rf'"{keys}"\s*:', head))
    if isinstance(value, dict):
        fmt = value.get("format")
        if "nodes" in value or (isinstance(fmt, str) and fmt.startswith("archlab/")):
            return False
        return any(k in value for k in ("Resources", "AWSTemplateFormatVersion", "Transform"))
    return False


def _aliases(tpl: Template) -> None:
    for res in tpl.resources.values():
        for key in ALIAS_OF.get(res.type, ()):
            found = [r for r in tpl.refs(res.props.get(key)) if r != res.logical]
            if found:
                tpl.alias[res.logical] = found[0]
                break
    for svc in tpl.of_type("AWS::ECS::Service"):
        for task_def in tpl.refs(svc.props.get("TaskDefinition")):
            tpl.alias[task_def] = svc.logical
    for dest in tpl.of_type("AWS::Events::ApiDestination"):
        apis = [r for r in tpl.refs(dest.props.get("InvocationEndpoint")) if "Api" in tpl.resources[r].type]
        if apis:
            tpl.alias[dest.logical] = apis[0]
    for endpoint in tpl.of_type("AWS::SageMaker::Endpoint"):
        for config in tpl.refs(endpoint.props.get("EndpointConfigName")):
            tpl.alias[config] = endpoint.logical


def _metadata(data: Mapping[str, Any], b: Builder) -> _Meta:
    meta = _Meta()
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


def _apply_meta(b: Builder, meta: _Meta) -> None:
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
        label = _text(entry.get("label"))
        b.connect(src, dst, [kind], via="Metadata", attrs=attrs, label=label)


def _rekind(b: Builder, edge: EdgeDraft, kind: str) -> None:
    for key, value in list(b.edges.items()):
        if value is edge:
            del b.edges[key]
    edge.kind, edge.guessed = kind, False
    edge.attrs = {k: v for k, v in edge.attrs.items() if k in b.cat.common_attrs or k in b.cat.kinds[kind].attrs}
    b.edges[(edge.source, edge.target, kind, "")] = edge


def _add_callers(b: Builder) -> None:
    """A client for the front doors nothing else calls: templates do not declare who calls their public APIs,
    and the patterns (sync, async, bff) start at a client. Not added when the diagram has clients already."""
    if any(t in b.cat.group("clients") for t in b.types.values()):
        return
    backends = {(e.source, e.target) for e in b.edges.values()}
    # A door is called when something other than its own backends (a WebSocket callback, say) reaches it.
    called = {e.target for e in b.edges.values() if (e.target, e.source) not in backends} | b.called
    doors = [
        n for n, t in b.types.items() if (t in b.cat.group("front-doors") or t == "cloudfront") and n not in called
    ]
    if not doors:
        return
    callers = b.implicit("Callers", "client-web", "the callers of the public front doors")
    for door in doors:
        b.connect(callers, door, ["request"], via=callers)
    b.note(
        callers, "added as the caller of " + ", ".join(doors)[:300] + ": a template does not say who calls its APIs", ""
    )


def _note_left_out(b: Builder) -> None:
    for res in b.tpl.resources.values():
        if res.logical in b.types:
            continue
        if res.logical in b.tpl.alias and b.tpl.node_of(res.logical):
            b.note(res.logical, f"read as part of {b.tpl.node_of(res.logical)}")
        else:
            b.note(res.logical, left_out_reason(res.type))


def _finish(b: Builder, meta: _Meta, data: Mapping[str, Any]) -> Diagram:
    names = Names()
    ids: dict[str, str] = {}
    for logical in b.types:
        wanted = meta.ids.get(logical)
        if isinstance(wanted, str) and ID_RE.fullmatch(wanted) and not names.taken(wanted):
            ids[logical] = names.claim(wanted)
        else:
            ids[logical] = names.claim(node_id(logical), limit=64, sep="-")
    edges = b.edge_list()
    if len(edges) > LIMITS["edges"]:
        b.note("", f"{len(edges):,} connections found; the first {LIMITS['edges']:,} are kept", "")
        edges = edges[: LIMITS["edges"]]
    nodes = []
    for logical, type_id in b.types.items():
        node: dict[str, Any] = {
            "id": ids[logical],
            "type": type_id,
            "label": _text(meta.labels.get(logical)) or logical[:200],
        }
        config = _config(b, logical, type_id)
        if config:
            node["config"] = config
        nodes.append(node)
    out_edges = []
    for i, edge in enumerate(edges, start=1):
        item: dict[str, Any] = {"id": f"e{i}", "from": ids[edge.source], "to": ids[edge.target], "kind": edge.kind}
        if _text(edge.label):
            item["label"] = _text(edge.label)
        out_edges.append({**item, **edge.attrs})
    placed = positions([n["id"] for n in nodes], [(e["from"], e["to"]) for e in out_edges])
    for node in nodes:
        x, y = placed[node["id"]]
        node["position"] = {"x": x, "y": y}
    described = description_text(data.get("Description"))
    name = _text(meta.name) or _text(short_name(described)) or "Imported template"
    # An exported diagram's Description only repeats its name; another template's is kept whole, with the notes.
    about = import_description("" if meta.name else described, b.notes)
    document = {"format": FORMAT, "name": name, "description": about, "nodes": nodes, "edges": out_edges}
    return parse(document, b.cat)


def _config(b: Builder, logical: str, type_id: str) -> dict[str, Any]:
    params = b.cat.types[type_id].params
    out = {}
    for key, value in b.config.get(logical, {}).items():
        if value is None:
            continue
        param = params.get(key)
        if key == "runtime" and param is not None and check_value(param, value) and isinstance(value, str):
            nearest = runtime_in_catalog(value, param.values)
            if nearest:
                b.note(
                    logical,
                    f"runtime {value[:40]!r} is not one of the catalog's Lambda runtimes; changed to {nearest}, the "
                    "nearest of its family, which cold-start figures then use",
                )
                value = nearest
        problem = "not a setting of this type" if param is None else check_value(param, value)
        if problem:
            b.note(logical, f"{key} {describe(value)} left at the default ({problem})")
        else:
            out[key] = value
    return out


def _text(value: Any) -> str:
    """Text fit for a label or name: at most 200 characters, no control characters."""
    if not isinstance(value, str):
        return ""
    return CONTROL.sub(" ", value)[:200].strip()
