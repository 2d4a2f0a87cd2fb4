"""The workshop bank: 20 questions served verbatim, every part gradable, every sample answer in its band."""

import re
from pathlib import Path

import pytest
import yaml

from designer.domain.catalog import load_catalog
from designer.domain.patterns import PATTERN_IDS
from designer.domain.rules import load_rules
from quiz.grading import grade

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT.parent / "shared" / "seeds" / "000_9a1cb6557230f2ae.txt"
bank = yaml.safe_load((ROOT / "quiz" / "content" / "workshop.yaml").read_text())
samples = yaml.safe_load((ROOT / "quiz" / "content" / "samples" / "workshop.yaml").read_text())["samples"]
QUESTIONS = bank["questions"]
BY_ID = {q["id"]: q for q in QUESTIONS}
SECTIONS = [
    "AWS Lambda advanced patterns",
    "API Gateway and GraphQL with AppSync",
    "Step Functions for workflows",
    "EventBridge, SQS and SNS",
]


def parts_of(kind):
    return [(q["id"], p) for q in QUESTIONS for p in q["parts"] if p["type"] == kind]


def test_the_bank_holds_the_20_questions_in_four_sections_of_five():
    assert [q["id"] for q in QUESTIONS] == [f"ws-{i:02d}" for i in range(1, 21)]
    assert [q["section"] for q in QUESTIONS] == [s for s in SECTIONS for _ in range(5)]


def test_prompts_are_the_seed_questions_verbatim():
    if not SEED.exists():
        pytest.skip(f"the seed documents are not beside this checkout ({SEED.parent})")
    seed = " ".join(SEED.read_text().split())
    for q in QUESTIONS:
        assert " ".join(q["prompt"].split()) in seed, q["id"]


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda q: q["id"])
def test_each_question_teaches_with_an_explanation_sources_and_a_text_part(question):
    assert len(question["explanation"].split()) >= 150
    assert question["sources"]
    assert all(s["url"].startswith("https://") for s in question["sources"])
    assert [p["type"] for p in question["parts"]].count("text") == 1
    assert set(question.get("patterns", [])) <= set(PATTERN_IDS)


@pytest.mark.parametrize(
    ("qid", "part"), parts_of("choice") + parts_of("multi"), ids=lambda x: x if isinstance(x, str) else x["id"]
)
def test_every_option_explains_itself(qid, part):
    assert all(o["why"].strip() for o in part["options"])
    correct = [o for o in part["options"] if o.get("correct")]
    assert len(correct) == 1 if part["type"] == "choice" else len(correct) >= 2


@pytest.mark.parametrize(("qid", "part"), parts_of("numeric"), ids=lambda x: x if isinstance(x, str) else x["id"])
def test_numeric_parts_have_unit_and_tolerance_and_grade_their_answer(qid, part):
    assert part["unit"]
    assert part["tolerance"] >= 0
    result = grade(BY_ID[qid], {part["id"]: part["answer"]})
    assert next(p for p in result.parts if p.id == part["id"]).feedback["given"] == part["answer"]


@pytest.mark.parametrize(("qid", "part"), parts_of("text"), ids=lambda x: x if isinstance(x, str) else x["id"])
def test_rubric_patterns_compile(qid, part):
    for item in part["rubric"] + part.get("misconceptions", []):
        for pattern in item["match"]:
            re.compile(pattern, re.IGNORECASE)
        assert item["explain"]


def test_at_least_eight_questions_have_design_parts_naming_known_things():
    design = parts_of("design")
    assert len({qid for qid, _ in design}) >= 8
    rules, types = set(load_rules()), set(load_catalog().types)
    for _, part in design:
        req = part["require"]
        assert set(req.get("patterns_complete", [])) | set(req.get("patterns", [])) <= set(PATTERN_IDS)
        assert set(req.get("rules_absent", [])) <= rules
        assert set(req.get("services", [])) <= types


SAMPLES = [(entry["question"], entry["part"], s["band"], s["text"]) for entry in samples for s in entry["samples"]]


def test_every_text_part_has_strong_partial_and_wrong_samples():
    bands = {}
    for qid, part_id, band, _ in SAMPLES:
        bands.setdefault((qid, part_id), set()).add(band)
    assert set(bands) == {(qid, p["id"]) for qid, p in parts_of("text")}
    assert all(b >= {"strong", "partial", "wrong"} for b in bands.values())


@pytest.mark.parametrize(("qid", "part_id", "band", "text"), SAMPLES, ids=[f"{s[0]}-{s[2]}" for s in SAMPLES])
def test_sample_answers_grade_into_their_band(qid, part_id, band, text):
    result = next(p for p in grade(BY_ID[qid], {part_id: text}).parts if p.id == part_id)
    share = result.score / result.max
    misconceptions = result.feedback["misconceptions"]
    if band == "strong":
        assert share >= 0.7
        assert not misconceptions
    elif band == "partial":
        assert 0.3 <= share < 0.7
        assert not misconceptions
    else:
        assert share < 0.3 or misconceptions
