"""Every starter carries a traffic profile, so its first estimate shows what it costs; without one, the estimate says
that it counted no traffic and how to add some."""

import json
from pathlib import Path

import pytest
from django.test import Client

from designer.domain.diagram import Diagram, parse
from designer.domain.estimate import estimate
from designer.domain.estimate.flow import build_flow
from designer.domain.traffic import TRAFFIC_FORMAT
from designer.domain.validate import validate
from designer.models import Diagram as DiagramModel
from designer.starters import starter_data

ROOT = Path(__file__).resolve().parents[2]
STARTERS = sorted((ROOT / "designer" / "data" / "starters").glob("*.json"))
NOT_ON_THE_AWS_BILL = frozenset(
    {"client-web", "client-mobile", "client-iot", "client-partner", "external-api", "legacy-app"}
)
NO_TRAFFIC = "so no requests are counted"


def load(path: Path) -> Diagram:
    return parse(json.loads(path.read_text()))


def billed(node) -> bool:
    if node.type in NOT_ON_THE_AWS_BILL:
        return False
    return not (node.type == "eventbridge" and node.config.get("event_source") == "aws-service")  # free events


@pytest.mark.parametrize("path", STARTERS, ids=lambda p: p.stem)
def test_each_starter_sends_traffic_into_its_entry_nodes(path):
    diagram = load(path)
    assert json.loads(path.read_text())["traffic"]["format"] == TRAFFIC_FORMAT
    assert diagram.traffic is not None
    assert diagram.traffic.entries
    ids = {n.id for n in diagram.nodes}
    for node_id, rate in diagram.traffic.entries.items():
        assert node_id in ids
        assert not diagram.incoming(node_id), f"{node_id} is fed by another node, so it is no entry point"
        assert 0 < rate.avg_rps <= rate.peak_rps


@pytest.mark.parametrize("path", STARTERS, ids=lambda p: p.stem)
def test_each_starter_with_its_traffic_validates_complete_without_findings(path):
    report = validate(load(path))
    assert report.findings == ()
    assert any(p.id == path.stem and p.complete for p in report.patterns)


@pytest.mark.parametrize("path", STARTERS, ids=lambda p: p.stem)
def test_each_starter_estimate_costs_money_per_billed_service_and_has_latency_paths(path):
    diagram = load(path)
    report = estimate(diagram, samples=2_000)
    assert report.monthly_cost_usd > 0
    assert {p.entry for p in report.paths} == set(diagram.traffic.entries)
    assert not any(a.startswith("No traffic profile") for a in report.assumptions)
    flow = build_flow(diagram, None)
    reached = [n.id for n in diagram.nodes if billed(n) and flow.rate(n.id) > 0]
    assert reached
    assert [n for n in reached if report.cost_of(n) <= 0] == []


# --- the estimate page ----------------------------------------------------------------------------------------


def new_diagram(client: Client, starter: str) -> DiagramModel:
    response = client.post("/designer/new/", {"starter": starter})
    assert response.status_code == 302
    return DiagramModel.objects.get(pk=int(response["Location"].strip("/").split("/")[-1]))


def estimate_page(client: Client, diagram: DiagramModel, profile: str = "") -> str:
    form = {"profile": profile} if profile else {}
    response = client.post(f"/designer/{diagram.pk}/estimate", form, HTTP_HX_REQUEST="true")
    assert response.status_code == 286  # finished
    return response.content.decode()


@pytest.mark.django_db
@pytest.mark.usefixtures("celery_eager")
def test_a_starters_estimate_shows_its_cost_and_no_missing_traffic_notice(client):
    page = estimate_page(client, new_diagram(client, "fan-out"))
    assert NO_TRAFFIC not in page
    assert "<strong>$0.00</strong> a month" not in page


@pytest.mark.django_db
@pytest.mark.usefixtures("celery_eager")
def test_an_estimate_of_a_diagram_without_traffic_says_so_and_how_to_add_a_profile(client):
    diagram = new_diagram(client, "fan-out")
    data = starter_data("fan-out")
    del data["traffic"]
    saved = client.post(
        f"/designer/{diagram.pk}/save", json.dumps({"data": data, "base_version": 1}), content_type="application/json"
    )
    assert saved.status_code == 200
    page = estimate_page(client, diagram)
    assert NO_TRAFFIC in page
    assert "This diagram has no traffic profile yet" in page
    assert "only charges that do not depend on traffic" in page
    assert "<em>Traffic profile</em> box" in page
    assert TRAFFIC_FORMAT in page


@pytest.mark.django_db
@pytest.mark.usefixtures("celery_eager")
def test_an_estimate_under_a_given_profile_without_entries_says_it_counted_no_traffic(client):
    page = estimate_page(client, new_diagram(client, "sync"), profile='{"format": "archlab/traffic@1", "entries": {}}')
    assert NO_TRAFFIC in page
    assert "The traffic profile given has no entries" in page
