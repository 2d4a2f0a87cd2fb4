"""Checking one value against a catalog parameter; shared by node config, edge attributes and traffic."""

from __future__ import annotations

import math
from typing import Any

from designer.domain.catalog import Param

__all__ = ["check_value", "describe"]

MAX_STRING = 500
MAX_OBJECT_DEPTH = 8
MAX_OBJECT_ITEMS = 200


def describe(value: Any) -> str:
    """A short rendering of a user value for an error message."""
    if isinstance(value, str):
        text = value if len(value) <= 40 else value[:37] + "..."
        return repr(text)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, int | float):
        return _fmt(value)
    return (
        type(value).__name__
        if not isinstance(value, list | dict)
        else ("a list" if isinstance(value, list) else "an object")
    )


def check_value(param: Param, value: Any, *, limit_owner: str | None = None) -> str | None:
    """Return what is wrong with ``value`` for ``param``, or None when it is acceptable.

    ``limit_owner`` names the service whose limit a range is ("Lambda's limit") for the message.
    """
    if value is None:
        return None if param.default is None and not param.required else "must not be null"
    t = param.type
    if t == "bool":
        return None if isinstance(value, bool) else f"{describe(value)} is not true or false"
    if t in ("int", "number"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            return f"{describe(value)} is not a number"
        if isinstance(value, float) and not math.isfinite(value):
            return "must be a finite number"
        if t == "int" and not (isinstance(value, int) or float(value).is_integer()):
            return f"{describe(value)} is not a whole number"
        return _check_range(param, value, limit_owner)
    if t == "enum":
        if isinstance(value, bool) or value not in param.values:
            return f"{describe(value)} is not one of: {', '.join(str(v) for v in param.values)}"
        return None
    if t == "list":
        if not isinstance(value, list):
            return f"{describe(value)} is not a list"
        bad = [v for v in value if not isinstance(v, str) or (param.values and v not in param.values)]
        if bad:
            return f"{describe(bad[0])} is not one of: {', '.join(param.values)}"
        return None
    if t == "string":
        if not isinstance(value, str):
            return f"{describe(value)} is not text"
        limit = param.max_length or MAX_STRING
        if len(value) > limit:
            return f"is {len(value)} characters long; the most is {limit}"
        return None
    if t == "object":
        if not isinstance(value, dict):
            return f"{describe(value)} is not an object"
        return _check_object(value, depth=1)
    return f"has an unsupported parameter type {t}"  # pragma: no cover - the catalog loader refuses these


def _check_range(param: Param, value: float, owner: str | None) -> str | None:
    why = f" ({owner}'s limit)" if owner and param.source else ""
    if param.min is not None and value < param.min:
        return f"{_fmt(value)} is below the minimum {_fmt(param.min)}{why}"
    if param.max is not None and value > param.max:
        return f"{_fmt(value)} is above the maximum {_fmt(param.max)}{why}"
    return None


def _check_object(value: Any, depth: int) -> str | None:
    if depth > MAX_OBJECT_DEPTH:
        return f"is nested deeper than {MAX_OBJECT_DEPTH} levels"
    if isinstance(value, dict):
        if len(value) > MAX_OBJECT_ITEMS:
            return f"has more than {MAX_OBJECT_ITEMS} keys"
        items = list(value.values())
    elif isinstance(value, list):
        if len(value) > MAX_OBJECT_ITEMS:
            return f"has a list longer than {MAX_OBJECT_ITEMS}"
        items = value
    elif isinstance(value, str) and len(value) > MAX_STRING:
        return f"holds text longer than {MAX_STRING} characters"
    else:
        return None
    for item in items:
        if problem := _check_object(item, depth + 1):
            return problem
    return None


def _fmt(x: float) -> str:
    if abs(x) >= 1e15:
        return f"{float(x):.3g}" if abs(x) < 1e300 else "a number of over 300 digits"
    if isinstance(x, float) and x.is_integer():
        x = int(x)
    return f"{x:,}" if isinstance(x, int) and abs(x) >= 10000 else str(x)
