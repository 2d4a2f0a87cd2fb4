"""Designer figures: page weight (JS + CSS, gzip), save + validate + findings round trip of a 50-node diagram
(p50/p95), and the time for a 200-node diagram to open and become interactive in headless Chromium.

Targets: page weight at most 400 KB; round trip p95 within 100 ms; 200-node open within 1 s.
Run: .venv/bin/python tests/bench/bench_designer.py   (needs /usr/bin/chromium for the last figure)
"""

from __future__ import annotations

import gzip
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "bench"))
DB = Path(tempfile.mkdtemp()) / "bench.sqlite3"
os.environ.update({"DATABASE_URL": f"sqlite:///{DB}", "SECRET_KEY": "bench-only", "DEBUG": "false"})
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()
from bench_validate import generate  # noqa: E402
from django.contrib.staticfiles import finders  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

call_command("migrate", verbosity=0)


def create(client: Client, n: int) -> tuple[int, dict]:
    response = client.post("/designer/new/", {"name": f"bench {n}"})
    pk = int(response["Location"].strip("/").split("/")[-1])
    data = generate(n)
    data.pop("traffic")
    for i, node in enumerate(data["nodes"]):
        node["position"] = {"x": (i % 20) * 200, "y": (i // 20) * 120}
    return pk, data


def page_weight(client: Client, pk: int) -> None:
    html = client.get(f"/designer/{pk}/").content.decode()
    urls = re.findall(r'(?:src|href)="/static/([^"]+\.(?:js|css))"', html)
    total = 0
    for url in urls:
        path = finders.find(url)
        size = len(gzip.compress(Path(path).read_bytes(), 9))
        total += size
        print(f"  {url:<45} {size / 1024:7.1f} KB gzip")
    print(f"page weight (JS + CSS, gzip): {total / 1024:.1f} KB (target at most 400 KB)")


def round_trip(client: Client) -> None:
    pk, data = create(client, 50)
    version = 1
    times = []
    for i in range(60):
        data["name"] = f"bench 50 #{i}"
        body = json.dumps({"data": data, "base_version": version})
        start = time.perf_counter()
        response = client.post(f"/designer/{pk}/save", body, content_type="application/json")
        times.append((time.perf_counter() - start) * 1000)
        version = response.json()["version"]
    times = times[10:]
    p95 = statistics.quantiles(times, n=20)[18]
    print(
        f"save + validate + findings, 50 nodes: p50 {statistics.median(times):.1f} ms, p95 {p95:.1f} ms (target p95 within 100 ms)"
    )


def open_in_chromium(client: Client) -> None:
    chromium = "/usr/bin/chromium"
    if not Path(chromium).exists():
        print("200-node open: skipped (no /usr/bin/chromium)")
        return
    pk, data = create(client, 200)
    client.post(f"/designer/{pk}/save", json.dumps({"data": data, "base_version": 1}), content_type="application/json")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload", "--insecure"],
        cwd=ROOT,
        env={**os.environ, "DEBUG": "true"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        from playwright.sync_api import sync_playwright

        from tests.e2e.conftest import LAUNCH_ARGS

        for _ in range(50):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.2)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=LAUNCH_ARGS)
            context = browser.new_context()
            page = context.new_page()
            session = client.cookies["sessionid"].value
            context.add_cookies([{"name": "sessionid", "value": session, "url": f"http://127.0.0.1:{port}"}])
            runs = []
            for _ in range(5):
                start = time.perf_counter()
                page.goto(f"http://127.0.0.1:{port}/designer/{pk}/")
                page.wait_for_selector("#editor[data-ready='true']")
                page.evaluate("archlab.cy.nodes().length")
                runs.append((time.perf_counter() - start) * 1000)
            browser.close()
        print(
            f"200-node diagram open and interactive: median {statistics.median(runs):.0f} ms over 5 loads (target within 1,000 ms)"
        )
    finally:
        server.terminate()


def main() -> None:
    client = Client()
    pk, _ = create(client, 10)
    page_weight(client, pk)
    round_trip(client)
    open_in_chromium(client)


if __name__ == "__main__":
    main()
