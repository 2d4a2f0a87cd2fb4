"""Redis down: the designer, the quiz, reviews (request and decision), workshops (answers, a retried answer, reveal
and its recording into review queues) and sign-in keep answering (no 5xx, no hang); estimates say plainly that they
are unavailable; when Redis returns, the worker reconnects by itself and estimates complete.
An estimate queued before the outage completes too: from Redis's append-only file when it has one, else queued
again when the visitor asks again."""

import re
import time

import pytest
from django.contrib.auth import get_user_model

from designer.models import Diagram, Estimate
from quiz.models import Bank, Question
from quiz.services import content_load
from reviews.models import Review
from tests.faults.servers import Browser
from tests.integration.conftest import wait_for
from tests.reviews.factories import share, team
from workshops.models import Answer

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
PASSWORD = "fault-test-passphrase-9"
SLOW = 5.0  # seconds: no answer may wait on the missing Redis for longer (it used to take 20)


def _form_value(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]+)"', html)
    assert match, f"no {name} in the page"
    return match.group(1)


def _everything(web_url: str, pk: int, workshop_code: str, workshop_pk: int, reviewer_id: int) -> dict[str, int]:
    """Walk every app as a visitor and a signed-in instructor would; the status of each request."""
    seen: dict[str, int] = {}
    visitor = Browser(web_url)

    def note(label, answer):
        seen[label] = answer.status
        assert answer.seconds < SLOW, f"{label} took {answer.seconds:.1f} s"

    note("home", visitor.get("/"))
    note("designer new", visitor.post("/designer/new/", form={"name": "During the outage"}))
    note("patterns", visitor.get("/patterns/fan-out/"))
    owner = Browser(web_url)
    note("sign in", owner.post("/accounts/login/", form={"username": "olga", "password": PASSWORD}))
    note("editor", owner.get(f"/designer/{pk}/"))
    version = owner.get(f"/api/diagrams/{pk}/").json()["version"]
    data = owner.get(f"/api/diagrams/{pk}/").json()["data"]
    note("save", owner.post(f"/designer/{pk}/save", body={"data": data, "base_version": version, "message": "x"}))
    note("history", owner.get(f"/designer/{pk}/history"))
    note("export", owner.get(f"/designer/{pk}/export.json"))
    note("comment", owner.post(f"/designer/{pk}/comments/", form={"body": "Still here"}, htmx=True))
    note("comments", owner.get(f"/designer/{pk}/comments/"))
    note("reviews", owner.get(f"/designer/{pk}/reviews/"))
    note("sharing", owner.get(f"/designer/{pk}/sharing/"))
    note("quiz", visitor.get("/quiz/"))
    note("question", visitor.get("/quiz/q/ws-17/"))
    note("answer", visitor.post("/quiz/q/ws-17/", form={"part-choose-service": "sns-sqs"}))
    note("grade api", visitor.post("/api/quiz/questions/ws-17/grade", body={"responses": {"retention": 14}}))
    note("progress", visitor.get("/quiz/progress/"))
    note("workshop join", visitor.post("/workshops/join/", form={"code": workshop_code}))
    note("workshop nickname", visitor.post(f"/workshops/join/{workshop_code}/", form={"nickname": "Outage"}))
    note("workshop play", visitor.get(f"/workshops/play/{workshop_code}/"))
    note("workshop control", owner.get(f"/workshops/{workshop_pk}/"))
    note("workshop open", owner.post(f"/workshops/{workshop_pk}/step/open/", form={"version": "1"}))
    screen = visitor.get(f"/workshops/play/{workshop_code}/")
    answer = {"item": _form_value(screen.text, "item"), "answer_id": _form_value(screen.text, "answer_id")}
    answer.update({"part-choose-service": "sns-sqs", "part-retention": "14"})
    note("workshop answer", visitor.post(f"/workshops/play/{workshop_code}/answer/", form=answer))
    note("workshop answer retried", visitor.post(f"/workshops/play/{workshop_code}/answer/", form=answer))
    # Revealing queues the answers' recording into review queues: with no broker it is done in the request.
    note("workshop reveal", owner.post(f"/workshops/{workshop_pk}/step/reveal/", form={"version": "2"}))
    note("workshop finish", owner.post(f"/workshops/{workshop_pk}/step/finish/", form={"version": "3"}))
    note("workshop results", owner.get(f"/workshops/{workshop_pk}/results/"))
    asked = {"version": str(version + 1), "reviewers": str(reviewer_id), "note": "During the outage"}
    note("review request", owner.post(f"/designer/{pk}/reviews/new", form=asked))
    reviewer = Browser(web_url)
    note("reviewer sign in", reviewer.post("/accounts/login/", form={"username": "rita", "password": PASSWORD}))
    review_id = Review.objects.get(diagram_id=pk).pk
    decided = {"decision": "approved", "note": "Fine"}
    note("review decision", reviewer.post(f"/designer/{pk}/reviews/{review_id}/decide", form=decided))
    return seen


@pytest.fixture
def world():
    from workshops import services as workshops

    content_load()
    owner = get_user_model().objects.create_user("olga", password=PASSWORD)
    reviewer = get_user_model().objects.create_user("rita", password=PASSWORD)
    bank = Bank.objects.get(slug="workshop")
    workshop = workshops.workshop_create(instructor=owner, bank=bank, questions=[Question.objects.get(qid="ws-17")])
    return owner, workshop, reviewer, team("Reviewers", reviewer, owner=owner)


def test_with_redis_down_every_app_answers_and_estimates_say_they_are_unavailable(
    private_redis, web_factory, worker_factory, world
):
    owner, workshop, reviewer, reviewers = world
    redis = private_redis()
    # Loopback is not exempt here: the rate limits count every request in the dead Redis and must let them through.
    web = web_factory(REDIS_URL=redis.url, RATE_LIMIT_EXEMPT_IPS="192.0.2.1")
    worker = worker_factory(REDIS_URL=redis.url)
    worker.start()
    author = Browser(web.url)
    author.post("/accounts/login/", form={"username": "olga", "password": PASSWORD})
    pk = author.new_diagram("fan-out")
    assert author.post(f"/designer/{pk}/estimate", htmx=True).status in (200, 286)
    wait_for(lambda: Estimate.objects.filter(status="done").exists(), 90, "an estimate with Redis up")

    share(Diagram.objects.get(pk=pk), "commenter", reviewers)

    redis.kill()
    seen = _everything(web.url, pk, workshop.code, workshop.pk, reviewer.pk)
    assert {label: s for label, s in seen.items() if s >= 500} == {}
    assert seen["save"] == 200
    assert seen["sign in"] == 302
    assert (seen["workshop answer"], seen["workshop answer retried"]) == (200, 200)
    assert (seen["workshop reveal"], seen["workshop finish"]) == (302, 302)
    (answer,) = Answer.objects.filter(item__workshop=workshop)  # the retry stored nothing more
    assert answer.revisions == 1
    assert answer.recorded_at is not None  # recorded into the participant's review queue without Redis
    assert answer.attempt_id is not None
    assert (seen["review request"], seen["review decision"]) == (302, 302)
    assert Review.objects.get(diagram_id=pk).status == "approved"

    changed = author.get(f"/api/diagrams/{pk}/").json()  # a new version: the estimate is a new one
    page = author.post(f"/designer/{pk}/estimate", htmx=True)
    assert page.status == 200
    assert page.seconds < SLOW
    assert "none can be reached right now" in page.text
    assert "Your diagram is saved" in page.text
    api = author.post(f"/api/diagrams/{pk}/estimates/", body={})
    assert api.status == 503
    assert api.json()["errors"][0]["message"] == "no worker is reachable; estimates are unavailable now"
    pending = Estimate.objects.get(version__number=changed["version"])
    assert pending.status == "failed"
    assert "no task broker reachable" in pending.error

    redis.start()  # the same port: the worker and the web processes reconnect by themselves
    again = author.post(f"/designer/{pk}/estimate", htmx=True)
    assert again.status in (200, 286)
    assert "Estimating version" in again.text or "a month" in again.text
    wait_for(lambda: Estimate.objects.filter(pk=pending.pk, status="done").exists(), 120, "the estimate after Redis")


@pytest.mark.parametrize("persistent", [True, False], ids=["append-only-redis", "redis-without-persistence"])
def test_an_estimate_queued_before_the_outage_completes_after_it(
    private_redis, web_factory, worker_factory, persistent
):
    redis = private_redis(persistent=persistent)
    web = web_factory(REDIS_URL=redis.url)
    author = Browser(web.url)
    pk = author.new_diagram("stream-ingestion")
    queued = author.post(f"/designer/{pk}/estimate", htmx=True)  # no worker yet: it waits in Redis
    assert "Estimating version" in queued.text
    estimate = Estimate.objects.get()
    assert estimate.status == "queued"

    redis.kill()
    status = author.get(f"/designer/{pk}/estimates/{estimate.pk}/", htmx=True)
    assert status.status == 200  # the page keeps polling and says it is queued
    assert "queued" in status.text
    redis.start()
    worker = worker_factory(REDIS_URL=redis.url)
    worker.start()
    if not persistent:
        time.sleep(3)  # the message died with Redis: nothing happens until the visitor asks again
        assert Estimate.objects.get(pk=estimate.pk).status == "queued"
        asked = author.post(f"/designer/{pk}/estimate", htmx=True)
        assert asked.status in (200, 286)
    wait_for(lambda: Estimate.objects.filter(pk=estimate.pk, status="done").exists(), 120, "the queued estimate")
    assert Estimate.objects.count() == 1
