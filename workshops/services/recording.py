"""Recording revealed answers as quiz attempts of their participants, so what they missed comes back in their own
review queue; idempotent, on a Celery worker or in-process when no broker answers."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.db import transaction
from django.utils import timezone

from quiz import services as quiz_services
from workshops.models import Answer


def answer_record(*, answer_id: int) -> bool:
    """Make a revealed answer a quiz attempt of its participant (their review queue); idempotent.

    Returns whether this call recorded it. An answer whose participant has neither account nor session, or
    whose question no longer accepts it, is marked recorded without an attempt.
    """
    with transaction.atomic():
        claimed = Answer.objects.filter(pk=answer_id, recorded_at__isnull=True, item__revealed_at__isnull=False)
        if not claimed.update(recorded_at=timezone.now()):
            return False
        answer = Answer.objects.select_related("participant", "item__question").get(pk=answer_id)
        person = answer.participant
        if person.user_id is not None:
            learner = quiz_services.Learner(user_id=person.user_id)
        elif person.session_key:
            learner = quiz_services.Learner(session_key=person.session_key)
        else:
            return True
        try:
            attempt = quiz_services.attempt_create(
                question=answer.item.question, responses=answer.responses, learner=learner
            )
        except quiz_services.ResponsesInvalid:  # the question changed since: the workshop's own grade stands
            return True
        Answer.objects.filter(pk=answer_id).update(attempt=attempt)
    return True


def answers_record(*, workshop_id: int, item_ids: Sequence[int] | None = None) -> int:
    """Record every revealed answer of the workshop (or of ``item_ids``) not recorded yet; returns how many."""
    pending = Answer.objects.filter(
        item__workshop_id=workshop_id, recorded_at__isnull=True, item__revealed_at__isnull=False
    )
    if item_ids is not None:
        pending = pending.filter(item_id__in=item_ids)
    return sum(answer_record(answer_id=pk) for pk in pending.values_list("pk", flat=True))


_QUEUES: list[Callable[[int, list[int] | None], None]] = []


def register_queue(queue: Callable[[int, list[int] | None], None]) -> None:
    """How recording is handed to a worker: ``queue(workshop_id, item_ids)`` (the workshops app registers its Celery
    task when it starts, so that services need no import of the task that calls them)."""
    _QUEUES[:] = [queue]


def queue_record(workshop_id: int, *, item_ids: Sequence[int] | None = None) -> None:
    """Hand the recording to a Celery worker; without a reachable broker (or none registered), do it here and now."""
    try:
        if not _QUEUES:
            raise LookupError("no recording queue is registered")
        _QUEUES[0](workshop_id, list(item_ids) if item_ids else None)
    except Exception:  # noqa: BLE001 - any broker failure means "not queued": record in-process instead
        answers_record(workshop_id=workshop_id, item_ids=item_ids)
