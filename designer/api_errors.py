"""The error shape of the HTTP API: every 4xx answers ``{"errors": [{"path": ..., "message": ...}]}``, with the
path of the offending field (``nodes[3].config.timeout_s``); a diagram's parse problems keep their own paths."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.response import Response
from rest_framework.views import exception_handler

from config.errors import as_http
from designer import services
from designer.domain.diagram import DiagramError

__all__ = ["Conflict", "ErrorSerializer", "api_exception_handler", "paginated"]

ErrorSerializer = inline_serializer(
    "Errors",
    {
        "errors": serializers.ListField(
            child=inline_serializer("Error", {"path": serializers.CharField(), "message": serializers.CharField()})
        )
    },
)


def paginated(name: str, item: type[serializers.Serializer]) -> serializers.Serializer:
    """The schema of a page of ``item`` as PageNumberPagination returns it."""
    return inline_serializer(
        name,
        {
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": item(many=True),
        },
    )


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "the diagram has a newer version"


def _flatten(detail: Any, path: str = "") -> list[dict[str, str]]:
    if isinstance(detail, dict):
        out = []
        for key, value in detail.items():
            sub = key if key != "non_field_errors" else ""
            out += _flatten(value, f"{path}.{sub}" if path and sub else (sub or path))
        return out
    if isinstance(detail, list):
        if all(not isinstance(d, dict | list) for d in detail):
            return [{"path": path, "message": str(d)} for d in detail]
        out = []
        for i, value in enumerate(detail):
            out += _flatten(value, f"{path}[{i}]")
        return out
    return [{"path": path, "message": str(detail)}]


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """One error shape for every 4xx, with field paths; diagram parse problems keep their own paths."""
    if isinstance(exc, DiagramError):
        return Response({"errors": [{"path": p.path, "message": p.message} for p in exc.problems]}, status=400)
    if isinstance(exc, services.Forbidden):
        exc = PermissionDenied(str(exc))
    exc = as_http(exc)
    if isinstance(exc, RecursionError):  # json.loads on a body of thousands of nested brackets
        exc = ParseError("the JSON body is nested too deeply")
    response = exception_handler(exc, context)
    if response is None:
        return None
    errors = _flatten(response.data.get("detail", response.data) if isinstance(response.data, dict) else response.data)
    extra = {"current_version": exc.current} if isinstance(exc, Conflict) and hasattr(exc, "current") else {}
    response.data = {"errors": errors, **extra}
    return response
