"""Archlab's reading of the public templates measured against the expert labels in ``template_labels/``.

``evaluate()`` imports every labelled template (with the files beside it) and compares what Archlab draws and
reports with the labels: nodes, connections (recall, and connections no label allows: invented), patterns (recall
per pattern, and whether completeness agrees), and findings (precision: reported findings an expert would raise
or accepts, over all reported; recall of the findings the labels require). See ``template_labels/README.md``.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from designer.domain.diagram import DiagramError
from designer.domain.iac import ImportResult, from_template
from designer.domain.report import Report
from designer.domain.validate import validate
from designer.files import Folder

ROOT = Path(__file__).resolve().parents[4]
LABELS = Path(__file__).resolve().parent / "template_labels"
TEMPLATES = ROOT.parent / "shared" / "templates"
SECOND_SET = Path(__file__).resolve().parent / "second_set"
TODAY = dt.date(2026, 12, 7)  # labels judge runtime deprecations on this day


@dataclass
class Label:
    name: str  # collection/folder
    template: Path
    data: dict[str, Any]
    root: Path = TEMPLATES

    @property
    def folder(self) -> Path:
        """The template's own folder in its collection: files it names are read inside it."""
        collection, folder = self.name.split("/")
        return self.root / collection / folder


@dataclass
class Outcome:
    label: Label
    result: ImportResult | None = None
    report: Report | None = None
    error: str = ""
    missing_nodes: list[str] = field(default_factory=list)
    missing_edges: list[tuple[str, str, str]] = field(default_factory=list)
    invented_edges: list[tuple[str, str, str]] = field(default_factory=list)
    edges_expected: int = 0
    patterns_found: dict[str, bool] = field(default_factory=dict)  # expected pattern -> recognised
    completeness_wrong: list[str] = field(default_factory=list)
    extra_patterns: list[str] = field(default_factory=list)
    findings: list[tuple[str, str, str, bool, bool]] = field(default_factory=list)  # rule, severity, msg, ok, strict
    missed_findings: list[str] = field(default_factory=list)
    findings_expected: int = 0
    severity_wrong: list[str] = field(default_factory=list)


def labels(folder: Path = LABELS, templates: Path = TEMPLATES) -> list[Label]:
    """The labels in ``folder`` (``<collection>/<folder>.yaml``) of the templates under ``templates``."""
    out = []
    for path in sorted(folder.glob("*/*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        out.append(Label(f"{path.parent.name}/{path.stem}", templates / data["template"], data, templates))
    return out


def _kinds(text: str) -> set[str]:
    return set(str(text).split("|"))


def _edge_ok(edge: tuple[str, str, str], allowed: list[list[str]]) -> bool:
    source, kind, target = edge
    return any(a[0] == source and a[2] == target and kind in _kinds(a[1]) for a in allowed)


def _matches(finding_nodes: set[str], rule: str, entries: list[dict[str, Any]]) -> dict[str, Any] | None:
    for entry in entries:
        if entry.get("rule") == rule and set(entry.get("nodes") or []) <= finding_nodes:
            return entry
    return None


def evaluate_one(label: Label) -> Outcome:
    out = Outcome(label)
    data = label.data
    text = label.template.read_text(encoding="utf-8")
    try:
        out.result = from_template(text, files=Folder(label.folder), path=str(label.template.relative_to(label.folder)))
    except DiagramError as exc:
        out.error = str(exc)
        return out
    diagram = out.result.diagram
    out.report = report = validate(diagram, today=TODAY)
    clients = {n.id for n in diagram.nodes if n.type.startswith("client-")}
    by_label = {n.label: n for n in diagram.nodes}
    for name, type_id in (data.get("nodes") or {}).items():
        node = by_label.get(str(name))
        if node is None or node.type != type_id:
            out.missing_nodes.append(f"{name} ({type_id}; drawn: {node.type if node else 'no node'})")
    expected = [list(e) for e in data.get("edges") or []]
    allowed = expected + [list(e) for e in data.get("optional_edges") or []]
    drawn = [
        (diagram.label(e.source), e.kind, diagram.label(e.target))
        for e in diagram.edges
        if e.source not in clients and e.target not in clients
    ]
    out.edges_expected = len(expected)
    for source, kinds, target in expected:
        if not any(d[0] == source and d[2] == target and d[1] in _kinds(kinds) for d in drawn):
            out.missing_edges.append((source, kinds, target))
    out.invented_edges = sorted({d for d in drawn if not _edge_ok(d, allowed)})
    wanted = data.get("patterns") or {}
    found_ids = {m.id for m in report.patterns}
    for pattern, completeness in wanted.items():
        out.patterns_found[pattern] = pattern in found_ids
        if pattern in found_ids and completeness in ("complete", "incomplete"):
            matches = [m for m in report.patterns if m.id == pattern]
            if not any(m.complete == (completeness == "complete") for m in matches):
                out.completeness_wrong.append(f"{pattern} should be {completeness}")
    optional = set(data.get("optional_patterns") or [])
    out.extra_patterns = sorted(found_ids - set(wanted) - optional)
    required = list(data.get("findings") or [])
    accepted = required + list(data.get("acceptable_findings") or [])
    out.findings_expected = len(required)
    for finding in report.findings:
        nodes = {diagram.label(n) for n in finding.nodes}
        entry = _matches(nodes, finding.rule, accepted)
        strict = _matches(nodes, finding.rule, required) is not None
        out.findings.append((finding.rule, finding.severity, finding.message, entry is not None, strict))
        if entry is not None and entry.get("severity") and entry["severity"] != finding.severity:
            out.severity_wrong.append(f"{finding.rule}: {finding.severity}, labelled {entry['severity']}")
    for entry in required:
        if not any(
            f.rule == entry["rule"] and set(entry.get("nodes") or []) <= {diagram.label(n) for n in f.nodes}
            for f in report.findings
        ):
            out.missed_findings.append(f"{entry['rule']} {entry.get('nodes') or ''}")
    return out


@dataclass
class Summary:
    outcomes: list[Outcome]

    def ratio(self, hit: int, total: int) -> float:
        return hit / total if total else 1.0

    @property
    def pattern_recall(self) -> dict[str, tuple[int, int]]:
        counts: dict[str, list[int]] = {}
        for o in self.outcomes:
            for pattern, found in o.patterns_found.items():
                c = counts.setdefault(pattern, [0, 0])
                c[0] += int(found)
                c[1] += 1
        return {p: (c[0], c[1]) for p, c in sorted(counts.items())}

    @property
    def pattern_recall_overall(self) -> float:
        hits = sum(h for h, _ in self.pattern_recall.values())
        return self.ratio(hits, sum(t for _, t in self.pattern_recall.values()))

    @property
    def reported(self) -> list[tuple[str, str, str, bool, bool]]:
        return [f for o in self.outcomes for f in o.findings]

    @property
    def precision(self) -> float:
        return self.ratio(sum(f[3] for f in self.reported), len(self.reported))

    @property
    def strict_precision(self) -> float:
        return self.ratio(sum(f[4] for f in self.reported), len(self.reported))

    @property
    def finding_recall(self) -> float:
        expected = sum(o.findings_expected for o in self.outcomes)
        return self.ratio(expected - sum(len(o.missed_findings) for o in self.outcomes), expected)

    @property
    def connection_recall(self) -> float:
        expected = sum(o.edges_expected for o in self.outcomes)
        return self.ratio(expected - sum(len(o.missing_edges) for o in self.outcomes), expected)

    @property
    def invented(self) -> int:
        return sum(len(o.invented_edges) for o in self.outcomes)

    def false_findings(self) -> Counter[str]:
        return Counter(f[0] for f in self.reported if not f[3])


def evaluate(folder: Path = LABELS, templates: Path = TEMPLATES) -> Summary:
    return Summary([evaluate_one(label) for label in labels(folder, templates)])
