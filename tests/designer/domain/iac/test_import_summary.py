"""The name and description an imported diagram gets from its template's Description and the import notes."""

import pytest

from designer.domain.diagram import CONTROL
from designer.domain.iac import ImportNote, from_template
from designer.domain.iac.import_summary import DESCRIPTION_LIMIT, description_text, import_description, short_name


@pytest.mark.parametrize(
    ("raw", "cleaned"),
    [
        (
            "Streams changes to EventBridge (uksb-1tthgi812) (tag:dynamodb-eventbridge)",
            "Streams changes to EventBridge",
        ),
        ("(uksb-1tthgi812) (tag:apigw-sfn)\nA workflow\n", "A workflow"),
        ("Template  to enrich data  (UKSB-1TTHGI812)", "Template to enrich data"),
        ("(SO0111) - AWS Security Hub findings (qs-1ph8nehb7)", "AWS Security Hub findings"),
        ("Orders (v2) API", "Orders (v2) API"),  # other parentheses stay
        ("bell\x07 and\ttab", "bell and tab"),
        (["not", "text"], ""),
        ("(uksb-1tthgi812)", ""),
    ],
)
def test_descriptions_lose_tracking_markers_and_control_characters(raw, cleaned):
    assert description_text(raw) == cleaned


@pytest.mark.parametrize(
    ("description", "name"),
    [
        ("Serverless patterns - EventBridge to Lambda", "Serverless patterns - EventBridge to Lambda"),
        ("Orders API. Takes orders and stores them in a table.", "Orders API"),
        ("An Amazon API Gateway REST API that integrates with an Amazon DynamoDB table.",
         "An Amazon API Gateway REST API that integrates with an Amazon DynamoDB table"),
        ("sam-app\nSample SAM Template for sam-app", "sam-app"),
        ("A Lambda function triggered by an AWS API Gateway HTTP APIs call through an Amazon SQS Queue for buffering",
         "A Lambda function triggered by an AWS API Gateway HTTP APIs call through an…"),
        ("An API, a queue and a worker that together take orders from partners and ship them to the warehouse",
         "An API, a queue and a worker that together take orders from partners and ship…"),
        ("x" * 120, "x" * 80 + "…"),
        ("", ""),
    ],
)  # fmt: skip
def test_names_are_the_first_sentence_or_about_80_characters(description, name):
    assert short_name(description) == name
    assert len(short_name(description)) <= 81


def test_the_description_lists_left_out_resources_before_those_only_read():
    notes = [
        ImportNote("Role", "AWS::IAM::Role", "read for the permissions its policies grant"),
        ImportNote("LogA", "AWS::Logs::LogGroup", "configuration of a service, not a service of its own; left out"),
        ImportNote("LogB", "AWS::Logs::LogGroup", "configuration of a service, not a service of its own; left out"),
    ]
    assert import_description("Orders", notes).splitlines() == [
        "Orders",
        "",
        "Import notes (what the import left out, approximated or changed):",
        "- LogA, LogB (AWS::Logs::LogGroup): configuration of a service, not a service of its own; left out",
        "- Role (AWS::IAM::Role): read for the permissions its policies grant",
    ]
    assert import_description("Orders", []) == "Orders"


def test_the_description_fits_the_format_however_many_notes_there_are():
    notes = [ImportNote(f"Thing{i}", "Custom::Thing", f"reason {i} \x00 " + "x" * 300) for i in range(200)]
    text = import_description("d" * 5000, notes)
    assert len(text) <= DESCRIPTION_LIMIT
    assert not CONTROL.search(text.replace("\n", " "))
    assert text.splitlines()[-1].startswith("- … and ")
    assert text.splitlines()[-1].split()[3].isdigit()


def test_an_exported_diagram_does_not_repeat_its_name_as_its_description():
    text = (
        "Description: Orders (exported by Archlab)\nMetadata: {Archlab: {name: Orders}}\n"
        "Resources:\n  Q: {Type: AWS::SQS::Queue}\n"
    )
    d = from_template(text).diagram
    assert (d.name, d.description) == ("Orders", "")
