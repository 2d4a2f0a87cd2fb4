"""Traffic for estimates: ``propagation.propagate()`` on a copy of the diagram that makes billing effects explicit.

Before propagating, the copy is changed so that each effect shows up as an edge factor:

- a cache answers part of the requests: a cached REST API, CloudFront or AppSync passes only the misses on;
- retries repeat work: edges into a retried consumer carry the expected number of attempts;
- dead-letter edges carry the share of messages that exhaust their attempts (zero without a failure rate);
- Step Functions Map states call their task targets once per item;
- stores with a change stream or event notifications pass on writes only (a ``~changes`` twin holds those edges);
- EventBridge Scheduler entries fire at the rate their schedule expression says.

Fan-out and filters come from ``propagate()`` itself. Batching is applied per edge (:meth:`Flow.batch`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Any

from designer.domain.diagram import Diagram, Edge, Node
from designer.domain.estimate.schedule import schedule_rate
from designer.domain.graph import QUIET_KINDS, edge_factor
from designer.domain.propagation import propagate, traffic_order
from designer.domain.traffic import SECONDS_PER_DAY, Rate, TrafficProfile

__all__ = ["CHANGES", "Flow", "attempts", "build_flow", "default_batch_size", "is_write"]

QUIET = QUIET_KINDS
CHANGE_KINDS = frozenset({"trigger", "poll", "publish"})
CACHING = frozenset({"cloudfront", "appsync"})
STREAMS = frozenset({"kinesis", "dynamodb"})
CHANGES = "~changes"
MAX_FAILURE_RATE = 0.99


@dataclass(frozen=True)
class Flow:
    """Average and peak rates of one estimate, at ``scale`` times the traffic profile."""

    diagram: Diagram  # the user's diagram
    graph: Diagram  # the copy rates were propagated on
    base: Mapping[str, Rate]
    entries: Mapping[str, Rate]
    profile: TrafficProfile
    failure_rate: float = 0.0
    counted: frozenset[str] = frozenset()  # edge ids propagate() followed
    scheduled: frozenset[str] = frozenset()  # entries whose rate comes from a schedule expression
    edges: Mapping[str, Edge] = MappingProxyType({})  # the graph's edges by id
    scale: float = 1.0

    @property
    def seconds(self) -> float:
        """Seconds in the billed month: the profile's days."""
        return float(self.profile.days) * SECONDS_PER_DAY

    @property
    def has_traffic(self) -> bool:
        """Whether the traffic profile sends anything (schedules alone do not count)."""
        return any(r.avg_rps > 0 for k, r in self.entries.items() if k not in self.scheduled)

    def scaled(self, factor: float) -> Flow:
        return replace(self, scale=self.scale * factor)

    def rate(self, node_id: str, *, peak: bool = False) -> float:
        r = self.base.get(node_id)
        if r is None:
            return 0.0
        return (r.peak_rps if peak else r.avg_rps) * self.scale

    def entry_rate(self, node_id: str, *, peak: bool = False) -> float:
        r = self.entries.get(node_id)
        if r is None:
            return 0.0
        return (r.peak_rps if peak else r.avg_rps) * self.scale

    def monthly(self, per_second: float) -> float:
        return per_second * self.seconds

    def edge(self, edge: Edge) -> Edge:
        """The copy of ``edge`` rates were propagated on (same id)."""
        return self.edges.get(edge.id, edge)

    def edge_rate(self, edge: Edge, *, peak: bool = False, filtered: bool = True) -> float:
        """Messages or calls per second on ``edge`` (after any filter unless ``filtered`` is false)."""
        e = self.edge(edge)
        if e.id not in self.counted:
            return 0.0
        return self.rate(e.source, peak=peak) * edge_factor(e, filtered=filtered)

    def into(self, node_id: str, *kinds: str) -> list[Edge]:
        return [e for e in self.graph.incoming(node_id, *kinds) if e.kind not in QUIET]

    def out(self, node_id: str, *kinds: str) -> list[Edge]:
        found = self.graph.outgoing(node_id, *kinds)
        if node_id + CHANGES in self.base:
            found += self.graph.outgoing(node_id + CHANGES, *kinds)
        return [e for e in found if e.kind not in QUIET]

    def kb(self, edge: Edge) -> float:
        return float(edge.attr("payload_kb", self.profile.payload_kb))

    def node_kb(self, node_id: str) -> float:
        """Typical message size reaching ``node_id``: incoming edge sizes weighted by their traffic."""
        weighted = [(self.edge_rate(e), self.kb(e)) for e in self.into(node_id)]
        total = sum(w for w, _ in weighted)
        if total <= 0:
            return float(self.profile.payload_kb)
        return sum(w * kb for w, kb in weighted) / total

    def batch(self, edge: Edge, *, peak: bool = False) -> float:
        """Records per invocation on a poll edge: min(batch size, arrivals x window), at least 1."""
        e = self.edge(edge)
        if e.kind != "poll":
            return 1.0
        size = float(e.attr("batch_size") or default_batch_size(self.graph.node(e.source).type))
        window = float(e.attr("batching_window_s") or 0.0)
        return max(1.0, min(size, self.edge_rate(e, peak=peak) * window))

    def invocations(self, node_id: str, *, peak: bool = False) -> float:
        """Invocations per second of a consumer: one per call, one per batch on poll edges."""
        total = self.entry_rate(node_id, peak=peak)
        for e in self.into(node_id):
            flow = self.edge_rate(e, peak=peak)
            total += flow / self.batch(e, peak=peak) if e.kind == "poll" else flow
        return total


def default_batch_size(source_type: str) -> int:
    """Lambda's default batch size: 10 for SQS, 100 for Kinesis and DynamoDB Streams."""
    return 100 if source_type in STREAMS else 10


def build_flow(diagram: Diagram, profile: TrafficProfile | None, *, failure_rate: float = 0.0) -> Flow:
    """Propagate ``profile`` (default: the diagram's own) through the estimate copy of ``diagram``."""
    base_profile = profile or diagram.traffic or TrafficProfile(entries={})
    p = min(max(float(failure_rate), 0.0), MAX_FAILURE_RATE)
    entries = dict(base_profile.entries)
    scheduled = set()
    for node in diagram.of_type("eventbridge-scheduler"):
        if node.id not in entries:
            per_s = schedule_rate(str(node.config.get("schedule") or ""))
            entries[node.id] = Rate(per_s, per_s)
            scheduled.add(node.id)
    graph = _estimate_graph(diagram, p)
    run_profile = replace(base_profile, entries=MappingProxyType(entries))
    rates = propagate(graph, run_profile)
    return Flow(
        diagram=diagram,
        graph=graph,
        base=MappingProxyType(rates),
        entries=MappingProxyType(entries),
        profile=run_profile,
        failure_rate=p,
        counted=frozenset(_followed(graph)),
        scheduled=frozenset(scheduled),
        edges=MappingProxyType({e.id: e for e in graph.edges}),
    )


def attempts(p: float, retries: int | None) -> float:
    """Expected attempts per message when each fails with probability ``p`` (None: retried until it succeeds)."""
    if p <= 0:
        return 1.0
    if retries is None:
        return 1.0 / (1.0 - p)
    return sum(p**k for k in range(retries + 1))


def _estimate_graph(diagram: Diagram, p: float) -> Diagram:
    nodes = list(diagram.nodes)
    edges: list[Edge] = []
    changes = {n.id for n in diagram.nodes if n.type in ("dynamodb", "s3") and _has_changes(diagram, n.id)}
    for node_id in sorted(changes):
        nodes.append(replace(diagram.node(node_id), id=node_id + CHANGES))
    for edge in diagram.edges:
        src, dst = diagram.node(edge.source), diagram.node(edge.target)
        if edge.kind == "dead-letter":
            share = _dlq_share(diagram, src, p)
            if share > 0:
                edges.append(_with(edge, kind="send", share=share))
            continue
        factor_share = float(edge.attr("share", 1.0)) * _cache_pass(src, dst)
        factor_calls = float(edge.attr("calls", 1.0)) * _map_items(src, edge) * _retries(diagram, src, dst, edge, p)
        source = src.id + CHANGES if src.id in changes and edge.kind in CHANGE_KINDS else src.id
        moved = _with(edge, share=factor_share, calls=factor_calls, source=source)
        edges.append(moved)
        if dst.id in changes and is_write(diagram, edge):
            edges.append(replace(moved, id=edge.id + CHANGES, target=dst.id + CHANGES))
    return Diagram(name=diagram.name, nodes=tuple(nodes), edges=tuple(edges), traffic=diagram.traffic)


def is_write(diagram: Diagram, edge: Edge) -> bool:
    """Whether ``edge`` changes the store it reaches (uploads through a client request count when the bucket has
    event notifications)."""
    if edge.kind in ("write", "send"):  # "send": a dead-letter edge of the estimate graph
        return True
    if edge.kind == "task":
        return not edge.attr("read_only", False)
    if edge.kind == "request" and diagram.node(edge.target).type == "s3":
        return _has_changes(diagram, edge.target)
    return False


def _has_changes(diagram: Diagram, node_id: str) -> bool:
    return bool(diagram.outgoing(node_id, *CHANGE_KINDS))


def _cache_pass(src: Node, dst: Node) -> float:
    """Share of requests a caching front door passes on to ``dst``."""
    if dst.type == "cognito":
        return 1.0  # authorisers run before the cache is consulted
    cfg = src.config
    if src.type == "apigw-rest" and float(cfg.get("cache_size_gb") or 0) > 0 and int(cfg.get("cache_ttl_s") or 0) > 0:
        return 1.0 - float(cfg.get("cache_hit_ratio") or 0.0)
    if src.type in CACHING:
        return 1.0 - float(cfg.get("cache_hit_ratio") or 0.0)
    return 1.0


def _map_items(src: Node, edge: Edge) -> float:
    if edge.kind != "task" or src.type not in ("sfn-standard", "sfn-express"):
        return 1.0
    if src.config.get("map_mode", "none") == "none":
        return 1.0
    return float(max(1, int(src.config.get("map_items") or 0)))


def _retries(diagram: Diagram, src: Node, dst: Node, edge: Edge, p: float) -> float:
    if p <= 0:
        return 1.0
    if edge.kind == "task" and edge.attr("retry", False):
        return attempts(p, 3)
    if dst.type != "lambda":
        return 1.0
    if edge.kind in ("invoke-async", "subscribe", "trigger"):
        return attempts(p, int(dst.config.get("retry_attempts", 2)))
    if edge.kind == "poll" and src.type in ("sqs", "sqs-fifo"):
        has_dlq = bool(diagram.outgoing(src.id, "dead-letter"))
        receives = int(src.config.get("max_receive_count") or 1)
        return attempts(p, receives - 1 if has_dlq else None)
    if edge.kind == "poll":
        return attempts(p, None)  # streams retry a failing batch until it succeeds or expires
    return 1.0


def _dlq_share(diagram: Diagram, src: Node, p: float) -> float:
    """Share of the source's traffic that ends in its dead-letter target."""
    if p <= 0:
        return 0.0
    if src.type in ("sqs", "sqs-fifo"):
        return p ** int(src.config.get("max_receive_count") or 1)
    if src.type == "lambda":
        retries = int(src.config.get("retry_attempts", 2))
        return p ** (retries + 1) / attempts(p, retries)
    return 0.0  # topic, bus and schedule DLQs catch delivery failures, which are rare


def _with(edge: Edge, **changes: Any) -> Edge:
    attrs = dict(edge.attrs)
    for key in ("share", "calls"):
        if key in changes:
            attrs[key] = changes.pop(key)
    return replace(edge, attrs=MappingProxyType(attrs), **changes)


def _followed(graph: Diagram) -> set[str]:
    """Edges ``propagate()`` follows: all but the quiet ones and those that close a cycle (the same search)."""
    _, back = traffic_order(graph)
    return {e.id for e in graph.edges if e.kind not in QUIET and e.id not in back}
