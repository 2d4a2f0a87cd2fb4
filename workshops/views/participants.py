"""The participants' screens: join with a code, play (poll the state), answer."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import escape
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import reswap, retarget

from quiz.answers import MAX_DIAGRAM_BYTES
from workshops import forms, presenters, selectors, services
from workshops.models import Participant
from workshops.views.common import POLL_MS, fresh

COOKIE_DAYS = 7


def _cookie(code: str) -> str:
    return f"archlab_ws_{code}"


@require_http_methods(["GET", "POST"])
def join(request: HttpRequest) -> HttpResponse:
    """Step 1: the code (also the target of ``?code=`` links)."""
    data = request.POST if request.method == "POST" else (request.GET if "code" in request.GET else None)
    form = forms.CodeForm(data)
    status = 200
    if data is not None:
        status = 400
        if form.is_valid():
            code = form.cleaned_data["code"]
            if selectors.workshop_by_code(code=code) is not None:
                return redirect("workshops:join-code", code)
            form.add_error("code", f"No workshop has the code {code}. Check it on the screen.")
            status = 404
    return render(request, "workshops/join.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def join_code(request: HttpRequest, code: str) -> HttpResponse:
    """Step 2: the nickname (and team). Someone who already joined from this browser goes straight back in."""
    workshop = selectors.workshop_by_code(code=code.upper())
    if workshop is None:
        raise Http404("no such workshop")
    known = selectors.participant_by_token(code=workshop.code, token=request.COOKIES.get(_cookie(workshop.code), ""))
    if known is not None and known.removed_at is None:
        return redirect("workshops:play", workshop.code)
    form = forms.JoinForm(request.POST or None, teams=workshop.teams)
    error = ""
    if request.method == "POST" and form.is_valid():
        if not request.user.is_authenticated and not request.session.session_key:
            request.session.save()  # the browser session owns the review cards of someone without an account
        try:
            _participant, token = services.participant_join(
                workshop=workshop,
                nickname=form.cleaned_data["nickname"],
                team=form.cleaned_data.get("team", ""),
                user=request.user,
                session_key=request.session.session_key or "",
            )
        except services.JoinRefused as exc:
            error = str(exc)
        else:
            response = redirect("workshops:play", workshop.code)
            response.set_cookie(
                _cookie(workshop.code),
                token,
                max_age=COOKIE_DAYS * 86400,
                httponly=True,
                samesite="Lax",
                secure=request.is_secure(),
            )
            return response
    status = 400 if request.method == "POST" else 200
    context = {"workshop": workshop, "form": form, "error": error, "removed": known is not None}
    return render(request, "workshops/join_code.html", context, status=status)


def _participant_or_none(request: HttpRequest, code: str) -> Participant | None:
    return selectors.participant_by_token(code=code.upper(), token=request.COOKIES.get(_cookie(code.upper()), ""))


def _play_context(
    participant: Participant, *, now: datetime | None = None, shared: bool | None = None, **extra: Any
) -> dict[str, Any]:
    """Everything a participant's screen shows. ``shared`` (True: has answered, False: has not) builds the version
    of the screen that everybody in that position shares: nothing of this participant's own goes into it."""
    now = now or timezone.now()
    workshop = participant.workshop
    item = workshop.current
    screen = presenters.screen_of(workshop=workshop, item=item, participant=participant, now=now)
    answer = extra.pop("answer", None)
    if shared is not None:
        answer = True if shared else None  # shared screens only ask whether there is an answer
    elif answer is None and screen in ("open", "wait", "revealed"):
        answer = selectors.answer_of(participant=participant, item=item)
    data = item.question.data if item is not None else {}
    context: dict[str, Any] = {
        "workshop": workshop,
        "me": participant,
        "item": item,
        "data": data,
        "screen": screen,
        "answer": answer,
        "count": workshop.items.count(),
        "poll_ms": POLL_MS,
    }
    if screen == "open":
        raw, problems = extra.pop("raw", None), extra.pop("problems", ())
        remaining = presenters.remaining_ms(workshop, now)
        context["answer_id"] = uuid.uuid4()  # a retry of this very form is recognised; a new form is a new answer
        context["parts"] = presenters.answer_form(data, answer, raw, problems)
        context["problems"] = problems
        context["remaining_ms"] = remaining
        context["remaining_s"] = round(remaining / 1000) if remaining is not None else None
        # Everyone who has not answered sees the same parts: that HTML is rendered once per question and cached.
        context["cacheable"] = answer is None and not problems
    if screen in ("revealed", "finished"):
        context["leaders"] = selectors.leaderboard(workshop=workshop)
        context["people_count"] = selectors.people(workshop=workshop).count()
        context["rank"] = presenters.ordinal(participant.rank)
    if screen == "revealed":
        context["graded"] = presenters.graded(data, answer)
    if screen == "finished":
        context["mine"] = selectors.answers_of(participant=participant)
        context["teams"] = selectors.team_standings(workshop=workshop)
    context.update(extra)
    context["etag"] = selectors.participant_etag(participant=participant, now=now)
    return context


# A question opening or closing changes 300 screens within a second. Those screens are the same for everybody who
# has not answered yet (or, once closed, for everybody who has, and everybody who has not): they are rendered once
# per state version into the cache (Redis when REDIS_URL is set, so every web process shares them) with
# placeholders, and each poll fills in its own ETag, answer id, CSRF token and timer.
SHARED_SCREENS = {"ready", "wait", "open"}
SLOTS = {
    "etag": "@@etag@@",
    "answer_id": "@@answer-id@@",
    # A placeholder where each poll's own CSRF token goes, not a secret.
    "csrf_token": "@@csrf@@",  # nosec B105
    "remaining_ms": "@@remaining-ms@@",
    "remaining_s": "@@remaining-s@@",
}


def _shared_screen(request: HttpRequest, code: str, poll: selectors.ParticipantPoll) -> str | None:
    """The poll's screen from the cache (rendered on a miss), or None when it is this participant's own."""
    if poll.screen not in SHARED_SCREENS or (poll.screen == "open" and poll.answered):
        return None
    # The code too: ids repeat in test databases that roll back, codes are drawn at random.
    key = f"workshops:screen:{poll.workshop_id}:{code}:{poll.version}:{poll.screen}:{int(poll.answered)}"
    html = cache.get(key)
    if html is None:
        participant = _participant_or_none(request, code)
        if participant is None:
            return None
        context = _play_context(participant, shared=poll.answered)
        if (context["screen"], participant.workshop.state_version) != (poll.screen, poll.version):
            return None  # the workshop moved on since the poll: no sharing this time
        context.update({name: slot for name, slot in SLOTS.items() if context.get(name) is not None or name == "etag"})
        context["csrf_token"] = SLOTS["csrf_token"]
        html = render_to_string("workshops/play.html#screen", context, request=request)
        cache.set(key, html, 600)
    remaining = presenters.remaining_ms_until(poll.deadline, timezone.now())
    fills = {
        "etag": escape(poll.etag),
        "answer_id": str(uuid.uuid4()),
        "csrf_token": get_token(request),
        "remaining_ms": str(remaining or 0),
        "remaining_s": str(round((remaining or 0) / 1000)),
    }
    for name, slot in SLOTS.items():
        html = html.replace(slot, fills[name])
    return html


@require_GET
def play(request: HttpRequest, code: str) -> HttpResponse:
    participant = _participant_or_none(request, code)
    if participant is None:
        return redirect("workshops:join-code", code.upper())
    if "saved" in request.GET:  # the design part's picker, fetched when asked for: only this person's diagrams
        visitor = (request.user, request.session.session_key or "")
        saved = list(selectors.saved_diagrams(participant=participant, visitor=visitor)[:30])
        context = {"saved": saved, "part_id": request.GET["saved"][:64]}
        return render(request, "workshops/play.html#saved", context)
    return render(request, "workshops/play.html", _play_context(participant))


@require_GET
def play_state(request: HttpRequest, code: str) -> HttpResponse:
    """The participant's screen, polled: 304 while nothing they see has changed."""
    poll = selectors.participant_poll(code=code.upper(), token=request.COOKIES.get(_cookie(code.upper()), ""))
    if poll is None:
        raise Http404("not a participant of this workshop")
    if request.headers.get("If-None-Match") == poll.etag:
        return fresh(HttpResponseNotModified(), poll.etag)
    shared = _shared_screen(request, code, poll)
    if shared is not None:
        return fresh(HttpResponse(shared), poll.etag)
    participant = _participant_or_none(request, code)
    if participant is None:
        raise Http404("not a participant of this workshop")
    return fresh(render(request, "workshops/play.html#screen", _play_context(participant)), poll.etag)


@require_POST
def play_answer(request: HttpRequest, code: str) -> HttpResponse:
    participant = _participant_or_none(request, code)
    if participant is None:
        raise Http404("not a participant of this workshop")
    item_id = request.POST.get("item", "")
    files = {name: f.read(MAX_DIAGRAM_BYTES + 1) for name, f in request.FILES.items()}
    status, extra = 200, {}
    try:
        submitted = services.answer_submit(
            participant=participant,
            item_id=int(item_id) if item_id.isdigit() else 0,
            data=dict(request.POST.lists()),
            files=files,
            request_id=request.POST.get("answer_id", ""),
            visitor=(request.user, request.session.session_key or ""),
        )
    except services.AnswerRefused as exc:
        status = 409 if exc.reason in ("closed", "removed") else 400
        extra = {"refused": str(exc), "reason": exc.reason}
        if exc.problems:
            extra["problems"] = exc.problems
            extra["raw"] = _raw(request)
    else:
        if request.htmx:  # the form stays as typed; only its foot changes (the receipt and a new answer id)
            receipt = {
                "workshop": participant.workshop,
                "item": submitted.answer.item,
                "answer": submitted.answer,
                "saved_answer": submitted.answer,
                "repeated": submitted.repeated,
                "answer_id": uuid.uuid4(),
            }
            etag = selectors.participant_etag(participant=participant)
            return fresh(render(request, "workshops/play.html#send", receipt), etag)
        extra = {"saved_answer": submitted.answer, "answer": submitted.answer, "repeated": submitted.repeated}
    context = _play_context(participant, **extra)
    if not request.htmx:
        return fresh(render(request, "workshops/play.html", context, status=status), context["etag"])
    # Refused: the whole screen changes (the question closed) or shows the problems beside the parts.
    response = render(request, "workshops/play.html#screen", context, status=status)
    return fresh(reswap(retarget(response, "#screen"), "innerHTML"), context["etag"])


def _raw(request: HttpRequest) -> dict[str, Any]:
    """What the participant typed, to show again beside the problems."""
    raw: dict[str, Any] = {}
    for key, values in request.POST.lists():
        if key.startswith("part-") and not key.endswith(("-saved", "-file")):
            raw[key[5:]] = values if len(values) > 1 else values[0]
    return raw
