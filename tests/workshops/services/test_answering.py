"""Answering, revealing and scoring, through the services."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.workshops.conftest import BAD, GOOD, first_item, join, step, submit
from workshops import selectors, services
from workshops.models import Answer, Participant

pytestmark = pytest.mark.django_db


# ---- answering


def test_answering_twice_keeps_one_answer_the_last(workshop):
    ana = join(workshop, "Ana")
    step(workshop, "open")
    item = first_item(workshop)
    submit(ana, item, GOOD)
    second = submit(ana, item, BAD).answer
    assert Answer.objects.filter(participant=ana).count() == 1
    assert second.responses == {"choose-service": "sqs-only"}
    assert (second.score, second.revisions) == (Answer.objects.get().score, 2)


def test_a_retried_request_is_stored_once_and_changes_nothing(workshop):
    ana = join(workshop, "Ana")
    step(workshop, "open")
    item = first_item(workshop)
    first = submit(ana, item, request_id="7d0b2c1e-2b1a-4d47-9c1b-5b7f2f3c1a00")
    again = submit(ana, item, request_id="7d0b2c1e-2b1a-4d47-9c1b-5b7f2f3c1a00")
    assert (first.repeated, again.repeated) == (False, True)
    answer = Answer.objects.get()
    assert (answer.revisions, answer.submitted_at) == (1, first.answer.submitted_at)


def test_an_edited_resend_of_the_same_form_is_a_new_answer(workshop):
    ana = join(workshop, "Ana")
    step(workshop, "open")
    rid = "7d0b2c1e-2b1a-4d47-9c1b-5b7f2f3c1a00"
    submit(ana, first_item(workshop), GOOD, request_id=rid)
    edited = submit(ana, first_item(workshop), BAD, request_id=rid)
    assert not edited.repeated
    assert Answer.objects.get().responses == {"choose-service": "sqs-only"}


def test_answers_after_the_close_are_refused_and_the_earlier_one_stays(workshop):
    ana, bo = join(workshop, "Ana"), join(workshop, "Bo")
    step(workshop, "open")
    submit(ana, first_item(workshop), GOOD)
    step(workshop, "close")
    for who, data in ((ana, BAD), (bo, GOOD)):
        with pytest.raises(services.AnswerRefused, match="Too late: question 1 is closed") as refused:
            submit(who, first_item(workshop), data)
        assert refused.value.reason == "closed"
    assert list(Answer.objects.values_list("participant__nickname", "responses__choose-service")) == [
        ("Ana", "sns-sqs")
    ]


def test_a_retry_that_arrives_after_the_close_finds_its_answer_stored(workshop):
    ana = join(workshop, "Ana")
    step(workshop, "open")
    rid = "7d0b2c1e-2b1a-4d47-9c1b-5b7f2f3c1a00"
    submit(ana, first_item(workshop), request_id=rid)
    step(workshop, "close")
    assert submit(ana, first_item(workshop), request_id=rid).repeated


def test_the_timer_refuses_answers_after_its_grace(workshop):
    ana = join(workshop, "Ana")
    step(workshop, "open", time_limit=10)
    workshop.refresh_from_db()
    item = first_item(workshop)
    submit(ana, item, now=workshop.deadline + timedelta(seconds=1))  # in flight at the deadline: kept
    with pytest.raises(services.AnswerRefused, match="Too late"):
        submit(ana, item, BAD, now=workshop.deadline + timedelta(seconds=3))
    assert Answer.objects.get().responses["choose-service"] == "sns-sqs"


def test_answers_before_the_open_from_the_removed_and_to_nothing_are_refused(workshop):
    ana = join(workshop, "Ana")
    with pytest.raises(services.AnswerRefused, match="not been opened"):
        submit(ana, first_item(workshop))
    step(workshop, "open")
    with pytest.raises(services.AnswerRefused) as empty:
        submit(ana, first_item(workshop), {"part-explain": "  "})
    assert empty.value.reason == "invalid"
    assert empty.value.problems
    services.participant_remove(workshop=workshop, participant_id=ana.pk)
    with pytest.raises(services.AnswerRefused, match="removed you"):
        submit(ana, first_item(workshop))
    assert not Answer.objects.exists()


def test_an_answer_to_a_question_that_is_not_current_is_refused(workshop):
    ana = join(workshop, "Ana")
    one, two = workshop.items.order_by("position")
    step(workshop, "open", item_id=one.pk)
    with pytest.raises(services.AnswerRefused, match="Question 2 has not been opened"):
        submit(ana, two)


def test_a_design_part_can_name_a_saved_diagram_of_the_participant(make_workshop):
    from designer.services import diagram_create
    from tests.workshops.conftest import FAN_OUT

    w = make_workshop(qids=("ws-17",))
    ana = join(w, "Ana", session_key="k" * 32)
    mine = diagram_create(data=FAN_OUT, user=None, session_key="k" * 32).diagram
    other = diagram_create(data=FAN_OUT, user=None, session_key="x" * 32).diagram
    step(w, "open")
    answer = submit(ana, first_item(w), {**GOOD, "part-build-it-saved": str(other.pk)}).answer
    assert "build-it" not in answer.responses
    answer = submit(ana, first_item(w), {**GOOD, "part-build-it-saved": str(mine.pk)}).answer
    assert answer.responses["build-it"]["nodes"]
    assert answer.summary["build-it"]["a"] is True


# ---- revealing and scoring


def test_reveal_settles_points_with_the_speed_bonus_and_ranks_everyone(make_workshop):
    w = make_workshop(speed_bonus=True)
    ana, bo, cy = join(w, "Ana"), join(w, "Bo"), join(w, "Cy")
    step(w, "open", time_limit=60)
    w.refresh_from_db()
    opened = first_item(w).opened_at if first_item(w).opened_at else timezone.now()
    item = first_item(w)
    item.refresh_from_db()
    submit(ana, item, GOOD, now=item.opened_at + timedelta(seconds=6))
    submit(bo, item, GOOD, now=item.opened_at + timedelta(seconds=30))
    submit(cy, item, BAD, now=item.opened_at + timedelta(seconds=1))
    assert opened
    step(w, "reveal")
    a, b, c = (Answer.objects.get(participant=p) for p in (ana, bo, cy))
    assert a.score == b.score > 0
    assert c.score == 0
    assert a.bonus == round(a.score * 0.5 * 0.9)
    assert b.bonus == round(b.score * 0.5 * 0.5)
    assert c.bonus == 0
    assert a.points == a.score + a.bonus
    ranks = dict(Participant.objects.values_list("nickname", "rank"))
    assert ranks == {"Ana": 1, "Bo": 2, "Cy": 3}


def test_without_the_bonus_points_are_the_grade_and_ties_share_a_rank(workshop):
    ana, bo = join(workshop, "Ana"), join(workshop, "Bo")
    step(workshop, "open")
    submit(ana, first_item(workshop))
    submit(bo, first_item(workshop))
    step(workshop, "reveal")
    assert set(Answer.objects.values_list("bonus", flat=True)) == {0}
    assert set(Participant.objects.values_list("rank", flat=True)) == {1}


def test_points_before_the_reveal_stay_hidden(workshop):
    ana = join(workshop, "Ana")
    step(workshop, "open")
    submit(ana, first_item(workshop))
    ana.refresh_from_db()
    assert (ana.points, ana.rank) == (0, None)
    assert selectors.leaderboard(workshop=workshop) == []
