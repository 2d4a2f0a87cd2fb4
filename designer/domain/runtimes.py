"""Lambda's managed runtimes: when each is deprecated, and which runtime's cold-start figures it borrows.

``runtimes()`` reads ``designer/data/runtimes.yaml`` once. ``nearest(runtime, known)`` finds the known runtime of
the same language nearest an unknown identifier (a future ``python3.15`` -> ``python3.14``), for readers that must
map a value they have never seen onto the catalog.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from designer.domain.catalog import read_data

__all__ = ["Runtime", "cold_start_key", "nearest", "runtimes"]


@dataclass(frozen=True, slots=True)
class Runtime:
    id: str
    name: str
    deprecated: dt.date
    block_create: dt.date | None
    block_update: dt.date | None
    cold_start: str  # the runtime whose cold-start figures stand in for this one

    def is_deprecated(self, today: dt.date) -> bool:
        return today >= self.deprecated


@functools.cache
def runtimes() -> Mapping[str, Runtime]:
    data = read_data("runtimes.yaml")
    return {
        rid: Runtime(
            id=rid,
            name=spec["name"],
            deprecated=spec["deprecated"],
            block_create=spec.get("block_create"),
            block_update=spec.get("block_update"),
            cold_start=spec["cold_start"],
        )
        for rid, spec in data["runtimes"].items()
    }


def nearest(runtime: str, known: Iterable[object]) -> str | None:
    """The known runtime of ``runtime``'s language nearest its version (the newer of two as near), or None."""
    family, version = _version(runtime)
    candidates = [str(k) for k in known if _version(str(k))[0] == family]
    if not candidates:
        return None
    return min(candidates, key=lambda k: (abs(_version(k)[1] - version), -_version(k)[1]))


def _version(runtime: str) -> tuple[str, float]:
    """``("python", 3.014)`` for python3.14, ``("nodejs", 24.0)`` for nodejs24.x, ``("provided", 0.0)``."""
    found = re.match(r"([a-z]+)(\d+)?(?:\.(\d+))?", runtime.lower())
    if found is None:
        return runtime, 0.0
    family, major, minor = found.groups()
    return family, float(major or 0) + float(minor or 0) / 1000


def cold_start_key(runtime: str, table: Mapping[str, object]) -> str:
    """The key of ``table`` (cold-start figures by runtime) that stands for ``runtime``."""
    if runtime in table:
        return runtime
    known = runtimes().get(runtime)
    if known is not None and known.cold_start in table:
        return known.cold_start
    return nearest(runtime, table) or max(table, key=lambda k: _number(table[k]))


def _number(value: object) -> float:
    return float(value) if isinstance(value, int | float) else 0.0
