"""Pacing a workshop: every step locks the workshop row, checks the instructor's state version and bumps it when
participants' screens must change; revealing settles points and ranks and queues the answers' recording."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from workshops import scoring
from workshops.models import Answer, Participant, Workshop, WorkshopQuestion
from workshops.services.errors import StaleState, StepRefused
from workshops.services.recording import queue_record

TIME_LIMITS = (5, 3600)  # seconds a timer may run
STEPS = ("open", "close", "reveal", "next", "finish", "lock", "unlock")


def workshop_step(
    *,
    workshop: Workshop,
    action: str,
    version: int | None,
    item_id: int | None = None,
    time_limit: int | None = None,
    now: datetime | None = None,
) -> Workshop:
    """Move the workshop on: ``open`` a question (``item_id``, optional ``time_limit`` seconds), ``close`` it,
    ``reveal`` it (closing it first if need be), focus the ``next`` one, ``finish``, or ``lock``/``unlock``
    joining. ``version`` is the ``state_version`` the instructor's screen showed: an older one raises
    :class:`StaleState` and nothing changes. Raises :class:`StepRefused` for a step that makes no sense now.
    """
    if action not in STEPS:
        raise StepRefused(f"Unknown step {action!r}.")
    now = now or timezone.now()
    with transaction.atomic():
        locked = Workshop.objects.select_for_update().get(pk=workshop.pk)
        if version is not None and version != locked.state_version:
            raise StaleState("The workshop had already moved on (another window or a second click); here it is now.")
        if locked.phase == Workshop.Phase.FINISHED and action not in ("lock", "unlock"):
            raise StepRefused("The workshop has finished.")
        current = locked.items.select_related("question").filter(pk=locked.current_id).first()
        bump = _STEPS[action](locked, current, now, item_id=item_id, time_limit=time_limit)
        if bump:
            locked.state_version += 1
        locked.save()
    return Workshop.objects.select_related("bank", "current__question").get(pk=workshop.pk)


def _step_open(
    w: Workshop, current: WorkshopQuestion | None, now: datetime, *, item_id: int | None, time_limit: int | None
) -> bool:
    check_time_limit(time_limit)
    item = w.items.filter(pk=item_id).first() if item_id else _next_item(w, current)
    if item is None:
        raise StepRefused("There is no question left to open.")
    if current is not None and current.pk != item.pk and current.status == WorkshopQuestion.Status.OPEN:
        if not w.expired(now):
            raise StepRefused(f"Close question {current.number} first.")
        _close(w, current, now)
    if item.status == WorkshopQuestion.Status.REVEALED:
        raise StepRefused(f"Question {item.number} has been revealed; its answers are final.")
    if item.status == WorkshopQuestion.Status.OPEN and not w.expired(now):
        raise StepRefused(f"Question {item.number} is already open.")
    item.opened_at = item.opened_at or now
    item.closed_at = None
    item.time_limit = time_limit
    item.save(update_fields=["opened_at", "closed_at", "time_limit"])
    w.current = item
    w.deadline = now + timedelta(seconds=time_limit) if time_limit else None
    w.phase = Workshop.Phase.RUNNING
    w.started_at = w.started_at or now
    return True


def _step_close(w: Workshop, current: WorkshopQuestion | None, now: datetime, **_: Any) -> bool:
    if current is None or current.status != WorkshopQuestion.Status.OPEN:
        raise StepRefused("No question is open.")
    _close(w, current, now)
    return True


def _step_reveal(w: Workshop, current: WorkshopQuestion | None, now: datetime, **_: Any) -> bool:
    if current is None or current.status == WorkshopQuestion.Status.PENDING:
        raise StepRefused("Open a question before revealing it.")
    if current.status == WorkshopQuestion.Status.REVEALED:
        raise StepRefused(f"Question {current.number} is already revealed.")
    if current.status == WorkshopQuestion.Status.OPEN:
        _close(w, current, now)
    _reveal(w, [current], now)
    item_ids = [current.pk]
    transaction.on_commit(lambda: queue_record(w.pk, item_ids=item_ids))
    return True


def _step_next(w: Workshop, current: WorkshopQuestion | None, now: datetime, **_: Any) -> bool:
    if current is not None and current.status == WorkshopQuestion.Status.OPEN and not w.expired(now):
        raise StepRefused(f"Close question {current.number} first.")
    if current is not None and current.status == WorkshopQuestion.Status.OPEN:
        _close(w, current, now)
    item = _next_item(w, current)
    if item is None:
        raise StepRefused("That was the last question: finish the workshop.")
    w.current, w.deadline = item, None
    w.phase = Workshop.Phase.RUNNING
    w.started_at = w.started_at or now
    return True


def _step_finish(w: Workshop, current: WorkshopQuestion | None, now: datetime, **_: Any) -> bool:
    if current is not None and current.status == WorkshopQuestion.Status.OPEN:
        _close(w, current, now)
    unrevealed = list(w.items.filter(opened_at__isnull=False, revealed_at__isnull=True))
    _reveal(w, unrevealed, now)
    w.phase, w.finished_at, w.deadline, w.join_open = Workshop.Phase.FINISHED, now, None, False
    transaction.on_commit(lambda: queue_record(w.pk))
    return True


def _step_lock(w: Workshop, current: WorkshopQuestion | None, now: datetime, **_: Any) -> bool:
    w.join_open = False
    return False  # only the instructor's screens show it, and they poll more than the state version


def _step_unlock(w: Workshop, current: WorkshopQuestion | None, now: datetime, **_: Any) -> bool:
    w.join_open = True
    return False


_STEPS = {
    "open": _step_open,
    "close": _step_close,
    "reveal": _step_reveal,
    "next": _step_next,
    "finish": _step_finish,
    "lock": _step_lock,
    "unlock": _step_unlock,
}


def check_time_limit(seconds: int | None) -> None:
    low, high = TIME_LIMITS
    if seconds is not None and not low <= seconds <= high:
        raise StepRefused(f"A timer runs from {low} to {high} seconds.")


def _next_item(w: Workshop, current: WorkshopQuestion | None) -> WorkshopQuestion | None:
    later = w.items.filter(opened_at__isnull=True)
    if current is not None:
        later = later.filter(position__gt=current.position)
    return later.order_by("position").first() or w.items.filter(opened_at__isnull=True).order_by("position").first()


def _close(w: Workshop, item: WorkshopQuestion, now: datetime) -> None:
    """Close ``item``; a timed question closes at its deadline if that has passed (late answers were refused)."""
    item.closed_at = min(now, w.deadline) if w.deadline else now
    item.save(update_fields=["closed_at"])
    w.deadline = None


def _reveal(w: Workshop, items: Sequence[WorkshopQuestion], now: datetime) -> None:
    """Settle the points of ``items`` (score plus any speed bonus), mark them revealed and rank everybody."""
    if not items:
        return
    settled = []
    for item in items:
        opened = item.opened_at or now
        window = item.time_limit or max(((item.closed_at or now) - opened).total_seconds(), 0)
        for answer in item.answers.only("pk", "score", "submitted_at", "item_id"):
            elapsed = (answer.submitted_at - opened).total_seconds()
            bonus = scoring.speed_bonus(score=answer.score, elapsed=elapsed, window=window) if w.speed_bonus else 0
            answer.bonus, answer.points = bonus, answer.score + bonus
            settled.append(answer)
    Answer.objects.bulk_update(settled, ["bonus", "points"], batch_size=500)
    WorkshopQuestion.objects.filter(pk__in=[i.pk for i in items]).update(revealed_at=now)
    rank(w)


def rank(w: Workshop) -> None:
    """Every present participant's points over the revealed questions, and their rank."""
    revealed = Q(answers__item__revealed_at__isnull=False)
    people = list(
        Participant.objects.filter(workshop_id=w.pk, removed_at__isnull=True)
        .annotate(total=Coalesce(Sum("answers__points", filter=revealed), 0))
        .only("pk", "points", "rank")
    )
    places = scoring.rank((p.pk, p.total) for p in people)
    for p in people:
        p.points, p.rank = p.total, places[p.pk]
    Participant.objects.bulk_update(people, ["points", "rank"], batch_size=500)
