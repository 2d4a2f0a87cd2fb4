"""The workshop pages answer a room with a fixed number of queries, whatever its size (no N+1)."""

import csv
import io

import pytest
from django.test import Client

from tests.workshops.conftest import GOOD, client_for, first_item, join, joined_client, step, submit
from workshops import selectors
from workshops.models import Answer, Participant

pytestmark = pytest.mark.django_db


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
