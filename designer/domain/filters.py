"""Whether two subscriptions of one topic or bus can receive the same message, from their filters (EventBridge
event patterns, SNS filter policies, event source mapping criteria; ``{"any_of": [...]}`` for several).

A hub whose subscribers' filters never overlap routes each message to one of them: content-based routing, not
fan-out. The test is conservative: two filters are apart only when a field both constrain to plain values (strings,
numbers, booleans, null) has no value in common; a prefix, a numeric range, ``anything-but`` or ``$or`` may match
anything, so such filters are taken to overlap."""

from __future__ import annotations

from typing import Any

__all__ = ["may_overlap"]

_PLAIN = str | int | float | bool | None


def may_overlap(a: Any, b: Any, depth: int = 0) -> bool:
    """Whether some message could pass both filters (no filter passes everything)."""
    if not isinstance(a, dict) or not isinstance(b, dict) or not a or not b or depth > 20:
        return True
    if set(a) == {"any_of"} and isinstance(a["any_of"], list):
        return any(may_overlap(x, b, depth + 1) for x in a["any_of"])
    if set(b) == {"any_of"} and isinstance(b["any_of"], list):
        return any(may_overlap(a, y, depth + 1) for y in b["any_of"])
    for key in a.keys() & b.keys():
        left, right = a[key], b[key]
        if isinstance(left, dict) and isinstance(right, dict):
            if not may_overlap(left, right, depth + 1):
                return False
        elif _plain(left) and _plain(right) and not {_key(v) for v in left} & {_key(v) for v in right}:
            return False
    return True


def _plain(values: Any) -> bool:
    return isinstance(values, list) and bool(values) and all(isinstance(v, _PLAIN) for v in values)


def _key(value: Any) -> tuple[str, Any]:
    """A value as a pattern matches it: 1 and 1.0 are one number, "1" is a string, true is not 1."""
    if isinstance(value, bool) or value is None:
        return ("literal", value)
    if isinstance(value, int | float):
        return ("number", float(value))
    return ("string", value)
