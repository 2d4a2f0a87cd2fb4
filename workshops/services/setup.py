"""Creating a workshop and joining it: the question list, teams, join codes, nicknames."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from config.errors import NotFound
from quiz.models import Bank, Question
from workshops import codes
from workshops.models import Participant, Workshop, WorkshopQuestion
from workshops.services.errors import JoinRefused, WorkshopError
from workshops.services.pacing import check_time_limit, rank

MAX_TEAMS = 12


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
    check_time_limit(time_limit)
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
        raise NotFound("no such participant")
    if participant.removed_at is None:
        with transaction.atomic():
            Participant.objects.filter(pk=participant.pk).update(removed_at=timezone.now(), rank=None)
            rank(workshop)
        participant.refresh_from_db()
    return participant


def participants_claim(*, session_key: str, user: Any) -> None:
    """A participant who signs up or in later keeps their place: answers yet to be recorded go to the account."""
    Participant.objects.filter(session_key=session_key, user__isnull=True).update(user=user)
