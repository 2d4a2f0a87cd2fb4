"""Every link on the site's pages leads somewhere: a crawl from the home page, as a visitor with a diagram."""

import re
from collections import deque
from urllib.parse import urldefrag, urlsplit

import pytest
from django.test import Client

from quiz.services import content_load

pytestmark = pytest.mark.django_db
HREF = re.compile(r'<a\s[^>]*href="([^"]+)"')
# Downloads, sign-out and pages that change state on GET are not followed; their own tests cover them.
SKIP = re.compile(r"\.(png|svg|csv|json|mmd|dot|yaml|sam)$|/export|/logout|/api/")
MAX_PAGES = 400


def test_every_internal_link_answers(client: Client):
    content_load()
    created = client.post("/designer/new/", {"starter": "sync"})
    assert created.status_code == 302
    pk = int(created["Location"].strip("/").split("/")[-1])
    data = client.get(f"/api/diagrams/{pk}/").json()["data"]
    for node in data["nodes"]:  # a finding (with its links to questions and patterns) for the editor to show
        if node["type"] == "lambda":
            node["config"]["timeout_s"] = 600
    saved = client.post(f"/designer/{pk}/save", {"data": data, "base_version": 1}, content_type="application/json")
    assert saved.json()["report"]["findings"]
    broken: dict[str, str] = {}
    seen = {"/", created["Location"]}
    todo = deque(seen)
    pages = 0
    while todo and pages < MAX_PAGES:
        path = todo.popleft()
        response = client.get(path)
        pages += 1
        if response.status_code >= 400:
            broken[path] = str(response.status_code)
            continue
        if "text/html" not in response.get("Content-Type", ""):
            continue
        for href in HREF.findall(response.content.decode()):
            target = urldefrag(href.replace("&amp;", "&"))[0]
            parts = urlsplit(target)
            if parts.scheme or parts.netloc or not target.startswith("/") or SKIP.search(parts.path):
                continue
            if target not in seen:
                seen.add(target)
                todo.append(target)
    assert broken == {}
    assert pages > 60  # the crawl did reach the catalog, the quiz and the editor's links
