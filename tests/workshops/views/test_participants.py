"""The participants' workshop pages: joining and rejoining, polling, answering, the screens a room shares."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tests.workshops.conftest import GOOD, HTMX, client_for, first_item, join, joined_client, step, submit
from workshops.models import Answer, Participant

pytestmark = pytest.mark.django_db


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


def test_a_removed_participant_is_offered_to_join_again_only_while_joining_is_open(workshop, instructor):
    c = joined_client(workshop, "Ana")
    ana = Participant.objects.get()
    client_for(instructor).post(f"/workshops/{workshop.pk}/participants/{ana.pk}/remove/", **HTMX)
    assert "join again" in c.get(f"/workshops/play/{workshop.code}/").content.decode()
    step(workshop, "lock")
    page = c.get(f"/workshops/play/{workshop.code}/").content.decode()
    assert "join again" not in page
    assert "the workshop takes no new participants now" in page


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


def test_a_seat_kept_after_signing_out_shows_and_sends_none_of_the_accounts_diagrams(make_workshop):
    from django.contrib.auth import get_user_model

    from designer.services import diagram_create
    from tests.workshops.conftest import FAN_OUT, GOOD, client_for
    from workshops.models import Answer

    w = make_workshop(qids=("ws-17",))
    ana_user = get_user_model().objects.create_user("ana-signs-out", password="x" * 16)
    ana = joined_client(w, "Ana", client_for(ana_user))
    private = diagram_create(data={**FAN_OUT, "name": "Private plan"}, user=ana_user, session_key="").diagram
    step(w, "open")
    picker = ana.get(f"/workshops/play/{w.code}/?saved=build-it", headers={"HX-Request": "true"}).content.decode()
    assert "Private plan" in picker  # while Ana is signed in, her diagrams are hers to pick

    ana.post("/accounts/logout/")  # the next person on this browser keeps the seat's cookie
    picker = ana.get(f"/workshops/play/{w.code}/?saved=build-it", headers={"HX-Request": "true"}).content.decode()
    assert "Private plan" not in picker
    ana.post(
        f"/workshops/play/{w.code}/answer/",
        {"item": first_item(w).pk, **GOOD, "part-build-it-saved": str(private.pk)},
    )
    answer = Answer.objects.filter(participant__nickname="Ana").first()
    assert answer is None or "build-it" not in answer.responses
