"""export_bank and import_bank: a bank goes out as Moodle XML and comes back into the database or a YAML file."""

from io import StringIO

import pytest
import yaml
from django.core.management import CommandError, call_command

from quiz.models import Bank, Question
from tests.quiz.test_moodle import PLAIN_MOODLE, normalised

pytestmark = pytest.mark.django_db


def export(bank="workshop"):
    out = StringIO()
    call_command("export_bank", bank, "--format", "moodle-xml", stdout=out)
    return out.getvalue()


def test_export_writes_moodle_xml_to_standard_output(loaded):
    xml = export()
    assert xml.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<quiz>')
    assert xml.count('<question type="category">') == 4
    assert "<idnumber>ws-17/choose-service</idnumber>" in xml


def test_export_then_import_restores_a_bank_in_place(loaded, tmp_path):
    before = {q.qid: q.data for q in Question.objects.filter(bank__slug="workshop")}
    path = tmp_path / "workshop.xml"
    path.write_text(export())
    Question.objects.filter(qid="ws-17").update(title="changed", source_hash="")
    out = StringIO()
    call_command("import_bank", str(path), "--force", stdout=out)
    assert "1 bank(s) (workshop): 0 created, 20 updated" in out.getvalue()
    after = {q.qid: q.data for q in Question.objects.filter(bank__slug="workshop")}
    assert {k: normalised(v) for k, v in after.items()} == {k: normalised(v) for k, v in before.items()}
    assert Question.objects.get(qid="ws-17").title == "SNS fan-out, SQS queues, and both together"


def test_import_to_yaml_writes_a_bank_file_that_loads(loaded, tmp_path):
    path = tmp_path / "traps.xml"
    path.write_text(export("exam-traps"))
    target = tmp_path / "traps.yaml"
    call_command("import_bank", str(path), "--to-yaml", str(target), stderr=StringIO())
    data = yaml.safe_load(target.read_text())
    assert data["bank"] == "exam-traps"
    assert len(data["questions"]) == 17


def test_a_plain_moodle_file_becomes_a_new_bank_with_warnings(db, tmp_path):
    path = tmp_path / "cloud.xml"
    path.write_text(PLAIN_MOODLE)
    err = StringIO()
    call_command("import_bank", str(path), "--bank", "cloud", stdout=StringIO(), stderr=err)
    assert "warning: Match them: skipped" in err.getvalue()
    assert Bank.objects.get(slug="cloud").title == "Cloud basics"
    assert Question.objects.filter(bank__slug="cloud").count() == 3


@pytest.mark.parametrize(
    ("content", "message"),
    [("<quiz><oops>", "not well-formed XML"), ("<notquiz/>", "root element")],
)
def test_import_refuses_what_it_cannot_read(db, tmp_path, content, message):
    path = tmp_path / "bad.xml"
    path.write_text(content)
    with pytest.raises(CommandError, match=message):
        call_command("import_bank", str(path))


def test_import_and_export_name_what_is_missing(db, tmp_path):
    with pytest.raises(CommandError, match="cannot be read"):
        call_command("import_bank", str(tmp_path / "missing.xml"))
    with pytest.raises(CommandError, match=r"no bank 'nope' \(banks: none; run manage.py load_content\)"):
        call_command("export_bank", "nope", "--format", "moodle-xml")
