"""Traffic profiles (``archlab/traffic@1``): the request rates that enter a diagram, read and checked.

How the rates flow through the diagram is :mod:`designer.domain.propagation`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["RATE_CEILING", "TRAFFIC_FORMAT", "ZERO", "Rate", "TrafficProfile", "parse_traffic"]

TRAFFIC_FORMAT = "archlab/traffic@1"
SECONDS_PER_DAY = 86_400
DEFAULT_PEAK_FACTOR = 3.0
PROFILE_KEYS = frozenset({"format", "days", "entries", "payload_kb", "free_tier", "month_hours", "name"})
ENTRY_KEYS = frozenset({"rps", "per_month", "peak_rps"})
MAX_RPS = 10_000_000
RATE_CEILING = 1e12


@dataclass(frozen=True, slots=True)
class Rate:
    avg_rps: float
    peak_rps: float

    def __add__(self, other: Rate) -> Rate:
        return Rate(self.avg_rps + other.avg_rps, self.peak_rps + other.peak_rps)

    def scaled(self, factor: float) -> Rate:
        return Rate(self.avg_rps * factor, self.peak_rps * factor)


ZERO = Rate(0.0, 0.0)


@dataclass(frozen=True)
class TrafficProfile:
    entries: Mapping[str, Rate]
    days: float = 30
    payload_kb: float = 1.0
    free_tier: bool = False
    month_hours: float = 730
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.raw)


def parse_traffic(
    data: Any, node_ids: set[str] | None, *, path: str = ""
) -> tuple[TrafficProfile | None, list[tuple[str, str]]]:
    """Check a traffic profile; returns the profile (or None) and a list of (path, problem)."""
    problems: list[tuple[str, str]] = []

    def at(key: str) -> str:
        return f"{path}.{key}" if path else key

    if not isinstance(data, dict):
        return None, [(path, "a traffic profile is an object")]
    if data.get("format", TRAFFIC_FORMAT) != TRAFFIC_FORMAT:
        problems.append((at("format"), f"this reads {TRAFFIC_FORMAT!r}"))
    for key in sorted(set(data) - PROFILE_KEYS, key=str):
        problems.append((at(str(key)), f"unknown key (known: {', '.join(sorted(PROFILE_KEYS))})"))
    days = _number(data.get("days", 30), at("days"), 1, 31, problems)
    month_hours = _number(data.get("month_hours", 730), at("month_hours"), 1, 744, problems)
    payload_kb = _number(data.get("payload_kb", 1), at("payload_kb"), 0, 1_048_576, problems)
    free_tier = data.get("free_tier", False)
    if not isinstance(free_tier, bool):
        problems.append((at("free_tier"), "must be true or false"))
    entries: dict[str, Rate] = {}
    raw_entries = data.get("entries", {})
    if not isinstance(raw_entries, dict):
        problems.append((at("entries"), "must map node ids to rates"))
        raw_entries = {}
    for node_id, spec in raw_entries.items():
        where = at(f"entries.{node_id}")
        if node_ids is not None and node_id not in node_ids:
            problems.append((where, "no node in the diagram has this id"))
            continue
        rate = _entry(spec, where, days or 30, problems)
        if rate is not None:
            entries[node_id] = rate
    if problems:
        return None, problems
    profile = TrafficProfile(
        entries=entries,
        days=days,
        payload_kb=payload_kb,
        free_tier=free_tier,
        month_hours=month_hours,
        raw=data,
    )
    return profile, []


def _entry(spec: Any, where: str, days: float, problems: list[tuple[str, str]]) -> Rate | None:
    if not isinstance(spec, dict):
        problems.append((where, 'must be an object such as {"rps": 100} or {"per_month": 1000000}'))
        return None
    for key in sorted(set(spec) - ENTRY_KEYS, key=str):
        problems.append((f"{where}.{key}", "unknown key (known: rps, per_month, peak_rps)"))
    if ("rps" in spec) == ("per_month" in spec):
        problems.append((where, "give exactly one of rps or per_month"))
        return None
    before = len(problems)
    if "rps" in spec:
        avg = _number(spec["rps"], f"{where}.rps", 0, MAX_RPS, problems)
    else:
        per_month = _number(spec["per_month"], f"{where}.per_month", 0, MAX_RPS * SECONDS_PER_DAY * 31, problems)
        avg = per_month / (days * SECONDS_PER_DAY)
    if "peak_rps" in spec:
        peak = _number(spec["peak_rps"], f"{where}.peak_rps", 0, MAX_RPS, problems)
    else:
        peak = max(avg, min(avg * DEFAULT_PEAK_FACTOR, MAX_RPS))
    if len(problems) > before:
        return None
    if peak < avg:
        problems.append((f"{where}.peak_rps", f"{peak:g} is below the average rate {avg:g}"))
        return None
    return Rate(avg, peak)


def _number(value: Any, where: str, low: float, high: float, problems: list[tuple[str, str]]) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        problems.append((where, "must be a number"))
        return 0.0
    if not low <= value <= high:
        shown = f"{value:g}" if abs(value) < 1e300 else "a number of over 300 digits"
        problems.append((where, f"{shown} is outside {low:g}..{high:g}"))
        return 0.0
    return float(value)
