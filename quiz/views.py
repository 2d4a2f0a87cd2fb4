"""Self-study pages: the banks, a question with its answer form and graded feedback, progress, the review queue.

Every page works without JavaScript (plain forms, redirect after a successful post); with htmx the answer form
is swapped for the graded result in place (``question.html#graded``) or re-shown with its errors
(``question.html#answer``).
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods

from quiz import answers, presenters, services
from quiz.models import Attempt, Question


def learner_of(request: HttpRequest, *, create: bool = False) -> services.Learner:
    """The signed-in user, or the browser session (created when ``create``, so an answer always has an owner)."""
    if request.user.is_authenticated:
        return services.Learner(user_id=request.user.pk)
    if create and not request.session.session_key:
        request.session.save()
    return services.Learner(session_key=request.session.session_key or "")


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    learner = learner_of(request)
    progress = services.progress_get(learner=learner)
    context = {
        "progress": progress,
        "banks": progress.banks(),
        "rating_rules": presenters.rating_rules(),
        "grading_rules": presenters.ALL_RULES,
        "total_rule": presenters.TOTAL_RULE,
    }
    return render(request, "quiz/home.html", context)


@require_http_methods(["GET", "POST"])
def question(request: HttpRequest, qid: str) -> HttpResponse:
    item = _question_or_404(qid)
    set_key = request.POST.get("set") or request.GET.get("set") or ""
    if request.method == "GET":
        raw = _retry_values(request, item)
        context = _question_context(item, set_key, raw=raw, learner=learner_of(request))
        return render(request, "quiz/question.html", context)
    learner = learner_of(request, create=True)
    files = {name: f.read(answers.MAX_DIAGRAM_BYTES + 1) for name, f in request.FILES.items()}
    data, refused = dict(request.POST.lists()), []
    try:
        data = services.form_with_saved_diagrams(item.data, data, learner)
    except services.ResponsesInvalid as exc:  # a chosen diagram the learner cannot open
        refused = exc.problems
    form = answers.from_form(item.data, data, files)
    problems = refused + form.problems
    if not problems:
        try:
            attempt = services.attempt_create(question=item, responses=form.responses, learner=learner)
        except services.ResponsesInvalid as exc:
            problems = exc.problems
        else:
            if request.htmx:
                context = _attempt_context(attempt, set_key, due=services.due_count(learner=learner), fresh=True)
                return render(request, "quiz/question.html#graded", context)
            return redirect(_with_set(reverse("quiz:attempt", args=[attempt.pk]), set_key, fresh=True))
    context = _question_context(item, set_key, raw=form.raw, problems=problems, learner=learner)
    # htmx swaps only 2xx answers by default; without htmx the page says 400 and still shows the form.
    if request.htmx:
        return render(request, "quiz/question.html#answer", context)
    return render(request, "quiz/question.html", context, status=400)


@require_GET
def attempt(request: HttpRequest, pk: int) -> HttpResponse:
    learner = learner_of(request)
    try:
        found = services.attempt_get(learner=learner, pk=pk)
    except Attempt.DoesNotExist:
        raise Http404("No such attempt of yours") from None
    fresh = request.GET.get("graded") == "1"  # just submitted: the page may clear the drafts of this question
    context = _attempt_context(found, request.GET.get("set", ""), due=services.due_count(learner=learner), fresh=fresh)
    return render(request, "quiz/attempt.html", context)


@require_GET
def progress(request: HttpRequest) -> HttpResponse:
    data = services.progress_get(learner=learner_of(request))
    return render(request, "quiz/progress.html", {"progress": data, "banks": data.banks()})


@require_GET
def review(request: HttpRequest) -> HttpResponse:
    queue = services.review_queue(learner=learner_of(request))
    return render(request, "quiz/review.html", {"queue": queue, "rating_rules": presenters.rating_rules()})


def _question_or_404(qid: str) -> Question:
    try:
        return services.question_get(qid=qid)
    except Question.DoesNotExist:
        raise Http404(f"No question {qid!r}") from None


def _retry_values(request: HttpRequest, item: Question) -> dict[str, Any]:
    """``?retry=<attempt id>`` fills the form with that attempt's answers (only the learner's own)."""
    retry = request.GET.get("retry", "")
    if not retry.isdigit():
        return {}
    try:
        previous = services.attempt_get(learner=learner_of(request), pk=int(retry))
    except Attempt.DoesNotExist:
        return {}
    return presenters.raw_from_responses(item.data, previous.responses) if previous.question_id == item.pk else {}


def _question_context(
    item: Question, set_key: str, *, raw: Any = None, problems: Any = (), learner: services.Learner | None = None
) -> dict[str, Any]:
    qset = services.question_set(key=set_key, question=item)
    if qset is None or item not in qset.questions:  # a stale or foreign set: walk the question's own section
        qset = services.question_set(key=None, question=item)
    before, after, position = qset.neighbours(item) if qset else (None, None, 0)
    has_design = any(p["type"] == "design" for p in item.data["parts"])
    return {
        "question": item,
        "data": item.data,
        "parts": presenters.form_parts(item.data, raw=raw, problems=problems),
        "errors": presenters.general_errors(item.data, problems),
        "has_problems": bool(problems),
        "has_file": has_design,
        "my_diagrams": services.learner_diagrams(learner=learner) if has_design and learner else [],
        "rules": presenters.grading_rules(item.data),
        "total_rule": presenters.TOTAL_RULE,
        "qset": qset,
        "set_key": set_key,
        "position": position,
        "before": before,
        "after": after,
    }


def _attempt_context(found: Attempt, set_key: str, *, due: int, fresh: bool = False) -> dict[str, Any]:
    item = found.question
    context = _question_context(item, set_key)
    context.update(
        {
            "attempt": found,
            "graded": presenters.graded_parts(item.data, found.grade, found.responses),
            "patterns": presenters.pattern_links(item.data.get("patterns", ())),
            "due": due,
            "fresh": fresh,
        }
    )
    return context


def _with_set(url: str, set_key: str, *, fresh: bool = False) -> str:
    query = {"set": set_key} if set_key else {}
    if fresh:
        query["graded"] = "1"
    return f"{url}?{urlencode(query)}" if query else url
