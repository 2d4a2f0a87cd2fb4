"""The diagram model: nodes, edges and the graph questions asked of them, and the problems of a diagram that could
not be read. Reading the ``archlab/diagram@1`` format is :mod:`designer.domain.diagram`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from designer.domain.traffic import TrafficProfile

__all__ = ["FORMAT", "Diagram", "DiagramError", "Edge", "Node", "Problem"]

FORMAT = "archlab/diagram@1"


@dataclass(frozen=True, slots=True)
class Problem:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class DiagramError(ValueError):
    """The input is not a valid diagram. ``problems`` lists every problem found, each with its path."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass(frozen=True, slots=True)
class Node:
    id: str
    type: str
    label: str
    config: Mapping[str, Any]  # every parameter of the type, defaults filled in
    given: Mapping[str, Any]  # only what the file set, for writing the diagram back
    position: tuple[float, float] | None = None
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Edge:
    id: str
    source: str
    target: str
    kind: str
    label: str = ""
    attrs: Mapping[str, Any] = field(default_factory=dict)

    def attr(self, name: str, default: Any = None) -> Any:
        return self.attrs.get(name, default)


@dataclass(frozen=True)
class Diagram:
    name: str
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    traffic: TrafficProfile | None = None
    description: str = ""
    _by_id: dict[str, Node] = field(default_factory=dict, repr=False, compare=False)
    _out: dict[str, list[Edge]] = field(default_factory=dict, repr=False, compare=False)
    _in: dict[str, list[Edge]] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        for n in self.nodes:
            self._by_id[n.id] = n
            self._out[n.id] = []
            self._in[n.id] = []
        for e in self.edges:
            self._out[e.source].append(e)
            self._in[e.target].append(e)

    def node(self, node_id: str) -> Node:
        return self._by_id[node_id]

    def label(self, node_id: str) -> str:
        return self._by_id[node_id].label

    def outgoing(self, node_id: str, *kinds: str) -> list[Edge]:
        edges = self._out[node_id]
        return [e for e in edges if e.kind in kinds] if kinds else list(edges)

    def incoming(self, node_id: str, *kinds: str) -> list[Edge]:
        edges = self._in[node_id]
        return [e for e in edges if e.kind in kinds] if kinds else list(edges)

    def of_type(self, *types: str | Iterable[str]) -> list[Node]:
        wanted: set[str] = set()
        for t in types:
            wanted.update([t] if isinstance(t, str) else t)
        return [n for n in self.nodes if n.type in wanted]

    def to_dict(self) -> dict[str, Any]:
        """The diagram as ``archlab/diagram@1`` JSON, with every edge kind written out."""
        out: dict[str, Any] = {"format": FORMAT, "name": self.name}
        if self.description:
            out["description"] = self.description
        out["nodes"] = [_node_dict(n) for n in self.nodes]
        out["edges"] = [_edge_dict(e) for e in self.edges]
        if self.traffic is not None:
            out["traffic"] = self.traffic.to_dict()
        return out


def _node_dict(n: Node) -> dict[str, Any]:
    out: dict[str, Any] = {"id": n.id, "type": n.type, "label": n.label}
    if n.given:
        out["config"] = dict(n.given)
    if n.position is not None:
        out["position"] = {"x": n.position[0], "y": n.position[1]}
    if n.tags:
        out["tags"] = list(n.tags)
    return out


def _edge_dict(e: Edge) -> dict[str, Any]:
    out: dict[str, Any] = {"id": e.id, "from": e.source, "to": e.target, "kind": e.kind}
    if e.label:
        out["label"] = e.label
    out.update(e.attrs)
    return out
