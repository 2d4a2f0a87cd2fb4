"""The compare page and its JSON: lists, the canvas data with markers, costs before and after."""

import json

import pytest

from tests.reviews import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner_client_and_diagram():
    owner = f.user("olga")
    d = f.diagram(owner)
    f.save(d, f.fixed_data(), author=owner)
    return f.client_for(owner), d


def test_the_json_diff_of_two_versions(owner_client_and_diagram):
    client, d = owner_client_and_diagram
    body = client.get(f"/designer/{d.pk}/diff.json?from=1&to=2").json()
    assert (body["from"], body["to"]) == (1, 2)
    assert [n["id"] for n in body["nodes"]["added"]] == ["db"]
    assert body["nodes"]["changed"][0]["changes"] == [{"field": "config.timeout_s", "before": 600, "after": 10}]
    assert [f["rule"] for f in body["findings"]["fixed"]] == ["sync-path-exceeds-integration-timeout"]


def test_the_page_defaults_to_the_last_two_versions_and_shows_costs(owner_client_and_diagram):
    client, d = owner_client_and_diagram
    f.estimate_done(d, 1, 10.0)
    f.estimate_done(d, 2, 14.25)
    page = client.get(f"/designer/{d.pk}/diff/").content.decode()
    assert "$10.00" in page
    assert "$14.25" in page
    assert "+4.25" in page
    assert "config.timeout_s" in page
    assert "Orders table" in page
    assert '<strong>Orders table</strong> <span class="meta">Amazon DynamoDB</span>' in page  # the service's name
    assert "added (green, thick border)" in page  # the legend says it in words, not colour alone


def test_the_canvas_data_marks_each_element_in_text_too(owner_client_and_diagram):
    client, d = owner_client_and_diagram
    page = client.get(f"/designer/{d.pk}/diff/?from=2&to=1").content.decode()
    data = json.loads(page.split('id="diff-data" type="application/json">')[1].split("</script>")[0])
    by_id = {n["id"]: n for n in data["nodes"]}
    assert by_id["db"]["status"] == "removed"
    assert by_id["db"]["label"].startswith("−")
    assert by_id["fn"]["status"] == "changed"
    assert by_id["fn"]["label"].startswith("~")
    assert by_id["api"]["status"] == "same"
    assert [e["id"] for e in data["edges"] if e["status"] == "removed"] == ["was:e3"]


def test_an_unknown_version_is_a_404(owner_client_and_diagram):
    client, d = owner_client_and_diagram
    assert client.get(f"/designer/{d.pk}/diff/?from=1&to=9").status_code == 404
    assert client.get(f"/designer/{d.pk}/diff/?from=x").status_code == 404


def test_labels_are_escaped_on_the_compare_page(owner_client_and_diagram):
    client, d = owner_client_and_diagram
    data = f.fixed_data()
    data["nodes"][3]["label"] = "</script><script>alert(1)</script>"
    f.save(d, data)
    page = client.get(f"/designer/{d.pk}/diff/").content.decode()
    assert "<script>alert(1)" not in page
