"""Review requests: the editor's review box, lists, requesting, the checklist, decisions, reports."""

from __future__ import annotations

import base64

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from config.errors import NotFound
from designer import services as designer
from designer.access import access
from designer.domain.render import RenderError
from designer.models import Diagram
from designer.presenters import pattern_names
from reviews import services
from reviews.forms import DecisionForm, ItemForm, ReviewRequestForm
from reviews.models import Review
from reviews.presenters import review_markdown
from reviews.views.common import can, first_error


@require_GET
def review_panel(request: HttpRequest, pk: int) -> HttpResponse:
    """The editor's review box: the latest reviews and their status, and what the visitor may do."""
    diagram, role = access(request, pk)
    context = {
        "diagram": diagram,
        "role": role,
        "reviews": services.reviews_of(diagram=diagram)[:3],
        "can_request": can(role, "editor") and request.user.is_authenticated,
        "is_owner": role == "owner",
    }
    return render(request, "reviews/list.html#panel", context)


@require_GET
def review_list(request: HttpRequest, pk: int) -> HttpResponse:
    diagram, role = access(request, pk)
    context = {
        "diagram": diagram,
        "role": role,
        "reviews": services.reviews_of(diagram=diagram),
        "can_request": can(role, "editor") and request.user.is_authenticated,
        "is_owner": role == "owner",
    }
    return render(request, "reviews/list.html", context)


@require_http_methods(["GET", "POST"])
def review_new(request: HttpRequest, pk: int) -> HttpResponse:
    diagram, role = access(request, pk, "editor")
    candidates = list(services.review_candidates(diagram=diagram, requester=request.user))
    form = ReviewRequestForm(request.POST or None, candidates=candidates, initial={"version": diagram.head})
    error = ""
    if request.method == "POST":
        try:
            if not form.is_valid():
                raise services.ReviewError(first_error(form))
            review = services.review_request(
                diagram=diagram,
                version_number=form.cleaned_data["version"],
                requested_by=request.user,
                reviewer_ids=form.cleaned_data["reviewers"],
                note=form.cleaned_data["note"],
                site_url=request.build_absolute_uri("/"),
            )
            return redirect("reviews:review", pk=pk, review_id=review.pk)
        except services.ReviewError as exc:
            error = str(exc)
    versions = diagram.versions.only("number", "message", "created_at").order_by("-number")
    context = {
        "diagram": diagram,
        "role": role,
        "candidates": candidates,
        "versions": versions,
        "form": form,
        "error": error,
        "chosen_version": int(form["version"].value() or diagram.head),
        "chosen_reviewers": {int(x) for x in request.POST.getlist("reviewers") if x.isdigit()},
    }
    return render(request, "reviews/new.html", context, status=400 if error else 200)


CHOICES = {
    "finding_choices": [("open", "Open"), ("accepted", "Accept"), ("fixed", "Fixed"), ("waived", "Waive")],
    "question_choices": [
        ("open", "Open"),
        ("addressed", "Addressed"),
        ("concern", "Concern"),
        ("not_applicable", "Not applicable"),
    ],
}


def _review_page(
    request: HttpRequest, diagram: Diagram, role: str, review: Review, *, error: str = "", status: int = 200
) -> HttpResponse:
    report = services.review_report(review=review)
    me = request.user if request.user.is_authenticated else None
    context = {
        "diagram": diagram,
        "role": role,
        "review": review,
        "report": report,
        "names": pattern_names(),
        "me_reviewer": next((r for r in report.reviewers if me and r.user_id == me.pk), None),
        "can_fill": not review.is_closed and services.review_participant(review, request.user, role),
        "can_withdraw": not review.is_closed
        and (role == "owner" or (me is not None and review.requested_by_id == me.pk)),
        "current_keys": services.latest_finding_keys(diagram=diagram),
        "head": diagram.head,
        "error": error,
        **CHOICES,
    }
    return render(request, "reviews/review.html", context, status=status)


@require_GET
def review_detail(request: HttpRequest, pk: int, review_id: int) -> HttpResponse:
    diagram, role = access(request, pk)
    return _review_page(request, diagram, role, services.review_get(diagram=diagram, review_id=review_id))


@require_POST
def review_item(request: HttpRequest, pk: int, review_id: int, item_id: int) -> HttpResponse:
    """Decide one checklist line; htmx gets the line back (and the summary, out of band)."""
    diagram, role = access(request, pk, "commenter")
    review = services.review_get(diagram=diagram, review_id=review_id)
    form = ItemForm(request.POST)
    error = ""
    try:
        if not form.is_valid():
            raise services.ReviewError(first_error(form))
        services.review_item_set(
            review=review,
            item_id=item_id,
            status=form.cleaned_data["status"],
            reason=form.cleaned_data["reason"],
            user=request.user,
            role=role,
        )
    except services.NotAllowed as exc:
        raise PermissionDenied(str(exc)) from None
    except services.ReviewError as exc:
        error = str(exc)
    if not request.htmx:
        if error:
            return _review_page(request, diagram, role, review, error=error, status=400)
        return redirect(f"{reverse('reviews:review', args=[pk, review_id])}#item-{item_id}")
    item = review.items.select_related("decided_by").filter(pk=item_id).first()
    if item is None:
        raise NotFound("no such checklist item")
    context = {
        "diagram": diagram,
        "review": review,
        "item": item,
        "item_error": error,
        # a refused choice stays chosen, with what was typed, to be completed rather than redone
        "chosen": request.POST.get("status", "") if error else "",
        "typed_reason": request.POST.get("reason", "") if error else "",
        "can_fill": True,
        "report": {"tally": services.review_tally(review=review), "version": review.version},
        "current_keys": services.latest_finding_keys(diagram=diagram),
        "head": diagram.head,
        **CHOICES,
    }
    return render(request, "reviews/review.html#item-response", context)


@require_POST
def review_decide(request: HttpRequest, pk: int, review_id: int) -> HttpResponse:
    diagram, role = access(request, pk, "commenter")
    review = services.review_get(diagram=diagram, review_id=review_id)
    form = DecisionForm(request.POST)
    try:
        if not form.is_valid():
            raise services.ReviewError(first_error(form))
        services.review_decide(
            review=review,
            user=request.user,
            decision=form.cleaned_data["decision"],
            note=form.cleaned_data["note"],
            site_url=request.build_absolute_uri("/"),
        )
    except services.NotAllowed as exc:
        raise PermissionDenied(str(exc)) from None
    except services.ReviewError as exc:
        return _review_page(request, diagram, role, review, error=str(exc), status=400)
    return redirect("reviews:review", pk=pk, review_id=review_id)


@require_POST
def review_withdraw(request: HttpRequest, pk: int, review_id: int) -> HttpResponse:
    diagram, role = access(request, pk, "editor")
    review = services.review_get(diagram=diagram, review_id=review_id)
    try:
        services.review_withdraw(review=review, user=request.user, role=role)
    except services.NotAllowed as exc:
        raise PermissionDenied(str(exc)) from None
    except services.ReviewError as exc:
        return _review_page(request, diagram, role, review, error=str(exc), status=400)
    return redirect("reviews:review", pk=pk, review_id=review_id)


@require_GET
def review_report_md(request: HttpRequest, pk: int, review_id: int) -> HttpResponse:
    diagram, _ = access(request, pk)
    review = services.review_get(diagram=diagram, review_id=review_id)
    report = services.review_report(review=review)
    text = review_markdown(
        report,
        image_url=request.build_absolute_uri(reverse("designer:version-image", args=[pk, report.version.number])),
        review_url=request.build_absolute_uri(reverse("reviews:review", args=[pk, review_id])),
    )
    response = HttpResponse(text, content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="review-{pk}-{review_id}-v{report.version.number}.md"'
    return response


@require_GET
def review_report_html(request: HttpRequest, pk: int, review_id: int) -> HttpResponse:
    """A printable page of the review, with the diagram embedded as an image (an <img>, so nothing in it runs)."""
    diagram, role = access(request, pk)
    review = services.review_get(diagram=diagram, review_id=review_id)
    report = services.review_report(review=review)
    try:
        svg, _ = designer.diagram_export(version=report.version, fmt="svg")
        image = "data:image/svg+xml;base64," + base64.b64encode(svg).decode()
    except RenderError:
        image = ""
    context = {"diagram": diagram, "role": role, "review": review, "report": report, "image": image}
    return render(request, "reviews/report.html", context)


@login_required
@require_GET
def my_reviews(request: HttpRequest) -> HttpResponse:
    waiting, requested = services.reviews_for_user(user=request.user)
    return render(request, "reviews/mine.html", {"waiting": waiting, "requested": requested})
