"""The workshop pages: who may see and do what, joining and rejoining, polling, answering, results and exports."""

import csv
import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tests.workshops.conftest import GOOD, HTMX, client_for, first_item, join, joined_client, step, submit
from workshops import selectors
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


# ---- joining


def test_joining_by_code_then_nickname_sets_a_cookie_and_opens_the_play_page(workshop):
    c = Client()
    assert c.get("/workshops/join/").status_code == 200
    response = c.post("/workshops/join/", {"code": workshop.code.lower()})
    assert response["Location"] == f"/workshops/join/{workshop.code}/"
    assert c.get(f"/workshops/join/?code={workshop.code}").status_code == 302
    response = c.post(f"/workshops/join/{workshop.code}/", {"nickname": " Ana "})
    assert response["Location"] == f"/workshops/play/{workshop.code}/"
    cookie = response.cookies[f"archlab_ws_{workshop.code}"]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    page = c.get(response["Location"]).content.decode()
    assert "You’re in, <strong>Ana</strong>!" in page
    assert Participant.objects.get().session_key == c.session.session_key


def test_an_unknown_or_mistyped_code_is_explained(workshop):
    response = Client().post("/workshops/join/", {"code": "ZZZZZZ"})
    assert response.status_code == 404
    assert "No workshop has the code ZZZZZZ" in response.content.decode()
    response = Client().post("/workshops/join/", {"code": "AB0OI1"})
    assert response.status_code == 400
    assert "never use 0, O, 1, I or L" in response.content.decode()
    assert Client().get("/workshops/join/ZZZZZZ/").status_code == 404


def test_a_taken_nickname_is_refused_whatever_its_case(workshop):
    joined_client(workshop, "Ana")
    response = Client().post(f"/workshops/join/{workshop.code}/", {"nickname": "aNA"})
    assert response.status_code == 400
    assert "Someone here is already called aNA" in response.content.decode()
    response = Client().post(f"/workshops/join/{workshop.code}/", {"nickname": "x" * 25})
    assert "at most 24" in response.content.decode()


def test_rejoining_from_the_same_browser_keeps_identity_and_answers(workshop):
    c = joined_client(workshop, "Ana")
    step(workshop, "open")
    c.post(f"/workshops/play/{workshop.code}/answer/", {"item": first_item(workshop).pk, **GOOD})
    # The phone reloads, loses the network, sleeps: the cookie brings the same participant back.
    assert c.get(f"/workshops/join/{workshop.code}/")["Location"] == f"/workshops/play/{workshop.code}/"
    page = c.get(f"/workshops/play/{workshop.code}/").content.decode()
    assert "Your answer from" in page
    assert 'value="sns-sqs" checked' in page
    assert Participant.objects.count() == 1


def test_the_play_page_without_a_cookie_sends_to_the_join_page(workshop):
    response = Client().get(f"/workshops/play/{workshop.code}/")
    assert response["Location"] == f"/workshops/join/{workshop.code}/"


def test_nicknames_are_escaped_everywhere(workshop, instructor):
    evil = "<img src=x onerror=1>"
    c = joined_client(workshop, evil)
    pages = [
        c.get(f"/workshops/play/{workshop.code}/").content.decode(),
        client_for(instructor).get(f"/workshops/{workshop.pk}/").content.decode(),
        client_for(instructor).get(f"/workshops/{workshop.pk}/present/").content.decode(),
    ]
    step(workshop, "open")
    submit(Participant.objects.get(), first_item(workshop))
    step(workshop, "reveal")
    pages.append(client_for(instructor).get(f"/workshops/{workshop.pk}/results/").content.decode())
    pages.append(c.get(f"/workshops/play/{workshop.code}/").content.decode())
    for page in pages:
        assert evil not in page
        assert "&lt;img src=x onerror=1&gt;" in page


def test_teams_are_chosen_when_joining(make_workshop):
    w = make_workshop(teams=["Red", "Blue"])
    page = Client().get(f"/workshops/join/{w.code}/").content.decode()
    assert "Choose your team" in page
    assert Client().post(f"/workshops/join/{w.code}/", {"nickname": "Ana"}).status_code == 400
    Client().post(f"/workshops/join/{w.code}/", {"nickname": "Ana", "team": "Blue"})
    assert Participant.objects.get().team == "Blue"


def test_a_signed_in_participant_is_noted_for_their_review_queue(workshop):
    user = get_user_model().objects.create_user("learner")
    joined_client(workshop, "Ana", client_for(user))
    assert Participant.objects.get().user == user


# ---- polling


def test_the_participant_poll_answers_304_until_the_instructor_moves(workshop, instructor):
    c = joined_client(workshop, "Ana")
    url = f"/workshops/play/{workshop.code}/state/"
    first = c.get(url)
    assert first.status_code == 200
    assert first["Cache-Control"] == "no-cache, private"
    etag = first["ETag"]
    assert c.get(url, headers={"If-None-Match": etag}).status_code == 304
    client_for(instructor).post(f"/workshops/{workshop.pk}/step/open/", {"version": workshop.state_version})
    changed = c.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert 'name="part-choose-service"' in changed.content.decode()


def test_a_304_poll_costs_one_query_and_no_session(workshop, django_assert_num_queries):
    c = joined_client(workshop, "Ana")
    url = f"/workshops/play/{workshop.code}/state/"
    etag = c.get(url)["ETag"]
    with django_assert_num_queries(1):
        assert c.get(url, headers={"If-None-Match": etag}).status_code == 304


def test_the_poll_of_a_stranger_is_404(workshop):
    assert Client().get(f"/workshops/play/{workshop.code}/state/").status_code == 404


def test_the_instructor_poll_changes_as_answers_arrive(workshop, instructor):
    teacher = client_for(instructor)
    step(workshop, "open")
    url = f"/workshops/{workshop.pk}/live/"
    etag = teacher.get(url)["ETag"]
    assert teacher.get(url, headers={"If-None-Match": etag}).status_code == 304
    submit(join(workshop, "Ana"), first_item(workshop))
    fresh = teacher.get(url, headers={"If-None-Match": etag})
    assert fresh.status_code == 200
    assert "<strong>1</strong> of 1 answered" in fresh.content.decode()


# ---- answering


def test_an_answer_posted_with_htmx_is_confirmed_in_place(workshop):
    c = joined_client(workshop, "Ana")
    step(workshop, "open")
    data = {"item": first_item(workshop).pk, "answer_id": "0b8c3c55-1c6e-4f0e-9a5e-0c6f1f4c6b10", **GOOD}
    response = c.post(f"/workshops/play/{workshop.code}/answer/", data, **HTMX)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Answer received at" in page
    assert "<html" not in page
    again = c.post(f"/workshops/play/{workshop.code}/answer/", data, **HTMX)
    assert "Already received" in again.content.decode()
    assert Answer.objects.get().revisions == 1


def test_a_double_submit_keeps_the_last_answer(workshop):
    c = joined_client(workshop, "Ana")
    step(workshop, "open")
    item = first_item(workshop).pk
    c.post(f"/workshops/play/{workshop.code}/answer/", {"item": item, **GOOD})
    c.post(f"/workshops/play/{workshop.code}/answer/", {"item": item, "part-choose-service": "sns-lambda"})
    answer = Answer.objects.get()
    assert answer.responses == {"choose-service": "sns-lambda"}
    assert answer.revisions == 2


def test_a_late_answer_is_refused_with_a_clear_message(workshop):
    c = joined_client(workshop, "Ana")
    step(workshop, "open")
    step(workshop, "close")
    response = c.post(f"/workshops/play/{workshop.code}/answer/", {"item": first_item(workshop).pk, **GOOD}, **HTMX)
    assert response.status_code == 409
    assert "Too late: question 1 is closed, so this answer was not recorded." in response.content.decode()
    assert not Answer.objects.exists()


def test_an_empty_answer_is_refused_and_nothing_is_stored(workshop):
    c = joined_client(workshop, "Ana")
    step(workshop, "open")
    response = c.post(
        f"/workshops/play/{workshop.code}/answer/",
        {"item": first_item(workshop).pk, "part-explain": "x" * 3, "part-retention": "soon"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Nothing was sent" in page
    assert "Must be a number" in page
    assert ">xxx</textarea>" in page
    assert not Answer.objects.exists()


def test_the_correct_answer_is_not_on_the_participants_screen_before_the_reveal(workshop):
    c = joined_client(workshop, "Ana")
    step(workshop, "open")
    c.post(f"/workshops/play/{workshop.code}/answer/", {"item": first_item(workshop).pk, **GOOD})
    page = c.get(f"/workshops/play/{workshop.code}/").content.decode()
    for secret in ("Correct", "✓ correct", "is-correct", "SNS is publish/subscribe", "/100"):
        assert secret not in page
    step(workshop, "reveal")
    page = c.get(f"/workshops/play/{workshop.code}/").content.decode()
    assert "✓ Correct" in page
    assert "/100" in page
    assert "You are <strong>1st</strong> of 1" in page
    assert "Explanation" in page


def test_participants_never_see_other_answers(workshop):
    ana = joined_client(workshop, "Ana")
    joined_client(workshop, "Bo")
    step(workshop, "open")
    submit(Participant.objects.get(nickname="Bo"), first_item(workshop), {"part-explain": "Bo's secret words"})
    step(workshop, "reveal")
    assert "secret words" not in ana.get(f"/workshops/play/{workshop.code}/").content.decode()


def test_a_removed_participant_is_told_and_can_no_longer_answer(workshop, instructor):
    c = joined_client(workshop, "Ana")
    ana = Participant.objects.get()
    client_for(instructor).post(f"/workshops/{workshop.pk}/participants/{ana.pk}/remove/", **HTMX)
    assert "The instructor removed you" in c.get(f"/workshops/play/{workshop.code}/").content.decode()
    step(workshop, "open")
    response = c.post(f"/workshops/play/{workshop.code}/answer/", {"item": first_item(workshop).pk, **GOOD})
    assert response.status_code == 409


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


# ---- no N+1 queries


def _crowd(workshop, n):
    for i in range(n):
        p = join(workshop, f"p{i}")
        submit(p, first_item(workshop))


@pytest.mark.parametrize("page", ["", "live/", "present/", "results/", "results.csv", "answers.csv"])
def test_instructor_pages_cost_the_same_queries_for_3_or_30_people(
    workshop, instructor, page, django_assert_max_num_queries
):
    teacher = client_for(instructor)
    step(workshop, "open")
    _crowd(workshop, 3)
    step(workshop, "reveal")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert teacher.get(f"/workshops/{workshop.pk}/{page}").status_code == 200
    Answer.objects.all().delete()
    Participant.objects.all().delete()
    w = selectors.workshop_for_instructor(pk=workshop.pk, user=instructor)
    w.refresh_from_db()
    item = first_item(w)
    item.revealed_at = None
    item.closed_at = None
    item.save()
    _crowd(w, 30)
    step(w, "reveal")
    with django_assert_max_num_queries(len(few)):
        assert teacher.get(f"/workshops/{workshop.pk}/{page}").status_code == 200


def test_the_participant_screen_costs_the_same_queries_for_3_or_30_people(workshop, django_assert_max_num_queries):
    c = joined_client(workshop, "Me")
    step(workshop, "open")
    _crowd(workshop, 3)
    step(workshop, "reveal")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        c.get(f"/workshops/play/{workshop.code}/state/")
    _crowd_more = [join(workshop, f"q{i}") for i in range(27)]
    assert _crowd_more
    with django_assert_max_num_queries(len(few)):
        c.get(f"/workshops/play/{workshop.code}/state/")


def test_a_locked_or_finished_workshop_says_so_on_the_join_page(workshop, instructor):
    step(workshop, "lock")
    page = Client().get(f"/workshops/join/{workshop.code}/").content.decode()
    assert "closed this workshop to new participants" in page
    response = Client().post(f"/workshops/join/{workshop.code}/", {"nickname": "Late"})
    assert response.status_code == 400
    assert not Participant.objects.exists()
    step(workshop, "finish")
    assert "This workshop has ended." in Client().get(f"/workshops/join/{workshop.code}/").content.decode()


def test_answering_needs_the_csrf_token_too(workshop):
    c = Client(enforce_csrf_checks=True)
    c.cookies = joined_client(workshop, "Ana").cookies  # the participant's cookie, without a CSRF token
    step(workshop, "open")
    assert (
        c.post(f"/workshops/play/{workshop.code}/answer/", {"item": first_item(workshop).pk, **GOOD}).status_code == 403
    )
    assert not Answer.objects.exists()


def test_the_answers_export_describes_diagrams_and_keeps_every_part(workshop, instructor):
    import json

    from tests.workshops.conftest import FAN_OUT

    ana = join(workshop, "Ana")
    step(workshop, "open")
    submit(ana, first_item(workshop), {**GOOD, "part-build-it": json.dumps(FAN_OUT)})
    rows = list(
        csv.reader(io.StringIO(client_for(instructor).get(f"/workshops/{workshop.pk}/answers.csv").content.decode()))
    )
    parts = {r[4]: r for r in rows[1:]}
    assert set(parts) == {"choose-service", "retention", "facts", "explain", "build-it"}
    assert parts["build-it"][6] == f"diagram with {len(FAN_OUT['nodes'])} nodes"
    assert parts["facts"][6] == "push pull"


def test_showing_the_next_question_first_gets_everyone_ready(workshop, instructor):
    c = joined_client(workshop, "Ana")
    step(workshop, "open")
    step(workshop, "reveal")
    step(workshop, "next")
    assert "Get ready: answers open in a moment." in c.get(f"/workshops/play/{workshop.code}/").content.decode()
    projector = client_for(instructor).get(f"/workshops/{workshop.pk}/present/").content.decode()
    assert "Question 2 of 2" in projector
    assert "You deployed a Lambda function behind API Gateway" in projector  # the scenario, to read out
    assert "Open question 2" in client_for(instructor).get(f"/workshops/{workshop.pk}/").content.decode()


# ---- the screens a room shares


def _state(client, workshop, etag=""):
    return client.get(f"/workshops/play/{workshop.code}/state/", headers={"If-None-Match": etag} if etag else {})


def test_an_opening_question_is_rendered_once_and_shared_without_anyones_answer(
    workshop, django_assert_max_num_queries
):
    ana, bo, cy = (joined_client(workshop, n) for n in ("Ana", "Bo", "Cy"))
    step(workshop, "open", time_limit=60)
    submit(Participant.objects.get(nickname="Cy"), first_item(workshop), {"part-explain": "Cy's own words"})
    first = _state(ana, workshop)
    with django_assert_max_num_queries(1):  # the poll's one query; the screen comes from the cache
        second = _state(bo, workshop)
    a, b = first.content.decode(), second.content.decode()
    assert first["ETag"] != second["ETag"]
    assert 'name="part-choose-service"' in b
    assert "Cy's own words" not in a + b
    assert " checked" not in a + b
    assert "@@" not in a + b  # every slot filled
    assert f'data-etag="{second["ETag"].replace(chr(34), "&quot;")}"' in b
    assert 'name="csrfmiddlewaretoken" value="' in b
    assert re.search(r'name="answer_id" value="[0-9a-f-]{36}"', b)
    assert re.search(r'data-remaining-ms="\d+"', b)
    own = _state(joined_client(workshop, "Dee"), workshop).content.decode()
    assert own.count('name="answer_id"') == 1
    assert "Cy's own words" not in own


def test_someone_who_answered_gets_their_own_screen_with_their_answer(workshop):
    ana = joined_client(workshop, "Ana")
    joined_client(workshop, "Bo")
    step(workshop, "open")
    ana.post(f"/workshops/play/{workshop.code}/answer/", {"item": first_item(workshop).pk, **GOOD})
    page = _state(ana, workshop).content.decode()
    assert 'value="sns-sqs" checked' in page
    assert "Your answer from" in page


def test_the_closed_screen_is_shared_by_those_who_answered_and_those_who_did_not(workshop):
    ana, bo = joined_client(workshop, "Ana"), joined_client(workshop, "Bo")
    step(workshop, "open")
    ana.post(f"/workshops/play/{workshop.code}/answer/", {"item": first_item(workshop).pk, **GOOD})
    step(workshop, "close")
    assert "✓ Your answer is in." in _state(ana, workshop).content.decode()
    assert "You did not answer this one." in _state(bo, workshop).content.decode()


def test_the_saved_diagram_picker_lists_only_the_participants_own(make_workshop):
    from designer.services import diagram_create
    from tests.workshops.conftest import FAN_OUT

    w = make_workshop(qids=("ws-17",))
    ana = joined_client(w, "Ana")
    mine = diagram_create(data={**FAN_OUT, "name": "Mine"}, user=None, session_key=ana.session.session_key).diagram
    diagram_create(data={**FAN_OUT, "name": "Not mine"}, user=None, session_key="x" * 32)
    step(w, "open")
    page = ana.get(f"/workshops/play/{w.code}/", headers={"HX-Request": "true"}).content.decode()
    assert "Pick one of my saved diagrams" in page
    picker = ana.get(f"/workshops/play/{w.code}/?saved=build-it", headers={"HX-Request": "true"}).content.decode()
    assert f'<option value="{mine.pk}">Mine</option>' in picker
    assert "Not mine" not in picker
    assert 'name="part-build-it-saved"' in picker
