"""Diagrams as pictures: Graphviz DOT (and SVG or PNG through ``dot``) and Mermaid flowchart text.

Both notations draw the same picture: shape and fill colour by service category, line style by edge kind
(solid when the caller waits, dashed when it does not, dotted for dead letters, a round head for compensations).
Every piece of user text is escaped for the target syntax, so a label can never add markup or statements.
``to_svg`` and ``to_png`` raise :class:`RenderError` when ``dot`` is missing, fails or runs too long.
"""

from __future__ import annotations

import html
import re
import subprocess  # only Graphviz's dot is run, by a fixed name  # nosec B404
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass

import graphviz  # type: ignore[import-untyped]  # the package ships no type information

from designer.domain.catalog import Catalog, load_catalog
from designer.domain.diagram import Diagram, Edge, Node
from designer.domain.report import Finding, Report

__all__ = ["DOT_EXECUTABLE", "RenderError", "to_dot", "to_mermaid", "to_png", "to_svg"]

DOT_EXECUTABLE = "dot"  # looked up on PATH when a picture is rendered
INSTALL_HINT = "install Graphviz with `apt-get install graphviz` (macOS: `brew install graphviz`)"
TIMEOUT_S = 30.0
FONT = "Helvetica,Arial,sans-serif"
INK, MUTED = "#2E3440", "#5E6673"


class RenderError(RuntimeError):
    """A picture could not be made: ``dot`` is missing, failed or ran out of time. The message says which."""


@dataclass(frozen=True, slots=True)
class Look:
    """How one service category is drawn: Graphviz shape and style, fill, and the Mermaid shape brackets."""

    shape: str
    style: str
    fill: str
    mermaid: tuple[str, str]
    margin: str = "0.15,0.06"  # inches around the label; a hexagon grows wide enough without it


# Fills are Paul Tol's "pale" scheme (made for text on colour, distinguishable with colour-blindness); shapes differ
# too, so the category never rests on colour alone.
LOOKS = {
    "clients": Look("ellipse", "filled", "#DDDDDD", ('(["', '"])')),
    "apis": Look("hexagon", "filled", "#BBCCEE", ('{{"', '"}}'), margin="0.01,0.06"),
    "compute": Look("box", "rounded,filled", "#EEEEBB", ('("', '")')),
    "messaging": Look("cds", "filled", "#CCDDAA", ('>"', '"]')),
    "workflows": Look("component", "filled", "#FFCCCC", ('[["', '"]]')),
    "data": Look("cylinder", "filled", "#CCEEFF", ('[("', '")]')),
    "other": Look("note", "filled", "#FFFFFF", ('["', '"]')),
}
# Severity -> (glyph, colour, border width). The glyph carries the meaning where the colour cannot.
MARKS = {"error": ("\u2716", "#C00000", "3"), "warning": ("\u26a0", "#D97000", "2.5")}
LEGEND = {
    "sync": "\u2500\u2500 waits for the answer",
    "async": "- - - does not wait",
    "dead-letter": "\u00b7\u00b7\u00b7 dead letters",
    "compensate": "\u2500\u25cb undoes a step",
    "authorize": "\u2500\u25c7 checks who may call",
}
ARROWS = {"sync": "-->", "async": "-.->", "dead-letter": "-.-x", "compensate": "--o", "authorize": "==>"}


def to_dot(diagram: Diagram, report: Report | None = None, *, catalog: Catalog | None = None) -> str:
    """Graphviz DOT source, left to right; nodes and edges named by error or warning findings are marked."""
    cat = catalog or load_catalog()
    node_findings, edge_findings = _findings(report)
    graph = graphviz.Digraph("archlab")
    graph.attr(rankdir="LR", fontname=FONT, fontcolor=INK, bgcolor="white", pad="0.3", nodesep="0.35")
    marked = {f.severity for found in (*node_findings.values(), *edge_findings.values()) for f in found}
    lines = {_line_kind(e, cat) for e in diagram.edges}
    graph.attr(ranksep="0.6", labelloc="t", labeljust="l", label=_title(diagram.name, lines, marked=marked))
    graph.attr("node", fontname=FONT, fontsize="11", fontcolor=INK, color=MUTED, penwidth="1.2")
    graph.attr("edge", fontname=FONT, fontsize="9", fontcolor=MUTED, color=MUTED, arrowsize="0.8")
    for node in diagram.nodes:
        graph.node(node.id, **_node_attrs(node, cat, node_findings.get(node.id, [])))
    for edge in diagram.edges:
        graph.edge(edge.source, edge.target, **_edge_attrs(edge, cat, edge_findings.get(edge.id, [])))
    return str(graph.source)


def to_svg(diagram: Diagram, report: Report | None = None, *, timeout_s: float = TIMEOUT_S) -> bytes:
    """The diagram as an SVG document (UTF-8 bytes). Raises :class:`RenderError`."""
    return _run_dot(to_dot(diagram, report), "svg", [], timeout_s)


def to_png(diagram: Diagram, report: Report | None = None, *, dpi: int = 144, timeout_s: float = TIMEOUT_S) -> bytes:
    """The diagram as a PNG image at ``dpi`` dots per inch (72 to 600). Raises :class:`RenderError`."""
    if not 72 <= dpi <= 600:
        raise ValueError(f"dpi must be 72..600, not {dpi}")
    return _run_dot(to_dot(diagram, report), "png", [f"-Gdpi={dpi}"], timeout_s)


def to_mermaid(diagram: Diagram, *, catalog: Catalog | None = None) -> str:
    """Mermaid ``flowchart LR`` text: one line per node, then one per edge, then the category classes."""
    cat = catalog or load_catalog()
    ids = {node.id: f"n{i}" for i, node in enumerate(diagram.nodes)}
    lines = ["flowchart LR"]
    used: dict[str, None] = {}
    for node in diagram.nodes:
        stype = cat.types[node.type]
        category = stype.category if stype.category in LOOKS else "other"
        used[category] = None
        opening, closing = LOOKS[category].mermaid
        text = f"{_mermaid_text(node.label)}<br/>{_mermaid_text(f'({stype.name})')}"
        lines.append(f"    {ids[node.id]}{opening}{text}{closing}:::{category}")
    for edge in diagram.edges:
        arrow = ARROWS[_line_kind(edge, cat)]
        lines.append(f'    {ids[edge.source]} {arrow}|"{_mermaid_text(_edge_text(edge))}"| {ids[edge.target]}')
    for category in used:
        fill = LOOKS[category].fill
        lines.append(f"    classDef {category} fill:{fill},stroke:{MUTED},color:{INK}")
    return "\n".join(lines) + "\n"


def _findings(report: Report | None) -> tuple[dict[str, list[Finding]], dict[str, list[Finding]]]:
    """Error and warning findings by the node ids and edge ids they name (info findings mark nothing)."""
    nodes: dict[str, list[Finding]] = {}
    edges: dict[str, list[Finding]] = {}
    for finding in report.findings if report else ():
        if finding.severity in MARKS:
            for node_id in finding.nodes:
                nodes.setdefault(node_id, []).append(finding)
            for edge_id in finding.edges:
                edges.setdefault(edge_id, []).append(finding)
    return nodes, edges


def _worst(findings: list[Finding]) -> str | None:
    severities = {f.severity for f in findings}
    return next((s for s in MARKS if s in severities), None)


def _node_attrs(node: Node, cat: Catalog, findings: list[Finding]) -> dict[str, str]:
    stype = cat.types[node.type]
    look = LOOKS.get(stype.category, LOOKS["other"])
    title = _html_lines(node.label, 28)
    attrs = {"shape": look.shape, "style": look.style, "fillcolor": look.fill, "margin": look.margin}
    attrs["id"] = f"node-{node.id}"
    if worst := _worst(findings):
        glyph, colour, width = MARKS[worst]
        title = f'<FONT COLOR="{colour}">{glyph} </FONT>{title}'
        attrs.update(color=colour, penwidth=width)
    attrs["label"] = f'<<B>{title}</B><BR/><FONT POINT-SIZE="9" COLOR="{MUTED}">({html.escape(stype.name)})</FONT>>'
    attrs["tooltip"] = _tooltip([f"{node.label} ({stype.name}, id {node.id})"], findings)
    return attrs


def _edge_attrs(edge: Edge, cat: Catalog, findings: list[Finding]) -> dict[str, str]:
    line = _line_kind(edge, cat)
    attrs = {"id": f"edge-{edge.id}", "style": "solid"}
    if line == "async":
        attrs["style"] = "dashed"
    elif line == "dead-letter":
        attrs["style"] = "dotted"
    elif line == "compensate":
        attrs.update(arrowhead="odot", color="#882255", fontcolor="#882255")
    elif line == "authorize":
        attrs.update(arrowhead="odiamond", color="#117733", fontcolor="#117733")
    text = _html_lines(_edge_text(edge), 26)
    if worst := _worst(findings):
        glyph, colour, width = MARKS[worst]
        text = f"{glyph} {text}"
        attrs.update(color=colour, fontcolor=colour, penwidth=width)
    attrs["label"] = f"<{text}>"
    attrs["tooltip"] = _tooltip([f"{edge.kind}: {edge.source} \u2192 {edge.target} ({edge.id})"], findings)
    return attrs


def _edge_text(edge: Edge) -> str:
    """The edge's own label, else its kind (with the state machine step it stands for, when it names one)."""
    if edge.label:
        return edge.label
    step = edge.attr("undoes") if edge.kind == "compensate" else edge.attr("step")
    return f"{edge.kind}: {step}" if isinstance(step, str) and step else edge.kind


def _line_kind(edge: Edge, cat: Catalog) -> str:
    if edge.kind in ("dead-letter", "compensate", "authorize"):
        return edge.kind
    kind = cat.kinds.get(edge.kind)
    return "sync" if kind is None or kind.sync else "async"


def _title(name: str, lines: set[str], *, marked: set[str]) -> str:
    """The diagram's name over a legend of the line styles it uses (and of the finding marks, when there are any)."""
    keys = [text for kind, text in LEGEND.items() if kind in lines]
    keys += [f"{glyph} {severity}" for severity, (glyph, _, _) in MARKS.items() if severity in marked]
    legend = (
        f'<BR ALIGN="LEFT"/><FONT POINT-SIZE="9" COLOR="{MUTED}">{html.escape("    ".join(keys))}</FONT>'
        if keys
        else ""
    )
    return f'<<FONT POINT-SIZE="15"><B>{_html_lines(name, 80)}</B></FONT>{legend}<BR ALIGN="LEFT"/>>'


def _html_lines(text: str, width: int) -> str:
    """User text for an HTML-like label: escaped, wrapped at ``width``, the author's line breaks kept."""
    lines = [
        part[i : i + 2 * width]  # a word longer than the line is kept whole, unless it is very long
        for line in _xml_chars(text).split("\n")
        for part in textwrap.wrap(line, width, break_long_words=False, break_on_hyphens=False) or [""]
        for i in range(0, max(len(part), 1), 2 * width)
    ]
    # dot expands escString sequences such as \N (the node's name) even in HTML-like labels: double backslashes.
    return "<BR/>".join(html.escape(part, quote=False).replace("\\", "\\\\") for part in lines)


def _tooltip(lines: list[str], findings: Iterable[Finding]) -> str:
    """An escString for a tooltip: backslashes doubled so ``\\N`` and the like stay literal, lines joined by ``\\n``."""
    lines = [*lines, *(f"{MARKS[f.severity][0]} {f.message}" for f in findings)]
    joined = "\\n".join(str(graphviz.escape(_xml_chars(line.replace("\n", " ")))) for line in lines)
    return str(graphviz.nohtml(joined))  # never taken for an HTML string, whatever the text looks like


def _xml_chars(text: str) -> str:
    """``text`` with the characters XML cannot hold (``dot`` refuses them) replaced by U+FFFD."""
    return _NOT_XML.sub("\ufffd", text)


def _run_dot(source: str, fmt: str, options: list[str], timeout_s: float) -> bytes:
    command = [DOT_EXECUTABLE, f"-T{fmt}", *options]
    try:
        # A fixed command and options, no shell; the user's text reaches dot only as escaped DOT on stdin.
        done = subprocess.run(command, input=source.encode(), capture_output=True, timeout=timeout_s, check=False)  # nosec B603
    except FileNotFoundError:
        raise RenderError(f"Graphviz `{DOT_EXECUTABLE}` was not found on PATH; {INSTALL_HINT}") from None
    except subprocess.TimeoutExpired:
        raise RenderError(
            f"Graphviz `{DOT_EXECUTABLE}` took longer than {timeout_s:g} s; try a smaller diagram"
        ) from None
    except OSError as exc:
        raise RenderError(f"Graphviz `{DOT_EXECUTABLE}` could not be run ({exc}); {INSTALL_HINT}") from None
    if done.returncode != 0 or not done.stdout:
        detail = done.stderr.decode(errors="replace").strip()[:500] or f"exit status {done.returncode}"
        raise RenderError(f"Graphviz `{DOT_EXECUTABLE}` failed to draw {fmt}: {detail}")
    return bytes(done.stdout)


_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

# Mermaid reads a quoted label up to the next `"`, decodes `#name;` and `#123;` entity codes and renders the rest
# as HTML; `%%{` starts a directive anywhere in the text. Everything outside a short safe set becomes a code.
_MERMAID_SAFE = frozenset(" .,:-_/'+=!?*@()$")
_MERMAID_NAMED = {'"': "#quot;", "<": "#lt;", ">": "#gt;", "&": "#amp;"}
# The flowchart lexer takes any line holding "direction TB" (or BT, RL, LR) for a direction statement.
_DIRECTION = re.compile(r"(directio)n(?=\s+(?:TB|BT|RL|LR|TD))", re.IGNORECASE)


def _mermaid_text(text: str) -> str:
    lines = []
    for line in _xml_chars(text).split("\n"):
        chars = (
            c if c.isalnum() or c in _MERMAID_SAFE else _MERMAID_NAMED.get(c, f"#{ord(c)};")
            for c in line.replace("\t", " ")
        )
        lines.append(_DIRECTION.sub(r"\1#110;", "".join(chars)))
    return "<br/>".join(lines)
