"""The graph walk shared by traffic, layout and the rules: a topological order with the cycle-closing edges set
aside, and the share of its source's rate an edge carries."""

import pytest

from designer.domain.diagram import Edge
from designer.domain.graph import acyclic_order, edge_factor


def walk(edges, roots):
    children = {}
    for a, b in edges:
        children.setdefault(a, []).append(((a, b), b))
    return acyclic_order(roots, lambda n: children.get(n, []))


def test_a_chain_comes_out_in_order_with_nothing_set_aside():
    assert walk([("a", "b"), ("b", "c")], ["a", "b", "c"]) == (["a", "b", "c"], set())


def test_the_edge_that_closes_a_cycle_is_set_aside_and_every_node_is_ordered():
    order, back = walk([("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")], ["a", "b", "c", "d"])
    assert back == {("c", "a")}
    assert order == ["a", "b", "c", "d"]


def test_a_diamond_is_ordered_so_that_each_node_comes_after_all_that_lead_to_it():
    order, back = walk([("a", "b"), ("a", "c"), ("b", "d"), ("c", "d")], ["a", "b", "c", "d"])
    assert back == set()
    assert order.index("d") > max(order.index("b"), order.index("c"))


def test_the_first_root_decides_where_a_cycle_is_cut():
    assert walk([("a", "b"), ("b", "a")], ["b", "a"])[1] == {("a", "b")}
    assert walk([("a", "b"), ("b", "a")], ["a", "b"])[1] == {("b", "a")}


def test_a_chain_of_twenty_thousand_needs_no_recursion():
    n = 20_000
    order, back = walk([(i, i + 1) for i in range(n)], range(n + 1))
    assert order == list(range(n + 1))
    assert back == set()


@pytest.mark.parametrize(
    ("kind", "attrs", "filtered", "factor"),
    [
        ("send", {}, True, 1.0),
        ("send", {"share": 0.5, "calls": 3}, True, 1.5),
        ("send", {"filter_selectivity": 0.1}, True, 1.0),  # only subscriptions and polls are filtered
        ("subscribe", {"share": 0.5, "filter_selectivity": 0.1}, True, 0.05),
        ("poll", {"filter_selectivity": 0.2}, False, 1.0),
    ],
)
def test_edge_factor(kind, attrs, filtered, factor):
    edge = Edge(id="e", source="a", target="b", kind=kind, attrs=attrs)
    assert edge_factor(edge, filtered=filtered) == pytest.approx(factor)
