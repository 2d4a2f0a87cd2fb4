"""Site-wide error pages: JSON for the API, HTML for people."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"errors": [{"path": "", "message": "not found"}]}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"errors": [{"path": "", "message": "the server failed; nothing was changed"}]}, status=500)
    return defaults.server_error(request)
