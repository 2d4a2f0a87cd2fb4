"""Creating, joining, pacing, answering, revealing and recording, through the services."""

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
from workshops.models import Answer, Participant, Workshop

pytestmark = pytest.mark.django_db


# ---- creating


def test_a_workshop_takes_all_a_section_or_picked_questions_in_bank_order(loaded):
    bank = Bank.objects.get(slug="workshop")
    assert len(services.questions_choose(bank=bank, mode="all")) == 20
    section = services.questions_choose(bank=bank, mode="section", section="eventbridge-sqs-and-sns")
    assert [q.qid for q in section] == ["ws-16", "ws-17", "ws-18", "ws-19", "ws-20"]
    picked = services.questions_choose(bank=bank, mode="pick", picked=["ws-17", "ws-01", "nope"])
    assert [q.qid for q in picked] == ["ws-01", "ws-17"]
    with pytest.raises(services.WorkshopError, match="at least one"):
        services.questions_choose(bank=bank, mode="pick", picked=[])


def test_a_new_workshop_waits_in_its_lobby_with_a_code(workshop):
    assert workshop.phase == Workshop.Phase.LOBBY
    assert len(workshop.code) == 6
    assert not set(workshop.code) & set("0O1IL")
    assert [i.question.qid for i in workshop.items.order_by("position")] == ["ws-17", "ws-02"]


def test_a_taken_code_is_drawn_again(make_workshop):
    first = make_workshop()
    with mock.patch("workshops.codes.new_code", side_effect=[first.code, "ABCDEF"]):
        second = make_workshop()
    assert second.code == "ABCDEF"


@pytest.mark.parametrize(
    ("text", "teams"), [("", []), ("Red, Blue", ["Red", "Blue"]), ("Red\nred\n Blue ", ["Red", "Blue"])]
)
def test_team_names_are_read_from_a_list(text, teams):
    assert services.teams_parse(text) == teams


def test_one_team_or_too_many_are_refused():
    with pytest.raises(services.WorkshopError, match="at least two"):
        services.teams_parse("Solo")
    with pytest.raises(services.WorkshopError, match="At most 12"):
        services.teams_parse(",".join(f"T{i}" for i in range(13)))


# ---- joining


def test_nicknames_are_unique_in_a_workshop_whatever_their_case(workshop, make_workshop):
    join(workshop, "  Ana ")
    with pytest.raises(services.JoinRefused, match="already called ANA"):
        join(workshop, "ANA")
    assert join(make_workshop(), "ana").nickname == "ana"  # another workshop is another room


def test_joining_is_refused_when_locked_or_finished_or_without_a_team(workshop, make_workshop):
    step(workshop, "lock")
    workshop.refresh_from_db()
    with pytest.raises(services.JoinRefused, match="closed this workshop"):
        join(workshop, "late")
    teams = make_workshop(teams=["Red", "Blue"])
    with pytest.raises(services.JoinRefused, match="Choose your team"):
        join(teams, "nobody", team="Green")
    assert join(teams, "red one", team="Red").team == "Red"
    step(teams, "finish")
    teams.refresh_from_db()
    with pytest.raises(services.JoinRefused, match="ended"):
        join(teams, "later", team="Red")


def test_the_token_is_secret_and_finds_its_participant_again(workshop):
    participant, token = services.participant_join(workshop=workshop, nickname="Ana")
    assert participant.token_hash != token
    assert selectors.participant_by_token(code=workshop.code, token=token) == participant
    assert selectors.participant_by_token(code="ZZZZZZ", token=token) is None
    assert selectors.participant_by_token(code=workshop.code, token="forged") is None


# ---- pacing


def test_a_question_opens_closes_reveals_and_the_next_one_follows(workshop):
    one, two = workshop.items.order_by("position")
    version = workshop.state_version
    w = step(workshop, "open", item_id=one.pk)
    assert (w.phase, w.current_id, w.state_version) == ("running", one.pk, version + 1)
    one.refresh_from_db()
    assert one.status == "open"
    w = step(w, "close")
    one.refresh_from_db()
    assert one.status == "closed"
    w = step(w, "reveal")
    one.refresh_from_db()
    assert one.status == "revealed"
    w = step(w, "next")
    assert w.current_id == two.pk
    two.refresh_from_db()
    assert two.status == "pending"
    w = step(w, "open")
    assert w.current_id == two.pk
    w = step(w, "finish")
    two.refresh_from_db()
    assert (w.phase, two.status) == ("finished", "revealed")
    assert w.state_version == version + 6


def test_a_second_click_on_an_old_screen_changes_nothing(workshop):
    version = workshop.state_version
    w = services.workshop_step(workshop=workshop, action="open", version=version)
    with pytest.raises(services.StaleState):
        services.workshop_step(workshop=w, action="open", version=version)
    with pytest.raises(services.StaleState):
        services.workshop_step(workshop=w, action="next", version=version)
    w.refresh_from_db()
    assert w.current_id == first_item(workshop).pk
    assert w.state_version == version + 1


@pytest.mark.parametrize(
    ("setup", "action", "message"),
    [
        ([], "close", "No question is open"),
        ([], "reveal", "Open a question"),
        (["open"], "next", "Close question 1 first"),
        (["open", "close", "reveal"], "reveal", "already revealed"),
        (["open", "close", "reveal", "next", "open", "close", "reveal"], "next", "last question"),
        (["finish"], "open", "has finished"),
    ],
)
def test_steps_that_make_no_sense_now_are_refused(workshop, setup, action, message):
    for s in setup:
        step(workshop, s)
    with pytest.raises(services.StepRefused, match=message):
        step(workshop, action)


def test_a_timer_out_of_range_is_refused(workshop):
    with pytest.raises(services.StepRefused, match="5 to 3600"):
        step(workshop, "open", time_limit=2)


def test_reveal_closes_an_open_question_and_a_closed_one_can_reopen(workshop):
    item = first_item(workshop)
    step(workshop, "open")
    step(workshop, "close")
    w = step(workshop, "open", item_id=item.pk, time_limit=30)
    item.refresh_from_db()
    assert item.status == "open"
    assert w.deadline is not None
    step(workshop, "reveal")
    item.refresh_from_db()
    assert item.closed_at is not None
    assert item.revealed_at is not None


def test_removing_a_participant_takes_them_off_the_board(workshop):
    ana, bo = join(workshop, "Ana"), join(workshop, "Bo")
    step(workshop, "open")
    submit(ana, first_item(workshop))
    submit(bo, first_item(workshop), BAD)
    step(workshop, "reveal")
    ana.refresh_from_db()
    assert ana.rank == 1
    services.participant_remove(workshop=workshop, participant_id=ana.pk)
    ana.refresh_from_db()
    bo.refresh_from_db()
    assert (ana.rank, bo.rank) == (None, 1)
    assert [p.nickname for p in selectors.leaderboard(workshop=workshop)] == ["Bo"]


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
    with mock.patch("workshops.services._queue_record"):
        step(workshop, "reveal")
    assert services.answers_record(workshop_id=workshop.pk) == 1
    assert services.answers_record(workshop_id=workshop.pk) == 0
    assert Attempt.objects.count() == 1


def test_a_participant_who_signs_up_later_gets_the_attempts_in_their_account(workshop):
    ana = join(workshop, "Ana", session_key="s" * 32)
    step(workshop, "open")
    submit(ana, first_item(workshop))
    with mock.patch("workshops.services._queue_record"):
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
