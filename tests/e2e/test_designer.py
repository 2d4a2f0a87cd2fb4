"""The designer in Chromium: drag and drop, connect, live findings, undo, reload, export, keyboard-only building."""

import json
import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def open_blank(page):
    page.goto("/designer/new/")
    page.get_by_role("button", name="Start with a blank canvas").click()
    page.wait_for_selector("#editor[data-ready='true']")


def drop(page, type_name: str, x: int, y: int):
    page.get_by_role("button", name=f"Add {type_name}", exact=True).drag_to(
        page.locator("#canvas"), target_position={"x": x, "y": y}
    )


def node_ids(page):
    return page.evaluate("archlab.state.nodes.map(n => n.id)")


def centre(page, node_id):
    box = page.locator("#canvas").bounding_box()
    pos = page.evaluate(f"archlab.cy.getElementById({json.dumps(node_id)}).renderedPosition()")
    return box["x"] + pos["x"], box["y"] + pos["y"]


def drag_connect(page, source, target):
    page.get_by_role("button", name="Connect mode").click()
    sx, sy = centre(page, source)
    tx, ty = centre(page, target)
    page.mouse.move(sx, sy)
    page.mouse.down()
    page.mouse.move((sx + tx) / 2, (sy + ty) / 2, steps=8)
    page.mouse.move(tx, ty, steps=8)
    page.mouse.up()
    page.get_by_role("button", name="Connect mode").click()


def saved(page):
    page.wait_for_function("document.querySelector('#save-status').textContent.startsWith('Saved')")


def test_build_a_sync_api_by_drag_and_drop_and_follow_the_findings(page, artifacts):
    open_blank(page)
    drop(page, "Web client", 120, 200)
    drop(page, "API Gateway REST API", 330, 200)
    drop(page, "AWS Lambda", 540, 200)
    web, api, fn = node_ids(page)
    drag_connect(page, web, api)
    drag_connect(page, api, fn)
    assert page.evaluate("archlab.state.edges.map(e => [e.from, e.to, e.kind])") == [
        [web, api, "request"],
        [api, fn, "route"],
    ]
    saved(page)
    expect(page.locator("#pattern-badges")).to_contain_text("Synchronous request-response")

    page.locator("#node-list li", has_text="Lambda").click()
    timeout = page.locator("#f-timeout_s")
    timeout.fill("600")
    timeout.press("Tab")
    saved(page)
    # A timeout alone does not make the path fail (the work may finish in time): a warning, not an error.
    expect(page.locator("#findings .findings.warning")).to_contain_text("waits at most 29 s")
    expect(page.locator("#findings .findings.error summary")).to_have_text("Errors (0)")

    page.locator("#f-timeout_s").fill("20")
    page.locator("#f-timeout_s").press("Tab")
    saved(page)
    expect(page.locator("#findings")).not_to_contain_text("waits at most 29 s")

    page.locator("#canvas").click(position={"x": 700, "y": 500})
    page.keyboard.press("Control+z")
    saved(page)
    expect(page.locator("#findings")).to_contain_text("waits at most 29 s")
    page.screenshot(path=str(artifacts / "designer-editor.png"))

    page.reload()
    page.wait_for_selector("#editor[data-ready='true']")
    lambda_node = page.evaluate(f"archlab.state.nodes.find(n => n.id === {json.dumps(fn)})")
    assert lambda_node["config"]["timeout_s"] == 600
    assert len(page.evaluate("archlab.state.edges")) == 2

    with page.expect_download() as download:
        page.get_by_role("link", name="PNG").click()
    path = download.value.path()
    with open(path, "rb") as fh:
        assert fh.read(8) == b"\x89PNG\r\n\x1a\n"


def test_a_refused_connection_says_why(page):
    open_blank(page)
    drop(page, "Amazon SQS", 150, 200)
    drop(page, "Amazon SNS", 450, 200)
    queue, topic = node_ids(page)
    drag_connect(page, queue, topic)
    expect(page.locator("#toast")).to_contain_text("cannot connect to Amazon SNS")
    expect(page.locator("#toast")).to_contain_text("It connects to: AWS Lambda")  # names, not catalog ids
    assert page.evaluate("archlab.state.edges.length") == 0


def test_build_a_fan_out_with_the_keyboard_alone(page, artifacts):
    open_blank(page)

    def add(service):
        page.locator("#palette-search").focus()
        page.keyboard.press("Control+a")
        page.keyboard.type(service)
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")

    for service in ["Amazon SNS", "Amazon SQS", "Amazon SQS", "Amazon SQS", "Amazon SQS"]:
        add(service)
    topic, q1, q2, d1, d2 = node_ids(page)

    def connect(source_index, target_label, kind=None):
        page.locator("#node-list li").nth(source_index).focus()
        page.keyboard.press("c")
        expect(page.locator("#connect-to")).to_be_focused()
        option = page.locator("#connect-to option", has_text=re.compile(rf"^{re.escape(target_label)} "))
        page.locator("#connect-to").select_option(option.get_attribute("value"))
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")
        if kind:
            page.locator("#f-kind").focus()
            page.locator("#f-kind").select_option(kind)

    labels = page.evaluate("archlab.state.nodes.map(n => n.label)")
    connect(0, labels[1])
    connect(0, labels[2])
    connect(1, labels[3], kind="dead-letter")
    connect(2, labels[4], kind="dead-letter")
    saved(page)
    edges = page.evaluate("archlab.state.edges.map(e => [e.from, e.to, e.kind])")
    assert edges == [
        [topic, q1, "subscribe"],
        [topic, q2, "subscribe"],
        [q1, d1, "dead-letter"],
        [q2, d2, "dead-letter"],
    ]
    expect(page.locator("#pattern-badges")).to_contain_text("Fan-out")

    page.locator("#node-list li").nth(4).focus()
    page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("Delete")
    saved(page)
    assert len(node_ids(page)) == 4
    page.screenshot(path=str(artifacts / "designer-keyboard.png"))


def test_open_a_starter_from_the_pattern_catalog(page):
    page.goto("/patterns/")
    page.get_by_role("link", name="Saga").click()
    expect(page.locator("h1")).to_have_text("Saga")
    page.get_by_role("button", name="Open as new diagram").click()
    page.wait_for_selector("#editor[data-ready='true']")
    expect(page.locator("#pattern-badges")).to_contain_text("Saga: complete")
    assert len(page.evaluate("archlab.state.nodes")) == 11


def test_a_version_can_be_saved_with_a_message(page):
    open_blank(page)
    drop(page, "AWS Lambda", 200, 200)
    saved(page)
    page.locator("#version-message").fill("first function")
    page.get_by_role("button", name="Save version").click()
    page.wait_for_function("document.querySelector('#version-message').value === ''")
    page.get_by_role("link", name="History").click()
    expect(page.locator("table.history")).to_contain_text("first function")


def test_a_save_refused_while_the_database_restarts_is_kept_and_sent_again(page):
    """The server answers 503 + Retry-After while PostgreSQL is down (tests/faults); the editor keeps the change."""
    open_blank(page)
    refused = []

    def database_down_once(route):
        if not refused:
            refused.append(route.request.post_data_json)
            body = {
                "errors": [{"path": "", "message": "the database is unavailable for a moment; nothing was changed"}]
            }
            route.fulfill(
                status=503, headers={"Retry-After": "1"}, content_type="application/json", body=json.dumps(body)
            )
        else:
            route.continue_()

    page.route(re.compile(r"/designer/\d+/save$"), database_down_once)
    drop(page, "AWS Lambda", 200, 200)
    expect(page.locator("#save-status")).to_have_text("Server busy: changes kept here, retrying…")
    saved(page)
    assert len(refused) == 1
    assert len(refused[0]["data"]["nodes"]) == 1
    page.reload()
    page.wait_for_selector("#editor[data-ready='true']")
    assert len(page.evaluate("archlab.state.nodes")) == 1


def test_a_finding_shows_its_services_from_the_keyboard(page):
    open_blank(page)
    drop(page, "Amazon SQS", 150, 200)
    drop(page, "Amazon SNS", 450, 200)
    saved(page)
    finding = page.locator("#findings li.finding[data-nodes]:not([data-nodes=''])").first
    named = finding.get_attribute("data-nodes").split()
    finding.focus()
    page.keyboard.press("Enter")
    page.wait_for_function("archlab.cy.$(':selected').length > 0")
    assert sorted(page.evaluate("archlab.cy.$(':selected').map(e => e.id())")) == sorted(named)


def test_a_skip_link_leads_past_the_toolbar_and_palette_to_the_services(page):
    page.goto("/designer/new/")
    page.get_by_role("button", name="Open Saga starter").click()
    page.wait_for_selector("#editor[data-ready='true']")
    skip = page.get_by_role("link", name="Skip to the services in this diagram")
    skip.focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.closest('#node-list') !== null")
    assert focused, page.evaluate("document.activeElement.outerHTML.slice(0, 120)")


def test_the_description_is_edited_in_the_editor_and_saved_with_the_diagram(page):
    open_blank(page)
    drop(page, "AWS Lambda", 200, 200)
    saved(page)
    page.get_by_text("Description (none yet)").click()
    box = page.locator("#diagram-description")
    box.fill("Orders flow.\nAssumes 50 requests a second at peak.")
    box.press("Tab")  # leaving the box is a change: autosaved like any other
    page.wait_for_function(
        "archlab.state.description && document.querySelector('#save-status').textContent.startsWith('Saved')"
    )
    page.reload()
    page.wait_for_selector("#editor[data-ready='true']")
    assert page.locator("#diagram-description").input_value() == "Orders flow.\nAssumes 50 requests a second at peak."
    page.locator("summary", has_text="Description").click()
    page.locator("#diagram-description").fill("   ")
    page.locator("#diagram-description").press("Tab")
    page.wait_for_function("archlab.state.description === undefined")
    saved(page)
