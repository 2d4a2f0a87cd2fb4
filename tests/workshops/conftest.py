"""Factories for workshop tests: a loaded bank, an instructor, workshops, participants and their answers."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from quiz.models import Bank, Question
from quiz.services import content_load
from workshops import services
from workshops.models import Workshop

ROOT = Path(__file__).resolve().parents[2]
FAN_OUT = json.loads((ROOT / "designer" / "data" / "starters" / "fan-out.json").read_text())
HTMX = {"HTTP_HX_REQUEST": "true"}
EXPLAIN = (
    "SNS is pub/sub and pushes every message to all subscribers. SQS is a queue that consumers poll, "
    "and each message is processed by one consumer."
)
# ws-17 answered well (everything right but some concepts) and badly.
GOOD = {
    "part-choose-service": "sns-sqs",
    "part-retention": "14",
    "part-facts": ["push", "pull"],
    "part-explain": EXPLAIN,
}
BAD = {"part-choose-service": "sqs-only"}


@pytest.fixture
def loaded(db):
    return content_load()


@pytest.fixture
def instructor(db):
    return get_user_model().objects.create_user("teacher")


@pytest.fixture
def make_workshop(loaded, instructor):
    def make(qids=("ws-17", "ws-02"), **options) -> Workshop:
        bank = Bank.objects.get(slug="workshop")
        questions = [Question.objects.get(qid=q) for q in qids]
        return services.workshop_create(instructor=instructor, bank=bank, questions=questions, **options)

    return make


@pytest.fixture
def workshop(make_workshop):
    return make_workshop()


def join(workshop: Workshop, nickname: str, **kwargs):
    participant, _token = services.participant_join(
        workshop=workshop, nickname=nickname, session_key=kwargs.pop("session_key", uuid.uuid4().hex), **kwargs
    )
    return participant


def step(workshop: Workshop, action: str, **kwargs) -> Workshop:
    workshop.refresh_from_db()
    return services.workshop_step(workshop=workshop, action=action, version=workshop.state_version, **kwargs)


def first_item(workshop: Workshop):
    return workshop.items.order_by("position").first()


def submit(participant, item, data=None, **kwargs):
    participant.refresh_from_db()
    form = {k: v if isinstance(v, list) else [v] for k, v in (data or GOOD).items()}
    return services.answer_submit(participant=participant, item_id=item.pk, data=form, **kwargs)


def client_for(user=None) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def joined_client(workshop: Workshop, nickname: str, client: Client | None = None) -> Client:
    c = client or Client()
    response = c.post(f"/workshops/join/{workshop.code}/", {"nickname": nickname})
    assert response.status_code == 302, response.content.decode()[:500]
    return c


@pytest.fixture(autouse=True)
def eager_tasks():
    """Recording runs in a Celery worker in production; here it runs in-process even when a broker is set."""
    from config.celery import app

    before = app.conf.task_always_eager
    app.conf.update(task_always_eager=True)
    yield
    app.conf.update(task_always_eager=before)
