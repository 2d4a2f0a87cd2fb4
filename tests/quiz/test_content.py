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


# --- Every bank of quiz/content/, including the ones beyond the workshop -------------------------------------

CONTENT = ROOT / "quiz" / "content"
BANKS = {p.stem: yaml.safe_load(p.read_text()) for p in sorted(CONTENT.glob("*.yaml"))}
ALL_QUESTIONS = [q for b in BANKS.values() for q in b["questions"]]
ALL_BY_ID = {q["id"]: q for q in ALL_QUESTIONS}
SEEDS = ROOT.parent / "shared" / "seeds"
ALL_SAMPLES = [
    (entry["question"], entry["part"], s["band"], s["text"])
    for path in sorted((CONTENT / "samples").glob("*.yaml"))
    for entry in yaml.safe_load(path.read_text())["samples"]
    for s in entry["samples"]
]


def test_question_ids_are_unique_across_banks():
    ids = [q["id"] for q in ALL_QUESTIONS]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize(
    ("bank", "seed", "count"),
    [("patterns-guide", "001_f2a1eda68922f40e.txt", 5), ("exam-traps", "002_1c192e7bd5184ac6.txt", 17)],
)
def test_the_new_banks_serve_their_seed_prompts_verbatim(bank, seed, count):
    questions = BANKS[bank]["questions"]
    assert len(questions) == count
    path = SEEDS / seed
    if not path.exists():
        pytest.skip(f"the seed documents are not beside this checkout ({SEEDS})")
    text = " ".join(path.read_text().split())
    for q in questions:
        assert " ".join(q["prompt"].split()) in text, q["id"]


def test_the_patterns_guide_holds_the_five_quiz_questions_in_order():
    prompts = [q["prompt"].strip() for q in BANKS["patterns-guide"]["questions"]]
    assert prompts == [
        "Which Lambda runtime has the longest cold start time?",
        "What are the key differences between Step Functions Standard and Express?",
        "What is the difference between Provisioned Concurrency and Reserved Concurrency?",
        "What are the pros and cons of DynamoDB single-table design?",
        "When should you NOT choose Serverless?",
    ]


@pytest.mark.parametrize("question", BANKS["exam-traps"]["questions"], ids=lambda q: q["id"])
def test_each_trap_is_a_true_or_false_item_with_an_explanation(question):
    [part] = question["parts"]
    assert part["type"] == "choice"
    assert [(o["id"], o["text"]) for o in part["options"]] == [("true", "True"), ("false", "False")]
    assert len(question["explanation"].split()) >= 120
    assert question["sources"]


@pytest.mark.parametrize(
    ("qid", "dated", "current"),
    [
        ("pg-02", "at-least-once", "at-most-once"),  # the seed's Express guarantee is only half the story
        ("pg-05", "WebSocket", "AppSync Events"),  # WebSockets do not rule serverless out
        ("pg-03", "0.0000000150", "0.0000097222"),  # the seed's provisioned-concurrency duration price is wrong
        ("trap-06", "500", "1,000 new execution environments every 10 seconds"),
        ("trap-12", "500", "1,000 new execution environments every 10 seconds"),
        ("trap-09", "loses", "100,015 times over 23 days"),
        ("trap-08", "visibility", "six times the function timeout"),
        ("trap-14", "Destinations", "S3 bucket"),
        ("trap-11", "29", "4 June 2024"),
        ("trap-17", "filter", "each subscription carries its own filter policy"),
    ],
)
def test_explanations_correct_the_dated_claims_with_current_figures(qid, dated, current):
    text = ALL_BY_ID[qid]["explanation"]
    assert dated in text or dated in ALL_BY_ID[qid]["prompt"]
    assert current in text


@pytest.mark.parametrize("question", ALL_QUESTIONS, ids=lambda q: q["id"])
def test_every_option_of_every_bank_explains_itself(question):
    for part in question["parts"]:
        for option in part.get("options") or ():
            assert option["why"].strip(), (question["id"], part["id"], option["id"])


def test_every_text_part_of_every_bank_has_three_samples():
    bands = {}
    for qid, part_id, band, _ in ALL_SAMPLES:
        bands.setdefault((qid, part_id), set()).add(band)
    text_parts = {(q["id"], p["id"]) for q in ALL_QUESTIONS for p in q["parts"] if p["type"] == "text"}
    assert set(bands) == text_parts
    assert all(b >= {"strong", "partial", "wrong"} for b in bands.values())


NEW_SAMPLES = [s for s in ALL_SAMPLES if not s[0].startswith("ws-")]


@pytest.mark.parametrize(("qid", "part_id", "band", "text"), NEW_SAMPLES, ids=[f"{s[0]}-{s[2]}" for s in NEW_SAMPLES])
def test_new_bank_samples_grade_into_their_band(qid, part_id, band, text):
    _check_band(ALL_BY_ID[qid], part_id, band, text)


def _check_band(question, part_id, band, text):
    result = next(p for p in grade(question, {part_id: text}).parts if p.id == part_id)
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
