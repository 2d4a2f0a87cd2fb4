"""An estimate whose message or worker was lost is queued again when someone looks at it, never left "running"."""

from datetime import timedelta

import pytest
from django.utils import timezone

from designer import services
from designer.models import Estimate
from designer.services import estimates
from designer.starters import starter_data

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("celery_eager")]


@pytest.fixture
def saved():
    return services.diagram_create(data=starter_data("sync"), user=None, session_key="s" * 32)


def _estimate(version, status: str, *, seconds_ago: float) -> Estimate:
    estimate = Estimate.objects.create(
        version=version, profile_key=services.profile_key({}), profile={}, status=status, attempts=1
    )
    Estimate.objects.filter(pk=estimate.pk).update(updated_at=timezone.now() - timedelta(seconds=seconds_ago))
    return estimate


@pytest.mark.parametrize("status", ["queued", "running"])
def test_a_stalled_estimate_is_queued_again_when_polled(saved, settings, status):
    settings.ESTIMATE_STALE_S = 60
    estimate = _estimate(saved.version, status, seconds_ago=61)
    polled = services.estimate_poll(diagram=saved.diagram, estimate_id=estimate.pk)
    assert polled.status == "done"  # queued again; the eager worker computed it
    assert polled.attempts == 2
    assert polled.result["monthly_cost_usd"] >= 0
    assert Estimate.objects.count() == 1


@pytest.mark.parametrize("status", ["queued", "running"])
def test_an_estimate_making_progress_is_left_to_its_worker(saved, settings, status):
    settings.ESTIMATE_STALE_S = 60
    estimate = _estimate(saved.version, status, seconds_ago=30)
    polled = services.estimate_poll(diagram=saved.diagram, estimate_id=estimate.pk)
    assert (polled.status, polled.attempts) == (status, 1)


def test_starting_again_reuses_a_running_estimate_but_requeues_a_stalled_one(saved, settings):
    settings.ESTIMATE_STALE_S = 60
    estimate = _estimate(saved.version, "running", seconds_ago=10)
    assert services.estimate_start(version=saved.version, profile={}).status == "running"
    Estimate.objects.filter(pk=estimate.pk).update(updated_at=timezone.now() - timedelta(seconds=90))
    again = services.estimate_start(version=saved.version, profile={})
    assert (again.pk, again.status, again.attempts) == (estimate.pk, "done", 2)


def test_a_stalled_estimate_with_no_broker_says_so(saved, settings, monkeypatch):
    settings.ESTIMATE_STALE_S = 60
    estimate = _estimate(saved.version, "running", seconds_ago=300)

    def no_broker(estimate_id):
        raise ConnectionRefusedError("redis is down")

    monkeypatch.setattr(estimates, "_RUNNERS", [no_broker])
    polled = services.estimate_poll(diagram=saved.diagram, estimate_id=estimate.pk)
    assert polled.status == "failed"
    assert polled.error == "no task broker reachable (ConnectionRefusedError)"


def test_the_page_and_the_api_poll_through_the_same_recovery(settings, client):
    settings.ESTIMATE_STALE_S = 60
    client.post("/designer/new/", {"starter": "sync"})
    diagram = services.Diagram.objects.get()
    version = services.diagram_latest(diagram=diagram)
    stalled = _estimate(version, "running", seconds_ago=61)
    page = client.get(f"/designer/{diagram.pk}/estimates/{stalled.pk}/", HTTP_HX_REQUEST="true")
    assert page.status_code == 286  # done: htmx stops polling
    assert b"a month" in page.content
    Estimate.objects.all().delete()
    stalled = _estimate(version, "queued", seconds_ago=61)
    api = client.get(f"/api/diagrams/{diagram.pk}/estimates/{stalled.pk}/")
    assert api.status_code == 200
    assert api.json()["status"] == "done"


def test_without_a_registered_runner_the_estimate_fails_with_the_reason(saved, monkeypatch):
    monkeypatch.setattr(estimates, "_RUNNERS", [])
    with pytest.raises(services.BrokerUnavailable):
        services.estimate_start(version=saved.version, profile={})
    assert Estimate.objects.get().error == "no task broker reachable (BrokerUnavailable)"
