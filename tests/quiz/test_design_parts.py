"""Design parts are graded by the designer's validator: the starter diagrams earn full marks, broken ones do not."""

import copy
from pathlib import Path

import pytest
import yaml

from quiz.grading import grade
from tests.quiz.conftest import starter

ROOT = Path(__file__).resolve().parents[2]
BY_ID = {q["id"]: q for q in yaml.safe_load((ROOT / "quiz" / "content" / "workshop.yaml").read_text())["questions"]}


def with_fargate_branch():
    """The orchestration starter plus the Fargate task that ws-01 asks for, for the large images."""
    diagram = starter("orchestration")
    diagram["nodes"].append({"id": "big-images", "type": "fargate", "label": "resize-large-images"})
    diagram["edges"].append(
        {"id": "e-big", "from": "workflow", "to": "big-images", "kind": "task", "retry": True, "catch": True}
    )
    return diagram


def with_rds_proxy():
    """The synchronous starter with its functions reaching PostgreSQL through RDS Proxy (ws-03)."""
    diagram = starter("sync")
    diagram["nodes"] += [
        {"id": "proxy", "type": "rds-proxy", "label": "orders-proxy"},
        {"id": "db", "type": "rds", "label": "orders-db", "config": {"engine": "postgres", "max_connections": 200}},
    ]
    diagram["edges"] += [
        {"id": "p1", "from": "get-order", "to": "proxy", "kind": "read"},
        {"id": "p2", "from": "create-order", "to": "proxy", "kind": "write"},
        {"id": "p3", "from": "proxy", "to": "db", "kind": "route"},
    ]
    return diagram


RIGHT = {
    "ws-01": with_fargate_branch,
    "ws-03": with_rds_proxy,
    "ws-05": lambda: starter("load-leveling"),
    "ws-08": lambda: starter("async"),
    "ws-11": lambda: starter("saga"),
    "ws-13": lambda: starter("orchestration"),
    "ws-16": lambda: starter("choreography"),
    "ws-17": lambda: starter("fan-out"),
    "ws-18": lambda: starter("load-leveling"),
    "ws-20": lambda: starter("choreography"),
}


def design_score(qid, diagram):
    part = next(p for p in BY_ID[qid]["parts"] if p["type"] == "design")
    result = next(p for p in grade(BY_ID[qid], {part["id"]: diagram}).parts if p.id == part["id"])
    return result.score / result.max, result.feedback


def test_every_design_part_has_a_right_answer_here():
    assert set(RIGHT) == {qid for qid, q in BY_ID.items() if any(p["type"] == "design" for p in q["parts"])}


@pytest.mark.parametrize("qid", sorted(RIGHT))
def test_the_starter_diagram_earns_full_marks(qid):
    share, feedback = design_score(qid, RIGHT[qid]())
    assert share == 1, feedback["unmet"]


def without(diagram, node_type):
    """The diagram with every node of ``node_type`` (and its edges) removed."""
    broken = copy.deepcopy(diagram)
    gone = {n["id"] for n in broken["nodes"] if n["type"] == node_type}
    broken["nodes"] = [n for n in broken["nodes"] if n["id"] not in gone]
    broken["edges"] = [e for e in broken["edges"] if e["from"] not in gone and e["to"] not in gone]
    return broken


@pytest.mark.parametrize(
    ("qid", "remove", "unmet"),
    [
        ("ws-01", "fargate", "service fargate used"),
        ("ws-03", "rds-proxy", "service rds-proxy used"),
        ("ws-05", "sqs", "pattern load-leveling complete"),
        ("ws-13", "sfn-standard", "pattern orchestration complete"),
        ("ws-16", "eventbridge", "pattern choreography complete"),
        ("ws-17", "sns", "pattern fan-out complete"),
    ],
)
def test_a_diagram_missing_the_key_service_loses_marks(qid, remove, unmet):
    share, feedback = design_score(qid, without(RIGHT[qid](), remove))
    assert share < 1
    assert unmet in feedback["unmet"]


def test_a_fan_out_without_dead_letter_queues_fires_the_rule_and_loses_marks():
    broken = starter("fan-out")
    broken["edges"] = [e for e in broken["edges"] if e["kind"] != "dead-letter"]
    broken["nodes"] = [n for n in broken["nodes"] if not n["id"].endswith("-dlq")]
    share, feedback = design_score("ws-17", broken)
    assert share < 1
    assert "rule queue-without-dlq does not fire" in feedback["unmet"]
    assert any(f["rule"] == "queue-without-dlq" for f in feedback["findings"])


def test_a_fan_out_straight_to_functions_is_unbuffered():
    broken = {
        "format": "archlab/diagram@1",
        "nodes": [
            {"id": "fn", "type": "lambda", "label": "publisher"},
            {"id": "topic", "type": "sns", "label": "orders"},
            {"id": "a", "type": "lambda", "label": "email"},
            {"id": "b", "type": "lambda", "label": "stock"},
        ],
        "edges": [
            {"from": "fn", "to": "topic", "kind": "publish"},
            {"from": "topic", "to": "a", "kind": "subscribe"},
            {"from": "topic", "to": "b", "kind": "subscribe"},
        ],
    }
    share, feedback = design_score("ws-17", broken)
    assert share < 1
    assert "service sqs used" in feedback["unmet"]


def test_an_invalid_diagram_scores_zero_with_its_errors():
    share, feedback = design_score("ws-17", {"nodes": [{"id": "x", "type": "lamda"}]})
    assert share == 0
    assert feedback["errors"][0]["path"].startswith("nodes[0]")
