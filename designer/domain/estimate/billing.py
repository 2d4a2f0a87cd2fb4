"""What costing one flow shares between the cost modules: the bill being written, and how payloads are metered."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from designer.domain.catalog import Catalog
from designer.domain.diagram import Node
from designer.domain.estimate.flow import Flow
from designer.domain.estimate.pricing import Ledger, Pricing

__all__ = ["KB_PER_GB", "Bill", "chunks"]

KB_PER_GB = 1024.0 * 1024.0


@dataclass
class Bill:
    """What costing one flow needs: rates, prices, the ledger and the month."""

    flow: Flow
    pricing: Pricing
    catalog: Catalog
    ledger: Ledger
    hours: float
    log_kb_per_invocation: float = 0.0
    notes: list[str] = field(default_factory=list)

    def monthly(self, per_second: float) -> float:
        return self.flow.monthly(per_second)

    def charge(self, node: Node, dimension: str, key: str, quantity: float) -> None:
        self.ledger.charge(node.id, dimension, key, quantity)

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)


def chunks(kb: float, size_kb: float) -> int:
    """Billing units of a payload metered in ``size_kb`` increments (at least one)."""
    return max(1, math.ceil(round(kb / size_kb, 9)))
