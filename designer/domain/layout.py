"""Automatic layout: a position for every node, in layers from left to right along the edges.

``positions(node_ids, edges)`` places each node in the column of its longest path from a node nobody points at
(cycles are broken at the edges that close them), then orders each column to keep connected nodes level with each
other (a few barycentre sweeps). Columns are :data:`COLUMN` px apart and rows :data:`ROW` px; the result is
deterministic for the same input. ``with_positions(data)`` fills the ``position`` of a diagram document's nodes
that have none.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from designer.domain.graph import acyclic_order

__all__ = ["COLUMN", "MARGIN", "ROW", "positions", "with_positions"]

COLUMN = 220.0
ROW = 120.0
MARGIN = 40.0
SWEEPS = 4


def positions(
    node_ids: Sequence[str], edges: Iterable[tuple[str, str]], *, column: float = COLUMN, row: float = ROW
) -> dict[str, tuple[float, float]]:
    """``{node id: (x, y)}`` for every node; edges naming unknown nodes and self-loops are ignored."""
    order = {n: i for i, n in enumerate(dict.fromkeys(node_ids))}
    succ: dict[str, list[str]] = {n: [] for n in order}
    for a, b in edges:
        if a in order and b in order and a != b and b not in succ[a]:
            succ[a].append(b)
    forward = _acyclic(order, succ)
    layer = _layers(order, forward)
    columns = _order_columns(order, forward, layer)
    return {
        n: (MARGIN + col * column, MARGIN + r * row)
        for col, members in enumerate(columns)
        for r, n in enumerate(members)
    }


def with_positions(data: dict[str, Any]) -> dict[str, Any]:
    """A copy of a diagram document whose nodes all have a position; existing positions are kept."""
    nodes = [n for n in data.get("nodes", []) if isinstance(n, dict) and isinstance(n.get("id"), str)]
    edges = [
        (e["from"], e["to"])
        for e in data.get("edges", [])
        if isinstance(e, dict) and isinstance(e.get("from"), str) and isinstance(e.get("to"), str)
    ]
    placed = positions([n["id"] for n in nodes], edges)
    out = dict(data)
    out["nodes"] = [
        n
        if not isinstance(n, dict) or "position" in n or n.get("id") not in placed
        else {**n, "position": _xy(placed[n["id"]])}
        for n in data.get("nodes", [])
    ]
    return out


def _xy(point: tuple[float, float]) -> dict[str, float]:
    return {"x": point[0], "y": point[1]}


def _acyclic(order: dict[str, int], succ: dict[str, list[str]]) -> dict[str, list[str]]:
    """The edges minus those that close a cycle, found from the nodes without predecessors first so that flows
    read from their sources."""
    has_pred = {b for targets in succ.values() for b in targets}
    starts = [n for n in order if n not in has_pred] + list(order)

    def edges(node: str) -> Iterator[tuple[tuple[str, str], str]]:
        return (((node, child), child) for child in succ[node])

    _, back = acyclic_order(starts, edges)
    return {n: [child for child in succ[n] if (n, child) not in back] for n in order}


def _layers(order: dict[str, int], forward: dict[str, list[str]]) -> dict[str, int]:
    """Longest-path layering of an acyclic graph (Kahn's order)."""
    indegree = dict.fromkeys(order, 0)
    for targets in forward.values():
        for b in targets:
            indegree[b] += 1
    layer = dict.fromkeys(order, 0)
    ready = [n for n in order if indegree[n] == 0]
    while ready:
        node = ready.pop()
        for b in forward[node]:
            layer[b] = max(layer[b], layer[node] + 1)
            indegree[b] -= 1
            if indegree[b] == 0:
                ready.append(b)
    return layer


def _order_columns(order: dict[str, int], forward: dict[str, list[str]], layer: dict[str, int]) -> list[list[str]]:
    width = max(layer.values(), default=-1) + 1
    columns: list[list[str]] = [[] for _ in range(width)]
    for n in sorted(order, key=order.__getitem__):
        columns[layer[n]].append(n)
    preds: dict[str, list[str]] = {n: [] for n in order}
    for a, targets in forward.items():
        for b in targets:
            preds[b].append(a)
    for sweep in range(SWEEPS):
        downward = sweep % 2 == 0
        indices = range(1, width) if downward else range(width - 2, -1, -1)
        for c in indices:
            neighbours = preds if downward else forward
            rank = {n: i for i, n in enumerate(columns[c - 1 if downward else c + 1])}
            columns[c] = _by_barycentre(columns[c], neighbours, rank)
    return columns


def _by_barycentre(column: list[str], neighbours: dict[str, list[str]], rank: dict[str, int]) -> list[str]:
    def key(item: tuple[int, str]) -> tuple[float, int]:
        i, n = item
        places = [rank[m] for m in neighbours[n] if m in rank]
        return (sum(places) / len(places) if places else float(i), i)

    return [n for _, n in sorted(enumerate(column), key=key)]
