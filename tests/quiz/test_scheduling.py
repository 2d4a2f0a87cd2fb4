"""Spaced repetition: grades map to FSRS ratings; cards move forward on success and come back on failure."""

from datetime import UTC, datetime, timedelta

import pytest

from quiz import scheduling
from quiz.scheduling import Rating, concept_rating, counts_as_review, rating_for_score, review

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("score", "rating"),
    [
        (0, Rating.Again),
        (39, Rating.Again),
        (40, Rating.Hard),
        (69, Rating.Hard),
        (70, Rating.Good),
        (89, Rating.Good),
        (90, Rating.Easy),
        (100, Rating.Easy),
    ],
)
def test_scores_map_to_ratings_in_four_bands(score, rating):
    assert rating_for_score(score) == rating


def test_a_concept_found_is_good_and_a_concept_missed_is_again():
    assert concept_rating(found=True) == Rating.Good
    assert concept_rating(found=False) == Rating.Again


@pytest.mark.parametrize(
    ("rating", "wait"),
    [(Rating.Again, timedelta(minutes=10)), (Rating.Good, timedelta(days=1))],
)
def test_a_new_card_follows_the_learning_steps(rating, wait):
    state, due = review(None, rating, NOW)
    assert due - NOW == wait
    assert state["last_review"] == NOW.isoformat()


def test_an_easy_first_answer_graduates_and_a_lapse_brings_it_back_soon():
    state, due = review(None, Rating.Easy, NOW)
    assert scheduling.state_name(state) == "review"
    assert due - NOW >= timedelta(days=2)
    state, due2 = review(state, Rating.Again, due)
    assert scheduling.state_name(state) == "relearning"
    assert due2 - due == timedelta(minutes=10)


def test_successes_space_the_reviews_further_apart():
    state, due = review(None, Rating.Good, NOW)
    intervals = []
    for _ in range(4):
        before = due
        state, due = review(state, Rating.Good, due)
        intervals.append(due - before)
    assert intervals == sorted(intervals)
    assert intervals[-1] > timedelta(days=7)


def test_answers_before_the_due_date_are_practice_unless_they_fail():
    state, due = review(None, Rating.Good, NOW)
    early = NOW + timedelta(hours=1)
    assert not counts_as_review(state, Rating.Easy, early)
    assert counts_as_review(state, Rating.Again, early)
    assert counts_as_review(state, Rating.Easy, due)
    assert counts_as_review(None, Rating.Easy, early)


def test_recall_is_estimated_from_stability():
    state, due = review(None, Rating.Easy, NOW)
    assert scheduling.retrievability(state, NOW) == pytest.approx(1.0)
    assert scheduling.retrievability(state, NOW + timedelta(days=60)) < 0.9


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        review(None, Rating.Good, datetime(2026, 1, 1))  # noqa: DTZ001
