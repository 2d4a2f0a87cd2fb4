"""The estimate panel names services by their labels, not their internal ids (the CSV keeps the ids)."""

import re

import pytest
from django.test import Client

from designer import services
from designer.models import Estimate

pytestmark = pytest.mark.django_db

ORDERS = {
    "name": "Orders",
    "nodes": [
        {"id": "web", "type": "client-web", "label": "Shop front"},
        {"id": "api", "type": "apigw-rest", "label": "Orders API"},
        {"id": "fn", "type": "lambda", "label": "create-order", "config": {"timeout_s": 10}},
        {"id": "dynamodb-1", "type": "dynamodb"},
    ],
    "edges": [
        {"from": "web", "to": "api"},
        {"from": "api", "to": "fn"},
        {"from": "fn", "to": "dynamodb-1", "kind": "write"},
    ],
    "traffic": {"format": "archlab/traffic@1", "entries": {"web": {"rps": 10}}},
}


@pytest.fixture
def diagram_and_client():
    client = Client()
    client.get("/")  # a session: anonymous diagrams belong to it
    diagram = services.diagram_create(data=ORDERS, user=None, session_key=client.session.session_key).diagram
    return diagram, client


def _table(page: str, css_class: str) -> str:
    match = re.search(rf'<table class="{css_class}">.*?</table>', page, re.DOTALL)
    assert match, f"no table.{css_class}"
    return match.group(0)


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.usefixtures("celery_eager")
def test_cost_and_latency_tables_show_labels_and_an_id_only_where_there_is_no_label(diagram_and_client):
    diagram, client = diagram_and_client
    response = client.post(f"/designer/{diagram.pk}/estimate", HTTP_HX_REQUEST="true")
    assert response.status_code == 286
    page = response.content.decode()

    cost = _text(_table(page, "cost"))
    assert "Orders API" in cost
    assert "create-order" in cost
    assert "dynamodb-1" in cost  # no label: the id stands in
    assert " api " not in cost
    assert " fn " not in cost

    latency = _text(_table(page, "latency"))
    assert "Shop front → Orders API → create-order" in latency
    assert "web →" not in latency

    estimate = Estimate.objects.get()
    csv_lines = client.get(f"/designer/{diagram.pk}/estimates/{estimate.pk}.csv").content.decode().splitlines()
    assert csv_lines[0].startswith("node,")
    assert any(line.startswith("fn,") for line in csv_lines)


def test_an_id_missing_from_the_diagram_is_shown_escaped(diagram_and_client):
    diagram, client = diagram_and_client
    estimate = Estimate.objects.create(
        version=services.diagram_latest(diagram=diagram),
        profile_key="k",
        profile={},
        status=Estimate.Status.DONE,
        progress=100,
        result={
            "monthly_cost_usd": 1,
            "lines": [
                {
                    "node": "<b>ghost</b>",
                    "dimension": "requests",
                    "quantity": 1,
                    "unit": "request",
                    "unit_price_usd": 1,
                    "cost_usd": 1,
                    "source": "x",
                }
            ],
            "paths": [],
        },
    )
    page = client.get(f"/designer/{diagram.pk}/estimates/{estimate.pk}/").content.decode()
    cost = _table(page, "cost")
    assert "&lt;b&gt;ghost&lt;/b&gt;</th>" in cost
    assert "<b>ghost</b>" not in cost
