"""Retries that race the first request, on PostgreSQL with real concurrent connections: each answer stored once."""

import threading
import uuid

import pytest
from django.db import connection

from tests.integration.conftest import services_or_skip
from tests.workshops.conftest import BAD, GOOD, first_item, join, step, submit
from workshops.models import Answer

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
SENDERS = 4


def _at_once(participant, item, data: dict, request_id: str) -> list:
    """The same submission sent by SENDERS threads at the same moment (a flaky network retrying)."""
    barrier = threading.Barrier(SENDERS)
    results: list = []

    def send() -> None:
        try:
            barrier.wait()
            results.append(submit(participant, item, data, request_id=request_id))
        except Exception as exc:  # noqa: BLE001 - collected and asserted on below
            results.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(SENDERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def test_a_first_answer_retried_at_once_is_stored_once(workshop):
    services_or_skip()
    step(workshop, "open")
    item = first_item(workshop)
    for round_ in range(10):
        person = join(workshop, f"p{round_}")
        results = _at_once(person, item, GOOD, str(uuid.uuid4()))
        assert not [r for r in results if isinstance(r, Exception)], results
        assert sorted(r.repeated for r in results) == [False] + [True] * (SENDERS - 1)
        stored = Answer.objects.get(participant=person, item=item)
        assert stored.revisions == 1
        assert {r.answer.pk for r in results} == {stored.pk}


def test_a_changed_answer_retried_at_once_replaces_the_old_one_once(workshop):
    services_or_skip()
    step(workshop, "open")
    item = first_item(workshop)
    for round_ in range(10):
        person = join(workshop, f"q{round_}")
        submit(person, item, BAD, request_id=str(uuid.uuid4()))
        results = _at_once(person, item, GOOD, str(uuid.uuid4()))
        assert not [r for r in results if isinstance(r, Exception)], results
        assert sorted(r.repeated for r in results) == [False] + [True] * (SENDERS - 1)
        stored = Answer.objects.get(participant=person, item=item)
        assert stored.revisions == 2
        assert stored.responses["choose-service"] == "sns-sqs"


def test_the_same_form_sent_again_with_a_changed_answer_is_not_dropped(workshop):
    """A response lost on the way back, then the participant changes their mind in the same form (same id)."""
    step(workshop, "open")
    item = first_item(workshop)
    person = join(workshop, "r")
    request_id = str(uuid.uuid4())
    assert not submit(person, item, BAD, request_id=request_id).repeated
    again = submit(person, item, GOOD, request_id=request_id)
    assert not again.repeated
    assert Answer.objects.get(participant=person, item=item).responses["choose-service"] == "sns-sqs"
