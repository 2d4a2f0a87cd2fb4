"""The editor and its neighbours in Chromium: usable on a phone, read-only for viewers and commenters, and an
estimate panel that names services by label, fits the side panel and shows every problem the server reports."""

import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

from accounts.models import Membership, Team
from designer import services
from designer.models import Share
from quiz.services import content_load

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "layout-passphrase-7"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1400, "height": 900}
SAGA = json.loads((Path(__file__).resolve().parents[2] / "designer" / "data" / "starters" / "saga.json").read_text())
ORDERS = {
    "name": "Orders",
    "nodes": [
        {"id": "web", "type": "client-web", "label": "Shop front", "position": {"x": 0, "y": 0}},
        {"id": "api", "type": "apigw-rest", "label": "Orders API", "position": {"x": 200, "y": 0}},
        {
            "id": "fn",
            "type": "lambda",
            "label": "create-order",
            "config": {"timeout_s": 10},
            "position": {"x": 400, "y": 0},
        },
        {"id": "dynamodb-1", "type": "dynamodb", "label": "Orders table", "position": {"x": 600, "y": 0}},
    ],
    "edges": [
        {"id": "e1", "from": "web", "to": "api"},
        {"id": "e2", "from": "api", "to": "fn"},
        {"id": "e3", "from": "fn", "to": "dynamodb-1", "kind": "write"},
    ],
    "traffic": {"format": "archlab/traffic@1", "entries": {"web": {"rps": 50}}},
}


def person(username):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user(username, password=PASSWORD)


def signed_in(browser, live_server, username, viewport):
    context = browser.new_context(base_url=live_server.url, viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    return page


def open_editor(page, diagram):
    page.goto(f"/designer/{diagram.pk}/")
    page.wait_for_selector("#editor[data-ready='true']")


def page_width(page):
    return page.evaluate("document.scrollingElement.scrollWidth")


def test_at_390_px_no_page_scrolls_sideways_and_the_canvas_is_usable(browser, live_server, artifacts):
    content_load()
    olga = person("olga")
    diagram = services.diagram_create(data=SAGA, user=olga, session_key="").diagram
    for n in range(2):
        diagram.refresh_from_db()
        message = f"compensations for the payment step, take {n + 1}"
        services.diagram_save_version(diagram=diagram, data=SAGA, base_version=diagram.head, user=olga, message=message)
    Share.objects.create(diagram=diagram, token="t" * 43, role="viewer", created_by=olga)

    anonymous = browser.new_context(base_url=live_server.url, viewport=PHONE).new_page()
    anonymous.goto("/")
    assert page_width(anonymous) <= PHONE["width"]
    sign_up = anonymous.locator("header.top").get_by_role("link", name="Sign up")
    assert sign_up.evaluate("a => a.getClientRects().length") == 1  # on one line, not broken over two
    anonymous.context.close()

    page = signed_in(browser, live_server, "olga", PHONE)
    widths = {}
    for url in (
        "/",
        "/designer/",
        f"/designer/{diagram.pk}/history",
        "/quiz/progress/",
        f"/designer/{diagram.pk}/sharing/",
    ):
        page.goto(url)
        widths[url] = page_width(page)
    open_editor(page, diagram)
    widths["editor"] = page_width(page)
    assert widths == dict.fromkeys(widths, PHONE["width"])

    canvas = page.locator("#canvas").bounding_box()
    assert canvas["width"] >= 300
    assert canvas["height"] >= 300
    side = page.locator("aside.side").bounding_box()
    assert side["x"] >= 0
    assert side["x"] + side["width"] <= PHONE["width"]
    # The stack reads palette, canvas, side panel.
    assert page.locator("aside.palette").bounding_box()["y"] < canvas["y"] < side["y"]
    page.get_by_role("button", name="Add AWS Lambda", exact=True).click()
    assert len(page.evaluate("archlab.state.nodes")) == len(SAGA["nodes"]) + 1
    page.screenshot(path=str(artifacts / "editor-390.png"), full_page=True)
    page.context.close()


@pytest.mark.usefixtures("celery_eager")  # the live server computes the estimate in-process
def test_a_commenter_sees_the_diagram_without_editing_controls(browser, live_server, artifacts):
    olga, alice = person("olga"), person("alice")
    team = Team.objects.create(name="Platform reviewers")
    Membership.objects.create(team=team, user=olga, role="owner")
    Membership.objects.create(team=team, user=alice)
    diagram = services.diagram_create(data=ORDERS, user=olga, session_key="").diagram
    Share.objects.create(diagram=diagram, team=team, role="commenter", created_by=olga)

    page = signed_in(browser, live_server, "alice", DESKTOP)
    open_editor(page, diagram)
    expect(page.locator("#save-status")).to_contain_text("Read only (commenter)")
    expect(page.locator("aside.palette")).to_have_count(0)
    toolbar = page.get_by_role("toolbar", name="Diagram tools")
    for name in ("Undo", "Redo", "Connect mode", "Delete", "Layout", "Save version"):
        expect(toolbar.get_by_role("button", name=name, exact=True)).to_have_count(0)
    for name in ("Fit", "+", "−"):
        expect(toolbar.get_by_role("button", name=name, exact=True)).to_be_visible()
    for name in ("PNG", "SVG", "Mermaid", "JSON", "SAM", "History"):
        expect(toolbar.get_by_role("link", name=name, exact=True)).to_be_visible()
    expect(page.locator("#diagram-name")).not_to_be_editable()
    assert page.locator("#canvas").bounding_box()["width"] > 900  # the palette's column goes to the canvas

    # Selecting still works; the settings show their values but take no input.
    page.locator("#node-list li", has_text="create-order").click()
    expect(page.locator("#f-label")).to_have_value("create-order")
    expect(page.locator("#f-label")).not_to_be_editable()
    expect(page.locator("#f-timeout_s")).not_to_be_editable()
    for select in page.locator("#selection-panel select").all():
        expect(select).to_be_disabled()
    expect(page.locator("#selection-panel").get_by_role("button", name="Add connection")).to_have_count(0)
    expect(page.locator("#selection-panel")).to_contain_text("Orders table")  # its connections are listed
    page.locator("#selection-panel").get_by_role("button", name="→ Orders table (write)").click()
    expect(page.locator("#f-kind")).to_be_disabled()
    expect(page.locator("#selection-panel").get_by_role("button", name="Delete connection")).to_have_count(0)

    # Editing keys do nothing and say nothing; zooming works.
    page.locator("#canvas").focus()
    page.keyboard.press("Delete")
    page.keyboard.press("Control+z")
    zoom = page.evaluate("archlab.cy.zoom()")
    page.get_by_role("button", name="+", exact=True).click()
    assert page.evaluate("archlab.cy.zoom()") > zoom
    expect(page.locator("#toast")).to_be_hidden()
    assert len(page.evaluate("archlab.state.edges")) == 3

    # Findings, comments and estimates stay.
    expect(page.locator("#findings")).to_be_visible()
    expect(page.locator("#cm-body")).to_be_editable()
    page.get_by_role("button", name="Estimate").click()
    expect(page.locator("#estimate-result table.cost")).to_be_visible()
    page.screenshot(path=str(artifacts / "editor-read-only.png"))
    page.context.close()


@pytest.mark.usefixtures("celery_eager")  # the live server computes the estimate in-process
def test_the_estimate_panel_names_services_fits_the_side_panel_and_shows_each_new_problem(browser, live_server):
    olga = person("olga")
    diagram = services.diagram_create(data=ORDERS, user=olga, session_key="").diagram
    page = signed_in(browser, live_server, "olga", DESKTOP)
    open_editor(page, diagram)

    page.get_by_text("Traffic profile").click()
    profile = page.locator("#estimate-profile")
    assert '"web"' in profile.get_attribute("placeholder")  # the diagram's own profile, with its real ids
    expect(page.locator("#estimate-profile-hint")).to_contain_text("per_month")

    page.get_by_role("button", name="Estimate").click()
    cost = page.locator("#estimate-result table.cost")
    expect(cost).to_be_visible()
    expect(cost).to_contain_text("Orders table")
    expect(cost).to_contain_text("create-order")
    expect(cost).not_to_contain_text("dynamodb-1")
    expect(page.locator("#estimate-result table.latency")).to_contain_text("Shop front → Orders API → create-order")

    # The cost table fits the 340 px side panel: nothing is cut off, the panel does not scroll sideways.
    side = page.locator("aside.side")
    assert side.evaluate("s => s.scrollWidth <= s.clientWidth")
    inner_right = side.evaluate("s => s.getBoundingClientRect().left + s.clientWidth")
    for header in ("Quantity × unit price", "Cost"):
        box = cost.get_by_role("columnheader", name=header, exact=True).bounding_box()
        assert box["x"] + box["width"] <= inner_right, header
    for wrapper in page.locator("#estimate-result .table-scroll").all():
        assert wrapper.evaluate("w => w.scrollWidth <= w.clientWidth")

    # A profile that is not JSON: the server's 400 problem replaces the result.
    profile.fill("{not json")
    page.get_by_role("button", name="Estimate").click()
    expect(page.locator("#estimate-result")).to_contain_text("not valid JSON")
    expect(page.locator("#estimate-result table.cost")).to_have_count(0)
    # A second, different problem replaces the first.
    profile.fill('{"entries": {"ghost": {"rps": 1}}}')
    page.get_by_role("button", name="Estimate").click()
    expect(page.locator("#estimate-result")).to_contain_text("no node in the diagram has this id")
    expect(page.locator("#estimate-result")).not_to_contain_text("not valid JSON")
    expect(page.locator("#estimate-result")).to_have_count(1)
    page.context.close()
