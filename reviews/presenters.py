"""Shapes of review data for pages, the diff canvas and the Markdown report (presentation only)."""

from __future__ import annotations

import re
from typing import Any

from reviews.services import ReviewReport, VersionDiff

STATUS_MARK = {"added": "+", "removed": "−", "changed": "~", "same": ""}


def diff_canvas(vd: VersionDiff) -> dict[str, Any]:
    """Cytoscape elements for the diff page: the new version's services and connections, plus the removed ones
    from the old version, each with its status (added, removed, changed, same) and a text marker."""
    d = vd.diff
    added_nodes = {n.id for n in d.nodes_added}
    changed_nodes = {n.id for n in d.nodes_changed}
    added_edges = {e.id for e in d.edges_added}
    changed_edges = {e.id for e in d.edges_changed}
    removed_nodes = {n.id for n in d.nodes_removed}
    removed_edges = {e.id for e in d.edges_removed}

    def node(n: dict[str, Any], status: str) -> dict[str, Any]:
        mark = STATUS_MARK[status]
        label = n.get("label") or n["id"]
        return {
            "id": n["id"],
            "label": f"{mark} {label}".strip(),
            "type": n.get("type", ""),
            "status": status,
            "position": n.get("position"),
        }

    def edge(e: dict[str, Any], status: str, prefix: str = "") -> dict[str, Any]:
        mark = STATUS_MARK[status]
        text = e.get("label") or e.get("kind", "")
        return {
            "id": prefix + e["id"],
            "source": e["from"],
            "target": e["to"],
            "label": f"{mark} {text}".strip(),
            "status": status,
        }

    def status_of(element_id: str, added: set[str], changed: set[str]) -> str:
        return "added" if element_id in added else "changed" if element_id in changed else "same"

    nodes = [node(n, status_of(n["id"], added_nodes, changed_nodes)) for n in vd.new.data.get("nodes", [])]
    nodes += [node(n, "removed") for n in vd.old.data.get("nodes", []) if n["id"] in removed_nodes]
    edges = [edge(e, status_of(e["id"], added_edges, changed_edges)) for e in vd.new.data.get("edges", [])]
    edges += [edge(e, "removed", "was:") for e in vd.old.data.get("edges", []) if e["id"] in removed_edges]
    return {"nodes": nodes, "edges": edges}


def change_text(value: Any) -> str:
    """A config value as a reader expects it: ``unset`` for absent, JSON-like otherwise."""
    if value is None:
        return "unset"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value) or "none"
    return str(value)


# ---- Markdown -------------------------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]{}#|!])")


def md(text: Any) -> str:
    """User text made inert in Markdown: markup characters escaped, HTML brackets as entities, one line."""
    flat = " ".join(str(text).split())
    return _MD_SPECIAL.sub(r"\\\1", flat).replace("<", "&lt;").replace(">", "&gt;")


def _who(user: Any) -> str:
    return md(user.get_username()) if user is not None else "someone"


def review_markdown(report: ReviewReport, *, image_url: str, review_url: str) -> str:
    """The review as a Markdown document: image, patterns, findings (open, then decided), waivers with reasons,
    estimate, questions, open comments and decisions."""
    r, v = report.review, report.version
    out = [
        f"# Design review: {md(report.diagram.name)} (version {v.number})",
        "",
        f"- Status: **{r.get_status_display()}**"
        + (f" by {_who(r.decided_by)} on {r.decided_at:%Y-%m-%d}" if r.decided_by and r.decided_at else ""),
        f"- Requested by {_who(r.requested_by)} on {r.created_at:%Y-%m-%d}",
        f"- Review page: <{review_url}>",
    ]
    if r.note:
        out.append(f"- Note: {md(r.note)}")
    out += ["", f"![Diagram, version {v.number}]({image_url})", "", "## Patterns", ""]
    out += [
        f"- {md(p['name'])}: {'complete' if p['complete'] else 'incomplete: ' + md('; '.join(p['missing']))}"
        for p in report.patterns
    ] or ["No pattern recognised."]
    out += ["", "## Findings", ""]
    open_items = report.findings.get("open", [])
    out += [f"### Open ({len(open_items)})", ""]
    out += [_finding_md(i, report) for i in open_items] or ["None: every finding has a decision."]
    for status in ("accepted", "fixed"):
        items = report.findings.get(status, [])
        if items:
            out += ["", f"### {status.capitalize()} ({len(items)})", ""] + [_finding_md(i, report) for i in items]
    out += ["", "## Waivers", ""]
    out += [
        f"- {_finding_md(i, report)[2:]}\n  - Reason: {md(i.reason)} ({_who(i.decided_by)})" for i in report.waivers
    ] or ["No finding was waived."]
    out += ["", "## Estimate", ""]
    if report.cost_usd is None:
        out.append("No finished estimate for this version.")
    else:
        out.append(f"Estimated monthly cost: **${report.cost_usd:,.2f}**")
        if report.cost_lines:
            out += ["", "| Service | Monthly cost (USD) |", "| --- | ---: |"]
            out += [f"| {md(c['label'])} | {c['total']:,.2f} |" for c in report.cost_lines]
    out += ["", "## Review questions", ""]
    for pillar, items in report.questions:
        out += [f"### {md(pillar)}", ""]
        for q in items:
            answer = f" — {md(q.reason)}" if q.reason else ""
            out.append(f"- [{'x' if q.status != 'open' else ' '}] {md(q.title)} (**{q.get_status_display()}**{answer})")
        out.append("")
    out += ["## Open comments", ""]
    out += [
        f"- On {md(t.label or 'the whole diagram')}: {md(t.root.body[:300])} ({_who(t.root.author)}, {t.count} comment{'s' if t.count != 1 else ''})"
        for t in report.open_threads
    ] or ["No open comments."]
    out += ["", "## Decisions", ""]
    for rv in report.reviewers:
        when = f" on {rv.decided_at:%Y-%m-%d}" if rv.decided_at else ""
        note = f": {md(rv.note)}" if rv.note else ""
        out.append(f"- {_who(rv.user)}: **{rv.get_decision_display()}**{when}{note}")
    return "\n".join(out).rstrip() + "\n"


def _finding_md(item: Any, report: ReviewReport) -> str:
    where = ", ".join(md(report.labels.get(i, i)) for i in [*item.nodes, *item.edges])
    return f"- **{item.severity}** {md(item.title)}" + (f" ({where})" if where else "")
