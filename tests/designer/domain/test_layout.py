"""Automatic layout: layered left to right along the edges, deterministic, every node placed."""

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from designer.domain.layout import COLUMN, MARGIN, ROW, positions, with_positions

STARTERS = sorted((Path(__file__).resolve().parents[3] / "designer" / "data" / "starters").glob("*.json"))


def test_a_chain_runs_left_to_right_one_column_apart():
    placed = positions(["c", "b", "a"], [("a", "b"), ("b", "c")])
    assert placed["a"] == (MARGIN, MARGIN)
    assert placed["b"] == (MARGIN + COLUMN, MARGIN)
    assert placed["c"] == (MARGIN + 2 * COLUMN, MARGIN)


def test_siblings_share_a_column_one_row_apart():
    placed = positions(["topic", "q1", "q2", "q3"], [("topic", "q1"), ("topic", "q2"), ("topic", "q3")])
    assert {placed[q][0] for q in ("q1", "q2", "q3")} == {MARGIN + COLUMN}
    assert sorted(placed[q][1] for q in ("q1", "q2", "q3")) == [MARGIN, MARGIN + ROW, MARGIN + 2 * ROW]


def test_a_node_sits_right_of_its_longest_path():
    placed = positions(["a", "b", "c"], [("a", "b"), ("b", "c"), ("a", "c")])
    assert placed["c"][0] == MARGIN + 2 * COLUMN


def test_cycles_are_broken_and_every_node_is_placed():
    placed = positions(["a", "b", "c"], [("a", "b"), ("b", "c"), ("c", "a")])
    assert sorted(x for x, _ in placed.values()) == [MARGIN, MARGIN + COLUMN, MARGIN + 2 * COLUMN]


def test_isolated_nodes_self_loops_and_unknown_ends_are_harmless():
    placed = positions(["a", "b"], [("a", "a"), ("a", "ghost"), ("ghost", "b")])
    assert placed == {"a": (MARGIN, MARGIN), "b": (MARGIN, MARGIN + ROW)}


def test_barycentre_keeps_children_level_with_their_parents():
    # p1 -> c1 and p2 -> c2: c2 belongs below c1, whatever order they came in.
    placed = positions(["p1", "p2", "c2", "c1"], [("p1", "c1"), ("p2", "c2")])
    assert placed["c1"][1] < placed["c2"][1]


def test_with_positions_keeps_existing_positions_and_fills_the_rest():
    doc = {
        "nodes": [{"id": "a", "type": "lambda", "position": {"x": 5, "y": 7}}, {"id": "b", "type": "sqs"}],
        "edges": [{"from": "a", "to": "b"}],
    }
    out = with_positions(doc)
    assert out["nodes"][0]["position"] == {"x": 5, "y": 7}
    assert out["nodes"][1]["position"] == {"x": MARGIN + COLUMN, "y": MARGIN}
    assert "position" not in doc["nodes"][1]  # the input is not changed


@pytest.mark.parametrize("path", STARTERS, ids=lambda p: p.stem)
def test_every_starter_gets_distinct_positions(path):
    doc = json.loads(path.read_text())
    placed = positions([n["id"] for n in doc["nodes"]], [(e["from"], e["to"]) for e in doc["edges"]])
    assert len(set(placed.values())) == len(doc["nodes"])


def test_a_large_graph_is_laid_out_quickly_and_deterministically():
    ids = [f"n{i}" for i in range(2000)]
    edges = [(f"n{i}", f"n{(i * 7 + 3) % 2000}") for i in range(2000)] + [(f"n{i}", f"n{i + 1}") for i in range(1999)]
    assert positions(ids, edges) == positions(ids, edges)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 15), st.integers(0, 15)), max_size=60))
def test_any_graph_gets_one_free_cell_per_node(pairs):
    ids = [f"n{i}" for i in range(16)]
    placed = positions(ids, [(f"n{a}", f"n{b}") for a, b in pairs])
    assert set(placed) == set(ids)
    assert len(set(placed.values())) == len(ids)
    for a, b in pairs:
        if a != b:
            assert placed[f"n{a}"] != placed[f"n{b}"]
