"""Walks over a diagram's graph that several parts need: a topological order that leaves out the edges closing a
cycle (traffic propagation, layout, the chain of synchronous calls), and the share of its source's rate an edge
carries (traffic, the estimator's flow, the capacity rules).

The walk is an iterative depth-first search, so a long chain of thousands of nodes needs no recursion; roots are
visited in the order given, children in the order their edges are listed, so the result is deterministic.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from designer.domain.diagram import Edge

__all__ = ["FILTERED_KINDS", "QUIET_KINDS", "acyclic_order", "edge_factor"]

# Edges that carry no steady traffic, and edges whose traffic passes a filter.
QUIET_KINDS = frozenset({"dead-letter", "compensate"})
FILTERED_KINDS = frozenset({"subscribe", "poll"})


def acyclic_order[N: Hashable, K: Hashable](
    roots: Iterable[N], children: Callable[[N], Iterable[tuple[K, N]]]
) -> tuple[list[N], set[K]]:
    """The nodes reachable from ``roots`` in topological order once the edges that close a cycle are left out, and
    the keys of those edges. ``children(node)`` gives (edge key, child) for each edge out of ``node``."""
    state: dict[N, int] = {}  # 1 = on the current path, 2 = finished
    post: list[N] = []
    back: set[K] = set()
    for root in roots:
        if root in state:
            continue
        state[root] = 1
        stack = [(root, iter(children(root)))]
        while stack:
            node, edges = stack[-1]
            for key, child in edges:
                seen = state.get(child)
                if seen == 1:
                    back.add(key)
                elif seen is None:
                    state[child] = 1
                    stack.append((child, iter(children(child))))
                    break
            else:
                state[node] = 2
                post.append(node)
                stack.pop()
    post.reverse()
    return post, back


def edge_factor(edge: Edge, *, filtered: bool = True) -> float:
    """The share of its source's rate ``edge`` carries: ``share`` x ``calls``, times ``filter_selectivity`` on
    subscriptions and polls (unless ``filtered`` is false)."""
    factor = float(edge.attr("share", 1.0)) * float(edge.attr("calls", 1.0))
    if filtered and edge.kind in FILTERED_KINDS:
        factor *= float(edge.attr("filter_selectivity", 1.0))
    return factor
