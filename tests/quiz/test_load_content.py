"""load_content: every bank loads, twice gives the same rows, updates happen in place and attempts survive."""

import shutil
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command

from quiz.banks import BankError
from quiz.models import Attempt, Bank, Question
from quiz.services import attempt_create, content_load, question_data_save

ROOT = Path(__file__).resolve().parents[2]
CONTENT = ROOT / "quiz" / "content"
pytestmark = pytest.mark.django_db


def rows():
    return sorted(
        Question.objects.values_list(
            "id", "qid", "bank__slug", "position", "section", "title", "source_hash", "retired"
        )
    )


@pytest.fixture
def content(tmp_path):
    """A copy of quiz/content/ the test may change."""
    target = tmp_path / "content"
    shutil.copytree(CONTENT, target)
    return target


def edit_bank(path, change):
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))


def test_every_question_of_every_bank_loads():
    report = content_load()
    expected = sum(len(yaml.safe_load(p.read_text())["questions"]) for p in CONTENT.glob("*.yaml"))
    assert report.created == Question.objects.count() == expected
    assert set(Bank.objects.values_list("slug", flat=True)) == {"workshop", "patterns-guide", "exam-traps"}
    assert Question.objects.get(qid="ws-17").data["parts"][0]["id"] == "choose-service"


def test_loading_twice_gives_the_same_rows():
    content_load()
    first = rows()
    report = content_load()
    assert rows() == first
    assert (report.created, report.updated, report.unchanged) == (0, 0, len(first))


def test_a_changed_question_is_updated_in_place_and_keeps_its_attempts(content, learner):
    content_load(directory=content)
    question = Question.objects.get(qid="ws-17")
    attempt = attempt_create(question=question, responses={"choose-service": "sns-sqs"}, learner=learner)
    edit_bank(content / "workshop.yaml", lambda d: d["questions"][16].update(title="SNS and SQS, revised"))
    report = content_load(directory=content)
    assert report.updated == 1
    question.refresh_from_db()
    assert question.title == "SNS and SQS, revised"
    assert Question.objects.filter(qid="ws-17").count() == 1
    assert Attempt.objects.get(pk=attempt.pk).question_id == question.pk


def test_a_question_removed_from_its_file_is_retired_not_deleted(content, learner):
    content_load(directory=content)
    attempt_create(question=Question.objects.get(qid="trap-01"), responses={"verdict": "false"}, learner=learner)
    edit_bank(content / "exam-traps.yaml", lambda d: d["questions"].pop(0))
    report = content_load(directory=content)
    assert report.retired == 1
    assert Question.objects.get(qid="trap-01").retired
    assert Attempt.objects.filter(question__qid="trap-01").count() == 1
    edit_bank(
        content / "exam-traps.yaml",
        lambda d: d["questions"].insert(0, yaml.safe_load((CONTENT / "exam-traps.yaml").read_text())["questions"][0]),
    )
    content_load(directory=content)
    assert not Question.objects.get(qid="trap-01").retired


def test_an_admin_edit_survives_until_the_file_changes_or_force(content):
    content_load(directory=content)
    question = Question.objects.get(qid="pg-01")
    question_data_save(question=question, data={**question.data, "title": "Edited in the admin"})
    content_load(directory=content)
    assert Question.objects.get(qid="pg-01").title == "Edited in the admin"
    content_load(directory=content, force=True)
    assert Question.objects.get(qid="pg-01").title == "Which runtime starts slowest, and what to do about it"


def test_a_broken_file_loads_nothing_and_names_the_file_and_question(content):
    edit_bank(content / "patterns-guide.yaml", lambda d: d["questions"][1]["parts"][0]["options"][0].pop("why"))
    edit_bank(content / "exam-traps.yaml", lambda d: d["questions"][2].update(section=""))
    with pytest.raises(BankError) as caught:
        content_load(directory=content)
    assert Question.objects.count() == 0
    assert any(
        p.startswith(f"{content}/patterns-guide.yaml: question pg-02: parts[0] (approval): options[0].why")
        for p in caught.value.problems
    )
    assert any("exam-traps.yaml: question trap-03: section: required" in p for p in caught.value.problems)


def test_a_question_id_used_by_two_banks_is_refused(content):
    edit_bank(content / "exam-traps.yaml", lambda d: d["questions"][0].update(id="ws-01"))
    with pytest.raises(BankError, match="question ws-01: the id is also used by bank"):
        content_load(directory=content)


def test_the_command_reports_and_fails_loudly(content):
    out = StringIO()
    call_command("load_content", stdout=out)
    assert "3 bank(s)" in out.getvalue()
    assert "42 created" in out.getvalue()
    (content / "broken.yaml").write_text("bank: Not A Slug\nquestions: []\n")
    with pytest.raises(
        CommandError, match=r"no bank was loaded; 2 problem\(s\):\n  .*broken.yaml: 'bank' must be a slug"
    ):
        call_command("load_content", "--dir", str(content))
    with pytest.raises(CommandError, match="is not a directory"):
        call_command("load_content", "--dir", str(content / "nope"))
