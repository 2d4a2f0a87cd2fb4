"""Every rubric says, with examples, what earns each concept and what states each misconception; the grader agrees
with every example, and the question's own explanation (a correct answer) states no misconception."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from quiz.claims import grade_text, question_prompts, question_text

CONTENT = Path(__file__).resolve().parents[2] / "quiz" / "content"
NOTHING = {"id": "_", "explain": "_", "match": ["(?!)"]}


def text_parts() -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    for path in sorted(CONTENT.glob("*.yaml")):
        for question in yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]:
            for part in question["parts"]:
                if part["type"] == "text":
                    yield question, part


def examples() -> Iterator[Any]:
    for question, part in text_parts():
        for concept in part["rubric"]:
            for kind in ("claims", "not"):
                for text in (concept.get("examples") or {}).get(kind, ()):
                    yield pytest.param(
                        question, concept, None, kind, text, id=f"{question['id']}/{concept['id']}/{kind}"
                    )
        for wrong in part.get("misconceptions") or ():
            for kind in ("stated", "not"):
                for text in (wrong.get("examples") or {}).get(kind, ()):
                    yield pytest.param(question, None, wrong, kind, text, id=f"{question['id']}/{wrong['id']}/{kind}")


@pytest.mark.parametrize(("question", "concept", "wrong", "kind", "text"), list(examples()))
def test_each_example_is_read_as_its_rubric_says(question, concept, wrong, kind, text):
    part = {"rubric": [concept], "misconceptions": []} if concept else {"rubric": [NOTHING], "misconceptions": [wrong]}
    _, feedback = grade_text(part, text, question_text(question), question_prompts(question))
    if concept:
        assert bool(feedback["found"]) is (kind == "claims"), text
    else:
        named = [m["id"] for m in feedback["misconceptions"] if not m.get("negated")]
        assert (wrong["id"] in named) is (kind == "stated"), text


def test_every_concept_and_misconception_has_examples_both_ways():
    for question, part in text_parts():
        for concept in part["rubric"]:
            ex = concept.get("examples") or {}
            assert ex.get("claims"), f"{question['id']}/{concept['id']}"
            assert ex.get("not"), f"{question['id']}/{concept['id']}"
        for wrong in part.get("misconceptions") or ():
            ex = wrong.get("examples") or {}
            assert ex.get("stated"), f"{question['id']}/{wrong['id']}"
            assert ex.get("not"), f"{question['id']}/{wrong['id']}"


@pytest.mark.parametrize(("question", "part"), list(text_parts()), ids=lambda v: v["id"])
def test_the_explanation_of_a_question_states_none_of_its_misconceptions(question, part):
    fraction, feedback = grade_text(part, question["explanation"], question_text(question), question_prompts(question))
    assert [m["id"] for m in feedback["misconceptions"] if not m.get("negated")] == []
    assert fraction >= 0.8
