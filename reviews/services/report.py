"""Everything a review report shows: the version, patterns, findings by decision, estimate, questions, comments."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from designer.models import Diagram, DiagramVersion, Estimate
from reviews.models import ChecklistItem, Review, Reviewer
from reviews.services.comments import Thread, comment_threads
from reviews.services.review_requests import Tally, review_tally
from reviews.services.versions import cost_usd as estimate_cost
from reviews.services.versions import estimate_done


@dataclass
class ReviewReport:
    review: Review
    diagram: Diagram
    version: DiagramVersion
    labels: dict[str, str]  # node and edge ids of the version -> labels
    patterns: list[dict[str, Any]]
    findings: dict[str, list[ChecklistItem]]  # by status: open, accepted, fixed, waived
    questions: list[tuple[str, list[ChecklistItem]]]  # (pillar name, its questions)
    reviewers: list[Reviewer]
    estimate: Estimate | None
    cost_usd: float | None
    cost_lines: list[dict[str, Any]]  # the most expensive services: {"node", "label", "total"}
    open_threads: list[Thread]
    tally: Tally
    items: list[ChecklistItem]

    @property
    def finding_items(self) -> list[ChecklistItem]:
        return [i for i in self.items if i.kind == ChecklistItem.Kind.FINDING]

    @property
    def waivers(self) -> list[ChecklistItem]:
        return self.findings.get(ChecklistItem.Status.WAIVED, [])


def review_report(*, review: Review) -> ReviewReport:
    """Everything the Markdown and printable reports show about one review."""
    from designer.presenters import cost_by_node, pattern_names
    from reviews.checklist import pillar_names

    version = DiagramVersion.objects.get(pk=review.version_id)
    labels = {n["id"]: n.get("label") or n["id"] for n in version.data.get("nodes", [])}
    for e in version.data.get("edges", []):
        labels[e["id"]] = e.get("label") or f"{labels.get(e['from'], e['from'])} → {labels.get(e['to'], e['to'])}"
    names = pattern_names()
    patterns = [
        {**p, "name": names.get(p["id"], p["id"]), "node_labels": [labels.get(n, n) for n in _pattern_nodes(p)]}
        for p in version.report.get("patterns", [])
    ]
    items = list(review.items.select_related("decided_by"))
    findings: dict[str, list[ChecklistItem]] = {s: [] for s in FINDING_ORDER}
    questions: dict[str, list[ChecklistItem]] = {}
    for item in items:
        if item.kind == ChecklistItem.Kind.FINDING:
            findings.setdefault(item.status, []).append(item)
        else:
            questions.setdefault(item.pillar, []).append(item)
    pillars = pillar_names()
    estimate = estimate_done(version=version)
    lines = cost_by_node(estimate.result or {})[:5] if estimate else []
    return ReviewReport(
        review=review,
        diagram=review.diagram,
        version=version,
        labels=labels,
        patterns=patterns,
        findings=findings,
        questions=[(pillars.get(p, p), qs) for p, qs in questions.items()],
        reviewers=list(review.reviewers.all()),
        estimate=estimate,
        cost_usd=estimate_cost(estimate),
        cost_lines=[{"node": g["node"], "label": labels.get(g["node"], g["node"]), "total": g["total"]} for g in lines],
        open_threads=[t for t in comment_threads(diagram=review.diagram) if t.open and not t.root.deleted_at],
        tally=review_tally(review=review),
        items=items,
    )


FINDING_ORDER = (
    ChecklistItem.Status.OPEN,
    ChecklistItem.Status.ACCEPTED,
    ChecklistItem.Status.FIXED,
    ChecklistItem.Status.WAIVED,
)


def _pattern_nodes(pattern: dict[str, Any]) -> list[str]:
    seen: list[str] = []
    for ids in pattern.get("roles", {}).values():
        seen += [i for i in ids if i not in seen]
    return seen
