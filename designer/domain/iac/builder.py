"""The importer's working state: nodes and edges found so far, and notes about what was left out.

Every edge goes through :meth:`Builder.connect`, which keeps only kinds the catalog allows between the two
types (the first of the preferred kinds that fits) and only edge attributes valid for that kind, and notes
whatever it had to drop; so the document handed to ``diagram.parse`` at the end is valid by construction.
:meth:`Builder.resolve` finds the nodes a property value names, drawing a resource of another stack (named by a
parameter, an export, an SSM parameter or an ARN) as an external node when its type can be told.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from designer.domain.catalog import Catalog
from designer.domain.iac.files import FileReader
from designer.domain.iac.iam import SERVICE_TYPES
from designer.domain.iac.template import External, Template
from designer.domain.values import check_value, describe

__all__ = ["SERVICE_TYPES", "Builder", "EdgeDraft", "ImportNote", "external_type"]


@dataclass(frozen=True, slots=True)
class ImportNote:
    """Something the importer left out or read in a particular way; ``resource`` is a logical id."""

    resource: str
    type: str
    note: str

    def to_dict(self) -> dict[str, str]:
        return {"resource": self.resource, "type": self.type, "note": self.note}


@dataclass
class EdgeDraft:
    source: str
    target: str
    kind: str
    attrs: dict[str, Any] = field(default_factory=dict)
    label: str = ""
    guessed: bool = False  # the template does not tell this kind from another (Metadata may)


class Builder:
    def __init__(
        self, template: Template, catalog: Catalog, reader: FileReader | None = None, path: str = "template.yaml"
    ) -> None:
        self.tpl = template
        self.cat = catalog
        self.reader = reader or FileReader()
        self.path = path  # the template's root-relative path: files it names are read relative to it
        self.types: dict[str, str] = {}
        self.config: dict[str, dict[str, Any]] = {}
        self.origin: dict[str, str] = {}  # logical id -> resource type, or how the node was implied
        self.edges: dict[tuple[str, str, str, str], EdgeDraft] = {}
        self.notes: list[ImportNote] = []
        self.called: set[str] = set()  # nodes called by something the diagram cannot show
        self.labels: dict[str, str] = {}  # labels other than the logical id (external nodes)
        self.tags: dict[str, list[str]] = {}
        self.joins: dict[str, tuple[str, ...]] = {}  # external node -> names other templates may know it by
        self._noted: set[tuple[str, str]] = set()

    # ------------------------------------------------------------------------------------------------ nodes

    def add_node(self, logical: str, type_id: str, config: Mapping[str, Any] | None = None, origin: str = "") -> None:
        self.types[logical] = type_id
        self.config[logical] = dict(config or {})
        self.origin[logical] = origin
        self.tpl.nodes.add(logical)

    def drop_node(self, logical: str) -> None:
        """Remove a node and its edges (an external node joined with the resource it names)."""
        for table in (self.types, self.config, self.origin, self.labels, self.tags, self.joins):
            table.pop(logical, None)
        self.tpl.nodes.discard(logical)
        self.edges = {k: e for k, e in self.edges.items() if logical not in (e.source, e.target)}

    def implicit(self, base: str, type_id: str, origin: str, config: Mapping[str, Any] | None = None) -> str:
        """Add a node that the template implies without declaring it; returns its (new) logical id."""
        name, n = base, 1
        while name in self.tpl.resources or name in self.types:
            n += 1
            name = f"{base}{n}"
        self.add_node(name, type_id, config, origin)
        return name

    def document(self, ref: Any, via: str, what: str) -> Any:
        """The decoded file ``ref`` names (a definition, an OpenAPI document), or None with a note saying why."""
        data, _, why = self.reader.document(self.path, ref)
        if data is None:
            self.note(via, f"{what}: {why}; its connections are left out")
        return data

    def tag(self, logical: str, tag: str) -> None:
        tags = self.tags.setdefault(logical, [])
        if tag not in tags:
            tags.append(tag)

    def resolve(self, value: Any, types: Iterable[str] = ()) -> list[str]:
        """Nodes ``value`` names: resources of the template, and resources outside it drawn as external nodes of
        the first of ``types`` their ARN's service or parameter's name fits (the only one when ``types`` has one)."""
        wanted = tuple(types)
        found = (self.node_for(ref, wanted) for ref in self.tpl.refs(value, external=True))
        return list(dict.fromkeys(n for n in found if n is not None))

    def node_for(self, ref: str, types: tuple[str, ...] = ()) -> str | None:
        """The node for a logical id or an external reference's key (drawn now if its type can be told)."""
        node = self.tpl.node_of(ref)
        if node is None and ref in self.tpl.externals:
            node = self._external(self.tpl.externals[ref], types)
        return node

    def resolve_one(self, value: Any, types: Iterable[str] = ()) -> str | None:
        found = self.resolve(value, types)
        return found[0] if found else None

    def _external(self, ext: External, types: tuple[str, ...]) -> str | None:
        type_id = external_type(ext, types)
        if type_id is None or type_id not in self.cat.types:
            return None
        base = "".join(c for c in ext.label if c.isalnum())[:60] or "External"
        logical = self.implicit(base, type_id, "outside this template")
        if type_id == "dynamodb":
            self.config[logical]["stream"] = True  # only read as a stream source; a table-only use drops it
        self.labels[logical] = ext.label
        self.tag(logical, "external")
        self.joins[logical] = ext.joins
        self.tpl.alias[ext.key] = logical
        kind, _, _ = ext.key[1:].partition(":")
        how = {
            "param": "named by parameter",
            "ssm": "named by SSM parameter",
            "import": "imported from the export",
            "name": "known by its physical name",
            "output": "an output of nested stack",
        }
        self.note(
            logical,
            f"{ext.label} is outside this template ({how.get(kind, 'named by the ARN')} {ext.label}); "
            f"drawn as an external {type_id}",
            "outside this template",
        )
        return logical

    def ensure(self, logical: str | None) -> str | None:
        """The logical id if it is a node; creates the default event bus on first use."""
        if logical is None:
            return None
        if logical == self.tpl.default_bus and logical not in self.types:
            self.add_node(logical, "eventbridge", {"event_source": "aws-service"}, "the account's default event bus")
        return logical if logical in self.types else None

    def set_config(self, logical: str | None, key: str, value: Any, *, replace: bool = False) -> None:
        """Set a config value the template implies (keeping one the resource set itself, unless ``replace``)."""
        node = self.ensure(logical)
        if node is not None and (replace or key not in self.config[node]):
            self.config[node][key] = value

    def note(self, resource: str, text: str, rtype: str | None = None) -> None:
        rtype = rtype or self.origin.get(resource) or _type_of(self.tpl, resource)
        if (resource, text) not in self._noted:
            self._noted.add((resource, text))
            self.notes.append(ImportNote(resource, rtype, text))

    # ------------------------------------------------------------------------------------------------ edges

    def connect(
        self,
        source: str | None,
        target: str | None,
        kinds: Iterable[str],
        *,
        via: str,
        attrs: Mapping[str, Any] | None = None,
        label: str = "",
        guessed: bool = False,
        distinct: bool = False,
    ) -> EdgeDraft | None:
        """Add an edge of the first of ``kinds`` the catalog allows; ``via`` names the resource that says so.

        With ``distinct`` (a subscription or rule of its own), a second delivery to the same target is kept apart:
        its filter joins the first one's when both filter, else it is a second edge (every message it matches is
        delivered twice)."""
        src, dst = self.ensure(source), self.ensure(target)
        if src is None or dst is None:
            return None
        allowed = self.cat.allowed_kinds(self.types[src], self.types[dst])
        wanted = list(kinds)
        kind = next((k for k in wanted if k in allowed), None)
        if kind is None:
            shown = ", ".join(allowed) if allowed else "no connection"
            self.note(
                via,
                f"{src} ({self.types[src]}) -> {dst} ({self.types[dst]}) as {' or '.join(wanted)}: "
                f"the catalog allows {shown} between these types; left out",
            )
            return None
        clean = self._attrs(kind, attrs or {}, via)
        # A state machine's steps, and a front door's routes, are each an edge of their own.
        own = clean.get("step") if kind in ("task", "compensate") else label if self._is_door(src) else ""
        key = (src, dst, kind, str(own or ""))
        if distinct and key in self.edges:
            key = self._second_delivery(key, clean)
        if key in self.edges:
            existing = self.edges[key]
            for name, value in clean.items():
                existing.attrs.setdefault(name, value)
            existing.guessed = existing.guessed and guessed
            return existing
        edge = EdgeDraft(src, dst, kind, clean, label[:200], guessed)
        self.edges[key] = edge
        return edge

    def _is_door(self, logical: str) -> bool:
        return self.types.get(logical) in self.cat.groups["front-doors"]

    def _second_delivery(self, key: tuple[str, str, str, str], attrs: dict[str, Any]) -> tuple[str, str, str, str]:
        first = self.edges[key]
        old, new = first.attrs.get("filter"), attrs.get("filter")
        if old and new and old != new:
            patterns = old["any_of"] if set(old) == {"any_of"} else [old]
            if new not in patterns:
                first.attrs["filter"] = {"any_of": [*patterns, new]}
            attrs.pop("filter")
            return key
        n = 2
        while (key[0], key[1], key[2], f"#{n}") in self.edges:
            n += 1
        return (key[0], key[1], key[2], f"#{n}")

    def _attrs(self, kind: str, attrs: Mapping[str, Any], via: str) -> dict[str, Any]:
        params = {**self.cat.common_attrs, **self.cat.kinds[kind].attrs}
        out: dict[str, Any] = {}
        for name, value in attrs.items():
            param = params.get(name)
            if value is None or param is None:
                continue
            if problem := check_value(param, value):
                self.note(via, f"{kind} edge: {name} {describe(value)} left out ({problem})")
                continue
            out[name] = value
        return out

    def edge_list(self) -> list[EdgeDraft]:
        return list(self.edges.values())


def _type_of(tpl: Template, logical: str) -> str:
    res = tpl.resources.get(logical)
    return res.type if res else ""


# Words in a parameter's or export's name that say what it names (EventBusName, OrdersQueueArn, ...).
_NAME_HINTS = (
    ("statemachine", "sfn-standard"),
    ("workflow", "sfn-standard"),
    ("eventbus", "eventbridge"),
    ("bus", "eventbridge"),
    ("deadletter", "sqs"),
    ("dlq", "sqs"),
    ("queue", "sqs"),
    ("topic", "sns"),
    ("table", "dynamodb"),
    ("firehose", "firehose"),
    ("deliverystream", "firehose"),
    ("stream", "kinesis"),
    ("bucket", "s3"),
    ("function", "lambda"),
    ("lambda", "lambda"),
)


def external_type(ext: External, types: tuple[str, ...]) -> str | None:
    """The service type of an external resource: what its ARN's service and the use (``types``) agree on, else what
    its name says, else the use's only type; None when it cannot be told."""
    by_service = SERVICE_TYPES.get(ext.service, ())
    squashed = "".join(c for c in ext.label.lower() if c.isalnum())
    by_name = next((t for word, t in _NAME_HINTS if word in squashed), None)
    fifo = ext.label.endswith(".fifo") or "fifo" in squashed
    candidates = [t for t in types if not by_service or t in by_service] if types else list(by_service)
    if by_name is not None:
        named = [t for t in candidates if t == by_name or t.startswith(by_name)] if candidates else [by_name]
        if named or not candidates:
            candidates = named or [by_name]
    if not candidates:
        return None
    if len({t.removesuffix("-fifo") for t in candidates}) == 1:  # a queue or topic: FIFO only when it says so
        return next((t for t in candidates if t.endswith("-fifo") == fifo), candidates[0])
    if len(candidates) > 1 and fifo:
        candidates = [t for t in candidates if t.endswith("-fifo")] or candidates
    if len(candidates) > 1 and not (by_service or by_name):
        return None
    return candidates[0]
