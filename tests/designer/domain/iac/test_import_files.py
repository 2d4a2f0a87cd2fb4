"""Files beside a template: definitions, OpenAPI documents and nested stacks are read relative to the template,
inside the imported folder only, within the caps; whatever cannot be read is a note, never an error page."""

from __future__ import annotations

import json
import time

import pytest

from designer.domain.diagram import DiagramError
from designer.domain.iac import from_template, from_templates
from designer.domain.iac.files import MAX_FILE_BYTES, MAX_FILES, FileReader, FileSet, resolve


def edges(result):
    d = result.diagram
    return {(d.label(e.source), e.kind, d.label(e.target)) for e in d.edges}


def notes(result, resource=None):
    return [n.note for n in result.notes if resource is None or n.resource == resource]


MACHINE = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Charge: {Type: AWS::Serverless::Function, Properties: {Runtime: python3.13, Handler: a.h, InlineCode: x}}
  Orders: {Type: AWS::Serverless::SimpleTable}
  Flow:
    Type: AWS::Serverless::StateMachine
    Properties:
      DefinitionUri: %s
      DefinitionSubstitutions: {ChargeArn: !GetAtt Charge.Arn, OrdersTable: !Ref Orders}
"""

DEFINITION = {
    "StartAt": "Charge",
    "States": {
        "Charge": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "${ChargeArn}"},
            "TimeoutSeconds": 30,
            "Next": "Save",
        },
        "Save": {
            "Type": "Task",
            "Resource": "arn:aws:states:::dynamodb:putItem",
            "Parameters": {"TableName": "${OrdersTable}", "Item": {}},
            "End": True,
        },
    },
}


@pytest.mark.parametrize(
    ("ref", "stored"),
    [
        ("flow.asl.json", {"flow.asl.json": json.dumps(DEFINITION).encode()}),
        ("statemachine/flow.asl.yaml", {"statemachine/flow.asl.yaml": b"StartAt: Charge\nStates:\n  Charge: {Type: Task, "
         b"Resource: 'arn:aws:states:::lambda:invoke', Parameters: {FunctionName: '${ChargeArn}'}, End: true}\n"}),
        ("./statemachine/../flow.asl.json", {"flow.asl.json": json.dumps(DEFINITION).encode()}),
    ],
)  # fmt: skip
def test_a_state_machine_definition_beside_the_template_is_read(ref, stored):
    result = from_template(MACHINE % ref, files=FileSet(stored))
    assert ("Flow", "task", "Charge") in edges(result)
    assert not [n for n in notes(result, "Flow") if "not among" in n]


def test_task_details_come_from_the_definition_file():
    result = from_template(MACHINE % "flow.asl.json", files=FileSet({"flow.asl.json": json.dumps(DEFINITION).encode()}))
    d = result.diagram
    charge = next(e for e in d.edges if d.label(e.target) == "Charge")
    assert charge.attrs["timeout_s"] == 30
    assert ("Flow", "task", "Orders") in edges(result)


def test_a_template_in_a_sub_folder_reads_its_files_relative_to_itself():
    files = FileSet({"app/flow.asl.json": json.dumps(DEFINITION).encode()})
    result = from_template(MACHINE % "flow.asl.json", files=files, path="app/template.yaml")
    assert ("Flow", "task", "Charge") in edges(result)


@pytest.mark.parametrize(
    ("ref", "why"),
    [
        ("../../outside.asl.json", "outside the imported folder"),
        ("../../etc/passwd", "outside the imported folder"),
        ("/etc/passwd", "absolute path"),
        ("C:\\\\definitions\\\\flow.json", "absolute path"),
        ("s3://bucket/flow.asl.json", "not a file beside the template"),
        ("https://example.com/flow.asl.json", "not a file beside the template"),
        ("missing.asl.json", "not among the files imported"),
    ],
)
def test_a_definition_that_cannot_be_read_is_a_note_and_nothing_is_drawn_from_it(ref, why):
    files = FileSet({"outside.asl.json": json.dumps(DEFINITION).encode()})  # present, but never reached by ".."
    result = from_template(MACHINE % ref, files=files, path="app/template.yaml")
    assert not [e for e in edges(result) if e[0] == "Flow" and e[1] == "task"]
    assert any(why in n for n in notes(result, "Flow")), notes(result, "Flow")


def test_resolve_keeps_paths_inside_the_root():
    assert resolve("a/b/template.yaml", "../c/d.json") == ("a/c/d.json", "")
    assert resolve("template.yaml", "x/../y.json") == ("y.json", "")
    assert resolve("a/template.yaml", "../../y.json")[0] is None
    assert resolve("template.yaml", {"Bucket": "b", "Key": "k"})[0] is None


def test_a_file_over_the_cap_is_not_read():
    big = b"{" + b" " * (MAX_FILE_BYTES + 1) + b"}"
    result = from_template(MACHINE % "flow.asl.json", files=FileSet({"flow.asl.json": big}))
    assert any(f"at most {MAX_FILE_BYTES:,} are read" in n for n in notes(result, "Flow"))


def test_one_import_reads_a_bounded_number_of_files():
    reader = FileReader(FileSet({f"f{i}.json": b"{}" for i in range(MAX_FILES + 5)}))
    read = [reader.document("template.yaml", f"f{i}.json") for i in range(MAX_FILES + 5)]
    assert all(data == {} for data, _, _ in read[:MAX_FILES])
    assert all(data is None and f"at most {MAX_FILES} files" in why for data, _, why in read[MAX_FILES:])


@pytest.mark.parametrize(
    "content",
    [
        b"a: &a [*a]\n",  # an alias that contains itself
        b"".join(b"l%d: &l%d [" % (i, i) + b", ".join([b"*l%d" % (i - 1)] * 9 if i else [b"x"] * 9) + b"]\n" for i in range(9)),
        b"{" * 5000 + b"}" * 5000,
        b"\x00\xff\xfe not text",
        b"States: [unclosed",
    ],
    ids=["cyclic", "billion-laughs", "deep", "binary", "broken"],
)  # fmt: skip
def test_a_hostile_definition_is_refused_quickly_with_a_note(content):
    start = time.perf_counter()
    result = from_template(MACHINE % "flow.asl.json", files=FileSet({"flow.asl.json": content}))
    assert time.perf_counter() - start < 5
    assert any("flow.asl.json cannot be read" in n for n in notes(result, "Flow")), notes(result, "Flow")


API = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Queue: {Type: AWS::SQS::Queue}
  Api:
    Type: AWS::Serverless::HttpApi
    Properties:
      DefinitionBody:
        Fn::Transform: {Name: AWS::Include, Parameters: {Location: api.yaml}}
"""

OPENAPI = b"""
openapi: "3.0.1"
paths:
  /orders:
    post:
      x-amazon-apigateway-integration:
        integrationSubtype: SQS-SendMessage
        type: aws_proxy
        requestParameters: {QueueUrl: {Ref: Queue}, MessageBody: $request.body}
"""


def test_an_openapi_document_included_from_a_file_gives_the_routes():
    result = from_template(API, files=FileSet({"api.yaml": OPENAPI}))
    assert ("Api", "send", "Queue") in edges(result)
    d = result.diagram
    assert next(e for e in d.edges if e.kind == "send").label == "POST /orders"


def test_without_the_openapi_file_the_role_alone_draws_nothing():
    text = (
        API
        + """  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {Statement: [{Effect: Allow, Principal: {Service: apigateway.amazonaws.com}, Action: sts:AssumeRole}]}
      Policies: [{PolicyName: p, PolicyDocument: {Statement: [{Effect: Allow, Action: sqs:SendMessage, Resource: !GetAtt Queue.Arn}]}}]
"""
    )
    result = from_template(text)
    assert ("Api", "send", "Queue") not in edges(result)
    assert any("no connection is drawn from a permission alone" in n for n in notes(result, "Role"))
    assert any("api.yaml is not among the files imported" in n for n in notes(result, "Api"))


PARENT = """
Resources:
  Queue: {Type: AWS::SQS::Queue}
  Workers:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: ./workers.yaml
      Parameters: {JobsQueueArn: !GetAtt Queue.Arn}
"""
CHILD = b"""
Transform: AWS::Serverless-2016-10-31
Parameters:
  JobsQueueArn: {Type: String}
Resources:
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.13
      Handler: a.h
      InlineCode: x
      Events:
        Jobs: {Type: SQS, Properties: {Queue: !Ref JobsQueueArn}}
"""


def test_a_nested_stack_among_the_files_is_imported_and_joined_through_its_parameters():
    result = from_template(PARENT, files=FileSet({"workers.yaml": CHILD}))
    assert ("Queue", "poll", "Worker") in edges(result)
    assert "JobsQueueArn" not in {n.label for n in result.diagram.nodes}  # joined, not left external
    assert any("joined across templates" in n for n in notes(result))


def test_a_nested_stack_that_nests_itself_stops_at_the_depth_cap():
    loop = b"Resources:\n  Q: {Type: AWS::SQS::Queue}\n  Again: {Type: AWS::CloudFormation::Stack, Properties: {TemplateURL: self.yaml}}\n"
    start = time.perf_counter()
    result = from_template(loop, files=FileSet({"self.yaml": loop}), path="self.yaml")
    assert time.perf_counter() - start < 5
    assert any("nested deeper than" in n for n in notes(result))


def test_a_nested_stack_whose_template_is_missing_is_noted():
    result = from_template(PARENT)
    assert any("workers.yaml is not among the files imported" in n for n in notes(result, "Workers"))


def test_a_duplicate_key_is_imported_with_a_note_naming_the_key_and_line():
    text = (
        "Resources:\n  Q: {Type: AWS::SQS::Queue, Properties: {VisibilityTimeout: 10}}\n  Q: {Type: AWS::SQS::Queue}\n"
    )
    result = from_template(text)
    assert [n.label for n in result.diagram.nodes] == ["Q"]
    assert any("the key 'Q' at line 3" in n and "keeps the last value" in n for n in notes(result))


def test_a_broken_template_among_several_says_which_one():
    with pytest.raises(DiagramError) as info:
        from_templates([("a.yaml", "Resources:\n  Q: {Type: AWS::SQS::Queue}\n"), ("b.yaml", "Resources: [unclosed")])
    assert str(info.value).startswith("b.yaml: not valid YAML")
