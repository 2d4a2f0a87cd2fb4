"""The quiz API: list questions, read one (without its answers), grade responses.

Every 4xx answer has one shape, with the path of each offending value::

    {"errors": [{"path": "responses.explain", "message": "must be text, not a list"}]}

A path is empty when the problem is the request as a whole (a malformed body, an unknown address).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import exceptions, generics, serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from config.errors import as_http
from quiz import services
from quiz.models import Question
from quiz.views import learner_of


@extend_schema_serializer(component_name="QuizErrors")
class ErrorSerializer(serializers.Serializer):
    @extend_schema_serializer(component_name="QuizProblem")
    class ProblemSerializer(serializers.Serializer):
        path = serializers.CharField(
            help_text="Where the problem is, e.g. responses.explain; empty for the whole request."
        )
        message = serializers.CharField()

    errors = ProblemSerializer(many=True)


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "the request body is too large"


def errors_of(detail: Any, path: str = "") -> list[dict[str, str]]:
    """DRF error details (nested dicts and lists) as a flat list of {path, message}."""
    if isinstance(detail, dict):
        out = []
        for key, value in detail.items():
            key = "" if key in ("non_field_errors", "detail") else str(key)
            out.extend(errors_of(value, f"{path}.{key}" if path and key else path or key))
        return out
    if isinstance(detail, list):
        return [e for item in detail for e in errors_of(item, path)]
    return [{"path": path, "message": str(detail)}]


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, with every 4xx in the one error format; unreadable bodies are 400s, never 500s."""
    exc = as_http(exc)
    if isinstance(exc, SuspiciousOperation):
        exc = exceptions.ParseError(str(exc) or "the request could not be read")
    elif isinstance(exc, RecursionError):
        exc = exceptions.ParseError("the JSON body is nested too deeply")
    response = drf_exception_handler(exc, context)
    if response is not None and 400 <= response.status_code < 500:
        response.data = {"errors": errors_of(getattr(exc, "detail", response.data))}
    return response


class QuizApiView(APIView):
    def get_exception_handler(self):  # type: ignore[no-untyped-def]
        return exception_handler

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        # DRF's JSON parser reads the stream without Django's size check: refuse oversized bodies up front.
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            raise PayloadTooLarge(f"the request body is larger than {settings.DATA_UPLOAD_MAX_MEMORY_SIZE:,} bytes")
        super().initial(request, *args, **kwargs)


@extend_schema_serializer(component_name="QuizPartSummary")
class PartSummarySerializer(serializers.Serializer):
    id = serializers.CharField()
    type = serializers.ChoiceField(choices=["choice", "multi", "numeric", "text", "design"])
    prompt = serializers.CharField()
    points = serializers.FloatField(default=1)


class QuestionListApi(QuizApiView, generics.ListAPIView):
    """Questions in use, in bank order, with a summary of their parts (paginated)."""

    @extend_schema_serializer(component_name="QuizQuestionSummary")
    class OutputSerializer(serializers.Serializer):
        id = serializers.CharField(source="qid")
        bank = serializers.CharField(source="bank.slug")
        section = serializers.CharField()
        title = serializers.CharField()
        parts = PartSummarySerializer(many=True, source="data.parts")

    serializer_class = OutputSerializer

    def get_queryset(self):  # type: ignore[no-untyped-def]
        questions = services.questions_active()
        if bank := self.request.query_params.get("bank"):
            questions = questions.filter(bank__slug=bank)
        if section := self.request.query_params.get("section"):
            questions = questions.filter(section_slug=section)
        return questions

    @extend_schema(
        operation_id="quiz_questions_list",
        parameters=[
            OpenApiParameter("bank", OpenApiTypes.STR, description="Only this bank (slug), e.g. workshop."),
            OpenApiParameter("section", OpenApiTypes.STR, description="Only this section (slug)."),
        ],
        responses={200: OutputSerializer(many=True), 404: ErrorSerializer},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class QuestionDetailApi(QuizApiView):
    """One question as a learner sees it: parts and options, never answers, correct flags, rubrics or explanations."""

    @extend_schema_serializer(component_name="QuizQuestion")
    class OutputSerializer(serializers.Serializer):
        @extend_schema_serializer(component_name="QuizPart")
        class PartSerializer(PartSummarySerializer):
            @extend_schema_serializer(component_name="QuizOption")
            class OptionSerializer(serializers.Serializer):
                id = serializers.CharField()
                text = serializers.CharField()

            options = OptionSerializer(many=True, required=False, help_text="choice and multi parts only.")
            unit = serializers.CharField(required=False, help_text="numeric parts only.")

        id = serializers.CharField(source="qid")
        bank = serializers.CharField(source="bank.slug")
        section = serializers.CharField()
        title = serializers.CharField()
        prompt = serializers.CharField(source="data.prompt")
        parts = PartSerializer(many=True, source="data.parts")

    @extend_schema(
        operation_id="quiz_questions_retrieve",
        responses={200: OutputSerializer, 404: ErrorSerializer},
    )
    def get(self, request: Request, qid: str) -> Response:
        question = _question(qid)
        return Response(self.OutputSerializer(question).data)


class QuestionGradeApi(QuizApiView):
    """Grade responses to one question and store the attempt (for the signed-in user or the browser session)."""

    parser_classes = [JSONParser]

    @extend_schema_serializer(component_name="QuizGradeRequest")
    class InputSerializer(serializers.Serializer):
        responses = serializers.DictField(
            child=serializers.JSONField(),
            help_text=(
                "Part id -> answer: an option id (choice), a list of option ids (multi), a number (numeric), "
                "text (text), a diagram JSON object (design). Parts left out score 0. A saved diagram "
                '({"diagram": <id>}) cannot be graded yet and is refused with 400.'
            ),
        )

    @extend_schema_serializer(component_name="QuizGrade")
    class OutputSerializer(serializers.Serializer):
        @extend_schema_serializer(component_name="QuizPartGrade")
        class PartGradeSerializer(serializers.Serializer):
            id = serializers.CharField()
            type = serializers.CharField()
            score = serializers.FloatField()
            max = serializers.FloatField()
            feedback = serializers.DictField(help_text="Depends on the part type; see quiz-format.md.")

        question = serializers.CharField()
        score = serializers.IntegerField(min_value=0, max_value=100, help_text="0-100 over the whole question.")
        parts = PartGradeSerializer(many=True)
        explanation = serializers.CharField()

    @extend_schema(
        operation_id="quiz_questions_grade",
        request=InputSerializer,
        responses={200: OutputSerializer, 400: ErrorSerializer, 404: ErrorSerializer, 413: ErrorSerializer},
        examples=[
            OpenApiExample(
                "ws-17",
                request_only=True,
                value={"responses": {"choose-service": "sns-sqs", "retention": 14, "explain": "SNS pushes ..."}},
            )
        ],
    )
    def post(self, request: Request, qid: str) -> Response:
        question = _question(qid)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        learner = learner_of(request, create=True)
        try:
            attempt = services.attempt_create(
                question=question, responses=data.validated_data["responses"], learner=learner
            )
        except services.ResponsesInvalid as exc:
            return Response({"errors": [p.to_dict() for p in exc.problems]}, status=status.HTTP_400_BAD_REQUEST)
        response = Response(self.OutputSerializer(attempt.grade).data)
        response["Content-Location"] = reverse("quiz:attempt", args=[attempt.pk])
        return response


def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """Any other address under /api/quiz/."""
    message = f"no API endpoint at {request.path}; see /api/schema/ (grading is POST /api/quiz/questions/<id>/grade)"
    return JsonResponse({"errors": [{"path": "", "message": message}]}, status=404)


def _question(qid: str) -> Question:
    try:
        return services.question_get(qid=qid)
    except Question.DoesNotExist:
        raise exceptions.NotFound({"id": f"no question {qid!r}"}) from None
