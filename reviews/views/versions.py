"""Comparing two versions: the page with the marked-up canvas, and the same comparison as JSON."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from designer.access import access
from designer.models import Diagram
from designer.presenters import pattern_names
from reviews import services
from reviews.presenters import diff_canvas

MAX_VERSION = 2**31 - 1  # the largest version number a database integer column holds


def _version_pair(request: HttpRequest, diagram: Diagram) -> tuple[int, int]:
    try:
        new = int(request.GET.get("to") or diagram.head)
        old = int(request.GET.get("from") or max(1, new - 1))
    except ValueError:
        raise Http404("versions are numbers") from None
    if not (0 < old <= MAX_VERSION and 0 < new <= MAX_VERSION):
        raise Http404("no such version")  # and a number no database column holds is no version either
    return old, new


@require_GET
def diff_page(request: HttpRequest, pk: int) -> HttpResponse:
    diagram, role = access(request, pk)
    old, new = _version_pair(request, diagram)
    versions = diagram.versions.only("number", "message", "created_at").order_by("-number")
    context: dict[str, Any] = {"diagram": diagram, "role": role, "versions": versions, "old": old, "new": new}
    try:
        vd = services.version_diff(diagram=diagram, old_number=old, new_number=new)
    except services.ReviewError as exc:
        return render(request, "reviews/diff.html", {**context, "error": str(exc)}, status=400)
    context |= {"vd": vd, "d": vd.diff, "canvas": diff_canvas(vd), "names": pattern_names()}
    return render(request, "reviews/diff.html", context)


@require_GET
def diff_json(request: HttpRequest, pk: int) -> JsonResponse:
    diagram, _ = access(request, pk)
    old, new = _version_pair(request, diagram)
    try:
        vd = services.version_diff(diagram=diagram, old_number=old, new_number=new)
    except services.ReviewError as exc:
        return JsonResponse({"errors": [{"path": "", "message": str(exc)}]}, status=400)
    return JsonResponse({"from": old, "to": new, **vd.diff.to_dict()})
