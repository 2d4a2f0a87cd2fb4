"""Anti-pattern rules: checks over a diagram that produce findings with a why and a fix.

A check is a generator registered with ``@rule("id")`` that yields :class:`Hit` values (message, nodes, edges,
optionally a severity other than the rule's own). The rule's texts and default severity come from
``designer/data/rules.yaml``; ``run_rules`` joins the two into :class:`Finding` objects.

The registry (``@rule``, :class:`Hit`, :class:`RuleSpec`) is :mod:`designer.domain.rules.registry`; checks live by
theme in ``timing``, ``reliability``, ``delivery``, ``workflows``, ``security`` and ``capacity``.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

from designer.domain.catalog import read_data
from designer.domain.context import Context
from designer.domain.report import SEVERITIES, Finding
from designer.domain.rules.registry import CHECKS, Hit, RuleSpec, rule

__all__ = ["Hit", "RuleSpec", "load_rules", "rule", "run_rules"]


@functools.cache
def load_rules() -> dict[str, RuleSpec]:
    """Rule texts and thresholds from ``rules.yaml``, keyed by id, each with a registered check."""
    _load_checks()
    specs = {}
    for raw in read_data("rules.yaml")["rules"]:
        spec = RuleSpec(
            id=raw["id"],
            severity=raw["severity"],
            title=raw["title"],
            why=raw["why"],
            fix=raw["fix"],
            refs=tuple(raw.get("refs") or ()),
            thresholds=raw.get("thresholds") or {},
        )
        if spec.severity not in SEVERITIES:
            raise ValueError(f"rule {spec.id}: unknown severity {spec.severity}")
        specs[spec.id] = spec
    if missing := set(specs) ^ set(CHECKS):
        raise ValueError(f"rules without both a text and a check: {sorted(missing)}")
    return specs


def run_rules(ctx: Context, only: Iterable[str] | None = None) -> list[Finding]:
    specs = load_rules()
    findings = []
    for rule_id in only or specs:
        spec = specs[rule_id]
        for hit in CHECKS[rule_id](ctx, spec):
            findings.append(
                Finding(
                    rule=spec.id,
                    severity=hit.severity or spec.severity,
                    message=hit.message,
                    why=hit.why or spec.why,
                    fix=hit.fix or spec.fix,
                    nodes=tuple(dict.fromkeys(hit.nodes)),
                    edges=tuple(dict.fromkeys(hit.edges)),
                    refs=spec.refs,
                )
            )
    return findings


def _load_checks() -> None:
    from designer.domain.rules import (  # noqa: F401  (registers the checks)
        capacity,
        delivery,
        reliability,
        security,
        timing,
        workflows,
    )
