"""diff(): hand-built pairs of versions, each changing one thing, and what the diff must say about it."""

import json

import pytest

from designer.domain.diagram import parse
from designer.domain.diff import diff, finding_key
from designer.domain.validate import validate
from tests.designer.domain.build import data

API = {"web": "client-web", "api": "apigw-rest"}
SYNC_EDGES = [("web", "api"), ("api", "fn")]


def compare(old_data, new_data, **costs):
    old, new = parse(old_data), parse(new_data)
    return diff(old, new, validate(old), validate(new), **costs)


def sync(**fn_config):
    return data({**API, "fn": ("lambda", fn_config)}, SYNC_EDGES)


def test_identical_versions_have_an_empty_diff():
    result = compare(sync(timeout_s=10), sync(timeout_s=10))
    assert not result.design_changed
    assert result.findings_fixed == result.findings_introduced == ()
    assert result.patterns_gained == result.patterns_lost == ()
    assert result.cost_change_usd is None


def test_a_config_change_reports_the_value_before_and_after_including_defaults():
    result = compare(sync(timeout_s=10), sync(timeout_s=20, memory_mb=512))
    (changed,) = result.nodes_changed
    assert changed.id == "fn"
    assert [(c.field, c.before, c.after) for c in changed.changes] == [
        ("config.timeout_s", 10, 20),
        ("config.memory_mb", 128, 512),  # 128 is Lambda's default: the reader sees what it was in effect
    ]
    assert result.nodes_added == result.nodes_removed == ()


def test_moving_a_service_is_not_a_change():
    old = sync(timeout_s=10)
    new = json.loads(json.dumps(old))
    for i, node in enumerate(new["nodes"]):
        node["position"] = {"x": i * 100, "y": 50}
    assert not compare(old, new).design_changed


@pytest.mark.parametrize(
    ("field", "before", "after"),
    [("label", "fn", "create-order"), ("tags", [], ["core"])],
)
def test_label_and_tag_changes_are_reported(field, before, after):
    old = sync()
    new = json.loads(json.dumps(old))
    new["nodes"][2][field] = after
    (changed,) = compare(old, new).nodes_changed
    assert [(c.field, c.before, c.after) for c in changed.changes] == [(field, before, after)]


def test_added_and_removed_services_and_connections():
    old = data({**API, "fn": "lambda", "old-db": "dynamodb"}, [*SYNC_EDGES, ("fn", "old-db", "write")])
    new = data({**API, "fn": "lambda", "q": "sqs"}, [*SYNC_EDGES, ("fn", "q", "send")])
    result = compare(old, new)
    assert [n.id for n in result.nodes_added] == ["q"]
    assert [n.id for n in result.nodes_removed] == ["old-db"]
    assert [(e.source, e.target, e.type) for e in result.edges_added] == [("fn", "q", "send")]
    assert [(e.source, e.target, e.type) for e in result.edges_removed] == [("fn", "old-db", "write")]
    assert result.edges_removed[0].label == "fn → old-db"


def test_a_reused_connection_id_between_other_services_is_a_removal_and_an_addition():
    old = data({**API, "fn": "lambda", "db": "dynamodb", "q": "sqs"}, [*SYNC_EDGES, ("fn", "db", "write")])
    new = data({**API, "fn": "lambda", "db": "dynamodb", "q": "sqs"}, [*SYNC_EDGES, ("fn", "q", "send")])
    assert old["edges"][2]["id"] == new["edges"][2]["id"] == "e3"
    result = compare(old, new)
    assert [(e.source, e.target) for e in result.edges_removed] == [("fn", "db")]
    assert [(e.source, e.target) for e in result.edges_added] == [("fn", "q")]
    assert result.edges_changed == ()


def test_a_renumbered_connection_between_the_same_services_is_matched_by_its_ends():
    old = sync()
    new = json.loads(json.dumps(old))
    new["edges"][1]["id"] = "e-9"
    new["edges"][1]["label"] = "POST /orders"
    result = compare(old, new)
    assert result.edges_added == result.edges_removed == ()
    (changed,) = result.edges_changed
    assert (changed.id, changed.old_id) == ("e-9", "e2")
    assert [(c.field, c.before, c.after) for c in changed.changes] == [("label", "", "POST /orders")]


def test_edge_attribute_changes_are_reported():
    nodes = {"q": "sqs", "fn": ("lambda", {"timeout_s": 10})}
    old = data(nodes, [("q", "fn", "poll", {"batch_size": 10})])
    new = data(nodes, [("q", "fn", "poll", {"batch_size": 1})])
    (changed,) = compare(old, new).edges_changed
    assert [(c.field, c.before, c.after) for c in changed.changes] == [("attrs.batch_size", 10, 1)]


def test_a_type_change_under_the_same_id_is_a_change_of_type():
    old = data({"fn": "lambda"}, [])
    new = data({"fn": "fargate"}, [])
    (changed,) = compare(old, new).nodes_changed
    assert changed.changes[0].field == "type"
    assert (changed.changes[0].before, changed.changes[0].after) == ("lambda", "fargate")


def test_fixing_a_timeout_fixes_the_finding_and_introduces_nothing():
    result = compare(sync(timeout_s=600), sync(timeout_s=10))
    assert [f.rule for f in result.findings_fixed] == ["sync-path-exceeds-integration-timeout"]
    assert result.findings_introduced == ()


def test_breaking_the_timeout_introduces_the_finding():
    result = compare(sync(timeout_s=10), sync(timeout_s=600))
    assert [f.rule for f in result.findings_introduced] == ["sync-path-exceeds-integration-timeout"]
    assert result.findings_fixed == ()


def test_a_finding_whose_message_numbers_change_is_the_same_finding():
    result = compare(sync(timeout_s=600), sync(timeout_s=300))
    assert result.findings_fixed == result.findings_introduced == ()


def test_patterns_gained_and_lost():
    old = sync(timeout_s=10)
    new = data({"q": "sqs", "fn": ("lambda", {"timeout_s": 10})}, [("q", "fn", "poll")])
    result = compare(old, new)
    assert "sync" in result.patterns_lost
    assert "sync" not in result.patterns_gained
    assert not set(result.patterns_gained) & set(result.patterns_lost)


def test_costs_before_and_after_give_the_change():
    result = compare(sync(), sync(memory_mb=1024), old_cost_usd=12.5, new_cost_usd=20.0)
    assert result.cost_change_usd == pytest.approx(7.5)
    assert result.to_dict()["cost"] == {"before_usd": 12.5, "after_usd": 20.0, "change_usd": 7.5}


def test_to_dict_is_json_and_names_every_section():
    old = data({**API, "fn": ("lambda", {"timeout_s": 600})}, SYNC_EDGES)
    new = data({**API, "fn": ("lambda", {"timeout_s": 10}), "db": "dynamodb"}, [*SYNC_EDGES, ("fn", "db", "write")])
    out = json.loads(json.dumps(compare(old, new).to_dict()))
    assert out["format"] == "archlab/diff@1"
    assert out["nodes"]["added"][0]["id"] == "db"
    assert out["nodes"]["changed"][0]["changes"] == [{"field": "config.timeout_s", "before": 600, "after": 10}]
    assert out["edges"]["added"][0]["source"] == "fn"
    assert out["findings"]["fixed"][0]["rule"] == "sync-path-exceeds-integration-timeout"
    assert out["cost"]["change_usd"] is None


def test_finding_key_reads_report_json_and_findings_alike():
    report = validate(parse(sync(timeout_s=600, duration_ms=40_000)))
    (finding,) = [f for f in report.findings if f.severity == "error"]
    assert finding_key(finding) == finding_key(finding.to_dict())
