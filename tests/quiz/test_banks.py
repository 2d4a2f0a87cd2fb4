"""Bank files: every problem is named with its file, question and place; good banks load."""

import copy
from pathlib import Path

import pytest
import yaml

from quiz.banks import BankError, check_bank, read_bank, section_slug

ROOT = Path(__file__).resolve().parents[2]
WORKSHOP = yaml.safe_load((ROOT / "quiz" / "content" / "workshop.yaml").read_text())


def bank_with(change):
    data = copy.deepcopy(WORKSHOP)
    change(data["questions"][2])
    return data


def problems_of(change):
    return check_bank(bank_with(change), where="quiz/content/workshop.yaml")


@pytest.mark.parametrize("path", sorted((ROOT / "quiz" / "content").glob("*.yaml")), ids=lambda p: p.name)
def test_every_bank_file_reads_without_problems(path):
    bank = read_bank(path)
    assert bank.questions


def test_problems_name_the_file_the_question_and_the_part():
    def bad_regex(q):
        q["parts"][3]["rubric"][1]["match"][0] = "(unclosed"

    [problem] = problems_of(bad_regex)
    assert problem.startswith("quiz/content/workshop.yaml: question ws-03: parts[3] (explain): rubric[1].match[0]:")
    assert "not a valid regular expression" in problem


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda q: q.pop("prompt"), "prompt: required"),
        (lambda q: q["parts"][0].update(type="essay"), "type: must be one of choice, multi, numeric, text, design"),
        (lambda q: q["parts"][0]["options"][0].pop("why"), "options[0].why: required"),
        (lambda q: q["parts"][0]["options"][1].update(correct=True), "exactly one correct option"),
        (lambda q: q["parts"][1].update(tolerance=-1), "tolerance: must be a number of at least 0"),
        (lambda q: q["parts"][1].pop("unit"), "unit: required"),
        (lambda q: q["parts"][-1]["require"].update(services=["lamda"]), "require.services: 'lamda' is not known"),
        (lambda q: q.update(patterns=["fan-in"]), "patterns: 'fan-in' is not known"),
        (lambda q: q["sources"].append({"title": "x", "url": "http://example.com"}), "must be an https:// address"),
        (lambda q: q["parts"].append(copy.deepcopy(q["parts"][0])), "is used by another part of this question"),
        (lambda q: q["parts"][0].update(points=0), "points: must be a number above 0"),
        (lambda q: q["parts"][3]["rubric"][0].update(weight="heavy"), "rubric[0].weight: must be a number above 0"),
    ],
)
def test_each_kind_of_mistake_is_reported_clearly(change, expected):
    problems = problems_of(change)
    assert any(expected in p and "question ws-03" in p for p in problems), problems


def test_a_duplicate_question_id_is_reported():
    data = copy.deepcopy(WORKSHOP)
    data["questions"][5]["id"] = "ws-01"
    assert any("question ws-01: the id is also used by questions[0]" in p for p in check_bank(data, where="f.yaml"))


def test_a_broken_yaml_file_names_the_line(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("bank: x\nquestions:\n  - id: a\n    prompt: one: two\n")
    with pytest.raises(BankError, match=r"broken.yaml: not valid YAML at line 4"):
        read_bank(path, label="broken.yaml")


def test_not_a_bank_at_all():
    assert check_bank(["a"], where="f.yaml") == [
        "f.yaml: a bank file is a mapping with 'bank' and 'questions', not a list"
    ]
    assert "'questions' must be a non-empty list" in check_bank({"bank": "x", "questions": []}, where="f.yaml")[0]


@pytest.mark.parametrize(
    ("section", "slug"),
    [
        ("EventBridge, SQS and SNS", "eventbridge-sqs-and-sns"),
        ("API Gateway and GraphQL with AppSync", "api-gateway-and-graphql-with-appsync"),
        ("!!", "general"),
    ],
)
def test_section_slugs(section, slug):
    assert section_slug(section) == slug
