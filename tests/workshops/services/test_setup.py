"""Creating a workshop and joining it, through the services."""

from unittest import mock

import pytest

from quiz.models import Bank
from tests.workshops.conftest import join, step
from workshops import selectors, services
from workshops.models import Workshop

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
