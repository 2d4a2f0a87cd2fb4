"""What pattern recognisers and rules share: the diagram, the catalog, traffic rates and graph questions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from designer.domain.catalog import Catalog
from designer.domain.diagram import Diagram, Edge, Node
from designer.domain.filters import may_overlap
from designer.domain.graph import QUIET_KINDS
from designer.domain.propagation import propagate
from designer.domain.traffic import Rate

__all__ = ["Context"]

# Edge kinds that deliver work to a consumer without the producer waiting.
ASYNC_DELIVERY = frozenset({"subscribe", "trigger", "invoke-async"})
SYNC_CALL = frozenset({"route", "invoke-sync", "request"})


@dataclass
class Context:
    diagram: Diagram
    catalog: Catalog
    rates: dict[str, Rate] = field(default_factory=dict)
    today: dt.date = field(
        default_factory=lambda: dt.datetime.now(tz=dt.UTC).date()
    )  # runtime deprecations are judged on this day
    _front_doors: dict[str, list[Node]] = field(default_factory=dict, repr=False)

    @classmethod
    def build(cls, diagram: Diagram, catalog: Catalog, today: dt.date | None = None) -> Context:
        return cls(diagram, catalog, propagate(diagram), today or dt.datetime.now(tz=dt.UTC).date())

    # --- node questions -------------------------------------------------------------------------------------

    def is_(self, node: Node | str, group: str) -> bool:
        type_id = node.type if isinstance(node, Node) else self.diagram.node(node).type
        return type_id in self.catalog.groups[group]

    def nodes_in(self, group: str) -> list[Node]:
        return self.diagram.of_type(self.catalog.groups[group])

    def name(self, node_id: str) -> str:
        """How a message names a node: its label in quotes."""
        return f"'{self.diagram.label(node_id)}'"

    def limit(self, type_id: str, key: str) -> Any:
        return self.catalog.limit(type_id, key)

    def peak(self, node_id: str) -> float:
        return self.rates.get(node_id, Rate(0, 0)).peak_rps

    @property
    def has_traffic(self) -> bool:
        return self.diagram.traffic is not None

    # --- graph questions ------------------------------------------------------------------------------------

    def out(self, node_id: str, *kinds: str) -> list[Edge]:
        return self.diagram.outgoing(node_id, *kinds)

    def into(self, node_id: str, *kinds: str) -> list[Edge]:
        return self.diagram.incoming(node_id, *kinds)

    def targets(self, node_id: str, *kinds: str) -> list[Node]:
        return [self.diagram.node(e.target) for e in self.out(node_id, *kinds)]

    def sources(self, node_id: str, *kinds: str) -> list[Node]:
        return [self.diagram.node(e.source) for e in self.into(node_id, *kinds)]

    def fan_out(self, hub_id: str) -> list[Edge]:
        """The subscriptions of a topic or bus that share messages with another subscription (their filters may
        both match one message); empty when the hub routes each message to one subscriber at most."""
        subs = self.out(hub_id, "subscribe")
        return [e for e in subs if any(may_overlap(e.attr("filter"), o.attr("filter")) for o in subs if o.id != e.id)]

    def has_dlq(self, node_id: str) -> bool:
        """A queue, topic, bus, schedule or function sends its failures somewhere."""
        return bool(self.out(node_id, "dead-letter"))

    def has_failure_path(self, consumer: Node, via: Node | None = None) -> bool:
        """Whether failed work of ``consumer`` lands somewhere visible.

        A queue consumer is covered by its queue's DLQ; an async function by its own DLQ or on-failure
        destination; a subscriber of a bus or topic also by the rule's or subscription's DLQ (``via``).
        """
        if self.has_dlq(consumer.id):
            return True
        # A rule's or subscription's DLQ keeps deliveries that fail; a function's own errors after delivery
        # need the function's own destination.
        if via is not None and consumer.type != "lambda" and self.has_dlq(via.id):
            return True
        if consumer.type in self.catalog.groups["queues"]:
            return False
        if consumer.type in self.catalog.groups["state-machines"] and self.catches_all(consumer):
            return True
        return any(self.has_dlq(q.id) for q in self.sources(consumer.id, "poll"))

    def catches_all(self, machine: Node) -> bool:
        """Whether every step of a workflow retries or catches its errors (its failures are handled inside)."""
        steps = [e for e in self.out(machine.id, "task") if not e.attr("on_error")]
        handled = machine.config.get("retry_catch") or all(e.attr("retry") or e.attr("catch") for e in steps)
        return bool(steps) and bool(handled)

    def is_entry(self, node: Node) -> bool:
        """Whether work can start at ``node``: a client, a schedule, a function URL, a resource of another stack,
        or a queue, topic, bus, stream or bucket nothing in the diagram feeds (its producers are outside it)."""
        if node.type in self.catalog.groups["clients"] or node.type == "eventbridge-scheduler":
            return True
        if node.config.get("url_auth") is not None or {"external", "linked-outside"} & set(node.tags):
            return True
        fed = any(e.kind not in QUIET_KINDS for e in self.into(node.id))
        delivers = any(e.kind not in QUIET_KINDS for e in self.out(node.id))
        return node.type in self.catalog.groups["event-sources"] and delivers and not fed

    def front_doors_of(self, node_id: str) -> list[Node]:
        """Front doors that reach ``node_id`` through route/invoke edges, directly or through functions."""
        if node_id in self._front_doors:
            return self._front_doors[node_id]
        found: list[Node] = []
        seen = {node_id}
        stack = [node_id]
        while stack:
            current = stack.pop()
            for edge in self.into(current, "route", "invoke-sync", "invoke-async"):
                src = self.diagram.node(edge.source)
                if src.id in seen:
                    continue
                seen.add(src.id)
                if self.is_(src, "front-doors"):
                    found.append(src)
                elif src.type == "lambda":
                    stack.append(src.id)
        self._front_doors[node_id] = found
        return found

    def reaches(self, start: str, kinds: Iterable[str], limit: int = 10_000) -> list[str]:
        """Node ids reachable from ``start`` along edges of ``kinds`` (not including ``start``)."""
        kinds = frozenset(kinds)
        seen = {start}
        order: list[str] = []
        stack = [start]
        while stack and len(order) < limit:
            current = stack.pop()
            for edge in self.out(current):
                if edge.kind in kinds and edge.target not in seen:
                    seen.add(edge.target)
                    order.append(edge.target)
                    stack.append(edge.target)
        return order


def integration_timeout_s(door: Node) -> float | None:
    """How long a front door waits for its backend, from its configuration (None: no fixed limit)."""
    cfg = door.config
    if door.type == "apigw-rest":
        timeout = float(cfg.get("integration_timeout_s") or 29)
        return min(timeout, 29.0) if cfg.get("endpoint_type") == "edge" else timeout
    if door.type == "apigw-http":
        return float(cfg.get("integration_timeout_s") or 30)
    if door.type == "apigw-websocket":
        return float(cfg.get("integration_timeout_s") or 29)
    if door.type == "appsync":
        return float(cfg.get("resolver_timeout_s") or 30)
    if door.type == "alb":
        return float(cfg.get("idle_timeout_s") or 60)
    return None


def sync_seconds(node: Node) -> float | None:
    """The longest a synchronous call to ``node`` can take, where the design bounds it."""
    if node.type == "lambda":
        return float(node.config.get("timeout_s") or 3)
    if node.type == "sfn-express":
        return float(node.config.get("duration_ms") or 0) / 1000 or None
    return None
