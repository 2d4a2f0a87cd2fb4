"""Moodle XML: a bank survives export and import; Moodle's own files import too; bad files are refused."""

import copy
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from quiz.banks import check_bank
from quiz.moodle import MoodleError, export_bank, import_bank

ROOT = Path(__file__).resolve().parents[2]
CONTENT = ROOT / "quiz" / "content"
BANKS = {p.stem: yaml.safe_load(p.read_text()) for p in sorted(CONTENT.glob("*.yaml"))}


def normalised(question):
    """Defaults written out, so that "points omitted" and "points: 1" compare equal."""
    q = copy.deepcopy(question)
    for part in q["parts"]:
        part.setdefault("points", 1)
        for old in part.get("outdated") or ():
            old.setdefault("credit", 0.5)
    return q


def round_trip(bank):
    xml = export_bank(slug=bank["bank"], title=bank["title"], questions=bank["questions"])
    return xml, import_bank(xml)


@pytest.mark.parametrize("name", sorted(BANKS))
def test_every_bank_survives_a_round_trip_unchanged(name):
    bank = BANKS[name]
    _, imported = round_trip(bank)
    assert imported.warnings == []
    assert (imported.slug, imported.title) == (bank["bank"], bank["title"])
    assert [normalised(q) for q in imported.questions] == [normalised(q) for q in bank["questions"]]
    assert check_bank(imported.to_dict(), where="x") == []


@pytest.mark.parametrize(
    ("qid", "part_id"),
    [
        ("ws-17", "choose-service"),
        ("ws-17", "facts"),
        ("ws-01", "max-timeout"),
        ("ws-17", "explain"),
        ("ws-17", "build-it"),
    ],
    ids=["choice", "multi", "numeric-with-outdated-answer", "text-as-essay", "design-as-essay"],
)
def test_each_part_type_round_trips_field_by_field(qid, part_id):
    question = next(q for q in BANKS["workshop"]["questions"] if q["id"] == qid)
    part = next(p for p in question["parts"] if p["id"] == part_id)
    _, imported = round_trip({"bank": "t", "title": "T", "questions": [question]})
    back = next(p for p in imported.questions[0]["parts"] if p["id"] == part["id"])
    assert normalised({"parts": [back]}) == normalised({"parts": [part]})


def moodle_question(xml, idnumber):
    root = ET.fromstring(xml)
    return next(q for q in root.iter("question") if q.findtext("idnumber") == idnumber)


def test_the_export_is_plain_moodle_for_moodle_itself():
    xml, _ = round_trip(BANKS["workshop"])
    ws17 = [q for q in ET.fromstring(xml).iter("question") if (q.findtext("idnumber") or "").startswith("ws-17/")]
    assert [q.get("type") for q in ws17] == ["multichoice", "numerical", "multichoice", "essay", "essay"]
    choice = moodle_question(xml, "ws-17/choose-service")
    assert choice.findtext("single") == "true"
    assert [a.get("fraction") for a in choice.findall("answer")] == ["100", "0", "0", "0"]
    assert choice.find("answer/feedback/text").text.startswith("SNS copies each message")
    multi = moodle_question(xml, "ws-17/facts")
    assert [a.get("fraction") for a in multi.findall("answer")] == ["25", "25", "25", "25", "-25", "-25"]
    numeric = moodle_question(xml, "ws-01/max-timeout")
    assert [(a.findtext("text"), a.get("fraction"), a.findtext("tolerance")) for a in numeric.findall("answer")] == [
        ("900", "100", "0"),
        ("300", "25", "0"),
    ]
    assert numeric.findtext("units/unit/unit_name") == "s"
    essay = moodle_question(xml, "ws-17/explain")
    assert "weight 2" in essay.findtext("graderinfo/text")
    assert float(essay.findtext("defaultgrade")) == 6


def test_edits_made_in_moodle_are_kept_on_import():
    xml, _ = round_trip(BANKS["workshop"])
    root = ET.fromstring(xml)
    choice = next(q for q in root.iter("question") if q.findtext("idnumber") == "ws-17/choose-service")
    choice.find("answer/feedback/text").text = "Edited in Moodle."
    choice.find("defaultgrade").text = "2"
    imported = import_bank(ET.tostring(root))
    part = next(q for q in imported.questions if q["id"] == "ws-17")["parts"][0]
    assert part["options"][0]["why"] == "Edited in Moodle."
    assert part["points"] == 2


PLAIN_MOODLE = """<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="category"><category><text>$course$/top/Cloud basics/Queues</text></category></question>
  <question type="multichoice">
    <name><text>Queue retention</text></name>
    <questiontext format="html"><text><![CDATA[<p>How long can SQS keep a message?</p>]]></text></questiontext>
    <single>true</single>
    <answer fraction="100"><text>14 days</text><feedback><text>The maximum.</text></feedback></answer>
    <answer fraction="0"><text>4 days</text><feedback><text>The default.</text></feedback></answer>
  </question>
  <question type="truefalse">
    <name><text>SNS stores</text></name>
    <questiontext format="html"><text>SNS stores messages for later.</text></questiontext>
    <answer fraction="0"><text>true</text><feedback><text>It does not.</text></feedback></answer>
    <answer fraction="100"><text>false</text><feedback><text>Right.</text></feedback></answer>
  </question>
  <question type="numerical">
    <name><text>Timeout</text></name>
    <questiontext format="html"><text>Maximum Lambda timeout in seconds?</text></questiontext>
    <answer fraction="100"><text>900</text><tolerance>0</tolerance></answer>
  </question>
  <question type="matching"><name><text>Match them</text></name><questiontext><text>x</text></questiontext></question>
</quiz>"""


def test_a_plain_moodle_file_imports_as_one_part_questions():
    imported = import_bank(PLAIN_MOODLE, slug="cloud")
    assert [q["id"] for q in imported.questions] == ["queue-retention", "sns-stores", "timeout"]
    assert imported.title == "Cloud basics"
    first = imported.questions[0]
    assert first["section"] == "Queues"
    assert first["prompt"] == "How long can SQS keep a message?"
    assert first["parts"][0]["options"][0] == {"id": "a", "text": "14 days", "correct": True, "why": "The maximum."}
    assert imported.questions[1]["parts"][0]["options"][1]["id"] == "false"
    assert imported.questions[2]["parts"][0] == {
        "type": "numeric",
        "answer": 900,
        "unit": "count",
        "tolerance": 0,
        "id": "answer",
        "prompt": "Your answer",
        "points": 1,
    }
    assert imported.warnings == [
        "Match them: skipped, Moodle 'matching' questions have no Archlab equivalent without a rubric"
    ]
    assert check_bank(imported.to_dict(), where="cloud.xml") == []


@pytest.mark.parametrize(
    ("text", "message"),
    [("<quiz><question>", "not well-formed XML"), ("<html></html>", "has <quiz> as its root element")],
)
def test_files_that_are_not_moodle_xml_are_refused(text, message):
    with pytest.raises(MoodleError, match=message):
        import_bank(text)


def test_tricky_text_survives_html_and_comments():
    question = copy.deepcopy(BANKS["workshop"]["questions"][0])
    question["prompt"] = "Line one <b>not bold</b> & more -->\nLine two with -- dashes"
    question["parts"][3]["rubric"][0]["match"].append("a--b<!--c-->")
    _, imported = round_trip({"bank": "t", "title": "T & <T>", "questions": [question]})
    assert imported.title == "T & <T>"
    assert imported.questions[0]["prompt"] == question["prompt"]
    assert imported.questions[0]["parts"][3]["rubric"][0]["match"][-1] == "a--b<!--c-->"
