"""Estimates through the service layer, computed by a real Celery worker over Redis, stored in PostgreSQL."""

from pathlib import Path

import pytest
from django.test import Client

from designer import services
from designer.models import Diagram, Estimate
from tests.integration.conftest import reset_broker_connections, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]


def diagram_from_starter(name: str) -> Diagram:
    client = Client()
    client.post("/designer/new/", {"starter": name})
    return Diagram.objects.latest("pk")


def test_a_queued_estimate_is_computed_by_the_worker_and_stored(worker_factory):
    worker = worker_factory()
    worker.start()
    diagram = diagram_from_starter("stream-ingestion")
    estimate = services.estimate_start(version=services.diagram_latest(diagram=diagram))
    done = wait_for(lambda: Estimate.objects.filter(pk=estimate.pk, status="done").first(), 60, "the estimate")
    assert done.result["format"] == "archlab/estimate@1"
    assert done.result["monthly_cost_usd"] > 0
    again = services.estimate_start(version=services.diagram_latest(diagram=diagram))
    assert again.pk == estimate.pk  # the same version and profile reuse the stored result
    assert Estimate.objects.count() == 1


def _killed_mid_task(worker_factory, **env: str) -> tuple[Diagram, Estimate]:
    """A slow estimate started by a worker that is then killed; a second worker is running."""
    slow = {"ESTIMATE_SAMPLES": "5000000", **env}
    first = worker_factory(**slow)
    first.start()
    diagram = diagram_from_starter("stream-ingestion")
    estimate = services.estimate_start(version=services.diagram_latest(diagram=diagram))
    wait_for(lambda: Estimate.objects.filter(pk=estimate.pk, status="running").exists(), 60, "the task to start")
    first.kill()
    assert Estimate.objects.get(pk=estimate.pk).status == "running"
    worker_factory(**slow).start()
    return diagram, estimate


def _stored_once(diagram: Diagram, estimate: Estimate) -> None:
    stored = Estimate.objects.get(pk=estimate.pk)
    assert stored.status == "done"
    assert stored.attempts >= 2  # a slow machine may stall again: queued once more, still stored once
    assert stored.result["monthly_cost_usd"] > 0
    assert Estimate.objects.filter(version__diagram=diagram).count() == 1


def test_a_worker_killed_mid_task_leaves_the_estimate_to_the_next_worker(worker_factory):
    diagram, estimate = _killed_mid_task(worker_factory)  # the workers' visibility timeout is 4 s
    wait_for(lambda: Estimate.objects.filter(pk=estimate.pk, status="done").first(), 120, "the redelivered task")
    _stored_once(diagram, estimate)


def test_with_the_production_visibility_timeout_a_poll_requeues_what_a_killed_worker_left(worker_factory, settings):
    """Redis would hand the killed worker's task to another worker only after an hour; a look at the estimate
    after ESTIMATE_STALE_S without progress queues it again at once."""
    settings.ESTIMATE_STALE_S = 3
    diagram, estimate = _killed_mid_task(worker_factory, CELERY_VISIBILITY_TIMEOUT="3600")
    assert services.estimate_poll(diagram=diagram, estimate_id=estimate.pk).status == "running"  # not stale yet
    wait_for(
        lambda: services.estimate_poll(diagram=diagram, estimate_id=estimate.pk).status == "done", 120, "the requeue"
    )
    _stored_once(diagram, estimate)


def test_without_a_reachable_broker_the_page_offers_to_compute_in_process(client):
    from config.celery import app

    before = {"broker_url": app.conf.broker_url, "task_always_eager": app.conf.task_always_eager}
    app.conf.update(broker_url="redis://127.0.0.1:1/0", task_always_eager=False)  # nothing listens on port 1
    reset_broker_connections()
    try:
        client.post("/designer/new/", {"starter": "sync"})
        diagram = Diagram.objects.latest("pk")
        response = client.post(f"/designer/{diagram.pk}/estimate", HTTP_HX_REQUEST="true")
        assert response.status_code == 200
        assert b"none can be reached right now" in response.content
        estimate = Estimate.objects.get()
        response = client.post(f"/designer/{diagram.pk}/estimates/{estimate.pk}/compute", HTTP_HX_REQUEST="true")
        assert b"a month" in response.content
        assert Estimate.objects.get().status == "done"
    finally:
        app.conf.update(**before)
        reset_broker_connections()
