"""Celery tasks of workshops: each takes ids and calls one service."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from workshops import services


@shared_task(
    acks_late=True,  # a worker killed mid-task leaves the message for another worker; recording is idempotent
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=5,
)
def workshop_record(workshop_id: int, item_ids: list[int] | None = None) -> int:
    """Turn revealed answers into quiz attempts of their participants (their review queues)."""
    return services.answers_record(workshop_id=workshop_id, item_ids=item_ids)
