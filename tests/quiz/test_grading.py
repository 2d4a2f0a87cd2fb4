import json
from pathlib import Path

import pytest

from quiz.grading import grade

ROOT = Path(__file__).resolve().parents[2]

QUESTION = {
    "id": "t-01",
    "explanation": "Because.",
    "parts": [
        {
            "id": "pick",
            "type": "choice",
            "points": 2,
            "options": [
                {"id": "a", "text": "A", "correct": True, "why": "A is right"},
                {"id": "b", "text": "B", "correct": False, "why": "B is wrong"},
            ],
        },
        {
            "id": "many",
            "type": "multi",
            "points": 2,
            "options": [
                {"id": "x", "correct": True, "why": "x"},
                {"id": "y", "correct": True, "why": "y"},
                {"id": "z", "correct": False, "why": "z"},
                {"id": "w", "correct": False, "why": "w"},
            ],
        },
        {
            "id": "limit",
            "type": "numeric",
            "points": 1,
            "answer": 1024,
            "unit": "KB",
            "tolerance": 0,
            "outdated": [{"answer": 256, "note": "256 KB before 2025", "credit": 0.5}],
        },
        {
            "id": "explain",
            "type": "text",
            "points": 4,
            "rubric": [
                {"id": "dlq", "weight": 3, "explain": "Failures need a DLQ.", "match": [r"dead[- ]letter", r"\bdlq\b"]},
                {"id": "idem", "weight": 1, "explain": "Retries repeat work.", "match": [r"idempoten"]},
            ],
            "misconceptions": [{"id": "once", "explain": "Lambda is at least once.", "match": [r"exactly[- ]once"]}],
        },
    ],
}


def part(result, part_id):
    return next(p for p in result.parts if p.id == part_id)


def test_a_perfect_answer_scores_100():
    result = grade(
        QUESTION, {"pick": "a", "many": ["x", "y"], "limit": 1024, "explain": "Add a DLQ. Keep it idempotent."}
    )
    assert result.score == 100
    assert part(result, "pick").feedback["why"] == "A is right"


def test_parts_left_out_score_zero_and_the_total_is_weighted_by_points():
    result = grade(QUESTION, {"pick": "a"})
    assert [p.score for p in result.parts] == [2, 0, 0, 0]
    assert result.score == round(100 * 2 / 9)


@pytest.mark.parametrize(
    ("chosen", "score"),
    [(["x", "y"], 2), (["x"], 1), (["x", "z"], 0), (["x", "y", "z"], 1), (["z", "w"], 0), ([], 0)],
)
def test_multi_select_counts_every_option_and_never_goes_below_zero(chosen, score):
    assert part(grade(QUESTION, {"many": chosen}), "many").score == score


def test_an_outdated_figure_earns_partial_credit_and_says_what_changed():
    result = part(grade(QUESTION, {"limit": 256}), "limit")
    assert result.score == 0.5
    assert result.feedback["outdated"] == "256 KB before 2025"


def test_numeric_answers_given_as_text_are_read():
    assert part(grade(QUESTION, {"limit": " 1024 "}), "limit").score == 1
    assert "is not a number" in part(grade(QUESTION, {"limit": "lots"}), "limit").feedback["error"]


def test_free_text_reports_the_sentence_that_matched_and_what_was_missed():
    result = part(grade(QUESTION, {"explain": "Retries happen. Send failures to a dead-letter queue!"}), "explain")
    assert result.score == 3
    assert result.feedback["found"] == [{"concept": "dlq", "evidence": "Send failures to a dead-letter queue!"}]
    assert result.feedback["missed"][0]["concept"] == "idem"


def test_misconceptions_are_detected_and_explained():
    result = part(grade(QUESTION, {"explain": "FIFO gives exactly-once processing in Lambda."}), "explain")
    assert result.feedback["misconceptions"][0]["id"] == "once"
    assert result.feedback["misconceptions"][0]["explain"] == "Lambda is at least once."


@pytest.mark.parametrize("bad", [{"pick": 3}, {"many": "x"}, {"many": ["nope"]}, {"limit": [1]}, {"explain": None}])
def test_malformed_answers_score_zero_with_feedback_not_an_error(bad):
    result = grade(QUESTION, bad)
    assert result.score == 0


DESIGN = {
    "id": "t-02",
    "parts": [
        {
            "id": "build",
            "type": "design",
            "points": 4,
            "require": {
                "patterns_complete": ["fan-out"],
                "services": ["sns", "sqs"],
                "rules_absent": ["unbuffered-fan-out-subscriber"],
            },
        }
    ],
}


def test_a_design_part_is_graded_by_the_validator():
    starter = json.loads((ROOT / "designer" / "data" / "starters" / "fan-out.json").read_text())
    result = part(grade(DESIGN, {"build": starter}), "build")
    assert result.score == 4
    assert result.feedback["unmet"] == []


def test_a_broken_design_loses_the_requirements_it_misses():
    diagram = {
        "nodes": [{"id": "t", "type": "sns"}, {"id": "a", "type": "lambda"}, {"id": "b", "type": "lambda"}],
        "edges": [{"from": "t", "to": "a"}, {"from": "t", "to": "b"}],
    }
    result = part(grade(DESIGN, {"build": diagram}), "build")
    assert result.feedback["unmet"] == [
        "pattern fan-out complete",
        "service sqs used",
        "rule unbuffered-fan-out-subscriber does not fire",
    ]
    assert result.score == 1


def test_an_invalid_design_reports_the_parse_errors():
    result = part(grade(DESIGN, {"build": {"nodes": [{"id": "x", "type": "mainframe"}]}}), "build")
    assert result.score == 0
    assert result.feedback["errors"][0]["path"] == "nodes[0].type"
