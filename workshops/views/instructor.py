"""The instructor's screens: create, control, present, step, remove, gallery, results and their CSV files."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from workshops import forms, presenters, selectors, services
from workshops.models import Workshop, WorkshopQuestion
from workshops.views.common import POLL_MS, fresh


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "workshops/home.html", {"workshops": selectors.workshops_of(user=request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    banks = selectors.banks()
    slug = request.POST.get("bank") or request.GET.get("bank") or "workshop"
    bank = next((b for b in banks if b.slug == slug), banks[0] if banks else None)
    if bank is None:
        raise Http404("no question bank is loaded (manage.py load_content)")
    questions = selectors.bank_questions(bank=bank)
    form = forms.WorkshopForm(request.POST or None, questions=questions)
    error = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            chosen = services.questions_choose(
                bank=bank, mode=data["mode"], section=data["section"], picked=data["picked"]
            )
            workshop = services.workshop_create(
                instructor=request.user,
                bank=bank,
                questions=chosen,
                title=data["title"],
                speed_bonus=data["speed_bonus"],
                time_limit=data["time_limit"],
                teams=services.teams_parse(data["teams"]),
            )
        except services.WorkshopError as exc:
            error = str(exc)
        else:
            return redirect("workshops:control", workshop.pk)
    context = {"form": form, "banks": banks, "bank": bank, "questions": questions, "error": error}
    return render(request, "workshops/new.html", context, status=400 if request.method == "POST" else 200)


def _instructor_context(
    request: HttpRequest, workshop: Workshop, *, error: str = "", etag: str | None = None
) -> dict[str, Any]:
    now = timezone.now()
    # The ETag is read before the data it stands for: a join or an answer that lands while the page is built then
    # only makes the next poll fetch the page again, instead of hiding behind an ETag that already counts it.
    etag = etag or selectors.instructor_etag(workshop=workshop, now=now)
    items = selectors.items_of(workshop=workshop)
    current = next((i for i in items if i.pk == workshop.current_id), None)
    people = list(selectors.people(workshop=workshop))
    screen = presenters.screen_of(workshop=workshop, item=current, participant=None, now=now)
    return {
        "workshop": workshop,
        "items": items,
        "current": current,
        "screen": screen,
        "people": people,
        "answered": selectors.answered_count(item=current),
        "tally": selectors.item_tally(item=current) if current and current.opened_at else [],
        "has_design": current is not None and presenters.has_design(current.question.data),
        "leaders": selectors.leaderboard(workshop=workshop),
        "teams": selectors.team_standings(workshop=workshop),
        "next_item": presenters.next_item(items, current),
        "remaining_ms": presenters.remaining_ms(workshop, now) if screen == "open" else None,
        "join_url": request.build_absolute_uri(reverse("workshops:join-code", args=[workshop.code])),
        "etag": etag,
        "poll_ms": POLL_MS,
        "error": error,
    }


@login_required
@require_GET
def control(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = selectors.workshop_for_instructor(pk=pk, user=request.user)
    return render(request, "workshops/control.html", _instructor_context(request, workshop))


@login_required
@require_GET
def control_live(request: HttpRequest, pk: int) -> HttpResponse:
    return _instructor_poll(request, pk, "workshops/control.html#live")


@login_required
@require_GET
def present(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = selectors.workshop_for_instructor(pk=pk, user=request.user)
    return render(request, "workshops/present.html", _presenter_context(request, workshop))


@login_required
@require_GET
def present_live(request: HttpRequest, pk: int) -> HttpResponse:
    return _instructor_poll(request, pk, "workshops/present.html#stage")


def _instructor_poll(request: HttpRequest, pk: int, template: str) -> HttpResponse:
    workshop = selectors.workshop_for_instructor(pk=pk, user=request.user)
    etag = selectors.instructor_etag(workshop=workshop)
    if request.headers.get("If-None-Match") == etag:
        return fresh(HttpResponseNotModified(), etag)
    build = _presenter_context if template.startswith("workshops/present") else _instructor_context
    return fresh(render(request, template, build(request, workshop, etag=etag)), etag)


def _presenter_context(request: HttpRequest, workshop: Workshop, *, etag: str | None = None) -> dict[str, Any]:
    context = _instructor_context(request, workshop, etag=etag)
    current = context["current"]
    if current is not None:
        data = current.question.data
        context["parts"] = presenters.projector_parts(data)
        context["data"] = data
    context["missed"] = [c for part in context["tally"] for c in part.missed[:3]][:4]
    return context


@login_required
@require_POST
def step(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    workshop = selectors.workshop_for_instructor(pk=pk, user=request.user)
    form = forms.OpenForm(request.POST)
    error, status = "", 200
    if not form.is_valid():
        error, status = "The timer runs from 5 to 3600 seconds.", 400
    else:
        data = form.cleaned_data
        try:
            workshop = services.workshop_step(
                workshop=workshop,
                action=action,
                version=data["version"],
                item_id=data["item"],
                time_limit=data["time_limit"],
            )
        except services.StepRefused as exc:
            error, status = str(exc), 409
            workshop = selectors.workshop_for_instructor(pk=pk, user=request.user)
    if not request.htmx:
        if error:
            context = _instructor_context(request, workshop, error=error)
            return render(request, "workshops/control.html", context, status=status)
        return redirect("workshops:control", workshop.pk)
    context = _instructor_context(request, workshop, error=error)
    return fresh(render(request, "workshops/control.html#live", context, status=status), context["etag"])


@login_required
@require_POST
def remove(request: HttpRequest, pk: int, participant_id: int) -> HttpResponse:
    workshop = selectors.workshop_for_instructor(pk=pk, user=request.user)
    services.participant_remove(workshop=workshop, participant_id=participant_id)
    if not request.htmx:
        return redirect("workshops:control", workshop.pk)
    context = _instructor_context(request, workshop)
    return fresh(render(request, "workshops/control.html#live", context), context["etag"])


@login_required
@require_GET
def qr(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = selectors.workshop_for_instructor(pk=pk, user=request.user)
    svg = presenters.qr_svg(request.build_absolute_uri(reverse("workshops:join-code", args=[workshop.code])))
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["Cache-Control"] = "private, max-age=86400"
    return response


@login_required
@require_GET
def gallery(request: HttpRequest, pk: int, item_id: int) -> HttpResponse:
    workshop = selectors.workshop_for_instructor(pk=pk, user=request.user)
    item = get_object_or_404(WorkshopQuestion.objects.select_related("question"), pk=item_id, workshop=workshop)
    data = item.question.data
    if not presenters.has_design(data):
        raise Http404("this question has no design part")
    submissions = selectors.design_submissions(item=item)
    cards = [
        {"answer": a, "parts": [g for g in presenters.graded(data, a) if g["type"] == "design"]} for a in submissions
    ]
    tallies = [t for t in selectors.item_tally(item=item) if t.type == "design"]
    for t in tallies:
        for unmet in t.unmet:
            unmet["explain"] = presenters.requirement_text(unmet["id"])
    context = {"workshop": workshop, "item": item, "cards": cards, "tallies": tallies}
    return render(request, "workshops/gallery.html", context)


@login_required
@require_GET
def design_svg(request: HttpRequest, pk: int, answer_id: int, part: str) -> HttpResponse:
    workshop = selectors.workshop_for_instructor(pk=pk, user=request.user)
    answer = selectors.design_answer(workshop=workshop, answer_id=answer_id)
    svg = presenters.diagram_svg(answer.responses.get(part))
    if svg is None:
        raise Http404("no picture of this answer")
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["Cache-Control"] = "private, max-age=300"
    return response


@login_required
@require_GET
def results(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = selectors.workshop_for_instructor(pk=pk, user=request.user)
    found = selectors.results(workshop=workshop)
    return render(request, "workshops/results.html", {"workshop": workshop, "results": found})


@login_required
@require_GET
def results_csv(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = selectors.workshop_for_instructor(pk=pk, user=request.user)
    text = presenters.results_csv(selectors.results(workshop=workshop))
    return _download(text, f"workshop-{workshop.code}-results.csv")


@login_required
@require_GET
def answers_csv(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = selectors.workshop_for_instructor(pk=pk, user=request.user)
    text = presenters.answers_csv(selectors.answers_all(workshop=workshop))
    return _download(text, f"workshop-{workshop.code}-answers.csv")


def _download(text: str, filename: str) -> HttpResponse:
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
