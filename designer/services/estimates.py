"""Estimates of a diagram version under a traffic profile: queued to a Celery worker (or computed in the request for
small diagrams when no broker is reachable), polled, and re-queued when their message or worker was lost."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import InterfaceError, OperationalError, transaction
from django.utils import timezone

from config.errors import NotFound
from designer.domain.diagram import parse
from designer.models import Diagram, DiagramVersion, Estimate

__all__ = [
    "IN_PROCESS_MAX_NODES",
    "BrokerUnavailable",
    "estimate_compute",
    "estimate_get",
    "estimate_poll",
    "estimate_profile",
    "estimate_start",
    "profile_key",
    "register_runner",
]

_RUNNERS: list[Callable[[int], None]] = []

IN_PROCESS_MAX_NODES = 40  # without a broker, diagrams up to this size may be estimated within the request


class BrokerUnavailable(Exception):
    """No Celery broker could take the task."""


def profile_key(profile: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(profile, sort_keys=True).encode()).hexdigest()


def estimate_profile(*, version: DiagramVersion, profile: dict[str, Any] | None) -> dict[str, Any]:
    """The profile to use: the one given, else the diagram's own, else an empty one (catalog defaults)."""
    if profile is not None:
        return profile
    return dict(version.data.get("traffic") or {"format": "archlab/traffic@1", "entries": {}})


def estimate_start(*, version: DiagramVersion, profile: dict[str, Any] | None = None) -> Estimate:
    """Find or queue the estimate of ``version`` under ``profile``; a finished or running one is reused, a queued,
    failed or stalled one (running without progress for ESTIMATE_STALE_S) is queued again.

    The task is queued after the transaction commits. Raises BrokerUnavailable when no broker takes it (the
    estimate row stays, marked failed, so it can be computed in-process or queued again).
    """
    chosen = estimate_profile(version=version, profile=profile)
    with transaction.atomic():
        estimate, created = Estimate.objects.select_for_update().get_or_create(
            version=version, profile_key=profile_key(chosen), defaults={"profile": chosen}
        )
        # A queued one is queued again: its message may have been lost with the broker (a Redis restarted without
        # persistence); a second message for it is harmless, estimate_compute returns a finished estimate as it is.
        if not created and (estimate.status == Estimate.Status.DONE or _running(estimate)):
            return estimate
        estimate.status, estimate.progress, estimate.error = Estimate.Status.QUEUED, 0, ""
        estimate.save(update_fields=["status", "progress", "error", "updated_at"])
    if failure := _queue_or_fail(estimate.pk):
        raise BrokerUnavailable(str(failure)) from failure
    estimate.refresh_from_db()
    return estimate


def _stalled(estimate: Estimate) -> bool:
    """Queued or running, and not heard from for ESTIMATE_STALE_S: its message or its worker is taken to be lost."""
    return estimate.status in (
        Estimate.Status.QUEUED,
        Estimate.Status.RUNNING,
    ) and estimate.updated_at <= timezone.now() - timedelta(seconds=settings.ESTIMATE_STALE_S)


def _running(estimate: Estimate) -> bool:
    return estimate.status == Estimate.Status.RUNNING and not _stalled(estimate)


def register_runner(runner: Callable[[int], None]) -> None:
    """How an estimate is queued: ``runner(estimate_id)`` hands it to a worker (the designer app registers its Celery
    task when it starts, so that this module needs no import of the task that calls it)."""
    _RUNNERS[:] = [runner]


def _queue(estimate_id: int) -> None:
    if not _RUNNERS:
        raise BrokerUnavailable("no estimate runner is registered")
    _RUNNERS[0](estimate_id)


def _queue_or_fail(estimate_id: int) -> Exception | None:
    """Queue the estimate; when no broker takes it, mark it failed with why and return the broker's error."""
    try:
        _queue(estimate_id)
    except Exception as exc:  # noqa: BLE001 - any broker failure means "not queued"
        Estimate.objects.filter(pk=estimate_id).update(
            status=Estimate.Status.FAILED, error=f"no task broker reachable ({type(exc).__name__})"
        )
        return exc
    return None


def estimate_compute(*, estimate_id: int) -> Estimate:
    """Run the estimate (idempotent: a finished one is returned as it is). Progress is written as it goes."""
    from designer.domain.estimate import estimate as run_estimate
    from designer.domain.traffic import parse_traffic

    estimate = Estimate.objects.select_related("version").get(pk=estimate_id)
    if estimate.status == Estimate.Status.DONE:
        return estimate
    Estimate.objects.filter(pk=estimate_id).update(
        status=Estimate.Status.RUNNING, progress=10, attempts=estimate.attempts + 1, updated_at=timezone.now()
    )
    parsed = parse(estimate.version.data)
    profile, problems = parse_traffic(estimate.profile, {n.id for n in parsed.nodes})
    if problems:
        message = "; ".join(f"{path}: {msg}" for path, msg in problems)
        Estimate.objects.filter(pk=estimate_id).update(status=Estimate.Status.FAILED, error=message[:2000])
        estimate.refresh_from_db()
        return estimate
    Estimate.objects.filter(pk=estimate_id).update(progress=30, updated_at=timezone.now())
    try:
        report = run_estimate(parsed, profile, samples=settings.ESTIMATE_SAMPLES)
    except (OperationalError, InterfaceError):
        raise  # the database went away: the task retries
    except Exception as exc:  # noqa: BLE001 - a model failure is stored and shown, never left "running"
        message = f"the estimator failed: {type(exc).__name__}: {str(exc)[:500]}"
        Estimate.objects.filter(pk=estimate_id).update(status=Estimate.Status.FAILED, error=message)
        estimate.refresh_from_db()
        return estimate
    Estimate.objects.filter(pk=estimate_id).update(
        status=Estimate.Status.DONE, progress=100, result=report.to_dict(), error=""
    )
    estimate.refresh_from_db()
    return estimate


def estimate_get(*, diagram: Diagram, estimate_id: int) -> Estimate:
    estimate = Estimate.objects.filter(pk=estimate_id, version__diagram=diagram).select_related("version").first()
    if estimate is None:
        raise NotFound("no such estimate")
    return estimate


def estimate_poll(*, diagram: Diagram, estimate_id: int) -> Estimate:
    """The estimate, as :func:`estimate_get`; one queued or running without progress for ESTIMATE_STALE_S is queued
    again first (its message or its worker was lost). Of several polls at once, one queues it."""
    estimate = estimate_get(diagram=diagram, estimate_id=estimate_id)
    if not _stalled(estimate):
        return estimate
    claimed = Estimate.objects.filter(pk=estimate.pk, status=estimate.status, updated_at=estimate.updated_at).update(
        status=Estimate.Status.QUEUED, updated_at=timezone.now()
    )
    if claimed:
        _queue_or_fail(estimate.pk)
    estimate.refresh_from_db()
    return estimate
