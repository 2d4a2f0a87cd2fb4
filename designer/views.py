"""Designer pages: home, my diagrams, the editor and its endpoints, history, exports, the pattern catalog."""

from __future__ import annotations

import re
from typing import Any

from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from designer import services
from designer.access import LINK_TOKENS, access, session_key
from designer.domain.diagram import DiagramError, Problem, loads
from designer.domain.patterns import PATTERN_IDS
from designer.domain.render import RenderError
from designer.domain.rules import load_rules
from designer.presenters import (
    cost_by_node,
    editor_catalog,
    estimate_csv_text,
    findings_by_severity,
    node_labels,
    paths_labelled,
    pattern_by_id,
    pattern_catalog,
    pattern_names,
    rules_teaching,
)
from designer.starters import starter_data

MAX_BODY = 5 * 1024 * 1024


def _diagram(request: HttpRequest, pk: int, need: str = "viewer") -> services.Diagram:
    return access(request, pk, need)[0]


def _errors(exc: DiagramError) -> list[dict[str, str]]:
    return [{"path": p.path, "message": p.message} for p in exc.problems]


UNSTORABLE = re.compile("[\x00\ud800-\udfff]")  # PostgreSQL stores neither NUL nor a lone UTF-16 surrogate


def _unstorable(value: Any) -> bool:
    """Whether decoded JSON holds text that the database cannot store."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str) and UNSTORABLE.search(item):
            return True
        if isinstance(item, dict):
            stack += [*item.keys(), *item.values()]
        elif isinstance(item, list):
            stack += item
    return False


def _json_body(request: HttpRequest) -> Any:
    """The request's JSON body; a form or multipart body (which Django has already read as fields) is refused."""
    if request.content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
        raise DiagramError([Problem("", "send the diagram as JSON (Content-Type: application/json), not as a form")])
    if len(request.body) > MAX_BODY:
        raise DiagramError([])
    return loads(request.body or b"null")


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    context = {
        "type_count": len(editor_catalog()["types"]),
        "pattern_count": len(PATTERN_IDS),
        "rule_count": len(load_rules()),
    }
    return render(request, "home.html", context)


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for the load balancer and docker-compose: the process answers and the database responds."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # noqa: BLE001 - any database failure means "not healthy", reported without details
        return JsonResponse({"status": "unavailable", "database": "down"}, status=503)
    return JsonResponse({"status": "ok"})


@require_http_methods(["GET", "POST"])
def diagram_list(request: HttpRequest) -> HttpResponse:
    """My diagrams; POST imports uploaded files: a diagram JSON file, or AWS SAM / CloudFormation templates with
    the files beside them (state machine definitions, OpenAPI documents, nested stacks), or a zip of their folder."""
    errors: list[dict[str, str]] = []
    if request.method == "POST":
        uploads = request.FILES.getlist("file")
        try:
            total = sum(upload.size or 0 for upload in uploads)
            if total > MAX_BODY:
                raise DiagramError([services.Problem("file", "the files are larger than 5 MB together")])
            files = [(upload.name or "upload", upload.read()) for upload in uploads]
            saved = services.diagram_import(files=files, user=request.user, session_key=session_key(request))
            return redirect("designer:editor", pk=saved.diagram.pk)
        except DiagramError as exc:
            errors = _errors(exc)
    diagrams = services.diagrams_owned(user=request.user, session_key=session_key(request))
    shared = services.diagrams_shared_with(user=request.user)
    context = {"diagrams": diagrams, "shared": shared, "errors": errors, "names": pattern_names()}
    return render(request, "designer/list.html", context, status=400 if errors else 200)


@require_http_methods(["GET", "POST"])
def diagram_new(request: HttpRequest) -> HttpResponse:
    """GET: choose blank or a starter; POST: create it and open the editor."""
    if request.method == "GET":
        return render(request, "designer/new.html", {"patterns": pattern_catalog(), "task": _task(request.GET)})
    starter = request.POST.get("starter", "")
    data = (
        starter_data(starter) if starter else {"name": request.POST.get("name") or "Untitled", "nodes": [], "edges": []}
    )
    if data is None:
        raise Http404("no such starter")
    try:
        saved = services.diagram_create(data=data, user=request.user, session_key=session_key(request))
    except DiagramError as exc:  # a name the form would not send (too long, control characters)
        problems = "; ".join(f"{p['path']}: {p['message']}" for p in _errors(exc))
        return HttpResponse(f"The diagram was not created: {problems}", status=400, content_type="text/plain")
    url = reverse("designer:editor", args=[saved.diagram.pk])
    task = _task(request.POST)
    return redirect(f"{url}?task={task}" if task else url)


TASK_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")


def _task(params: Any) -> str:
    """The quiz question a new diagram answers (``?task=ws-08``): a question id, or nothing."""
    task = str(params.get("task", ""))
    return task if TASK_ID.match(task) else ""


@require_GET
def editor(request: HttpRequest, pk: int) -> HttpResponse:
    diagram, role = access(request, pk)
    latest = services.diagram_latest(diagram=diagram)
    context = {
        "role": role,
        "can_edit": services.ROLE_RANK[role] >= services.ROLE_RANK["editor"],
        "diagram": diagram,
        "version": latest,
        "catalog": editor_catalog(),
        "report": latest.report,
        "groups": findings_by_severity(latest.report),
        "names": pattern_names(),
        "task": _task(request.GET) if role == "owner" else "",
    }
    return render(request, "designer/editor.html", context)


@require_POST
def diagram_save(request: HttpRequest, pk: int) -> JsonResponse:
    """Autosave: ``{"data": diagram, "base_version": n, "message"?}`` -> the new version and findings."""
    diagram = _diagram(request, pk, "editor")
    try:
        body = _json_body(request)
        if not isinstance(body, dict) or not isinstance(body.get("base_version"), int):
            return JsonResponse(
                {"errors": [{"path": "base_version", "message": "is required (a whole number)"}]}, status=400
            )
        saved = services.diagram_save_version(
            diagram=diagram,
            data=body.get("data"),
            base_version=body["base_version"],
            user=request.user,
            message=str(body.get("message") or ""),
        )
    except DiagramError as exc:
        return JsonResponse({"errors": _errors(exc) or [{"path": "", "message": "the body is too large"}]}, status=400)
    except services.StaleVersion as exc:
        return JsonResponse(
            {"errors": [{"path": "base_version", "message": str(exc)}], "current_version": exc.current}, status=409
        )
    report = saved.version.report
    fragment = render(
        request,
        "designer/editor.html#findings",
        {"report": report, "groups": findings_by_severity(report), "names": pattern_names(), "diagram": saved.diagram},
    ).content.decode()
    return JsonResponse({"version": saved.version.number, "report": report, "findings_html": fragment})


@require_POST
def diagram_copy(request: HttpRequest, pk: int) -> JsonResponse:
    """Keep a copy: store the editor's data as a new diagram (used after a 409)."""
    _diagram(request, pk, "viewer")
    try:
        data = _json_body(request)
        if isinstance(data, dict):
            data = {**data, "name": f"{data.get('name') or 'Untitled'} (copy)"[:200]}
        saved = services.diagram_create(data=data, user=request.user, session_key=session_key(request), message="copy")
    except DiagramError as exc:
        return JsonResponse({"errors": _errors(exc)}, status=400)
    return JsonResponse({"url": reverse("designer:editor", args=[saved.diagram.pk])}, status=201)


@require_GET
def diagram_history(request: HttpRequest, pk: int) -> HttpResponse:
    diagram = _diagram(request, pk, "viewer")
    versions = diagram.versions.select_related("author").only(
        "number", "message", "created_at", "author__username", "diagram_id"
    )
    named_only = request.GET.get("named") == "1"
    if named_only:
        versions = versions.exclude(message="")
    context = {"diagram": diagram, "versions": versions, "named_only": named_only}
    return render(request, "designer/history.html", context)


@require_GET
def version_data(request: HttpRequest, pk: int, number: int) -> JsonResponse:
    version = services.diagram_version_get(diagram=_diagram(request, pk, "viewer"), number=number)
    return JsonResponse({"number": version.number, "data": version.data, "report": version.report})


@require_POST
def version_restore(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    diagram = _diagram(request, pk, "editor")
    services.diagram_restore(diagram=diagram, number=number, user=request.user)
    return redirect("designer:editor", pk=pk)


@require_POST
def diagram_delete(request: HttpRequest, pk: int) -> HttpResponse:
    services.diagram_delete(diagram=_diagram(request, pk, "owner"))
    return redirect("designer:diagram-list")


@require_GET
def diagram_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    diagram = _diagram(request, pk, "viewer")
    version = services.diagram_latest(diagram=diagram)
    try:
        content, content_type = services.diagram_export(version=version, fmt=fmt)
    except services.UnknownFormat:
        raise Http404("unknown export format") from None
    except RenderError as exc:
        return HttpResponse(f"The image could not be drawn: {exc}", status=503, content_type="text/plain")
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="diagram-{pk}-v{version.number}{FILE_ENDINGS.get(fmt, "." + fmt)}"'
    )
    return response


# A SAM template is YAML: named so, the import page's file picker offers it back.
FILE_ENDINGS = {"sam": "-template.yaml"}


@require_GET
def version_image(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """An SVG picture of one version: thumbnails in the list, old versions in the history."""
    diagram = _diagram(request, pk, "viewer")
    version = services.diagram_version_get(diagram=diagram, number=number)
    try:
        content, content_type = services.diagram_export(version=version, fmt="svg")
    except RenderError as exc:
        return HttpResponse(f"The image could not be drawn: {exc}", status=503, content_type="text/plain")
    response = HttpResponse(content, content_type=content_type)
    response["Cache-Control"] = "private, max-age=86400"  # a version never changes
    return response


@require_GET
def starter_image(request: HttpRequest, pattern_id: str) -> HttpResponse:
    data = starter_data(pattern_id)
    if data is None:
        raise Http404("no such starter")
    try:
        svg = services.starter_svg(pattern_id)
    except RenderError as exc:
        return HttpResponse(f"The image could not be drawn: {exc}", status=503, content_type="text/plain")
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["Cache-Control"] = "public, max-age=3600"
    return response


def _estimate_fragment(request: HttpRequest, diagram: services.Diagram, estimate: services.Estimate) -> HttpResponse:
    context = {"diagram": diagram, "estimate": estimate, "result": estimate.result}
    if estimate.status == "done":
        labels = node_labels(estimate.version.data)
        context["lines_by_node"] = cost_by_node(estimate.result, labels)
        context["paths"] = paths_labelled(estimate.result, labels)
    status = 200 if estimate.status in ("queued", "running") else 286  # 286 tells htmx to stop polling
    return render(request, "designer/estimate.html#estimate", context, status=status if request.htmx else 200)


@require_POST
def estimate_start(request: HttpRequest, pk: int) -> HttpResponse:
    diagram = _diagram(request, pk, "viewer")
    version = services.diagram_latest(diagram=diagram)
    profile = None
    raw = request.POST.get("profile", "").strip()
    if raw:
        try:
            profile = loads(raw)
            if _unstorable(profile):
                raise DiagramError([services.Problem("", "not storable: it holds U+0000 or a lone surrogate")])
        except DiagramError as exc:
            return render(
                request, "designer/estimate.html#problem", {"message": f"The traffic profile is {exc}"}, status=400
            )
    try:
        estimate = services.estimate_start(version=version, profile=profile)
    except services.BrokerUnavailable:
        estimate = services.Estimate.objects.get(
            version=version,
            profile_key=services.profile_key(services.estimate_profile(version=version, profile=profile)),
        )
        small = len(version.data.get("nodes", [])) <= services.IN_PROCESS_MAX_NODES
        context = {"diagram": diagram, "estimate": estimate, "small": small, "limit": services.IN_PROCESS_MAX_NODES}
        return render(request, "designer/estimate.html#unavailable", context, status=503 if not request.htmx else 200)
    return _estimate_fragment(request, diagram, estimate)


@require_GET
def estimate_status(request: HttpRequest, pk: int, estimate_id: int) -> HttpResponse:
    diagram = _diagram(request, pk, "viewer")
    return _estimate_fragment(request, diagram, services.estimate_poll(diagram=diagram, estimate_id=estimate_id))


@require_POST
def estimate_compute_now(request: HttpRequest, pk: int, estimate_id: int) -> HttpResponse:
    """Without a broker: compute a small diagram's estimate within this request."""
    diagram = _diagram(request, pk, "viewer")
    estimate = services.estimate_get(diagram=diagram, estimate_id=estimate_id)
    if len(estimate.version.data.get("nodes", [])) > services.IN_PROCESS_MAX_NODES:
        message = f"Only diagrams of up to {services.IN_PROCESS_MAX_NODES} services are estimated without a worker."
        return render(request, "designer/estimate.html#problem", {"message": message}, status=400)
    estimate = services.estimate_compute(estimate_id=estimate.pk)
    return _estimate_fragment(request, diagram, estimate)


@require_GET
def estimate_csv(request: HttpRequest, pk: int, estimate_id: int) -> HttpResponse:
    diagram = _diagram(request, pk, "viewer")
    estimate = services.estimate_get(diagram=diagram, estimate_id=estimate_id)
    if estimate.status != "done":
        raise Http404("the estimate is not finished")
    response = HttpResponse(estimate_csv_text(estimate.result), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="estimate-{pk}-v{estimate.version.number}.csv"'
    return response


@require_GET
def shared_link(request: HttpRequest, token: str) -> HttpResponse:
    """A secret link: remember its token in the session and open the diagram with the link's role."""
    share = services.share_for_link(token=token)
    if share is None:
        raise Http404("this link is not valid (it may have been revoked)")
    tokens = [t for t in request.session.get(LINK_TOKENS, []) if t != token][-19:]
    request.session[LINK_TOKENS] = [*tokens, token]
    return redirect("designer:editor", pk=share.diagram_id)


@require_GET
def pattern_list(request: HttpRequest) -> HttpResponse:
    return render(request, "designer/patterns.html", {"patterns": pattern_catalog()})


@require_GET
def pattern_detail(request: HttpRequest, pattern_id: str) -> HttpResponse:
    pattern = pattern_by_id(pattern_id)
    if pattern is None:
        raise Http404("no such pattern")
    starter = starter_data(pattern_id)
    context = {"pattern": pattern, "rules": rules_teaching(pattern_id), "starter": starter}
    return render(request, "designer/pattern.html", context)
