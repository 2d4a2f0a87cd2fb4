"""Hypothesis strategies for diagrams: valid ones drawn from the catalog, and ways to break them."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from designer.domain.catalog import Param, load_catalog

catalog = load_catalog()
TYPES = sorted(catalog.types)
# Printable text: labels with control characters are refused by parse() on purpose.
text = st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), max_size=30)
PAIRS = sorted(catalog.connections)


def param_value(param: Param) -> st.SearchStrategy[Any]:
    if param.type == "bool":
        return st.booleans()
    if param.type == "int":
        return st.integers(int(param.min), int(min(param.max, 10**9)))
    if param.type == "number":
        return st.floats(param.min, min(param.max, 1e9), allow_nan=False, allow_infinity=False)
    if param.type == "enum":
        return st.sampled_from(param.values)
    if param.type == "list":
        words = (
            st.sampled_from(param.values) if param.values else st.text(alphabet="abcXYZ.:*", min_size=1, max_size=12)
        )
        return st.lists(words, max_size=3, unique=True)
    if param.type == "string":
        return st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), max_size=param.max_length or 40)
    return st.just({})


@st.composite
def node_config(draw: st.DrawFn, type_id: str) -> dict[str, Any]:
    params = catalog.types[type_id].params
    chosen = draw(st.lists(st.sampled_from(sorted(params)), max_size=4, unique=True)) if params else []
    return {name: draw(param_value(params[name])) for name in chosen}


@st.composite
def edge_attrs(draw: st.DrawFn, kind: str) -> dict[str, Any]:
    attrs = dict(catalog.kinds[kind].attrs)
    out = {name: draw(param_value(p)) for name, p in attrs.items() if p.required}
    optional = sorted(n for n, p in attrs.items() if not p.required and p.type != "object")
    for name in draw(st.lists(st.sampled_from(optional), max_size=2, unique=True)) if optional else []:
        out[name] = draw(param_value(attrs[name]))
    if draw(st.booleans()):
        out["share"] = draw(st.floats(0, 1))
    return out


@st.composite
def diagrams(draw: st.DrawFn, max_nodes: int = 14) -> dict[str, Any]:
    """A valid ``archlab/diagram@1`` document: catalog types, allowed kinds, in-range config."""
    types = draw(st.lists(st.sampled_from(TYPES), min_size=1, max_size=max_nodes))
    nodes = [
        {"id": f"n{i}", "type": t, "label": draw(text), "config": draw(node_config(t))} for i, t in enumerate(types)
    ]
    candidates = [(i, j) for i, a in enumerate(types) for j, b in enumerate(types) if (a, b) in catalog.connections]
    edges = []
    if candidates:
        for k, (i, j) in enumerate(draw(st.lists(st.sampled_from(candidates), max_size=3 * len(types)))):
            kind = draw(st.sampled_from(catalog.allowed_kinds(types[i], types[j])))
            edges.append({"id": f"e{k}", "from": f"n{i}", "to": f"n{j}", "kind": kind, **draw(edge_attrs(kind))})
    doc: dict[str, Any] = {"format": "archlab/diagram@1", "name": "generated", "nodes": nodes, "edges": edges}
    if draw(st.booleans()):
        entries = draw(st.lists(st.sampled_from([n["id"] for n in nodes]), max_size=3, unique=True))
        doc["traffic"] = {
            "entries": {e: {"rps": draw(st.floats(0, 50_000)), "peak_rps": 60_000} for e in entries},
            "payload_kb": draw(st.floats(0, 4096)),
        }
    return doc


def _params(node: dict[str, Any]) -> dict[str, Param]:
    stype = catalog.types.get(node["type"])
    return dict(stype.params) if stype else {}


def _break_type(doc: dict[str, Any], draw: st.DrawFn) -> None:
    draw(st.sampled_from(doc["nodes"]))["type"] = draw(
        st.text(min_size=1, max_size=10).filter(lambda t: t not in catalog.types)
    )


def _duplicate_id(doc: dict[str, Any], draw: st.DrawFn) -> None:
    doc["nodes"].append(dict(draw(st.sampled_from(doc["nodes"]))))


def _dangle(doc: dict[str, Any], draw: st.DrawFn) -> None:
    doc["edges"].append({"from": doc["nodes"][0]["id"], "to": "missing-node"})


def _unknown_config(doc: dict[str, Any], draw: st.DrawFn) -> None:
    draw(st.sampled_from(doc["nodes"])).setdefault("config", {})["no_such_setting"] = 1


def _wrong_value_type(doc: dict[str, Any], draw: st.DrawFn) -> None:
    candidates = [
        (n, name) for n in doc["nodes"] for name, p in _params(n).items() if p.type in ("int", "number", "bool")
    ]
    if not candidates:
        return _break_type(doc, draw)
    node, name = draw(st.sampled_from(candidates))
    node.setdefault("config", {})[name] = draw(st.sampled_from(["ten", [1], {"x": 1}]))
    return None


def _out_of_range(doc: dict[str, Any], draw: st.DrawFn) -> None:
    candidates = [(n, p) for n in doc["nodes"] for p in _params(n).values() if p.type == "int" and p.max is not None]
    if not candidates:
        return _dangle(doc, draw)
    node, param = draw(st.sampled_from(candidates))
    node.setdefault("config", {})[param.name] = int(param.max) + draw(st.integers(1, 1000))
    return None


def _long_label(doc: dict[str, Any], draw: st.DrawFn) -> None:
    draw(st.sampled_from(doc["nodes"]))["label"] = "x" * draw(st.integers(201, 5000))


BREAKERS = [_break_type, _duplicate_id, _dangle, _unknown_config, _wrong_value_type, _out_of_range, _long_label]


@st.composite
def broken_diagrams(draw: st.DrawFn) -> dict[str, Any]:
    """A diagram with at least one deliberate mistake that parse() must report."""
    doc = draw(diagrams())
    for breaker in draw(st.lists(st.sampled_from(BREAKERS), min_size=1, max_size=3)):
        breaker(doc, draw)
    return doc


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5),
    max_leaves=30,
)
