"""Property tests: whatever arrives, parse() and validate() answer with a diagram, a report or a DiagramError."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from designer.domain.diagram import DiagramError, parse
from designer.domain.validate import validate
from tests.designer.domain.strategies import broken_diagrams, diagrams, json_values

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(diagrams())
def test_valid_diagrams_parse_and_validate_without_crashing(doc):
    diagram = parse(doc)
    report = validate(diagram)
    assert len(diagram.nodes) == len(doc["nodes"])
    for finding in report.findings:
        assert finding.severity in ("error", "warning", "info")
        assert set(finding.nodes) <= {n.id for n in diagram.nodes}
        assert set(finding.edges) <= {e.id for e in diagram.edges}
    for match in report.patterns:
        assert match.nodes() <= {n.id for n in diagram.nodes}
        assert match.complete == (not match.missing)
    json.dumps(report.to_dict())  # the report is always JSON


@FAST
@given(diagrams())
def test_a_parsed_diagram_survives_a_round_trip(doc):
    diagram = parse(doc)
    assert parse(json.loads(json.dumps(diagram.to_dict()))).to_dict() == diagram.to_dict()


@FAST
@given(broken_diagrams())
def test_broken_diagrams_always_give_a_parse_error_with_paths(doc):
    with pytest.raises(DiagramError) as info:
        parse(doc)
    assert info.value.problems
    assert all(p.message for p in info.value.problems)


@settings(max_examples=300, deadline=None)
@given(json_values | st.fixed_dictionaries({"nodes": json_values, "edges": json_values}))
def test_arbitrary_json_never_crashes_parse(value):
    try:
        report = validate(parse(value))
    except DiagramError as exc:
        problems = exc.problems
        assert problems
    else:
        assert report.to_dict()["format"] == "archlab/report@1"
