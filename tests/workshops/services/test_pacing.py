"""Pacing a workshop: opening, closing, revealing, next, finish, lock, through the services."""

import pytest

from tests.workshops.conftest import BAD, first_item, join, step, submit
from workshops import selectors, services

pytestmark = pytest.mark.django_db


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
