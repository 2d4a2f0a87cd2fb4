"""Checking each part of a question by its type: options of choice and multi parts, the answer of numeric parts,
the rubric and misconceptions of text parts (patterns that compile, sources a learner can open), and the
requirements of design parts. Used by :mod:`quiz.banks`."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from functools import cache
from typing import Any

__all__ = ["PART_TYPES", "QID", "check_part", "check_ids", "is_text", "kind_of", "pattern_ids", "rule_ids"]

PART_TYPES = ("choice", "multi", "numeric", "text", "design")
QID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
DESIGN_KEYS = ("patterns_complete", "patterns", "services", "rules_absent")


def check_part(part: Any) -> list[str]:
    if not isinstance(part, dict):
        return [f"a part is a mapping, not {kind_of(part)}"]
    problems = []
    pid = part.get("id")
    if not isinstance(pid, str) or not QID.fullmatch(pid):
        problems.append(f"id: must be 1-64 letters, digits, '.', '_' or '-', not {pid!r}")
    if not is_text(part.get("prompt")):
        problems.append("prompt: required, non-empty text")
    points = part.get("points", 1)
    if not _number(points) or points <= 0:
        problems.append(f"points: must be a number above 0, not {points!r}")
    kind = part.get("type")
    if kind not in PART_TYPES:
        return [*problems, f"type: must be one of {', '.join(PART_TYPES)}, not {kind!r}"]
    return problems + _PART_CHECKS[kind](part)


def _check_id(value: Any, where: str, ids: set[Any]) -> list[str]:
    """An item's id: well formed and not used by another item of the list (``ids`` collects them)."""
    problem = []
    if not isinstance(value, str) or not QID.fullmatch(value):
        problem.append(f"{where}.id: must be 1-64 letters, digits, '.', '_' or '-', not {value!r}")
    elif value in ids:
        problem.append(f"{where}.id: {value!r} is used twice")
    ids.add(value)
    return problem


def _check_options(part: Mapping[str, Any]) -> list[str]:
    options = part.get("options")
    if not isinstance(options, list) or len(options) < 2:
        return ["options: required, a list of at least two options"]
    problems: list[str] = []
    ids: set[Any] = set()
    for i, option in enumerate(options):
        if not isinstance(option, dict):
            problems.append(f"options[{i}]: an option is a mapping with id, text, correct and why")
            continue
        problems += _check_id(option.get("id"), f"options[{i}]", ids)
        for key in ("text", "why"):
            if not is_text(option.get(key)):
                problems.append(f"options[{i}].{key}: required, non-empty text (every option explains itself)")
        if not isinstance(option.get("correct", False), bool):
            problems.append(f"options[{i}].correct: must be true or false")
    return problems


def _check_choice(part: Mapping[str, Any]) -> list[str]:
    problems = _check_options(part)
    if not problems and sum(bool(o.get("correct")) for o in part["options"]) != 1:
        problems.append("options: a choice part has exactly one correct option (use type multi for several)")
    return problems


def _check_multi(part: Mapping[str, Any]) -> list[str]:
    problems = _check_options(part)
    if not problems and not any(o.get("correct") for o in part["options"]):
        problems.append("options: a multi part needs at least one correct option")
    return problems


def _check_numeric(part: Mapping[str, Any]) -> list[str]:
    problems = []
    if not _number(part.get("answer")):
        problems.append(f"answer: required, a number, not {part.get('answer')!r}")
    if not is_text(part.get("unit")):
        problems.append("unit: required, non-empty text (write 'count' for a plain number)")
    tolerance = part.get("tolerance", 0)
    if not _number(tolerance) or tolerance < 0:
        problems.append(f"tolerance: must be a number of at least 0, not {tolerance!r}")
    outdated = part.get("outdated") or []
    if not isinstance(outdated, list):
        return [*problems, "outdated: must be a list of {answer, note, credit}"]
    for i, old in enumerate(outdated):
        if not isinstance(old, dict) or not _number(old.get("answer")) or not is_text(old.get("note")):
            problems.append(f"outdated[{i}]: needs a numeric 'answer' and a 'note' saying what changed")
        elif not _number(old.get("credit", 0.5)) or not 0 <= old.get("credit", 0.5) <= 1:
            problems.append(f"outdated[{i}].credit: must be a number from 0 to 1")
    return problems


def _check_text(part: Mapping[str, Any]) -> list[str]:
    rubric = part.get("rubric")
    if not isinstance(rubric, list) or not rubric:
        return ["rubric: required, a non-empty list of concepts"]
    problems = _check_matchers(rubric, "rubric", weighted=True)
    misconceptions = part.get("misconceptions") or []
    if not isinstance(misconceptions, list):
        return [*problems, "misconceptions: must be a list"]
    problems += _check_matchers(misconceptions, "misconceptions", weighted=False)
    concepts = {c.get("id") for c in rubric if isinstance(c, dict)}
    for i, wrong in enumerate(m for m in misconceptions if isinstance(m, dict)):
        source = wrong.get("source")
        if not isinstance(source, dict) or not is_text(source.get("title")) or not _https(source.get("url")):
            problems.append(f"misconceptions[{i}].source: required, a title and an https:// url a learner can open")
        contradicts = wrong.get("contradicts") or []
        if not isinstance(contradicts, list) or not set(contradicts) <= concepts:
            problems.append(f"misconceptions[{i}].contradicts: a list of this part's concept ids")
        if not _number(wrong.get("cost", 1)) or wrong.get("cost", 1) < 0:
            problems.append(f"misconceptions[{i}].cost: must be a number from 0")
    return problems


def _check_matchers(items: list[Any], key: str, *, weighted: bool) -> list[str]:
    problems: list[str] = []
    ids: set[Any] = set()
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            problems.append(f"{key}[{i}]: must be a mapping with id, explain and match")
            continue
        problems += _check_id(item.get("id"), f"{key}[{i}]", ids)
        if not is_text(item.get("explain")):
            problems.append(f"{key}[{i}].explain: required, non-empty text")
        if weighted and (not _number(item.get("weight", 1)) or item.get("weight", 1) <= 0):
            problems.append(f"{key}[{i}].weight: must be a number above 0")
        if not isinstance(item.get("match"), list) or not item["match"]:
            problems.append(f"{key}[{i}].match: required, a non-empty list of regular expressions")
            continue
        for slot in ("match", "about", "says"):
            patterns = item.get(slot) or []
            if not isinstance(patterns, list):
                problems.append(f"{key}[{i}].{slot}: must be a list of regular expressions")
                continue
            problems += _check_patterns(patterns, f"{key}[{i}].{slot}")
    return problems


def _check_patterns(patterns: list[Any], where: str) -> list[str]:
    problems = []
    for j, pattern in enumerate(patterns):
        if not isinstance(pattern, str) or not pattern:
            problems.append(f"{where}[{j}]: must be a non-empty string")
            continue
        try:
            re.compile(pattern, re.IGNORECASE)
        except re.error as exc:
            problems.append(f"{where}[{j}]: not a valid regular expression ({exc})")
    return problems


def _check_design(part: Mapping[str, Any]) -> list[str]:
    require = part.get("require")
    if not isinstance(require, dict) or not any(require.get(k) for k in DESIGN_KEYS):
        return [f"require: required, a mapping with at least one of {', '.join(DESIGN_KEYS)}"]
    problems = [
        f"require.{k}: unknown requirement (use {', '.join(DESIGN_KEYS)})" for k in require if k not in DESIGN_KEYS
    ]
    known = {
        "patterns_complete": pattern_ids(),
        "patterns": pattern_ids(),
        "services": _service_types(),
        "rules_absent": rule_ids(),
    }
    for key in DESIGN_KEYS:
        problems.extend(check_ids(require.get(key, []), f"require.{key}", known[key]))
    return problems


def _https(url: Any) -> bool:
    return isinstance(url, str) and url.startswith("https://") and len(url) > len("https://")


def check_ids(values: Any, key: str, known: frozenset[str]) -> list[str]:
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        return [f"{key}: must be a list of ids"]
    return [f"{key}: {v!r} is not known (known: {', '.join(sorted(known))})" for v in values if v not in known]


def is_text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def kind_of(value: Any) -> str:
    return {dict: "a mapping", list: "a list", str: "text", type(None): "nothing"}.get(
        type(value), type(value).__name__
    )


# The designer's catalog is data read once; quiz may import the designer's pure core (never the reverse).
@cache
def pattern_ids() -> frozenset[str]:
    from designer.domain.patterns import PATTERN_IDS

    return frozenset(PATTERN_IDS)


@cache
def rule_ids() -> frozenset[str]:
    from designer.domain.rules import load_rules

    return frozenset(load_rules())


@cache
def _service_types() -> frozenset[str]:
    from designer.domain.catalog import load_catalog

    return frozenset(load_catalog().types)


_PART_CHECKS = {
    "choice": _check_choice,
    "multi": _check_multi,
    "numeric": _check_numeric,
    "text": _check_text,
    "design": _check_design,
}
