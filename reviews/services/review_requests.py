"""Review requests: reviewers, the checklist (findings and pillar questions), decisions, withdrawal."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from config.errors import NotFound
from designer.domain.diff import finding_key
from designer.models import Diagram
from designer.services import ROLE_RANK, diagram_latest, diagram_version_get
from reviews.checklist import review_pillars
from reviews.models import ChecklistItem, Review, Reviewer
from reviews.services.common import NotAllowed, ReviewError
from reviews.services.common import signed_in as _user
from reviews.services.notify import notify_decided, notify_requested

User = get_user_model()


def review_candidates(*, diagram: Diagram, requester: Any) -> QuerySet[Any]:
    """Who may be asked to review: members of teams the diagram is shared with as commenter or editor, and the
    owner, except the person asking."""
    can_comment = [r for r, rank in ROLE_RANK.items() if rank >= ROLE_RANK["commenter"] and r != "owner"]
    via_team = Q(
        memberships__team__shares__diagram=diagram,
        memberships__team__shares__revoked_at__isnull=True,
        memberships__team__shares__role__in=can_comment,
    )
    people = (
        User.objects.filter(via_team | Q(pk=diagram.owner_id)) if diagram.owner_id else User.objects.filter(via_team)
    )
    requester = _user(requester)
    if requester is not None:
        people = people.exclude(pk=requester.pk)
    return people.distinct().order_by("username")


def _finding_items(report: dict[str, Any]) -> list[ChecklistItem]:
    return [
        ChecklistItem(
            kind=ChecklistItem.Kind.FINDING,
            key=_item_key(f),
            severity=f.get("severity", ""),
            title=f.get("message", ""),
            detail=f.get("why", ""),
            fix=f.get("fix", ""),
            nodes=list(f.get("nodes", [])),
            edges=list(f.get("edges", [])),
        )
        for f in report.get("findings", [])
    ]


def _question_items() -> list[ChecklistItem]:
    return [
        ChecklistItem(kind=ChecklistItem.Kind.QUESTION, key=q.id, pillar=p.id, title=q.text, detail=q.hint)
        for p in review_pillars()
        for q in p.questions
    ]


def review_request(
    *,
    diagram: Diagram,
    version_number: int,
    requested_by: Any,
    reviewer_ids: list[int],
    note: str = "",
    site_url: str = "",
) -> Review:
    """Ask some of the candidates to review one version; the checklist is that version's findings (to accept, fix
    or waive) and the review questions of every pillar. With ``site_url``, the reviewers get an e-mail."""
    if not _user(requested_by):
        raise ReviewError("Sign in to ask for a review.")
    version = diagram_version_get(diagram=diagram, number=version_number)
    chosen = list(review_candidates(diagram=diagram, requester=requested_by).filter(pk__in=reviewer_ids))
    if not chosen or len(chosen) != len(set(reviewer_ids)):
        raise ReviewError("Choose at least one reviewer among the people the diagram is shared with.")
    with transaction.atomic():
        review = Review.objects.create(diagram=diagram, version=version, requested_by=requested_by, note=note.strip())
        Reviewer.objects.bulk_create([Reviewer(review=review, user=u) for u in chosen])
        items = _finding_items(version.report) + _question_items()
        for position, item in enumerate(items):
            item.review, item.position = review, position
        ChecklistItem.objects.bulk_create(items)
        if site_url:
            notify_requested(review=review, reviewers=chosen, site_url=site_url)
    return review


def reviews_of(*, diagram: Diagram) -> QuerySet[Review]:
    return (
        Review.objects.filter(diagram=diagram)
        .select_related("requested_by", "decided_by")
        .defer("version__data", "version__report")
        .select_related("version")
        .prefetch_related(Prefetch("reviewers", queryset=Reviewer.objects.select_related("user")))
    )


def review_get(*, diagram: Diagram, review_id: int) -> Review:
    review = reviews_of(diagram=diagram).filter(pk=review_id).first()
    if review is None:
        raise NotFound("no such review")
    return review


def reviews_for_user(*, user: Any) -> tuple[QuerySet[Review], QuerySet[Review]]:
    """Reviews waiting for the user's decision, and reviews the user asked for; only of diagrams they still see."""
    base = (
        Review.objects.select_related("diagram", "requested_by", "decided_by")
        .defer("version__data", "version__report")
        .select_related("version")
        .prefetch_related(Prefetch("reviewers", queryset=Reviewer.objects.select_related("user")))
    )
    visible = Q(diagram__owner=user) | Q(
        diagram__shares__team__memberships__user=user, diagram__shares__revoked_at__isnull=True
    )
    waiting = (
        base.filter(
            reviewers__user=user,
            reviewers__decision=Reviewer.Decision.PENDING,
            status__in=[Review.Status.OPEN, Review.Status.CHANGES_REQUESTED],
        )
        .filter(visible)
        .distinct()
    )
    # A requester who has since lost access to the diagram (left the team, share revoked) sees none of it.
    return waiting, base.filter(requested_by=user).filter(visible).distinct()


def review_participant(review: Review, user: Any, role: str) -> bool:
    """The review's requester, one of its reviewers, or the diagram's owner."""
    user = _user(user)
    if user is None:
        return False
    return (
        role == "owner"
        or review.requested_by_id == user.pk
        or any(r.user_id == user.pk for r in review.reviewers.all())
    )


FINDING_STATES = {
    ChecklistItem.Status.OPEN,
    ChecklistItem.Status.ACCEPTED,
    ChecklistItem.Status.FIXED,
    ChecklistItem.Status.WAIVED,
}
QUESTION_STATES = {
    ChecklistItem.Status.OPEN,
    ChecklistItem.Status.ADDRESSED,
    ChecklistItem.Status.CONCERN,
    ChecklistItem.Status.NOT_APPLICABLE,
}
NEEDS_REASON = {
    ChecklistItem.Status.WAIVED: "Say why the finding is waived.",
    ChecklistItem.Status.CONCERN: "Say what the concern is.",
}


def review_item_set(*, review: Review, item_id: int, status: str, reason: str, user: Any, role: str) -> ChecklistItem:
    """Decide one checklist line (the review's requester, reviewers or the diagram's owner, while it is open)."""
    if not review_participant(review, user, role):
        raise NotAllowed("Only the review's requester, its reviewers and the diagram's owner fill in the checklist.")
    item = review.items.filter(pk=item_id).first()
    if item is None:
        raise NotFound("no such checklist item")
    if review.is_closed:
        raise ReviewError(f"This review is {review.get_status_display().lower()}; its checklist is closed.")
    allowed = FINDING_STATES if item.kind == ChecklistItem.Kind.FINDING else QUESTION_STATES
    if status not in allowed:
        raise ReviewError(f"{status!r} is not a choice for a {item.kind}.")
    reason = reason.strip()
    if status in NEEDS_REASON and not reason:
        raise ReviewError(NEEDS_REASON[ChecklistItem.Status(status)])
    if status == ChecklistItem.Status.FIXED:
        _check_fixed(review, item)
    item.status, item.reason = status, reason[:2000]
    item.decided_by = _user(user) if status != ChecklistItem.Status.OPEN else None
    item.decided_at = timezone.now() if status != ChecklistItem.Status.OPEN else None
    item.save(update_fields=["status", "reason", "decided_by", "decided_at"])
    return item


def _check_fixed(review: Review, item: ChecklistItem) -> None:
    """Fixed means a later version no longer has the finding: the design changed, not only the checklist."""
    diagram = Diagram.objects.get(pk=review.diagram_id)  # as it is now, not as loaded with the review
    if item.key in latest_finding_keys(diagram=diagram):
        raise ReviewError(
            f"Version {diagram.head}, the latest, still has this finding: change the design first, "
            "or accept or waive it."
        )


@dataclass
class Tally:
    findings: dict[str, int] = field(default_factory=dict)
    questions: dict[str, int] = field(default_factory=dict)

    @property
    def open_findings(self) -> int:
        return self.findings.get(ChecklistItem.Status.OPEN, 0)

    @property
    def open_questions(self) -> int:
        return self.questions.get(ChecklistItem.Status.OPEN, 0)


def review_tally(*, review: Review) -> Tally:
    tally = Tally()
    for row in review.items.values("kind", "status").annotate(n=Count("pk")):
        target = tally.findings if row["kind"] == ChecklistItem.Kind.FINDING else tally.questions
        target[row["status"]] = row["n"]
    return tally


def review_decide(*, review: Review, user: Any, decision: str, note: str, site_url: str = "") -> Review:
    """A reviewer approves or requests changes. Approving needs every finding decided; requesting changes needs
    a note. The review is approved once every reviewer approved, and shows changes requested while any reviewer
    asks for them; an approved review is closed."""
    reviewer = review.reviewers.filter(user=_user(user)).first() if _user(user) else None
    if reviewer is None:
        raise NotAllowed("Only the reviewers asked for this review can decide it.")
    if review.is_closed:
        raise ReviewError(f"This review is {review.get_status_display().lower()}; it can no longer be decided.")
    if decision not in (Reviewer.Decision.APPROVED, Reviewer.Decision.CHANGES_REQUESTED):
        raise ReviewError("Approve, or request changes.")
    note = note.strip()
    if decision == Reviewer.Decision.CHANGES_REQUESTED and not note:
        raise ReviewError("Say which changes you are asking for.")
    if decision == Reviewer.Decision.APPROVED and (left := review_tally(review=review).open_findings):
        raise ReviewError(
            f"{left} finding{'s' if left != 1 else ''} still need a decision (accept, fix or waive) before approval."
        )
    now = timezone.now()
    with transaction.atomic():
        locked = Review.objects.select_for_update().get(pk=review.pk)
        reviewer.decision, reviewer.note, reviewer.decided_at = decision, note[:5000], now
        reviewer.save(update_fields=["decision", "note", "decided_at"])
        everyone = list(locked.reviewers.select_related("user").order_by("-decided_at"))
        asking = [r for r in everyone if r.decision == Reviewer.Decision.CHANGES_REQUESTED]
        if asking:  # the latest reviewer to ask for changes is who decided
            locked.status, deciding = Review.Status.CHANGES_REQUESTED, asking[0]
        elif all(r.decision == Reviewer.Decision.APPROVED for r in everyone):
            locked.status, deciding = Review.Status.APPROVED, reviewer
        else:
            locked.status, deciding = Review.Status.OPEN, None
        locked.decided_by = deciding.user if deciding else None
        locked.decided_at = deciding.decided_at if deciding else None
        locked.save(update_fields=["status", "decided_by", "decided_at"])
        review.status, review.decided_by, review.decided_at = locked.status, locked.decided_by, locked.decided_at
        if site_url:
            notify_decided(review=review, reviewer=reviewer.user, decision=decision, note=note, site_url=site_url)
    return review


def review_withdraw(*, review: Review, user: Any, role: str) -> Review:
    user = _user(user)
    if role != "owner" and (user is None or review.requested_by_id != user.pk):
        raise NotAllowed("Only whoever asked for the review, or the diagram's owner, can withdraw it.")
    if review.is_closed:
        raise ReviewError(f"This review is already {review.get_status_display().lower()}.")
    review.status, review.decided_by, review.decided_at = Review.Status.WITHDRAWN, user, timezone.now()
    review.save(update_fields=["status", "decided_by", "decided_at"])
    return review


def latest_finding_keys(*, diagram: Diagram) -> set[str]:
    """Keys of the findings of the diagram's latest version, to tell which reviewed findings are gone since."""
    latest = diagram_latest(diagram=diagram)
    return {_item_key(f) for f in latest.report.get("findings", [])}


def _item_key(finding: dict[str, Any]) -> str:
    """A checklist line's key for a finding: what identifies it across versions, as stored text."""
    return json.dumps(finding_key(finding))[:300]
