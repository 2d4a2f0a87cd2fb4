"""Requests refused before any view reads them: bodies over the size limit, and text the database cannot store.

- A body larger than ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (5 MB; a multipart form gets 64 KiB more for the framing
  around a 5 MB file) is answered 413 from its ``Content-Length`` alone, unread. Django checks only bodies read
  through ``request.body``; DRF's parsers and file uploads read the stream themselves.
- PostgreSQL cannot store U+0000 in text or JSON, and refuses a query that compares with it; nor can text hold
  half of a UTF-16 surrogate pair. A NUL in the path, a query or form parameter, or a JSON body (the ``\\u0000``
  escape), or a lone surrogate escape in a JSON body, is answered 400 here, once for every view, instead of a 500
  from whichever query meets it first. (Forms cannot carry a surrogate: undecodable bytes become U+FFFD.)

Both answers are JSON in the API's error shape under ``/api/``, a sentence otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict

__all__ = ["RequestGuardMiddleware", "document_refusals"]

# Every escape of a JSON text, whole: an escaped backslash (\\) is consumed as one, so a "\u" after it is text.
_JSON_ESCAPE = re.compile(rb"\\(?:u([0-9a-fA-F]{4})|.)", re.DOTALL)
_FORM_NUL = re.compile(rb"%00|\x00")
MULTIPART_MARGIN = 64 * 1024


def _refuse(request: HttpRequest, status: int, message: str) -> HttpResponse:
    if request.path_info.startswith("/api/"):
        return JsonResponse({"errors": [{"path": "", "message": message}]}, status=status)
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


def _content_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _too_large(request: HttpRequest) -> int | None:
    """The limit the body breaks, or None. A multipart form may carry a file of the whole limit, plus framing."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if request.content_type == "multipart/form-data":
        limit += MULTIPART_MARGIN
    return limit if _content_length(request) > limit else None


def _nul_in(params: QueryDict) -> bool:
    return any("\x00" in text for key, values in params.lists() for text in (key, *values))


def _unstorable(request: HttpRequest) -> bool:
    if "\x00" in request.path or _nul_in(request.GET):
        return True
    if request.method in ("GET", "HEAD", "OPTIONS") or _content_length(request) == 0:
        return False
    if request.content_type == "application/x-www-form-urlencoded":
        return bool(_FORM_NUL.search(request.body))  # the raw body, so that DRF can still refuse a form with 415
    if request.content_type == "multipart/form-data":
        # Parsed for Django's views only: the API reads JSON, and DRF refuses a form (415) that nobody read first.
        return not request.path_info.startswith("/api/") and _nul_in(request.POST)
    if request.content_type == "application/json" or request.content_type.endswith("+json"):
        return json_unstorable(request.body)
    return False


def json_unstorable(body: bytes) -> bool:
    """Whether a JSON text escapes U+0000 or half of a surrogate pair (a high one not followed at once by a low one,
    or a low one without its high one)."""
    high_ends = -1  # where the last high-surrogate escape ended, while it waits for its low half
    for escape in _JSON_ESCAPE.finditer(body):
        code = int(escape.group(1), 16) if escape.group(1) else None
        if high_ends >= 0 and (code is None or not 0xDC00 <= code <= 0xDFFF or escape.start() != high_ends):
            return True  # the high half was not followed by its low half
        if code is None:
            continue
        if code == 0 or (0xDC00 <= code <= 0xDFFF and high_ends < 0):
            return True
        high_ends = escape.end() if 0xD800 <= code <= 0xDBFF else -1
    return high_ends >= 0


class RequestGuardMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if limit := _too_large(request):
            return _refuse(request, 413, f"the request body is larger than {limit:,} bytes")
        if _unstorable(request):
            return _refuse(request, 400, "the request holds a NUL character (U+0000) or half of a surrogate pair")
        return self.get_response(request)


def document_refusals(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular post-processing hook: every operation may answer 400 (unstorable text, above) and every
    operation with a body 413; the operations that do not document those answers already get them here."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            responses.setdefault("400", {"description": "The request holds U+0000 or half of a surrogate pair."})
            if "requestBody" in operation:
                responses.setdefault("413", {"description": "The request body is larger than the limit."})
    return result
