"""Schemathesis over the diagram API as the owner of a real diagram (token authentication), so that the bodies
reach the saving, versioning, estimating and exporting code instead of a 404: no 5xx, every answer within the
schema. `make fuzz` runs it with a larger budget (FUZZ_EXAMPLES)."""

import os

import pytest
import schemathesis
from django.contrib.auth import get_user_model
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application
from designer import services
from designer.starters import starter_data

schema = schemathesis.openapi.from_wsgi("/api/schema/", application).include(path_regex=r"^/api/diagrams/\{id\}")
EXAMPLES = max(20, int(os.environ.get("FUZZ_EXAMPLES", "0")))


@pytest.fixture
def owned():
    """A diagram with two versions and an estimate, and its owner's API token."""
    owner, _ = get_user_model().objects.get_or_create(username="fuzz-owner")
    token, _ = Token.objects.get_or_create(user=owner)
    saved = services.diagram_create(data=starter_data("fan-out"), user=owner, session_key="")
    services.diagram_save_version(
        diagram=saved.diagram, data=starter_data("sync"), base_version=1, user=owner, message="second"
    )
    estimate = services.Estimate.objects.create(version=saved.version, profile_key="0" * 64, profile={})
    return {"id": saved.diagram.pk, "number": 1, "estimate_id": estimate.pk}, token.key


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@pytest.mark.django_db
@pytest.mark.usefixtures("wsgi_keeps_test_connection", "celery_eager")
def test_the_diagram_api_answers_its_owner_within_its_schema(case, owned):
    ids, token = owned
    for name in case.path_parameters or {}:
        case.path_parameters[name] = ids[name]
    case.headers = {**(case.headers or {}), "Authorization": f"Token {token}"}
    checks = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
    if (case.query or {}).get("to") == "sam":
        # CloudFormation's short-form tags (!Sub, !GetAtt) are no plain YAML to a generic reader; the SAM export is
        # checked by cfn-lint in its own tests.
        checks.remove(response_schema_conformance)
    case.call_and_validate(checks=checks)
