"""``from_template(text)``: a SAM or CloudFormation template as a diagram, with notes on what was left out;
``from_templates(sources)``: several templates of one application as one diagram.

Resources whose type the catalog knows become nodes (labelled with their logical ids, ids in kebab-case); the
edges come from event sources, integrations, subscriptions, rules, pipes, state machine definitions (inline or in
the file ``DefinitionUri`` names), connectors, and an environment variable naming a resource together with a
permission to use it, never from a permission alone. A resource of another stack that the template names (by a
parameter, an export, an SSM parameter or an ARN) is drawn as a node tagged ``external``; when several templates
are imported together, such nodes are joined with the resource they name (``merge``). Resources the catalog has no
type for are left out with a note each. The ``Metadata.Archlab`` block the exporter writes is read when present.
The result goes through ``diagram.parse`` and gets positions from ``layout``. Its name is a short form of the
template's Description; its description keeps the Description and lists the notes (``import_summary``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from designer.domain.catalog import Catalog, load_catalog
from designer.domain.diagram import FORMAT, ID_RE, LIMITS, Diagram, DiagramError, Problem, parse
from designer.domain.iac.builder import Builder, ImportNote
from designer.domain.iac.cfn_yaml import read_template
from designer.domain.iac.files import FileReader, Files
from designer.domain.iac.import_apis import read_apis
from designer.domain.iac.import_events import read_events
from designer.domain.iac.import_links import read_links
from designer.domain.iac.import_meta import META_KEY, Meta, apply_meta, read_meta, text
from designer.domain.iac.import_nodes import ALIAS_OF, classify
from designer.domain.iac.import_summary import description_text, import_description, short_name
from designer.domain.iac.left_out import left_out_reason
from designer.domain.iac.merge import Part, merge
from designer.domain.iac.names import Names, node_id
from designer.domain.iac.template import Template, looks_like_template
from designer.domain.layout import positions
from designer.domain.runtimes import nearest
from designer.domain.values import check_value, describe

__all__ = [
    "META_KEY",
    "MAX_TEMPLATES",
    "ImportNote",
    "ImportResult",
    "from_template",
    "from_templates",
    "import_data",
    "looks_like_template",
]

MAX_TEMPLATES = 50  # templates of one application imported together (nested stacks included)
MAX_NESTING = 5


@dataclass(frozen=True)
class ImportResult:
    diagram: Diagram
    notes: tuple[ImportNote, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"diagram": self.diagram.to_dict(), "notes": [n.to_dict() for n in self.notes]}


def from_template(
    text: str | bytes, catalog: Catalog | None = None, *, files: Files | None = None, path: str = "template.yaml"
) -> ImportResult:
    """Read a template (YAML or JSON text); ``files`` holds the files beside it, ``path`` is its place among them.
    Raises DiagramError, with a location, for a malformed template."""
    return from_templates([(path, text)], catalog, files=files)


def from_templates(
    sources: Sequence[tuple[str, str | bytes]], catalog: Catalog | None = None, *, files: Files | None = None
) -> ImportResult:
    """Read the templates of one application (path, text) into one diagram, joining what they share. Raises
    DiagramError naming the template and the place when one cannot be read."""
    if not sources:
        raise DiagramError([Problem("", "no template to import")])
    if len(sources) > MAX_TEMPLATES:
        raise DiagramError([Problem("", f"{len(sources)} templates; one import reads at most {MAX_TEMPLATES}")])
    cat = catalog or load_catalog()
    reader = FileReader(files)
    parts: list[Part] = []
    for path, raw in sources:
        try:
            data, duplicates = read_template(raw)
        except DiagramError as exc:
            if len(sources) == 1:
                raise
            raise DiagramError([Problem(p.path, f"{path}: {p.message}") for p in exc.problems]) from None
        parts.extend(_read_part(data, cat, reader, path, duplicates, depth=0, label=path if len(sources) > 1 else ""))
    if len(parts) == 1:
        return _result(parts[0].builder, parts[0].meta, parts[0].data)
    combined = merge(parts)
    return _result(combined, Meta(), parts[0].data, [p.data for p in parts[1:]])


def import_data(data: Any, catalog: Catalog | None = None) -> ImportResult:
    """Read an already decoded template."""
    [part] = _read_part(data, catalog or load_catalog(), FileReader(), "template.yaml", [], depth=0, label="")
    return _result(part.builder, part.meta, data)


# ---------------------------------------------------------------------------------------------------- reading


def _read_part(
    data: Any, cat: Catalog, reader: FileReader, path: str, duplicates: list[str], *, depth: int, label: str
) -> list[Part]:
    """One template read into a builder, then the nested stacks it names (each a part of its own)."""
    if not isinstance(data, dict):
        raise DiagramError([Problem("", f"a template is a mapping with Resources, not {describe(data)}")])
    b = Builder(Template(data), cat, reader, path)
    for warning in duplicates:
        b.note("", warning, "")
    meta = read_meta(data, b)
    _aliases(b.tpl)
    for res in b.tpl.resources.values():
        found = None if res.logical in b.tpl.alias else classify(res, b.tpl)
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
    apply_meta(b, meta)
    if not meta.ids:  # an exported diagram says itself whether it has clients
        _add_callers(b)
    _note_left_out(b)
    part = Part(b, meta, data, path, label)
    return [part, *_nested(part, cat, reader, depth)]


def _nested(parent: Part, cat: Catalog, reader: FileReader, depth: int) -> list[Part]:
    """The nested stacks (``AWS::CloudFormation::Stack``, ``AWS::Serverless::Application``) whose template is a file
    among those imported; the others stay notes."""
    b = parent.builder
    out: list[Part] = []
    for res in b.tpl.of_type("AWS::CloudFormation::Stack", "AWS::Serverless::Application"):
        location = res.props.get("TemplateURL") if res.type.endswith("Stack") else res.props.get("Location")
        if not isinstance(location, str):
            b.note(res.logical, "a nested stack from the Serverless Application Repository or S3; left out")
            continue
        if depth >= MAX_NESTING:
            b.note(res.logical, f"nested deeper than {MAX_NESTING} stacks; left out")
            continue
        child, child_path, why = b.reader.document(b.path, location)
        if child is None:
            b.note(res.logical, f"the nested stack's template: {why}; its resources are left out")
            continue
        parts = _read_part(child, cat, b.reader, child_path, [], depth=depth + 1, label=f"{parent.label}{res.logical}/")
        parts[0].stack = res.logical
        parts[0].parent = parent
        parts[0].parameters = (
            {str(k): v for k, v in (res.props.get("Parameters") or {}).items()}
            if isinstance(res.props.get("Parameters"), dict)
            else {}
        )
        out.extend(parts)
    return out


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
        apis = [
            r
            for r in tpl.refs(dest.props.get("InvocationEndpoint"))
            if r in tpl.resources and "Api" in tpl.resources[r].type
        ]
        if apis:
            tpl.alias[dest.logical] = apis[0]
    for endpoint in tpl.of_type("AWS::SageMaker::Endpoint"):
        for config in tpl.refs(endpoint.props.get("EndpointConfigName")):
            tpl.alias[config] = endpoint.logical


def _add_callers(b: Builder) -> None:
    """A client for the front doors nothing else calls: templates do not declare who calls their public APIs,
    and the patterns (sync, async, bff) start at a client. Not added when the diagram has clients already."""
    if any(t in b.cat.group("clients") for t in b.types.values()):
        return
    backends = {(e.source, e.target) for e in b.edges.values()}
    # A door is called when something other than its own backends reaches it; a WebSocket API's clients connect
    # whatever posts back to them.
    called = {
        e.target
        for e in b.edges.values()
        if (e.target, e.source) not in backends and b.types.get(e.target) != "apigw-websocket"
    } | b.called
    doors = [
        n
        for n, t in b.types.items()
        if (t in b.cat.group("front-doors") or t == "cloudfront" or b.config.get(n, {}).get("url_auth") is not None)
        and n not in called
        and "external" not in b.tags.get(n, ())
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


# ---------------------------------------------------------------------------------------------------- the diagram


def _result(b: Builder, meta: Meta, data: Mapping[str, Any], others: Sequence[Mapping[str, Any]] = ()) -> ImportResult:
    return ImportResult(_finish(b, meta, data, others), tuple(b.notes))


def _finish(b: Builder, meta: Meta, data: Mapping[str, Any], others: Sequence[Mapping[str, Any]]) -> Diagram:
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
            "label": text(meta.labels.get(logical)) or text(b.labels.get(logical)) or logical[:200],
        }
        config = _config(b, logical, type_id)
        if config:
            node["config"] = config
        if b.tags.get(logical):
            node["tags"] = [t[:40] for t in b.tags[logical][: LIMITS["tags"]]]
        nodes.append(node)
    out_edges = []
    for i, edge in enumerate(edges, start=1):
        item: dict[str, Any] = {"id": f"e{i}", "from": ids[edge.source], "to": ids[edge.target], "kind": edge.kind}
        if text(edge.label):
            item["label"] = text(edge.label)
        out_edges.append({**item, **edge.attrs})
    placed = positions([n["id"] for n in nodes], [(e["from"], e["to"]) for e in out_edges])
    for node in nodes:
        x, y = placed[node["id"]]
        node["position"] = {"x": x, "y": y}
    described = description_text(data.get("Description"))
    name = text(meta.name) or text(short_name(described)) or "Imported template"
    if others:
        name = f"{name} (+{len(others)} template{'s' if len(others) > 1 else ''})"[:200]
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
            closest = nearest(value, param.values)
            if closest:
                b.note(
                    logical,
                    f"runtime {value[:40]!r} is not one of the catalog's Lambda runtimes; changed to {closest}, the "
                    "nearest of its family, which cold-start figures then use",
                )
                value = closest
        problem = "not a setting of this type" if param is None else check_value(param, value)
        if problem:
            b.note(logical, f"{key} {describe(value)} left at the default ({problem})")
        else:
            out[key] = value
    return out
