"""Sharing page for a diagram's owner: team shares and secret links, each with a role; revoking."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from accounts.services import teams_of
from designer import services as designer
from designer.access import access
from designer.models import Diagram
from reviews import services
from reviews.forms import ShareLinkForm, ShareTeamForm
from reviews.views.common import first_error


def _sharing_page(request: HttpRequest, diagram: Diagram, *, error: str = "", status: int = 200) -> HttpResponse:
    context = {
        "diagram": diagram,
        "shares": services.shares_of(diagram=diagram),
        "teams": teams_of(user=request.user),
        "roles": designer.Share.Role.choices,
        "error": error,
        "new": request.GET.get("new", ""),
    }
    return render(request, "reviews/sharing.html", context, status=status)


@require_GET
def sharing(request: HttpRequest, pk: int) -> HttpResponse:
    diagram, _ = access(request, pk, "owner")
    return _sharing_page(request, diagram)


@require_POST
def share_team(request: HttpRequest, pk: int) -> HttpResponse:
    diagram, _ = access(request, pk, "owner")
    form = ShareTeamForm(request.POST)
    try:
        if not form.is_valid():
            raise services.ReviewError(first_error(form))
        share = services.share_team_create(
            diagram=diagram, team_id=form.cleaned_data["team"], role=form.cleaned_data["role"], user=request.user
        )
    except services.ReviewError as exc:
        return _sharing_page(request, diagram, error=str(exc), status=400)
    return redirect(f"{reverse('reviews:sharing', args=[pk])}?new={share.pk}")


@require_POST
def share_link(request: HttpRequest, pk: int) -> HttpResponse:
    diagram, _ = access(request, pk, "owner")
    form = ShareLinkForm(request.POST)
    if not form.is_valid():
        return _sharing_page(request, diagram, error=first_error(form), status=400)
    share = services.share_link_create(diagram=diagram, role=form.cleaned_data["role"], user=request.user)
    return redirect(f"{reverse('reviews:sharing', args=[pk])}?new={share.pk}")


@require_POST
def share_revoke(request: HttpRequest, pk: int, share_id: int) -> HttpResponse:
    diagram, _ = access(request, pk, "owner")
    services.share_revoke(diagram=diagram, share_id=share_id)
    return redirect("reviews:sharing", pk=pk)
