"""``estimate()``: cost lines, the cost curve, latency paths, warnings and assumptions in one report."""

from __future__ import annotations

from dataclasses import dataclass

from designer.domain.catalog import Catalog, load_catalog
from designer.domain.diagram import Diagram
from designer.domain.estimate.billing import Bill
from designer.domain.estimate.cost import bill, sort_lines
from designer.domain.estimate.flow import Flow, build_flow
from designer.domain.estimate.limits import check_limits
from designer.domain.estimate.paths import simulate_paths
from designer.domain.estimate.pricing import Pricing, load_pricing
from designer.domain.estimate.report import EstimateReport, LimitWarning, ScalePoint
from designer.domain.traffic import Rate, TrafficProfile

__all__ = ["DEFAULT_SAMPLES", "MAX_SAMPLES", "SCALES", "EstimateOptions", "estimate"]

DEFAULT_SAMPLES = 100_000
MAX_SAMPLES = 5_000_000
SCALES = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0)
NOMINAL_RPS = 1.0
CLIENTS = frozenset({"client-web", "client-mobile", "client-iot", "client-partner"})


@dataclass(frozen=True, slots=True)
class EstimateOptions:
    """Settings beyond the traffic profile.

    ``failure_rate``: share of invocations that fail and are retried where the design retries (0 by default).
    ``log_kb_per_invocation``: CloudWatch Logs written per function invocation (0: logs not counted).
    ``scales``: traffic multiples of the cost curve.
    """

    failure_rate: float = 0.0
    log_kb_per_invocation: float = 0.0
    scales: tuple[float, ...] = SCALES


def estimate(
    diagram: Diagram,
    profile: TrafficProfile | None = None,
    *,
    samples: int = DEFAULT_SAMPLES,
    seed: int = 0,
    options: EstimateOptions | None = None,
    pricing: Pricing | None = None,
    catalog: Catalog | None = None,
) -> EstimateReport:
    """Monthly cost and latency of ``diagram`` under ``profile`` (default: the diagram's own ``traffic``).

    The same ``seed`` gives the same report. Raises ValueError when ``samples`` is outside 1..5,000,000 or an
    option is out of range.
    """
    opts = options or EstimateOptions()
    if not 1 <= samples <= MAX_SAMPLES:
        raise ValueError(f"samples must be 1..{MAX_SAMPLES:,}, not {samples}")
    if not 0 <= opts.failure_rate < 1 or opts.log_kb_per_invocation < 0:
        raise ValueError("failure_rate must be in [0, 1) and log_kb_per_invocation not negative")
    prices, cat = pricing or load_pricing(), catalog or load_catalog()
    traffic = profile or diagram.traffic or TrafficProfile(entries={})
    flow = build_flow(diagram, traffic, failure_rate=opts.failure_rate)
    costed = _bill(flow, prices, cat, opts)
    total = costed.ledger.total
    curve = tuple(ScalePoint(s, _bill(flow.scaled(s), prices, cat, opts).ledger.total) for s in opts.scales)
    requests = sum(flow.monthly(r.avg_rps) for r in flow.entries.values())
    latency_flow, entries, nominal = _latency_flow(flow, diagram, opts)
    paths, sim = simulate_paths(latency_flow, prices, cat, entries, samples=samples, seed=seed)
    warnings = check_limits(flow, cat, prices)
    if sim.capped:
        cut = tuple(sorted(sim.capped))
        warnings.append(LimitWarning("latency-depth", "Paths longer than 150 hops were cut short", cut))
    return EstimateReport(
        region=prices.region,
        currency=prices.currency,
        days=float(traffic.days),
        month_hours=float(traffic.month_hours),
        free_tier=traffic.free_tier,
        monthly_cost_usd=total,
        lines=tuple(sort_lines(costed.ledger.lines, [n.id for n in diagram.nodes])),
        paths=tuple(paths),
        warnings=tuple(warnings),
        assumptions=_assumptions(prices, flow, costed.notes + _hop_notes(prices, sim.used), nominal, opts),
        requests_per_month=requests,
        cost_per_million_usd=total / (requests / 1e6) if requests >= 1 else None,
        curve=curve,
        samples=samples,
        seed=seed,
    )


def _bill(flow: Flow, pricing: Pricing, catalog: Catalog, opts: EstimateOptions) -> Bill:
    hours = float(flow.profile.month_hours)
    return bill(
        flow, pricing, catalog, free_tier=flow.profile.free_tier, hours=hours, log_kb=opts.log_kb_per_invocation
    )


def _latency_flow(flow: Flow, diagram: Diagram, opts: EstimateOptions) -> tuple[Flow, list[str], bool]:
    """The flow latency is simulated under, and its entries; without traffic, a nominal 1 request/s per entry."""
    if flow.has_traffic:
        return flow, [n.id for n in diagram.nodes if flow.entry_rate(n.id) > 0], False
    clients = [n.id for n in diagram.nodes if n.type in CLIENTS and not diagram.incoming(n.id)]
    if not clients:
        return flow, [n.id for n in diagram.nodes if flow.entry_rate(n.id) > 0], False
    nominal = {e: Rate(NOMINAL_RPS, NOMINAL_RPS) for e in clients}
    profile = TrafficProfile(entries=nominal, days=flow.profile.days, payload_kb=flow.profile.payload_kb)
    latency_flow = build_flow(diagram, profile, failure_rate=opts.failure_rate)
    return latency_flow, [n.id for n in diagram.nodes if latency_flow.entry_rate(n.id) > 0], True


def _assumptions(
    pricing: Pricing, flow: Flow, notes: list[str], nominal: bool, opts: EstimateOptions
) -> tuple[str, ...]:
    out = list(pricing.assumptions)
    if not flow.has_traffic:
        out.append("No traffic profile: the bill holds only charges that do not depend on traffic.")
    if nominal:
        out.append("Latency without a traffic profile is simulated at 1 request per second from each client.")
    if flow.profile.free_tier:
        out.append("Free tiers are applied once per diagram, as if it were the only workload in the account.")
    else:
        out.append("Free tiers are not applied (set free_tier: true in the traffic profile to apply them).")
    if opts.failure_rate > 0:
        out.append(f"{opts.failure_rate:.1%} of invocations fail and are retried as each service's settings say.")
    else:
        out.append("No invocation fails, so retries and dead-letter queues carry no traffic.")
    out.extend(f"{key} = {pricing.model[key]}: {note}." for key, note in pricing.model_notes.items())
    out.extend(notes)
    return tuple(dict.fromkeys(out))


def _hop_notes(pricing: Pricing, used: set[str]) -> list[str]:
    """The assumed latency figures the simulation drew from."""
    return [
        f"Latency of {key} is assumed: p50 {spec.p50_ms:g} ms, p99 {spec.p99_ms:g} ms ({spec.note or 'no AWS figure'})."
        for key, spec in pricing.latency.items()
        if spec.assumption and key in used
    ]
