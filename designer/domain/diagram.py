"""Diagrams in the ``archlab/diagram@1`` format: ``parse()`` and ``loads()``, over the model of
:mod:`designer.domain.model` (whose names this module also gives, as the format's one face).

``parse(data)`` turns decoded JSON into a :class:`Diagram` or raises :class:`DiagramError`, which carries every
problem found (not just the first), each with the path of the offending value::

    nodes[3].config.timeout_s: 1200 is above the maximum 900 (Lambda's limit)
"""

from __future__ import annotations

import difflib
import json
import math
import re
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

from designer.domain.catalog import Catalog, ServiceType, load_catalog
from designer.domain.model import FORMAT, Diagram, DiagramError, Edge, Node, Problem
from designer.domain.traffic import parse_traffic
from designer.domain.values import check_value, describe

__all__ = [
    "FORMAT",
    "LIMITS",
    "Diagram",
    "DiagramError",
    "Edge",
    "Node",
    "Problem",
    "loads",
    "parse",
]

# Documented caps: a diagram past these is refused before it is read further.
LIMITS = {"nodes": 2000, "edges": 5000, "label": 200, "name": 200, "tags": 20, "tag": 40, "position": 1_000_000}
ID_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")
TOP_KEYS = frozenset({"format", "name", "description", "nodes", "edges", "traffic", "meta"})
NODE_KEYS = frozenset({"id", "type", "label", "config", "position", "tags"})
EDGE_KEYS = frozenset({"id", "from", "to", "kind", "label"})


def loads(text: str | bytes) -> Any:
    """Decode JSON text, turning a syntax error into a :class:`DiagramError` with line and column, and refusing NaN
    and Infinity (which Python would read) with the path of the value."""
    constants: list[str] = []

    def constant(name: str) -> float:
        constants.append(name)
        return float(name)

    try:
        data = json.loads(text, parse_constant=constant)
    except json.JSONDecodeError as exc:
        raise DiagramError(
            [Problem("", f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}")]
        ) from None
    except (UnicodeDecodeError, RecursionError, ValueError) as exc:  # ValueError: e.g. an integer of 5,000 digits
        raise DiagramError([Problem("", f"not readable JSON: {str(exc)[:120] or type(exc).__name__}")]) from None
    if constants:  # NaN, Infinity, -Infinity: Python reads them, JSON has no such numbers
        where = _non_finite_path(data, "") or ""
        raise DiagramError([Problem(where, f"{constants[0]} is not a number JSON allows: write a finite number")])
    return data


def _non_finite_path(value: Any, path: str, depth: int = 0) -> str | None:
    """The path of the first NaN or infinite number in decoded JSON (``nodes[2].config.memory_mb``), if any."""
    if isinstance(value, float) and not math.isfinite(value):
        return path
    if depth > 100:
        return None
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        sub = f"{path}[{key}]" if isinstance(key, int) else f"{path}.{key}" if path else str(key)
        if (found := _non_finite_path(item, sub, depth + 1)) is not None:
            return found
    return None


def parse(data: Any, catalog: Catalog | None = None) -> Diagram:
    """Check ``data`` (decoded JSON) against the format and the catalog and build a :class:`Diagram`.

    Raises :class:`DiagramError` listing every problem found.
    """
    cat = catalog or load_catalog()
    problems: list[Problem] = []
    if not isinstance(data, dict):
        raise DiagramError([Problem("", f"a diagram is a JSON object, not {describe(data)}")])
    fmt = data.get("format", FORMAT)
    if fmt != FORMAT:
        problems.append(Problem("format", f"{describe(fmt)} is not supported; this reads {FORMAT!r}"))
    for key in sorted(set(data) - TOP_KEYS, key=str):
        problems.append(Problem(_key(str(key)), f"unknown key{_suggest(key, TOP_KEYS)}"))
    name = _text(data.get("name", "Untitled"), "name", LIMITS["name"], problems)
    description = _text(data.get("description", ""), "description", 2000, problems, multiline=True)

    raw_nodes, raw_edges = data.get("nodes", []), data.get("edges", [])
    for key, raw, cap in (("nodes", raw_nodes, LIMITS["nodes"]), ("edges", raw_edges, LIMITS["edges"])):
        if not isinstance(raw, list):
            problems.append(Problem(key, f"must be a list, not {describe(raw)}"))
        elif len(raw) > cap:
            problems.append(Problem(key, f"{len(raw):,} {key} is more than the {cap:,} a diagram may hold"))
    if problems and any(p.path in ("nodes", "edges") for p in problems):
        raise DiagramError(problems)

    nodes = [n for i, raw in enumerate(raw_nodes) if (n := _parse_node(raw, i, cat, problems))]
    raw_ids: dict[str, int] = {}
    for i, raw in enumerate(raw_nodes):
        rid = raw.get("id") if isinstance(raw, dict) else None
        if isinstance(rid, str) and rid in raw_ids:
            problems.append(Problem(f"nodes[{i}].id", f"{rid!r} is also the id of nodes[{raw_ids[rid]}]"))
        elif isinstance(rid, str):
            raw_ids[rid] = i
    by_id = {n.id: n for n in nodes}
    # Ids of nodes that had problems of their own: edges to them are not reported a second time.
    flawed = set(raw_ids) - by_id.keys()
    edges = _parse_edges(raw_edges, by_id, flawed, cat, problems)
    traffic = None
    if "traffic" in data:
        traffic, traffic_problems = parse_traffic(data["traffic"], set(raw_ids), path="traffic")
        problems.extend(Problem(path, msg) for path, msg in traffic_problems)
    if problems:
        raise DiagramError(_capped(problems))
    return Diagram(name=name, description=description, nodes=tuple(nodes), edges=tuple(edges), traffic=traffic)


def _parse_node(raw: Any, i: int, cat: Catalog, problems: list[Problem]) -> Node | None:
    where = f"nodes[{i}]"
    if not isinstance(raw, dict):
        problems.append(Problem(where, f"a node is an object, not {describe(raw)}"))
        return None
    before = len(problems)
    for key in sorted(set(raw) - NODE_KEYS, key=str):
        problems.append(Problem(f"{where}.{_key(str(key))}", f"unknown key{_suggest(key, NODE_KEYS)}"))
    node_id = raw.get("id")
    if not isinstance(node_id, str) or not ID_RE.fullmatch(node_id):
        problems.append(Problem(f"{where}.id", f"{describe(node_id)} is not an id (1-64 letters, digits, - or _)"))
    type_id = raw.get("type")
    stype = cat.types.get(type_id) if isinstance(type_id, str) else None
    if stype is None:
        problems.append(
            Problem(f"{where}.type", f"{describe(type_id)} is not a service type{_suggest(type_id, cat.types)}")
        )
    label = _text(
        raw.get("label", node_id if isinstance(node_id, str) else ""), f"{where}.label", LIMITS["label"], problems
    )
    if stype:
        _parse_config(raw.get("config", {}), stype, where, problems)
    position = _parse_position(raw.get("position"), where, problems)
    tags = _parse_tags(raw.get("tags", []), where, problems)
    if len(problems) > before or stype is None:
        return None
    given = dict(raw.get("config") or {})
    return Node(
        id=str(node_id),
        type=stype.id,
        label=label or str(node_id),
        config=MappingProxyType({**stype.defaults(), **given}),
        given=MappingProxyType(given),
        position=position,
        tags=tags,
    )


def _parse_config(raw: Any, stype: ServiceType, where: str, problems: list[Problem]) -> None:
    if raw is None:
        return
    if not isinstance(raw, dict):
        problems.append(Problem(f"{where}.config", f"must be an object, not {describe(raw)}"))
        return
    if len(raw) > 2 * len(stype.params) + 10:
        problems.append(
            Problem(f"{where}.config", f"has {len(raw):,} keys; {stype.id} has {len(stype.params)} parameters")
        )
        return
    owner = stype.name.removeprefix("AWS ").removeprefix("Amazon ")
    for key, value in raw.items():
        param = stype.params.get(key)
        if param is None:
            allowed = ", ".join(stype.params) or "none"
            problems.append(
                Problem(
                    f"{where}.config.{_key(key)}",
                    f"unknown key for {stype.id}{_suggest(key, stype.params)} (known: {allowed})",
                )
            )
        elif msg := check_value(param, value, limit_owner=owner):
            problems.append(Problem(f"{where}.config.{key}", msg))


def _parse_edges(
    raw_edges: list[Any], by_id: Mapping[str, Node], flawed: set[str], cat: Catalog, problems: list[Problem]
) -> list[Edge]:
    edges: list[Edge] = []
    taken = {e["id"] for e in raw_edges if isinstance(e, dict) and isinstance(e.get("id"), str)}
    seen: set[str] = set()
    counter = 0
    for i, raw in enumerate(raw_edges):
        where = f"edges[{i}]"
        if not isinstance(raw, dict):
            problems.append(Problem(where, f"an edge is an object, not {describe(raw)}"))
            continue
        before = len(problems)
        edge_id = raw.get("id")
        if edge_id is None:  # ids are optional on edges: number the unnamed ones
            counter += 1
            while f"e{counter}" in taken:
                counter += 1
            edge_id = f"e{counter}"
        elif not isinstance(edge_id, str) or not ID_RE.fullmatch(edge_id):
            problems.append(Problem(f"{where}.id", f"{describe(edge_id)} is not an id (1-64 letters, digits, - or _)"))
        elif edge_id in seen:
            problems.append(Problem(f"{where}.id", f"{edge_id!r} is used by another edge too"))
        seen.add(str(edge_id))
        ends = []
        for end in ("from", "to"):
            ref = raw.get(end)
            if ref is None:
                problems.append(Problem(f"{where}.{end}", "is missing"))
            elif isinstance(ref, str) and ref in flawed:
                continue
            elif not isinstance(ref, str) or ref not in by_id:
                problems.append(Problem(f"{where}.{end}", f"{describe(ref)} is not the id of a node in this diagram"))
            else:
                ends.append(by_id[ref])
        label = _text(raw.get("label", ""), f"{where}.label", LIMITS["label"], problems)
        kind = raw.get("kind")
        if kind is not None and (not isinstance(kind, str) or kind not in cat.kinds):
            problems.append(
                Problem(f"{where}.kind", f"{describe(kind)} is not an edge kind (kinds: {', '.join(cat.kinds)})")
            )
            kind = None
        elif len(ends) == 2:
            kind = _check_kind(kind, ends[0], ends[1], cat, where, problems)
        kind_failed = len(problems) > before and kind is None
        attrs = {} if kind_failed else _parse_edge_attrs(raw, kind, cat, where, problems)
        if len(problems) == before and kind is not None and len(ends) == 2:
            edges.append(Edge(str(edge_id), ends[0].id, ends[1].id, kind, label, MappingProxyType(attrs)))
    return edges


def _check_kind(
    kind: str | None, src: Node, dst: Node, cat: Catalog, where: str, problems: list[Problem]
) -> str | None:
    allowed = cat.allowed_kinds(src.type, dst.type)
    if not allowed:
        targets = ", ".join(cat.targets_of(src.type)) or "nothing"
        problems.append(
            Problem(
                where,
                f"{src.type} {src.id!r} cannot connect to {dst.type} {dst.id!r}; {src.type} connects to: {targets}",
            )
        )
        return None
    if kind is None:
        return allowed[0]
    if kind not in allowed:
        problems.append(
            Problem(
                f"{where}.kind",
                f"{kind!r} is not allowed from {src.type} to {dst.type}; allowed: {', '.join(allowed)}",
            )
        )
        return None
    return kind


def _parse_edge_attrs(
    raw: Mapping[str, Any], kind: str | None, cat: Catalog, where: str, problems: list[Problem]
) -> dict[str, Any]:
    attrs: dict[str, Any] = {}
    kind_attrs = cat.kinds[kind].attrs if kind else {}
    for key, value in raw.items():
        if key in EDGE_KEYS:
            continue
        param = kind_attrs.get(key) or cat.common_attrs.get(key)
        if param is None:
            owners = [k for k, spec in cat.kinds.items() if key in spec.attrs]
            if owners and kind:
                msg = f"only {' or '.join(owners)} edges take {key}, and this is a {kind} edge"
            else:
                known = sorted(EDGE_KEYS | set(cat.common_attrs) | set(kind_attrs))
                msg = f"unknown key{_suggest(key, known)}"
            problems.append(Problem(f"{where}.{_key(str(key))}", msg))
        elif err := check_value(param, value):
            problems.append(Problem(f"{where}.{key}", err))
        else:
            attrs[key] = value
    for name, param in kind_attrs.items():
        if param.required and name not in raw:
            problems.append(Problem(f"{where}.{name}", f"is required on {kind} edges ({param.help})"))
    return attrs


def _parse_position(raw: Any, where: str, problems: list[Problem]) -> tuple[float, float] | None:
    if raw is None:
        return None
    ok = isinstance(raw, dict) and set(raw) <= {"x", "y"} and {"x", "y"} <= set(raw)
    values = [raw.get("x"), raw.get("y")] if ok else []
    if ok and all(
        isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) and abs(v) <= LIMITS["position"]
        for v in values
    ):
        return (float(values[0]), float(values[1]))
    problems.append(
        Problem(f"{where}.position", f'must be {{"x": number, "y": number}} within ±{LIMITS["position"]:,}')
    )
    return None


def _parse_tags(raw: Any, where: str, problems: list[Problem]) -> tuple[str, ...]:
    if not isinstance(raw, list) or len(raw) > LIMITS["tags"]:
        problems.append(Problem(f"{where}.tags", f"must be a list of at most {LIMITS['tags']} strings"))
        return ()
    for j, tag in enumerate(raw):
        if not isinstance(tag, str) or not 0 < len(tag) <= LIMITS["tag"]:
            problems.append(Problem(f"{where}.tags[{j}]", f"must be text of 1-{LIMITS['tag']} characters"))
            return ()
    return tuple(raw)


def _text(value: Any, path: str, limit: int, problems: list[Problem], *, multiline: bool = False) -> str:
    if not isinstance(value, str):
        problems.append(Problem(path, f"must be text, not {describe(value)}"))
        return ""
    if len(value) > limit:
        problems.append(Problem(path, f"is {len(value):,} characters long; the most is {limit}"))
        return ""
    if bad := CONTROL.search(value.replace("\n", " ").replace("\t", " ") if multiline else value):
        problems.append(Problem(path, f"contains the control character U+{ord(bad.group()):04X}"))
        return ""
    return value


MAX_PROBLEMS = 100
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def _capped(problems: list[Problem]) -> list[Problem]:
    if len(problems) <= MAX_PROBLEMS:
        return problems
    return [*problems[:MAX_PROBLEMS], Problem("", f"... and {len(problems) - MAX_PROBLEMS:,} more problems")]


def _key(key: str) -> str:
    """A user's key as shown in a path: shortened when it is long."""
    return key if len(key) <= 64 else key[:61] + "..."


def _suggest(word: Any, choices: Iterable[str]) -> str:
    if not isinstance(word, str) or len(word) > 64:
        return ""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""
