"""How request rates flow through a diagram under a traffic profile (:mod:`designer.domain.traffic`).

``propagate()`` follows each request downstream: an edge passes ``share`` x ``calls`` of its source's rate (and
``filter_selectivity`` on subscriptions and polls, :func:`designer.domain.graph.edge_factor`); a node's rate is the
sum of what arrives, plus its own entry rate. Dead-letter and compensation edges carry no steady traffic. Where the
graph has a cycle, the edge that closes it is left out, so a loop is counted once rather than forever.
"""

from __future__ import annotations

from designer.domain.diagram import Diagram
from designer.domain.graph import QUIET_KINDS, acyclic_order, edge_factor
from designer.domain.traffic import RATE_CEILING, ZERO, Rate, TrafficProfile

__all__ = ["propagate", "traffic_order"]


def propagate(diagram: Diagram, profile: TrafficProfile | None = None) -> dict[str, Rate]:
    """Requests per second (average and peak) that reach each node under ``profile``.

    Without a profile (and without the diagram's own), every node gets zero.
    """
    profile = profile or diagram.traffic
    rates = {n.id: ZERO for n in diagram.nodes}
    if profile is None:
        return rates
    for node_id, rate in profile.entries.items():
        if node_id in rates:
            rates[node_id] = rates[node_id] + rate
    order, back_edges = traffic_order(diagram)
    for node_id in order:
        source_rate = rates[node_id]
        if source_rate == ZERO:
            continue
        for edge in diagram.outgoing(node_id):
            if edge.kind in QUIET_KINDS or edge.id in back_edges:
                continue
            rates[edge.target] = rates[edge.target] + source_rate.scaled(edge_factor(edge))
    # Multiplying fan-outs can overflow; no design carries more than this, and it keeps every figure finite.
    return {n: Rate(min(r.avg_rps, RATE_CEILING), min(r.peak_rps, RATE_CEILING)) for n, r in rates.items()}


def traffic_order(diagram: Diagram) -> tuple[list[str], set[str]]:
    """Nodes in topological order of the traffic-carrying edges, and the ids of the edges that close cycles."""
    return acyclic_order(
        (n.id for n in diagram.nodes),
        lambda node_id: ((e.id, e.target) for e in diagram.outgoing(node_id) if e.kind not in QUIET_KINDS),
    )
