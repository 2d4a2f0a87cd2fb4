"""Comparing two versions of a diagram, with their finished estimates."""

from __future__ import annotations

from dataclasses import dataclass

from config.errors import NotFound
from designer.domain.diagram import DiagramError, parse
from designer.domain.diff import Diff, diff
from designer.domain.validate import validate
from designer.models import Diagram, DiagramVersion, Estimate
from reviews.services.common import ReviewError


@dataclass(frozen=True)
class VersionDiff:
    old: DiagramVersion
    new: DiagramVersion
    diff: Diff
    old_estimate: Estimate | None
    new_estimate: Estimate | None


def estimate_done(*, version: DiagramVersion) -> Estimate | None:
    """The most recent finished estimate of the version (any traffic profile), or None."""
    return Estimate.objects.filter(version=version, status=Estimate.Status.DONE).order_by("-updated_at").first()


def cost_usd(estimate: Estimate | None) -> float | None:
    value = (estimate.result or {}).get("monthly_cost_usd") if estimate else None
    return float(value) if isinstance(value, int | float) else None


def version_diff(*, diagram: Diagram, old_number: int, new_number: int) -> VersionDiff:
    """Compare two versions (404 for a version that does not exist). Both are validated again with today's rules,
    so a finding counts as fixed or introduced only because the design changed. Raises ReviewError when a version
    can no longer be read."""
    versions = {v.number: v for v in diagram.versions.filter(number__in=[old_number, new_number])}
    if old_number not in versions or new_number not in versions:
        raise NotFound("no such version")
    old, new = versions[old_number], versions[new_number]
    try:
        old_parsed, new_parsed = parse(old.data), parse(new.data)
    except DiagramError as exc:
        raise ReviewError(f"A version can no longer be read: {exc}") from None
    old_estimate, new_estimate = estimate_done(version=old), estimate_done(version=new)
    result = diff(
        old_parsed,
        new_parsed,
        validate(old_parsed),
        validate(new_parsed),
        old_cost_usd=cost_usd(old_estimate),
        new_cost_usd=cost_usd(new_estimate),
    )
    return VersionDiff(old, new, result, old_estimate, new_estimate)
