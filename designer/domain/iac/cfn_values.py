"""Reading the values templates hold, whatever shape a template gives them: mappings, JSON text, literals,
``Fn::Sub`` and ``Fn::Join`` as text, and whether a document is a template at all."""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = ["flat_text", "json_object", "looks_like_template", "mapping", "text_of"]


def mapping(value: Any) -> dict[str, Any]:
    """``value`` when it is a mapping, else an empty one (templates put anything anywhere)."""
    return value if isinstance(value, dict) else {}


def json_object(value: Any) -> dict[str, Any] | None:
    """An object given as a mapping or written as JSON text (policies, patterns, Metadata); None for anything else."""
    if isinstance(value, dict):
        return value
    if isinstance(value, str) and len(value) <= 20_000:
        try:
            parsed = json.loads(value)
        except (ValueError, RecursionError):
            return None
        return parsed if isinstance(parsed, dict) else None
    return None


def text_of(value: Any) -> str | None:
    """A literal string (or number) value, else None."""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def flat_text(value: Any) -> str:
    """A string, Sub or Join as one text with ``${...}`` standing for references."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and len(value) == 1:
        key, arg = next(iter(value.items()))
        if key == "Fn::Sub":
            return flat_text(arg[0] if isinstance(arg, list) and arg else arg)
        if key == "Fn::Join" and isinstance(arg, list) and len(arg) == 2 and isinstance(arg[1], list):
            return str(arg[0]).join(flat_text(part) for part in arg[1])
        if key == "Ref":
            return f"${{{arg}}}"
        if key == "Fn::GetAtt":
            return "${" + (".".join(str(a) for a in arg) if isinstance(arg, list) else str(arg)) + "}"
        if key == "Fn::ImportValue":
            return flat_text(arg)
    return ""


def looks_like_template(value: Any) -> bool:
    """Whether decoded data or raw text is a CloudFormation/SAM template rather than an Archlab diagram."""
    if isinstance(value, bytes):
        value = value[:200_000].decode("utf-8", "replace")
    if isinstance(value, str):
        head = value[:200_000]
        if re.search(r'"format"\s*:\s*"archlab/', head):
            return False
        keys = r"(AWSTemplateFormatVersion|Resources|Transform)"
        return bool(re.search(rf"^{keys}\s*:", head, re.M) or re.search(rf'"{keys}"\s*:', head))
    if isinstance(value, dict):
        fmt = value.get("format")
        if "nodes" in value or (isinstance(fmt, str) and fmt.startswith("archlab/")):
            return False
        return any(k in value for k in ("Resources", "AWSTemplateFormatVersion", "Transform"))
    return False
