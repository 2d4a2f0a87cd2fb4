"""Who may do what to a diagram, read from the request: the owner, a team share or a remembered secret link."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from designer import services

LINK_TOKENS = "share_tokens"  # session key holding the secret-link tokens this browser has opened


def session_key(request: HttpRequest) -> str:
    """The browser session's key, creating the session if needed (anonymous owners and guests are sessions)."""
    if not request.session.session_key:
        request.session.save()
    return request.session.session_key or ""


def access(request: HttpRequest, pk: int, need: str = "viewer") -> tuple[services.Diagram, str]:
    """The diagram and the visitor's role: 404 without a role, 403 when the role is below ``need``."""
    try:
        return services.diagram_get_for(
            pk=pk,
            user=request.user,
            session_key=session_key(request),
            need=need,
            link_tokens=request.session.get(LINK_TOKENS, []),
        )
    except services.Forbidden as exc:
        raise PermissionDenied(str(exc)) from None
