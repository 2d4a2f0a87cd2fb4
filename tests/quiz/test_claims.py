"""The free-text grader's own rules, on a small rubric of its own: prose earns, lists and echoes and praise do
not, claims need what they are said of, misconceptions cost and cap, and odd input is read fairly."""

from __future__ import annotations

import pytest

from quiz.claims import MISCONCEPTION_CAP, grade_text
from quiz.reading import looks_english, read

LIMIT = {
    "id": "limit",
    "weight": 2,
    "explain": "One invocation runs at most 15 minutes.",
    "match": [r"\b15[- ]?min", r"\b900\s*s"],
    "about": [r"lambda", r"function", r"invocation", r"\bit\b"],
    "says": [r"at most", r"max", r"limit", r"up to", r"can run", r"times? out"],
}
QUEUE = {
    "id": "queue",
    "weight": 2,
    "explain": "A queue buffers the work.",
    "match": [r"\bqueue"],
    "says": [r"buffer", r"absorb", r"hold", r"wait"],
}
FIVE = {
    "id": "five-minutes",
    "explain": "The limit has been 15 minutes since 2018, not 5.",
    "source": {
        "title": "Lambda quotas",
        "url": "https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html",
    },
    "match": [r"\b(5|five)[- ]?min"],
    "about": [r"lambda", r"function", r"\bit\b"],
    "says": [r"max", r"limit", r"only", r"at most", r"stops?"],
    "contradicts": ["limit"],
    "unless": [r"\bschedul", r"\bping"],
}
PART = {"rubric": [LIMIT, QUEUE], "misconceptions": [FIVE]}
QUESTION = "What is the longest a Lambda function can run, and how would you handle images that take longer?"


def score(text: str, part=PART) -> tuple[float, dict]:
    return grade_text(part, text, QUESTION)


def found(feedback: dict) -> set[str]:
    return {f["concept"] for f in feedback["found"]}


def test_a_claim_in_a_sentence_earns_the_concept_and_quotes_it():
    fraction, feedback = score("A single Lambda invocation can run for at most 15 minutes.")
    assert fraction == pytest.approx(0.5)
    assert feedback["found"] == [
        {"concept": "limit", "evidence": "A single Lambda invocation can run for at most 15 minutes."}
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Lambda 15 minutes timeout Step Functions Fargate queue buffer",  # a list of terms
        "- Lambda max 15 min\n- queue buffer",  # bullet fragments
        "LIMITS\n15 min",  # a heading and a term
    ],
)
def test_terms_that_are_not_sentences_earn_nothing_and_say_why(text):
    fraction, feedback = score(text)
    assert fraction == 0
    unread = [m["unread"] for m in feedback["missed"] if "unread" in m]
    assert unread
    assert all("not a sentence" in u["why"] for u in unread)


def test_full_sentences_in_bullets_are_fine():
    fraction, _ = score("- Lambda can run for at most 15 minutes.\n- A queue holds the work until a worker is free.")
    assert fraction == 1


def test_the_figure_said_of_something_else_is_no_claim():
    fraction, feedback = score("Some of our images take 15 minutes to resize, which is slow.")
    assert fraction == 0
    assert "names the idea without saying what of it" in feedback["missed"][0]["unread"]["why"]


def test_the_question_pasted_back_earns_nothing():
    fraction, feedback = score(
        "The longest a Lambda function can run, and how would you handle images that take longer."
    )
    assert fraction == 0
    assert any("repeats the question" in u["why"] for u in feedback["reading"]["unread"])


def test_the_question_reworded_by_small_words_earns_nothing():
    # Every meaningful word of the prompt in its order, joined by other small words: still the question.
    text = "Longest Lambda function to run, then to handle images which take longer: here it is."
    fraction, feedback = score(text)
    assert fraction == 0
    assert read(text, QUESTION)[0].echoed
    assert not read("A Lambda function can run for at most 15 minutes, so longer images go to Fargate.", QUESTION)[
        0
    ].echoed


def test_a_comparison_is_not_taken_for_an_html_tag():
    text = "Provisioned <= reserved, e.g. reserve 100 -> the function can run 15 minutes at most."
    assert "reserve 100" in read(text)[0].text
    assert "<b>" not in read("<b>Lambda</b> can run 15 minutes at most.")[0].text


def test_a_claim_buried_in_praise_earns_nothing():
    fraction, feedback = score("Our robust, scalable, optimal and seamless queue holds everything.")
    assert fraction == 0
    assert "praise says nothing" in feedback["missed"][1]["unread"]["why"]


def test_praise_earns_nothing_and_cannot_lift_a_weak_answer():
    weak = "I would use a queue."
    padded = (
        "This optimal, highly scalable, well-architected and robust solution leverages best practices. "
        + weak
        + " It is a seamless, cost-effective, cutting-edge and resilient architecture."
    )
    assert score(padded)[0] == score(weak)[0] == 0


def test_a_denied_concept_earns_nothing_and_is_shown_with_its_sentence():
    fraction, feedback = score("I would not use a queue to hold the work.")
    assert fraction == 0
    assert feedback["missed"][1]["negated"] == "I would not use a queue to hold the work."


def test_a_stated_misconception_is_named_cancels_its_concept_costs_and_caps():
    text = (
        "Lambda can only run for 5 minutes, so it stops before the big images finish. "
        "It can run for at most 15 minutes on the new settings. A queue holds the work until a worker is free."
    )
    fraction, feedback = score(text)
    [named] = feedback["misconceptions"]
    assert named["id"] == "five-minutes"
    assert named["source"]["url"].startswith("https://docs.aws.amazon.com/")
    assert found(feedback) == {"queue"}  # the limit is cancelled by the belief that contradicts it
    assert fraction == pytest.approx((2 - 1) / 4)  # queue earned, the misconception costs 1
    free = {**FIVE, "cost": 0}  # even a belief that costs nothing holds the part to the cap
    full = "Lambda stops after 5 minutes. A queue holds the work. Lambda can run at most 15 minutes."
    assert score(full, {"rubric": [QUEUE], "misconceptions": [free]})[0] == MISCONCEPTION_CAP == 0.6


@pytest.mark.parametrize(
    "text",
    [
        "Lambda's limit is not 5 minutes but 15.",  # denied
        "Lambda used to stop at 5 minutes, before 2018.",  # history
        "It is a myth that a Lambda function can only run 5 minutes.",  # reported
        "Many people think Lambda stops at 5 minutes.",  # other people's belief
        'The "Lambda stops at 5 minutes" idea is outdated.',  # judged old
        "Claims that a function can only run 5 minutes are old.",
        "A scheduled ping every 5 minutes keeps one function warm at most.",  # says something else (unless)
    ],
)
def test_what_only_mentions_a_misconception_is_not_held_against_the_learner(text):
    _, feedback = score(text)
    assert [m for m in feedback["misconceptions"] if not m.get("negated")] == []


def test_a_misconception_counts_in_a_fragment_too():
    _, feedback = score("- lambda max 5 min")
    assert [m["id"] for m in feedback["misconceptions"]] == ["five-minutes"]


@pytest.mark.parametrize(
    ("text", "english"),
    [
        (
            "Lambda peut fonctionner au maximum 15 minutes, donc pour les grandes images il faut utiliser Fargate.",
            False,
        ),
        (
            "Eine Lambda-Funktion kann höchstens 15 Minuten laufen, deshalb würde ich die großen Bilder mit Fargate machen.",
            False,
        ),
        ("Lambda 函数最多可以运行 15 分钟，所以大图片需要用 Fargate 处理，并用 Step Functions 选择路径。", False),
        ("Lambda can run for at most 15 minutes, so the big images go to Fargate through a workflow.", True),
        ("Lambda 15 min Fargate Step Functions", True),  # short or a list: no language to tell
    ],
)
def test_an_answer_not_in_english_is_told_so(text, english):
    assert looks_english(text) is english
    _, feedback = score(text)
    assert ("language" in feedback["reading"]) is (not english)


def test_html_markdown_emoji_and_code_are_read_fairly():
    text = (
        "**Lambda** can run for <b>at most</b> 15 minutes 🚀.\n\n"
        "```python\nqueue = boto3.client('sqs')  # the queue holds the work\n```\n"
        "_A queue_ holds the work until a worker is free."
    )
    fraction, feedback = score(text)
    assert fraction == 1
    assert {f["concept"] for f in feedback["found"]} == {"limit", "queue"}
    code = [s for s in read(text) if "boto3" in s.text]
    assert code
    assert not code[0].prose  # code is not prose: the comment inside it earns nothing


@pytest.mark.parametrize("text", ["", "   ", "🚀🚀🚀", "<script>alert(1)</script>", "?" * 10_000, "a " * 5_000])
def test_odd_input_is_graded_without_error(text):
    fraction, feedback = score(text)
    assert fraction == 0
    assert set(feedback) >= {"found", "missed", "misconceptions", "reading"}


@pytest.mark.parametrize(
    "text",
    [
        "Set the timeout to its limit of 15 minutes and split longer work.",
        "Don't guess: set the limit to 15 minutes.",
        "There is no way around it; limit each run to 15 minutes.",
    ],
)
def test_a_command_is_said_of_the_design_and_needs_no_other_subject(text):
    assert read(text)[0].command
    assert found(score(text)[1]) == {"limit"}


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("Resume writing is a useful skill.", False),  # a verb opening a noun phrase
        ("The limit is 15 minutes.", False),
        ("Then use a queue.", True),
    ],
)
def test_what_counts_as_a_command(text, command):
    assert read(text)[0].command is command


def test_a_command_states_no_wrong_belief_without_naming_what_it_is_said_of():
    _, feedback = score("Cap each run at five minutes.")
    assert feedback["misconceptions"] == []
    _, feedback = score("Cap each run at five minutes, because Lambda stops at five minutes max.")
    assert [m["id"] for m in feedback["misconceptions"]] == ["five-minutes"]
