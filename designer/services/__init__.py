"""Designer use cases: create, save a version (with a stale-version check), restore, find, claim."""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import QuerySet

from config.errors import NotFound
from designer.domain import render
from designer.domain.diagram import Diagram as DomainDiagram
from designer.domain.diagram import DiagramError, Problem, loads, parse
from designer.domain.iac import to_sam
from designer.domain.report import Report
from designer.domain.validate import validate
from designer.models import Diagram, DiagramVersion, Estimate, Share
from designer.services.estimates import IN_PROCESS_MAX_NODES as IN_PROCESS_MAX_NODES
from designer.services.estimates import BrokerUnavailable as BrokerUnavailable
from designer.services.estimates import estimate_compute as estimate_compute
from designer.services.estimates import estimate_get as estimate_get
from designer.services.estimates import estimate_poll as estimate_poll
from designer.services.estimates import estimate_profile as estimate_profile
from designer.services.estimates import estimate_start as estimate_start
from designer.services.estimates import profile_key as profile_key
from designer.services.imports import is_diagram_file, template_import
from designer.starters import starter_data

__all__ = ["Diagram", "Estimate", "Problem", "Saved", "StaleVersion"]


class StaleVersion(Exception):
    """The save was based on a version that is no longer the latest."""

    def __init__(self, current: int) -> None:
        self.current = current
        super().__init__(f"the diagram is at version {current}")


@dataclass(frozen=True)
class Saved:
    diagram: Diagram
    version: DiagramVersion
    parsed: DomainDiagram
    report: Report


def _user(user: Any) -> AbstractBaseUser | None:
    return user if user is not None and user.is_authenticated else None


def _badges(report: Report) -> list[dict[str, Any]]:
    return [{"id": m.id, "complete": m.complete, "missing": list(m.missing[:2])} for m in report.patterns]


def diagram_import(*, files: Sequence[tuple[str, bytes]], user: Any, session_key: str) -> Saved:
    """Create a diagram from uploaded files (name, bytes): a diagram JSON, or AWS SAM / CloudFormation templates
    with the files beside them, or a zip archive of them (``imports.template_import``)."""
    if not files:
        raise DiagramError([Problem("file", "choose a diagram JSON file, a template or a zip archive to import")])
    if is_diagram_file(files):
        return diagram_create(data=loads(files[0][1]), user=user, session_key=session_key, message="imported")
    imported = template_import(files=files)
    return diagram_create(
        data=imported.diagram.to_dict(), user=user, session_key=session_key, message="imported template"
    )


def diagram_create(*, data: dict[str, Any], user: Any, session_key: str, message: str = "created") -> Saved:
    """Parse ``data`` (raises DiagramError, nothing saved) and store it as version 1 of a new diagram."""
    parsed = parse(data)
    report = validate(parsed)
    owner = _user(user)
    with transaction.atomic():
        diagram = Diagram.objects.create(
            owner=owner,
            session_key="" if owner else session_key,
            name=parsed.name,
            head=1,
            patterns=_badges(report),
        )
        version = DiagramVersion.objects.create(
            diagram=diagram, number=1, data=parsed.to_dict(), report=report.to_dict(), author=owner, message=message
        )
    return Saved(diagram, version, parsed, report)


def diagram_save_version(
    *, diagram: Diagram, data: dict[str, Any], base_version: int, user: Any, message: str = ""
) -> Saved:
    """Store ``data`` as the next version, unless ``base_version`` is stale (raises StaleVersion).

    The diagram row is locked while the version is written, so two concurrent saves on the same base cannot
    both win. A diagram identical to the latest version is not stored again.
    """
    parsed = parse(data)
    report = validate(parsed)
    normalised = parsed.to_dict()
    with transaction.atomic():
        locked = Diagram.objects.select_for_update().get(pk=diagram.pk)
        if base_version != locked.head:
            raise StaleVersion(locked.head)
        latest = locked.versions.filter(number=locked.head).first()
        if latest is not None and _same(latest.data, normalised) and not message:
            return Saved(locked, latest, parsed, report)
        version = DiagramVersion.objects.create(
            diagram=locked,
            number=locked.head + 1,
            data=normalised,
            report=report.to_dict(),
            author=_user(user),
            message=message[:200],
        )
        locked.head = version.number
        locked.name = parsed.name
        locked.patterns = _badges(report)
        locked.save(update_fields=["head", "name", "patterns", "updated_at"])
    return Saved(locked, version, parsed, report)


def diagram_restore(*, diagram: Diagram, number: int, user: Any) -> Saved:
    """Make an old version the latest again, as a new version."""
    old = diagram_version_get(diagram=diagram, number=number)
    return diagram_save_version(
        diagram=diagram, data=old.data, base_version=diagram.head, user=user, message=f"restored version {number}"
    )


def diagram_version_get(*, diagram: Diagram, number: int) -> DiagramVersion:
    try:
        return diagram.versions.get(number=number)
    except DiagramVersion.DoesNotExist:
        raise NotFound("no such version") from None


def diagrams_owned(*, user: Any, session_key: str) -> QuerySet[Diagram]:
    if _user(user):
        return Diagram.objects.filter(owner=user)
    if not session_key:
        return Diagram.objects.none()
    return Diagram.objects.filter(owner=None, session_key=session_key)


# ---- access: owner, or a role through a team share or a secret link ----------------------------------------

ROLE_RANK = {"viewer": 1, "commenter": 2, "editor": 3, "owner": 4}


class Forbidden(Exception):
    """The visitor may see the diagram but not do this to it."""


def diagram_role(*, diagram: Diagram, user: Any, session_key: str, link_tokens: Sequence[str] = ()) -> str | None:
    """The visitor's strongest role on ``diagram``: owner, editor, commenter, viewer, or None."""
    owner = _user(user)
    if (owner and diagram.owner_id == owner.pk) or (
        not owner and diagram.owner_id is None and session_key and diagram.session_key == session_key
    ):
        return "owner"
    live = Share.objects.filter(diagram=diagram, revoked_at__isnull=True)
    roles = list(live.filter(token__in=list(link_tokens)).values_list("role", flat=True)) if link_tokens else []
    if owner:
        roles += live.filter(team__memberships__user=owner).values_list("role", flat=True)
    return max(roles, key=ROLE_RANK.__getitem__, default=None)


def diagram_get_for(
    *, pk: int, user: Any, session_key: str, need: str = "viewer", link_tokens: Sequence[str] = ()
) -> tuple[Diagram, str]:
    """The diagram and the visitor's role. 404 when the visitor has no role (nothing leaks); Forbidden when the
    role is below ``need``."""
    diagram = Diagram.objects.filter(pk=pk).first()
    role = diagram and diagram_role(diagram=diagram, user=user, session_key=session_key, link_tokens=link_tokens)
    if diagram is None or role is None:
        raise NotFound("no such diagram")
    if ROLE_RANK[role] < ROLE_RANK[need]:
        raise Forbidden(f"your role on this diagram is {role}; this needs {need}")
    return diagram, role


def share_for_link(*, token: str) -> Share | None:
    return Share.objects.filter(token=token, revoked_at__isnull=True).first()


def diagrams_shared_with(*, user: Any) -> QuerySet[Diagram]:
    owner = _user(user)
    if not owner:
        return Diagram.objects.none()
    return (
        Diagram.objects.filter(shares__team__memberships__user=owner, shares__revoked_at__isnull=True)
        .exclude(owner=owner)
        .distinct()
    )


def diagram_latest(*, diagram: Diagram) -> DiagramVersion:
    return diagram_version_get(diagram=diagram, number=diagram.head)


def diagram_delete(*, diagram: Diagram) -> None:
    diagram.delete()


def diagrams_claim(*, session_key: str, user: AbstractBaseUser) -> None:
    """Give the diagrams an anonymous session made to the account it signed up or in with."""
    Diagram.objects.filter(owner=None, session_key=session_key).update(owner=user, session_key="")


class UnknownFormat(ValueError):
    pass


EXPORT_TYPES = {
    "json": "application/json",
    "svg": "image/svg+xml",
    "png": "image/png",
    "mmd": "text/plain; charset=utf-8",
    "dot": "text/vnd.graphviz; charset=utf-8",
    "sam": "application/yaml; charset=utf-8",
}


def diagram_export(*, version: DiagramVersion, fmt: str) -> tuple[bytes, str]:
    """The version in an export format: (content, content type). Raises UnknownFormat or RenderError."""
    if fmt not in EXPORT_TYPES:
        raise UnknownFormat(fmt)
    if fmt == "json":
        return json.dumps(version.data, indent=2).encode(), EXPORT_TYPES[fmt]
    parsed = parse(version.data)
    report = validate(parsed)
    if fmt == "svg":
        content = render.to_svg(parsed, report)
    elif fmt == "png":
        content = render.to_png(parsed, report)
    elif fmt == "mmd":
        content = render.to_mermaid(parsed).encode()
    elif fmt == "sam":
        content = to_sam(parsed).encode()
    else:
        content = render.to_dot(parsed, report).encode()
    return content, EXPORT_TYPES[fmt]


@functools.cache
def starter_svg(pattern_id: str) -> bytes:
    data = starter_data(pattern_id)
    if data is None:
        raise UnknownFormat(pattern_id)
    return render.to_svg(parse(data))


def _same(a: Any, b: Any) -> bool:
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)
