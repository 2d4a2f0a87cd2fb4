"""Celery tasks of the designer: each takes an id and calls one service."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from designer.services.estimates import estimate_compute


@shared_task(
    bind=True,
    acks_late=True,  # a worker killed mid-task leaves the message for another worker
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=5,
)
def estimate_run(self, estimate_id: int) -> str:  # type: ignore[no-untyped-def]
    return estimate_compute(estimate_id=estimate_id).status
