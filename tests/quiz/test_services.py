"""Attempts, review cards, progress and the hand-over of anonymous work to an account."""

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model

from accounts.services import session_claim_all
from quiz.models import Attempt, Card, ConceptResult, Question
from quiz.scheduling import new_card
from quiz.services import (
    Learner,
    ResponsesInvalid,
    attempt_create,
    progress_get,
    question_set,
    review_queue,
)
from tests.quiz.conftest import claims, concept_ids, starter

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
FIRST_TWO = concept_ids("ws-17")[:2]
PARTIAL = claims("ws-17", ids=FIRST_TWO)  # the first two concepts of ws-17's explanation, and no more


def answer(learner, qid="ws-17", now=NOW, **responses):
    return attempt_create(question=Question.objects.get(qid=qid), responses=responses, learner=learner, now=now)


def test_an_attempt_stores_responses_grade_score_and_owner(loaded, learner):
    attempt = answer(learner, **{"choose-service": "sns-sqs", "explain": PARTIAL, "build-it": starter("fan-out")})
    assert attempt.session_key == learner.session_key
    assert attempt.user is None
    assert attempt.responses["choose-service"] == "sns-sqs"
    assert attempt.grade["question"] == "ws-17"
    assert attempt.score == attempt.grade["score"] > 0
    assert [p["id"] for p in attempt.grade["parts"]] == ["choose-service", "retention", "facts", "explain", "build-it"]
    assert attempt.created_at == NOW


def test_bad_responses_store_nothing(loaded, learner):
    with pytest.raises(ResponsesInvalid) as caught:
        answer(learner, retention="many", explain=["x"])
    assert [p.path for p in caught.value.problems] == ["responses.retention", "responses.explain"]
    assert Attempt.objects.count() == 0


def test_concept_results_are_recorded_only_for_answered_text_parts(loaded, learner):
    answer(learner, **{"choose-service": "sns-sqs"})
    assert ConceptResult.objects.count() == 0
    answer(learner, explain=PARTIAL)
    found = dict(ConceptResult.objects.values_list("concept_id", "found"))
    assert found == {c: c in FIRST_TWO for c in concept_ids("ws-17")}


def test_the_question_and_each_missed_concept_become_cards(loaded, learner):
    answer(learner, explain=PARTIAL)
    cards = {(c.part_id, c.concept_id): c for c in Card.objects.all()}
    assert set(cards) == {("", "")} | {("explain", c) for c in concept_ids("ws-17") if c not in FIRST_TWO}
    assert cards[("", "")].last_rating == 1  # the score is under 40: Again
    assert cards[("", "")].due == NOW + timedelta(minutes=10)


def test_a_good_answer_pushes_the_card_out_and_found_concepts_are_reviewed(loaded, learner):
    answer(learner, explain=PARTIAL)
    due = Card.objects.get(concept_id="").due
    full = {
        "choose-service": "sns-sqs",
        "retention": 14,
        "facts": ["push", "pull", "retries", "raw"],
        "explain": claims("ws-17"),
        "build-it": starter("fan-out"),
    }
    attempt = answer(learner, now=due, **full)
    assert attempt.score == 100
    card = Card.objects.get(concept_id="")
    assert card.reviews == 2
    assert card.last_rating == 4
    assert card.due >= due + timedelta(days=1)
    assert card.state["state"] == 2  # graduated to review
    fanout = Card.objects.get(concept_id="fanout")
    assert fanout.reviews == 2
    assert fanout.last_rating == 3
    next_due = fanout.due
    practice = answer(learner, now=due + timedelta(minutes=1), **full)  # right after reading the model answer
    fanout.refresh_from_db()
    card.refresh_from_db()
    assert practice.score == 100
    assert (fanout.reviews, fanout.due) == (2, next_due)  # not due: practice leaves the schedule alone
    assert card.reviews == 2


def test_an_early_failure_still_counts_as_a_lapse(loaded, learner):
    answer(
        learner,
        **{
            "choose-service": "sns-sqs",
            "retention": 14,
            "facts": ["push", "pull", "retries", "raw"],
            "build-it": starter("fan-out"),
        },
    )
    card = Card.objects.get(concept_id="")
    answer(learner, now=NOW + timedelta(minutes=1), **{"choose-service": "sqs-only"})
    card.refresh_from_db()
    assert card.reviews == 2
    assert card.lapses == 1
    assert card.due == NOW + timedelta(minutes=11)


def test_learners_never_see_each_other(loaded, learner):
    answer(learner, explain=PARTIAL)
    other = Learner(session_key="t" * 32)
    assert progress_get(learner=other, now=NOW).attempts == 0
    assert review_queue(learner=other, now=NOW).total == 0
    assert Learner().owns() is not None
    assert not Attempt.objects.filter(Learner().owns()).exists()


def test_progress_counts_sections_concepts_and_latest_scores(loaded, learner):
    answer(learner, explain=PARTIAL)
    best = answer(learner, now=NOW + timedelta(minutes=20), **{"choose-service": "sns-sqs", "explain": PARTIAL})
    answer(learner, qid="ws-16", now=NOW + timedelta(minutes=30), style="eventbridge")
    progress = progress_get(learner=learner, now=NOW + timedelta(hours=1))
    assert progress.attempts == 3
    assert progress.answered == 2
    assert progress.total == Question.objects.count()
    section = next(s for s in progress.sections if s.section == "EventBridge, SQS and SNS")
    assert section.answered == 2
    ws16 = Attempt.objects.get(question__qid="ws-16").score
    assert section.average == round((best.score + ws16) / 2)
    assert (section.found, section.seen) == (4, 12)
    assert section.mastery == 33
    weakest = progress.concepts[0]
    assert weakest.seen == 2
    assert weakest.found == 0
    assert not weakest.last_found
    assert weakest.explain.endswith(".")
    assert progress.due >= 1
    assert [b.bank.slug for b in progress.banks()] == ["workshop", "patterns-guide", "exam-traps"]


def test_the_review_queue_lists_due_cards_then_upcoming_ones(loaded, learner):
    answer(learner, explain=PARTIAL)
    queue = review_queue(learner=learner, now=NOW + timedelta(minutes=5))
    assert queue.due == []
    missed = [c for c in concept_ids("ws-17") if c not in FIRST_TWO]
    assert len(queue.upcoming) == 1 + len(missed)
    queue = review_queue(learner=learner, now=NOW + timedelta(minutes=11))
    assert len(queue.due) == 1 + len(missed)
    concept = next(i for i in queue.due if i.card.concept_id == "fanout")
    rubric = Question.objects.get(qid="ws-17").data["parts"][3]["rubric"]
    assert concept.explain == next(c["explain"] for c in rubric if c["id"] == "fanout")
    assert concept.state == "learning"


def test_retired_questions_leave_the_queue(loaded, learner):
    answer(learner, explain=PARTIAL)
    Question.objects.filter(qid="ws-17").update(retired=True)
    assert review_queue(learner=learner, now=NOW + timedelta(days=1)).total == 0


def test_signing_up_moves_anonymous_attempts_and_cards_to_the_account(loaded, learner):
    answer(learner, explain=PARTIAL)
    user = get_user_model().objects.create_user(username="ada", password="x-long-password-1")
    session_claim_all(session_key=learner.session_key, user=user)
    mine = Learner(user_id=user.pk)
    assert Attempt.objects.filter(user=user).count() == 1
    assert Card.objects.filter(user=user).count() == 1 + len(concept_ids("ws-17")) - 2
    assert Card.objects.filter(user__isnull=True).count() == 0
    assert progress_get(learner=mine, now=NOW).answered == 1
    assert progress_get(learner=learner, now=NOW).attempts == 0


def test_claiming_merges_cards_the_account_already_has(loaded, learner):
    user = get_user_model().objects.create_user(username="ada", password="x-long-password-1")
    mine = Learner(user_id=user.pk)
    answer(mine, explain=PARTIAL)
    answer(learner, now=NOW + timedelta(hours=2), explain=PARTIAL)
    session_claim_all(session_key=learner.session_key, user=user)
    cards = Card.objects.filter(user=user)
    assert cards.count() == 5
    question_card = cards.get(concept_id="")
    assert question_card.reviews == 2
    assert question_card.state["last_review"].startswith("2026-11-29T14:00")
    assert Attempt.objects.filter(user=user).count() == 2


def test_question_sets_cover_a_bank_or_a_section(loaded):
    ws17 = Question.objects.get(qid="ws-17")
    section = question_set(key=None, question=ws17)
    assert section.key == "workshop/eventbridge-sqs-and-sns"
    assert [q.qid for q in section.questions] == ["ws-16", "ws-17", "ws-18", "ws-19", "ws-20"]
    before, after, position = section.neighbours(ws17)
    assert (before.qid, after.qid, position) == ("ws-16", "ws-18", 2)
    assert len(question_set(key="workshop").questions) == 20
    assert question_set(key="nope/none") is None


def test_a_card_created_meanwhile_by_another_request_is_not_a_crash(loaded, learner, monkeypatch):
    question = Question.objects.get(qid="ws-17")

    def racing_select_for_update():
        # Another answer (a double click) creates the card just after this one looked and found none.
        Card.objects.create(question=question, state=new_card(NOW), due=NOW, session_key=learner.session_key)
        return Card.objects.none()

    monkeypatch.setattr(Card.objects, "select_for_update", racing_select_for_update)
    answer(learner, **{"choose-service": "sns-sqs"})
    assert Card.objects.filter(question=question, concept_id="").count() == 1
    assert Attempt.objects.count() == 1
