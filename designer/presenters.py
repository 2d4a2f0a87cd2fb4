"""Shapes of domain data for templates and the editor's JavaScript (no logic beyond presentation)."""

from __future__ import annotations

import functools
from typing import Any

from config.spreadsheets import csv_cell
from designer.domain.catalog import load_catalog, read_data
from designer.domain.rules import load_rules

SEVERITY_ORDER = ("error", "warning", "info")


@functools.cache
def editor_catalog() -> dict[str, Any]:
    """Everything the canvas needs to know about services and connections, as JSON-ready data."""
    catalog = load_catalog()
    types = []
    for t in catalog.types.values():
        params = [
            {
                "name": p.name,
                "type": p.type,
                "unit": p.unit,
                "default": p.default,
                "min": p.min,
                "max": p.max,
                "values": list(p.values),
                "help": p.help,
                "estimate": p.estimate,
            }
            for p in t.params.values()
        ]
        types.append(
            {"id": t.id, "name": t.name, "category": t.category, "icon": t.icon, "summary": t.summary, "params": params}
        )
    kinds = [
        {
            "id": k.id,
            "help": k.help,
            "sync": k.sync,
            "attrs": [
                {"name": a.name, "type": a.type, "help": a.help, "required": a.required} for a in k.attrs.values()
            ],
        }
        for k in catalog.kinds.values()
    ]
    connections = [[s, t, list(kinds)] for (s, t), kinds in catalog.connections.items()]
    categories = [{"id": cid, "name": name} for cid, name in catalog.categories]
    return {"types": types, "kinds": kinds, "connections": connections, "categories": categories}


@functools.cache
def pattern_catalog() -> list[dict[str, Any]]:
    return list(read_data("patterns.yaml")["patterns"])


def pattern_by_id(pattern_id: str) -> dict[str, Any] | None:
    return next((p for p in pattern_catalog() if p["id"] == pattern_id), None)


def rules_teaching(pattern_id: str) -> list[Any]:
    return [r for r in load_rules().values() if pattern_id in r.refs]


def findings_by_severity(report: dict[str, Any]) -> list[tuple[str, list[dict[str, Any]]]]:
    groups: dict[str, list[dict[str, Any]]] = {s: [] for s in SEVERITY_ORDER}
    for finding in report.get("findings", []):
        groups[finding["severity"]].append(finding)
    return [(s, groups[s]) for s in SEVERITY_ORDER]


def pattern_names() -> dict[str, str]:
    return {p["id"]: p["name"] for p in pattern_catalog()}


def node_labels(data: dict[str, Any]) -> dict[str, str]:
    """Each node's label in a stored diagram, its id where it has none: what people call their services."""
    return {n["id"]: n.get("label") or n["id"] for n in data.get("nodes", [])}


def cost_by_node(result: dict[str, Any], labels: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """Cost lines grouped by node (with its label), most expensive first, for the table and the bar chart."""
    labels = labels or {}
    groups: dict[str, dict[str, Any]] = {}
    for line in result.get("lines", []):
        node = line["node"]
        group = groups.setdefault(node, {"node": node, "label": labels.get(node, node), "total": 0.0, "lines": []})
        group["total"] += float(line["cost_usd"])
        group["lines"].append(line)
    return sorted(groups.values(), key=lambda g: -g["total"])


def paths_labelled(result: dict[str, Any], labels: dict[str, str]) -> list[dict[str, Any]]:
    """The estimate's entry paths, each with the labels of its nodes and of its entry."""
    return [
        {
            **path,
            "labels": [labels.get(n, n) for n in path["nodes"]],
            "entry_label": labels.get(path["entry"], path["entry"]),
        }
        for path in result.get("paths", [])
    ]


CSV_COLUMNS = ("node", "dimension", "quantity", "unit", "unit_price_usd", "cost_usd", "source")


def estimate_csv_text(result: dict[str, Any]) -> str:
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for line in result.get("lines", []):
        writer.writerow([csv_cell(line.get(c)) for c in CSV_COLUMNS])
    writer.writerow(["total", "", "", "", "", csv_cell(result.get("monthly_cost_usd")), ""])
    return out.getvalue()
