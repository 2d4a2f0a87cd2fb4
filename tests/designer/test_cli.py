"""The archlab command on the starters and on broken files: exit codes, text and JSON output."""

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from designer.cli import main
from tests.designer.domain.build import data

ROOT = Path(__file__).resolve().parents[2]
STARTERS = sorted((ROOT / "designer" / "data" / "starters").glob("*.json"))


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def write(tmp_path: Path, doc) -> str:
    path = tmp_path / "diagram.json"
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc))
    return str(path)


def test_there_is_a_starter_per_pattern():
    assert len(STARTERS) == 12


@pytest.mark.parametrize("path", STARTERS, ids=lambda p: p.stem)
def test_each_starter_validates_clean_in_text_and_json(path):
    code, text, _ = run("validate", str(path))
    assert code == 0, text
    assert f"{path.stem} (complete)" in text
    code, out, _ = run("validate", str(path), "--format", "json")
    report = json.loads(out)
    assert code == 0
    assert report["format"] == "archlab/report@1"
    assert report["summary"]["error"] == 0
    assert any(p["id"] == path.stem and p["complete"] for p in report["patterns"])


def test_an_error_finding_exits_1_and_groups_findings_by_severity_with_labels(tmp_path):
    doc = data(
        {"web": "client-web", "api": "apigw-rest", "fn": ("lambda", {"timeout_s": 120, "duration_ms": 60_000})},
        [("web", "api"), ("api", "fn")],
    )
    doc["nodes"][2]["label"] = "Slow report"
    code, text, _ = run("validate", write(tmp_path, doc))
    assert code == 1
    errors = text.index("Errors (1):")
    assert "[sync-path-exceeds-integration-timeout]" in text[errors:]
    assert "nodes: api, Slow report" in text
    assert text.index("Warnings") > errors


def test_json_report_has_the_contract_fields(tmp_path):
    doc = data({"q": ("sqs", {"visibility_timeout_s": 30}), "fn": ("lambda", {"timeout_s": 300})}, [("q", "fn")])
    code, out, _ = run("validate", write(tmp_path, doc), "--format", "json")
    report = json.loads(out)
    assert code == 1
    finding = next(f for f in report["findings"] if f["rule"] == "sqs-visibility-below-function-timeout")
    assert set(finding) == {"rule", "severity", "message", "why", "fix", "nodes", "edges", "refs"}
    assert finding["nodes"] == ["q", "fn"]
    assert finding["edges"] == ["e1"]


def test_an_invalid_diagram_exits_2_with_every_problem_and_its_path(tmp_path):
    doc = data({"fn": ("lambda", {"timeout_s": 1200}), "x": "mainframe"}, [("fn", "ghost")])
    code, out, err = run("validate", write(tmp_path, doc))
    assert code == 2
    assert out == ""
    assert "nodes[0].config.timeout_s: 1200 is above the maximum 900 (Lambda's limit)" in err
    assert "nodes[1].type: 'mainframe' is not a service type" in err


def test_invalid_input_in_json_mode_prints_the_errors_as_json(tmp_path):
    code, out, _ = run("validate", write(tmp_path, "{not json"), "--format", "json")
    assert code == 2
    errors = json.loads(out)["errors"]
    assert errors[0]["message"].startswith("not valid JSON")


def test_a_missing_file_exits_2(tmp_path):
    code, _, err = run("validate", str(tmp_path / "nope.json"))
    assert code == 2
    assert "cannot read" in err


def test_the_console_script_runs_without_django_settings(tmp_path):
    doc = data(
        {"cron": "eventbridge-scheduler", "job": "lambda", "dlq": "sqs"},
        [("cron", "job"), ("cron", "dlq", "dead-letter")],
    )
    env = {"PATH": str(Path(sys.executable).parent)}  # no DJANGO_SETTINGS_MODULE, no SECRET_KEY
    result = subprocess.run(
        [str(Path(sys.executable).parent / "archlab"), "validate", write(tmp_path, doc)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "scheduled (complete)" in result.stdout


SAM_TEMPLATES = ROOT.parent / "shared" / "templates" / "serverless-patterns"


def test_validate_reads_a_sam_template_directly(tmp_path):
    path = tmp_path / "template.yaml"
    path.write_text(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Q:\n    Type: AWS::SQS::Queue\n"
        "  F:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.13\n      Handler: a.b\n"
        "      Events:\n        E:\n          Type: SQS\n          Properties:\n            Queue: !GetAtt Q.Arn\n"
    )
    code, text, _ = run("validate", str(path))
    assert code == 0, text
    assert "[queue-without-dlq]" in text


def test_export_to_sam_round_trips_through_import(tmp_path):
    starter = ROOT / "designer" / "data" / "starters" / "fan-out.json"
    out = tmp_path / "template.yaml"
    code, _, err = run("export", str(starter), "--to", "sam", "--output", str(out))
    assert code == 0, err
    code, text, _ = run("validate", str(out))
    assert code == 0, text
    assert "fan-out (complete)" in text
