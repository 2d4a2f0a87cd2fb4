"""The importer's working state: nodes and edges found so far, and notes about what was left out.

Every edge goes through :meth:`Builder.connect`, which keeps only kinds the catalog allows between the two
types (the first of the preferred kinds that fits) and only edge attributes valid for that kind, and notes
whatever it had to drop; so the document handed to ``diagram.parse`` at the end is valid by construction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from designer.domain.catalog import Catalog
from designer.domain.iac.template import Template
from designer.domain.values import check_value, describe

__all__ = ["Builder", "EdgeDraft", "ImportNote"]


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
    def __init__(self, template: Template, catalog: Catalog) -> None:
        self.tpl = template
        self.cat = catalog
        self.types: dict[str, str] = {}
        self.config: dict[str, dict[str, Any]] = {}
        self.origin: dict[str, str] = {}  # logical id -> resource type, or how the node was implied
        self.edges: dict[tuple[str, str, str, str], EdgeDraft] = {}
        self.notes: list[ImportNote] = []
        self.called: set[str] = set()  # nodes called by something the diagram cannot show (a pipe)
        self._noted: set[tuple[str, str]] = set()

    # ------------------------------------------------------------------------------------------------ nodes

    def add_node(self, logical: str, type_id: str, config: Mapping[str, Any] | None = None, origin: str = "") -> None:
        self.types[logical] = type_id
        self.config[logical] = dict(config or {})
        self.origin[logical] = origin
        self.tpl.nodes.add(logical)

    def implicit(self, base: str, type_id: str, origin: str, config: Mapping[str, Any] | None = None) -> str:
        """Add a node that the template implies without declaring it; returns its (new) logical id."""
        name, n = base, 1
        while name in self.tpl.resources or name in self.types:
            n += 1
            name = f"{base}{n}"
        self.add_node(name, type_id, config, origin)
        return name

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
    ) -> EdgeDraft | None:
        """Add an edge of the first of ``kinds`` the catalog allows; ``via`` names the resource that says so."""
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
        key = (src, dst, kind, str(clean.get("step", "")) if kind in ("task", "compensate") else "")
        if key in self.edges:
            existing = self.edges[key]
            for name, value in clean.items():
                existing.attrs.setdefault(name, value)
            existing.guessed = existing.guessed and guessed
            return existing
        edge = EdgeDraft(src, dst, kind, clean, label[:200], guessed)
        self.edges[key] = edge
        return edge

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
