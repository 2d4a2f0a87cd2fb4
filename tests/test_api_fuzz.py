"""Schemathesis over the whole API, a bounded number of examples per operation: no 5xx, no response that breaks
the schema. `make fuzz` runs the same with a larger budget."""

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

schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "12"))


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@pytest.mark.django_db
@pytest.mark.usefixtures("wsgi_keeps_test_connection")
def test_api_answers_within_its_schema(case):
    # Semantic refusals of schema-valid bodies (an object that is no diagram) are correct answers, so the
    # "positive data acceptance" check is not among these.
    case.call_and_validate(
        checks=[not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
    )
