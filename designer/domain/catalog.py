"""The service catalog: service types, their configuration, limits and the connections they allow.

The catalog is data (``designer/data/services.yaml`` and ``connections.yaml``); this module loads it into
frozen objects. ``load_catalog()`` reads the packaged files once and caches the result.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import yaml

__all__ = ["Catalog", "CatalogError", "EdgeKind", "Param", "ServiceType", "load_catalog", "read_data"]

PARAM_TYPES = frozenset({"int", "number", "bool", "enum", "list", "string", "object"})


class CatalogError(Exception):
    """The catalog data itself is inconsistent (a bug in the data files, never in user input)."""


@dataclass(frozen=True, slots=True)
class Param:
    """One configuration parameter of a service type, or one attribute of an edge kind."""

    name: str
    type: str
    help: str
    default: Any = None
    unit: str | None = None
    min: float | None = None
    max: float | None = None
    values: tuple[Any, ...] = ()
    max_length: int | None = None
    source: str | None = None
    estimate: bool = False
    required: bool = False


@dataclass(frozen=True, slots=True)
class Limit:
    value: Any
    source: str | None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class ServiceType:
    id: str
    category: str
    name: str
    icon: str
    summary: str
    params: Mapping[str, Param]
    billing: tuple[str, ...]
    limits: Mapping[str, Limit]

    def defaults(self) -> dict[str, Any]:
        return {name: p.default for name, p in self.params.items()}


@dataclass(frozen=True, slots=True)
class EdgeKind:
    id: str
    help: str
    sync: bool
    attrs: Mapping[str, Param]


@dataclass(frozen=True)
class Catalog:
    types: Mapping[str, ServiceType]
    categories: tuple[tuple[str, str], ...]
    kinds: Mapping[str, EdgeKind]
    common_attrs: Mapping[str, Param]
    groups: Mapping[str, frozenset[str]]
    # (source type, target type) -> allowed kinds, the default first.
    connections: Mapping[tuple[str, str], tuple[str, ...]]
    sources: Mapping[str, Mapping[str, str]]
    _targets: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False)

    def allowed_kinds(self, source_type: str, target_type: str) -> tuple[str, ...]:
        return self.connections.get((source_type, target_type), ())

    def default_kind(self, source_type: str, target_type: str) -> str | None:
        kinds = self.allowed_kinds(source_type, target_type)
        return kinds[0] if kinds else None

    def targets_of(self, source_type: str) -> tuple[str, ...]:
        """Types a service of ``source_type`` may connect to, in catalog order."""
        if source_type not in self._targets:
            self._targets[source_type] = tuple(t for (s, t) in self.connections if s == source_type)
        return self._targets[source_type]

    def group(self, name: str) -> frozenset[str]:
        return self.groups[name]

    def limit(self, type_id: str, name: str) -> Any:
        return self.types[type_id].limits[name].value

    def limit_source(self, type_id: str, name: str) -> str | None:
        """The URL behind a limit, for texts that quote it."""
        key = self.types[type_id].limits[name].source
        return self.sources.get(key, {}).get("url") if key else None


def read_data(name: str) -> Any:
    """Load one YAML file of ``designer/data``."""
    text = resources.files("designer").joinpath("data", name).read_text(encoding="utf-8")
    return yaml.safe_load(text)


@functools.cache
def load_catalog() -> Catalog:
    services = read_data("services.yaml")
    wiring = read_data("connections.yaml")
    return build_catalog(services, wiring)


def build_catalog(services: Mapping[str, Any], wiring: Mapping[str, Any]) -> Catalog:
    sources = services.get("sources", {})
    types = {tid: _service_type(tid, spec, sources) for tid, spec in services["types"].items()}
    categories = tuple((c["id"], c["name"]) for c in services["categories"])
    known_categories = {c for c, _ in categories}
    for t in types.values():
        if t.category not in known_categories:
            raise CatalogError(f"type {t.id}: unknown category {t.category!r}")

    kinds = {
        kid: EdgeKind(
            id=kid,
            help=spec["help"],
            sync=bool(spec["sync"]),
            attrs={name: _param(name, p, sources, f"edge kind {kid}") for name, p in spec.get("attrs", {}).items()},
        )
        for kid, spec in wiring["edge_kinds"].items()
    }
    common = {name: _param(name, p, sources, "common edge attrs") for name, p in wiring["common_attrs"].items()}
    groups = {name: frozenset(members) for name, members in wiring["groups"].items()}
    for name, members in groups.items():
        if unknown := members - types.keys():
            raise CatalogError(f"group {name}: unknown types {sorted(unknown)}")

    def expand(ref: str | list[str]) -> list[str]:
        out: list[str] = []
        for item in [ref] if isinstance(ref, str) else ref:
            if item.startswith("@"):
                out.extend(sorted(groups[item[1:]]))
            elif item in types:
                out.append(item)
            else:
                raise CatalogError(f"connections: unknown type {item!r}")
        return out

    connections: dict[tuple[str, str], list[str]] = {}
    for entry in wiring["connections"]:
        for kind in entry["kinds"]:
            if kind not in kinds:
                raise CatalogError(f"connections: unknown edge kind {kind!r}")
        for source in expand(entry["from"]):
            for target in expand(entry["to"]):
                allowed = connections.setdefault((source, target), [])
                allowed.extend(k for k in entry["kinds"] if k not in allowed)
    return Catalog(
        types=types,
        categories=categories,
        kinds=kinds,
        common_attrs=common,
        groups=groups,
        connections={pair: tuple(k) for pair, k in connections.items()},
        sources=sources,
    )


def _service_type(tid: str, spec: Mapping[str, Any], sources: Mapping[str, Any]) -> ServiceType:
    where = f"type {tid}"
    params = {name: _param(name, p, sources, where) for name, p in (spec.get("config") or {}).items()}
    limits = {}
    for name, lim in (spec.get("limits") or {}).items():
        if lim.get("source") and lim["source"] not in sources:
            raise CatalogError(f"{where}: limit {name} names unknown source {lim['source']!r}")
        limits[name] = Limit(value=lim["value"], source=lim.get("source"), note=lim.get("note"))
    return ServiceType(
        id=tid,
        category=spec["category"],
        name=spec["name"],
        icon=spec["icon"],
        summary=spec["summary"],
        params=params,
        billing=tuple(spec.get("billing") or ()),
        limits=limits,
    )


def _param(name: str, spec: Mapping[str, Any], sources: Mapping[str, Any], where: str) -> Param:
    ptype = spec["type"]
    if ptype not in PARAM_TYPES:
        raise CatalogError(f"{where}: parameter {name} has unknown type {ptype!r}")
    if spec.get("source") and spec["source"] not in sources:
        raise CatalogError(f"{where}: parameter {name} names unknown source {spec['source']!r}")
    return Param(
        name=name,
        type=ptype,
        help=spec.get("help", ""),
        default=spec.get("default"),
        unit=spec.get("unit"),
        min=spec.get("min"),
        max=spec.get("max"),
        values=tuple(spec.get("values") or ()),
        max_length=spec.get("max_length"),
        source=spec.get("source"),
        estimate=bool(spec.get("estimate", False)),
        required=bool(spec.get("required", False)),
    )
