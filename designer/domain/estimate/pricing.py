"""Price list and latency figures of ``designer/data/pricing.yaml``, loaded into frozen objects.

A :class:`Price` is one billed dimension with volume tiers; :meth:`Price.split` cuts a monthly quantity into the
tiers it falls in. :class:`Ledger` turns quantities into cost lines, continuing each resource's tiers across calls
and drawing free-tier allowances from pools shared by the whole diagram.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from designer.domain.catalog import read_data

__all__ = ["CostLine", "Ledger", "LatencySpec", "Price", "Pricing", "PricingError", "Tier", "load_pricing"]

PRICING_FORMAT = "archlab/pricing@1"
Z99 = 2.3263478740408408  # standard normal quantile of 0.99


class PricingError(Exception):
    """The pricing data itself is inconsistent (a bug in the data file, never in user input)."""


@dataclass(frozen=True, slots=True)
class Tier:
    upto: float | None  # monthly quantity where the tier ends, counted from zero; None: no end
    price: float


@dataclass(frozen=True, slots=True)
class Price:
    key: str
    unit: str
    tiers: tuple[Tier, ...]
    source: str
    checked: str
    basis: str = ""
    free_pool: str | None = None
    free_quantity: float = 0.0

    @property
    def first(self) -> float:
        return self.tiers[0].price

    def split(self, quantity: float, start: float = 0.0) -> list[tuple[float, float]]:
        """(quantity, unit price) per tier for ``quantity`` units billed after ``start`` units this month."""
        out: list[tuple[float, float]] = []
        position, left = start, quantity
        for tier in self.tiers:
            if left <= 0:
                break
            room = left if tier.upto is None else max(0.0, tier.upto - position)
            take = min(left, room)
            if take > 0:
                out.append((take, tier.price))
                position += take
                left -= take
        return out


@dataclass(frozen=True, slots=True)
class LatencySpec:
    """A lognormal fitted to a median and a 99th percentile."""

    p50_ms: float
    p99_ms: float
    source: str = ""
    note: str = ""
    assumption: bool = False

    @property
    def mu(self) -> float:
        return math.log(max(self.p50_ms, 1e-6))

    @property
    def sigma(self) -> float:
        return max(0.0, math.log(max(self.p99_ms, self.p50_ms, 1e-6) / max(self.p50_ms, 1e-6)) / Z99)

    @property
    def mean_ms(self) -> float:
        return math.exp(self.mu + self.sigma**2 / 2)


@dataclass(frozen=True)
class Pricing:
    region: str
    currency: str
    month_hours: float
    prices: Mapping[str, Price]
    latency: Mapping[str, LatencySpec]
    model: Mapping[str, Any]
    model_notes: Mapping[str, str]
    assumptions: tuple[str, ...]

    def price(self, key: str) -> Price:
        try:
            return self.prices[key]
        except KeyError:
            raise PricingError(f"no price {key!r} in pricing.yaml") from None

    def hop(self, key: str) -> LatencySpec:
        try:
            return self.latency[key]
        except KeyError:
            raise PricingError(f"no latency {key!r} in pricing.yaml") from None

    def number(self, key: str) -> float:
        return float(self.model[key])


@functools.cache
def load_pricing() -> Pricing:
    """The packaged ``pricing.yaml``, read once."""
    return build_pricing(read_data("pricing.yaml"))


def build_pricing(data: Mapping[str, Any]) -> Pricing:
    if data.get("format") != PRICING_FORMAT:
        raise PricingError(f"pricing data must say format: {PRICING_FORMAT}")
    prices = {key: _price(key, spec) for key, spec in data["prices"].items()}
    latency_data = data["latency"]
    latency = {
        key: LatencySpec(
            p50_ms=float(spec["p50_ms"]),
            p99_ms=float(spec["p99_ms"]),
            source=str(spec.get("source") or ""),
            note=str(spec.get("note") or ""),
            assumption=bool(spec.get("assumption", False)),
        )
        for key, spec in latency_data["services"].items()
    }
    model = {key: spec["value"] for key, spec in latency_data["model"].items()}
    notes = {key: str(spec.get("note", "")) for key, spec in latency_data["model"].items() if spec.get("assumption")}
    return Pricing(
        region=str(data["region"]),
        currency=str(data["currency"]),
        month_hours=float(data["month_hours"]),
        prices=prices,
        latency=latency,
        model=model,
        model_notes=notes,
        assumptions=tuple(str(a) for a in data.get("assumptions", ())),
    )


def _price(key: str, spec: Mapping[str, Any]) -> Price:
    for needed in ("unit", "tiers", "source", "checked"):
        if needed not in spec:
            raise PricingError(f"price {key}: missing {needed}")
    tiers = tuple(Tier(upto=t.get("upto"), price=float(t["price"])) for t in spec["tiers"])
    if not tiers or tiers[-1].upto is not None:
        raise PricingError(f"price {key}: the last tier must have no upper bound")
    bounds = [t.upto for t in tiers[:-1]]
    if any(b is None for b in bounds) or bounds != sorted(float(b or 0) for b in bounds):
        raise PricingError(f"price {key}: tier bounds must rise")
    if any(t.price < 0 for t in tiers):
        raise PricingError(f"price {key}: negative price")
    free = spec.get("free") or {}
    return Price(
        key=key,
        unit=str(spec["unit"]),
        tiers=tiers,
        source=str(spec["source"]),
        checked=str(spec["checked"]),
        basis=str(spec.get("basis", "")),
        free_pool=free.get("pool"),
        free_quantity=float(free.get("quantity", 0)),
    )


@dataclass(frozen=True, slots=True)
class CostLine:
    """One line of the bill: a node's monthly quantity of one dimension at one tier's unit price."""

    node: str
    dimension: str
    quantity: float
    unit: str
    unit_price_usd: float
    cost_usd: float
    source: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "node": self.node,
            "dimension": self.dimension,
            "quantity": _round_sig(self.quantity),
            "unit": self.unit,
            "unit_price_usd": self.unit_price_usd,
            "cost_usd": round(self.cost_usd, 6),
            "source": self.source,
        }


@dataclass
class Ledger:
    """Collects cost lines; free-tier pools are shared by the diagram, tiers continue per (node, price)."""

    pricing: Pricing
    free_tier: bool = False
    lines: list[CostLine] = field(default_factory=list)
    _free_used: dict[str, float] = field(default_factory=dict)
    _tier_used: dict[tuple[str, str], float] = field(default_factory=dict)

    def charge(self, node: str, dimension: str, key: str, quantity: float, *, scope: str | None = None) -> None:
        """Bill ``quantity`` (monthly units of price ``key``) to ``node``; zero or negative quantities add nothing.

        Volume tiers continue per (node, price), or per (``scope``, price) for prices AWS tiers account-wide.
        """
        if not quantity > 0 or not math.isfinite(quantity):
            return
        price = self.pricing.price(key)
        left = quantity
        if self.free_tier and price.free_pool:
            used = self._free_used.get(price.free_pool, 0.0)
            free = min(left, max(0.0, price.free_quantity - used))
            if free > 0:
                self._free_used[price.free_pool] = used + free
                self.lines.append(CostLine(node, dimension, free, price.unit, 0.0, 0.0, price.source))
                left -= free
        where = (scope or node, key)
        start = self._tier_used.get(where, 0.0)
        self._tier_used[where] = start + left
        for amount, unit_price in price.split(left, start):
            self.lines.append(
                CostLine(node, dimension, amount, price.unit, unit_price, amount * unit_price, price.source)
            )

    @property
    def total(self) -> float:
        return math.fsum(line.cost_usd for line in self.lines)


def _round_sig(x: float, digits: int = 10) -> float:
    if x == 0 or not math.isfinite(x):
        return x
    return round(x, max(0, digits - 1 - math.floor(math.log10(abs(x)))))
