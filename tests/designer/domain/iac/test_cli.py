"""``archlab import``: a template in, a diagram out; malformed templates exit 2 with the place of the problem."""

import io
import json
from pathlib import Path

from designer.cli import main
from designer.domain.diagram import parse

TEMPLATE = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Jobs: {Type: AWS::SQS::Queue}
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.13
      Handler: app.handler
      InlineCode: x
      Events:
        FromJobs: {Type: SQS, Properties: {Queue: !GetAtt Jobs.Arn}}
  Logs: {Type: AWS::Logs::LogGroup}
"""


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def write(tmp_path: Path, text: str, name: str = "template.yaml") -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_import_prints_a_valid_diagram_and_notes_on_stderr(tmp_path):
    code, out, err = run("import", write(tmp_path, TEMPLATE))
    assert code == 0
    diagram = parse(json.loads(out))
    assert [(e.source, e.kind, e.target) for e in diagram.edges] == [("jobs", "poll", "worker")]
    assert "note: Logs (AWS::Logs::LogGroup)" in err


def test_import_as_json_wraps_the_diagram_with_its_notes(tmp_path):
    code, out, _ = run("import", write(tmp_path, TEMPLATE), "--format", "json")
    document = json.loads(out)
    assert code == 0
    assert document["format"] == "archlab/import@1"
    assert document["diagram"]["format"] == "archlab/diagram@1"
    assert {"resource": "Logs", "type": "AWS::Logs::LogGroup"}.items() <= document["notes"][-1].items()


def test_a_malformed_template_exits_2_and_says_where(tmp_path):
    path = write(tmp_path, "Resources:\n  Jobs: !Bogus x\n")
    code, out, err = run("import", path)
    assert code == 2
    assert out == ""
    assert "unknown tag '!Bogus' at line 2, column 9" in err
    code, out, _ = run("import", path, "--format", "json")
    assert code == 2
    assert json.loads(out)["errors"][0]["message"].endswith("line 2, column 9")


def test_a_template_without_resources_exits_2(tmp_path):
    code, _, err = run("import", write(tmp_path, "AWSTemplateFormatVersion: '2010-09-09'\n"))
    assert code == 2
    assert "Resources: is missing" in err


def test_a_missing_file_exits_2(tmp_path):
    code, _, err = run("import", str(tmp_path / "nope.yaml"))
    assert code == 2
    assert "cannot read" in err


def test_json_templates_import_too(tmp_path):
    text = json.dumps({"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}})
    code, out, _ = run("import", write(tmp_path, text, "template.json"))
    assert code == 0
    assert json.loads(out)["nodes"][0]["type"] == "sns"
