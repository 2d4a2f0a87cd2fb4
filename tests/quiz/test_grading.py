import json
from pathlib import Path

import pytest
import yaml

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


# --- Negation: a concept named only to be denied earns nothing ------------------------------------------------

WORKSHOP = yaml.safe_load((ROOT / "quiz" / "content" / "workshop.yaml").read_text())["questions"]
WS_08 = next(q for q in WORKSHOP if q["id"] == "ws-08")
DENIED_EVERYTHING = (
    "I would NOT return 202 Accepted with a job id. I would never use S3 or presigned URLs, no polling a status "
    "endpoint and no WebSocket. There is no async worker. The default timeout cannot be raised."
)


def explain(text, question=QUESTION):
    return part(grade(question, {"explain": text}), "explain")


def test_an_answer_that_denies_every_concept_scores_nothing():
    result = explain(DENIED_EVERYTHING, WS_08)
    assert result.score == 0  # 5.4 of 6 before negation was read
    assert result.feedback["found"] == []
    denied = {m["concept"]: m["negated"] for m in result.feedback["missed"] if "negated" in m}
    assert denied == {
        "accept": "I would NOT return 202 Accepted with a job id.",
        "worker": "There is no async worker.",
        "s3-url": "I would never use S3 or presigned URLs, no polling a status endpoint and no WebSocket.",
        "notify": "I would never use S3 or presigned URLs, no polling a status endpoint and no WebSocket.",
        "nuance": "The default timeout cannot be raised.",
    }


def test_a_denied_concept_is_reported_with_the_misconceptions_when_the_part_has_them():
    result = explain("The default timeout cannot be raised.", WS_08)
    assert result.feedback["misconceptions"] == [
        {
            "id": "nuance",
            "evidence": "The default timeout cannot be raised.",
            "explain": next(c["explain"] for c in WS_08["parts"][3]["rubric"] if c["id"] == "nuance"),
            "negated": True,
        }
    ]


def test_a_denied_concept_is_not_reported_as_a_misconception_when_the_part_lists_none():
    question = {**QUESTION, "parts": [{**QUESTION["parts"][3], "misconceptions": []}]}
    result = explain("There is no DLQ.", question)
    assert result.feedback["misconceptions"] == []
    assert result.feedback["missed"][0] == {
        "concept": "dlq",
        "explain": "Failures need a DLQ.",
        "negated": "There is no DLQ.",
    }


@pytest.mark.parametrize(
    "text",
    [
        "I would not add a DLQ.",
        "I wouldn't add a DLQ.",
        "I dont need a DLQ.",
        "I never add a DLQ.",
        "I cannot add a DLQ.",
        "I can't add a DLQ.",
        "There is no DLQ.",
        "None of the queues gets a DLQ.",
        "Nothing lands in a DLQ.",
        "Neither a DLQ nor retries.",
        "Retries, nor a DLQ.",
        "Handle failures without a DLQ.",
        "Retry in code instead of a DLQ.",
        "Retry in code rather than a DLQ.",
        "A DLQ is not needed.",
        "The DLQ isn't needed.",
    ],
)
def test_each_negation_cue_denies_the_concept_it_governs(text):
    result = explain(text)
    assert result.score == 0
    assert result.feedback["missed"][0]["negated"] == text


@pytest.mark.parametrize(
    ("text", "concept"),
    [
        ("The client does not wait: it gets 202 and polls a status endpoint.", "accept"),
        ("The client does not wait: it gets 202 and polls a status endpoint.", "notify"),
        ("Don't hold the connection open; return 202 with a job id.", "accept"),
        ("The client doesn't wait and gets 202 right away.", "accept"),
        ("Instead of waiting, the API returns 202 Accepted.", "accept"),
        ("Return 202 Accepted, not a 504 after 29 seconds.", "accept"),
        ("There is no need to hold the connection open: return 202 Accepted with a job id.", "accept"),
        ("There is no need to keep the client waiting, so return 202 Accepted.", "accept"),
        ("API Gateway's 29 s limit can be raised for Regional REST APIs.", "nuance"),
        ("29 s is not a hard limit any more: Regional REST APIs can request more since June 2024.", "nuance"),
        ("If the report is not ready, the client polls the status endpoint again.", "notify"),
        ("Use a WebSocket that doesn't need polling.", "notify"),
        ("Not only does it return 202, it also hands back a job id.", "accept"),
        ("It returns 202 at once without waiting for the background job.", "accept"),
        ("Store the report in S3 without making the bucket public.", "s3-url"),
    ],
)
def test_legitimate_negative_phrasing_still_earns_the_concept(text, concept):
    result = explain(text, WS_08)
    assert concept in {f["concept"] for f in result.feedback["found"]}
    assert result.feedback["misconceptions"] == []


def test_a_concept_asserted_in_one_sentence_and_denied_in_another_earns_credit():
    result = explain("I would not add a DLQ at first. Later, add a DLQ.")
    assert result.feedback["found"] == [{"concept": "dlq", "evidence": "Later, add a DLQ."}]
    assert result.feedback["misconceptions"] == []


@pytest.mark.parametrize(
    "text",
    [
        "Without a DLQ the failed message comes back until retention ends.",  # a condition, not a denial
        "If there is no DLQ, the message comes back until retention ends.",
        "A DLQ is not only useful, it is needed.",
    ],
)
def test_supposing_a_negation_denies_nothing(text):
    assert explain(text).score == 3


def test_a_denied_misconception_is_not_reported():
    assert explain("FIFO does not give exactly-once processing in Lambda.").feedback["misconceptions"] == []
    assert explain("FIFO gives exactly-once processing in Lambda.").feedback["misconceptions"][0]["id"] == "once"


def test_a_pattern_that_spells_out_a_negation_matches_its_own_negative_statement():
    question = {
        "id": "t-03",
        "parts": [
            {
                "id": "explain",
                "type": "text",
                "rubric": [
                    {"id": "cached", "explain": "Hits never reach Lambda.", "match": [r"never reach(es)? lambda"]}
                ],
                "misconceptions": [],
            }
        ],
    }
    assert explain("A cache hit never reaches Lambda.", question).score == 1
