"""State changes of live workshops: create one, join it, pace it, answer, reveal, record into review queues.

Views call these functions (and ``selectors`` to read) and nothing below them. Every state change goes through
:func:`workshop_step`, which locks the workshop row, checks the version the instructor's screen was showing (a
double click or a second window cannot skip a question) and bumps ``state_version`` when participants' screens
must change.

Answers are graded when they arrive (the quiz's own grader) and stored once per participant and question: a
retry with the same client answer id changes nothing, a new submission replaces the old one until the question
closes, and anything later is refused with :class:`AnswerRefused`. When a question is revealed, the speed bonus
is settled, ranks are recomputed and every answer is queued to become a quiz attempt of its participant (a user
or a browser session), so what they missed comes back in their own review queue.
"""

from __future__ import annotations

import json
import secrets
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from quiz import answers as quiz_answers
from quiz import services as quiz_services
from quiz.grading import grade
from quiz.models import Bank, Question
from workshops import codes, scoring, selectors, tally
from workshops.models import ANSWER_GRACE, Answer, Participant, Workshop, WorkshopQuestion

TIME_LIMITS = (5, 3600)  # seconds a timer may run
MAX_TEAMS = 12
STEPS = ("open", "close", "reveal", "next", "finish", "lock", "unlock")


class WorkshopError(Exception):
    """A request that is refused; the message says why, in words for the person who asked."""


class JoinRefused(WorkshopError):
    pass


class StepRefused(WorkshopError):
    pass


class StaleState(StepRefused):
    """The instructor's screen showed an older state than the workshop's (a double click, a second window)."""


class AnswerRefused(WorkshopError):
    """``reason`` is ``closed`` (too late), ``removed`` or ``invalid`` (with ``problems``, nothing stored)."""

    def __init__(self, message: str, *, reason: str, problems: Sequence[quiz_answers.Problem] = ()) -> None:
        super().__init__(message)
        self.reason = reason
        self.problems = list(problems)


# ------------------------------------------------------------------------------------------------------------ creating


def questions_choose(*, bank: Bank, mode: str, section: str = "", picked: Iterable[str] = ()) -> list[Question]:
    """The bank's questions in order: all of them, one section's, or the hand-picked ids. Raises WorkshopError."""
    questions = Question.objects.filter(bank=bank, retired=False).order_by("position")
    if mode == "section":
        questions = questions.filter(section_slug=section)
    elif mode == "pick":
        questions = questions.filter(qid__in=list(picked))
    elif mode != "all":
        raise WorkshopError(f"Unknown choice of questions {mode!r}.")
    found = list(questions)
    if not found:
        raise WorkshopError("Choose at least one question of this bank.")
    return found


def teams_parse(text: str) -> list[str]:
    """Team names from a comma- or line-separated list: trimmed, without repeats, at most 12 of 40 characters."""
    names: dict[str, str] = {}
    for raw in text.replace("\n", ",").split(","):
        name = " ".join(raw.split())[:40]
        if name:
            names.setdefault(name.casefold(), name)
    if len(names) > MAX_TEAMS:
        raise WorkshopError(f"At most {MAX_TEAMS} teams; {len(names)} were given.")
    if len(names) == 1:
        raise WorkshopError("Teams need at least two names (or none for a workshop without teams).")
    return list(names.values())


def workshop_create(
    *,
    instructor: Any,
    bank: Bank,
    questions: Sequence[Question],
    title: str = "",
    speed_bonus: bool = False,
    time_limit: int | None = None,
    teams: Sequence[str] = (),
) -> Workshop:
    """A new workshop in its lobby with a fresh join code."""
    _check_time_limit(time_limit)
    for _ in range(20):
        try:
            with transaction.atomic():
                workshop = Workshop.objects.create(
                    instructor=instructor,
                    bank=bank,
                    title=(title.strip() or bank.title)[:200],
                    code=codes.new_code(),
                    speed_bonus=speed_bonus,
                    time_limit=time_limit,
                    teams=list(teams),
                )
                WorkshopQuestion.objects.bulk_create(
                    WorkshopQuestion(workshop=workshop, question=q, position=i, time_limit=time_limit)
                    for i, q in enumerate(questions)
                )
            return workshop
        except IntegrityError:  # the code is taken: draw another
            continue
    raise WorkshopError("Could not find a free join code; please try again.")


# ------------------------------------------------------------------------------------------------------------- joining


def participant_join(
    *, workshop: Workshop, nickname: str, team: str = "", user: Any = None, session_key: str = ""
) -> tuple[Participant, str]:
    """Add a participant; returns it and its secret token (for the browser's cookie; only its hash is stored).

    Raises :class:`JoinRefused` when the workshop is over or locked, the nickname is not valid or taken, or the
    team is not one of the workshop's.
    """
    if workshop.phase == Workshop.Phase.FINISHED:
        raise JoinRefused("This workshop has ended.")
    if not workshop.join_open:
        raise JoinRefused("The instructor has closed this workshop to new participants.")
    try:
        name = codes.clean_nickname(nickname)
    except codes.NicknameError as exc:
        raise JoinRefused(str(exc)) from None
    if workshop.teams and team not in workshop.teams:
        raise JoinRefused("Choose your team.")
    token = secrets.token_urlsafe(32)
    try:
        with transaction.atomic():
            participant = Participant.objects.create(
                workshop=workshop,
                nickname=name,
                nickname_key=codes.nickname_key(name),
                team=team if workshop.teams else "",
                token_hash=codes.token_hash(token),
                user=user if getattr(user, "is_authenticated", False) else None,
                session_key=session_key,
            )
    except IntegrityError:
        raise JoinRefused(f"Someone here is already called {name}; choose another nickname.") from None
    return participant, token


def participant_remove(*, workshop: Workshop, participant_id: int) -> Participant:
    """Take someone out of the workshop: their screen says so, they leave the lobby and the leaderboard."""
    participant = workshop.participants.filter(pk=participant_id).first()
    if participant is None:
        raise Http404("no such participant")
    if participant.removed_at is None:
        with transaction.atomic():
            Participant.objects.filter(pk=participant.pk).update(removed_at=timezone.now(), rank=None)
            _rank(workshop)
        participant.refresh_from_db()
    return participant


def participants_claim(*, session_key: str, user: Any) -> None:
    """A participant who signs up or in later keeps their place: answers yet to be recorded go to the account."""
    Participant.objects.filter(session_key=session_key, user__isnull=True).update(user=user)


# -------------------------------------------------------------------------------------------------------------- pacing


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
    _check_time_limit(time_limit)
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
    transaction.on_commit(lambda: _queue_record(w.pk, item_ids=item_ids))
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
    transaction.on_commit(lambda: _queue_record(w.pk))
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


def _check_time_limit(seconds: int | None) -> None:
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
    _rank(w)


def _rank(w: Workshop) -> None:
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


# ----------------------------------------------------------------------------------------------------------- answering


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
    form = quiz_answers.from_form(question, _with_saved_diagrams(question, data, participant), files)
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
            _answer_store(answer, item, update=answer.pk is not None)
            return Submitted(answer, repeated=False)
        except IntegrityError:  # the participant's other request stored an answer first: this later one replaces it
            if retry:
                raise
            answer.pk = Answer.objects.filter(participant=participant, item=item).values_list("pk", flat=True).first()
    raise AssertionError("unreachable")


_STORED = ["request_id", "responses", "grade", "score", "summary", "submitted_at"]


def _answer_store(answer: Answer, item: WorkshopQuestion, *, update: bool) -> None:
    """Insert or update the answer; refuses it if the question was revealed meanwhile (nothing is written)."""
    with transaction.atomic():
        # Write first: SQLite then takes its write lock at once (waiting its turn) instead of failing to upgrade a
        # read lock, and PostgreSQL locks the row, so two requests of one participant apply one after the other.
        if update:
            fields = {name: getattr(answer, name) for name in _STORED}
            if not Answer.objects.filter(pk=answer.pk).update(revisions=F("revisions") + 1, **fields):
                raise IntegrityError("the answer to update is gone")
            answer.revisions += 1
        else:
            answer.save(force_insert=True)
        # Revealed means the points are settled: an answer that raced the close and the reveal must not land.
        if not WorkshopQuestion.objects.filter(pk=item.pk, revealed_at__isnull=True).exists():
            raise AnswerRefused(_too_late(item), reason="closed")


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
    question: Mapping[str, Any], data: Mapping[str, list[str]], participant: Participant
) -> dict[str, list[str]]:
    """A design part may name one of the participant's own saved diagrams (``part-<id>-saved``) instead of JSON."""
    out = dict(data)
    for part in question["parts"]:
        pid = part["id"]
        chosen = (data.get(f"part-{pid}-saved") or [""])[0]
        typed = (data.get(f"part-{pid}") or [""])[0]
        if part["type"] == "design" and chosen.isdigit() and not typed.strip():
            diagram = selectors.saved_diagrams(participant=participant).filter(pk=int(chosen)).first()
            if diagram is not None:
                version = diagram.versions.filter(number=diagram.head).only("data").first()
                out[f"part-{pid}"] = [json.dumps(version.data)] if version else []
    return out


# ----------------------------------------------------------------------------------------------------------- recording


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


def _queue_record(workshop_id: int, *, item_ids: Sequence[int] | None = None) -> None:
    """Hand the recording to a Celery worker; without a reachable broker, do it here and now."""
    from workshops.tasks import workshop_record

    try:
        workshop_record.apply_async(args=[workshop_id, list(item_ids) if item_ids else None], retry=False)
    except Exception:  # noqa: BLE001 - any broker failure means "not queued": record in-process instead
        answers_record(workshop_id=workshop_id, item_ids=item_ids)
