"""Schemathesis over the quiz API with the banks loaded, so that grading is reached with real question ids:
no 5xx, and every answer within the schema (status codes, content types, bodies)."""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/schema/", application).include(path_regex="^/api/quiz/")


@schema.parametrize()
@settings(
    max_examples=max(40, int(os.environ.get("FUZZ_EXAMPLES", "0"))),
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
@pytest.mark.django_db
@pytest.mark.usefixtures("wsgi_keeps_test_connection")
def test_the_quiz_api_answers_within_its_schema(case, loaded):
    if "qid" in (case.path_parameters or {}):
        case.path_parameters["qid"] = "ws-17"  # a real question, so the body is what gets explored
    case.call_and_validate(
        checks=[not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
    )
