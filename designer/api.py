"""The designer's HTTP API: one view per operation, serializers check shape, services decide.

Every 4xx answers ``{"errors": [{"path": ..., "message": ...}]}`` (see :mod:`designer.api_errors`).
"""

from __future__ import annotations

import base64
from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from designer import services
from designer.access import LINK_TOKENS
from designer.api_errors import Conflict, ErrorSerializer, paginated
from designer.domain.diagram import parse
from designer.domain.render import RenderError
from designer.domain.rules import load_rules
from designer.domain.validate import validate
from designer.presenters import editor_catalog, pattern_catalog
from designer.services.imports import template_import


def _access(request: Request, pk: int, need: str = "viewer") -> tuple[services.Diagram, str]:
    return services.diagram_get_for(
        pk=pk,
        user=request.user,
        session_key=request.session.session_key or "",
        need=need,
        link_tokens=request.session.get(LINK_TOKENS, []),
    )


def _session_key(request: Request) -> str:
    if not request.session.session_key:
        request.session.save()
    return request.session.session_key or ""


DiagramJson = serializers.JSONField(help_text="A diagram in the archlab/diagram@1 format (see docs/formats.md).")


class DiagramOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    version = serializers.IntegerField(source="head")
    role = serializers.CharField()
    patterns = serializers.JSONField()
    updated_at = serializers.DateTimeField()


class DiagramDetailOut(DiagramOut):
    data = serializers.JSONField()
    report = serializers.JSONField()


def _summary(diagram: services.Diagram, role: str) -> dict[str, Any]:
    return {
        "id": diagram.pk,
        "name": diagram.name,
        "head": diagram.head,
        "role": role,
        "patterns": diagram.patterns,
        "updated_at": diagram.updated_at,
    }


def _detail(diagram: services.Diagram, role: str) -> dict[str, Any]:
    latest = services.diagram_latest(diagram=diagram)
    return {**_summary(diagram, role), "data": latest.data, "report": latest.report}


class DiagramListApi(APIView):
    class DiagramCreateInputSerializer(serializers.Serializer):
        data = serializers.JSONField(help_text="A diagram in the archlab/diagram@1 format.")
        message = serializers.CharField(required=False, allow_blank=True, max_length=200)

    @extend_schema(responses={200: paginated("DiagramPage", DiagramOut)}, operation_id="diagrams_list")
    def get(self, request: Request) -> Response:
        owned = services.diagrams_owned(user=request.user, session_key=_session_key(request))
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(owned.order_by("-updated_at"), request, view=self)
        return paginator.get_paginated_response(DiagramOut([_summary(d, "owner") for d in page or []], many=True).data)

    @extend_schema(
        request=DiagramCreateInputSerializer,
        responses={201: DiagramDetailOut, 400: ErrorSerializer},
        operation_id="diagrams_create",
    )
    def post(self, request: Request) -> Response:
        body = self.DiagramCreateInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        saved = services.diagram_create(
            data=body.validated_data["data"],
            user=request.user,
            session_key=_session_key(request),
            message=body.validated_data.get("message") or "created",
        )
        return Response(DiagramDetailOut(_detail(saved.diagram, "owner")).data, status=201)


class DiagramDetailApi(APIView):
    class DiagramUpdateInputSerializer(serializers.Serializer):
        data = serializers.JSONField(help_text="A diagram in the archlab/diagram@1 format.")
        base_version = serializers.IntegerField(min_value=0, help_text="The version the change was made on.")
        message = serializers.CharField(required=False, allow_blank=True, max_length=200)

    @extend_schema(responses={200: DiagramDetailOut, 404: ErrorSerializer})
    def get(self, request: Request, pk: int) -> Response:
        diagram, role = _access(request, pk)
        return Response(DiagramDetailOut(_detail(diagram, role)).data)

    @extend_schema(
        request=DiagramUpdateInputSerializer,
        responses={
            200: DiagramDetailOut,
            400: ErrorSerializer,
            403: ErrorSerializer,
            404: ErrorSerializer,
            409: ErrorSerializer,
        },
    )
    def put(self, request: Request, pk: int) -> Response:
        diagram, role = _access(request, pk, "editor")
        body = self.DiagramUpdateInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            saved = services.diagram_save_version(
                diagram=diagram,
                data=body.validated_data["data"],
                base_version=body.validated_data["base_version"],
                user=request.user,
                message=body.validated_data.get("message", ""),
            )
        except services.StaleVersion as exc:
            conflict = Conflict(f"base_version {body.validated_data['base_version']} is stale: {exc}")
            conflict.current = exc.current  # type: ignore[attr-defined]
            raise conflict from None
        return Response(DiagramDetailOut(_detail(saved.diagram, role)).data)

    @extend_schema(responses={204: None, 403: ErrorSerializer, 404: ErrorSerializer})
    def delete(self, request: Request, pk: int) -> Response:
        diagram, _ = _access(request, pk, "owner")
        services.diagram_delete(diagram=diagram)
        return Response(status=204)


class VersionOut(serializers.Serializer):
    number = serializers.IntegerField()
    message = serializers.CharField()
    created_at = serializers.DateTimeField()
    author = serializers.CharField(allow_null=True)


class VersionDetailOut(VersionOut):
    data = serializers.JSONField()
    report = serializers.JSONField()


def _version(v: Any, detail: bool = False) -> dict[str, Any]:
    out = {
        "number": v.number,
        "message": v.message,
        "created_at": v.created_at,
        "author": v.author.get_username() if v.author else None,
    }
    return {**out, "data": v.data, "report": v.report} if detail else out


class VersionListApi(APIView):
    @extend_schema(
        responses={200: paginated("VersionPage", VersionOut), 404: ErrorSerializer},
        operation_id="diagrams_versions_list",
    )
    def get(self, request: Request, pk: int) -> Response:
        diagram, _ = _access(request, pk)
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(diagram.versions.select_related("author"), request, view=self)
        return paginator.get_paginated_response(VersionOut([_version(v) for v in page or []], many=True).data)


class VersionDetailApi(APIView):
    @extend_schema(responses={200: VersionDetailOut, 404: ErrorSerializer})
    def get(self, request: Request, pk: int, number: int) -> Response:
        diagram, _ = _access(request, pk)
        return Response(
            VersionDetailOut(_version(services.diagram_version_get(diagram=diagram, number=number), True)).data
        )


class ValidateApi(APIView):
    """Stateless: a diagram in, its validation report (archlab/report@1) out."""

    class ValidateInputSerializer(serializers.Serializer):
        data = serializers.JSONField(help_text="A diagram in the archlab/diagram@1 format.")

    @extend_schema(request=ValidateInputSerializer, responses={200: OpenApiTypes.OBJECT, 400: ErrorSerializer})
    def post(self, request: Request) -> Response:
        body = self.ValidateInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return Response(validate(parse(body.validated_data["data"])).to_dict())


class EstimateOut(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    version = serializers.IntegerField(source="version.number")
    status = serializers.CharField()
    progress = serializers.IntegerField()
    error = serializers.CharField()
    result = serializers.JSONField(allow_null=True, help_text="An archlab/estimate@1 report once done.")


class EstimateStartApi(APIView):
    class EstimateStartInputSerializer(serializers.Serializer):
        profile = serializers.JSONField(
            required=False, help_text="An archlab/traffic@1 profile; default: the diagram's own."
        )

    @extend_schema(
        request=EstimateStartInputSerializer, responses={202: EstimateOut, 404: ErrorSerializer, 503: ErrorSerializer}
    )
    def post(self, request: Request, pk: int) -> Response:
        diagram, _ = _access(request, pk)
        body = self.EstimateStartInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            estimate = services.estimate_start(
                version=services.diagram_latest(diagram=diagram), profile=body.validated_data.get("profile")
            )
        except services.BrokerUnavailable:
            return Response(
                {"errors": [{"path": "", "message": "no worker is reachable; estimates are unavailable now"}]},
                status=503,
            )
        return Response(EstimateOut(estimate).data, status=202)


class EstimateDetailApi(APIView):
    @extend_schema(responses={200: EstimateOut, 404: ErrorSerializer})
    def get(self, request: Request, pk: int, estimate_id: int) -> Response:
        diagram, _ = _access(request, pk)
        return Response(EstimateOut(services.estimate_poll(diagram=diagram, estimate_id=estimate_id)).data)


class ExportApi(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("to", str, enum=sorted(services.EXPORT_TYPES), required=True)],
        responses={
            **{
                (200, kind.split(";")[0]): OpenApiTypes.OBJECT if fmt == "json" else OpenApiTypes.BINARY
                for fmt, kind in services.EXPORT_TYPES.items()
            },
            400: ErrorSerializer,
            404: ErrorSerializer,
            503: ErrorSerializer,
        },
    )
    def get(self, request: Request, pk: int) -> HttpResponse | Response:
        diagram, _ = _access(request, pk)
        fmt = request.query_params.get("to", "")
        try:
            content, content_type = services.diagram_export(version=services.diagram_latest(diagram=diagram), fmt=fmt)
        except services.UnknownFormat:
            raise ValidationError({"to": [f"choose one of: {', '.join(sorted(services.EXPORT_TYPES))}"]}) from None
        except RenderError as exc:
            return Response({"errors": [{"path": "", "message": str(exc)}]}, status=503)
        return HttpResponse(content, content_type=content_type)


class ImportOut(serializers.Serializer):
    diagram = serializers.JSONField(help_text="The template as an archlab/diagram@1 diagram, laid out.")
    notes = serializers.JSONField(help_text="Resources left out or read only for connections, with the reason.")
    report = serializers.JSONField(help_text="The validation report (archlab/report@1) of the imported diagram.")
    id = serializers.IntegerField(allow_null=True, help_text="The saved diagram's id when save was true.")


class ImportApi(APIView):
    """An AWS SAM or CloudFormation template in, a validated diagram out; optionally saved. The template comes as
    text (``template``) with the files it names beside it (``files``: relative path to text, for state machine
    definitions, OpenAPI documents, nested stacks and the other templates of the application), or as a base64 zip
    archive of the application's folder (``zip``)."""

    class ImportInputSerializer(serializers.Serializer):
        template = serializers.CharField(max_length=2_000_000, trim_whitespace=False, required=False)
        files = serializers.DictField(
            child=serializers.CharField(max_length=2_000_000, trim_whitespace=False, allow_blank=True),
            required=False,
        )
        zip = serializers.CharField(max_length=7_000_000, required=False, help_text="a base64 zip archive")
        save = serializers.BooleanField(default=False)

        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            if ("template" in attrs) == ("zip" in attrs):
                raise ValidationError({"template": ["send either a template (with its files) or a zip archive"]})
            if "zip" in attrs and attrs.get("files"):
                raise ValidationError({"files": ["a zip archive holds its own files; send files with a template"]})
            return attrs

    @extend_schema(request=ImportInputSerializer, responses={200: ImportOut, 201: ImportOut, 400: ErrorSerializer})
    def post(self, request: Request) -> Response:
        body = self.ImportInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        result = template_import(files=_import_files(body.validated_data))
        data = result.diagram.to_dict()
        saved_id = None
        if body.validated_data["save"]:
            saved = services.diagram_create(
                data=data, user=request.user, session_key=_session_key(request), message="imported template"
            )
            saved_id = saved.diagram.pk
        out = {
            "diagram": data,
            "notes": [n.to_dict() for n in result.notes],
            "report": validate(result.diagram).to_dict(),
            "id": saved_id,
        }
        return Response(ImportOut(out).data, status=201 if saved_id else 200)


def _import_files(data: dict[str, Any]) -> list[tuple[str, bytes]]:
    """The import's files as (path, bytes): the template first as template.yaml unless ``files`` names it."""
    if "zip" in data:
        try:
            return [("upload.zip", base64.b64decode(data["zip"], validate=True))]
        except ValueError:  # binascii.Error, or a character outside ASCII
            raise ValidationError({"zip": ["the zip archive is not valid base64"]}) from None
    files = [(path, text.encode()) for path, text in (data.get("files") or {}).items()]
    return [("template.yaml", data["template"].encode()), *files]


class CatalogApi(APIView):
    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request) -> Response:
        rules = [
            {"id": r.id, "severity": r.severity, "title": r.title, "why": r.why, "fix": r.fix, "refs": list(r.refs)}
            for r in load_rules().values()
        ]
        return Response({**editor_catalog(), "patterns": pattern_catalog(), "rules": rules})
