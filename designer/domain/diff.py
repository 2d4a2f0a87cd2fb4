"""Compare two versions of a diagram: ``diff(old, new, old_report, new_report) -> Diff``.

A :class:`Diff` says which services and connections were added, removed or changed (each change with its value
before and after), which findings were fixed and which were introduced, which patterns were gained, lost,
completed or left incomplete, and the estimated monthly cost before and after when both are known.

Services are matched by id. Connections are matched by id when both ends are the same, then by their ends (the
editor reuses free ids, so an id alone can name a different connection in the next version). Positions are not
compared: moving a service on the canvas does not change the design. Findings are matched by rule and the
services and connections they name (not by message, whose numbers follow the configuration).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from designer.domain.diagram import Diagram, Edge, Node
from designer.domain.report import Finding, Report

__all__ = ["Change", "Diff", "ElementChange", "diff", "finding_key"]

FindingKey = tuple[str, tuple[str, ...], tuple[str, ...]]


@dataclass(frozen=True, slots=True)
class Change:
    """One field that differs: ``field`` is ``type``, ``label``, ``tags``, ``kind``, ``config.<name>`` or
    ``attrs.<name>``; ``before`` or ``after`` is None where the field is absent on that side."""

    field: str
    before: Any
    after: Any

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field, "before": self.before, "after": self.after}


@dataclass(frozen=True, slots=True)
class ElementChange:
    """A service or connection that was added, removed or changed.

    ``type`` is the service type or the connection kind; ``source``, ``target`` and ``ends`` (the labels of both
    ends, "A → B") are set for connections; ``old_id`` is set when a connection was matched by its ends and its
    id changed.
    """

    id: str
    label: str
    type: str
    changes: tuple[Change, ...] = ()
    source: str = ""
    target: str = ""
    ends: str = ""
    old_id: str = ""

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "label": self.label, "type": self.type}
        out["changes"] = [c.to_dict() for c in self.changes]
        if self.source or self.target:
            out["source"], out["target"], out["ends"] = self.source, self.target, self.ends
        if self.old_id:
            out["old_id"] = self.old_id
        return out


@dataclass(frozen=True)
class Diff:
    name_before: str
    name_after: str
    nodes_added: tuple[ElementChange, ...] = ()
    nodes_removed: tuple[ElementChange, ...] = ()
    nodes_changed: tuple[ElementChange, ...] = ()
    edges_added: tuple[ElementChange, ...] = ()
    edges_removed: tuple[ElementChange, ...] = ()
    edges_changed: tuple[ElementChange, ...] = ()
    findings_fixed: tuple[Finding, ...] = ()
    findings_introduced: tuple[Finding, ...] = ()
    patterns_gained: tuple[str, ...] = ()
    patterns_lost: tuple[str, ...] = ()
    patterns_completed: tuple[str, ...] = ()
    patterns_incomplete: tuple[str, ...] = ()
    cost_before_usd: float | None = None
    cost_after_usd: float | None = None

    @property
    def cost_change_usd(self) -> float | None:
        if self.cost_before_usd is None or self.cost_after_usd is None:
            return None
        return self.cost_after_usd - self.cost_before_usd

    @property
    def design_changed(self) -> bool:
        """True when a service or connection differs (the name, findings and cost aside)."""
        return any(
            (
                self.nodes_added,
                self.nodes_removed,
                self.nodes_changed,
                self.edges_added,
                self.edges_removed,
                self.edges_changed,
            )
        )

    def to_dict(self) -> dict[str, Any]:
        def elements(items: Iterable[ElementChange]) -> list[dict[str, Any]]:
            return [e.to_dict() for e in items]

        change = self.cost_change_usd
        return {
            "format": "archlab/diff@1",
            "name": {"before": self.name_before, "after": self.name_after},
            "nodes": {
                "added": elements(self.nodes_added),
                "removed": elements(self.nodes_removed),
                "changed": elements(self.nodes_changed),
            },
            "edges": {
                "added": elements(self.edges_added),
                "removed": elements(self.edges_removed),
                "changed": elements(self.edges_changed),
            },
            "findings": {
                "fixed": [f.to_dict() for f in self.findings_fixed],
                "introduced": [f.to_dict() for f in self.findings_introduced],
            },
            "patterns": {
                "gained": list(self.patterns_gained),
                "lost": list(self.patterns_lost),
                "completed": list(self.patterns_completed),
                "incomplete": list(self.patterns_incomplete),
            },
            "cost": {
                "before_usd": self.cost_before_usd,
                "after_usd": self.cost_after_usd,
                "change_usd": None if change is None else round(change, 2),
            },
        }


def diff(
    old: Diagram,
    new: Diagram,
    old_report: Report,
    new_report: Report,
    *,
    old_cost_usd: float | None = None,
    new_cost_usd: float | None = None,
) -> Diff:
    """What changed from ``old`` to ``new``. The reports are ``validate()`` of each side; the costs are the
    estimated monthly costs where an estimate exists. Never raises for well-formed diagrams."""
    nodes_added, nodes_removed, nodes_changed = _nodes(old, new)
    edges_added, edges_removed, edges_changed, edge_ids = _edges(old, new)
    fixed, introduced = _findings(old_report.findings, new_report.findings, edge_ids)
    gained, lost, completed, incomplete = _patterns(old_report, new_report)
    return Diff(
        name_before=old.name,
        name_after=new.name,
        nodes_added=nodes_added,
        nodes_removed=nodes_removed,
        nodes_changed=nodes_changed,
        edges_added=edges_added,
        edges_removed=edges_removed,
        edges_changed=edges_changed,
        findings_fixed=fixed,
        findings_introduced=introduced,
        patterns_gained=gained,
        patterns_lost=lost,
        patterns_completed=completed,
        patterns_incomplete=incomplete,
        cost_before_usd=old_cost_usd,
        cost_after_usd=new_cost_usd,
    )


def finding_key(finding: Finding | Mapping[str, Any]) -> FindingKey:
    """What identifies a finding across versions: its rule and the ids it names (not its message)."""
    if isinstance(finding, Finding):
        return (finding.rule, tuple(sorted(finding.nodes)), tuple(sorted(finding.edges)))
    return (
        str(finding.get("rule", "")),
        tuple(sorted(str(n) for n in finding.get("nodes", ()))),
        tuple(sorted(str(e) for e in finding.get("edges", ()))),
    )


# ---- services and connections -------------------------------------------------------------------------------


def _node_element(node: Node, changes: tuple[Change, ...] = ()) -> ElementChange:
    return ElementChange(id=node.id, label=node.label, type=node.type, changes=changes)


def _nodes(old: Diagram, new: Diagram) -> tuple[tuple[ElementChange, ...], ...]:
    old_ids = {n.id for n in old.nodes}
    new_ids = {n.id for n in new.nodes}
    added = tuple(_node_element(n) for n in new.nodes if n.id not in old_ids)
    removed = tuple(_node_element(n) for n in old.nodes if n.id not in new_ids)
    changed = []
    for node in new.nodes:
        if node.id in old_ids and (changes := _node_changes(old.node(node.id), node)):
            changed.append(_node_element(node, changes))
    return added, removed, tuple(changed)


def _node_changes(before: Node, after: Node) -> tuple[Change, ...]:
    changes = []
    if before.type != after.type:
        changes.append(Change("type", before.type, after.type))
    if before.label != after.label:
        changes.append(Change("label", before.label, after.label))
    if before.tags != after.tags:
        changes.append(Change("tags", list(before.tags), list(after.tags)))
    changes += _mapping_changes("config", before.config, after.config)
    return tuple(changes)


def _mapping_changes(prefix: str, before: Mapping[str, Any], after: Mapping[str, Any]) -> list[Change]:
    keys = list(before) + [k for k in after if k not in before]
    return [Change(f"{prefix}.{k}", before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]


def _edge_element(diagram: Diagram, edge: Edge, changes: tuple[Change, ...] = (), old_id: str = "") -> ElementChange:
    ends = f"{diagram.label(edge.source)} → {diagram.label(edge.target)}"
    return ElementChange(
        id=edge.id,
        label=edge.label or ends,
        type=edge.kind,
        changes=changes,
        source=edge.source,
        target=edge.target,
        ends=ends,
        old_id=old_id,
    )


def _edges(
    old: Diagram, new: Diagram
) -> tuple[tuple[ElementChange, ...], tuple[ElementChange, ...], tuple[ElementChange, ...], dict[str, str]]:
    """Added, removed and changed connections, and the map of matched old edge ids to new ones."""
    old_by_id = {e.id: e for e in old.edges}
    pairs: dict[str, Edge] = {}  # new edge id -> its old edge
    for edge in new.edges:
        before = old_by_id.get(edge.id)
        if before is not None and (before.source, before.target) == (edge.source, edge.target):
            pairs[edge.id] = before
    # Then by the ends, in order, among what is left on both sides.
    matched_old = {e.id for e in pairs.values()}
    free: dict[tuple[str, str], list[Edge]] = {}
    for edge in old.edges:
        if edge.id not in matched_old:
            free.setdefault((edge.source, edge.target), []).append(edge)
    for edge in new.edges:
        candidates = free.get((edge.source, edge.target))
        if edge.id not in pairs and candidates:
            pairs[edge.id] = candidates.pop(0)
    matched_old = {e.id for e in pairs.values()}

    added, changed = [], []
    for edge in new.edges:
        before = pairs.get(edge.id)
        if before is None:
            added.append(_edge_element(new, edge))
        elif changes := _edge_changes(before, edge):
            changed.append(_edge_element(new, edge, changes, old_id=before.id if before.id != edge.id else ""))
    removed = tuple(_edge_element(old, e) for e in old.edges if e.id not in matched_old)
    ids = {before.id: new_id for new_id, before in pairs.items()}
    return tuple(added), removed, tuple(changed), ids


def _edge_changes(before: Edge, after: Edge) -> tuple[Change, ...]:
    changes = []
    if before.kind != after.kind:
        changes.append(Change("kind", before.kind, after.kind))
    if before.label != after.label:
        changes.append(Change("label", before.label, after.label))
    changes += _mapping_changes("attrs", before.attrs, after.attrs)
    return tuple(changes)


# ---- findings and patterns ------------------------------------------------------------------------------------


def _findings(
    old: Iterable[Finding], new: Iterable[Finding], edge_ids: Mapping[str, str]
) -> tuple[tuple[Finding, ...], tuple[Finding, ...]]:
    """Fixed (in old only) and introduced (in new only) findings, counted as multisets of their keys.

    Old findings' connection ids are translated to the new version's ids first, so a renumbered connection does
    not make its finding look fixed and introduced again.
    """

    def translated(f: Finding) -> FindingKey:
        rule, nodes, edges = finding_key(f)
        return rule, nodes, tuple(sorted(edge_ids.get(e, e) for e in edges))

    new_list, old_list = list(new), list(old)
    left = Counter(finding_key(f) for f in new_list)
    fixed = []
    for f in old_list:
        key = translated(f)
        if left[key] > 0:
            left[key] -= 1
        else:
            fixed.append(f)
    before = Counter(translated(f) for f in old_list)
    introduced = []
    for f in new_list:
        key = finding_key(f)
        if before[key] > 0:
            before[key] -= 1
        else:
            introduced.append(f)
    return tuple(fixed), tuple(introduced)


def _patterns(old: Report, new: Report) -> tuple[tuple[str, ...], ...]:
    """Pattern ids gained, lost, completed (complete only now) and left incomplete (complete only before)."""
    before = _pattern_state(old)
    after = _pattern_state(new)
    gained = tuple(p for p in after if p not in before)
    lost = tuple(p for p in before if p not in after)
    completed = tuple(p for p in after if p in before and after[p] and not before[p])
    incomplete = tuple(p for p in after if p in before and before[p] and not after[p])
    return gained, lost, completed, incomplete


def _pattern_state(report: Report) -> dict[str, bool]:
    """Each recognised pattern id and whether at least one of its matches is complete."""
    state: dict[str, bool] = {}
    for match in report.patterns:
        state[match.id] = state.get(match.id, False) or match.complete
    return state
