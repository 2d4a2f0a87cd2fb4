"""What every review view shares: the visitor's role on the diagram (404 without one, 403 when too weak)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from designer import services as designer
from designer.models import Diagram
from designer.views import LINK_TOKENS


def session_key(request: HttpRequest) -> str:
    """The browser session's key, creating the session if needed (anonymous owners and guests are sessions)."""
    if not request.session.session_key:
        request.session.save()
    return request.session.session_key or ""


def access(request: HttpRequest, pk: int, need: str = "viewer") -> tuple[Diagram, str]:
    """The diagram and the visitor's role (secret links remembered in the session count): 404 without a role,
    403 when the role is below ``need``."""
    try:
        return designer.diagram_get_for(
            pk=pk,
            user=request.user,
            session_key=session_key(request),
            need=need,
            link_tokens=request.session.get(LINK_TOKENS, []),
        )
    except designer.Forbidden as exc:
        raise PermissionDenied(str(exc)) from None


def can(role: str, need: str) -> bool:
    return designer.ROLE_RANK[role] >= designer.ROLE_RANK[need]


def first_error(form: Any) -> str:
    """A form's first error as one line, for the message shown beside the form."""
    field, errors = next(iter(form.errors.items()))
    return f"{field}: {errors[0]}" if field != "__all__" else str(errors[0])
