"""Responses are checked before grading, from JSON and from the page's form, with a path for every problem."""

import json
from pathlib import Path

import pytest
import yaml

from quiz.answers import MAX_DIAGRAM_BYTES, check, from_form
from quiz.grading import MAX_TEXT

ROOT = Path(__file__).resolve().parents[2]
WS17 = next(
    q
    for q in yaml.safe_load((ROOT / "quiz" / "content" / "workshop.yaml").read_text())["questions"]
    if q["id"] == "ws-17"
)
FAN_OUT = json.loads((ROOT / "designer" / "data" / "starters" / "fan-out.json").read_text())


def paths(problems):
    return [p.path for p in problems]


def test_good_responses_pass_unchanged():
    responses = {
        "choose-service": "sns-sqs",
        "retention": 14,
        "facts": ["push", "pull"],
        "explain": "SNS pushes.",
        "build-it": FAN_OUT,
    }
    clean, problems = check(WS17, responses)
    assert problems == []
    assert clean == responses


@pytest.mark.parametrize(
    ("responses", "path", "message"),
    [
        ([], "responses", "must be an object"),
        ({}, "responses", "answer at least one part"),
        ({"nope": 1}, "responses.nope", "this question has no part 'nope'"),
        ({"choose-service": "sns"}, "responses.choose-service", "'sns' is not one of the options (sns-sqs, sqs-only"),
        ({"choose-service": 3}, "responses.choose-service", "3 is not one of the options"),
        ({"facts": "push"}, "responses.facts", "must be a list of option ids"),
        ({"facts": ["push", "shove"]}, "responses.facts[1]", "'shove' is not one of the options"),
        (
            {"retention": "two weeks"},
            "responses.retention",
            "must be a number (in days, without the unit), not 'two weeks'",
        ),
        ({"retention": True}, "responses.retention", "must be a number"),
        ({"explain": ["a"]}, "responses.explain", "must be text, not a list"),
        ({"explain": "x" * (MAX_TEXT + 1)}, "responses.explain", "answers are graded up to 10,000"),
        ({"build-it": "{}"}, "responses.build-it", "must be a diagram"),
        ({"build-it": {"diagram": 12}}, "responses.build-it.diagram", "12 is not a diagram you can open"),
        ({"build-it": {"nodes": [{"id": "a", "type": "lamda"}]}}, "responses.build-it.nodes[0].type", "lamda"),
    ],
)
def test_each_bad_response_is_refused_with_its_path(responses, path, message):
    clean, problems = check(WS17, responses)
    assert path in paths(problems), problems
    assert any(message in p.message for p in problems if p.path == path), problems


def test_a_numeric_string_is_read_as_a_number_and_an_empty_text_is_unanswered():
    clean, problems = check(WS17, {"retention": " 14 ", "explain": "   ", "choose-service": None})
    assert problems == []
    assert clean == {"retention": 14}


def test_the_form_reads_every_kind_of_part():
    form = from_form(
        WS17,
        {
            "part-choose-service": ["sns-sqs"],
            "part-retention": ["14 days"],
            "part-facts": ["push", "raw"],
            "part-explain": ["SNS pushes to every subscriber."],
            "part-build-it": [json.dumps(FAN_OUT)],
        },
    )
    assert form.problems == []
    assert form.responses["retention"] == 14
    assert form.responses["facts"] == ["push", "raw"]
    assert form.responses["build-it"]["format"] == "archlab/diagram@1"


@pytest.mark.parametrize(
    ("typed", "number"), [("1,024", 1024), ("$10.95", 10.95), ("14 days", 14), ("1e3", 1000), ("-2.5", -2.5)]
)
def test_the_form_accepts_numbers_as_people_type_them(typed, number):
    assert from_form(WS17, {"part-retention": [typed]}).responses["retention"] == number


def test_a_bad_form_keeps_everything_typed_and_names_the_parts():
    typed = {
        "part-retention": ["fourteen"],
        "part-explain": ["My long answer."],
        "part-build-it": ["{not json"],
        "part-facts": ["push"],
    }
    form = from_form(WS17, typed)
    assert sorted(paths(form.problems)) == ["responses.build-it", "responses.retention"]
    assert "not valid JSON" in next(p.message for p in form.problems if p.path == "responses.build-it")
    assert form.raw == {
        "choose-service": "",
        "retention": "fourteen",
        "facts": ["push"],
        "explain": "My long answer.",
        "build-it": "{not json",
    }


def test_an_empty_form_asks_for_at_least_one_answer():
    assert paths(from_form(WS17, {}).problems) == ["responses"]


def test_an_uploaded_diagram_file_wins_and_is_shown_back_as_text():
    form = from_form(WS17, {"part-build-it": [""]}, {"part-build-it-file": json.dumps(FAN_OUT).encode()})
    assert form.problems == []
    assert json.loads(form.raw["build-it"]) == FAN_OUT


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"\xff\xfe\x00", "not UTF-8 text"), (b"x" * (MAX_DIAGRAM_BYTES + 1), "larger than 1,000,000 bytes")],
)
def test_unreadable_uploads_are_refused(content, message):
    [problem] = from_form(WS17, {}, {"part-build-it-file": content}).problems
    assert problem.path == "responses.build-it"
    assert message in problem.message
