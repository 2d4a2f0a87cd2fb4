"""Vectorised Monte Carlo of request latency: every array holds one value per simulated request.

For each node a request reaches, :meth:`Simulator.visit` returns two arrays of milliseconds from the request's
arrival there: ``s``, until the caller is answered (a queue answers once the message is stored), and ``c``, until
the last piece of work it set off is done (``c >= s``). A node's own time comes first, then the calls it makes, one
after another; ``share`` picks calls at random (shares that add up to at most 1 are alternatives), ``calls`` repeats
them, and asynchronous deliveries add to ``c`` only. A node reached twice reuses its arrays, shifted so that the
requests are paired with other draws.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from designer.domain.catalog import Catalog
from designer.domain.diagram import Edge, Node
from designer.domain.estimate.flow import Flow, is_write
from designer.domain.estimate.latency import erlang_c, fit
from designer.domain.estimate.pricing import LatencySpec, Pricing

__all__ = ["Arr", "Simulator", "Times", "mode_for"]

Arr = npt.NDArray[np.float32]
QUIET = frozenset({"dead-letter", "compensate"})
STORES = frozenset({"dynamodb", "s3"})
PUT_TARGETS = frozenset({"sqs", "sqs-fifo", "sns", "sns-fifo", "eventbridge", "kinesis", "firehose"})
ASYNC_KINDS = frozenset({"invoke-async", "subscribe", "trigger"})
MAX_DEPTH = 150
POOL_MIN = 50_000  # sample counts from which normal draws come from a shared pool


@dataclass(frozen=True)
class Times:
    s: Arr
    c: Arr
    nodes: tuple[str, ...] = ()
    asynchronous: bool = False


def mode_for(edge: Edge, target: Node, flow: Flow) -> str:
    """How a request arrives at ``target`` over ``edge``: sync, async, put, read or write."""
    if target.type in STORES:
        return "write" if is_write(flow.diagram, edge) else "read"
    if edge.kind in ASYNC_KINDS and target.type in ("lambda", "sfn-standard", "sfn-express"):
        return "async"
    if edge.kind == "invoke-async" and target.type.startswith("sfn"):
        return "async"
    if target.type in PUT_TARGETS:
        return "put"
    return "sync"


class Simulator:
    """Draws ``n`` requests per entry with ``rng``; handlers per service type live in ``paths``."""

    def __init__(
        self,
        flow: Flow,
        pricing: Pricing,
        catalog: Catalog,
        rng: np.random.Generator,
        n: int,
        handlers: dict[str, Callable[[Simulator, Node, str, float | None], Times]],
    ) -> None:
        self.flow, self.pricing, self.catalog, self.rng, self.n = flow, pricing, catalog, rng, n
        self.handlers = handlers
        self.memo: dict[tuple[str, str, float | None], Times] = {}
        self.stack: list[str] = []
        self.capped: set[str] = set()
        self._pool: Arr | None = None
        self._offsets: set[int] = set()
        self._hop_keys = {id(spec): key for key, spec in pricing.latency.items()}
        self.used: set[str] = set()  # pricing.yaml latency figures drawn from

    # --- drawing ----------------------------------------------------------------------------------------------

    def zeros(self) -> Arr:
        return np.zeros(self.n, dtype=np.float32)

    def normals(self) -> Arr:
        """``n`` standard normal draws (read-only).

        For large ``n`` they are windows of one pool drawn per run, each at an offset no other window of the run
        uses: a request's draws stay independent of each other, only different requests share values. This makes
        a draw cost a slice instead of a fresh ``n`` normals.
        """
        if self.n < POOL_MIN:
            return self.rng.standard_normal(self.n, dtype=np.float32)
        if self._pool is None or len(self._offsets) > self.n // 2:
            self._pool, self._offsets = self.rng.standard_normal(2 * self.n, dtype=np.float32), set()
        offset = int(self.rng.integers(0, self.n + 1))
        while offset in self._offsets:
            offset = int(self.rng.integers(0, self.n + 1))
        self._offsets.add(offset)
        return self._pool[offset : offset + self.n]

    def lognormal(self, spec: LatencySpec) -> Arr:
        if key := self._hop_keys.get(id(spec)):
            self.used.add(key)
        if spec.p50_ms <= 0:
            return self.zeros()
        z = self.normals() * np.float32(spec.sigma)
        z += np.float32(spec.mu)
        return np.exp(z, out=z)

    def hop(self, key: str) -> Arr:
        return self.lognormal(self.pricing.hop(key))

    def uniform(self, high_ms: float) -> Arr:
        u = self.rng.random(self.n, dtype=np.float32)
        u *= np.float32(high_ms)
        return u

    def chance(self, p: float) -> npt.NDArray[np.bool_] | None:
        """A mask true with probability ``p`` (None when ``p`` >= 1)."""
        if p >= 1:
            return None
        return self.rng.random(self.n, dtype=np.float32) < np.float32(max(p, 0.0))

    def add_sometimes(self, base: Arr, p: float, spec: LatencySpec) -> Arr:
        """``base`` plus a draw of ``spec`` on a random share ``p`` of the requests (cold starts, say)."""
        if p <= 0:
            return base
        k = int(self.rng.binomial(self.n, min(p, 1.0)))
        if k == 0:
            return base
        idx = self.rng.integers(0, self.n, size=k)
        z = self.rng.standard_normal(k, dtype=np.float32) * np.float32(spec.sigma) + np.float32(spec.mu)
        np.add.at(base, idx, np.exp(z))
        return base

    def shifted(self, a: Arr) -> Arr:
        return np.roll(a, int(self.rng.integers(1, max(self.n, 2))))

    # --- the walk ---------------------------------------------------------------------------------------------

    def visit(self, node_id: str, mode: str, records: float | None = None) -> Times:
        key = (node_id, mode, records)
        if key in self.memo:
            t = self.memo[key]
            shift = int(self.rng.integers(1, max(self.n, 2)))
            return Times(np.roll(t.s, shift), np.roll(t.c, shift), t.nodes, t.asynchronous)
        if node_id in self.stack or len(self.stack) >= MAX_DEPTH:
            if len(self.stack) >= MAX_DEPTH:
                self.capped.add(node_id)
            return Times(self.zeros(), self.zeros())  # a loop is walked once
        node = self.flow.diagram.node(node_id)
        self.stack.append(node_id)
        try:
            times = self.handlers[node.type](self, node, mode, records)
        finally:
            self.stack.pop()
        times = Times(times.s, np.maximum(times.c, times.s), _merge((node_id,), times.nodes), times.asynchronous)
        self.memo[key] = times
        return times

    def calls(self, node: Node, start: Arr, extra: Callable[[], Arr] | None = None) -> Times:
        """The outgoing calls of ``node`` one after another from ``start``: (answer time, completion time).

        A polled batch makes each call once (a bulk call), whatever its size; ``extra`` adds a draw to every call.
        """
        edges = [e for e in self.flow.diagram.outgoing(node.id) if e.kind not in QUIET]
        t, comp = start, start
        nodes: tuple[str, ...] = ()
        asynchronous = False
        for edge, mask in zip(edges, self.branches(edges), strict=True):
            target = self.flow.diagram.node(edge.target)
            child = self.visit(target.id, mode_for(edge, target, self.flow), None)
            nodes, asynchronous = _merge(nodes, child.nodes), asynchronous or child.asynchronous
            s_k, c_k = self.repeat(child, float(edge.attr("calls", 1.0)))
            if extra is not None:
                pad = extra()
                s_k, c_k = s_k + pad, c_k + pad
            done = np.maximum(comp, t + c_k)
            if mask is None:
                t, comp = t + s_k, done
            else:
                t, comp = np.where(mask, t + s_k, t), np.where(mask, done, comp)
        return Times(t, comp, nodes, asynchronous)

    def branches(self, edges: list[Edge]) -> list[npt.NDArray[np.bool_] | None]:
        """Which requests take each edge: shares adding up to at most 1 are alternatives, else independent."""
        shares = [float(e.attr("share", 1.0)) for e in edges]
        partial = [i for i, s in enumerate(shares) if s < 1]
        masks: list[npt.NDArray[np.bool_] | None] = [None] * len(edges)
        if not partial:
            return masks
        if sum(shares[i] for i in partial) <= 1 + 1e-9:
            u = self.rng.random(self.n, dtype=np.float32)
            low = 0.0
            for i in partial:
                masks[i] = (u >= np.float32(low)) & (u < np.float32(low + shares[i]))
                low += shares[i]
            return masks
        for i in partial:
            masks[i] = self.chance(shares[i])
        return masks

    def repeat(self, t: Times, k: float) -> tuple[Arr, Arr]:
        """Answer and completion of ``k`` calls in a row (a fraction is a chance of one more call)."""
        if k == 1:
            return t.s, t.c
        whole, frac = int(k), k - int(k)
        if whole <= 4:
            s = t.s.copy() if whole else self.zeros()
            for _ in range(whole - 1):
                s += self.shifted(t.s)
        else:  # many calls: the sum keeps the mean and grows the spread with sqrt(k)
            mean = np.float32(t.s.mean())
            s = np.maximum(np.float32(whole) * mean + np.float32(math.sqrt(whole)) * (t.s - mean), 0)
        if frac > 0:
            more = self.chance(frac)
            s = s + np.where(more, self.shifted(t.s), np.float32(0)) if more is not None else s + self.shifted(t.s)
            if whole == 0:
                tail = np.where(more, t.c - t.s, np.float32(0)) if more is not None else t.c - t.s
                return s, s + tail
        return s, s + (t.c - t.s)

    def queue_wait(self, capacity: float | None, arrivals: float, service_ms: float) -> Arr | None:
        """Wait for a free consumer (Erlang C) when ``capacity`` concurrent batches serve ``arrivals`` per second."""
        if capacity is None or capacity <= 0 or arrivals <= 0 or service_ms <= 0:
            return None
        servers = max(1, int(capacity))
        load = min(arrivals * service_ms / 1000, 0.99 * servers)
        if servers > 2000 and load < 0.5 * servers:
            return None
        p_wait = erlang_c(servers, load)
        drain_per_s = servers / (service_ms / 1000) - load / (service_ms / 1000)
        mask = self.chance(p_wait)
        waits = self.rng.exponential(1000 / drain_per_s, self.n).astype(np.float32)
        return waits if mask is None else np.where(mask, waits, np.float32(0))

    def batch_wait(self, edge: Edge, records: float) -> Arr:
        """How long a record waits for its batch to close: after ``batch_size`` records or the batching window."""
        e = self.flow.edge(edge)
        window = float(e.attr("batching_window_s") or 0.0)
        rate = self.flow.edge_rate(e)
        if window <= 0 or rate <= 0 or records <= 1:
            return self.zeros()
        size = int(round(records))
        if rate * window >= size:  # closes on size: wait for the records still missing (Gamma, shape 0 gives 0)
            missing = (size - self.rng.integers(1, size + 1, size=self.n)).astype(np.float32)
            waits = self.rng.standard_gamma(missing, dtype=np.float32)
            waits *= np.float32(1000 / rate)
            return waits
        first = self.chance(1 / (1 + rate * window))
        opened = self.uniform(window * 1000)
        return opened if first is None else np.where(first, np.float32(window * 1000), opened)

    def spec_of(self, p50_ms: float, p99_ms: float | None = None) -> LatencySpec:
        return fit(p50_ms, p99_ms, self.pricing)


def _merge(first: tuple[str, ...], second: tuple[str, ...]) -> tuple[str, ...]:
    if not second:
        return first
    seen = set(first)
    return first + tuple(n for n in second if n not in seen)
