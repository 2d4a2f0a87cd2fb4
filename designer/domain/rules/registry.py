"""The registry of rule checks: ``@rule("id")`` registers a check, which yields :class:`Hit` values for the rule's
texts (:class:`RuleSpec`) to turn into findings."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from designer.domain.context import Context

__all__ = ["CHECKS", "Check", "Hit", "RuleSpec", "rule"]


@dataclass(frozen=True, slots=True)
class Hit:
    message: str
    nodes: tuple[str, ...] = ()
    edges: tuple[str, ...] = ()
    severity: str | None = None
    why: str | None = None  # for a rule that covers two cases: this case's own explanation and fix
    fix: str | None = None


@dataclass(frozen=True)
class RuleSpec:
    id: str
    severity: str
    title: str
    why: str
    fix: str
    refs: tuple[str, ...] = ()
    thresholds: Mapping[str, Any] = field(default_factory=dict)

    def threshold(self, name: str) -> Any:
        return self.thresholds[name]["value"]


Check = Callable[[Context, RuleSpec], Iterator[Hit]]
CHECKS: dict[str, Check] = {}


def rule(rule_id: str) -> Callable[[Check], Check]:
    def register(fn: Check) -> Check:
        if rule_id in CHECKS:
            raise ValueError(f"rule {rule_id} registered twice")
        CHECKS[rule_id] = fn
        return fn

    return register
