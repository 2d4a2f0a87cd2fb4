"""The grader puts every calibration answer (quiz/content/calibration/, written without the rubrics) in its band:
strong, partial and weak answers where a teacher would, gaming answers (term lists, the question pasted back,
praise) low, and answers built on a misconception capped and told their error."""

from __future__ import annotations

import pytest

from tests.quiz.calibration import BANDS, GAMING, answers, evaluate, grade_one, questions

BANK = questions()
ANSWERS = answers()


def test_every_text_part_has_every_kind_of_answer():
    parts = {(q["id"], p["id"]) for q in BANK.values() for p in q["parts"] if p["type"] == "text"}
    kinds: dict[tuple[str, str], set[str]] = {}
    for a in ANSWERS:
        kinds.setdefault((a.question, a.part), set()).add(a.kind)
    assert set(kinds) == parts
    assert all(k >= set(BANDS) for k in kinds.values()), {p: set(BANDS) - k for p, k in kinds.items()}


def test_every_misconception_answer_names_a_misconception_of_its_part():
    for a in ANSWERS:
        if a.kind != "misconception":
            continue
        part = next(p for p in BANK[a.question]["parts"] if p["id"] == a.part)
        assert a.misconception in {m["id"] for m in part.get("misconceptions") or ()}, a.name


@pytest.mark.parametrize("answer", ANSWERS, ids=lambda a: f"{a.name}/{ANSWERS.index(a)}")
def test_each_answer_lands_in_its_band(answer):
    outcome = grade_one(answer, BANK)
    low, high = BANDS[answer.kind]
    assert low - 1e-9 <= outcome.score <= high + 1e-9, f"{outcome.score:.2f} not in {low}-{high}: {answer.text[:200]}"
    if answer.kind == "misconception":
        assert answer.misconception in outcome.named, f"named {outcome.named}: {answer.text[:200]}"


def test_over_the_whole_set_the_targets_hold():
    summary = evaluate()
    in_band, total = summary.share(("strong", "partial", "weak"), "in_band")
    assert in_band / total >= 0.9
    low, total = summary.share(GAMING, "in_band")
    assert low / total >= 0.95
    named, total = summary.share(("misconception",), "named_right")
    assert named / total >= 0.9
    capped, total = summary.share(("misconception",), "in_band")
    assert capped / total >= 0.9
