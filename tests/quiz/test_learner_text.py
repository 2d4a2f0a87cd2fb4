"""What learners read speaks of the product and of AWS: no word of how the content was made ("the seed", a
transcription), no grading internals, no internal rule ids, in any bank, and every correction names a source."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from designer.domain.rules import load_rules

CONTENT = Path(__file__).resolve().parents[2] / "quiz" / "content"
BANKS = sorted(CONTENT.glob("*.yaml"))
# Keys whose text learners never see: ids, patterns, and the calibration of the grader.
HIDDEN = {
    "id",
    "rules",
    "match",
    "about",
    "says",
    "examples",
    "contradicts",
    "url",
    "require",
    "patterns",
    "bank",
    "section",
}
INTERNAL = re.compile(r"\b(seeds?|transcription|rubric|regex|catalog flags)\b", re.IGNORECASE)


def texts(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key not in HIDDEN:
                yield from texts(item, f"{path}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from texts(item, f"{path}[{i}]")
    elif isinstance(value, str):
        yield path, value


@pytest.mark.parametrize("bank", BANKS, ids=lambda p: p.stem)
def test_learner_text_says_nothing_of_how_it_was_made(bank):
    data = yaml.safe_load(bank.read_text(encoding="utf-8"))
    rule_ids = re.compile(r"\b(" + "|".join(re.escape(r) for r in load_rules()) + r")\b")
    leaks = []
    for question in data["questions"]:
        for path, text in texts(question, question["id"]):
            if INTERNAL.search(text) or rule_ids.search(text):
                leaks.append(f"{path}: {text[:120]}")
    assert leaks == []


@pytest.mark.parametrize("bank", BANKS, ids=lambda p: p.stem)
def test_every_misconception_corrects_and_names_a_source_a_learner_can_open(bank):
    data = yaml.safe_load(bank.read_text(encoding="utf-8"))
    for question in data["questions"]:
        for part in question["parts"]:
            for wrong in part.get("misconceptions") or ():
                where = f"{question['id']}/{part['id']}/{wrong['id']}"
                assert len(wrong["explain"]) > 30, where
                assert wrong.get("source", {}).get("url", "").startswith("https://"), where
                concepts = {c["id"] for c in part["rubric"]}
                assert set(wrong.get("contradicts") or ()) <= concepts, where
