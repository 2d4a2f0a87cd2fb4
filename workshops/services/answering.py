"""Answering: graded on arrival with the quiz's grader, stored once per participant and question; a retry with
the same client answer id changes nothing, a new submission replaces the old one until the question closes."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from quiz import answers as quiz_answers
from quiz.grading import grade
from workshops import selectors, tally
from workshops.models import ANSWER_GRACE, Answer, Participant, Workshop, WorkshopQuestion
from workshops.services.errors import AnswerRefused


@dataclass(frozen=True)
class Submitted:
    answer: Answer
    repeated: bool  # a retry of a submission already stored: nothing changed


def answer_submit(
    *,
    participant: Participant,
    item_id: int,
    data: Mapping[str, list[str]],
    files: Mapping[str, bytes] | None = None,
    request_id: str = "",
    now: datetime | None = None,
    visitor: tuple[Any, str] | None = None,
) -> Submitted:
    """Grade and store the participant's answer to the open question ``item_id`` (form fields ``part-<id>``).

    Raises :class:`AnswerRefused`: ``removed``, ``closed`` (the question is not open any more, or its timer ran
    out) or ``invalid`` (nothing could be graded; nothing stored).
    """
    now = now or timezone.now()
    if participant.removed_at is not None:
        raise AnswerRefused("The instructor removed you from this workshop.", reason="removed")
    item = (
        WorkshopQuestion.objects.select_related("question", "workshop")
        .filter(pk=item_id, workshop_id=participant.workshop_id)
        .first()
    )
    if item is None:
        raise AnswerRefused("This question is not part of the workshop.", reason="invalid")
    workshop = item.workshop
    question = item.question.data
    form = quiz_answers.from_form(question, _with_saved_diagrams(question, data, participant, visitor), files)
    rid = _uuid(request_id)
    stored = Answer.objects.filter(participant=participant, item=item).only("pk", "request_id", "responses").first()
    if stored is not None and stored.request_id == rid and stored.responses == form.responses:
        stored.refresh_from_db()
        return Submitted(stored, repeated=True)  # a retry of what is stored, even if it arrives after the close
    _check_open(workshop, item, now)
    if form.problems:
        raise AnswerRefused("Nothing was sent: please fix what is marked.", reason="invalid", problems=form.problems)
    result = grade(question, form.responses).to_dict()
    answer = Answer(
        pk=stored.pk if stored else None,
        participant=participant,
        item=item,
        request_id=rid,
        responses=form.responses,
        grade=result,
        score=result["score"],
        summary=tally.summarize(question, result, form.responses),
        submitted_at=now,
    )
    for retry in (False, True):
        try:
            if _answer_store(answer, item, update=answer.pk is not None):
                return Submitted(answer, repeated=False)
            # A retry of this submission that raced the first request, which stored it: nothing changes.
            return Submitted(Answer.objects.get(pk=answer.pk), repeated=True)
        except IntegrityError:  # the participant's other request stored an answer first: this later one replaces it
            if retry:
                raise
            answer.pk = Answer.objects.filter(participant=participant, item=item).values_list("pk", flat=True).first()
    raise AssertionError("unreachable")


_STORED = ["request_id", "responses", "grade", "score", "summary", "submitted_at"]


def _answer_store(answer: Answer, item: WorkshopQuestion, *, update: bool) -> bool:
    """Insert or update the answer; refuses it if the question was revealed meanwhile (nothing is written).

    Returns False, writing nothing, when the stored answer already is this submission (its request id and its
    responses): a retry that arrived while the first request was being stored.
    """
    with transaction.atomic():
        # Write first: SQLite then takes its write lock at once (waiting its turn) instead of failing to upgrade a
        # read lock, and PostgreSQL locks the row, so two requests of one participant apply one after the other
        # (the second one re-reads the row, finds itself stored there and changes nothing).
        if update:
            fields = {name: getattr(answer, name) for name in _STORED}
            mine = Answer.objects.filter(pk=answer.pk)
            same = {"request_id": answer.request_id, "responses": answer.responses}
            if not mine.exclude(**same).update(revisions=F("revisions") + 1, **fields):
                if mine.exists():
                    return False
                raise IntegrityError("the answer to update is gone")
            answer.revisions += 1
        else:
            answer.save(force_insert=True)
        # Revealed means the points are settled: an answer that raced the close and the reveal must not land.
        if not WorkshopQuestion.objects.filter(pk=item.pk, revealed_at__isnull=True).exists():
            raise AnswerRefused(_too_late(item), reason="closed")
    return True


def _check_open(workshop: Workshop, item: WorkshopQuestion, now: datetime) -> None:
    if item.opened_at is None:
        raise AnswerRefused(f"Question {item.number} has not been opened yet.", reason="closed")
    late = item.closed_at is not None or workshop.current_id != item.pk
    if not late and workshop.deadline is not None and now > workshop.deadline + ANSWER_GRACE:
        late = True
    if late:
        raise AnswerRefused(_too_late(item), reason="closed")


def _too_late(item: WorkshopQuestion) -> str:
    return (
        f"Too late: question {item.number} is closed, so this answer was not recorded. "
        "If you answered before, that answer still counts."
    )


def _uuid(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(text))
    except ValueError:
        return uuid.uuid4()  # no usable id from the client: the submission cannot be recognised as a retry


def _with_saved_diagrams(
    question: Mapping[str, Any],
    data: Mapping[str, list[str]],
    participant: Participant,
    visitor: tuple[Any, str] | None,
) -> dict[str, list[str]]:
    """A design part may name one of the participant's own saved diagrams (``part-<id>-saved``) instead of JSON."""
    out = dict(data)
    for part in question["parts"]:
        pid = part["id"]
        chosen = (data.get(f"part-{pid}-saved") or [""])[0]
        typed = (data.get(f"part-{pid}") or [""])[0]
        if part["type"] == "design" and chosen.isdigit() and not typed.strip():
            diagram = selectors.saved_diagrams(participant=participant, visitor=visitor).filter(pk=int(chosen)).first()
            if diagram is not None:
                version = diagram.versions.filter(number=diagram.head).only("data").first()
                out[f"part-{pid}"] = [json.dumps(version.data)] if version else []
    return out
