"""Comments: the panel (an htmx fragment in the editor, a page without JavaScript), posting, resolving, deleting."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from designer import services as designer
from designer.access import access, session_key
from designer.models import Diagram
from reviews import services
from reviews.forms import CommentForm
from reviews.views.common import can, first_error


def _comments(
    request: HttpRequest, diagram: Diagram, role: str, *, element: str, error: str = "", status: int = 200
) -> HttpResponse:
    """The comments panel (a fragment for htmx, a page otherwise), on one element or on everything."""
    threads = services.comment_threads(diagram=diagram, element_id=element or None)
    latest = designer.diagram_latest(diagram=diagram)
    key = session_key(request)
    mine = {
        c.pk
        for t in threads
        for c in [t.root, *t.replies]
        if role == "owner" or services.comment_is_authors(c, user=request.user, session_key=key)
    }
    context = {
        "diagram": diagram,
        "role": role,
        "can_comment": can(role, "commenter"),
        "element": element,
        "target": services.version_element(latest.data, element) if element else None,
        "gone_label": next((t.label for t in threads if t.state == "removed"), element),
        "open_threads": [t for t in threads if t.open],
        "resolved_threads": [t for t in threads if not t.open],
        "deletable": mine,
        "head": latest.number,
        "error": error,
    }
    if request.htmx:
        return render(request, "reviews/comments.html#panel", context)  # htmx swaps 200s only
    return render(request, "reviews/comments.html", context, status=status)


def _after_comment(request: HttpRequest, diagram: Diagram, role: str) -> HttpResponse:
    panel = request.POST.get("panel", "")[:64]
    if request.htmx:
        return _comments(request, diagram, role, element=panel)
    url = reverse("reviews:comments", args=[diagram.pk])
    return redirect(f"{url}?element={panel}" if panel else url)


@require_http_methods(["GET", "POST"])
def comments(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the threads (``?element=<id>`` for one node or edge). POST: a new comment or a reply."""
    if request.method == "GET":
        diagram, role = access(request, pk)
        return _comments(request, diagram, role, element=request.GET.get("element", "")[:64])
    diagram, role = access(request, pk, "commenter")
    form = CommentForm(request.POST)
    try:
        if not form.is_valid():
            raise services.ReviewError(first_error(form))
        services.comment_create(
            diagram=diagram,
            user=request.user,
            session_key=session_key(request),
            body=form.cleaned_data["body"],
            element_id=form.cleaned_data["element"],
            version_number=form.cleaned_data["version"],
            parent_id=form.cleaned_data["parent"],
        )
    except services.ReviewError as exc:
        panel = request.POST.get("panel", "")[:64]
        return _comments(request, diagram, role, element=panel, error=str(exc), status=400)
    return _after_comment(request, diagram, role)


@require_GET
def comment_counts(request: HttpRequest, pk: int) -> JsonResponse:
    """Threads per element id, for the markers on the canvas."""
    diagram, _ = access(request, pk)
    return JsonResponse({"counts": services.comment_counts(diagram=diagram)})


@require_POST
def comment_resolve(request: HttpRequest, pk: int, comment_id: int) -> HttpResponse:
    diagram, role = access(request, pk, "commenter")
    comment = services.comment_get(diagram=diagram, comment_id=comment_id)
    services.comment_resolve(comment=comment, user=request.user, resolved=True)
    return _after_comment(request, diagram, role)


@require_POST
def comment_reopen(request: HttpRequest, pk: int, comment_id: int) -> HttpResponse:
    diagram, role = access(request, pk, "commenter")
    comment = services.comment_get(diagram=diagram, comment_id=comment_id)
    services.comment_resolve(comment=comment, user=request.user, resolved=False)
    return _after_comment(request, diagram, role)


@require_POST
def comment_delete(request: HttpRequest, pk: int, comment_id: int) -> HttpResponse:
    diagram, role = access(request, pk, "commenter")
    comment = services.comment_get(diagram=diagram, comment_id=comment_id)
    try:
        services.comment_delete(comment=comment, user=request.user, session_key=session_key(request), role=role)
    except services.NotAllowed as exc:
        raise PermissionDenied(str(exc)) from None
    return _after_comment(request, diagram, role)
