"""What validation produces: pattern matches, findings and the report (``archlab/report@1``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["REPORT_FORMAT", "SEVERITIES", "Finding", "PatternMatch", "Report"]

REPORT_FORMAT = "archlab/report@1"
SEVERITIES = ("error", "warning", "info")


@dataclass(frozen=True, slots=True)
class PatternMatch:
    """One place in a diagram where a pattern is recognised.

    ``roles`` maps each role of the pattern to the node ids bound to it; ``missing`` says in plain words what the
    pattern still lacks (empty when ``complete``).
    """

    id: str
    roles: dict[str, list[str]]
    missing: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        return not self.missing

    def nodes(self) -> set[str]:
        return {n for ids in self.roles.values() for n in ids}

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "complete": self.complete, "roles": self.roles, "missing": list(self.missing)}


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str
    severity: str
    message: str
    why: str
    fix: str
    nodes: tuple[str, ...] = ()
    edges: tuple[str, ...] = ()
    refs: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "message": self.message,
            "why": self.why,
            "fix": self.fix,
            "nodes": list(self.nodes),
            "edges": list(self.edges),
            "refs": list(self.refs),
        }


@dataclass(frozen=True)
class Report:
    patterns: tuple[PatternMatch, ...] = ()
    findings: tuple[Finding, ...] = ()
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def has_errors(self) -> bool:
        return any(f.severity == "error" for f in self.findings)

    def by_severity(self) -> dict[str, list[Finding]]:
        out: dict[str, list[Finding]] = {s: [] for s in SEVERITIES}
        for f in self.findings:
            out[f.severity].append(f)
        return out

    def fired(self, rule: str) -> list[Finding]:
        return [f for f in self.findings if f.rule == rule]

    def matches(self, pattern: str) -> list[PatternMatch]:
        return [p for p in self.patterns if p.id == pattern]

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": REPORT_FORMAT,
            "patterns": [p.to_dict() for p in self.patterns],
            "findings": [f.to_dict() for f in self.findings],
            "summary": {s: sum(1 for f in self.findings if f.severity == s) for s in SEVERITIES},
        }
