import json

import pytest

from designer.domain.diagram import FORMAT, LIMITS, DiagramError, loads, parse
from tests.designer.domain.build import data, make


def problems_of(raw) -> list[str]:
    with pytest.raises(DiagramError) as info:
        parse(raw)
    return [str(p) for p in info.value.problems]


def base(**extra):
    raw = data({"web": "client-web", "api": "apigw-rest", "fn": "lambda"}, [("web", "api"), ("api", "fn")])
    raw.update(extra)
    return raw


def test_a_valid_diagram_fills_defaults_and_edge_kinds():
    d = parse(base())
    assert [n.id for n in d.nodes] == ["web", "api", "fn"]
    assert d.node("fn").config["timeout_s"] == 3
    assert [e.kind for e in d.edges] == ["request", "route"]
    assert d.outgoing("api")[0].target == "fn"
    assert d.incoming("fn", "route")[0].source == "api"


def test_the_example_of_the_format_document_parses():
    example = {
        "format": FORMAT,
        "name": "Order processing",
        "nodes": [
            {"id": "web", "type": "client-web", "label": "Web app"},
            {"id": "api", "type": "apigw-rest", "label": "Orders API", "position": {"x": 200, "y": 80}},
            {"id": "create", "type": "lambda", "label": "create-order", "config": {"memory_mb": 512, "timeout_s": 10}},
            {"id": "orders", "type": "dynamodb", "label": "Orders"},
        ],
        "edges": [
            {"id": "e1", "from": "web", "to": "api"},
            {"id": "e2", "from": "api", "to": "create", "label": "POST /orders"},
            {"id": "e3", "from": "create", "to": "orders", "kind": "write"},
        ],
    }
    d = parse(example)
    assert d.node("api").position == (200.0, 80.0)
    assert d.edges[1].label == "POST /orders"


def test_a_value_above_a_service_limit_names_the_path_and_the_limit():
    raw = base()
    raw["nodes"][2]["config"] = {"timeout_s": 1200}
    assert problems_of(raw) == ["nodes[2].config.timeout_s: 1200 is above the maximum 900 (Lambda's limit)"]


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda r: r["nodes"].append({"id": "api", "type": "sqs"}), "nodes[3].id: 'api' is also the id of nodes[1]"),
        (lambda r: r["edges"].append({"from": "fn", "to": "ghost"}), "edges[2].to: 'ghost' is not the id of a node"),
        (
            lambda r: r["nodes"].append({"id": "x", "type": "lamda"}),
            "nodes[3].type: 'lamda' is not a service type (did you mean 'lambda'?)",
        ),
        (
            lambda r: r["nodes"][2].update(config={"timeout": 5}),
            "nodes[2].config.timeout: unknown key for lambda (did you mean 'timeout_s'?)",
        ),
        (
            lambda r: r["nodes"][2].update(config={"timeout_s": "ten"}),
            "nodes[2].config.timeout_s: 'ten' is not a number",
        ),
        (
            lambda r: r["nodes"][2].update(config={"timeout_s": 2.5}),
            "nodes[2].config.timeout_s: 2.5 is not a whole number",
        ),
        (
            lambda r: r["nodes"][2].update(config={"idempotent": "yes"}),
            "nodes[2].config.idempotent: 'yes' is not true or false",
        ),
        (
            lambda r: r["nodes"][2].update(config={"arch": "sparc"}),
            "nodes[2].config.arch: 'sparc' is not one of: x86_64, arm64",
        ),
        (lambda r: r["nodes"][2].update(label="x" * 201), "nodes[2].label: is 201 characters long; the most is 200"),
        (lambda r: r["nodes"][2].update(id="bad id!"), "nodes[2].id: 'bad id!' is not an id"),
        (
            lambda r: r["edges"][1].update(kind="poll"),
            "edges[1].kind: 'poll' is not allowed from apigw-rest to lambda; allowed: route, authorize, invoke-async",
        ),
        (lambda r: r["edges"][1].update(kind="teleport"), "edges[1].kind: 'teleport' is not an edge kind"),
        (
            lambda r: r["edges"][1].update(batch_size=10),
            "edges[1].batch_size: only poll edges take batch_size, and this is a route edge",
        ),
        (lambda r: r["nodes"][2].update(colour="red"), "nodes[2].colour: unknown key"),
        (lambda r: r.update(format="archlab/diagram@9"), "format: 'archlab/diagram@9' is not supported"),
        (lambda r: r["nodes"][2].update(position={"x": 1}), "nodes[2].position: must be"),
        (lambda r: r["nodes"][2].update(tags="a"), "nodes[2].tags: must be a list"),
    ],
)
def test_each_kind_of_mistake_gets_a_clear_message_with_its_path(mutate, expected):
    raw = base()
    mutate(raw)
    found = problems_of(raw)
    assert any(p.startswith(expected) for p in found), found


def test_a_pair_the_catalog_refuses_lists_what_the_source_can_connect_to():
    raw = data({"q": "sqs", "t": "sns"}, [("q", "t")])
    [problem] = problems_of(raw)
    assert problem.startswith("edges[0]: sqs 'q' cannot connect to sns 't'; sqs connects to: ")
    assert "lambda" in problem


def test_compensate_edges_must_say_what_they_undo():
    raw = data({"sm": "sfn-standard", "fn": "lambda"}, [("sm", "fn", "compensate")])
    assert problems_of(raw) == [
        "edges[0].undoes: is required on compensate edges (Name of the step this compensation undoes.)"
    ]


def test_all_problems_are_reported_together_not_just_the_first():
    raw = base()
    raw["nodes"][2]["config"] = {"timeout_s": 0, "memory_mb": 99999}
    raw["edges"].append({"from": "fn", "to": "nowhere"})
    raw["nodes"].append({"id": "q", "type": "nope"})
    assert len(problems_of(raw)) == 4


def test_edges_to_a_node_with_its_own_problem_are_not_reported_again():
    raw = base()
    raw["nodes"][2]["config"] = {"timeout_s": 5000}
    assert len(problems_of(raw)) == 1


def test_too_many_nodes_is_refused_before_reading_them():
    raw = {"nodes": [{"id": f"n{i}", "type": "lambda"} for i in range(LIMITS["nodes"] + 1)], "edges": []}
    assert problems_of(raw) == [f"nodes: 2,001 nodes is more than the {LIMITS['nodes']:,} a diagram may hold"]


def test_the_documented_caps_allow_large_diagrams():
    assert LIMITS["nodes"] >= 2000
    assert LIMITS["edges"] >= 5000


@pytest.mark.parametrize("raw", [None, [], "diagram", 3, {"nodes": {}}, {"edges": "x"}])
def test_input_that_is_not_a_diagram_object_is_refused(raw):
    assert problems_of(raw)


def test_loads_reports_json_syntax_errors_with_line_and_column():
    with pytest.raises(DiagramError, match=r"not valid JSON: Expecting .* at line 2, column"):
        loads('{"nodes": [\n  ,]}')


def test_edges_without_ids_are_numbered_around_the_ids_in_use():
    raw = {
        "nodes": [{"id": "a", "type": "lambda"}, {"id": "b", "type": "lambda"}],
        "edges": [{"id": "e1", "from": "a", "to": "b"}, {"from": "b", "to": "a"}],
    }
    assert [e.id for e in parse(raw).edges] == ["e1", "e2"]


def test_to_dict_round_trips_through_parse():
    d = make(
        {
            "web": "client-web",
            "api": ("apigw-rest", {"cache_size_gb": 0.5}),
            "fn": ("lambda", {"timeout_s": 10}, ["core"]),
        },
        [("web", "api"), ("api", "fn", None, {"label": "GET /x", "share": 0.5})],
        traffic={"entries": {"web": {"rps": 5}}},
    )
    again = parse(json.loads(json.dumps(d.to_dict())))
    assert again.to_dict() == d.to_dict()
    assert again.node("fn").tags == ("core",)
    assert again.edges[1].attrs == {"share": 0.5}


@pytest.mark.parametrize(
    ("traffic", "expected"),
    [
        ({"entries": {"ghost": {"rps": 1}}}, "traffic.entries.ghost: no node in the diagram has this id"),
        ({"entries": {"web": {"rps": 1, "per_month": 5}}}, "traffic.entries.web: give exactly one of rps or per_month"),
        ({"entries": {"web": {"rps": -1}}}, "traffic.entries.web.rps: -1 is outside"),
        (
            {"entries": {"web": {"rps": 10, "peak_rps": 5}}},
            "traffic.entries.web.peak_rps: 5 is below the average rate 10",
        ),
        ({"days": 99}, "traffic.days: 99 is outside 1..31"),
        ({"surge": 2}, "traffic.surge: unknown key"),
    ],
)
def test_traffic_profile_mistakes_are_reported_with_their_path(traffic, expected):
    found = problems_of(base(traffic=traffic))
    assert any(p.startswith(expected) for p in found), found
