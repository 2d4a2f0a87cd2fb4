"""Attempts: check, grade and store an answer, review the learner's cards (FSRS), and move what a browser session
did to the account that signs up or in."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from quiz import answers, scheduling
from quiz.grading import grade
from quiz.models import Attempt, Card, ConceptResult, Question
from quiz.services.learners import Learner, ResponsesInvalid


def _saved_diagrams(question: Question, responses: Any, learner: Learner) -> Any:
    """Design answers given as ``{"diagram": <id>}``: the latest version of a diagram the learner may see."""
    if not isinstance(responses, dict):
        return responses
    design_parts = {p["id"] for p in question.data["parts"] if p["type"] == "design"}
    return _saved_diagrams_data(responses, design_parts, learner)


def _saved_diagrams_data(responses: dict[str, Any], design_parts: set[str], learner: Learner) -> dict[str, Any]:
    from config.errors import NotFound
    from designer import services as designer

    user = _user_of(learner)
    resolved = dict(responses)
    problems = []
    for pid, answer in responses.items():
        if pid not in design_parts or not (isinstance(answer, dict) and set(answer) == {"diagram"}):
            continue
        ref = answer["diagram"]
        try:
            if isinstance(ref, bool) or not isinstance(ref, int):
                raise NotFound("not a diagram id")
            diagram, _ = designer.diagram_get_for(pk=ref, user=user, session_key=learner.session_key)
        except NotFound:
            problems.append(answers.Problem(f"responses.{pid}.diagram", f"{ref!r} is not a diagram you can open"))
            continue
        resolved[pid] = designer.diagram_latest(diagram=diagram).data
    if problems:
        raise ResponsesInvalid(problems)
    return resolved


MAX_CHOICES = 30  # the learner's diagrams offered for a design part, most recently changed first


def learner_diagrams(*, learner: Learner) -> list[Any]:
    """The learner's own diagrams, to answer a design part with one of them."""
    from designer.services import diagrams_owned

    mine = diagrams_owned(user=_user_of(learner), session_key=learner.session_key)
    return list(mine.order_by("-updated_at").only("pk", "name", "head", "updated_at")[:MAX_CHOICES])


def _user_of(learner: Learner) -> Any:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(pk=learner.user_id).first() if learner.user_id else None


def form_with_saved_diagrams(
    question: Mapping[str, Any], data: Mapping[str, list[str]], learner: Learner
) -> dict[str, list[str]]:
    """A design part answered by choosing a diagram (``part-<id>-saved``) gets its latest version as the part's
    JSON, unless JSON was typed; a diagram the learner cannot open is left for the grader to refuse by path."""
    out = dict(data)
    for part in question["parts"]:
        pid = part["id"]
        chosen = (data.get(f"part-{pid}-saved") or [""])[0]
        if part["type"] != "design" or not chosen.isdigit() or (data.get(f"part-{pid}") or [""])[0].strip():
            continue
        resolved = _saved_diagrams_data({pid: {"diagram": int(chosen)}}, {pid}, learner)
        out[f"part-{pid}"] = [json.dumps(resolved[pid])]
    return out


def attempt_create(*, question: Question, responses: Any, learner: Learner, now: datetime | None = None) -> Attempt:
    """Check, grade and store an answer, record concept results and review the learner's cards.

    Raises :class:`ResponsesInvalid` (nothing stored) when the responses cannot be graded.
    """
    responses = _saved_diagrams(question, responses, learner)
    clean, problems = answers.check(question.data, responses)
    if problems:
        raise ResponsesInvalid(problems)
    now = now or timezone.now()
    result = grade(question.data, clean).to_dict()
    with transaction.atomic():
        attempt = Attempt.objects.create(
            question=question, responses=clean, grade=result, score=result["score"], created_at=now, **learner.fields()
        )
        concepts = concept_results(attempt, result)
        ConceptResult.objects.bulk_create(concepts)
        _cards_review(attempt, concepts, learner, now)
    return attempt


def concept_results(attempt: Attempt, result: Mapping[str, Any]) -> list[ConceptResult]:
    """A row for each rubric concept of each text part the attempt answered: found or missed."""
    return [
        ConceptResult(attempt=attempt, part_id=part["id"], concept_id=item["concept"], found=found)
        for part in result["parts"]
        if part["type"] == "text" and part["id"] in attempt.responses
        for found, key in ((True, "found"), (False, "missed"))
        for item in part["feedback"][key]
    ]


def _cards_review(attempt: Attempt, concepts: Iterable[ConceptResult], learner: Learner, now: datetime) -> None:
    cards = {
        (c.part_id, c.concept_id): c
        for c in Card.objects.select_for_update().filter(learner.owns(), question=attempt.question)
    }
    wanted = [("", "", scheduling.rating_for_score(attempt.score))]
    for result in concepts:
        if not result.found or (result.part_id, result.concept_id) in cards:
            wanted.append((result.part_id, result.concept_id, scheduling.concept_rating(found=result.found)))
    new = []
    for part_id, concept_id, rating in wanted:
        card = cards.get((part_id, concept_id))
        if card is not None and not scheduling.counts_as_review(card.state, rating, now):
            continue
        state, due = scheduling.review(card.state if card else None, rating, now)
        if card is None:
            card = Card(
                question=attempt.question, part_id=part_id, concept_id=concept_id, created_at=now, **learner.fields()
            )
            new.append(card)
        elif rating == scheduling.Rating.Again:
            card.lapses += 1  # forgotten after at least one review
        card.state, card.due, card.last_rating = state, due, int(rating)
        card.reviews += 1
        if card.pk:
            card.save()
    # Two answers sent at once (a double click) may both find no card: the first one in creates it.
    Card.objects.bulk_create(new, ignore_conflicts=True)


def attempt_get(*, learner: Learner, pk: int) -> Attempt:
    """One of the learner's attempts; raises ``Attempt.DoesNotExist`` for anyone else's."""
    return Attempt.objects.select_related("question__bank").get(learner.owns(), pk=pk)


def attempts_latest(*, learner: Learner) -> dict[int, Attempt]:
    """The learner's latest attempt per question id (pk)."""
    latest: dict[int, Attempt] = {}
    for attempt in Attempt.objects.filter(learner.owns()).defer("responses", "grade").order_by("-created_at", "-id"):
        latest.setdefault(attempt.question_id, attempt)
    return latest


def session_claim(*, session_key: str, user: Any) -> None:
    """Give ``user`` the attempts and cards of an anonymous session; the fresher of two cards for one thing wins."""
    Attempt.objects.filter(session_key=session_key, user__isnull=True).update(user=user, session_key="")
    mine = {(c.question_id, c.part_id, c.concept_id): c for c in Card.objects.filter(user=user)}
    for card in Card.objects.filter(session_key=session_key, user__isnull=True):
        other = mine.get((card.question_id, card.part_id, card.concept_id))
        if other is None:
            card.user, card.session_key = user, ""
            card.save(update_fields=["user", "session_key", "updated_at"])
        else:
            if (card.state.get("last_review") or "") > (other.state.get("last_review") or ""):
                other.state, other.due, other.last_rating = card.state, card.due, card.last_rating
            other.reviews += card.reviews
            other.lapses += card.lapses
            other.save()
            card.delete()
