"""The instructor's workshop pages: who may see and do what, creating, the control and presenter screens, results and exports."""

import csv
import io

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tests.workshops.conftest import GOOD, HTMX, client_for, first_item, join, joined_client, step, submit
from workshops.models import Answer, Participant, Workshop

pytestmark = pytest.mark.django_db


def other_user():
    return get_user_model().objects.create_user("someone-else")


# ---- permissions


INSTRUCTOR_PAGES = ["", "live/", "present/", "present/live/", "results/", "results.csv", "answers.csv"]


@pytest.mark.parametrize("page", INSTRUCTOR_PAGES)
def test_only_the_instructor_sees_a_workshops_control_pages(workshop, instructor, page):
    url = f"/workshops/{workshop.pk}/{page}"
    assert client_for(instructor).get(url).status_code == 200
    assert client_for(other_user()).get(url).status_code == 404
    anonymous = Client().get(url)
    assert anonymous.status_code == 302
    assert "/accounts/login/" in anonymous["Location"]


@pytest.mark.parametrize("action", ["open", "close", "reveal", "next", "finish", "lock"])
def test_nobody_else_can_pace_a_workshop(workshop, action):
    version = workshop.state_version
    response = client_for(other_user()).post(f"/workshops/{workshop.pk}/step/{action}/", {"version": version})
    assert response.status_code == 404
    assert Client().post(f"/workshops/{workshop.pk}/step/{action}/").status_code == 302
    workshop.refresh_from_db()
    assert (workshop.state_version, workshop.phase, workshop.join_open) == (version, "lobby", True)


def test_nobody_else_can_remove_a_participant(workshop):
    ana = join(workshop, "Ana")
    response = client_for(other_user()).post(f"/workshops/{workshop.pk}/participants/{ana.pk}/remove/")
    assert response.status_code == 404
    ana.refresh_from_db()
    assert ana.removed_at is None


def test_creating_a_workshop_needs_an_account(loaded):
    assert Client().get("/workshops/new/").status_code == 302


def test_participants_cannot_reach_the_instructor_pages_or_others_answers(workshop):
    c = joined_client(workshop, "Ana")
    assert c.get(f"/workshops/{workshop.pk}/").status_code == 302
    assert c.get(f"/workshops/{workshop.pk}/results.csv").status_code == 302


def test_every_post_needs_the_csrf_token(workshop, instructor):
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(f"/workshops/join/{workshop.code}/", {"nickname": "Ana"}).status_code == 403
    strict.force_login(instructor)
    assert strict.post(f"/workshops/{workshop.pk}/step/open/", {"version": 1}).status_code == 403
    page = strict.get(f"/workshops/{workshop.pk}/").content.decode()
    assert 'name="csrfmiddlewaretoken"' in page
    assert "X-CSRFToken" in page


# ---- creating


def test_the_new_workshop_page_lists_the_bank_and_creates_a_picked_workshop(loaded, instructor):
    c = client_for(instructor)
    page = c.get("/workshops/new/").content.decode()
    assert "ws-17" in page
    assert "EventBridge, SQS and SNS" in page
    assert "Speed bonus" in page
    response = c.post(
        "/workshops/new/",
        {
            "bank": "workshop",
            "mode": "pick",
            "picked": ["ws-17", "ws-08"],
            "time_limit": "60",
            "speed_bonus": "on",
            "teams": "Red, Blue",
            "title": "Friday",
        },
    )
    workshop = Workshop.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/workshops/{workshop.pk}/"
    assert (workshop.title, workshop.speed_bonus, workshop.time_limit, workshop.teams) == (
        "Friday",
        True,
        60,
        ["Red", "Blue"],
    )
    assert [i.question.qid for i in workshop.items.order_by("position")] == ["ws-08", "ws-17"]
    assert workshop.items.first().time_limit == 60


def test_a_workshop_from_one_section(loaded, instructor):
    client_for(instructor).post(
        "/workshops/new/", {"bank": "workshop", "mode": "section", "section": "step-functions-for-workflows"}
    )
    assert Workshop.objects.get().items.count() == 5


def test_a_bad_creation_shows_why(loaded, instructor):
    response = client_for(instructor).post("/workshops/new/", {"bank": "workshop", "mode": "pick", "time_limit": "1"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Tick at least one question." in page
    assert not Workshop.objects.exists()


def test_the_instructors_list_shows_their_workshops_only(workshop, instructor):
    join(workshop, "Ana")
    page = client_for(instructor).get("/workshops/").content.decode()
    assert workshop.code in page
    assert workshop.code not in client_for(other_user()).get("/workshops/").content.decode()


# ---- the instructor's screens


def test_the_control_page_paces_the_workshop_with_htmx(workshop, instructor):
    teacher = client_for(instructor)
    join(workshop, "Ana")
    page = teacher.get(f"/workshops/{workshop.pk}/").content.decode()
    assert "Lobby: 1 participant" in page
    assert "Open question 1" in page
    assert workshop.code in page
    response = teacher.post(
        f"/workshops/{workshop.pk}/step/open/",
        {"version": workshop.state_version, "item": first_item(workshop).pk, "time_limit": "45"},
        **HTMX,
    )
    assert response.status_code == 200
    assert "Close answers" in response.content.decode()
    workshop.refresh_from_db()
    assert workshop.deadline is not None
    stale = teacher.post(f"/workshops/{workshop.pk}/step/open/", {"version": workshop.state_version - 1}, **HTMX)
    assert stale.status_code == 409
    assert "already moved on" in stale.content.decode()


def test_without_htmx_a_step_redirects_back(workshop, instructor):
    response = client_for(instructor).post(f"/workshops/{workshop.pk}/step/open/", {"version": workshop.state_version})
    assert response.status_code == 302
    assert response["Location"] == f"/workshops/{workshop.pk}/"
    refused = client_for(instructor).post(f"/workshops/{workshop.pk}/step/close/", {"version": 99})
    assert refused.status_code == 409


def test_an_unknown_step_is_refused(workshop, instructor):
    response = client_for(instructor).post(
        f"/workshops/{workshop.pk}/step/explode/", {"version": workshop.state_version}
    )
    assert response.status_code == 409


def test_the_presenter_shows_the_code_and_then_the_distribution_and_explanation(workshop, instructor):
    teacher = client_for(instructor)
    for name in ("Ana", "Bo"):
        join(workshop, name)
    lobby = teacher.get(f"/workshops/{workshop.pk}/present/").content.decode()
    assert workshop.code in lobby
    assert "/workshops/join" in lobby
    assert f"/workshops/{workshop.pk}/qr.svg" in lobby
    assert "Ana" in lobby
    step(workshop, "open")
    submit(Participant.objects.get(nickname="Ana"), first_item(workshop))
    during = teacher.get(f"/workshops/{workshop.pk}/present/").content.decode()
    assert "<strong>1</strong> / 2" in during
    assert "SNS is publish/subscribe" not in during
    assert "is-correct" not in during
    step(workshop, "reveal")
    after = teacher.get(f"/workshops/{workshop.pk}/present/").content.decode()
    assert "is-correct" in after
    assert "data-chart=" in after
    assert "SNS is publish/subscribe" in after
    assert "What the room missed most" in after
    assert "Top 10" in after


def test_the_qr_code_is_an_svg_of_the_join_url(workshop, instructor):
    pytest.importorskip("segno")
    response = client_for(instructor).get(f"/workshops/{workshop.pk}/qr.svg")
    assert response["Content-Type"] == "image/svg+xml"
    assert response.content.startswith(b"<svg")


def test_the_gallery_shows_submitted_designs_to_the_instructor(workshop, instructor):
    import json

    from tests.workshops.conftest import FAN_OUT

    ana = join(workshop, "Ana")
    step(workshop, "open")
    submit(ana, first_item(workshop), {**GOOD, "part-build-it": json.dumps(FAN_OUT)})
    teacher = client_for(instructor)
    page = teacher.get(f"/workshops/{workshop.pk}/gallery/{first_item(workshop).pk}/").content.decode()
    assert "Ana" in page
    assert f"/answers/{Answer.objects.get().pk}/build-it.svg" in page
    svg = teacher.get(f"/workshops/{workshop.pk}/answers/{Answer.objects.get().pk}/build-it.svg")
    assert svg.status_code == 200
    assert b"<svg" in svg.content
    assert (
        client_for(other_user()).get(f"/workshops/{workshop.pk}/gallery/{first_item(workshop).pk}/").status_code == 404
    )
    second = workshop.items.order_by("position").last()  # ws-02 has no design part
    assert teacher.get(f"/workshops/{workshop.pk}/gallery/{second.pk}/").status_code == 404


# ---- results and exports


def _finished_workshop(workshop):
    names = ["=cmd|' /C calc'!A0", "+1", "-sum", "@me", "Plain"]
    for name in names:
        join(workshop, name)
    step(workshop, "open")
    for i, p in enumerate(Participant.objects.order_by("pk")):
        submit(
            p,
            first_item(workshop),
            GOOD if i % 2 == 0 else {"part-choose-service": "sqs-only", "part-explain": "=HYPERLINK(1)"},
        )
    step(workshop, "finish")
    return names


def test_the_results_page_has_participants_questions_and_concepts(workshop, instructor):
    _finished_workshop(workshop)
    page = client_for(instructor).get(f"/workshops/{workshop.pk}/results/").content.decode()
    for text in ("Difficulty", "Discrimination", "Concepts the room missed most", "Plain", "ws-17"):
        assert text in page


def test_the_csv_escapes_formulas(workshop, instructor):
    names = _finished_workshop(workshop)
    response = client_for(instructor).get(f"/workshops/{workshop.pk}/results.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:4] == ["rank", "nickname", "team", "points"]
    nicknames = {r[1] for r in rows[1:]}
    assert nicknames == {"'" + n if n[0] in "=+-@" else n for n in names}
    answers = list(
        csv.reader(io.StringIO(client_for(instructor).get(f"/workshops/{workshop.pk}/answers.csv").content.decode()))
    )
    assert answers[0][:7] == ["nickname", "team", "question", "number", "part", "type", "answer"]
    assert "'=HYPERLINK(1)" in {r[6] for r in answers[1:]}
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in answers[1:] for cell in row)


def test_the_finished_screen_sends_participants_to_their_review_queue(workshop):
    c = joined_client(workshop, "Ana")
    step(workshop, "open")
    submit(Participant.objects.get(), first_item(workshop))
    step(workshop, "finish")
    page = c.get(f"/workshops/play/{workshop.code}/").content.decode()
    assert "That’s the workshop" in page
    assert 'href="/quiz/review/"' in page
    assert "You finished <strong>1st</strong>" in page


def test_a_join_landing_while_the_page_is_built_shows_on_the_next_poll(workshop, instructor, monkeypatch):
    """The ETag the page carries is read before the people it lists: a join that commits in between must not be
    counted by the ETag and missing from the list (the screen would then answer 304 with one person short)."""
    import html
    import re

    from workshops import selectors, services

    listed = selectors.people

    def people_then_a_join(*, workshop):
        found = list(listed(workshop=workshop))
        if not any(p.nickname == "Late" for p in found):
            services.participant_join(workshop=workshop, nickname="Late")  # another request, committed meanwhile
        return found

    teacher = client_for(instructor)
    url = f"/workshops/{workshop.pk}/live/"
    with monkeypatch.context() as patch:
        patch.setattr(selectors, "people", people_then_a_join)
        first = teacher.get(url).content.decode()
    assert "Late" not in first
    etag = html.unescape(re.search(r'data-etag="([^"]*)"', first).group(1))
    again = teacher.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 200
    assert "Late" in again.content.decode()
