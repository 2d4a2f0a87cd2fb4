"""Spaced repetition: when to see a question (or a missed concept) again, with FSRS (the ``fsrs`` package).

Pure Python, no Django. A card's state is the JSON of ``fsrs.Card.to_dict()``; the caller stores it.

Every question a learner answers is a card, and so is every rubric concept they miss. A graded answer maps to an
FSRS rating:

=============  ========
question score  rating
=============  ========
below 40        Again
40 to 69        Hard
70 to 89        Good
90 and above    Easy
=============  ========

A concept card is rated Good when the concept is found in a later answer and Again when it is missed again.

An answer reviews a card when the card is new or due. An answer given before the card is due is practice: it is
stored and counts for progress, but it only changes the schedule when it is rated Again (a lapse is news; a good
answer typed right after reading the model answer is not proof of memory).

Learning steps are 10 minutes and 1 day (a question is long to answer, so the 1-minute default would be noise);
relearning after a lapse waits 10 minutes; desired retention is FSRS's default 0.9.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from fsrs import Card, Rating, Scheduler, State

__all__ = [
    "LEARNING_STEPS",
    "RATING_BANDS",
    "Rating",
    "concept_rating",
    "counts_as_review",
    "new_card",
    "rating_for_score",
    "retrievability",
    "review",
]

RATING_BANDS = ((40, Rating.Again), (70, Rating.Hard), (90, Rating.Good))  # below the bound -> the rating
LEARNING_STEPS = (timedelta(minutes=10), timedelta(days=1))
RELEARNING_STEPS = (timedelta(minutes=10),)
_SCHEDULER = Scheduler(learning_steps=LEARNING_STEPS, relearning_steps=RELEARNING_STEPS)
STATE_NAMES = {State.Learning: "learning", State.Review: "review", State.Relearning: "relearning"}


def rating_for_score(score: float) -> Rating:
    """The FSRS rating of a question score (0-100): <40 Again, <70 Hard, <90 Good, else Easy."""
    for bound, rating in RATING_BANDS:
        if score < bound:
            return rating
    return Rating.Easy


def concept_rating(*, found: bool) -> Rating:
    """A rubric concept found in an answer is Good; missed, it is Again."""
    return Rating.Good if found else Rating.Again


def new_card(now: datetime) -> dict[str, Any]:
    """The state of a card never reviewed, due at ``now``."""
    # card_id is fixed: the caller's row is the identity, and fsrs would otherwise sleep 1 ms to make one up.
    return dict(Card(card_id=1, due=_utc(now)).to_dict())


def counts_as_review(card: Mapping[str, Any] | None, rating: Rating, now: datetime) -> bool:
    """Whether an answer rated ``rating`` at ``now`` reviews ``card`` (see the module docstring)."""
    if card is None or card.get("last_review") is None or rating == Rating.Again:
        return True
    return datetime.fromisoformat(card["due"]) <= _utc(now)


def review(card: Mapping[str, Any] | None, rating: Rating, now: datetime) -> tuple[dict[str, Any], datetime]:
    """Review ``card`` (or a new one) with ``rating`` at ``now``; returns the new state and its due time."""
    current = Card.from_dict(dict(card)) if card else Card(card_id=1, due=_utc(now))  # type: ignore[arg-type]
    updated, _log = _SCHEDULER.review_card(current, rating, review_datetime=_utc(now))
    return dict(updated.to_dict()), updated.due


def retrievability(card: Mapping[str, Any], now: datetime) -> float:
    """FSRS's estimate (0-1) that the learner still remembers the card at ``now``; 0 before the first review."""
    return float(_SCHEDULER.get_card_retrievability(Card.from_dict(dict(card)), _utc(now)))  # type: ignore[arg-type]


def state_name(card: Mapping[str, Any]) -> str:
    return STATE_NAMES[State(int(card["state"]))]


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("scheduling needs timezone-aware datetimes")
    return moment.astimezone(UTC)
