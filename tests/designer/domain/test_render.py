"""Rendering: DOT, SVG and PNG through dot, and Mermaid, on the starters and on hostile labels."""

import html
import os
import re
import shutil
import struct
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from designer.domain import render
from designer.domain.catalog import load_catalog
from designer.domain.diagram import loads, parse
from designer.domain.render import LOOKS, RenderError, to_dot, to_mermaid, to_png, to_svg
from designer.domain.report import Finding, Report

ROOT = Path(__file__).resolve().parents[3]
STARTERS = sorted((ROOT / "designer" / "data" / "starters").glob("*.json"))
SVG = "{http://www.w3.org/2000/svg}"
needs_dot = pytest.mark.skipif(
    shutil.which("dot") is None and not os.environ.get("CI"),
    reason="Graphviz `dot` is not installed (apt-get install graphviz); with CI set this test fails instead",
)
HOSTILE = [
    "<script>alert(1)</script>",
    '"quoted" \\ back\\slash',
    "{record|chars}",
    "ends in a backslash \\",
    "\\N \\G \\E \\L \\n",
    "<<B>bold</B>>",
    "&amp; #quot; #35; ;",
    "%%{init: {}}%%",
    "`md` ]) end",
    "a direction TB here",
    "A -->|x| B",
    "naïve 日本 ✓",
]


def load(path):
    return parse(loads(path.read_bytes()))


def diagram(label="x", *, edge_label=None, ids=("a", "b")):
    """Two functions joined by an async invocation, the first one labelled ``label``."""
    nodes = [{"id": ids[0], "type": "lambda", "label": label}, {"id": ids[1], "type": "lambda"}]
    edge = {"id": "e1", "from": ids[0], "to": ids[1], "kind": "invoke-async"}
    if edge_label is not None:
        edge["label"] = edge_label
    return parse({"name": label, "nodes": nodes, "edges": [edge]})


def svg_texts(svg: bytes) -> list[str]:
    root = ET.fromstring(svg)
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def statement(dot: str, head: str, holding: str = "") -> str:
    """The DOT line that starts with ``head`` (a node name, quoted or not, or ``a -> b``) and holds ``holding``."""
    for line in dot.splitlines():
        if line.strip().startswith(head + " [") and holding in line:
            return line
    raise AssertionError(f"no statement for {head!r} holding {holding!r} in\n{dot}")


def name(node_id: str) -> str:
    """A node id as DOT writes it: quoted unless a plain identifier that is no keyword."""
    keyword = node_id.lower() in {"node", "edge", "graph", "digraph", "subgraph", "strict"}
    return node_id if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", node_id) and not keyword else f'"{node_id}"'


# ---------------------------------------------------------------- DOT


@pytest.mark.parametrize("path", STARTERS, ids=lambda p: p.stem)
def test_dot_of_each_starter_holds_every_node_and_edge(path):
    d = load(path)
    dot = to_dot(d)
    assert dot.startswith("digraph archlab {")
    assert "rankdir=LR" in dot
    for node in d.nodes:
        assert statement(dot, name(node.id), f'id="node-{node.id}"')
    for edge in d.edges:
        assert statement(dot, f"{name(edge.source)} -> {name(edge.target)}", f'id="edge-{edge.id}"')
    assert dot.count(" -> ") == len(d.edges)


@pytest.mark.parametrize(
    ("source", "target", "kind", "extra", "expected"),
    [
        ("lambda", "dynamodb", "write", {}, "style=solid"),
        ("apigw-rest", "lambda", "route", {}, "style=solid"),
        ("lambda", "sqs", "send", {}, "style=dashed"),
        ("sqs", "lambda", "poll", {}, "style=dashed"),
        ("lambda", "lambda", "invoke-async", {}, "style=dashed"),
        ("sqs", "sqs", "dead-letter", {}, "style=dotted"),
        ("sfn-standard", "lambda", "compensate", {"undoes": "Charge"}, "arrowhead=odot"),
    ],
)
def test_edge_style_follows_the_kind(source, target, kind, extra, expected):
    edge = {"id": "e1", "from": "a", "to": "b", "kind": kind, **extra}
    d = parse({"nodes": [{"id": "a", "type": source}, {"id": "b", "type": target}], "edges": [edge]})
    line = statement(to_dot(d), "a -> b")
    assert expected in line
    assert f"label=<{kind}" in line


def test_an_edge_label_replaces_the_kind_and_a_step_joins_it():
    edges = [
        {"id": "e1", "from": "sm", "to": "fn", "kind": "task", "step": "Charge"},
        {"id": "e2", "from": "sm", "to": "undo", "kind": "compensate", "undoes": "Charge"},
        {"id": "e3", "from": "fn", "to": "db", "kind": "write", "label": "PutItem"},
    ]
    nodes = [{"id": "sm", "type": "sfn-standard"}, {"id": "fn", "type": "lambda"}, {"id": "undo", "type": "lambda"}]
    d = parse({"nodes": [*nodes, {"id": "db", "type": "dynamodb"}], "edges": edges})
    dot = to_dot(d)
    assert "label=<task: Charge>" in statement(dot, "sm -> fn")
    assert "label=<compensate: Charge>" in statement(dot, "sm -> undo")
    assert "label=<PutItem>" in statement(dot, "fn -> db")


def test_each_category_has_its_own_shape_and_fill():
    categories = [c for c, _ in load_catalog().categories]
    assert set(categories) <= set(LOOKS)
    looks = [LOOKS[c] for c in categories]
    assert len({(look.shape, look.style) for look in looks}) == len(looks)
    assert len({look.fill for look in looks}) == len(looks)
    assert len({look.mermaid for look in looks}) == len(looks)


@pytest.mark.parametrize(
    ("type_id", "shape"),
    [("client-web", "ellipse"), ("apigw-http", "hexagon"), ("lambda", "box"), ("sqs", "cds"), ("dynamodb", "cylinder")],
)
def test_node_shape_follows_the_category_and_the_label_names_the_service(type_id, shape):
    d = parse({"nodes": [{"id": "n", "type": type_id, "label": "Mine"}]})
    line = statement(to_dot(d), "n")
    assert f"shape={shape}" in line
    assert "<B>Mine</B><BR/>" in line
    assert f"({load_catalog().types[type_id].name})" in line


def finding(severity, nodes=(), edges=()):
    return Finding("rule", severity, f"{severity} message", "why", "fix", nodes=tuple(nodes), edges=tuple(edges))


@pytest.mark.parametrize(
    ("findings", "node_mark", "edge_mark"),
    [
        ([finding("error", nodes=["a"])], ("\u2716", "#C00000"), None),
        ([finding("warning", nodes=["a"])], ("\u26a0", "#D97000"), None),
        ([finding("warning", nodes=["a"]), finding("error", nodes=["a"])], ("\u2716", "#C00000"), None),
        ([finding("error", edges=["e1"])], None, ("\u2716", "#C00000")),
        ([finding("warning", nodes=["a"], edges=["e1"])], ("\u26a0", "#D97000"), ("\u26a0", "#D97000")),
        ([finding("info", nodes=["a"], edges=["e1"])], None, None),
    ],
)
def test_findings_mark_the_nodes_and_edges_they_name_with_a_glyph_and_a_border(findings, node_mark, edge_mark):
    dot = to_dot(diagram("First"), Report(findings=tuple(findings)))
    for line, mark in ((statement(dot, "a"), node_mark), (statement(dot, "a -> b"), edge_mark)):
        if mark is None:
            assert "\u2716" not in line
            assert "\u26a0" not in line
            assert "penwidth" not in line
        else:
            glyph, colour = mark
            assert glyph in line
            assert f'color="{colour}"' in line
            assert "penwidth=" in line
    assert "\u2716" not in statement(dot, "b")
    if node_mark:
        assert f"{node_mark[0]} {findings[-1].severity}" in dot  # the legend explains the glyph


def test_finding_messages_become_tooltips():
    dot = to_dot(diagram(), Report(findings=(finding("error", nodes=["a"]),)))
    assert "\u2716 error message" in statement(dot, "a")


@pytest.mark.parametrize(
    "node_id", ["node", "graph", "edge", "strict", "subgraph", "digraph", "-1", "01", "-", "--", "_"]
)
def test_dot_keywords_and_numerals_as_ids_stay_node_names(node_id):
    dot = to_dot(diagram(ids=(node_id, "b")))
    assert f'id="node-{node_id}"' in dot
    assert re.search(rf'^\s*"?{re.escape(node_id)}"? -> b \[', dot, re.M)


@pytest.mark.parametrize("label", HOSTILE)
def test_hostile_labels_reach_dot_only_as_escaped_text(label):
    dot = to_dot(diagram(label, edge_label=label))
    text = html.escape(label, quote=False).replace("\\", "\\\\")
    assert f"label=<<B>{text}</B><BR/>" in statement(dot, "a")
    assert f"label=<{text}>" in statement(dot, "a -> b")
    assert len(dot.splitlines()) == len(to_dot(diagram("x", edge_label="x")).splitlines())  # no statement added


# ---------------------------------------------------------------- SVG and PNG


@needs_dot
@pytest.mark.parametrize("path", STARTERS, ids=lambda p: p.stem)
def test_svg_of_each_starter_parses_and_shows_every_label(path):
    d = load(path)
    texts = svg_texts(to_svg(d))
    for node in d.nodes:
        assert node.label in texts
    for edge in d.edges:
        if edge.label and len(edge.label) <= 26:
            assert edge.label in texts


@needs_dot
@pytest.mark.parametrize("label", HOSTILE)
def test_hostile_labels_appear_in_svg_as_text_and_nothing_else(label):
    svg = to_svg(diagram(label, edge_label=label), Report(findings=(finding("error", nodes=["a"], edges=["e1"]),)))
    root = ET.fromstring(svg)
    tags = {el.tag.removeprefix(SVG).rsplit("}", 1)[-1] for el in root.iter()}
    assert tags <= {"svg", "g", "title", "text", "path", "polygon", "ellipse", "polyline", "a"}
    texts = svg_texts(svg)
    assert texts.count(label) == 2  # the diagram's name and the node (its error glyph is a text of its own)
    assert f"\u2716 {label}" in texts  # the edge


@needs_dot
def test_escstring_sequences_in_labels_are_not_expanded():
    texts = svg_texts(to_svg(diagram("\\N and \\G", edge_label="\\E \\T \\H")))
    assert texts.count("\\N and \\G") == 2  # title and node
    assert "\\E \\T \\H" in texts


@needs_dot
@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("a function with a rather long name that goes on", ["a function with a rather", "long name that goes on"]),
        ("POST /accounts/{id}/transactions", ["POST", "/accounts/{id}/transactions"]),
        ("x" * 130, ["x" * 56, "x" * 56, "x" * 18]),
    ],
)
def test_long_labels_wrap_without_losing_text(label, expected):
    texts = svg_texts(to_svg(parse({"name": "t", "nodes": [{"id": "a", "type": "lambda", "label": label}]})))
    assert texts[1 : texts.index("(AWS Lambda)")] == expected


def png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert png[12:16] == b"IHDR"
    return struct.unpack(">II", png[16:24])


@needs_dot
@pytest.mark.parametrize("path", STARTERS[:4], ids=lambda p: p.stem)
def test_png_has_the_magic_bytes_and_a_plausible_size(path):
    width, height = png_size(to_png(load(path)))
    assert 300 < width < 12_000
    assert 100 < height < 12_000
    assert width > height  # left to right


@needs_dot
def test_png_dpi_scales_the_image():
    d = load(STARTERS[0])
    small, large = png_size(to_png(d, dpi=72)), png_size(to_png(d, dpi=144))
    assert large[0] == pytest.approx(2 * small[0], rel=0.05)


def test_png_dpi_outside_the_range_is_refused():
    with pytest.raises(ValueError, match="dpi"):
        to_png(diagram(), dpi=10_000)


# ---------------------------------------------------------------- dot missing or failing


def test_missing_dot_on_path_raises_a_render_error_with_the_install_command(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(RenderError, match="apt-get install graphviz"):
        to_svg(diagram())


def test_a_missing_dot_executable_raises_a_render_error(monkeypatch):
    monkeypatch.setattr(render, "DOT_EXECUTABLE", "archlab-no-such-dot")
    with pytest.raises(RenderError, match="archlab-no-such-dot.*not found.*apt-get install graphviz"):
        to_png(diagram())


def fake_dot(tmp_path, monkeypatch, script):
    exe = tmp_path / "dot"
    exe.write_text(f"#!/bin/sh\n{script}\n")
    exe.chmod(0o755)
    monkeypatch.setattr(render, "DOT_EXECUTABLE", str(exe))


def test_a_failing_dot_raises_a_render_error_with_its_message(monkeypatch, tmp_path):
    fake_dot(tmp_path, monkeypatch, "echo 'Error: syntax error in line 3' >&2; exit 1")
    with pytest.raises(RenderError, match="failed to draw svg: Error: syntax error in line 3"):
        to_svg(diagram())


def test_a_dot_that_prints_nothing_raises_a_render_error(monkeypatch, tmp_path):
    fake_dot(tmp_path, monkeypatch, "exit 0")
    with pytest.raises(RenderError, match="failed to draw png"):
        to_png(diagram())


def test_a_dot_that_hangs_is_stopped_by_the_timeout(monkeypatch, tmp_path):
    fake_dot(tmp_path, monkeypatch, "PATH=/usr/bin:/bin:$PATH exec sleep 10")
    with pytest.raises(RenderError, match="took longer than 0.2 s"):
        to_svg(diagram(), timeout_s=0.2)


# ---------------------------------------------------------------- Mermaid

OPENINGS = "|".join(re.escape(look.mermaid[0]) for look in LOOKS.values())
CLOSINGS = "|".join(re.escape(look.mermaid[1]) for look in LOOKS.values())
NODE_LINE = re.compile(rf"^    n\d+(?:{OPENINGS})(?P<text>[^\"]*)(?:{CLOSINGS}):::[a-z]+$")
EDGE_LINE = re.compile(r'^    n\d+ (-->|-\.->|-\.-x|--o|==>)\|"(?P<text>[^"]*)"\| n\d+$')


def unmermaid(text: str) -> str:
    """Decode Mermaid entity codes the way Mermaid does: one pass, named or numeric."""
    named = {"quot": '"', "lt": "<", "gt": ">", "amp": "&"}
    return re.sub(r"#(\w+);", lambda m: named.get(m[1]) or chr(int(m[1])), text)


@pytest.mark.parametrize("path", STARTERS, ids=lambda p: p.stem)
def test_mermaid_of_each_starter_has_one_line_per_node_and_per_edge(path):
    d = load(path)
    lines = to_mermaid(d).splitlines()
    assert lines[0] == "flowchart LR"
    nodes = [line for line in lines if NODE_LINE.match(line)]
    edges = [line for line in lines if EDGE_LINE.match(line)]
    classes = [line for line in lines if line.startswith("    classDef ")]
    assert len(nodes) == len(d.nodes)
    assert len(edges) == len(d.edges)
    assert len(lines) == 1 + len(nodes) + len(edges) + len(classes)
    for node, line in zip(d.nodes, nodes, strict=True):
        assert unmermaid(NODE_LINE.match(line)["text"]).split("<br/>")[0] == node.label


@pytest.mark.parametrize(
    ("kind", "source", "target", "extra", "arrow"),
    [
        ("write", "lambda", "dynamodb", {}, "-->"),
        ("send", "lambda", "sqs", {}, "-.->"),
        ("poll", "sqs", "lambda", {}, "-.->"),
        ("dead-letter", "sqs", "sqs", {}, "-.-x"),
        ("compensate", "sfn-standard", "lambda", {"undoes": "Charge"}, "--o"),
    ],
)
def test_mermaid_arrow_follows_the_kind(kind, source, target, extra, arrow):
    edge = {"id": "e1", "from": "a", "to": "b", "kind": kind, **extra}
    d = parse({"nodes": [{"id": "a", "type": source}, {"id": "b", "type": target}], "edges": [edge]})
    assert f"    n0 {arrow}|" in to_mermaid(d)


@pytest.mark.parametrize("label", HOSTILE)
def test_mermaid_escapes_hostile_labels(label):
    text = to_mermaid(diagram(label, edge_label=label))
    node = next(NODE_LINE.match(line) for line in text.splitlines() if line.startswith("    n0("))
    edge = next(EDGE_LINE.match(line) for line in text.splitlines() if line.endswith("| n1"))
    assert node
    assert edge
    for inner in (node["text"], edge["text"]):
        bare = re.sub(r"#\w+;", "", inner.replace("<br/>", ""))
        assert not set(bare) & set('"<>#;`%|{}&'), bare
        assert "direction TB" not in inner
    assert unmermaid(node["text"]).split("<br/>")[0] == label
    assert unmermaid(edge["text"]) == label


def test_mermaid_keeps_the_authors_line_breaks_and_numbers_the_ids():
    d = parse({"nodes": [{"id": "end", "type": "lambda", "label": "two\nlines"}, {"id": "o-x", "type": "sqs"}]})
    assert to_mermaid(d).splitlines()[1:3] == [
        '    n0("two<br/>lines<br/>(AWS Lambda)"):::compute',
        '    n1>"o-x<br/>(Amazon SQS)"]:::messaging',
    ]
