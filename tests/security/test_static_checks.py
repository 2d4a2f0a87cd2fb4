"""Checks on the source: no template holds what the Content-Security-Policy blocks (inline script, style
attributes or blocks, event-handler attributes, javascript: URLs), and bandit finds nothing that is not justified
inline (``# nosec`` with a reason)."""

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted(p for p in ROOT.glob("templates/**/*.html")) + sorted(ROOT.glob("*/templates/**/*.html"))
BLOCKED = {
    "a style attribute": re.compile(r"\sstyle\s*=", re.IGNORECASE),
    "a <style> block": re.compile(r"<style[\s>]", re.IGNORECASE),
    "an inline <script>": re.compile(r"<script(?![^>]*\ssrc=)(?![^>]*type=\"application/json\")[^>]*>", re.IGNORECASE),
    "an event-handler attribute": re.compile(r"\son[a-z]+\s*=\s*[\"']", re.IGNORECASE),
    "a javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
    "an hx-on attribute (evaluated as script)": re.compile(r"\shx-on[:-]", re.IGNORECASE),
}


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_templates_hold_nothing_the_content_security_policy_blocks(template):
    name = str(template.relative_to(ROOT))
    text = template.read_text()
    found = [what for what, pattern in BLOCKED.items() if pattern.search(text)]
    assert found == [], f"{name} holds {', '.join(found)}"


def test_the_checks_see_what_they_look_for():
    samples = {
        "a style attribute": '<span style="--v: 3%">',
        "a <style> block": "<style>body{}</style>",
        "an inline <script>": "<script>alert(1)</script>",
        "an event-handler attribute": '<img onerror="x()">',
        "a javascript: URL": '<a href="javascript:x()">',
        "an hx-on attribute (evaluated as script)": '<div hx-on:click="x()">',
    }
    for what, sample in samples.items():
        assert BLOCKED[what].search(sample), what
    assert not BLOCKED["an inline <script>"].search('<script src="/static/x.js" defer></script>')
    assert not BLOCKED["an inline <script>"].search('<script id="d" type="application/json">{}</script>')


def test_bandit_finds_nothing_unjustified():
    if shutil.which("bandit", path=str(Path(sys.executable).parent)) is None:
        pytest.skip("bandit is not installed (pip install -e '.[dev]')")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bandit",
            "-q",
            "-f",
            "json",
            "-r",
            "accounts",
            "config",
            "designer",
            "quiz",
            "reviews",
            "workshops",
            "manage.py",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    report = json.loads(done.stdout)
    found = {(r["filename"].removeprefix("./"), r["test_id"]): r["issue_text"] for r in report["results"]}
    assert found == {}, "justify each inline (# nosec BXXX with the reason before it) or fix it"
