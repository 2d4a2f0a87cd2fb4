"""Site-wide error pages: JSON for the API and the editor's fetch calls, HTML for people.

A database that cannot be reached (restarting, failing over, out of connections) is a 503 with Retry-After and
a message that says nothing was changed, not a 500: every write runs in a transaction, so a request that failed
on the database stored nothing of itself, and the browser keeps what it sent.
"""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.urls import Resolver404
from django.views import defaults

DATABASE_DOWN = "the database is unavailable for a moment; nothing was changed, try again in a few seconds"
RETRY_AFTER_S = 5


def _wants_json(request: HttpRequest) -> bool:
    return (
        request.path.startswith("/api/")
        or request.content_type == "application/json"
        or "application/json" in request.headers.get("Accept", "")
    )


def _reason(exception: Exception) -> str:
    """The sentence a view gave its refusal (``Http404("this link ... was revoked")``); none for an unknown address."""
    if isinstance(exception, Resolver404) or not exception.args or not isinstance(exception.args[0], str):
        return ""
    return exception.args[0]


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"errors": [{"path": "", "message": "not found"}]}, status=404)
    return render(request, "404.html", {"reason": _reason(exception)}, status=404)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if request.path.startswith("/api/"):
        message = _reason(exception) or "you may not do this"
        return JsonResponse({"errors": [{"path": "", "message": message}]}, status=403)
    return render(request, "403.html", {"reason": _reason(exception)}, status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    # Django calls this inside its handler for the uncaught exception, so that exception is the one in flight.
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        return database_unavailable(request)
    if request.path.startswith("/api/"):
        return JsonResponse({"errors": [{"path": "", "message": "the server failed; nothing was changed"}]}, status=500)
    return defaults.server_error(request)  # templates/500.html, rendered without the request


def database_unavailable(request: HttpRequest) -> HttpResponse:
    if _wants_json(request):
        response: HttpResponse = JsonResponse({"errors": [{"path": "", "message": DATABASE_DOWN}]}, status=503)
    else:
        # Rendered without the request: context processors would ask the database for the visitor.
        response = HttpResponse(loader.render_to_string("503.html", {"message": DATABASE_DOWN}), status=503)
    response["Retry-After"] = str(RETRY_AFTER_S)
    return response
