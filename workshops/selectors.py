"""Reading live workshops: what each screen shows, what a poll compares, the results afterwards.

Read-only; state changes are in ``services``. Each function costs a fixed number of queries whatever the size
of the room (the view tests hold the pages to it).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from typing import Any

from django.db import connection
from django.db.models import Count, F, Max, Q, QuerySet
from django.utils import timezone

from config.errors import NotFound
from quiz.models import Bank, Question
from workshops import codes, presenters, scoring, stats, tally
from workshops.models import ANSWER_GRACE, Answer, Participant, Workshop, WorkshopQuestion, status_of

TOP = 10


# ----------------------------------------------------------------------------------------------------------- workshops


def banks() -> list[Bank]:
    return list(Bank.objects.all())


def bank_questions(*, bank: Bank) -> list[Question]:
    return list(Question.objects.filter(bank=bank, retired=False).order_by("position"))


def workshops_of(*, user: Any) -> QuerySet[Workshop]:
    return (
        Workshop.objects.filter(instructor=user)
        .select_related("bank")
        .annotate(
            people=Count("participants", filter=Q(participants__removed_at__isnull=True), distinct=True),
            questions=Count("items", distinct=True),
        )
    )


def workshop_for_instructor(*, pk: int, user: Any) -> Workshop:
    """The workshop if ``user`` runs it; 404 for anyone else (nothing says that it exists)."""
    workshop = (
        Workshop.objects.select_related("bank", "current__question").filter(pk=pk, instructor_id=user.pk).first()
        if getattr(user, "is_authenticated", False)
        else None
    )
    if workshop is None:
        raise NotFound("no such workshop")
    return workshop


def workshop_by_code(*, code: str) -> Workshop | None:
    return Workshop.objects.select_related("current__question").filter(code=code).first()


def items_of(*, workshop: Workshop) -> list[WorkshopQuestion]:
    return list(workshop.items.select_related("question").order_by("position"))


# -------------------------------------------------------------------------------------------------------- participants


def participant_by_token(*, code: str, token: str) -> Participant | None:
    if not token:
        return None
    return (
        Participant.objects.select_related("workshop__current__question")
        .filter(token_hash=codes.token_hash(token), workshop__code=code)
        .first()
    )


def saved_diagrams(*, participant: Participant, visitor: tuple[Any, str] | None = None) -> QuerySet[Any]:
    """The participant's own diagrams in the designer (by account, else by browser session).

    ``visitor`` is who holds the seat now, (user, session key): the account's diagrams only while that account is
    signed in, the session's only in that session. A seat kept by a cookie after its person signed out lists none.
    """
    from designer.services import diagrams_owned

    user, session_key = (participant.user, participant.session_key) if visitor is None else visitor
    if participant.user_id is not None:
        same = getattr(user, "is_authenticated", False) and user.pk == participant.user_id
        found = diagrams_owned(user=participant.user if same else None, session_key="")
    else:
        same = bool(participant.session_key) and session_key == participant.session_key
        found = diagrams_owned(user=None, session_key=participant.session_key if same else "")
    return found.only("pk", "name", "head")


def people(*, workshop: Workshop) -> QuerySet[Participant]:
    """The present participants, in order of joining."""
    return workshop.participants.filter(removed_at__isnull=True).order_by("joined_at", "id")


def leaderboard(*, workshop: Workshop, limit: int = TOP) -> list[Participant]:
    return list(
        workshop.participants.filter(removed_at__isnull=True, rank__isnull=False).order_by("rank", "nickname_key")[
            :limit
        ]
    )


def team_standings(*, workshop: Workshop) -> list[scoring.TeamStanding]:
    if not workshop.teams:
        return []
    members: dict[str, list[int]] = defaultdict(list)
    for team, points in people(workshop=workshop).values_list("team", "points"):
        members[team].append(points)
    return scoring.team_standings(workshop.teams, members)


# ------------------------------------------------------------------------------------------------------------- polling


@dataclass(frozen=True)
class ParticipantPoll:
    """A participant's screen in brief: enough to answer 304, or to serve a screen the whole room shares."""

    participant_id: int
    workshop_id: int
    version: int
    deadline: datetime | None
    screen: str  # presenters.screen_for
    answered: bool  # has an answer to the current question
    etag: str


def participant_poll(*, code: str, token: str, now: datetime | None = None) -> ParticipantPoll | None:
    """What a participant's screen depends on, in one indexed query and no session or user lookup: the
    workshop's state version, whether the open question's timer ran out, whether they were removed, and which
    screen that makes. None for an unknown token."""
    if not token:
        return None
    # Every phone asks this every second: building the ORM query would cost ten times what running it does, so the
    # SQL is written once (the query the ORM would build from these models' tables).
    with connection.cursor() as cursor:
        cursor.execute(_poll_sql(), [codes.token_hash(token), code])
        row = cursor.fetchone()
    if row is None:
        return None
    pk, removed_at, workshop_id, version, deadline, phase, opened, closed, revealed, current, answered = row
    deadline = _moment(deadline)
    now = now or timezone.now()
    expired = deadline is not None and now > deadline + ANSWER_GRACE
    screen = presenters.screen_for(
        removed=removed_at is not None,
        finished=phase == Workshop.Phase.FINISHED,
        status=status_of(_moment(opened), _moment(closed), _moment(revealed)) if current else None,
        expired=expired,
    )
    etag = _participant_etag(pk, version, deadline, removed_at, now)
    return ParticipantPoll(pk, workshop_id, version, deadline, screen, bool(answered), etag)


def _moment(value: Any) -> datetime | None:
    """A timestamp as the raw cursor gives it (PostgreSQL: aware; SQLite: naive UTC or text) made aware."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return timezone.make_aware(value, UTC) if timezone.is_naive(value) else value


@cache
def _poll_sql() -> str:
    p, w = Participant._meta.db_table, Workshop._meta.db_table
    i, a = WorkshopQuestion._meta.db_table, Answer._meta.db_table
    # Only table names (the models' own, never a request's) are put in; the values are parameters.
    return (
        f'SELECT p."id", p."removed_at", w."id", w."state_version", w."deadline", w."phase", i."opened_at", '  # nosec B608
        f'i."closed_at", i."revealed_at", w."current_id", EXISTS (SELECT 1 FROM "{a}" a WHERE '
        f'a."participant_id" = p."id" AND a."item_id" = w."current_id") FROM "{p}" p '
        f'INNER JOIN "{w}" w ON w."id" = p."workshop_id" LEFT OUTER JOIN "{i}" i ON i."id" = w."current_id" '
        'WHERE p."token_hash" = %s AND w."code" = %s'
    )


def participant_etag(*, participant: Participant, now: datetime | None = None) -> str:
    """The same ETag as :func:`participant_poll`, for a participant already loaded with its workshop."""
    w = participant.workshop
    return _participant_etag(participant.pk, w.state_version, w.deadline, participant.removed_at, now or timezone.now())


def _participant_etag(pk: int, version: int, deadline: datetime | None, removed: datetime | None, now: datetime) -> str:
    expired = deadline is not None and now > deadline + ANSWER_GRACE
    return f'"p{pk}.{version}.{int(expired)}.{int(removed is not None)}"'


def instructor_etag(*, workshop: Workshop, now: datetime | None = None) -> str:
    """What the instructor's screens depend on: the state, the answers to the current question, the people."""
    answers = Answer.objects.filter(item_id=workshop.current_id).aggregate(n=Count("id"), last=Max("submitted_at"))
    people = Participant.objects.filter(workshop_id=workshop.pk).aggregate(
        n=Count("id"), last=Max("id"), gone=Count("id", filter=Q(removed_at__isnull=False))
    )
    parts = [
        workshop.state_version,
        int(workshop.expired(now or timezone.now())),
        int(workshop.join_open),
        answers["n"],
        answers["last"].timestamp() if answers["last"] else 0,
        people["n"],
        people["last"] or 0,
        people["gone"],
    ]
    digest = hashlib.sha1(".".join(map(str, parts)).encode(), usedforsecurity=False).hexdigest()[:16]
    return f'"w{workshop.pk}.{digest}"'


# ------------------------------------------------------------------------------------------------------------- answers


def answer_of(*, participant: Participant, item: WorkshopQuestion | None) -> Answer | None:
    if item is None:
        return None
    return Answer.objects.filter(participant=participant, item=item).order_by().first()


def answers_of(*, participant: Participant) -> list[Answer]:
    """The participant's answers to the revealed questions, in order (their own results)."""
    return list(
        participant.answers.filter(item__revealed_at__isnull=False)
        .select_related("item__question")
        .defer("grade", "responses", "summary")
        .order_by("item__position")
    )


def answers_all(*, workshop: Workshop) -> QuerySet[Answer]:
    """Every answer of the present participants, for the export."""
    return (
        Answer.objects.filter(item__workshop=workshop, participant__removed_at__isnull=True)
        .select_related("participant", "item__question")
        .order_by("item__position", "participant__nickname_key")
    )


def item_tally(*, item: WorkshopQuestion) -> list[tally.PartTally]:
    """How the present participants' answers to ``item`` are spread, part by part."""
    rows = Answer.objects.filter(item=item, participant__removed_at__isnull=True).values_list("summary", flat=True)
    return tally.tally(item.question.data, rows)


def answered_count(*, item: WorkshopQuestion | None) -> int:
    if item is None:
        return 0
    return Answer.objects.filter(item=item, participant__removed_at__isnull=True).count()


def design_submissions(*, item: WorkshopQuestion) -> list[Answer]:
    """The answers to ``item`` that include a diagram, best first, for the instructor's gallery."""
    design = [p["id"] for p in item.question.data["parts"] if p["type"] == "design"]
    found = (
        Answer.objects.filter(item=item, participant__removed_at__isnull=True)
        .select_related("participant")
        .order_by("-score", "participant__nickname_key")
    )
    return [a for a in found if any(pid in a.responses for pid in design)]


def design_answer(*, workshop: Workshop, answer_id: int) -> Answer:
    answer = Answer.objects.select_related("item__question").filter(pk=answer_id, item__workshop=workshop).first()
    if answer is None:
        raise NotFound("no such answer")
    return answer


# ------------------------------------------------------------------------------------------------------------- results


@dataclass
class ItemResult:
    item: WorkshopQuestion
    stats: stats.ItemStats
    parts: list[tally.PartTally]
    mean_points: float | None


@dataclass
class Row:
    participant: Participant
    answers: dict[int, Answer] = field(default_factory=dict)  # item id -> answer
    cells: list[Answer | None] = field(default_factory=list)  # one per question, in order


@dataclass
class Results:
    items: list[ItemResult]
    rows: list[Row]
    concepts: list[dict[str, Any]]
    teams: list[scoring.TeamStanding]


def results(*, workshop: Workshop) -> Results:
    """Per participant and per question, with item analysis and the concepts the room missed most."""
    items = [i for i in items_of(workshop=workshop) if i.opened_at is not None]
    ordered = people(workshop=workshop).order_by(F("rank").asc(nulls_last=True), "nickname_key")
    rows = {p.pk: Row(p) for p in ordered}
    found = Answer.objects.filter(item__in=items, participant_id__in=list(rows)).defer("grade", "responses")
    by_item: dict[int, list[Answer]] = defaultdict(list)
    for answer in found:
        rows[answer.participant_id].answers[answer.item_id] = answer
        by_item[answer.item_id].append(answer)
    totals = {pk: sum(a.score for a in row.answers.values()) for pk, row in rows.items()}
    item_results, concepts = [], []
    for item in items:
        given = by_item[item.pk]
        scores = [a.score for a in given]
        rest = [totals[a.participant_id] - a.score for a in given]
        parts = tally.tally(item.question.data, (a.summary for a in given))
        mean_points = round(sum(a.points for a in given) / len(given), 1) if given else None
        item_results.append(ItemResult(item, stats.item_stats(scores, rest), parts, mean_points))
        for part in parts:
            for concept in part.missed:
                concepts.append({**concept, "item": item, "part": part})
    for row in rows.values():
        row.cells = [row.answers.get(i.pk) for i in items]
    concepts.sort(key=lambda c: (-c["share"], -c["count"], c["item"].position))
    return Results(item_results, list(rows.values()), concepts[:TOP], team_standings(workshop=workshop))
