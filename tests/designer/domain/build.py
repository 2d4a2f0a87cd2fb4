"""A compact way to write diagrams in tests.

    make({"web": "client-web", "api": "apigw-rest", "fn": ("lambda", {"timeout_s": 60})},
         [("web", "api"), ("api", "fn"), ("fn", "db", "write", {"item_kb": 1})])

An edge is (from, to), (from, to, kind) or (from, to, kind, attrs); kind None means the catalog's default.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from designer.domain.diagram import Diagram, parse
from designer.domain.report import Report
from designer.domain.validate import validate

NodeSpec = str | tuple[str, dict[str, Any]] | tuple[str, dict[str, Any], list[str]]


def data(nodes: dict[str, NodeSpec], edges: list[tuple], traffic: dict[str, Any] | None = None) -> dict[str, Any]:
    out_nodes = []
    for node_id, spec in nodes.items():
        node: dict[str, Any] = {"id": node_id}
        if isinstance(spec, str):
            node["type"] = spec
        else:
            node["type"], node["config"] = spec[0], spec[1]
            if len(spec) > 2:
                node["tags"] = spec[2]
        out_nodes.append(node)
    out_edges = []
    for i, edge in enumerate(edges, start=1):
        e: dict[str, Any] = {"id": f"e{i}", "from": edge[0], "to": edge[1]}
        if len(edge) > 2 and edge[2]:
            e["kind"] = edge[2]
        if len(edge) > 3:
            e.update(edge[3])
        out_edges.append(e)
    result: dict[str, Any] = {"format": "archlab/diagram@1", "name": "test", "nodes": out_nodes, "edges": out_edges}
    if traffic is not None:
        result["traffic"] = traffic
    return result


def make(nodes: dict[str, NodeSpec], edges: list[tuple], traffic: dict[str, Any] | None = None) -> Diagram:
    return parse(data(nodes, edges, traffic))


def check(
    nodes: dict[str, NodeSpec], edges: list[tuple], traffic: dict[str, Any] | None = None, today: dt.date | None = None
) -> Report:
    return validate(make(nodes, edges, traffic), today=today)
