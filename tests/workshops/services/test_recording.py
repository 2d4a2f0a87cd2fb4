"""Recording revealed answers into the participants' review queues, and the results."""

from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from accounts.services import session_claim_all
from quiz.models import Attempt, Bank, Card, Question
from quiz.services import Learner, due_count
from tests.workshops.conftest import BAD, GOOD, first_item, join, step, submit
from workshops import selectors, services
from workshops.models import Answer, Participant

pytestmark = pytest.mark.django_db


# ---- recording into the review queue


def test_revealed_answers_become_attempts_in_each_participants_review_queue(
    workshop, django_capture_on_commit_callbacks
):
    ana = join(workshop, "Ana", session_key="a" * 32)
    user = get_user_model().objects.create_user("bo")
    bo, _ = services.participant_join(workshop=workshop, nickname="Bo", user=user)
    step(workshop, "open")
    submit(ana, first_item(workshop), BAD)
    submit(bo, first_item(workshop), GOOD)
    assert not Attempt.objects.exists()  # nothing before the reveal: the queue would give the answer away
    with django_capture_on_commit_callbacks(execute=True):
        step(workshop, "reveal")  # queued after the commit; without a broker Celery runs it in-process
    assert Attempt.objects.filter(session_key="a" * 32, question__qid="ws-17").count() == 1
    assert Attempt.objects.filter(user=user).count() == 1
    assert Card.objects.filter(session_key="a" * 32, concept_id="").exists()
    assert due_count(learner=Learner(session_key="a" * 32), now=timezone.now() + timedelta(days=1)) >= 1
    assert Answer.objects.filter(attempt__isnull=True).count() == 0


def test_recording_twice_records_once(workshop):
    ana = join(workshop, "Ana")
    step(workshop, "open")
    submit(ana, first_item(workshop))
    with mock.patch("workshops.services.pacing.queue_record"):
        step(workshop, "reveal")
    assert services.answers_record(workshop_id=workshop.pk) == 1
    assert services.answers_record(workshop_id=workshop.pk) == 0
    assert Attempt.objects.count() == 1


def test_a_participant_who_signs_up_later_gets_the_attempts_in_their_account(workshop):
    ana = join(workshop, "Ana", session_key="s" * 32)
    step(workshop, "open")
    submit(ana, first_item(workshop))
    with mock.patch("workshops.services.pacing.queue_record"):
        step(workshop, "reveal")
    user = get_user_model().objects.create_user("ana")
    session_claim_all(session_key="s" * 32, user=user)
    services.answers_record(workshop_id=workshop.pk)
    assert Attempt.objects.get().user == user
    ana.refresh_from_db()
    assert ana.user == user


def test_finish_reveals_what_was_answered_and_records_it(workshop, django_capture_on_commit_callbacks):
    ana = join(workshop, "Ana")
    step(workshop, "open")
    submit(ana, first_item(workshop))
    with django_capture_on_commit_callbacks(execute=True):
        step(workshop, "finish")
    assert Answer.objects.get().recorded_at is not None
    assert Attempt.objects.count() == 1


def test_a_broker_that_cannot_be_reached_means_recording_here(workshop, django_capture_on_commit_callbacks):
    ana = join(workshop, "Ana")
    step(workshop, "open")
    submit(ana, first_item(workshop))
    with (
        mock.patch("workshops.tasks.workshop_record.apply_async", side_effect=ConnectionError("down")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        step(workshop, "reveal")
    assert Attempt.objects.count() == 1


# ---- results


def test_results_give_difficulty_discrimination_and_the_concepts_missed_most(workshop):
    people = [join(workshop, f"p{i}") for i in range(6)]
    one, two = workshop.items.order_by("position")
    step(workshop, "open")
    for i, p in enumerate(people):
        submit(p, one, GOOD if i < 3 else BAD)
    step(workshop, "reveal")
    step(workshop, "next")
    step(workshop, "open")
    for i, p in enumerate(people):
        submit(p, two, {"part-cause": "init" if i < 3 else "dns"})
    step(workshop, "finish")
    found = selectors.results(workshop=workshop)
    first, second = found.items
    assert first.stats.answered == 6
    good = Answer.objects.filter(item=one).order_by("-score").first().score
    assert first.stats.discrimination == good / 100  # the top group all right, the bottom group all wrong
    assert second.stats.correlation > 0.9
    assert [r.participant.rank for r in found.rows] == [1, 1, 1, 4, 4, 4]
    assert found.concepts
    assert found.concepts[0]["share"] == 100
    assert all(len(r.cells) == 2 for r in found.rows)


def test_item_tally_counts_the_room_live(workshop):
    ana, bo = join(workshop, "Ana"), join(workshop, "Bo")
    step(workshop, "open")
    submit(ana, first_item(workshop))
    submit(bo, first_item(workshop), BAD)
    choice = selectors.item_tally(item=first_item(workshop))[0]
    assert [o["count"] for o in choice.options] == [1, 1, 0, 0]
    services.participant_remove(workshop=workshop, participant_id=bo.pk)
    assert [o["count"] for o in selectors.item_tally(item=first_item(workshop))[0].options] == [1, 0, 0, 0]


def test_the_participant_etag_changes_with_the_state_not_with_answers(workshop):
    participant, token = services.participant_join(workshop=workshop, nickname="Ana")
    before = selectors.participant_poll(code=workshop.code, token=token).etag
    other = join(workshop, "Bo")
    step(workshop, "open")
    opened = selectors.participant_poll(code=workshop.code, token=token).etag
    submit(other, first_item(workshop))
    assert selectors.participant_poll(code=workshop.code, token=token).etag == opened != before
    participant.refresh_from_db()
    assert (
        selectors.participant_etag(participant=Participant.objects.select_related("workshop").get(pk=participant.pk))
        == opened
    )
    services.participant_remove(workshop=workshop, participant_id=participant.pk)
    assert selectors.participant_poll(code=workshop.code, token=token).etag != opened
    assert selectors.participant_poll(code=workshop.code, token="nope") is None


def test_the_instructor_etag_changes_with_answers_and_people(workshop):
    w = step(workshop, "open")
    before = selectors.instructor_etag(workshop=w)
    ana = join(w, "Ana")
    joined = selectors.instructor_etag(workshop=w)
    submit(ana, first_item(w))
    assert len({before, joined, selectors.instructor_etag(workshop=w)}) == 3


def test_questions_of_another_bank_cannot_be_mixed_in(loaded, instructor):
    bank = Bank.objects.get(slug="workshop")
    other = Question.objects.exclude(bank=bank).first()
    assert other.qid not in [
        q.qid for q in services.questions_choose(bank=bank, mode="pick", picked=[other.qid, "ws-01"])
    ]


def test_the_participant_etag_changes_when_the_timer_runs_out(workshop):
    participant, token = services.participant_join(workshop=workshop, nickname="Ana")
    step(workshop, "open", time_limit=10)
    workshop.refresh_from_db()
    running = selectors.participant_poll(code=workshop.code, token=token, now=workshop.deadline).etag
    over = selectors.participant_poll(code=workshop.code, token=token, now=workshop.deadline + timedelta(seconds=3))
    assert running != over.etag
    assert over.etag.endswith('.1.0"')
    loaded = Participant.objects.select_related("workshop").get(pk=participant.pk)
    assert selectors.participant_etag(participant=loaded, now=workshop.deadline + timedelta(seconds=3)) == over.etag
