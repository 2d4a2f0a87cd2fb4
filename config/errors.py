"""Errors that services and selectors raise, and how every view answers them.

A service knows no HTTP: when what it is asked for does not exist, or the visitor may not learn that it does, it
raises :class:`NotFound`. :class:`NotFoundMiddleware` answers it as Django answers ``Http404`` (the site's 404 page),
and the API's exception handlers answer it with their 404 error shape.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.handlers.exception import response_for_exception
from django.http import Http404, HttpRequest, HttpResponse

__all__ = ["NotFound", "NotFoundMiddleware", "as_http"]


class NotFound(LookupError):
    """Nothing the visitor may open answers this (``str()`` says what was looked for, as "no such diagram")."""


def as_http(exc: BaseException) -> BaseException:
    """``exc`` as the web layer knows it: a :class:`NotFound` becomes ``Http404`` with its message."""
    return Http404(str(exc)) if isinstance(exc, NotFound) else exc


class NotFoundMiddleware:
    """Answers a :class:`NotFound` that leaves a view as a 404 page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, NotFound):
            return response_for_exception(request, Http404(str(exception)))
        return None
